"""The park's stay rules as pure functions: no database, no clock.

``rules_at`` resolves which rules govern a stay (the category's, overridden by the stay rule
covering the date); ``refusal`` judges one stay against them. The service (``services``), the
availability search and the calendar all call these, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from apps.rentables.models import WEEKDAYS
from apps.stays.exceptions import StayNotAllowed


@dataclass(frozen=True)
class StayRules:
    """The rules for a stay; None / empty means no restriction."""

    minimum_nights: int | None = None
    maximum_nights: int | None = None
    arrival_weekdays: tuple[str, ...] = ()
    departure_weekdays: tuple[str, ...] = ()
    closed_to_arrival: bool = False
    closed_to_departure: bool = False
    minimum_notice_days: int | None = None
    maximum_advance_days: int | None = None
    same_day_bookings_allowed: bool = True
    same_day_booking_closing_time: dt.time | None = None
    turnover_gap_nights: int = 0
    available_from: dt.date | None = None
    available_until: dt.date | None = None


@dataclass(frozen=True)
class Moment:
    """When a stay is asked for: the administration's local date, and the date and time of
    day in UTC (the closing time of same-day bookings is written in UTC, ``14:00:00Z``).
    ``utc_date`` None means the UTC date is the local one."""

    today: dt.date
    utc_time: dt.time
    utc_date: dt.date | None = None

    def has_passed(self, closing: dt.time) -> bool:
        """Whether ``closing`` (UTC) of the local day ``today`` has passed. Near midnight the
        UTC date differs from the local one: in Amsterdam 00:30 is 22:30 UTC of the day
        before, before today's closing; in New York 20:00 is already tomorrow in UTC."""
        return (self.utc_date or self.today, self.utc_time) >= (self.today, closing)


def category_rules(category, rentable=None) -> StayRules:
    """The category's defaults, with the rentable's bookable window."""
    return StayRules(
        minimum_nights=category.minimum_number_of_nights,
        maximum_nights=category.maximum_number_of_nights,
        arrival_weekdays=tuple(category.arrival_weekdays or ()),
        departure_weekdays=tuple(category.departure_weekdays or ()),
        minimum_notice_days=category.minimum_notice_days,
        maximum_advance_days=category.maximum_advance_days,
        same_day_bookings_allowed=category.same_day_bookings_allowed,
        same_day_booking_closing_time=category.same_day_booking_closing_time,
        turnover_gap_nights=category.turnover_gap_nights or 0,
        available_from=getattr(rentable, "available_from", None),
        available_until=getattr(rentable, "available_until", None),
    )


def winning_override(overrides: Iterable, date: dt.date):
    """Of the stay rules covering ``date`` (start inclusive, end exclusive), the one with the
    shortest range; on a tie the newest (highest id). None when none covers it."""
    covering = [o for o in overrides if o.start_date <= date < o.end_date]
    if not covering:
        return None
    return min(covering, key=lambda o: ((o.end_date - o.start_date).days, -(o.pk or 0)))


def rules_at(
    base: StayRules, overrides: Sequence, arrival: dt.date, departure: dt.date | None = None
) -> StayRules:
    """``base`` overridden by the stay rule winning at the arrival date (lengths, weekdays,
    closed_to_arrival) and, for ``closed_to_departure``, the one winning at the departure."""
    rules = base
    at_arrival = winning_override(overrides, arrival)
    if at_arrival is not None:
        changes = {"closed_to_arrival": at_arrival.closed_to_arrival}
        for name, attr in (
            ("minimum_nights", "minimum_number_of_nights"),
            ("maximum_nights", "maximum_number_of_nights"),
        ):
            if getattr(at_arrival, attr) is not None:
                changes[name] = getattr(at_arrival, attr)
        for name in ("arrival_weekdays", "departure_weekdays"):
            if getattr(at_arrival, name):
                changes[name] = tuple(getattr(at_arrival, name))
        rules = replace(rules, **changes)
    if departure is not None:
        at_departure = winning_override(overrides, departure)
        closed = at_departure is not None and at_departure.closed_to_departure
        rules = replace(rules, closed_to_departure=closed)
    return rules


def _day(date: dt.date) -> str:
    return f"{WEEKDAYS[date.weekday()].capitalize()} {date.isoformat()}"


def _days(names: Sequence[str]) -> str:
    ordered = [d.capitalize() for d in WEEKDAYS if d in names]
    return ", ".join(ordered[:-1]) + " or " + ordered[-1] if len(ordered) > 1 else ordered[0]


def arrival_refusal(rules: StayRules, arrival: dt.date, moment: Moment) -> StayNotAllowed | None:
    """What forbids any stay starting on ``arrival``, whatever its length."""
    if rules.available_from is not None and arrival < rules.available_from:
        return StayNotAllowed(
            "bookable_window",
            f"This accommodation can be booked from {rules.available_from.isoformat()} on.",
        )
    lead = (arrival - moment.today).days
    notice = rules.minimum_notice_days or 0
    if lead < 0:
        return StayNotAllowed("minimum_notice", "The arrival date has already passed.")
    if lead < notice:
        return StayNotAllowed(
            "minimum_notice",
            f"Book at least {notice} day{'s' if notice != 1 else ''} before arrival.",
        )
    if lead == 0:
        if not rules.same_day_bookings_allowed:
            return StayNotAllowed("same_day", "Arrival today cannot be booked.")
        closing = rules.same_day_booking_closing_time
        if closing is not None and moment.has_passed(closing):
            return StayNotAllowed(
                "same_day",
                f"Bookings for today close at {closing.strftime('%H:%M')} UTC.",
            )
    if rules.maximum_advance_days is not None and lead > rules.maximum_advance_days:
        return StayNotAllowed(
            "maximum_advance",
            f"Arrivals can be booked at most {rules.maximum_advance_days} days ahead.",
        )
    if rules.closed_to_arrival:
        return StayNotAllowed("closed_to_arrival", f"No arrivals on {_day(arrival)}.")
    if rules.arrival_weekdays and WEEKDAYS[arrival.weekday()] not in rules.arrival_weekdays:
        return StayNotAllowed(
            "arrival_weekday",
            f"Arrival is possible on {_days(rules.arrival_weekdays)}, not on {_day(arrival)}.",
        )
    return None


