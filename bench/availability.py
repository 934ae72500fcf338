"""Availability for a one-week stay over a big park, against the one raw SQL query that
answers the same question (the ceiling).

Seeds 1,000 rentables in 20 categories with 200,000 agenda periods (PostgreSQL by default:
BENCH_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/bench_availability, created if
missing). Prints queries per request, the median server time of the API call (in-process,
no network) and of the raw query, and their ratio.

Usage: python bench/availability.py [--rentables 1000] [--periods 200000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BENCH_NAME = "Availability bench (busy calendar, v2)"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_availability"


def ensure_database(url: str) -> None:
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        server = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", server, "-qc", f"CREATE DATABASE {name}"], capture_output=True)


def seed(rentable_count: int, period_count: int):
    from django.db import connection

    from apps.administrations.models import Administration
    from apps.agenda_periods.models import AgendaPeriod, PeriodType
    from apps.oauth.services import api_key_create
    from apps.rentables.models import Category, Rentable

    admin = Administration.objects.filter(name=BENCH_NAME).first()
    wanted = (rentable_count, period_count)
    if (
        admin
        and (admin.rentables.count(), AgendaPeriod.objects.filter(administration=admin).count())
        == wanted
    ):
        _, key = api_key_create(administration=admin, scopes="all")
        return admin, key
    Administration.objects.filter(name=BENCH_NAME).delete()
    admin = Administration.objects.create(name=BENCH_NAME, available_locales=["en"])
    categories = Category.objects.bulk_create(
        Category(administration=admin, name={"en": f"Type {i}"}, max_number_of_people=2 + i % 7)
        for i in range(20)
    )
    rentables = Rentable.objects.bulk_create(
        Rentable(administration=admin, category=categories[i % 20], name=f"Unit {i}")
        for i in range(rentable_count)
    )
    per_rentable = period_count // rentable_count
    start = dt.date.today() - dt.timedelta(days=365)
    types = [
        PeriodType.RESERVATION,
        PeriodType.RESERVATION,
        PeriodType.MAINTENANCE,
        PeriodType.EXTERNAL_BLOCKED,
    ]
    batch = []
    for index, rentable in enumerate(rentables):
        day = start + dt.timedelta(days=index % 5)
        for n in range(per_rentable):
            length = 2 + (index + n) % 6
            batch.append(
                AgendaPeriod(
                    administration=admin,
                    rentable=rentable,
                    period_type=types[(index + n) % 4],
                    start_date=day,
                    end_date=day + dt.timedelta(days=length),
                )
            )
            # mostly short gaps, now and then a free fortnight: a realistic, busy calendar
            gap = 14 if (index + n) % 9 == 0 else (index * 7 + n) % 4
            day += dt.timedelta(days=length + gap)
        if len(batch) >= 20_000:
            AgendaPeriod.objects.bulk_create(batch)
            batch = []
    AgendaPeriod.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need it
    _, key = api_key_create(administration=admin, scopes="all")
    return admin, key


RAW = """
SELECT r.category_id, count(*)
  FROM rentables_rentable r
 WHERE r.administration_id = %s AND r.active
   AND NOT EXISTS (
         SELECT 1 FROM agenda_periods_agendaperiod p
          WHERE p.rentable_id = r.id AND p.blocking
            AND (p.expires_at IS NULL OR p.expires_at > now())
            AND p.start_date < %s AND p.end_date > %s)
 GROUP BY r.category_id
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rentables", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    from bench.harness import setup_django

    setup_django(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    admin, key = seed(args.rentables, args.periods)
    seeded = time.perf_counter() - started

    arrival = dt.date.today() + dt.timedelta(days=60)
    departure = arrival + dt.timedelta(days=7)
    path = (
        f"/v3/administrations/{admin.pk}/availabilities?filter[arrival_date]={arrival}"
        f"&filter[departure_date]={departure}"
    )
    client = Client(HTTP_X_API_KEY=key, HTTP_ACCEPT="application/vnd.api+json")
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    # read now: every later request resets Django's query log
    queries = [q["sql"] for q in ctx.captured_queries]
    api_free = sum(row["attributes"]["available_count"] for row in response.json()["data"])

    api_times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        client.get(path)
        api_times.append(time.perf_counter() - t)
    raw_times = []
    with connection.cursor() as cursor:
        for _ in range(args.repeat):
            t = time.perf_counter()
            cursor.execute(RAW, [admin.pk, departure, arrival])
            rows = cursor.fetchall()
            raw_times.append(time.perf_counter() - t)
    raw_free = sum(count for _, count in rows)

    api_ms = statistics.median(api_times) * 1000
    raw_ms = statistics.median(raw_times) * 1000
    print(
        f"database: {connection.vendor}; {args.rentables} rentables in 20 categories, "
        f"{args.periods} agenda periods (seeded in {seeded:.1f} s)"
    )
    print(
        f"stay {arrival}..{departure}: {api_free} rentables free (raw query agrees: {api_free == raw_free})"
    )
    calendar = sum("agenda_periods" in sql or "rentables_category" in sql for sql in queries)
    print(
        f"queries per request: {len(queries)} (the availability itself: {calendar}; "
        f"the rest are the API key and the administration)"
    )
    print(f"api  median: {api_ms:7.2f} ms (in-process, whole request incl. auth and rendering)")
    print(f"raw  median: {raw_ms:7.2f} ms (one SQL query, the ceiling)")
    print(f"ratio api/raw: {api_ms / raw_ms:.1f}x")


if __name__ == "__main__":
    main()
