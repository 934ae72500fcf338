"""Availability for a one-week stay over a big park, with the park's stay rules, against the
one raw SQL query that answers the same question (the ceiling).

Seeds 1,000 rentables in 20 categories with 200,000 agenda periods (PostgreSQL by default:
BENCH_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/bench_availability, created if
missing), then (every run, as they are dated around the searched week) the stay rules: a mix
of minimum/maximum nights, arrival and departure weekdays, turnover gaps, notice and advance
windows on the categories, bookable windows on a few rentables, and a year of stay_rule
overrides per category with some short ones around the searched week. Checks that the API and
the raw query offer the same rentables per category, then prints queries per request, the
median server time of the API call (in-process, no network) and of the raw query, their
ratio and the load average.

Usage: python bench/availability.py [--rentables 1000] [--periods 200000] [--repeat 30]
       python bench/availability.py --profile     # the request's top cProfile lines instead
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BENCH_NAME = "Availability bench (busy calendar, v2)"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_availability"


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


def seed_rules(admin, arrival: dt.date) -> None:
    """The park's stay rules around the searched week: rewritten every run (cheap), since the
    week moves with today."""
    from django.db import connection

    from apps.rentables.models import WEEKDAYS, Category, Rentable
    from apps.stays.models import StayRule

    departure = arrival + dt.timedelta(days=7)
    arrives, leaves = WEEKDAYS[arrival.weekday()], WEEKDAYS[departure.weekday()]
    other = WEEKDAYS[(arrival.weekday() + 3) % 7]
    categories = list(Category.objects.filter(administration=admin).order_by("pk"))
    # Most categories allow the week; eight are refused, each by another rule (marked).
    for i, category in enumerate(categories):
        category.minimum_number_of_nights = (None, 2, 7)[i % 3]
        category.maximum_number_of_nights = 5 if i == 4 else (14 if i % 5 == 1 else None)  # 4
        category.arrival_weekdays = [other] if i == 9 else ([], [arrives], [arrives, other])[i % 3]
        category.departure_weekdays = [other] if i == 17 else ([leaves] if i % 6 == 1 else [])
        category.minimum_notice_days = 90 if i == 11 else (None, 0, 2, 14)[i % 4]  # 11
        category.maximum_advance_days = 30 if i == 5 else (None, 365, 120)[i % 3]  # 5
        category.same_day_bookings_allowed = i % 2 == 0
        category.turnover_gap_nights = (None, 0, 1, 2, 3)[i % 5]
    Category.objects.bulk_update(
        categories,
        [
            "minimum_number_of_nights", "maximum_number_of_nights", "arrival_weekdays",
            "departure_weekdays", "minimum_notice_days", "maximum_advance_days",
            "same_day_bookings_allowed", "turnover_gap_nights",
        ],
    )  # fmt: skip
    rentables = list(Rentable.objects.filter(administration=admin).order_by("pk"))
    for n, rentable in enumerate(rentables):
        rentable.available_from = rentable.available_until = None
        if n % 40 == 3:  # new: opens during the stay
            rentable.available_from = arrival + dt.timedelta(days=3)
        elif n % 40 == 13:  # sold: the last night is before the departure
            rentable.available_until = arrival + dt.timedelta(days=4)
        elif n % 40 == 23:  # a window that holds the stay
            rentable.available_from = arrival - dt.timedelta(days=30)
            rentable.available_until = departure + dt.timedelta(days=30)
    Rentable.objects.bulk_update(rentables, ["available_from", "available_until"])
    StayRule.objects.filter(administration=admin).delete()
    rules = []
    year = dt.date.today() - dt.timedelta(days=30)
    for i, category in enumerate(categories):
        for k in range(26):  # a season grid: fortnights over a year
            start = year + dt.timedelta(days=14 * k)
            rules.append(
                StayRule(
                    administration=admin,
                    category=category,
                    start_date=start,
                    end_date=start + dt.timedelta(days=14 + 14 * (k % 2)),
                    minimum_number_of_nights=(None, 3, 7)[(i + k) % 3],
                    arrival_weekdays=[arrives] if (i + k) % 5 == 0 else [],
                )
            )
        if i % 3 == 0:  # a short promotion around the searched week: shorter, so it wins
            rules.append(
                StayRule(
                    administration=admin,
                    category=category,
                    start_date=arrival - dt.timedelta(days=2),
                    end_date=arrival + dt.timedelta(days=3),
                    minimum_number_of_nights=9 if i == 0 else (None, 2)[i % 2],  # 0
                    maximum_number_of_nights=7 if i % 2 else None,
                    departure_weekdays=[leaves] if i % 4 == 0 else [],
                    closed_to_arrival=i == 6,  # 6
                )
            )
        if i % 5 == 2:  # the departure day is closed for some
            rules.append(
                StayRule(
                    administration=admin,
                    category=category,
                    start_date=departure,
                    end_date=departure + dt.timedelta(days=1),
                    closed_to_departure=i == 12,  # 12
                )
            )
    StayRule.objects.bulk_create(rules)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # as autovacuum would after these updates: fresh estimates, no dead rows
            cursor.execute("VACUUM ANALYZE stays_stayrule, rentables_category, rentables_rentable")


# The ceiling: one hand-written query (PostgreSQL) answering "which rentables of which
# categories can be booked for [arrival, departure) now", as an application that knows the
# dates (their weekdays, the nights) would write it: each category's rules overridden by the
# stay rule winning at the arrival (shortest range, then newest) and, for closed_to_departure,
# at the departure; notice and advance from today in the administration's time zone; then the
# active rentables inside their bookable window that no holding period overlaps, and whose
# category's turnover gap holds no other stay. One row per category, with its rentable ids.
RAW = """
WITH allowed AS MATERIALIZED (
  SELECT c.id, coalesce(c.turnover_gap_nights, 0) AS gap
    FROM rentables_category c
    JOIN administrations_administration a ON a.id = c.administration_id
    LEFT JOIN LATERAL (
      SELECT * FROM stays_stayrule s
       WHERE s.category_id = c.id AND s.start_date <= %(arrival)s AND s.end_date > %(arrival)s
       ORDER BY s.end_date - s.start_date, s.id DESC LIMIT 1) o ON true
    LEFT JOIN LATERAL (
      SELECT s.closed_to_departure FROM stays_stayrule s
       WHERE s.category_id = c.id AND s.start_date <= %(departure)s
         AND s.end_date > %(departure)s
       ORDER BY s.end_date - s.start_date, s.id DESC LIMIT 1) d ON true
   WHERE c.administration_id = %(admin)s AND NOT c.archived
     AND %(arrival)s::date - (now() AT TIME ZONE a.timezone)::date >= coalesce(c.minimum_notice_days, 0)
     AND (%(arrival)s::date > (now() AT TIME ZONE a.timezone)::date OR (c.same_day_bookings_allowed
          AND (c.same_day_booking_closing_time IS NULL
               OR (now() AT TIME ZONE 'UTC')::time < c.same_day_booking_closing_time)))
     AND (c.maximum_advance_days IS NULL
          OR %(arrival)s::date - (now() AT TIME ZONE a.timezone)::date <= c.maximum_advance_days)
     AND NOT coalesce(o.closed_to_arrival, false) AND NOT coalesce(d.closed_to_departure, false)
     AND %(nights)s >= coalesce(o.minimum_number_of_nights, c.minimum_number_of_nights, 0)
     AND %(nights)s <= coalesce(o.maximum_number_of_nights, c.maximum_number_of_nights, %(nights)s)
     AND (jsonb_array_length(coalesce(nullif(o.arrival_weekdays, '[]'), c.arrival_weekdays)) = 0
          OR coalesce(nullif(o.arrival_weekdays, '[]'), c.arrival_weekdays) ? %(arrival_day)s)
     AND (jsonb_array_length(coalesce(nullif(o.departure_weekdays, '[]'), c.departure_weekdays)) = 0
          OR coalesce(nullif(o.departure_weekdays, '[]'), c.departure_weekdays) ? %(departure_day)s)
)
SELECT r.category_id, array_agg(r.id ORDER BY r.id)
  FROM rentables_rentable r
  JOIN allowed ON allowed.id = r.category_id
 WHERE r.administration_id = %(admin)s AND r.active
   AND (r.available_from IS NULL OR r.available_from <= %(arrival)s)
   AND (r.available_until IS NULL OR r.available_until >= %(last_night)s)
   AND NOT EXISTS (
         SELECT 1 FROM agenda_periods_agendaperiod p
          WHERE p.rentable_id = r.id AND p.blocking
            AND (p.expires_at IS NULL OR p.expires_at > now())
            AND p.start_date < %(departure)s AND p.end_date > %(arrival)s)
   AND (allowed.gap = 0 OR NOT EXISTS (
         SELECT 1 FROM agenda_periods_agendaperiod p
          WHERE p.rentable_id = r.id AND p.blocking AND p.period_type = 'ReservationAgendaPeriod'
            AND (p.expires_at IS NULL OR p.expires_at > now())
            AND p.end_date > %(arrival)s::date - allowed.gap
            AND p.start_date < %(departure)s::date + allowed.gap))
 GROUP BY r.category_id
