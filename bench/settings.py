"""Settings for benchmarks: the local settings plus a plain view to compare against."""

from config.settings.local import *  # noqa: F401,F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
RATE_LIMIT_ENABLED = False
ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405 - as production runs
