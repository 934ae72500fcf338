"""Local development: SQLite and in-process tasks unless the environment says otherwise."""

from config.env import env
from config.settings.base import *  # noqa: F401,F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env.bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", default=True)

# Static files straight from the apps (no collectstatic needed outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
