"""Importing external calendars: fetch, parse, and only then change anything.

Nothing is lost on bad input: an unreachable feed, an HTML page, a 404, a truncated file, a
feed over one of the caps (see ``feeds``) or a sync stopped by its time limit records a readable
``error`` and leaves every period as it was. An imported event that clashes with a booking here
is recorded as a conflict, never moved onto it; a sync that changes the set of conflicts emits
one ``external_calendar.conflict`` naming what was added and what was resolved.

New events are written in bulk: checked against the rentable's blocking periods in memory
(the transaction holds SQLite's write lock from its first statement; on PostgreSQL the
exclusion constraint refuses whatever a concurrent writer took meanwhile), then inserted a
batch at a time. Only events refused that way, or a batch the database refused, go the one at
a time way through the calendar service, which names the clash.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import random
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.services import (
    agenda_period_create,
    agenda_period_delete,
    agenda_period_update,
)
from apps.calendars.metrics import count_sync
from apps.calendars.models import ExternalCalendar
from apps.calendars.services.feeds import FeedError, parse_feed
from apps.core import outbound
from apps.core.exceptions import PeriodClash
from apps.core.tasks_on_commit import enqueue_on_commit
from apps.webhooks.outbox import batched
from apps.webhooks.services import event_emit, listened

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


BATCH = 2000


def lease_seconds() -> int:
    """How long a sync holds its calendar: past the task's hard time limit, so a second sync
    cannot start while the first may still be running (a killed one frees it when it ends)."""
    return settings.ICAL_SYNC_TIME_LIMIT_SECONDS + 60


def _claim(calendar_id: int) -> ExternalCalendar | None:
    """One sync at a time per calendar: a lease taken with one conditional UPDATE."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=lease_seconds())
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
    except SoftTimeLimitExceeded:
        outcome = SyncOutcome(
            ok=False,
            error=(
                f"The sync took longer than {settings.ICAL_SYNC_SOFT_TIME_LIMIT_SECONDS} seconds "
                "and was stopped; nothing was changed."
            ),
        )
    except Exception as exc:  # noqa: BLE001 - a bug must not leave the lease or hide the cause
        logger.exception("Sync of external calendar %s failed unexpectedly", calendar_id)
        outcome = SyncOutcome(ok=False, error=f"Internal error during sync: {type(exc).__name__}.")
    _record(calendar, outcome)
    count_sync(ok=outcome.ok, not_modified=outcome.not_modified)
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
            max_per_event=settings.ICAL_MAX_OCCURRENCES_PER_EVENT,
            max_events=settings.ICAL_MAX_EVENTS,
            max_steps=settings.ICAL_MAX_RECURRENCE_STEPS,
        )
    except FeedError as exc:
        return SyncOutcome(ok=False, error=str(exc))
    etag = response.headers.get("ETag", "")[:500]
    last_modified = response.headers.get("Last-Modified", "")[:100]
    del response  # the body is parsed: it need not stay in memory while the rows are written
    outcome = _apply(calendar, events)
    calendar.etag, calendar.last_modified = etag, last_modified
    return outcome


@transaction.atomic
@batched
def _apply(calendar: ExternalCalendar, events: dict) -> SyncOutcome:
    """Upserts the periods by UID: new events create, changed ones move, vanished ones go."""
    outcome = SyncOutcome(ok=True)
    existing = {period.ical_uid: period for period in calendar.periods.all()}
    # Vanished events first: an event re-issued under a new UID takes the nights it had.
    for uid, period in existing.items():
        if uid not in events:
            agenda_period_delete(period=period)
            outcome.removed += 1
    new = []
    for uid, event in events.items():
        period = existing.get(uid)
        if period is None:
            new.append(event)
        elif (period.start_date, period.end_date) != (event.start_date, event.end_date):
            with _conflicts_into(outcome, event):
                agenda_period_update(
                    period=period, start_date=event.start_date, end_date=event.end_date
                )
                outcome.moved += 1
    _create_all(calendar, new, outcome)
    return outcome


class _conflicts_into:  # noqa: N801 - used as a statement: ``with _conflicts_into(...)``
    """Records a clash refused by the calendar service as a conflict of ``event``."""

    def __init__(self, outcome: SyncOutcome, event):
        self.outcome, self.event = outcome, event

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, PeriodClash):
            detail = exc.message
        elif isinstance(exc, IntegrityError):  # the service's savepoint has rolled it back
            detail = (
                "Another calendar of this rentable has already imported an event with this UID."
            )
        else:
            return False
        self.outcome.conflicts.append(
            {
                "uid": self.event.uid,
                "start_date": self.event.start_date.isoformat(),
                "end_date": self.event.end_date.isoformat(),
                "detail": detail,
            }
        )
        return True


