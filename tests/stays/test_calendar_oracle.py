"""An oracle for calendar_days: for random rules and random calendars, what it shows per day
equals a brute-force check of the stay-rule service and the free nights over every candidate
stay. Run on SQLite and PostgreSQL (the normal test database)."""

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.selectors import holding_now
from apps.rentables.models import WEEKDAYS, Rentable
from apps.stays.models import StayRule
from apps.stays.services import moment_for, stay_refusal
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db

HORIZON = 5  # STAY_SEARCH_MAX_NIGHTS for the oracle: short, so the brute force stays quick
PERIOD_TYPES = [
    PeriodType.RESERVATION, PeriodType.RESERVATION, PeriodType.MAINTENANCE,
    PeriodType.OWNER_MAINTENANCE, PeriodType.EXTERNAL_BLOCKED,
]  # fmt: skip


def _days(today: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return today + dt.timedelta(days=rng.randint(low, high))


def _random_category(administration, rng: random.Random, now: dt.datetime):
    closing = (now + dt.timedelta(minutes=rng.choice([-30, 30]))).time().replace(microsecond=0)
    return CategoryFactory(
        administration=administration,
        minimum_number_of_nights=rng.choice([None, 1, 2, 3, HORIZON, HORIZON + 1]),
        maximum_number_of_nights=rng.choice([None, None, 2, 4, 9]),
        arrival_weekdays=rng.choice([[], [], rng.sample(WEEKDAYS, 4)]),
        departure_weekdays=rng.choice([[], [], rng.sample(WEEKDAYS, 4)]),
        minimum_notice_days=rng.choice([None, 0, 1, 3]),
        maximum_advance_days=rng.choice([None, 10, 15]),
        same_day_bookings_allowed=rng.choice([True, False]),
        same_day_booking_closing_time=rng.choice([None, closing]),
        turnover_gap_nights=rng.choice([None, 0, 1, 2, 3]),
    )


def _random_overrides(administration, category, rng: random.Random, today: dt.date):
    for _ in range(rng.randint(0, 3)):
        start = _days(today, rng, -6, 16)
        StayRule.objects.create(
            administration=administration, category=category, start_date=start,
            end_date=start + dt.timedelta(days=rng.randint(1, 9)),
            minimum_number_of_nights=rng.choice([None, 2, 3, HORIZON, HORIZON + 2]),
            maximum_number_of_nights=rng.choice([None, 1, 3]),
            arrival_weekdays=rng.choice([[], rng.sample(WEEKDAYS, 3)]),
            departure_weekdays=rng.choice([[], rng.sample(WEEKDAYS, 3)]),
            closed_to_arrival=rng.random() < 0.3, closed_to_departure=rng.random() < 0.3,
        )  # fmt: skip


def _random_periods(administration, rentable, rng: random.Random, today: dt.date, now):
    """Periods one after another (holding ones never overlap), some of them not holding."""
    cursor = _days(today, rng, -12, -4)
    while cursor < today + dt.timedelta(days=26):
        start = cursor + dt.timedelta(days=rng.randint(0, 5))
        end = start + dt.timedelta(days=rng.randint(1, 4))
        lapsed = rng.random() < 0.15  # an expired option: its hold is over
        AgendaPeriod.objects.create(
            administration=administration, rentable=rentable, period_type=rng.choice(PERIOD_TYPES),
            start_date=start, end_date=end, blocking=rng.random() < 0.9,
            expires_at=now - dt.timedelta(hours=1) if lapsed else None,
        )  # fmt: skip
        cursor = end


def _random_park(administration, rng: random.Random, today: dt.date, now: dt.datetime):
    for _ in range(3):
        category = _random_category(administration, rng, now)
        _random_overrides(administration, category, rng, today)
        for _ in range(2):
            rentable = RentableFactory(
                category=category,
                active=rng.random() < 0.9,
                available_from=rng.choice([None, _days(today, rng, -3, 8)]),
                available_until=rng.choice([None, _days(today, rng, 6, 20)]),
            )
            _random_periods(administration, rentable, rng, today, now)


def _calendar(api, administration, first: dt.date, last: dt.date, size: int) -> dict:
    url = (
        f"/v3/administrations/{administration.pk}/calendar_days"
        f"?filter[date]={first}..{last}&page[size]={size}"
    )
    shown = {}
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.doc
        for day in response.doc["data"]:
            a = day["attributes"]
            shown[day["id"]] = (a["arrival_allowed"], a["departure_allowed"], a["minimum_stay"])
        url = response.doc["links"].get("next")
    return shown


def _horizon(rentable: Rentable) -> int:
    """The longest stay tried: HORIZON, or a longer minimum the category or one of its stay
    rules asks for (a stay that long is bookable, so the calendar must show it)."""
    minimums = StayRule.objects.filter(category=rentable.category).values_list(
        "minimum_number_of_nights", flat=True
    )
    return max(
        [HORIZON, rentable.category.minimum_number_of_nights or 0, *(m or 0 for m in minimums)]
    )


def _bookable_stays(rentable: Rentable, first: dt.date, last: dt.date) -> set[tuple]:
    """Every stay of 1 … ``_horizon`` nights arriving in [first, last] that could be booked
    now: its nights free and the service (``stay_refusal``) allowing it."""
    if not rentable.active:
        return set()
    holding = list(
        AgendaPeriod.objects.filter(holding_now(), rentable=rentable).values_list(
            "start_date", "end_date"
        )
    )
    found = set()
    horizon = _horizon(rentable)
    arrival = first
    while arrival <= last:
        for nights in range(1, horizon + 1):
            departure = arrival + dt.timedelta(days=nights)
            free = not any(s < departure and e > arrival for s, e in holding)
            if free and not stay_refusal(
                rentable=rentable, arrival_date=arrival, departure_date=departure
            ):
                found.add((arrival, nights))
        arrival += dt.timedelta(days=1)
    return found


def _expected(administration, first: dt.date, last: dt.date) -> dict:
    expected = {}
    for rentable in Rentable.objects.filter(administration=administration).select_related(
        "category", "administration"
    ):
        stays = _bookable_stays(rentable, first - dt.timedelta(days=_horizon(rentable)), last)
        date = first
        while date <= last:
            lengths = sorted(n for a, n in stays if a == date)
            departing = any(a + dt.timedelta(days=n) == date for a, n in stays)
            expected[f"{rentable.pk}:{date}"] = (
                bool(lengths),
                departing,
                lengths[0] if lengths else None,
            )
            date += dt.timedelta(days=1)
    return expected


@pytest.mark.parametrize("seed", range(6))
def test_calendar_days_equal_a_brute_force_check_of_the_service(
    api, administration, settings, seed
):
    settings.STAY_SEARCH_MAX_NIGHTS = HORIZON
    rng = random.Random(seed)
    with time_machine.travel(timezone.now(), tick=False):  # one moment for both sides
        # given
        now = timezone.now()
        today = moment_for(administration).today
        _random_park(administration, rng, today, now)
        first, last = today - dt.timedelta(days=2), today + dt.timedelta(days=18)

        # when: paged so that pages start and end inside a rentable's nights
        shown = _calendar(api, administration, first, last, size=17)

        # then
        expected = _expected(administration, first, last)
    assert len(shown) == 6 * 21
    assert shown == expected, seed
    assert any(arrival for arrival, _, _ in shown.values())  # the park is not all closed


def test_a_months_page_costs_the_same_queries_whatever_its_size(api, administration):
    # given: a park of 12 rentables in 3 categories, with stay rules and periods
    rng = random.Random(7)
    now = timezone.now()
    today = moment_for(administration).today
    _random_park(administration, rng, today, now)
    _random_park(administration, rng, today, now)
    first, last = today, today + dt.timedelta(days=30)
    path = f"/v3/administrations/{administration.pk}/calendar_days?filter[date]={first}..{last}"
    api.get(f"{path}&page[size]=10")  # the key's first use is recorded once

    # when
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{path}&page[size]={size}")
        assert len(response.doc["data"]) == size
        counts[size] = len(queries.captured_queries)

    # then
    assert counts[10] == counts[100], counts
