"""Reading an iCal feed into nights: all-day and timed events, TZID and X-WR-TIMEZONE,
recurring events expanded over the horizon, cancelled events left out."""

from __future__ import annotations

import datetime as dt
import hashlib
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
    content: bytes, *, park_tz: str, time_offset: int, today: dt.date, horizon: dt.date
) -> dict[str, FeedEvent]:
    """Events that touch [today, horizon), keyed by a stable UID. Raises FeedError."""
    calendar = _calendar(content)
    floating = _zone(str(calendar.get("X-WR-TIMEZONE", "")) or park_tz, park_tz)
    park = _zone(park_tz, "UTC")
    try:
        occurrences = list(
            recurring_ical_events.of(calendar, components=["VEVENT"]).between(today, horizon)
        )
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on bad input
        raise FeedError(f"The feed's events could not be read: {exc}.") from None
    counts = Counter(str(event.get("UID", "")) for event in occurrences)
    events: dict[str, FeedEvent] = {}
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start_date, end_date = _nights(event, floating, park, time_offset)
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


def _calendar(content: bytes) -> Calendar:
    text = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.upper().startswith(b"BEGIN:VCALENDAR"):
        preview = text[:40].decode("utf-8", errors="replace").replace("\n", " ")
        raise FeedError(
            f"The address did not return an iCalendar feed (it starts with {preview!r})."
        )
    if b"END:VCALENDAR" not in text.upper():
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
