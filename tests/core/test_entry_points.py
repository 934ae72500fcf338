"""Which settings each entry point runs when the environment names none.

Each case starts a fresh interpreter with a clean environment: no DJANGO_SETTINGS_MODULE, only the
secrets production requires. The pytest process itself runs the test settings and cannot tell.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WSGI_PROBE = """
import io, json, wsgiref.util
from config.wsgi import application
from django.conf import settings
from apps.core.outbound import OutboundRefused, check_url

environ = {"PATH_INFO": "/health", "REQUEST_METHOD": "GET"}
wsgiref.util.setup_testing_defaults(environ)
answer = {}
def start_response(status, headers, exc_info=None):
    answer["status"] = status
body = b"".join(application(environ, start_response))
try:
    check_url("http://127.0.0.1/feed.ics")
    refused = None
except OutboundRefused as exc:
    refused = str(exc)
print(json.dumps({
    "settings": settings.SETTINGS_MODULE,
    "debug": settings.DEBUG,
    "status": answer["status"],
    "body": json.loads(body),
    "refused": refused,
}))
"""

ASGI_PROBE = """
import json
from config.asgi import application
from django.conf import settings
print(json.dumps({"settings": settings.SETTINGS_MODULE}))
"""

CELERY_PROBE = """
import json
from config.celery_app import app
from django.conf import settings
app.loader.import_default_modules()
print(json.dumps({"settings": settings.SETTINGS_MODULE, "debug": settings.DEBUG}))
"""


def clean_environment(tmp_path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SECRET_KEY": "a-production-secret-for-this-test-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def run(code: str, tmp_path, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_wsgi_application_runs_production_settings_and_guards_outbound(tmp_path):
    seen = run(WSGI_PROBE, tmp_path)

    assert seen["settings"] == "config.settings.production"
    assert seen["debug"] is False
    assert seen["status"].startswith("200"), seen
    assert seen["body"]["checks"]["database"] == "ok"
    assert seen["refused"] is not None
    assert "127.0.0.1" in seen["refused"]


def test_the_asgi_application_runs_production_settings(tmp_path):
    assert run(ASGI_PROBE, tmp_path)["settings"] == "config.settings.production"


def test_a_celery_worker_runs_production_settings(tmp_path):
    seen = run(CELERY_PROBE, tmp_path)

    assert seen == {"settings": "config.settings.production", "debug": False}


def test_manage_py_alone_defaults_to_local_settings(tmp_path):
    seen = run(
        "",
        tmp_path,
        "manage.py",
        "shell",
        "-c",
        "import json; from django.conf import settings; "
        "print(json.dumps({'settings': settings.SETTINGS_MODULE}))",
    )

    assert seen["settings"] == "config.settings.local"
