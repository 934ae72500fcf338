"""What pricing costs the availability request: the same search with and without prices.

Seeds the availability bench's kind of park (1,000 rentables in 20 categories, a busy
calendar) plus a year of nightly rates per category (one rate per night, and a cheaper
weekly rate per month from seven nights), on PostgreSQL by default (BENCH_DATABASE_URL, or
postgres://postgres@127.0.0.1:5432/bench_rates, created if missing). Prints the median
in-process time and the queries of the availability request priced, and with pricing
switched off (``stay_prices`` answering null for every category without a query), and
their ratio. Target: at most 1.2x and one more query.

Usage: python bench/rates.py [--rentables 1000] [--periods 200000] [--nights 7] [--repeat 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.availability import seed as seed_park  # noqa: E402
from bench.harness import ensure_database  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_rates"


def seed_rates(admin) -> int:
    """A year of nightly rates per category, from today; idempotent."""
    from django.db import connection

    from apps.rates.models import Rate
    from apps.rates.services import category_prices_refresh

    categories = list(admin.categories.order_by("pk"))
    existing = Rate.objects.filter(administration=admin)
    if existing.count() == len(categories) * (365 + 12):
        return existing.count()
    existing.delete()
    today = dt.date.today()
    rows = []
    for index, category in enumerate(categories):
        for night in range(365):
            start = today + dt.timedelta(days=night)
            price = Decimal(80 + 5 * index + (25 if start.weekday() >= 4 else 0))
            rows.append(
                Rate(
                    administration=admin,
                    category=category,
                    start_date=start,
                    end_date=start + dt.timedelta(days=1),
                    price_per_night=price,
                )
            )
        for month in range(12):
            start = today + dt.timedelta(days=30 * month)
            rows.append(
                Rate(
                    administration=admin,
                    category=category,
                    start_date=start,
                    end_date=start + dt.timedelta(days=30),
                    price_per_night=Decimal(70 + 5 * index),
                    minimum_number_of_nights=7,
                )
            )
    Rate.objects.bulk_create(rows, batch_size=5000)
    category_prices_refresh(category_ids=[c.pk for c in categories])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE rates_rate")
    return len(rows)


def measure(client, path: str, repeat: int) -> tuple[float, int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, queries, response.json()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rentables", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=200_000)
    parser.add_argument("--nights", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    from bench.harness import setup_django

    setup_django(url)
    from django.db import connection
    from django.test import Client

    from apps.rates import selectors as rate_selectors

    started = time.perf_counter()
    admin, key = seed_park(args.rentables, args.periods)
    rate_count = seed_rates(admin)
    seeded = time.perf_counter() - started

    arrival = dt.date.today() + dt.timedelta(days=60)
    departure = arrival + dt.timedelta(days=args.nights)
    path = (
        f"/v3/administrations/{admin.pk}/availabilities?filter[arrival_date]={arrival}"
        f"&filter[departure_date]={departure}"
    )
    client = Client(HTTP_X_API_KEY=key, HTTP_ACCEPT="application/vnd.api+json")
    priced_stay_prices = rate_selectors.stay_prices

    def unpriced(*, category_ids, **_):
        return dict.fromkeys(category_ids)

    # Alternate the two in rounds so that drift (caches, autovacuum) hits both alike.
    priced_ms, unpriced_ms = [], []
    for _ in range(3):
        rate_selectors.stay_prices = priced_stay_prices
        ms, priced_queries, document = measure(client, path, args.repeat)
        priced_ms.append(ms)
        rate_selectors.stay_prices = unpriced
        ms, unpriced_queries, _ = measure(client, path, args.repeat)
        unpriced_ms.append(ms)
    rate_selectors.stay_prices = priced_stay_prices

    category_ids = list(admin.categories.values_list("pk", flat=True))
    alone = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        priced_stay_prices(
            category_ids=category_ids, arrival_date=arrival, departure_date=departure
        )
        alone.append(time.perf_counter() - started)
    with_prices = statistics.median(priced_ms)
    without = statistics.median(unpriced_ms)
    priced = [row["attributes"]["price"] for row in document["data"]]
    print(
        f"database: {connection.vendor}; {args.rentables} rentables in 20 categories, "
        f"{args.periods} agenda periods, {rate_count} rates (seeded in {seeded:.1f} s)"
    )
    print(
        f"stay {arrival}..{departure} ({args.nights} nights): "
        f"{sum(p is not None for p in priced)} of {len(priced)} categories priced, e.g. "
        f"{priced[0]}"
    )
    print(f"with pricing:    {with_prices:7.2f} ms median, {priced_queries} queries")
    print(f"without pricing: {without:7.2f} ms median, {unpriced_queries} queries")
    print(f"stay_prices alone: {statistics.median(alone) * 1000:7.2f} ms median (one query)")
    print(
        f"ratio: {with_prices / without:.2f}x, +{priced_queries - unpriced_queries} query "
        f"(target: <= 1.2x and <= +1 query)"
    )


if __name__ == "__main__":
    main()
