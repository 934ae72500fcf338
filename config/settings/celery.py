"""Celery: Redis in production, any kombu broker when CELERY_BROKER_URL says so, in-process otherwise."""

from config.env import env

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL
# With no broker at all (tests, a bare runserver) tasks run eagerly, in the caller's process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Every task has time limits: the soft one raises SoftTimeLimitExceeded in the task, the hard
# one kills the worker process. A task may set its own (webhooks.deliver does, below).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)

# The request path enqueues after commit with one connection attempt of this many seconds
# and no retries (apps/core/tasks_on_commit.py); the sweepers make up for what it misses.
CELERY_ENQUEUE_TIMEOUT_SECONDS = env.float("CELERY_ENQUEUE_TIMEOUT_SECONDS", default=0.5)

# Two queues: webhook deliveries, and everything else (the periodic work: option expiry,
# iCal syncs, sweeps, housekeeping), so a delivery backlog never delays expiry or syncs.
# Workers consume both: ``celery -A config worker -Q periodic,deliveries``.
CELERY_TASK_DEFAULT_QUEUE = "periodic"
CELERY_TASK_ROUTES = {
    "webhooks.deliver": {"queue": "deliveries"},
    "webhooks.relay": {"queue": "deliveries"},
}

# Beat: only the holder of a lock (a PostgreSQL advisory lock, a file lock on SQLite) sends
# the schedule, so a second beat can run as a standby (apps/core/beat.py).
CELERY_BEAT_SCHEDULER = "apps.core.beat:LockedScheduler"
CELERY_BEAT_LOCK_RETRY_SECONDS = env.float("CELERY_BEAT_LOCK_RETRY_SECONDS", default=5.0)

# Webhook delivery timing. One attempt waits WEBHOOK_TIMEOUT_SECONDS for the receiver; the
# deliver task's hard limit is a little more; the claim on a delivery (its lease) outlives the
# hard limit, so no attempt can still be running when another may claim the row.
_webhook_timeout = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_TASK_SOFT_TIME_LIMIT = int(_webhook_timeout) + 15
WEBHOOK_TASK_TIME_LIMIT = int(_webhook_timeout) + 20
WEBHOOK_CLAIM_LEASE_SECONDS = env.float(
    "WEBHOOK_CLAIM_LEASE_SECONDS", default=WEBHOOK_TASK_TIME_LIMIT + 40
)
# A delivery handed to the broker is not handed again by the sweeper for this long (a message
# lost inside the broker, e.g. a Redis restart without persistence, is sent again after it).
WEBHOOK_REENQUEUE_AFTER_SECONDS = env.float("WEBHOOK_REENQUEUE_AFTER_SECONDS", default=600.0)

if CELERY_BROKER_URL.startswith("filesystem://"):
    # The no-server broker for one machine: messages are files in one shared folder.
    _folder = env("CELERY_FILESYSTEM_FOLDER", default="var/celery")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _folder,
        "data_folder_out": _folder,
        "processed_folder": f"{_folder}-processed",
        # the exchange tables; kombu's default is ./control in the working directory
        "control_folder": f"{_folder}-control",
        "store_processed": False,
    }

CELERY_BEAT_SCHEDULE: dict = {
    "webhook-sweep": {
        "task": "webhooks.sweep",  # also records attempts of killed workers (README)
        "schedule": env.float("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=30.0),
    },
    "ical-sync-due": {
        "task": "calendars.sync_due",
        "schedule": env.float("ICAL_SYNC_SWEEP_SECONDS", default=60.0),
    },
    "housekeeping": {
        "task": "core.housekeeping",
        "schedule": 3600.0,
    },
    "expire-options": {
        "task": "bookings.expire_options",
        "schedule": env.float("OPTION_EXPIRY_INTERVAL_SECONDS", default=60.0),
    },
}
