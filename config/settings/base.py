"""Settings shared by every environment. Environment-specific modules import * from here."""

from config.env import BASE_DIR, env

SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="insecure-local-development-key-do-not-use-in-production"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_json_api",
    "django_filters",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",  # failed sign-ins: see config/settings/signin.py
]
LOCAL_APPS = [
    "apps.core",
    "apps.oauth",
    "apps.administrations",
    "apps.rentables",
    "apps.stays",
    "apps.rates",
    "apps.agenda_periods",
    "apps.customers",
    "apps.bookings",
    "apps.agreements",
    "apps.webhooks",
    "apps.calendars",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # first: the request id covers everything below, and every answer is counted
    "apps.core.observability.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into its answer
]

ROOT_URLCONF = "config.urls"
# The tenant and its staff memberships, for apps.core (which imports no domain app).
CORE_TENANT_MODEL = "administrations.Administration"
CORE_MEMBERSHIP_MODEL = "administrations.Membership"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default so a newcomer needs nothing but Python.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no exclusion constraints: calendar writes are made race-free by taking the
    # write lock when a transaction begins, so a check-then-insert cannot interleave.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
# Statements bound on the server (apps.core.services.bulk_cursor: the outbox's, run on every
# write that someone listens to, and the bulk inserts) are prepared once per connection after
# their fifth run, so the server stops parsing and planning them each time. Django's own
# queries bind on the client and are never prepared. Turn this off behind a pooler in
# transaction mode that does not carry prepared statements (PgBouncer before 1.21).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "prepare_threshold", 5 if DATABASE_PREPARED_STATEMENTS else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every process: rate limits hold across machines),
# process-local memory otherwise.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="hp"),
            # A hung Redis must not hang requests: the rate limiter gives up and lets them by.
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Under /v3 a refused CSRF check (only possible on a path no API view serves) is JSON:API too.
CSRF_FAILURE_VIEW = "apps.core.errors.csrf_failure"

LOGIN_URL = "login"  # where the OAuth consent page sends a signed-out user

# Logs go to stdout, one JSON object a line (DJANGO_LOG_FORMAT=json, production's default) or
# plain text; every line carries the id of the request it was written in.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.observability.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "apps.core.observability.JsonLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# One log line per request answered (method, path, status, time); production turns it on.
LOG_REQUESTS = env.bool("DJANGO_LOG_REQUESTS", default=False)

# Prometheus metrics at /metrics: with METRICS_TOKEN set, scrapers send it as a bearer token;
# without it the endpoint answers only when DEBUG is on.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# Errors to Sentry when SENTRY_DSN is set (web requests and Celery tasks).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from apps.core.observability import sentry_init

    sentry_init(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        release=env("SENTRY_RELEASE", default=""),
    )

# Where the API is reachable from outside: absolute links in webhook payloads and feed URLs.
API_BASE_URL = env("API_BASE_URL", default="http://127.0.0.1:8000")

# The calendar's covering index INCLUDEs columns on PostgreSQL; SQLite simply indexes the keys.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# The calendar
ICAL_UID_DOMAIN = env("ICAL_UID_DOMAIN", default="holidaypark.local")
AGENDA_HORIZON_DAYS = env.int(
    "AGENDA_HORIZON_DAYS", default=5 * 366
)  # how far ahead periods may go
AVAILABILITY_MAX_NIGHTS = env.int("AVAILABILITY_MAX_NIGHTS", default=365)
CALENDAR_DAYS_MAX_NIGHTS = env.int("CALENDAR_DAYS_MAX_NIGHTS", default=366)
# the longest stay calendar_days considers for an arrival or a departure (its stay-rule horizon)
STAY_SEARCH_MAX_NIGHTS = env.int("STAY_SEARCH_MAX_NIGHTS", default=28)

# Bookings
BOOKING_VAT_PERCENTAGE = env.float("BOOKING_VAT_PERCENTAGE", default=9.0)  # VAT on rent
CONCEPT_HOLD_MINUTES = env.int("CONCEPT_HOLD_MINUTES", default=60)  # how long a cart holds dates

# iCal sync
ICAL_SYNC_INTERVAL_MINUTES = env.int("ICAL_SYNC_INTERVAL_MINUTES", default=15)
ICAL_FETCH_TIMEOUT_SECONDS = env.float("ICAL_FETCH_TIMEOUT_SECONDS", default=10.0)
ICAL_MAX_BYTES = env.int("ICAL_MAX_BYTES", default=5 * 1024 * 1024)
ICAL_EXPORT_PAST_DAYS = env.int("ICAL_EXPORT_PAST_DAYS", default=30)
# A feed is untrusted: what one may make us do is capped (over a cap the sync fails, keeping
# every period). Occurrences count inside [today, horizon); steps are recurrence iterations.
ICAL_MAX_OCCURRENCES_PER_EVENT = env.int("ICAL_MAX_OCCURRENCES_PER_EVENT", default=1000)
ICAL_MAX_EVENTS = env.int("ICAL_MAX_EVENTS", default=60_000)
ICAL_MAX_RECURRENCE_STEPS = env.int("ICAL_MAX_RECURRENCE_STEPS", default=200_000)
# Celery limits of one sync; its lease outlives the hard limit, so no second sync of the same
# calendar starts while the first may still run.
ICAL_SYNC_SOFT_TIME_LIMIT_SECONDS = env.int("ICAL_SYNC_SOFT_TIME_LIMIT_SECONDS", default=240)
ICAL_SYNC_TIME_LIMIT_SECONDS = env.int("ICAL_SYNC_TIME_LIMIT_SECONDS", default=300)
# A feed made for one platform leaves out what was imported from that platform (no loops).
ICAL_EXPORT_SKIP_OWN_IMPORTS = env.bool("ICAL_EXPORT_SKIP_OWN_IMPORTS", default=True)

# Incremental sync and retries
TOMBSTONE_RETENTION_DAYS = env.int("TOMBSTONE_RETENTION_DAYS", default=90)
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)

# Webhooks
WEBHOOK_ENV = env("WEBHOOK_ENV", default="production")  # sent as X-BE-Env
# Seconds between attempts: about three days in all, then the delivery has failed.
WEBHOOK_RETRY_SCHEDULE = env.list(
    "WEBHOOK_RETRY_SCHEDULE",
    cast=int,
    default=[60, 300, 1800, 7200, 18000, 36000, 86400, 86400],
)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_DISABLE_AFTER_FAILING_DAYS = env.int("WEBHOOK_DISABLE_AFTER_FAILING_DAYS", default=3)
WEBHOOK_OLD_SECRET_HOURS = env.int("WEBHOOK_OLD_SECRET_HOURS", default=24)

# Outbound requests (iCal feeds, webhooks) may only reach public addresses unless this is set.
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env.bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", default=False)
OUTBOUND_ALLOWED_PORTS = env.list("OUTBOUND_ALLOWED_PORTS", cast=int, default=[])  # beyond 80/443

from config.settings.celery import *  # noqa: E402,F401,F403
from config.settings.jsonapi import *  # noqa: E402,F401,F403
from config.settings.oauth import *  # noqa: E402,F401,F403
from config.settings.signin import *  # noqa: E402,F401,F403
