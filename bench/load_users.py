"""The simulated clients of ``bench/load.py`` (a locustfile; run by locust, not imported).

Each user waits 0.5–1.5 s between calls and picks: 60% reads (the bookings list with its
customers and stays, availability for a week, a month of calendar days, one booking), 30% new
options (a customer and a stay side-posted with the booking) and 10% cancellations of an
option it made earlier (or, before it has one, of an option from the seed).

Configured by the environment ``bench/load.py`` sets: LOAD_KEY, LOAD_ADMINISTRATION,
LOAD_RENTABLES (comma-separated ids), LOAD_BOOKINGS (seeded option ids), LOAD_STATUS_FILE.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # locust runs this file alone
from bench.load import cancel_body, option_body  # noqa: E402

KEY = os.environ.get("LOAD_KEY", "")
ADMINISTRATION = os.environ.get("LOAD_ADMINISTRATION", "1")
RENTABLES = [int(x) for x in os.environ.get("LOAD_RENTABLES", "1").split(",")]
SEEDED = [int(x) for x in os.environ.get("LOAD_BOOKINGS", "").split(",") if x]
STATUS_FILE = os.environ.get("LOAD_STATUS_FILE", "")
BASE = f"/v3/administrations/{ADMINISTRATION}"
HEADERS = {
    "X-API-KEY": KEY,
    "Accept": "application/vnd.api+json",
    "Content-Type": "application/vnd.api+json",
}
TODAY = dt.date.today()
STATUSES: Counter = Counter()
TIMES: dict[str, list[float]] = defaultdict(list)
FAILURES: Counter = Counter()
SPAN: list[float] = []  # first and last moment a response came in
random.shuffle(SEEDED)


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **kwargs):
    code = getattr(response, "status_code", None) or type(exception).__name__
    STATUSES[f"{name} {code}"] += 1
    TIMES[name].append(response_time)
    FAILURES[name] += exception is not None
    now = time.time()
    if not SPAN:
        SPAN.extend([now, now])
    SPAN[1] = now


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    if STATUS_FILE:
        with open(STATUS_FILE, "w") as out:
            json.dump(
                {
                    "statuses": dict(STATUSES),
                    "times": dict(TIMES),
                    "failures": dict(FAILURES),
                    "span": SPAN,
                },
                out,
            )


def _stay() -> tuple[dt.date, dt.date]:
    arrival = TODAY + dt.timedelta(days=random.randint(20, 900))
    return arrival, arrival + dt.timedelta(days=random.randint(2, 7))


class Guest(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.mine: list[int] = []

    def _get(self, path: str, name: str):
        with self.client.get(path, headers=HEADERS, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(20)
    def bookings_with_includes(self):
        self._get(
            f"{BASE}/bookings?include=customer,reservations.rentable&page[size]=30",
            "GET bookings?include=customer,reservations.rentable",
        )

    @task(15)
    def availabilities(self):
        arrival = TODAY + dt.timedelta(days=random.randint(20, 600))
        departure = arrival + dt.timedelta(days=7)
        self._get(
            f"{BASE}/availabilities?filter[arrival_date]={arrival}"
            f"&filter[departure_date]={departure}",
            "GET availabilities (a week)",
        )

    @task(15)
    def calendar_days(self):
        first = TODAY + dt.timedelta(days=random.randint(0, 600))
        last = first + dt.timedelta(days=30)
        rentable = random.choice(RENTABLES)
        self._get(
            f"{BASE}/calendar_days?filter[rentable]={rentable}&filter[date]={first}..{last}",
            "GET calendar_days (a month)",
        )

    @task(10)
    def one_booking(self):
        booking = random.choice(self.mine or SEEDED)
        self._get(f"{BASE}/bookings/{booking}?include=customer,reservations", "GET bookings/{id}")

    @task(30)
    def create_option(self):
        arrival, departure = _stay()
        nights = (departure - arrival).days
        body = option_body(random.choice(RENTABLES), arrival, nights, random.randint(1, 10**9))
        with self.client.post(
            f"{BASE}/bookings?include=customer,reservations",
            data=json.dumps(body),
            headers=HEADERS,
            name="POST bookings (option + customer + stay)",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                self.mine.append(int(response.json()["data"]["id"]))
            elif response.status_code == 409:
                response.success()  # the nights were taken: a correct answer, not an error
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(10)
    def cancel(self):
        if self.mine:
            booking = self.mine.pop(random.randrange(len(self.mine)))
        elif SEEDED:
            booking = SEEDED.pop()
        else:
            return
        body = cancel_body(booking)
        with self.client.patch(
            f"{BASE}/bookings/{booking}",
            data=json.dumps(body),
            headers=HEADERS,
            name="PATCH bookings/{id} (cancel)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
