"""Load: 50 clients for 60 s against gunicorn as the Dockerfile runs it (3 workers, production
settings) on PostgreSQL and Redis, with a mix of reads, new options and cancellations.

Seeds a park (categories, rentables and a first set of options made through the API), starts
gunicorn on a free port on 127.0.0.1, runs locust headless with ``bench/load_users.py``, then
prints p50/p95/p99 and counts per request type, the throughput, every status code, the load
average, and checks in SQL that no two blocking periods of a rentable overlap.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_load, created
if missing) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/0; the rate limit counters and
the Celery broker). The rate limit stays on, raised so that one key can carry the whole load.

Usage: python bench/load.py [--users 50] [--seconds 60] [--rentables 300] [--options 150]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def seed_park(rentable_count: int):
    from apps.administrations.models import Administration
    from apps.oauth.services import api_key_create
    from apps.rentables.models import Category, Rentable

    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    admin = Administration.objects.create(
        name=f"Load bench {stamp}", available_locales=["en"], currency="EUR"
    )
    categories = Category.objects.bulk_create(
        Category(administration=admin, name={"en": f"Type {i}"}, max_number_of_people=4 + i % 3)
        for i in range(10)
    )
    rentables = Rentable.objects.bulk_create(
        Rentable(administration=admin, category=categories[i % 10], name=f"Unit {i}")
        for i in range(rentable_count)
    )
    _, key = api_key_create(administration=admin, scopes="all")
    return admin, [r.pk for r in rentables], key


def option_body(rentable: int, arrival: dt.date, nights: int, n: int) -> dict:
    """An option with a new customer and one stay side-posted: what the load's clients send."""
    return {
        "data": {
            "type": "booking",
            "attributes": {"option_validity": 3, "locale": "en"},
            "relationships": {
                "customer": {
                    "data": {"type": "customer", "meta": {"temp_id": "c", "method": "create"}}
                },
                "reservations": {
                    "data": [{"type": "reservation", "meta": {"temp_id": "r", "method": "create"}}]
                },
            },
        },
        "included": [
            {
                "type": "customer",
                "meta": {"temp_id": "c"},
                "attributes": {
                    "first_name": "Load",
                    "last_name": f"Guest {n}",
                    "email": f"guest{n}@example.com",
                },
            },
            {
                "type": "reservation",
                "meta": {"temp_id": "r"},
                "attributes": {
                    "arrival_date": str(arrival),
                    "departure_date": str(arrival + dt.timedelta(days=nights)),
                    "adults": 2,
                    "rent_price": {"currency": "EUR", "value": "400.00"},
                },
                "relationships": {"rentable": {"data": {"type": "rentable", "id": str(rentable)}}},
            },
        ],
    }


def cancel_body(booking: int) -> dict:
    """The booking cancelled, as the load's clients ask for it."""
    return {
        "data": {
            "type": "booking",
            "id": str(booking),
            "attributes": {"state": "cancelled", "cancel_reason": "Load test"},
        }
    }


