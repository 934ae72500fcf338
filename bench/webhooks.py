"""Webhook throughput and the cost of the outbox.

1. The cost the outbox adds to a booking write: N bookings created through the service with
   no subscriber, then with one endpoint subscribed to every event (the event rows and
   deliveries are written in the same transaction; sending is measured separately).
2. Deliveries per second from one worker (one process, one after another) to a local
   receiver that answers 200 at once.

Usage: python bench/webhooks.py [--bookings 200]   (BENCH_DATABASE_URL picks the database)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def create_bookings(count: int, administration, rentables, offset: int) -> float:
    from apps.bookings.services.bookings import booking_create

    started = time.perf_counter()
    for i in range(count):
        rentable = rentables[i % len(rentables)]
        arrival = dt.date.today() + dt.timedelta(days=offset + (i // len(rentables)) * 3)
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
    return time.perf_counter() - started


def queries_per_write(administration, rentables, offset: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        create_bookings(1, administration, rentables, offset)
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=200)
    args = parser.parse_args()

    from bench.harness import setup_django

    database = setup_django()
    # Sending is measured on its own below: here deliveries are only written.
    import apps.webhooks.services as webhook_services
    from apps.administrations.models import Administration
    from apps.rentables.models import Category, Rentable
    from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
    from apps.webhooks.services import delivery_attempt, endpoint_create

    webhook_services.enqueue_many_on_commit = lambda *a, **k: None

    administration = Administration.objects.create(name="Webhook bench", available_locales=["en"])
    category = Category.objects.create(
        administration=administration, name={"en": "Chalet"}, max_number_of_people=4
    )
    rentables = [
        Rentable.objects.create(administration=administration, category=category, name=f"Unit {i}")
        for i in range(50)
    ]

    without = create_bookings(args.bookings, administration, rentables, offset=10)
    queries_without = queries_per_write(administration, rentables, offset=590)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint_create(
        administration=administration,
        application_id=None,
        url=f"http://127.0.0.1:{server.server_port}/hook",
        events=["*"],
    )
    with_subscriber = create_bookings(args.bookings, administration, rentables, offset=600)
    queries_with = queries_per_write(administration, rentables, offset=1190)
    pending = list(WebhookDelivery.objects.filter(status="pending").values_list("pk", flat=True))

    started = time.perf_counter()
    for delivery_id in pending:
        delivery_attempt(delivery_id=delivery_id)
    sending = time.perf_counter() - started
    server.shutdown()
    succeeded = WebhookDelivery.objects.filter(status="succeeded").count()

    print(f"database: {database.split(':')[0]}; {args.bookings} bookings each way, one stay each")
    print(f"booking write, no subscriber:      {without / args.bookings * 1000:6.2f} ms")
    print(
        f"booking write, one '*' subscriber: {with_subscriber / args.bookings * 1000:6.2f} ms "
        f"({len(pending)} deliveries written: booking.created + reservation.created + agenda_period.created)"
    )
    print(f"outbox cost ratio (with / without): {with_subscriber / without:.2f}")
    print(
        f"queries per booking write: {queries_without} without, {queries_with} with "
        f"({queries_with / queries_without:.2f}x)"
    )
    print(
        f"deliveries/s from one worker: {len(pending) / sending:7.1f} ({succeeded}/{len(pending)} succeeded)"
    )
    WebhookEndpoint.objects.filter(administration=administration).delete()


if __name__ == "__main__":
    main()