"""


def raw_params(admin, arrival: dt.date, departure: dt.date) -> dict:
    from apps.rentables.models import WEEKDAYS

    return {
        "admin": admin.pk,
        "arrival": arrival,
        "departure": departure,
        "nights": (departure - arrival).days,
        "last_night": departure - dt.timedelta(days=1),
        "arrival_day": WEEKDAYS[arrival.weekday()],
        "departure_day": WEEKDAYS[departure.weekday()],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rentables", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--include", default="", help="e.g. category,available_rentables")
    parser.add_argument("--profile", action="store_true", help="cProfile the request instead")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    from bench.harness import ensure_database, setup_django

    ensure_database(url)

    setup_django(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    admin, key = seed(args.rentables, args.periods)
    # a Saturday-to-Saturday week two months ahead, as booking sites search
    arrival = dt.date.today() + dt.timedelta(days=60)
    arrival += dt.timedelta(days=(5 - arrival.weekday()) % 7)
    departure = arrival + dt.timedelta(days=7)
    seed_rules(admin, arrival)
    seeded = time.perf_counter() - started

    path = (
        f"/v3/administrations/{admin.pk}/availabilities?filter[arrival_date]={arrival}"
        f"&filter[departure_date]={departure}"
    ) + (f"&include={args.include}" if args.include else "")
    client = Client(HTTP_X_API_KEY=key, HTTP_ACCEPT="application/vnd.api+json")
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    # read now: every later request resets Django's query log
    queries = [q["sql"] for q in ctx.captured_queries]
    api_answer = {
        int(row["relationships"]["category"]["data"]["id"]): sorted(
            int(r["id"]) for r in row["relationships"]["available_rentables"]["data"]
        )
        for row in response.json()["data"]
    }
    params = raw_params(admin, arrival, departure)
    with connection.cursor() as cursor:
        cursor.execute(RAW, params)
        raw_answer = {category: sorted(ids) for category, ids in cursor.fetchall()}
    offered = {category: ids for category, ids in api_answer.items() if ids}
    assert offered == raw_answer, (offered, raw_answer)
    refused = sum(1 for ids in api_answer.values() if not ids)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        return

    from apps.rates import selectors as rate_selectors

    priced = rate_selectors.stay_prices

    def unpriced(*, category_ids, **_):  # the price is #18's budget, not the ceiling's
        return dict.fromkeys(category_ids)

    api_times, unpriced_times = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine
        for prices, times in ((priced, api_times), (unpriced, unpriced_times)):
            rate_selectors.stay_prices = prices
            t = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - t)
    rate_selectors.stay_prices = priced
    raw_times = []
    with connection.cursor() as cursor:
        for _ in range(args.repeat):
            t = time.perf_counter()
            cursor.execute(RAW, params)
            cursor.fetchall()
            raw_times.append(time.perf_counter() - t)

    api_ms = statistics.median(api_times) * 1000
    unpriced_ms = statistics.median(unpriced_times) * 1000
    raw_ms = statistics.median(raw_times) * 1000
    print(
        f"database: {connection.vendor}; {args.rentables} rentables in 20 categories, "
        f"{args.periods} agenda periods, with stay rules (seeded in {seeded:.1f} s)"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"stay {arrival}..{departure}{' include=' + args.include if args.include else ''}: "
        f"{sum(map(len, offered.values()))} rentables free in {len(offered)} categories, "
        f"{refused} categories offer nothing; the raw query offers the same rentables"
    )
    pricing = sum("rates_rate" in sql for sql in queries)
    calendar = sum(
        any(t in sql for t in ("agenda_periods", "rentables_", "stays_stayrule")) for sql in queries
    )
    print(
        f"queries per request: {len(queries)} (the availability itself: {calendar}; its "
        f"price: {pricing}; the rest: the API key and its administration)"
    )
    print(f"api  median: {api_ms:7.2f} ms (in-process, whole request incl. auth and rendering)")
    print(f"     without the price: {unpriced_ms:7.2f} ms (stay_prices answering without a query)")
    print(f"raw  median: {raw_ms:7.2f} ms (one SQL query with the stay rules, the ceiling)")
    print(f"ratio api/raw: {api_ms / raw_ms:.2f}x; without the price {unpriced_ms / raw_ms:.2f}x")


if __name__ == "__main__":
    main()