def _create_all(calendar: ExternalCalendar, events: list, outcome: SyncOutcome) -> None:
    """Creates the periods of new events in bulk, in feed order, keeping the calendar's
    guarantee; the rows that cannot go in bulk go through the service one at a time."""
    if not events:
        return
    first = min(event.start_date for event in events)
    last = max(event.end_date for event in events)
    now = timezone.now()
    # Expired holds give their dates up, as they do for a single write (period_claim).
    AgendaPeriod.objects.filter(
        rentable_id=calendar.rentable_id,
        blocking=True,
        expires_at__lte=now,
        start_date__lt=last,
        end_date__gt=first,
    ).update(blocking=False, updated_at=now)
    taken = sorted(
        AgendaPeriod.objects.filter(
            rentable_id=calendar.rentable_id, blocking=True, start_date__lt=last, end_date__gt=first
        ).values_list("start_date", "end_date")
    )
    # Blocking periods never overlap, so sorted by start they are sorted by end as well and
    # only the last one starting before an event's end can overlap it.
    starts = [start for start, _ in taken]
    ends = [end for _, end in taken]
    free, refused = [], []
    for event in events:
        i = bisect.bisect_left(starts, event.end_date)
        if i and ends[i - 1] > event.start_date:
            refused.append(event)
            continue
        starts.insert(i, event.start_date)
        ends.insert(i, event.end_date)
        free.append(event)
    emit = listened(calendar.administration, "agenda_period.created")
    for offset in range(0, len(free), BATCH):
        batch = free[offset : offset + BATCH]
        rows = [
            AgendaPeriod(
                administration_id=calendar.administration_id,
                rentable_id=calendar.rentable_id,
                period_type=PeriodType.EXTERNAL_BLOCKED,
                start_date=event.start_date,
                end_date=event.end_date,
                label=event.summary or calendar.name,
                ical_uid=event.uid,
                external_calendar=calendar,
            )
            for event in batch
        ]
        try:
            with transaction.atomic():  # a savepoint: a refused batch leaves the rest usable
                created = AgendaPeriod.objects.bulk_create(rows)
        except IntegrityError:
            # A concurrent write took some of these dates (the exclusion constraint), or a UID
            # is another feed's on this rentable: this batch one at a time, naming each clash.
            refused.extend(batch)
            continue
        outcome.created += len(created)
        if emit:
            for period in created:
                event_emit(
                    "agenda_period.created", instance=period, administration=calendar.administration
                )
    for event in refused:
        with _conflicts_into(outcome, event):
            agenda_period_create(
                administration=calendar.administration,
                rentable=calendar.rentable,
                period_type=PeriodType.EXTERNAL_BLOCKED,
                start_date=event.start_date,
                end_date=event.end_date,
                label=event.summary or calendar.name,
                ical_uid=event.uid,
                external_calendar=calendar,
            )
            outcome.created += 1


def _conflict_key(conflict: dict) -> tuple:
    return conflict["uid"], conflict["start_date"], conflict["end_date"]


def _conflict_changes(before: list[dict], after: list[dict]) -> tuple[list[dict], list[dict]]:
    """(added, resolved) between two conflict lists; a conflict is its UID and dates."""
    before_keys = {_conflict_key(conflict) for conflict in before}
    after_keys = {_conflict_key(conflict) for conflict in after}
    added = [conflict for conflict in after if _conflict_key(conflict) not in before_keys]
    resolved = [conflict for conflict in before if _conflict_key(conflict) not in after_keys]
    return added, resolved


def _record(calendar: ExternalCalendar, outcome: SyncOutcome) -> None:
    now = timezone.now()
    added, resolved = [], []
    if outcome.ok and not outcome.not_modified:
        added, resolved = _conflict_changes(calendar.conflicts or [], outcome.conflicts)
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
            if added or resolved:
                event_emit(
                    "external_calendar.conflict",
                    instance=None,
                    administration=administration,
                    data=_conflict_payload(calendar, added, resolved),
                )
        else:
            event_emit("external_calendar.failed", instance=calendar, administration=administration)


def _conflict_payload(calendar: ExternalCalendar, added: list, resolved: list) -> dict:
    """Only what changed: the calendar's conflicts that are new and those that are gone (the
    whole list stays on the calendar resource)."""
    return {
        "type": "external_calendar",
        "id": str(calendar.pk),
        "attributes": {"conflicts_added": added, "conflicts_resolved": resolved},
        "relationships": {
            "rentable": {"data": {"type": "rentable", "id": str(calendar.rentable_id)}}
        },
    }


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
