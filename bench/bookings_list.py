"""The bookings list with its includes, against a hand-written view of the same document.

``GET …/bookings?include=customer,reservations.rentable&page[size]=30`` over 20,000 bookings
(PostgreSQL by default: BENCH_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/bench_bookings,
created if missing), served by gunicorn (2 workers) and loaded from client threads, next to
``/bench/plain-bookings``: the same page built with four queries and ``json.dumps`` (the
ceiling). Prints queries per request at page sizes 10/30/100, requests per second, latencies,
whether both documents carry the same resources, and the ratio. ``--profile`` prints the top of
a cProfile of the API request in process instead of loading the server.

Usage: python bench/bookings_list.py [--bookings 20000] [--seconds 10] [--threads 4] [--profile]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BENCH_NAME = "Bookings bench"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_bookings"
INCLUDE = "customer,reservations.rentable"


def seed(booking_count: int):
    from django.db import connection

    from apps.administrations.models import Administration
    from apps.bookings.models import Booking, Reservation
    from apps.customers.models import Customer, Label
    from apps.oauth.services import api_key_create
    from apps.rentables.models import Category, Rentable

    admin = Administration.objects.filter(name=BENCH_NAME).first()
    if admin is None or admin.bookings.count() != booking_count:
        if admin is not None:
            for model in (Reservation, Booking, Customer, Rentable, Category):
                model.objects.filter(administration=admin).delete()
            admin.delete()
        admin = Administration.objects.create(
            name=BENCH_NAME, available_locales=["en", "nl"], currency="EUR"
        )
        labels = Label.objects.bulk_create(
            Label(administration=admin, name=f"Label {i}", color="#e91e63") for i in range(5)
        )
        categories = Category.objects.bulk_create(
            Category(
                administration=admin,
                name={"en": f"Type {i}", "nl": f"Type {i}"},
                max_number_of_people=2 + i % 7,
            )
            for i in range(10)
        )
        rentables = Rentable.objects.bulk_create(
            Rentable(
                administration=admin,
                category=categories[i % 10],
                name=f"Unit {i}",
                # one in three has its own capacity, the others fall back to the category's
                max_number_of_people=4 if i % 3 == 0 else None,
            )
            for i in range(300)
        )
        customers = Customer.objects.bulk_create(
            Customer(
                administration=admin,
                first_name=f"Guest{i}",
                last_name="Jansen",
                email=f"guest{i}@example.com",
                city="Haarlem",
                country_code="NL",
                debtor_code=f"D{i:06d}",
            )
            for i in range(booking_count // 4)
        )
        through = Customer.labels.through
        through.objects.bulk_create(
            through(customer_id=c.pk, label_id=labels[i % 5].pk)
            for i, c in enumerate(customers)
            if i % 2 == 0
        )
        start = dt.date.today()
        bookings = Booking.objects.bulk_create(
            Booking(
                administration=admin,
                customer=customers[i % len(customers)],
                booking_nr=f"B{i:07d}",
                token=f"bench-{admin.pk}-{i}",
                state="confirmed" if i % 5 else "option",
                currency="EUR",
                rent_total=Decimal("420.00"),
                total=Decimal("455.50"),
            )
            for i in range(booking_count)
        )
        reservations = []
        for i, booking in enumerate(bookings):
            for n in range(1 + i % 2):  # one or two stays per booking
                rentable = rentables[(i * 2 + n) % len(rentables)]
                arrival = start + dt.timedelta(days=i % 300)
                reservations.append(
                    Reservation(
                        administration=admin,
                        booking=booking,
                        rentable=rentable,
                        category_id=rentable.category_id,
                        arrival_date=arrival,
                        departure_date=arrival + dt.timedelta(days=7),
                        adults=2,
                        rent_price=Decimal("210.00"),
                        state=booking.state,
                    )
                )
        Reservation.objects.bulk_create(reservations, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    _, key = api_key_create(administration=admin, scopes="all")
    return admin, key


def same_resources(api: dict, plain: dict) -> bool:
    """Both documents hold the same resource objects (member order aside)."""

    def index(document):
        return {(r["type"], r["id"]): r for r in [*document["data"], *document.get("included", [])]}

    a, b = index(api), index(plain)
    if a == b:
        return True
    for key in sorted(a.keys() | b.keys()):
        if a.get(key) != b.get(key):
            left, right = a.get(key) or {}, b.get(key) or {}
            for member in ("attributes", "relationships", "links"):
                x, y = left.get(member) or {}, right.get(member) or {}
                for name in sorted(x.keys() | y.keys()):
                    if (name in x, x.get(name)) != (name in y, y.get(name)):
                        print(
                            f"  differs: {key} {member}.{name}: api {x.get(name)!r} plain {y.get(name)!r}"
                        )
                        return False
            if key in a and key in b:
                print(f"  differs: {key}: api {left!r} plain {right!r}")
            else:
                side = "api" if key in a else "plain"
                print(f"  differs: {key} (present in the {side} document only)")
            return False
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    from bench.harness import ensure_database, gunicorn, load, queries_per_request, setup_django

    ensure_database(url)

    setup_django(url)
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    admin, key = seed(args.bookings)
    seeded = time.perf_counter() - started
    headers = {"X-Api-Key": key, "Accept": "application/vnd.api+json"}
    api_path = f"/v3/administrations/{admin.pk}/bookings?include={INCLUDE}&page[size]=30"
    plain_path = f"/bench/plain-bookings?administration={admin.pk}&size=30"

    client = Client(HTTP_X_API_KEY=key, HTTP_ACCEPT="application/vnd.api+json")
    if args.profile:
        import cProfile
        import pstats

        for _ in range(3):
            client.get(api_path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            client.get(api_path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(15)
        timings = {}
        for name, path in (("api", api_path), ("plain", plain_path)):
            t = time.perf_counter()
            for _ in range(20):
                client.get(path)
            timings[name] = (time.perf_counter() - t) / 20 * 1000
        print(f"in process: api {timings['api']:.1f} ms, plain {timings['plain']:.1f} ms")
        return

    api_doc = client.get(api_path).json()
    plain_doc = Client().get(plain_path).json()
    queries = {
        size: queries_per_request(api_path.replace("page[size]=30", f"page[size]={size}"), headers)
        for size in (10, 30, 100)
    }
    plain_queries = queries_per_request(plain_path, {})
    with gunicorn() as base:
        load(base + api_path, headers, 1, 1)  # warm both workers
        load(base + plain_path, {}, 1, 1)
        api = load(base + api_path, headers, args.seconds, args.threads)
        plain = load(base + plain_path, {}, args.seconds, args.threads)

    print(
        f"database: {connection.vendor}; {args.bookings} bookings (seeded in {seeded:.1f} s); "
        f"page of 30 with include={INCLUDE}; {args.threads} client threads, gunicorn 2 workers"
    )
    print("api queries at page[size] 10/30/100: " + " / ".join(str(q) for q in queries.values()))
    print(f"same resources in both documents: {same_resources(api_doc, plain_doc)}")
    for name, result, count in (("api", api, queries[30]), ("plain", plain, plain_queries)):
        print(
            f"{name:>6}: {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
            f"p95 {result['p95_ms']:6.1f} ms  {count} queries/request  errors {result['errors']}"
        )
    print(f"ratio api/plain: {api['rps'] / plain['rps']:.2f}")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
