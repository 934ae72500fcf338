"""Under gunicorn with several workers, /metrics adds up every worker's counts, and the log is
JSON with a request id on every request line (the production configuration, for real)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 24
BURST = 12


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "holidaypark_http_requests_total" and sample.labels == {
                "method": "GET",
                "view": "health",
                "status": "200",
            }:
                return sample.value
    return 0.0


def counter_files(tmp_path) -> list:
    """One file per worker process that has counted something (prometheus multiprocess mode)."""
    return list((tmp_path / "prometheus").glob("counter_*.db"))


def test_metrics_add_up_across_gunicorn_workers(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="gunicorn-test-secret",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        METRICS_TOKEN="scrape-me",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="3",
    )
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/health", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.3)
        before = health_count(
            requests.get(f"{base}/metrics", headers={"Authorization": "Bearer scrape-me"}).text
        )
        # Concurrent bursts on separate connections, so that more than one worker serves some
        # (the kernel may hand a quiet server's connections all to one worker): bounded bursts
        # until two workers have counted requests.
        sent = 0
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            for _ in range(20):
                statuses = list(
                    pool.map(
                        lambda _: requests.get(f"{base}/health", timeout=10).status_code,
                        range(BURST),
                    )
                )
                assert statuses == [200] * BURST
                sent += BURST
                if sent >= REQUESTS and len(counter_files(tmp_path)) >= 2:
                    break
        seen = [
            health_count(
                requests.get(
                    f"{base}/metrics", headers={"Authorization": "Bearer scrape-me"}, timeout=10
                ).text
            )
            for _ in range(6)
        ]
        refused = requests.get(f"{base}/metrics", timeout=10)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()

    # every scrape, whichever worker answers it, sees every worker's requests
    assert seen == [before + sent] * 6
    assert refused.status_code == 401
    assert len(counter_files(tmp_path)) >= 2
    lines = [
        json.loads(line)
        for line in (tmp_path / "gunicorn.log").read_text().splitlines()
        if line.startswith("{")
    ]
    request_lines = [line for line in lines if line["logger"] == "holidaypark.requests"]
    assert len(request_lines) >= REQUESTS + 7
    assert all(len(line["request_id"]) == 32 for line in request_lines)
