"""Edges the service must hold exactly: every weekday, the notice and the same-day closing time
around local midnight (DST change days included) in the administration's time zone, and the
rentable's bookable window."""

import datetime as dt

import pytest

from apps.rentables.models import WEEKDAYS
from apps.stays.rules import Moment, StayRules, refusal
from apps.stays.services import stay_refusal
from tests.factories import AdministrationFactory
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 3, 1)
ANYTIME = Moment(today=MONDAY - dt.timedelta(days=30), utc_time=dt.time(12, 0))


def rule(rules: StayRules, arrival: dt.date, departure: dt.date, moment=ANYTIME):
    found = refusal(rules, arrival, departure, moment)
    return found and found.rule


@pytest.mark.parametrize("weekday", range(7))
def test_each_arrival_weekday_accepts_that_day_only(weekday):
    rules = StayRules(arrival_weekdays=(WEEKDAYS[weekday],))
    day = MONDAY + dt.timedelta(days=weekday)

    for other in range(7):
        arrival = day + dt.timedelta(days=other)
        expected = None if other == 0 else "arrival_weekday"
        assert rule(rules, arrival, arrival + dt.timedelta(days=2)) == expected, (weekday, other)


@pytest.mark.parametrize("weekday", range(7))
def test_each_departure_weekday_accepts_that_day_only(weekday):
    rules = StayRules(departure_weekdays=(WEEKDAYS[weekday],))
    day = MONDAY + dt.timedelta(days=7 + weekday)

    for other in range(7):
        departure = day + dt.timedelta(days=other)
        expected = None if other == 0 else "departure_weekday"
        assert rule(rules, MONDAY, departure) == expected, (weekday, other)


def amsterdam_chalet(**category):
    administration = AdministrationFactory(timezone="Europe/Amsterdam")
    return RentableFactory(category=CategoryFactory(administration=administration, **category))


def refused(rentable, arrival: dt.date, at: dt.datetime, nights: int = 2):
    found = stay_refusal(
        rentable=rentable,
        arrival_date=arrival,
        departure_date=arrival + dt.timedelta(days=nights),
        at=at,
    )
    return found and found.rule


UTC = dt.UTC


@pytest.mark.parametrize(
    "at, today",
    [
        # the ends of the DST change days in Amsterdam (the other ends: test_refusals.py)
        (dt.datetime(2027, 3, 28, 21, 59, 59, tzinfo=UTC), dt.date(2027, 3, 28)),  # 23:59:59 CEST
        (dt.datetime(2027, 3, 28, 22, 0, tzinfo=UTC), dt.date(2027, 3, 29)),  # 00:00 CEST
        (dt.datetime(2027, 10, 31, 22, 59, 59, tzinfo=UTC), dt.date(2027, 10, 31)),  # 23:59:59 CET
        (dt.datetime(2027, 10, 31, 23, 0, tzinfo=UTC), dt.date(2027, 11, 1)),  # 00:00 CET
    ],
)
def test_notice_of_one_day_turns_at_local_midnight_on_dst_change_days(at, today):
    chalet = amsterdam_chalet(minimum_notice_days=1)

    assert refused(chalet, today + dt.timedelta(days=1), at) is None
    assert refused(chalet, today, at) == "minimum_notice"


@pytest.mark.parametrize(
    "at, today",
    [
        (dt.datetime(2027, 3, 27, 22, 59, 59, tzinfo=UTC), dt.date(2027, 3, 27)),  # 23:59:59 CET
        (dt.datetime(2027, 3, 27, 23, 0, tzinfo=UTC), dt.date(2027, 3, 28)),  # 00:00 CET
        (dt.datetime(2027, 10, 30, 21, 59, 59, tzinfo=UTC), dt.date(2027, 10, 30)),  # CEST
        (dt.datetime(2027, 10, 30, 22, 0, tzinfo=UTC), dt.date(2027, 10, 31)),
    ],
)
def test_an_arrival_in_the_past_turns_at_local_midnight(at, today):
    chalet = amsterdam_chalet(minimum_notice_days=0, same_day_bookings_allowed=True)

    assert refused(chalet, today, at) is None  # today's arrival, with no closing time
    assert refused(chalet, today - dt.timedelta(days=1), at) == "minimum_notice"


@pytest.mark.parametrize(
    "at, expected",
    [
        (dt.datetime(2027, 10, 31, 13, 59, 59, tzinfo=UTC), None),
        (dt.datetime(2027, 10, 31, 14, 0, tzinfo=UTC), "same_day"),  # the closing time, UTC
        (dt.datetime(2027, 3, 28, 13, 59, 59, tzinfo=UTC), None),
        (dt.datetime(2027, 3, 28, 14, 0, tzinfo=UTC), "same_day"),
    ],
)
def test_same_day_bookings_close_at_the_closing_time_on_dst_change_days(at, expected):
    chalet = amsterdam_chalet(
        same_day_bookings_allowed=True, same_day_booking_closing_time=dt.time(14, 0)
    )

    assert refused(chalet, at.date(), at) == expected
    assert refused(chalet, at.date() + dt.timedelta(days=1), at) is None


def test_same_day_closing_time_is_that_of_the_local_day_when_utc_is_a_day_behind():
    # given: 23:30 UTC is 00:30 of the next day in Amsterdam (summer), whose bookings close
    # at 14:00 UTC that day: 14½ hours ahead
    chalet = amsterdam_chalet(
        same_day_bookings_allowed=True, same_day_booking_closing_time=dt.time(14, 0)
    )
    at = dt.datetime(2027, 7, 1, 23, 30, tzinfo=UTC)

    assert refused(chalet, dt.date(2027, 7, 2), at) is None
    assert refused(chalet, dt.date(2027, 7, 1), at) == "minimum_notice"  # yesterday, locally


def test_same_day_closing_time_has_passed_when_utc_is_a_day_ahead():
    # given: 20:00 in New York is 00:00 UTC of the next day: today's 14:00 UTC is long past
    administration = AdministrationFactory(timezone="America/New_York")
    chalet = RentableFactory(
        category=CategoryFactory(
            administration=administration,
            same_day_bookings_allowed=True,
            same_day_booking_closing_time=dt.time(14, 0),
        )
    )
    at = dt.datetime(2027, 7, 2, 0, 0, tzinfo=UTC)

    assert refused(chalet, dt.date(2027, 7, 1), at) == "same_day"
    assert refused(chalet, dt.date(2027, 7, 2), at) is None


def test_the_bookable_window_at_the_service():
    # given: nights from 2027-05-10 to 2027-05-20 inclusive
    chalet = amsterdam_chalet(same_day_bookings_allowed=True)
    chalet.available_from, chalet.available_until = dt.date(2027, 5, 10), dt.date(2027, 5, 20)
    chalet.save()
    at = dt.datetime(2027, 4, 1, 12, 0, tzinfo=UTC)

    # then: the first and the last night are bookable, one night past either end is not
    assert refused(chalet, dt.date(2027, 5, 10), at, nights=11) is None
    assert refused(chalet, dt.date(2027, 5, 9), at) == "bookable_window"
    assert refused(chalet, dt.date(2027, 5, 10), at, nights=12) == "bookable_window"
    assert refused(chalet, dt.date(2027, 5, 20), at, nights=1) is None
    assert refused(chalet, dt.date(2027, 5, 20), at) == "bookable_window"  # the 20th and 21st
