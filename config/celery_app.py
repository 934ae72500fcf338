import os

from celery import Celery

# Like the WSGI and ASGI entry points, a worker or beat started without DJANGO_SETTINGS_MODULE
# runs production settings. `config/__init__.py` imports this module first, so a local default
# here would decide the settings for `gunicorn config.wsgi` too. Only manage.py defaults to local.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("holidaypark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
