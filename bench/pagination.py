"""Deep pages of the bookings list: the last page against the first, at 5,000 and 500,000
bookings, by page number and by cursor (PostgreSQL).

Seeds two administrations in bulk (one INSERT … SELECT generate_series each; BENCH_DATABASE_URL,
or postgres://postgres@127.0.0.1:5432/bench_pagination, created if missing; a second run reuses
the rows). Serves the requests in process (Django's test client: no network) and prints the
median server time of: the first page, the last page by page number, the last page by cursor
(``page[before]=``) and a page reached by following a cursor from deep in the list, with their
ratios to the first page and between the two sizes. It also prints PostgreSQL's plan of the
cursor query, to show the order is read from an index (no Sort node).

Usage: python bench/pagination.py [--small 5000] [--large 500000] [--repeat 15] [--size 30]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_pagination"


def seed(name: str, count: int):
    """An administration with ``count`` bookings, copied in SQL from one made by the ORM."""
    from django.db import connection

    from apps.administrations.models import Administration
    from apps.bookings.models import Booking

    admin = Administration.objects.filter(name=name).first()
    if admin and admin.bookings.count() == count:
        return admin
    if admin:
        Booking.objects.filter(administration=admin).delete()
        admin.delete()
    admin = Administration.objects.create(name=name, available_locales=["en"])
    started = time.perf_counter()
    template = Booking.objects.create(
        administration=admin,
        booking_nr="T0",
        token=f"bench-{admin.pk}-template",
        state="confirmed",
        currency="EUR",
    )
    columns = [
        f.column
        for f in Booking._meta.concrete_fields
        if f.column not in ("id", "booking_nr", "token")
    ]
    copied = ", ".join(f't."{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO bookings_booking ({names}, "booking_nr", "token") '
            f"SELECT {copied}, 'B' || g, 'bench-{admin.pk}-' || g "
            "FROM bookings_booking t, generate_series(1, %s) g WHERE t.id = %s",
            [count - 1, template.pk],
        )
        cursor.execute("VACUUM ANALYZE bookings_booking")
    print(f"seeded {count:,} bookings for '{name}' in {time.perf_counter() - started:.1f} s")
    return admin


def paths(admin, client, size: int) -> dict[str, str]:
    base = f"/v3/administrations/{admin.pk}/bookings?page[size]={size}"
    last_number = -(-admin.bookings.count() // size)
    last_doc = client.get(f"{base}&page[before]=").json()
    # a cursor deep in the list, as a client walking it would hold one: from the page before
    # the last one (its prev link), read onwards with page[after]
    before_last = client.get(last_doc["links"]["prev"]).json()
    cursor = parse_qs(urlsplit(before_last["links"]["prev"]).query)["page[before]"][0]
    return {
        "first": f"{base}&page[number]=1",
        "last_by_number": f"{base}&page[number]={last_number}",
        "cursor_first": f"{base}&page[after]=",
        "cursor_last": f"{base}&page[before]=",
        "cursor_deep": f"{base}&page[after]={cursor}",
    }


def measure(targets: dict, repeat: int, size: int) -> dict:
    """Median time per (size, variant); the calls are interleaved in a shuffled order each
    round, so a busy moment on the machine hits every variant alike."""
    times = {name: [] for name in targets}
    for client, path in targets.values():
        assert client.get(path).status_code == 200  # warm
    names = list(targets)
    for _ in range(repeat):
        random.shuffle(names)
        for name in names:
            client, path = targets[name]
            started = time.perf_counter()
            response = client.get(path)
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
            assert 0 < len(response.json()["data"]) <= size
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def cursor_plan(admin) -> str:
    from django.db import connection

    from apps.bookings.models import Booking
    from apps.core.pagination import Ordering

    queryset = Booking.objects.filter(administration=admin).order_by("pk")
    ordering = Ordering(queryset)
    last_id = Booking.objects.filter(administration=admin).order_by("-pk")[100].pk
    queryset = ordering.apply(queryset, backward=False).filter(
        ordering.beyond([last_id], backward=False)
    )[:31]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--size", type=int, default=30)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    from bench.harness import ensure_database, setup_django

    ensure_database(url)

    setup_django(url)
    from django.test import Client

    from apps.oauth.services import api_key_create

    targets, meta = {}, {}
    for label, count in (("small", args.small), ("large", args.large)):
        admin = seed(f"Pagination bench ({label})", count)
        _, key = api_key_create(administration=admin, scopes="all")
        client = Client(HTTP_X_API_KEY=key, HTTP_ACCEPT="application/vnd.api+json")
        for name, path in paths(admin, client, args.size).items():
            targets[(label, name)] = (client, path)
        first = client.get(targets[(label, "first")][1]).json()["meta"]["pagination"]
        meta[label] = (count, first)
    medians = measure(targets, args.repeat, args.size)
    print(f"\nbookings list, page[size]={args.size}, median of {args.repeat} (ms, in process)")
    print(f"{'':32}{meta['small'][0]:>12,}{meta['large'][0]:>12,}{'large/small':>14}")
    rows = [
        ("first page (page[number]=1)", "first"),
        ("last page by page[number]", "last_by_number"),
        ("first page by cursor", "cursor_first"),
        ("last page by cursor", "cursor_last"),
        ("deep page by cursor (after)", "cursor_deep"),
    ]
    for title, name in rows:
        small, large = medians[("small", name)], medians[("large", name)]
        print(f"{title:32}{small:>12.1f}{large:>12.1f}{large / small:>13.2f}x")
    for label in ("small", "large"):
        count, pagination = meta[label]
        first = medians[(label, "first")]
        print(
            f"{count:>9,} bookings, to the first page: last by number "
            f"{medians[(label, 'last_by_number')] / first:.2f}x, last by cursor "
            f"{medians[(label, 'cursor_last')] / first:.2f}x, deep by cursor "
            f"{medians[(label, 'cursor_deep')] / first:.2f}x; total_records "
            f"{pagination['total_records']:,}"
            + (" (estimated)" if pagination.get("estimated") else "")
        )
    from apps.administrations.models import Administration

    admin = Administration.objects.get(name="Pagination bench (large)")
    print("\nplan of a deep cursor page at the large size:")
    print(cursor_plan(admin))


if __name__ == "__main__":
    main()
