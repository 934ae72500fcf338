"""The load mix of ``bench/load.py`` request by request, in process: CPU time, queries and a
cProfile of each request type, and the CPU of an average request of the mix.

Runs the production settings (request log lines, the rate limit on Redis) through Django's
test client, on a park seeded as ``bench/load.py`` seeds it, with the requests exactly as
``bench/load_users.py`` sends them. Log lines go to stderr: redirect it.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_load) and
BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).

Usage: python bench/load_profile.py [--repeat 40] [--profile] [--top 25] [--only NAME]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import cancel_body, option_body  # noqa: E402  (the document the load's clients send)

# The share of each request type in bench/load_users.py (its @task weights).
WEIGHTS = {
    "bookings list": 20,
    "availabilities": 15,
    "calendar_days": 15,
    "one booking": 10,
    "create option": 30,
    "cancel": 10,
}


def setup(database: str, redis_url: str) -> None:
    from bench.harness import ensure_database

    ensure_database(database)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "load-bench-only",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": database,
            "REDIS_URL": redis_url,
            "API_BASE_URL": "http://testserver",
            "RATE_LIMIT_WINDOW_REQUESTS": "10000000",
            "RATE_LIMIT_BURST_REQUESTS": "10000000",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class Mix:
    """The requests of bench/load_users.py, against one seeded park."""

    def __init__(self, options: int, rentable_count: int):
        from django.test import Client

        from bench.load import seed_park

        admin, self.rentables, key = seed_park(rentable_count)
        self.base = f"/v3/administrations/{admin.pk}"
        self.client = Client(
            HTTP_X_API_KEY=key,
            HTTP_ACCEPT="application/vnd.api+json",
        )
        self.today = dt.date.today()
        self.mine: list[int] = []
        for n in range(options):
            rentable = self.rentables[n % len(self.rentables)]
            arrival = self.today + dt.timedelta(days=30 + 14 * (n // len(self.rentables)))
            response = self.post("/bookings", option_body(rentable, arrival, 5, n))
            assert response.status_code == 201, response.content[:500]
            self.mine.append(int(json.loads(response.content)["data"]["id"]))
        self.seeded = list(self.mine)

    def post(self, path, body):
        return self.client.post(
            self.base + path, json.dumps(body), content_type="application/vnd.api+json"
        )

    def request(self, name: str):
        return getattr(self, name.replace(" ", "_"))()

    def bookings_list(self):
        return self.client.get(
            f"{self.base}/bookings?include=customer,reservations.rentable&page[size]=30"
        )

    def availabilities(self):
        arrival = self.today + dt.timedelta(days=random.randint(20, 600))
        departure = arrival + dt.timedelta(days=7)
        return self.client.get(
            f"{self.base}/availabilities?filter[arrival_date]={arrival}"
            f"&filter[departure_date]={departure}"
        )

    def calendar_days(self):
        first = self.today + dt.timedelta(days=random.randint(0, 600))
        last = first + dt.timedelta(days=30)
        rentable = random.choice(self.rentables)
        return self.client.get(
            f"{self.base}/calendar_days?filter[rentable]={rentable}&filter[date]={first}..{last}"
        )

    def one_booking(self):
        booking = random.choice(self.mine or self.seeded)
        return self.client.get(f"{self.base}/bookings/{booking}?include=customer,reservations")

    def create_option(self):
        arrival = self.today + dt.timedelta(days=random.randint(20, 900))
        nights = random.randint(2, 7)
        body = option_body(random.choice(self.rentables), arrival, nights, random.randint(1, 10**9))
        response = self.post("/bookings?include=customer,reservations", body)
        if response.status_code == 201:
            self.mine.append(int(json.loads(response.content)["data"]["id"]))
        return response

    def cancel(self):
        booking = self.mine.pop(random.randrange(len(self.mine)))
        body = cancel_body(booking)
        return self.client.patch(
            f"{self.base}/bookings/{booking}",
            json.dumps(body),
            content_type="application/vnd.api+json",
        )


def measure(mix: Mix, name: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu, wall, queries = [], [], []
    for _ in range(3):  # warm
        mix.request(name)
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        response = mix.request(name)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        assert response.status_code in (200, 201, 409), (name, response.content[:300])
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            mix.request(name)
        queries.append(len(ctx.captured_queries))
    return {
        "cpu_ms": statistics.median(cpu),
        "wall_ms": statistics.median(wall),
        "queries": statistics.median(queries),
    }


def profile(mix: Mix, name: str, repeat: int, top: int, match: str = "") -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        mix.request(name)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    restrict = (match, top) if match else (top,)
    stats.sort_stats("tottime").print_stats(*restrict)
    stats.sort_stats("cumulative").print_stats(*restrict)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--rentables", type=int, default=300)
    parser.add_argument("--options", type=int, default=150)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--filter", default="", help="only profile lines matching this")
    parser.add_argument("--only", default="")
    parser.add_argument("--queries", action="store_true", help="print one request's SQL")
    args = parser.parse_args()
    random.seed(16)
    setup(
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_load"),
        os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    # cancels take from the options made; make enough for every pass
    mix = Mix(args.options + 3 * args.repeat, args.rentables)
    names = [n for n in WEIGHTS if not args.only or n == args.only]
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for name in names:
            mix.request(name)
            with CaptureQueriesContext(connection) as ctx:
                mix.request(name)
            print(f"\n===== {name}: {len(ctx.captured_queries)} queries =====")
            for q in ctx.captured_queries:
                print(f"[{q['time']}] {q['sql'][:400]}")
        return
    results = {}
    for name in names:
        results[name] = measure(mix, name, args.repeat)
    print(f"{'request':20}{'cpu ms':>9}{'wall ms':>9}{'queries':>9}{'share':>7}")
    for name, r in results.items():
        print(
            f"{name:20}{r['cpu_ms']:>9.1f}{r['wall_ms']:>9.1f}{r['queries']:>9.0f}"
            f"{WEIGHTS[name]:>6}%"
        )
    if not args.only:
        total = sum(WEIGHTS.values())
        weighted = sum(results[n]["cpu_ms"] * WEIGHTS[n] for n in WEIGHTS) / total
        wall = sum(results[n]["wall_ms"] * WEIGHTS[n] for n in WEIGHTS) / total
        print(f"{'mix (weighted)':20}{weighted:>9.1f}{wall:>9.1f}")
        print(f"2 cores of this CPU alone, PostgreSQL not counted: {2000 / weighted:.0f} req/s")
    if args.profile:
        for name in names:
            print(f"\n===== {name} =====")
            print(profile(mix, name, args.repeat, args.top, args.filter))


if __name__ == "__main__":
    main()
