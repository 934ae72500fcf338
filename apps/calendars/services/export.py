"""A rentable's calendar as an RFC 5545 feed for Airbnb, Booking.com, VRBO and the like.

Only dates and a neutral summary leave the building: no guest name, e-mail or price.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.selectors import holding_now
from apps.rentables.models import Rentable

PRODID = "-//Holiday park booking API//Calendar export 1.0//EN"


def export_url(rentable: Rentable, external_calendar_id: int | None = None, *, request=None) -> str:
    """The feed's absolute address: built from ``request`` when there is one (as self links are),
    from ``API_BASE_URL`` for work outside a request."""
    path = f"/ical/{rentable.ical_export_token}.ics"
    if external_calendar_id:
        path = f"{path}?calendar={external_calendar_id}"
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.API_BASE_URL.rstrip('/')}{path}"


def exported_periods(
    rentable: Rentable, *, leave_out_calendar: int | None = None
) -> list[AgendaPeriod]:
    """Periods holding the rentable from ``ICAL_EXPORT_PAST_DAYS`` ago on; those imported from
    ``leave_out_calendar`` are left out so they are not echoed back to their platform."""
    since = timezone.localdate() - dt.timedelta(days=settings.ICAL_EXPORT_PAST_DAYS)
    queryset = AgendaPeriod.objects.filter(holding_now(), rentable=rentable, end_date__gt=since)
    if leave_out_calendar is not None and settings.ICAL_EXPORT_SKIP_OWN_IMPORTS:
        queryset = queryset.exclude(external_calendar_id=leave_out_calendar)
    return list(queryset.order_by("start_date", "pk"))


def render_feed(rentable: Rentable, periods: list[AgendaPeriod]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{rentable.name} (availability)")
    for period in periods:
        event = Event()
        event.add("uid", period.ical_uid)
        event.add("dtstamp", period.updated_at)
        event.add("dtstart", period.start_date)
        event.add("dtend", period.end_date)
        reserved = period.period_type == PeriodType.RESERVATION
        event.add("summary", "Reserved" if reserved else "Not available")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def feed_version(periods: list[AgendaPeriod], rentable: Rentable) -> tuple[str, dt.datetime]:
    """(ETag, Last-Modified) without rendering: the periods' ids, dates and change times."""
    digest = hashlib.sha256(rentable.ical_export_token.encode())
    for period in periods:
        digest.update(
            f"{period.pk}:{period.ical_uid}:{period.start_date}:{period.end_date}:{period.period_type};".encode()
        )
    last = max((p.updated_at for p in periods), default=rentable.updated_at)
    return f'"{digest.hexdigest()[:32]}"', last
