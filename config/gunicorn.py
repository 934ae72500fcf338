"""gunicorn settings for the API: `gunicorn -c config/gunicorn.py config.wsgi:application`.

With PROMETHEUS_MULTIPROC_DIR set, each worker process writes its metrics there and /metrics
adds them up; the folder is emptied when gunicorn starts and a dead worker's gauges dropped.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = None  # the app logs each request itself, with its request id
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")  # behind the compose proxy


def on_starting(server):
    from apps.core.observability import clear_multiprocess_dir

    clear_multiprocess_dir()


def child_exit(server, worker):
    from apps.core.observability import mark_process_dead

    mark_process_dead(worker.pid)
