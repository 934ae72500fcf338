"""Reading an iCal feed into nights: all-day and timed events, TZID and X-WR-TIMEZONE,
recurring events expanded over the horizon, cancelled events left out.

A feed is untrusted input, so the work it can cause is bounded before any is done: a
recurrence rule whose expansion up to the horizon would take more than ``max_steps``
iterations (``FREQ=SECONDLY`` with no end: millions) is refused unexpanded; expansion happens
only inside [today, horizon); an event with more than ``max_per_event`` occurrences there, or a
feed with more than ``max_events`` in all, is refused with a readable ``FeedError``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import zoneinfo
from collections import Counter
from dataclasses import dataclass

import recurring_ical_events
from icalendar import Calendar


class FeedError(Exception):
    """The feed cannot be used; ``str()`` is what the property manager reads."""


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    start_date: dt.date
    end_date: dt.date
    summary: str


def parse_feed(
    content: bytes,
    *,
    park_tz: str,
    time_offset: int,
    today: dt.date,
    horizon: dt.date,
    max_per_event: int = 1000,
    max_events: int = 60_000,
    max_steps: int = 200_000,
) -> dict[str, FeedEvent]:
    """Events that touch [today, horizon), keyed by a stable UID. Raises FeedError."""
    calendar = _calendar(content)
    floating = _zone(str(calendar.get("X-WR-TIMEZONE", "")) or park_tz, park_tz)
    park = _zone(park_tz, "UTC")
    _check_recurrence_work(calendar, horizon, max_steps)
    occurrences = _occurrences(calendar, today, horizon, max_per_event, max_events)
    counts = Counter(str(event.get("UID", "")) for event in occurrences)
    events: dict[str, FeedEvent] = {}
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        try:
            start_date, end_date = _nights(event, floating, park, time_offset)
        except FeedError:
            raise
        except Exception as exc:  # noqa: BLE001 - icalendar raises many kinds on bad values
            raise FeedError(f"The feed's events could not be read: {exc}.") from None
        if end_date <= today:
            continue
        end_date = min(end_date, horizon)
        if end_date <= start_date:
            continue
        uid = str(event.get("UID", "")) or _derived_uid(event, start_date, end_date)
        if counts[uid] > 1:  # a recurring event: one period per occurrence
            uid = f"{uid}#{start_date.isoformat()}"
        summary = str(event.get("SUMMARY", ""))[:255]
        events[uid[:255]] = FeedEvent(uid[:255], start_date, end_date, summary)
    return events


def _occurrences(calendar, today, horizon, max_per_event: int, max_events: int) -> list:
    """Every occurrence inside [today, horizon), series by series, each series cut off just
    past its cap so an over-long one costs no more than the cap."""
    days = (horizon - today).days
    events = [component for component in calendar.subcomponents if component.name == "VEVENT"]
    # Most feeds repeat nothing: those events are their own single occurrence (the caller
    # drops what lies outside the window) and skip the expander, which costs as much as the
    # parse. Only the series with a rule, extra dates or moved occurrences go through it.
    repeating = {
        str(event.get("UID", ""))
        for event in events
        if "RRULE" in event or "RDATE" in event or "RECURRENCE-ID" in event
    }
    found: list = [event for event in events if str(event.get("UID", "")) not in repeating]
    if len(found) > max_events:
        raise FeedError(f"The feed has more than {max_events} events; such a feed is not imported.")
    if not repeating:
        return found
    series_only = Calendar(calendar)  # the calendar's properties, only the repeating events
    series_only.subcomponents = [
        component
        for component in calendar.subcomponents
        if component.name != "VEVENT" or str(component.get("UID", "")) in repeating
    ]
    try:
        query = recurring_ical_events.of(series_only, components=["VEVENT"])
        start, stop = query.to_datetime(today), query.to_datetime(horizon)
        for series in query.series:
            occurrences = list(itertools.islice(series.between(start, stop), max_per_event + 1))
            if len(occurrences) > max_per_event:
                uid = occurrences[0].as_component(False).get("UID", "(no UID)")
                raise FeedError(
                    f"The event {uid} repeats more than {max_per_event} times in the next "
                    f"{days} days; such a feed is not imported."
                )
            found.extend(occurrence.as_component(False) for occurrence in occurrences)
            if len(found) > max_events:
                raise FeedError(
                    f"The feed has more than {max_events} events in the next {days} days; "
                    "such a feed is not imported."
                )
    except FeedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on bad input
        raise FeedError(f"The feed's events could not be read: {exc}.") from None
    return found


# The length of one step of each frequency, in seconds (months and years at their shortest).
_STEP = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
_EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def _naive(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, dt.time())


def _check_recurrence_work(calendar, horizon: dt.date, max_steps: int) -> None:
    """Refuses the feed when expanding its rules up to the horizon would take more than
    ``max_steps`` iterations in all. Recurrence rules are expanded from DTSTART step by step
    (``FREQ`` × ``INTERVAL``, each step multiplied by its BY… lists), whatever window is asked
    for, so the work is estimated from the rule itself, before anything is expanded."""
    stop = _naive(horizon)
    total = 0
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        if rules is None:
            continue
        try:
            start = _naive(event.decoded("DTSTART"))
        except Exception:  # noqa: BLE001 - reported when the occurrences are read
            continue
        for rule in rules if isinstance(rules, list) else [rules]:
            total += _rule_steps(rule, start, stop)
            if total > max_steps:
                freq = (rule.get("FREQ") or ["?"])[0]
                raise FeedError(
                    f"The event {event.get('UID', '(no UID)')} repeats too often "
                    f"(FREQ={freq}): expanding the feed's repeating events would take more "
                    f"than {max_steps} steps; such a feed is not imported."
                )


def _rule_steps(rule, start: dt.datetime, stop: dt.datetime) -> float:
    try:
        step = _STEP[str(rule.get("FREQ")[0]).upper()]
        interval = max(int((rule.get("INTERVAL") or [1])[0]), 1)
    except (KeyError, TypeError, ValueError, IndexError):
        return 0  # not a rule the expander understands: it reports it
    end = stop
    until = (rule.get("UNTIL") or [None])[0]
    if isinstance(until, dt.date):
        end = min(end, _naive(until))
    steps = max((end - start).total_seconds(), 0) / (step * interval) + 1
    expansion = math.prod(len(rule.get(part) or [None]) for part in _EXPANDING)
    count = (rule.get("COUNT") or [None])[0]
    if count and not any(rule.get(part) for part in (*_EXPANDING, "BYMONTH", "BYSETPOS")):
        steps = min(steps, int(count))
    return steps * expansion


def _calendar(content: bytes) -> Calendar:
    text = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        preview = text[:40].decode("utf-8", errors="replace").replace("\n", " ")
        raise FeedError(
            f"The address did not return an iCalendar feed (it starts with {preview!r})."
        )
    if b"END:VCALENDAR" not in text[-1024:].upper():  # the tail, not a copy of the feed
        raise FeedError("The feed is truncated: it has no END:VCALENDAR.")
    try:
        return Calendar.from_ical(text)
    except Exception as exc:  # noqa: BLE001
        raise FeedError(f"The feed could not be parsed: {exc}.") from None


def _zone(name: str, fallback: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(fallback)


def _as_date(value, floating, park, time_offset: int) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=floating)
        return (value + dt.timedelta(minutes=time_offset)).astimezone(park).date()
    if isinstance(value, dt.date):
        return value
    raise FeedError(f"An event has a start or end that is not a date: {value!r}.")


def _nights(event, floating, park, time_offset: int) -> tuple[dt.date, dt.date]:
    if event.get("DTSTART") is None:
        raise FeedError(f"The event {event.get('UID', '(no UID)')} has no DTSTART.")
    start = event.decoded("DTSTART")
    if event.get("DTEND") is not None:
        end = event.decoded("DTEND")
    elif event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    else:
        end = start + dt.timedelta(days=1) if not isinstance(start, dt.datetime) else start
    start_date = _as_date(start, floating, park, time_offset)
    end_date = _as_date(end, floating, park, time_offset)
    return start_date, max(end_date, start_date + dt.timedelta(days=1))


def _derived_uid(event, start: dt.date, end: dt.date) -> str:
    basis = f"{start}|{end}|{event.get('SUMMARY', '')}".encode()
    return f"derived-{hashlib.sha256(basis).hexdigest()[:24]}"
