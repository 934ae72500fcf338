"""Tests: whatever DATABASE_URL / REDIS_URL the run provides (CI gives PostgreSQL and Redis)."""

import os
import tempfile

from config.settings.base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: live-server tests then get one connection per
    # thread, as a one-machine deployment does, and concurrency tests mean something.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": f"{tempfile.gettempdir()}/holidaypark-test-{os.getpid()}.sqlite3"
    }

if REDIS_URL:  # noqa: F405
    # Each test run gets its own key space so parallel runs on one Redis never share counters.
    import uuid

    CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"  # noqa: F405

# Static files straight from the apps (no collectstatic needed outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