def departure_refusal(rules: StayRules, departure: dt.date) -> StayNotAllowed | None:
    """What forbids a stay ending on ``departure`` (with ``rules`` of its arrival date)."""
    last_night = departure - dt.timedelta(days=1)
    if rules.available_until is not None and last_night > rules.available_until:
        return StayNotAllowed(
            "bookable_window",
            f"The last night that can be booked is {rules.available_until.isoformat()}.",
            field="departure_date",
        )
    if rules.closed_to_departure:
        return StayNotAllowed(
            "closed_to_departure", f"No departures on {_day(departure)}.", field="departure_date"
        )
    if rules.departure_weekdays and WEEKDAYS[departure.weekday()] not in rules.departure_weekdays:
        return StayNotAllowed(
            "departure_weekday",
            f"Departure is possible on {_days(rules.departure_weekdays)}, "
            f"not on {_day(departure)}.",
            field="departure_date",
        )
    return None


def length_refusal(rules: StayRules, nights: int) -> StayNotAllowed | None:
    if rules.minimum_nights is not None and nights < rules.minimum_nights:
        return StayNotAllowed(
            "minimum_nights",
            f"A stay on these dates lasts at least {rules.minimum_nights} nights.",
            field="departure_date",
        )
    if rules.maximum_nights is not None and nights > rules.maximum_nights:
        return StayNotAllowed(
            "maximum_nights",
            f"A stay on these dates lasts at most {rules.maximum_nights} nights.",
            field="departure_date",
        )
    return None


def gap_refusal(
    gap: int, arrival: dt.date, departure: dt.date, neighbours: Iterable[tuple[dt.date, dt.date]]
) -> StayNotAllowed | None:
    """``neighbours`` are the other stays on the rentable as (start, end). Overlaps are not
    judged here (they are a clash, 409): only stays closer than ``gap`` free nights."""
    if gap <= 0:
        return None
    for start, end in neighbours:
        if arrival - dt.timedelta(days=gap) < end <= arrival:
            return StayNotAllowed(
                "turnover_gap",
                f"The accommodation needs {gap} free night{'s' if gap != 1 else ''} after the "
                f"previous stay, which ends on {end.isoformat()}.",
            )
        if departure <= start < departure + dt.timedelta(days=gap):
            return StayNotAllowed(
                "turnover_gap",
                f"The accommodation needs {gap} free night{'s' if gap != 1 else ''} before the "
                f"next stay, which starts on {start.isoformat()}.",
                field="departure_date",
            )
    return None


def refusal(
    rules: StayRules,
    arrival: dt.date,
    departure: dt.date,
    moment: Moment,
    neighbours: Iterable[tuple[dt.date, dt.date]] = (),
) -> StayNotAllowed | None:
    """The first rule the stay [arrival, departure) breaks, or None. ``rules`` must already be
    resolved for these dates (``rules_at``)."""
    return (
        arrival_refusal(rules, arrival, moment)
        or departure_refusal(rules, departure)
        or length_refusal(rules, (departure - arrival).days)
        or gap_refusal(rules.turnover_gap_nights, arrival, departure, neighbours)
    )


def bookable_lengths(
    base: StayRules,
    overrides: Sequence,
    arrival: dt.date,
    moment: Moment,
    *,
    free_nights: int,
    horizon: int,
    neighbours: Sequence[tuple[dt.date, dt.date]] = (),
) -> list[int]:
    """The lengths (1 … ``horizon`` nights) of the stays starting on ``arrival`` the rules
    allow, of those whose nights are free (``free_nights``: how many nights from ``arrival``
    on no period holds). Each is judged by ``refusal`` exactly as the service judges it;
    ``neighbours`` are the other guests' stays on the rentable, for the gap."""
    at_arrival = rules_at(base, overrides, arrival)
    if arrival_refusal(at_arrival, arrival, moment) is not None:
        return []  # whatever the length (the service would refuse each the same way)
    # ``rules_at`` with a departure differs only in closed_to_departure, which
    # ``arrival_refusal`` does not read: the rest of ``refusal`` is judged per length
    variants = {closed: replace(at_arrival, closed_to_departure=closed) for closed in (False, True)}
    longest = min(horizon, free_nights, at_arrival.maximum_nights or horizon)
    lengths = []
    for nights in range(max(1, at_arrival.minimum_nights or 1), longest + 1):
        departure = arrival + dt.timedelta(days=nights)
        at_departure = winning_override(overrides, departure) if overrides else None
        rules = variants[at_departure is not None and bool(at_departure.closed_to_departure)]
        if not (
            departure_refusal(rules, departure)
            or length_refusal(rules, nights)
            or gap_refusal(rules.turnover_gap_nights, arrival, departure, neighbours)
        ):
            lengths.append(nights)
    return lengths
