"""A real prefork Celery worker serves the task counts of all its child processes."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
TASKS = 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pings_succeeded(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "holidaypark_celery_tasks_total" and sample.labels == {
                "task": "core.ping",
                "outcome": "succeeded",
            }:
                return sample.value
    return 0.0


def test_worker_metrics_add_up_its_processes(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://",
        CELERY_FILESYSTEM_FOLDER=str(tmp_path / "broker"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        CELERY_METRICS_PORT=str(port),
        CELERY_METRICS_ADDR="127.0.0.1",
    )
    for folder in ("broker", "broker-processed"):
        (tmp_path / folder).mkdir()
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
         "--concurrency", "2", "--loglevel", "INFO", "--without-heartbeat",
         "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        send = f"from apps.core.tasks import ping\nfor _ in range({TASKS}): ping.delay()\n"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", send],
            cwd=ROOT, env=env, check=True, timeout=120, capture_output=True,
        )  # fmt: skip
        counted = 0.0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and counted < TASKS:
            with contextlib.suppress(requests.RequestException):  # not listening yet
                counted = pings_succeeded(
                    requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
                )
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()

    assert counted == TASKS, (tmp_path / "worker.log").read_text()[-3000:]
