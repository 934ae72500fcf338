"""Webhooks under faults, with real processes: a Celery worker on Redis, two beats, a receiver.

1. Broker down (Redis on a port nothing listens on): writes still answer; each write's time
   is printed and its events wait in the outbox (the relay message could not be sent).
2. The broker back, a worker running: all arrive, each once.
3. Sweeps while no worker consumes: the first relays the waiting events into deliveries and
   hands them over as it commits; the queue holds each due delivery once (LLEN), not once per
   sweep.
4. A worker child SIGKILLed mid-request: the abandoned attempt is logged and the delivery is
   sent again at once (not after the 70 s lease).
5. Two beats: one sends the schedule, the other stands by and takes over when it is killed.

Usage: DATABASE_URL=postgres://…/db REDIS_URL=redis://127.0.0.1:6379/N python bench/webhook_outage.py
(uses database and Redis db as given: it migrates, flushes that Redis db, and leaves its rows.)
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
REDIS_URL = os.environ["REDIS_URL"]


class Receiver(BaseHTTPRequestHandler):
    delay = 0.0
    ids: list[tuple[str, str]] = []
    arrived = threading.Event()

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.ids.append((self.path, self.headers["webhook-id"]))
        Receiver.arrived.set()
        time.sleep(Receiver.delay)
        try:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass

    def log_message(self, *args):
        pass


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(**extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
        "WEBHOOK_TIMEOUT_SECONDS": "30",
        "WEBHOOK_SWEEP_INTERVAL_SECONDS": "2",
        "CELERY_BEAT_LOCK_RETRY_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def celery(*args, log: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
        cwd=ROOT,
        env=env(CELERY_BROKER_URL=REDIS_URL),
        stdout=open(log, "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def main() -> None:
    os.environ.update(env(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/2"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import redis

    from apps.webhooks.models import WebhookEndpoint

    WebhookEndpoint.objects.all().delete()  # earlier runs' deliveries too
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    processes: list[subprocess.Popen] = []
    try:
        run(broker, processes)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def run(broker, processes) -> None:
    from django.conf import settings

    from apps.administrations.models import Administration
    from apps.bookings.services.bookings import booking_create
    from apps.rentables.models import Category, Rentable
    from apps.webhooks.models import EventBatch, WebhookDelivery
    from apps.webhooks.services import deliveries_sweep, endpoint_create
    from config.celery_app import app

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    administration = Administration.objects.create(name="Outage bench", available_locales=["en"])
    category = Category.objects.create(
        administration=administration, name={"en": "Chalet"}, max_number_of_people=4
    )
    rentable = Rentable.objects.create(
        administration=administration, category=category, name="Unit"
    )
    for n in range(2):
        endpoint_create(
            administration=administration,
            application_id=None,
            url=f"http://127.0.0.1:{server.server_port}/hook/{n}",
            events=["*"],
        )
    mine = WebhookDelivery.objects.filter(endpoint__administration=administration)
    day = [0]

    def write() -> float:
        day[0] += 3
        arrival = dt.date.today() + dt.timedelta(days=day[0])
        started = time.perf_counter()
        booking_create(
            administration=administration,
            reservations=[
                {
                    "rentable": rentable,
                    "arrival_date": arrival,
                    "departure_date": arrival + dt.timedelta(days=2),
                    "adults": 2,
                }
            ],
        )
        return (time.perf_counter() - started) * 1000

    print(f"1. broker down ({settings.CELERY_BROKER_URL})")
    times = sorted(write() for _ in range(10))
    print(
        f"   10 writes, each 2 endpoints x 3 events: median {times[5]:.0f} ms, max {times[-1]:.0f} ms"
    )
    print(
        f"   outbox: {EventBatch.objects.count()} writes' events waiting for the relay, "
        f"{mine.count()} deliveries made yet"
    )

    app.conf.broker_url = app.conf.broker_write_url = REDIS_URL
    print("3. sweeps with no worker consuming")
    swept = [deliveries_sweep() for _ in range(5)]
    print(
        f"   the first sweep relayed them into {mine.count()} deliveries, handed over as the "
        f"relay committed; the 5 sweeps handed over again {swept}; "
        f"Redis queue length {broker.llen('deliveries')}"
    )

    times = sorted(write() for _ in range(10))
    print(f"   for comparison, 10 writes with the broker up: median {times[5]:.0f} ms")
    print(
        f"   queue length now {broker.llen('deliveries')} "
        "(the sweep's 60 deliveries + these writes' 10 relay messages)"
    )
    print("2. a worker on both queues")
    worker = celery(
        "worker", "-Q", "periodic,deliveries", "--concurrency", "2", log="/tmp/outage-worker.log"
    )
    processes.append(worker)
    arrived = wait_for(lambda: len(set(Receiver.ids)) >= 120, 120)
    print(
        f"   received {len(Receiver.ids)} requests, {len(set(Receiver.ids))} distinct (endpoint, webhook-id) "
        f"({'all' if arrived else 'NOT all'} of 120); succeeded {mine.filter(status='succeeded').count()}"
    )

    print("4. a worker child killed mid-request")
    Receiver.delay, Receiver.arrived = 15.0, threading.Event()
    write()
    assert Receiver.arrived.wait(30), "no request arrived"
    claimed = mine.exclude(claimed_by="").first()
    pid = int(claimed.claimed_by.split(":")[1])
    Receiver.delay = 0.0
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    done = wait_for(lambda: WebhookDelivery.objects.get(pk=claimed.pk).status == "succeeded", 60)
    claimed.refresh_from_db()
    print(
        f"   killed pid {pid}; sent again and succeeded after {time.monotonic() - killed_at:.1f} s "
        f"(lease {settings.WEBHOOK_CLAIM_LEASE_SECONDS:.0f} s): {done}; attempt log: "
        + "; ".join(e["error"][:40] or str(e["response_code"]) for e in claimed.attempt_log)
    )
    wait_for(lambda: not mine.filter(status="pending").exists(), 60)

    print("5. two beats")
    beats = [
        celery("beat", "--schedule", f"/tmp/outage-beat-{i}", log=f"/tmp/outage-beat-{i}.log")
        for i in (1, 2)
    ]
    processes.extend(beats)

    def sent() -> list[int]:
        return [open(f"/tmp/outage-beat-{i}.log").read().count("Sending due task") for i in (1, 2)]

    wait_for(lambda: sum(sent()) >= 5, 60)
    time.sleep(4)
    before = sent()
    print(f"   tasks sent by beat 1 / beat 2 so far: {before}")
    active = 0 if before[0] else 1
    beats[active].send_signal(signal.SIGKILL)
    beats[active].wait()
    killed_at = time.monotonic()
    took_over = wait_for(lambda: sent()[1 - active] > before[1 - active], 30)
    print(
        f"   killed beat {active + 1}; the standby sent its first task "
        f"{time.monotonic() - killed_at:.1f} s later: {took_over}"
    )

    server.shutdown()


if __name__ == "__main__":
    main()
