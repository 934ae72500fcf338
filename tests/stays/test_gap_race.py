"""The turnover gap holds under real concurrency: stays that each fit the calendar but together
leave too few free nights between them never both succeed (run on SQLite and PostgreSQL)."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from apps.agenda_periods.models import AgendaPeriod
from apps.bookings.models import State
from apps.bookings.services.bookings import booking_create, booking_transition
from apps.oauth.services import api_key_create
from tests.bookings.helpers import TODAY, day
from tests.factories import AdministrationFactory
from tests.rentables.factories import CategoryFactory, RentableFactory

ATTEMPTS = 16


@pytest.mark.django_db(transaction=True)
def test_racing_stays_closer_than_the_gap_leave_exactly_one(live_server):
    # given: two free nights between stays
    administration = AdministrationFactory()
    category = CategoryFactory(administration=administration, turnover_gap_nights=2)
    rentable = RentableFactory(category=category)
    _, key = api_key_create(administration=administration, scopes="all")
    # one booking each, made beforehand: booking numbers come from a per-park counter whose row
    # lock would serialize the racers before they reach the calendar
    bookings = [booking_create(administration=administration) for _ in range(ATTEMPTS)]
    url = f"{live_server.url}/v3/administrations/{administration.pk}/reservations"
    headers = {
        "X-API-KEY": key,
        "Content-Type": "application/vnd.api+json",
        "Accept": "application/vnd.api+json",
    }
    start_line = threading.Barrier(ATTEMPTS)

    def attempt(i: int) -> requests.Response:
        # nights 10-11 or 13-14: no overlap between the two kinds, one free night between them
        arrival = 10 if i % 2 else 13
        body = {
            "data": {
                "type": "reservation",
                "attributes": {"arrival_date": day(arrival), "departure_date": day(arrival + 2)},
                "relationships": {
                    "booking": {"data": {"type": "booking", "id": str(bookings[i].pk)}},
                    "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}},
                },
            }
        }
        start_line.wait(timeout=30)
        return requests.post(url, json=body, headers=headers, timeout=60)

    # when
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        responses = list(pool.map(attempt, range(ATTEMPTS)))

    # then
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, statuses
    rules = {
        r.json()["errors"][0].get("meta", {}).get("rule") for r in responses if r.status_code == 422
    }
    assert set(statuses) <= {201, 409, 422} and rules <= {"turnover_gap"}, statuses
    assert AgendaPeriod.objects.filter(blocking=True).count() == 1
    print(f"database: {connection.vendor}; statuses: {sorted(statuses)}")


ROUNDS = 6


def _two_stay_booking(administration, first, second, arrival: int):
    """A cancelled booking of two stays, ``first`` then ``second`` (the order they are judged
    in when it is restored)."""
    spec = {"arrival_date": TODAY + dt.timedelta(days=arrival), "adults": 2}
    spec["departure_date"] = spec["arrival_date"] + dt.timedelta(days=2)
    booking = booking_create(
        administration=administration,
        reservations=[{"rentable": first, **spec}, {"rentable": second, **spec}],
    )
    return booking_transition(booking=booking, state=State.CANCELLED, cancel_reason="test")


@pytest.mark.django_db(transaction=True)
def test_restoring_two_stay_bookings_in_opposite_orders_never_deadlocks(live_server):
    # (restores, not POSTs: a new booking takes the park's booking-number counter first, which
    # already queues two of them before their stays are judged)
    # given: two rentables with a turnover gap, and per round two cancelled bookings on both,
    # one judging them A then B, the other B then A, on dates that do not conflict
    administration = AdministrationFactory()
    category = CategoryFactory(administration=administration, turnover_gap_nights=1)
    a, b = RentableFactory(category=category), RentableFactory(category=category)
    _, key = api_key_create(administration=administration, scopes="all")
    rounds = [
        (
            _two_stay_booking(administration, a, b, 10 + 10 * n),
            _two_stay_booking(administration, b, a, 14 + 10 * n),
        )
        for n in range(ROUNDS)
    ]
    headers = {
        "X-API-KEY": key,
        "Content-Type": "application/vnd.api+json",
        "Accept": "application/vnd.api+json",
    }
    base = f"{live_server.url}/v3/administrations/{administration.pk}/bookings"

    def restore(booking, start_line) -> requests.Response:
        body = {
            "data": {"type": "booking", "id": str(booking.pk), "attributes": {"state": "confirmed"}}
        }
        start_line.wait(timeout=30)
        return requests.patch(f"{base}/{booking.pk}", json=body, headers=headers, timeout=60)

    # when: each round's two restores start together
    statuses = []
    for pair in rounds:
        start_line = threading.Barrier(2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            responses = list(pool.map(restore, pair, [start_line] * 2))
        statuses.append([r.status_code for r in responses])

    # then: every restore went through, none was a deadlock's 503
    assert statuses == [[200, 200]] * ROUNDS, statuses
    assert AgendaPeriod.objects.filter(blocking=True).count() == 4 * ROUNDS