def seed_options(base: str, admin_id: int, key: str, rentables: list[int], count: int) -> list:
    headers = {
        "X-API-KEY": key,
        "Accept": "application/vnd.api+json",
        "Content-Type": "application/vnd.api+json",
    }
    today = dt.date.today()

    def make(n: int):
        # one stay per rentable per fortnight: seeded options never clash
        rentable = rentables[n % len(rentables)]
        arrival = today + dt.timedelta(days=30 + 14 * (n // len(rentables)))
        response = requests.post(
            f"{base}/v3/administrations/{admin_id}/bookings",
            data=json.dumps(option_body(rentable, arrival, 5, n)),
            headers=headers,
            timeout=60,
        )
        assert response.status_code == 201, response.text[:500]
        return int(response.json()["data"]["id"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(make, range(count)))


def start_gunicorn(env: dict, port: int, log) -> subprocess.Popen:
    # The Dockerfile's command, bound to loopback.
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "3", "--access-logfile", "-",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    raise SystemExit("gunicorn did not answer /health within 90 s")


def overlapping_pairs() -> int:
    from django.db import connection

    from apps.agenda_periods.models import AgendaPeriod

    table = AgendaPeriod._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM {table} a JOIN {table} b
                ON a.rentable_id = b.rentable_id AND a.id < b.id
               AND a.start_date < b.end_date AND b.start_date < a.end_date
             WHERE a.blocking AND b.blocking"""
        )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rentables", type=int, default=300)
    parser.add_argument("--options", type=int, default=150)
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    from bench.harness import ensure_database, free_port, setup_django

    ensure_database(database)

    setup_django(database)
    admin, rentables, key = seed_park(args.rentables)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "load-bench-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "API_BASE_URL": base,
        "RATE_LIMIT_WINDOW_REQUESTS": "10000000",
        "RATE_LIMIT_BURST_REQUESTS": "10000000",
    }
    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    with open(workdir / "gunicorn.log", "w") as log:
        server = start_gunicorn(env, port, log)
        try:
            started = time.perf_counter()
            seeded = seed_options(base, admin.pk, key, rentables, args.options)
            print(f"seeded {len(seeded)} options in {time.perf_counter() - started:.1f} s")
            random.shuffle(seeded)
            loads: list[tuple[float, float, float]] = []
            stop = threading.Event()

            def sample():
                while not stop.wait(5):
                    loads.append(os.getloadavg())

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            locust_env = {
                **os.environ,
                "LOAD_KEY": key,
                "LOAD_ADMINISTRATION": str(admin.pk),
                "LOAD_RENTABLES": ",".join(map(str, rentables)),
                "LOAD_BOOKINGS": ",".join(map(str, seeded)),
                "LOAD_STATUS_FILE": str(workdir / "results.json"),
            }
            locust_log = open(workdir / "locust.log", "w")  # noqa: SIM115 - closed below
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "bench" / "load_users.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(max(1, args.users // 5)),
                    "--run-time",
                    f"{args.seconds}s",
                    "--host",
                    base,
                    "--csv",
                    str(workdir / "run"),
                    "--only-summary",
                    "--stop-timeout",
                    "10",
                    "--loglevel",
                    "WARNING",
                ],  # fmt: skip
                cwd=ROOT,
                env=locust_env,
                check=False,
                timeout=args.seconds + 120,
                stdout=locust_log,
                stderr=locust_log,
            )
            locust_log.close()
            stop.set()
            load_after = os.getloadavg()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    report(workdir, args, loads, load_after)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(workdir: Path, args, loads, load_after) -> None:
    results = json.loads((workdir / "results.json").read_text())
    times, failures = results["times"], results["failures"]
    span = max(1e-9, results["span"][1] - results["span"][0]) if results["span"] else 1.0
    print(f"\n{args.users} users for {args.seconds} s, gunicorn 3 workers, PostgreSQL + Redis")
    print(f"{'request':48}{'count':>7}{'fail':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>8}")
    everything = []
    for name in sorted(times):
        values = times[name]
        everything += values
        print(
            f"{name[:47]:48}{len(values):>7}{failures.get(name, 0):>6}"
            f"{percentile(values, 0.50):>8.0f}{percentile(values, 0.95):>8.0f}"
            f"{percentile(values, 0.99):>8.0f}{len(values) / span:>8.1f}"
        )
    print(
        f"{'all':48}{len(everything):>7}{sum(failures.values()):>6}"
        f"{percentile(everything, 0.50):>8.0f}{percentile(everything, 0.95):>8.0f}"
        f"{percentile(everything, 0.99):>8.0f}{len(everything) / span:>8.1f}"
    )
    print("(milliseconds; req/s over the run's first to last response)")
    print("\nstatus codes:")
    for name, count in sorted(results["statuses"].items()):
        print(f"  {name}: {count}")
    if loads:
        peak = max(one for one, _, _ in loads)
        ends = ", ".join(f"{x:.2f}" for x in load_after)
        print(f"\nload average: 1-min peak during the run {peak:.2f}; at the end {ends}")
    overlaps = overlapping_pairs()
    verdict = "OK" if overlaps == 0 else "BROKEN"
    print(f"overlapping blocking periods (SQL check over every rentable): {overlaps} {verdict}")
    print(f"locust and gunicorn logs: {workdir}")


if __name__ == "__main__":
    main()
