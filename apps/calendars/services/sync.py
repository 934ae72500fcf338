"""Importing external calendars: fetch, parse, and only then change anything.

Nothing is lost on bad input: an unreachable feed, an HTML page, a 404 or a truncated file
records a readable ``error`` and leaves every period as it was. An imported event that
clashes with a booking here is recorded as a conflict (and emitted), never moved onto it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.agenda_periods.models import PeriodType
from apps.agenda_periods.services import (
    agenda_period_create,
    agenda_period_delete,
    agenda_period_update,
)
from apps.calendars.models import ExternalCalendar
from apps.calendars.services.feeds import FeedError, parse_feed
from apps.core import outbound
from apps.core.errors import ApiError
from apps.core.tasks_on_commit import enqueue_on_commit
from apps.webhooks.services import event_emit

logger = logging.getLogger(__name__)


@dataclass
class SyncOutcome:
    ok: bool
    created: int = 0
    moved: int = 0
    removed: int = 0
    conflicts: list[dict] = field(default_factory=list)
    error: str = ""
    not_modified: bool = False


def _interval() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ICAL_SYNC_INTERVAL_MINUTES)


def first_sync_at() -> dt.datetime:
    """A new calendar's first sync, spread over one interval so they do not all fire at once."""
    return timezone.now() + _interval() * random.random()


def _claim(calendar_id: int) -> ExternalCalendar | None:
    """One sync at a time per calendar: a lease taken with one conditional UPDATE."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.ICAL_FETCH_TIMEOUT_SECONDS * 4 + 120)
    claimed = (
        ExternalCalendar.objects.filter(pk=calendar_id, active=True)
        .exclude(sync_lease_until__gt=now)
        .update(sync_lease_until=lease)
    )
    return (
        ExternalCalendar.objects.select_related("rentable", "administration").get(pk=calendar_id)
        if claimed
        else None
    )


def external_calendar_sync(*, calendar_id: int) -> SyncOutcome | None:
    """Syncs one calendar now. Returns None when it is inactive or another sync runs."""
    calendar = _claim(calendar_id)
    if calendar is None:
        return None
    try:
        outcome = _sync(calendar)
    except Exception as exc:  # noqa: BLE001 - a bug must not leave the lease or hide the cause
        logger.exception("Sync of external calendar %s failed unexpectedly", calendar_id)
        outcome = SyncOutcome(ok=False, error=f"Internal error during sync: {type(exc).__name__}.")
    _record(calendar, outcome)
    return outcome


def _sync(calendar: ExternalCalendar) -> SyncOutcome:
    headers = {"Accept": "text/calendar, text/plain;q=0.8, */*;q=0.5"}
    if calendar.etag:
        headers["If-None-Match"] = calendar.etag
    if calendar.last_modified:
        headers["If-Modified-Since"] = calendar.last_modified
    try:
        response = outbound.request(
            "GET",
            calendar.ical_url,
            headers=headers,
            timeout=settings.ICAL_FETCH_TIMEOUT_SECONDS,
            max_bytes=settings.ICAL_MAX_BYTES,
            max_redirects=3,
        )
    except (outbound.OutboundRefused, outbound.OutboundFailed) as exc:
        return SyncOutcome(ok=False, error=str(exc))
    if response.status_code == 304:
        return SyncOutcome(ok=True, not_modified=True)
    if response.status_code != 200:
        return SyncOutcome(ok=False, error=f"The feed answered HTTP {response.status_code}.")
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=settings.AGENDA_HORIZON_DAYS)
    try:
        events = parse_feed(
            response.content,
            park_tz=calendar.administration.timezone,
            time_offset=calendar.time_offset,
            today=today,
            horizon=horizon,
        )
    except FeedError as exc:
        return SyncOutcome(ok=False, error=str(exc))
    outcome = _apply(calendar, events)
    calendar.etag = response.headers.get("ETag", "")[:500]
    calendar.last_modified = response.headers.get("Last-Modified", "")[:100]
    return outcome


@transaction.atomic
def _apply(calendar: ExternalCalendar, events: dict) -> SyncOutcome:
    """Upserts the periods by UID: new events create, changed ones move, vanished ones go."""
    outcome = SyncOutcome(ok=True)
    existing = {period.ical_uid: period for period in calendar.periods.all()}
    # Vanished events first: an event re-issued under a new UID takes the nights it had.
    for uid, period in existing.items():
        if uid not in events:
            agenda_period_delete(period=period)
            outcome.removed += 1
    for uid, event in events.items():
        period = existing.get(uid)
        try:
            if period is None:
                agenda_period_create(
                    administration=calendar.administration,
                    rentable=calendar.rentable,
                    period_type=PeriodType.EXTERNAL_BLOCKED,
                    start_date=event.start_date,
                    end_date=event.end_date,
                    label=event.summary or calendar.name,
                    ical_uid=uid,
                    external_calendar=calendar,
                )
                outcome.created += 1
            elif (period.start_date, period.end_date) != (event.start_date, event.end_date):
                agenda_period_update(
                    period=period, start_date=event.start_date, end_date=event.end_date
                )
                outcome.moved += 1
        except ApiError as exc:
            if exc.status != 409:
                raise
            outcome.conflicts.append(
                {
                    "uid": uid,
                    "start_date": event.start_date.isoformat(),
                    "end_date": event.end_date.isoformat(),
                    "detail": exc.detail,
                }
            )
    return outcome


def _record(calendar: ExternalCalendar, outcome: SyncOutcome) -> None:
    now = timezone.now()
    calendar.last_sync_attempt_at = now
    calendar.next_sync_at = now + _interval()
    calendar.sync_lease_until = None
    if outcome.ok:
        calendar.last_synced = now
        calendar.error = ""
        if not outcome.not_modified:
            calendar.conflicts = outcome.conflicts
        if outcome.created:
            calendar.updated_at = now
    else:
        calendar.error = outcome.error
    with transaction.atomic():
        calendar.save()
        administration = calendar.administration
        if outcome.ok:
            event_emit("external_calendar.synced", instance=calendar, administration=administration)
            for _ in outcome.conflicts:
                event_emit(
                    "external_calendar.conflict", instance=calendar, administration=administration
                )
        else:
            event_emit("external_calendar.failed", instance=calendar, administration=administration)


def external_calendar_request_sync(*, calendar: ExternalCalendar) -> ExternalCalendar:
    """A sync as soon as a worker is free; answered with 202 by the API."""
    from apps.calendars.tasks import sync

    with transaction.atomic():
        calendar.sync_requested_at = timezone.now()
        calendar.next_sync_at = calendar.sync_requested_at
        calendar.save(update_fields=["sync_requested_at", "next_sync_at"])
        enqueue_on_commit(sync, calendar.pk)
    return calendar


def calendars_sync_due(*, limit: int = 200) -> int:
    """Beat: enqueues every active calendar whose turn has come."""
    from apps.calendars.tasks import sync

    now = timezone.now()
    due = list(
        ExternalCalendar.objects.filter(active=True, next_sync_at__lte=now)
        .order_by("next_sync_at")
        .values_list("pk", flat=True)[:limit]
    )
    ExternalCalendar.objects.filter(pk__in=due).update(next_sync_at=now + _interval())
    for calendar_id in due:
        sync.delay(calendar_id)
    return len(due)
