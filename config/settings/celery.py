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

if CELERY_BROKER_URL.startswith("filesystem://"):
    # The no-server broker for one machine: messages are files in one shared folder.
    _folder = env("CELERY_FILESYSTEM_FOLDER", default="var/celery")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _folder,
        "data_folder_out": _folder,
        "processed_folder": f"{_folder}-processed",
        "store_processed": False,
    }

CELERY_BEAT_SCHEDULE: dict = {
    "webhook-sweep": {
        "task": "webhooks.sweep",
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
