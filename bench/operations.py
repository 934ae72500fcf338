"""The bulk write a channel manager sends: a year of nightly rates (or stay rules, or
maintenance periods) for 50 categories (rentables), 18,250 ``add`` operations in one
``POST …/operations`` request.

PostgreSQL by default (BENCH_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/bench_operations,
created if missing). Each run starts from an empty calendar for the bench administration and
sends the request once (in-process, no network), with a webhook endpoint listening unless
``--no-webhook``. Prints the body size, the whole request's time, the database time (the
sum of the statements' times) and the number of statements.

Usage: python bench/operations.py [--type rate|stay_rule|maintenance] [--units 50]
       [--nights 365] [--no-webhook] [--idempotency-key] [--profile N]; BENCH_SHOW=1 also
       prints the most repeated and the slowest statements. ``--profile N`` runs the request
       under cProfile and prints its N heaviest lines (by cumulative and by own time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ensure_database  # noqa: E402

BENCH_NAME = "Operations bench (a year of nightly writes)"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_operations"
ATOMIC = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"'


def seed(units: int, webhook: bool):
    """The administration with ``units`` categories of one rentable each, nothing written
    on them yet; an API key with every scope."""
    from apps.administrations.models import Administration
    from apps.agenda_periods.models import AgendaPeriod
    from apps.oauth.services import api_key_create
    from apps.rates.models import Rate
    from apps.rentables.models import Category, Rentable
    from apps.stays.models import StayRule
    from apps.webhooks.models import WebhookEndpoint

    for model in (Rate, StayRule, AgendaPeriod, Rentable, Category):  # categories are protected
        model.objects.filter(administration__name=BENCH_NAME).delete()
    Administration.objects.filter(name=BENCH_NAME).delete()
    admin = Administration.objects.create(name=BENCH_NAME, available_locales=["en"])
    categories = Category.objects.bulk_create(
        Category(administration=admin, name={"en": f"Type {i}"}, max_number_of_people=4)
        for i in range(units)
    )
    rentables = Rentable.objects.bulk_create(
        Rentable(administration=admin, category=category, name=f"Unit {i}")
        for i, category in enumerate(categories)
    )
    if webhook:
        WebhookEndpoint.objects.create(
            administration=admin,
            url="https://hooks.example.com/prices",
            events=["*"],
            owner_scopes=["rate|read", "stay_rule|read", "agenda_period|read"],
        )
    _, key = api_key_create(administration=admin, scopes="all")
    return admin, categories, rentables, key


def operation(kind: str, unit, night: dt.date, n: int) -> dict:
    end = (night + dt.timedelta(days=1)).isoformat()
    if kind == "rate":
        return {
            "op": "add",
            "data": {
                "type": "rate",
                "attributes": {
                    "start_date": night.isoformat(),
                    "end_date": end,
                    "price_per_night": {"currency": "EUR", "value": f"{60 + n % 45}.50"},
                },
                "relationships": {"category": {"data": {"type": "category", "id": str(unit.pk)}}},
            },
        }
    if kind == "stay_rule":
        return {
            "op": "add",
            "data": {
                "type": "stay_rule",
                "attributes": {
                    "start_date": night.isoformat(),
                    "end_date": end,
                    "minimum_number_of_nights": 1 + n % 7,
                    "closed_to_arrival": n % 11 == 0,
                },
                "relationships": {"category": {"data": {"type": "category", "id": str(unit.pk)}}},
            },
        }
    return {
        "op": "add",
        "data": {
            "type": "agenda_period",
            "attributes": {
                "period_type": "MaintenanceAgendaPeriod",
                "start_date": night.isoformat(),
                "end_date": end,
                "label": "Closed",
            },
            "relationships": {"rentable": {"data": {"type": "rentable", "id": str(unit.pk)}}},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--type",
        "--kind",
        dest="kind",
        choices=("rate", "stay_rule", "maintenance"),
        default="rate",
    )
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--no-webhook", action="store_true")
    parser.add_argument(
        "--idempotency-key",
        action="store_true",
        help="send an Idempotency-Key (the answer is kept)",
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile the request; print N lines"
    )
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    from bench.harness import setup_django

    setup_django(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.webhooks import tasks
    from apps.webhooks.models import Event
    from apps.webhooks.outbox import relay

    # The relay (events and numbered deliveries from the outbox) and the deliveries run on the
    # workers; here (no broker: tasks run eagerly) they are only counted, so the request is
    # measured as the API process serves it, and the relay on its own after it.
    enqueued, relays = [], []
    tasks.deliver.apply_async = lambda args=(), **options: enqueued.append(args)
    tasks.relay_events.apply_async = lambda args=(), **options: relays.append(args)

    admin, categories, rentables, key = seed(args.units, not args.no_webhook)
    units = rentables if args.kind == "maintenance" else categories
    first = dt.date.today() + dt.timedelta(days=1)
    operations = [
        operation(args.kind, unit, first + dt.timedelta(days=n), n)
        for unit in units
        for n in range(args.nights)
    ]
    body = json.dumps({"atomic:operations": operations})
    headers = {"HTTP_X_API_KEY": key, "HTTP_ACCEPT": ATOMIC}
    if args.idempotency_key:
        headers["HTTP_IDEMPOTENCY_KEY"] = f"bench-{time.time()}"
    client = Client(**headers)
    path = f"/v3/administrations/{admin.pk}/operations"

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        response = client.generic("POST", path, body, ATOMIC)
        if profiler is not None:
            profiler.disable()
        total = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    results = json.loads(response.content)["atomic:results"]
    database = sum(float(q["time"]) for q in ctx.captured_queries)
    statements = [q["sql"].split(None, 1)[0].upper() for q in ctx.captured_queries]
    with CaptureQueriesContext(connection) as relaying:
        started = time.perf_counter()
        relay()
        relay_time = time.perf_counter() - started
    relay_database = sum(float(q["time"]) for q in relaying.captured_queries)
    events = Event.objects.filter(administration=admin).count()

    print(
        f"database: {connection.vendor}; {len(operations)} add operations "
        f"({args.kind}, {args.units} x {args.nights} nights), body {len(body) / 1e6:.1f} MB, "
        f"webhook {'off' if args.no_webhook else 'on'}"
    )
    print(
        f"results: {len(results)}; relay asked for after commit: {len(relays)} time(s); "
        f"events relayed: {events}; deliveries enqueued: {len(enqueued)} "
        "(sent by workers, not measured)"
    )
    print(f"total time:    {total * 1000:8.0f} ms (in-process, whole request)")
    print(f"database time: {database * 1000:8.0f} ms (sum of the statements' times)")
    kinds = {kind: statements.count(kind) for kind in sorted(set(statements))}
    if os.environ.get("BENCH_SHOW"):
        import collections

        for sql, count in collections.Counter(
            q["sql"][:160] for q in ctx.captured_queries
        ).most_common(5):
            print(count, sql)
        print("slowest:")
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:6]:
            print(f"  {float(q['time']) * 1000:7.0f} ms  {q['sql'][:110]}")
    print(f"queries: {len(statements)} {kinds}")
    if not args.no_webhook:
        print(
            f"relay (the worker's, after commit): {relay_time * 1000:8.0f} ms, database "
            f"{relay_database * 1000:.0f} ms, {len(relaying.captured_queries)} statements"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if profiler is not None:
        import pstats

        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(args.profile)


if __name__ == "__main__":
    main()
