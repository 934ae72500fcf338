"""`run_local` (what `make run` starts) prints addresses that work, once the server listens."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_local_prints_working_urls_once_listening(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_local", f"127.0.0.1:{port}", "--no-celery"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            lines.append(line)
            if "Back-office:" in line:
                break
        output = "".join(lines)
        assert "Back-office:" in output, output
        urls = dict(re.findall(r"^\s+(API docs|Back-office):\s+(\S+)", output, re.MULTILINE))

        # printed only once the port accepts connections: no retry needed
        docs = requests.get(urls["API docs"], timeout=10)
        admin = requests.get(urls["Back-office"], timeout=10, allow_redirects=False)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()

    assert urls["API docs"] == f"http://127.0.0.1:{port}/v3/docs"
    assert docs.status_code == 200
    assert urls["Back-office"] == f"http://127.0.0.1:{port}/admin/"
    assert admin.status_code == 302 and "/admin/login/" in admin.headers["Location"]
    assert "Serving on" not in output
