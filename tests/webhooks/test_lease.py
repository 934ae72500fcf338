"""One attempt at a time per delivery, whatever the receiver's speed; a killed sender's attempt
is recorded and retried at once instead of after its lease."""

import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from apps.webhooks import services
from apps.webhooks.models import Event, WebhookDelivery
from config.celery_app import app

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A real HTTP server whose answers take ``delay`` seconds; counts requests in parallel."""

    def __init__(self):
        self.delay = 0.0
        self.requests = 0
        self.in_flight = 0
        self.most_in_parallel = 0
        self.arrived = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests += 1
                    receiver.in_flight += 1
                    receiver.most_in_parallel = max(receiver.most_in_parallel, receiver.in_flight)
                receiver.arrived.set()
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.in_flight -= 1
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender is gone

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def delivery(administration, receiver):
    endpoint = services.endpoint_create(
        administration=administration, application_id=None, url=receiver.url, events=["*"]
    )
    event = Event.objects.create(
        administration=administration,
        name="booking.created",
        occurred_at=timezone.now(),
        document='{"data":{"id":"1","type":"booking"}}',
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, sequence=1, next_attempt_at=timezone.now()
    )


@override_settings(WEBHOOK_CLAIM_LEASE_SECONDS=0.5, WEBHOOK_TIMEOUT_SECONDS=5)
def test_a_receiver_slower_than_the_lease_never_gets_it_twice_at_once(delivery, receiver):
    receiver.delay = 3.0

    def first_attempt():
        try:
            services.delivery_attempt(delivery_id=delivery.pk)
        finally:
            connections.close_all()

    sender = threading.Thread(target=first_attempt)
    sender.start()
    assert receiver.arrived.wait(10)
    time.sleep(1.0)  # the lease is over; the first attempt still waits for its answer

    second = services.delivery_attempt(delivery_id=delivery.pk)
    swept = services.deliveries_sweep()  # eager here: a handed-over delivery runs at once
    sender.join(10)

    assert second is None
    assert receiver.requests == 1 and receiver.most_in_parallel == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1
    assert delivery.claimed_by == ""
    print(f"sweeps handing it over meanwhile: {swept}")


@pytest.mark.parametrize("recovery", ["redelivered message", "sweeper"])
def test_a_killed_senders_attempt_is_recorded_and_retried_at_once(delivery, receiver, recovery):
    receiver.delay = 30.0  # the first attempt hangs until its sender is killed
    connections.close_all()  # the child opens its own database connection
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            services.delivery_attempt(delivery_id=delivery.pk)
        finally:
            os._exit(0)
    try:
        assert receiver.arrived.wait(20)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    receiver.delay = 0.0
    delivery.refresh_from_db()
    assert delivery.claimed_by.split(":")[1] == str(child)
    assert delivery.next_attempt_at > timezone.now()  # its lease has a minute to run

    if recovery == "sweeper":
        assert app.conf.task_always_eager  # the handed-over delivery runs in this process
        services.deliveries_sweep()
    else:
        services.delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert receiver.requests == 2
    assert delivery.status == "succeeded" and delivery.attempts == 2
    abandoned, sent = delivery.attempt_log
    assert "did not finish" in abandoned["error"] and abandoned["response_code"] is None
    assert sent["response_code"] == 200


def test_the_claim_outlives_the_deliver_tasks_hard_time_limit(settings):
    from apps.webhooks.tasks import deliver

    assert deliver.soft_time_limit < deliver.time_limit < settings.WEBHOOK_CLAIM_LEASE_SECONDS
    assert deliver.soft_time_limit > settings.WEBHOOK_TIMEOUT_SECONDS


def test_an_attempt_that_fails_inside_gives_its_claim_back(delivery, receiver, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from apps.core import outbound

    def over_time(*args, **kwargs):
        raise SoftTimeLimitExceeded()  # what Celery raises in the task at the soft limit

    monkeypatch.setattr(outbound, "request", over_time)

    services.delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.claimed_by == "" and delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.attempt_log[-1]["error"] == "Internal error: SoftTimeLimitExceeded."
    assert delivery.next_attempt_at > timezone.now()  # retried on the schedule
