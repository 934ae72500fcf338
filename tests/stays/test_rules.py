"""Each stay rule at its edge and one past it, judged by the pure functions (no database)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from apps.stays.rules import Moment, StayRules, refusal, rules_at, winning_override

MONDAY = dt.date(2027, 3, 1)  # a Monday
NOON = dt.time(12, 0)
ANYTIME = Moment(today=MONDAY - dt.timedelta(days=30), utc_time=NOON)


def d(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def rule_of(rules: StayRules, arrival: int, departure: int, moment=ANYTIME, neighbours=()):
    found = refusal(rules, d(arrival), d(departure), moment, neighbours)
    return None if found is None else (found.rule, found.field)


@pytest.mark.parametrize(
    "rules, arrival, departure, expected",
    [
        (StayRules(minimum_nights=2), 0, 2, None),
        (StayRules(minimum_nights=2), 0, 1, ("minimum_nights", "departure_date")),
        (StayRules(maximum_nights=7), 0, 7, None),
        (StayRules(maximum_nights=7), 0, 8, ("maximum_nights", "departure_date")),
        (StayRules(arrival_weekdays=("monday", "friday")), 4, 7, None),
        (
            StayRules(arrival_weekdays=("monday", "friday")),
            5,
            7,
            ("arrival_weekday", "arrival_date"),
        ),
        (StayRules(departure_weekdays=("friday",)), 0, 4, None),
        (StayRules(departure_weekdays=("friday",)), 0, 5, ("departure_weekday", "departure_date")),
        (StayRules(closed_to_arrival=True), 0, 2, ("closed_to_arrival", "arrival_date")),
        (StayRules(closed_to_departure=True), 0, 2, ("closed_to_departure", "departure_date")),
        (StayRules(available_from=d(0)), 0, 2, None),
        (StayRules(available_from=d(1)), 0, 2, ("bookable_window", "arrival_date")),
        (StayRules(available_until=d(1)), 0, 2, None),  # the last night is inclusive
        (StayRules(available_until=d(1)), 0, 3, ("bookable_window", "departure_date")),
    ],
)
def test_each_rule_accepts_its_edge_and_refuses_one_past_it(rules, arrival, departure, expected):
    assert rule_of(rules, arrival, departure) == expected


@pytest.mark.parametrize(
    "notice, lead, expected",
    [
        (3, 3, None),
        (3, 2, "minimum_notice"),
        (0, -1, "minimum_notice"),
        (None, -1, "minimum_notice"),
    ],
)
def test_minimum_notice(notice, lead, expected):
    rules = StayRules(minimum_notice_days=notice, same_day_bookings_allowed=True)
    moment = Moment(today=d(0), utc_time=NOON)

    found = refusal(rules, d(lead), d(lead + 2), moment)

    assert (found and found.rule) == expected


def test_maximum_advance():
    rules = StayRules(maximum_advance_days=30)
    moment = Moment(today=d(0), utc_time=NOON)

    assert refusal(rules, d(30), d(32), moment) is None
    assert refusal(rules, d(31), d(33), moment).rule == "maximum_advance"


@pytest.mark.parametrize(
    "allowed, closing, now, expected",
    [
        (False, None, NOON, "same_day"),
        (True, None, dt.time(23, 59), None),
        (True, dt.time(14, 0), dt.time(13, 59, 59), None),
        (True, dt.time(14, 0), dt.time(14, 0), "same_day"),
    ],
)
def test_same_day_bookings_and_their_closing_time(allowed, closing, now, expected):
    rules = StayRules(same_day_bookings_allowed=allowed, same_day_booking_closing_time=closing)
    moment = Moment(today=d(0), utc_time=now)

    found = refusal(rules, d(0), d(2), moment)

    assert (found and found.rule) == expected
    assert refusal(rules, d(1), d(3), moment) is None  # tomorrow is never "same day"


def test_a_notice_of_one_day_makes_same_day_rules_irrelevant():
    rules = StayRules(minimum_notice_days=1, same_day_bookings_allowed=True)

    assert refusal(rules, d(0), d(2), Moment(d(0), NOON)).rule == "minimum_notice"


@pytest.mark.parametrize(
    "neighbour, expected",
    [
        ((d(-3), d(-1)), None),  # one free night (-1) before the arrival
        ((d(-3), d(0)), ("turnover_gap", "arrival_date")),  # back to back
        ((d(3), d(5)), None),  # one free night (2) after the departure
        ((d(2), d(5)), ("turnover_gap", "departure_date")),
        ((d(0), d(2)), None),  # an overlap is the calendar's clash, not a gap
    ],
)
def test_turnover_gap(neighbour, expected):
    rules = StayRules(turnover_gap_nights=1)

    assert rule_of(rules, 0, 2, neighbours=[neighbour]) == expected


def override(pk, start, end, **fields):
    values = {
        "minimum_number_of_nights": None, "maximum_number_of_nights": None,
        "arrival_weekdays": [], "departure_weekdays": [], "closed_to_arrival": False,
        "closed_to_departure": False,
    }  # fmt: skip
    values.update(fields)
    return SimpleNamespace(pk=pk, start_date=d(start), end_date=d(end), **values)


class TestOverrides:
    def test_an_override_covering_the_arrival_replaces_what_it_sets(self):
        base = StayRules(minimum_nights=2, maximum_nights=14)
        summer = override(1, 0, 7, minimum_number_of_nights=7)

        resolved = rules_at(base, [summer], d(6), d(13))

        assert (resolved.minimum_nights, resolved.maximum_nights) == (7, 14)
        assert rules_at(base, [summer], d(7), d(9)).minimum_nights == 2  # end is exclusive

    def test_the_shorter_range_wins(self):
        season = override(1, 0, 60, minimum_number_of_nights=7)
        holiday = override(2, 5, 10, minimum_number_of_nights=3)

        assert winning_override([season, holiday], d(5)) is holiday
        assert winning_override([holiday, season], d(4)) is season
        assert rules_at(StayRules(), [season, holiday], d(6)).minimum_nights == 3

    def test_closed_to_departure_comes_from_the_override_at_the_departure(self):
        closed_day = override(1, 5, 6, closed_to_departure=True)

        assert rules_at(StayRules(), [closed_day], d(0), d(5)).closed_to_departure is True
        assert rules_at(StayRules(), [closed_day], d(5), d(7)).closed_to_departure is False
        found = refusal(rules_at(StayRules(), [closed_day], d(0), d(5)), d(0), d(5), ANYTIME)
        assert found.rule == "closed_to_departure"

    def test_closed_to_arrival_and_weekdays_from_the_override_at_the_arrival(self):
        override_ = override(1, 0, 3, closed_to_arrival=True, departure_weekdays=["friday"])
        resolved = rules_at(StayRules(departure_weekdays=("monday",)), [override_], d(2), d(4))

        assert resolved.closed_to_arrival is True
        assert resolved.departure_weekdays == ("friday",)


@pytest.mark.parametrize(
    "utc_date, utc_time, expected",
    [
        (d(-1), dt.time(23, 30), None),  # local midnight is ahead of UTC's: the day just began
        (d(0), dt.time(13, 59), None),
        (d(0), dt.time(14, 0), "same_day"),
        (d(1), dt.time(0, 30), "same_day"),  # local evening, already tomorrow in UTC
    ],
)
def test_the_closing_time_is_that_of_the_local_day(utc_date, utc_time, expected):
    rules = StayRules(same_day_booking_closing_time=dt.time(14, 0))
    moment = Moment(today=d(0), utc_time=utc_time, utc_date=utc_date)

    found = refusal(rules, d(0), d(2), moment)

    assert (found and found.rule) == expected
