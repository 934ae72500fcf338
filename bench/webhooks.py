"""Webhook throughput and the cost of the outbox.

1. The cost the outbox adds to a booking write: bookings created through the service in two
   administrations, one with no subscriber and one with an endpoint subscribed to every event,
   interleaved write by write (the order alternating each round) so that a busy machine
   slows both sides alike; each side's median, and their ratio (a write stores its events
   as one outbox row in its own transaction; the relay that makes the event rows and numbered
   deliveries after commit, and sending, are the worker's and measured separately). Then the
   same through the API as a client makes it: ``POST …/bookings`` with a side-posted customer
   and stay, in process (Django's test client, an API key).
2. The relay of all those writes' events, in one run, as a worker does it after commit.
3. Deliveries per second from one worker (one process, one after another) to a local
   receiver that answers 200 at once.

Usage: python bench/webhooks.py [--bookings 200]   (BENCH_DATABASE_URL picks the database)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
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


def create_booking(administration, rentables, i: int, offset: int) -> float:
    """One booking write with one stay; its duration in seconds."""
    from apps.bookings.services.bookings import booking_create

    rentable = rentables[i % len(rentables)]
    arrival = dt.date.today() + dt.timedelta(days=offset + (i // len(rentables)) * 3)
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
    return time.perf_counter() - started


def queries_per_write(administration, rentables, i: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        create_booking(administration, rentables, i, offset=800)
    return len(captured.captured_queries)


def api_writes(sides: dict, order: list[str], count: int) -> dict[str, list[float]]:
    """``POST …/bookings`` with a side-posted customer and stay per side, interleaved as the
    service writes are; each request's duration in seconds."""
    import json

    from django.test import Client

    from apps.oauth.services import api_key_create
    from bench.load import option_body

    clients = {}
    for side, (administration, _) in sides.items():
        _, key = api_key_create(administration=administration, scopes="all")
        clients[side] = Client(HTTP_X_API_KEY=key, HTTP_ACCEPT="application/vnd.api+json")
    times: dict[str, list[float]] = {side: [] for side in order}
    for i in range(count + 5):  # the first five of each side warm up
        for side in order if i % 2 == 0 else order[::-1]:
            administration, rentables = sides[side]
            arrival = dt.date.today() + dt.timedelta(days=1500 + (i // len(rentables)) * 3)
            body = option_body(rentables[i % len(rentables)].pk, arrival, 2, i)
            started = time.perf_counter()
            response = clients[side].post(
                f"/v3/administrations/{administration.pk}/bookings",
                data=json.dumps(body),
                content_type="application/vnd.api+json",
            )
            elapsed = time.perf_counter() - started
            assert response.status_code == 201, response.content[:300]
            if i >= 5:
                times[side].append(elapsed)
    return times


def park(name: str):
    from apps.administrations.models import Administration
    from apps.rentables.models import Category, Rentable

    administration = Administration.objects.create(name=name, available_locales=["en"])
    category = Category.objects.create(
        administration=administration, name={"en": "Chalet"}, max_number_of_people=4
    )
    rentables = [
        Rentable.objects.create(administration=administration, category=category, name=f"Unit {i}")
        for i in range(50)
    ]
    return administration, rentables


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=200)
    args = parser.parse_args()

    from bench.harness import setup_django

    database = setup_django()
    # Relaying and sending are measured on their own below: here events are only stored.
    import apps.webhooks.outbox as outbox
    from apps.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
    from apps.webhooks.services import delivery_attempt, endpoint_create

    outbox.enqueue_many_on_commit = lambda *a, **k: None
    outbox.enqueue_once_on_commit = lambda *a, **k: None

    plain, plain_rentables = park("No subscriber")
    hooked, hooked_rentables = park("One subscriber")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint_create(
        administration=hooked,
        application_id=None,
        url=f"http://127.0.0.1:{server.server_port}/hook",
        events=["*"],
    )
    sides = {"without": (plain, plain_rentables), "with": (hooked, hooked_rentables)}
    for i in range(5):  # warm both paths (plans, imports, the connection)
        for administration, rentables in sides.values():
            create_booking(administration, rentables, i, offset=400)
    times: dict[str, list[float]] = {"without": [], "with": []}
    order = ["without", "with"]
    for i in range(args.bookings):
        for side in order if i % 2 == 0 else order[::-1]:
            administration, rentables = sides[side]
            times[side].append(create_booking(administration, rentables, i, offset=10))
    queries = {side: queries_per_write(*sides[side], 0) for side in order}
    api_times = api_writes(sides, order, args.bookings)
    waiting = stored_bytes(outbox.EventBatch)
    relay_started = time.perf_counter()
    relayed = 0
    while batch := outbox.relay():  # the worker's share, after the writes committed (each
        relayed += batch  # run relays a bounded amount; the next relay task goes on)
    relaying = time.perf_counter() - relay_started
    pending = list(
        WebhookDelivery.objects.filter(
            status="pending", endpoint__administration=hooked
        ).values_list("pk", flat=True)
    )

    started = time.perf_counter()
    for delivery_id in pending:
        delivery_attempt(delivery_id=delivery_id)
    sending = time.perf_counter() - started
    server.shutdown()
    succeeded = WebhookDelivery.objects.filter(pk__in=pending, status="succeeded").count()

    without = statistics.median(times["without"])
    with_subscriber = statistics.median(times["with"])
    print(f"database: {database.split(':')[0]}; {args.bookings} bookings each way, one stay each")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"booking write, no subscriber:      median {without * 1000:6.2f} ms")
    print(
        f"booking write, one '*' subscriber: median {with_subscriber * 1000:6.2f} ms "
        "(3 deliveries each: booking.created + reservation.created + agenda_period.created)"
    )
    print(f"outbox cost ratio (median with / median without): {with_subscriber / without:.2f}")
    api_without, api_with = (statistics.median(api_times[side]) for side in order)
    print(
        f"POST …/bookings (customer + stay side-posted), in process: {api_without * 1000:6.2f} ms "
        f"without, {api_with * 1000:6.2f} ms with; ratio {api_with / api_without:.2f}"
    )
    print(
        f"queries per booking write: {queries['without']} without, {queries['with']} with "
        f"({queries['with'] / queries['without']:.2f}x)"
    )
    print(
        f"relay (events and numbered deliveries written after commit, one worker): "
        f"{relayed} events in {relaying * 1000:.0f} ms, {relayed / relaying:7.0f} events/s"
    )
    print(
        f"deliveries/s from one worker: {len(pending) / sending:7.1f} ({succeeded}/{len(pending)} succeeded)"
    )
    print(
        f"stored bytes per row: outbox (a write's 3 events, until relayed) {waiting[0]:.0f}, "
        f"event {stored_bytes(Event)[0]:.0f}, delivery {stored_bytes(WebhookDelivery)[0]:.0f}"
    )
    WebhookEndpoint.objects.filter(administration=hooked).delete()


def stored_bytes(*models) -> list[float]:
    """What each model's table keeps per row (PostgreSQL's own measure of each row's values;
    0 elsewhere): a write's events wait as one outbox row; relayed, the payload lives on the
    event row once and a delivery row holds its number and attempts."""
    from django.db import connection

    sizes = []
    for model in models:
        if connection.vendor != "postgresql":
            sizes.append(0.0)
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT avg(pg_column_size(t.*)) FROM {table} AS t")  # noqa: S608
            sizes.append(float(cursor.fetchone()[0] or 0))
    return sizes


if __name__ == "__main__":
    main()
