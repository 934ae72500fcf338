"""One command for a newcomer: migrate, seed, and serve with a Celery worker and beat beside."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Local development on one machine: applies migrations, runs seed_demo (printing the "
        "demo API key), starts a Celery worker and beat on the configured broker (the "
        "filesystem broker needs no server) and serves the API with runserver."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-celery", action="store_true", help="serve only; tasks run eagerly"
        )

    def handle(self, *args, addrport, no_celery, **options):
        if os.environ.get("RUN_MAIN") != "true":  # the reloader's parent, not its child
            call_command("migrate", interactive=False, verbosity=0)
            call_command("seed_demo")
            if not no_celery and settings.CELERY_BROKER_URL:
                self._start_celery()
            elif not no_celery:
                self.stdout.write("No CELERY_BROKER_URL: tasks run in-process (eagerly).")
            self._announce_when_listening(addrport)
        call_command("runserver", addrport)

    def _announce_when_listening(self, addrport: str, wait_seconds: float = 300) -> None:
        """Prints the addresses to open once the server accepts connections (not before)."""
        host, _, port = addrport.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        if host in ("0.0.0.0", "::", "0"):
            host = "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{shown}:{port}"

        def wait_then_print():
            deadline = time.monotonic() + wait_seconds
            while time.monotonic() < deadline:
                try:
                    socket.create_connection((host, int(port)), timeout=1).close()
                except OSError:
                    time.sleep(0.2)
                    continue
                self.stdout.write(
                    f"Listening on {base}\n"
                    f"  API docs:    {base}/v3/docs\n"
                    f"  OpenAPI:     {base}/v3/oas3.json\n"
                    f"  API:         {base}/v3/administrations  (send the demo key as X-API-KEY)\n"
                    f"  Back-office: {base}/admin/  (the demo sign-in above)"
                )
                self.stdout.flush()
                return

        threading.Thread(target=wait_then_print, name="announce", daemon=True).start()

    def _start_celery(self) -> None:
        transport = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        for key in ("data_folder_in", "processed_folder"):
            if key in transport:
                Path(transport[key]).mkdir(parents=True, exist_ok=True)
        Path("var").mkdir(exist_ok=True)
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        # The Celery app defaults to production settings; the worker and beat run these ones.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        processes = [
            subprocess.Popen(
                [*celery, "worker", "-Q", "periodic,deliveries", "--loglevel", "INFO"]
                + ["--concurrency", "2"],
                env=env,
            ),
            subprocess.Popen(
                [*celery, "beat", "--loglevel", "INFO", "--schedule", "var/celerybeat-schedule"],
                env=env,
            ),
        ]
        self.stdout.write(f"Celery worker and beat started on {settings.CELERY_BROKER_URL}")

        def stop(*_):
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

        atexit.register(stop)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
