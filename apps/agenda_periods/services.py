"""Writes to the calendar. Every change of dates goes through ``period_claim``, which makes them
all-or-nothing and race-free: PostgreSQL's exclusion constraint refuses an overlapping row
whatever the timing; on SQLite the transaction holds the write lock from its first statement
(``BEGIN IMMEDIATE``), so the check before the write cannot interleave with another writer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.administrations.models import Administration
from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.core.deletion import instance_delete
from apps.core.exceptions import PeriodClash
from apps.core.resources import resource_object
from apps.core.services import bulk_insert, for_item, model_update, overlapping
from apps.rentables.models import Rentable
from apps.webhooks.outbox import batched, events_emit
from apps.webhooks.services import before_update, emit_update, event_emit, listened


def clash_error(clash: AgendaPeriod) -> PeriodClash:
    return PeriodClash(
        f"The dates clash with agenda period {clash.pk} ({clash.start_date} to {clash.end_date}, "
        f"{clash.period_type}) on rentable {clash.rentable_id}.",
        clash=clash,
    )


def find_clash(
    *, rentable_id: int, start_date: dt.date, end_date: dt.date, exclude_pk: int | None = None
) -> AgendaPeriod | None:
    """The first blocking period overlapping [start_date, end_date) on the rentable."""
    queryset = AgendaPeriod.objects.filter(
        rentable_id=rentable_id, blocking=True, start_date__lt=end_date, end_date__gt=start_date
    )
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.order_by("start_date", "pk").first()


def validate_dates(*, start_date: dt.date, end_date: dt.date) -> None:
    if start_date >= end_date:
        raise ValidationError(
            {"end_date": "end_date must be after start_date (the last night is end_date - 1)."}
        )
    horizon = timezone.localdate() + dt.timedelta(days=settings.AGENDA_HORIZON_DAYS)
    if end_date > horizon:
        raise ValidationError({"end_date": f"Dates may not go beyond {horizon.isoformat()}."})


def _release_expired_holds(*, rentable_id: int, start_date: dt.date, end_date: dt.date) -> None:
    """Options whose hold has expired give their dates up to whoever asks for them first."""
    AgendaPeriod.objects.filter(
        rentable_id=rentable_id,
        blocking=True,
        expires_at__lte=timezone.now(),
        start_date__lt=end_date,
        end_date__gt=start_date,
    ).update(blocking=False, updated_at=timezone.now())


def period_claim(period: AgendaPeriod) -> AgendaPeriod:
    """Saves ``period`` (new or changed) unless its dates clash: then 409 naming the clash.

    Must run inside the caller's transaction.
    """
    if period.blocking:
        _release_expired_holds(
            rentable_id=period.rentable_id, start_date=period.start_date, end_date=period.end_date
        )
        clash = find_clash(
            rentable_id=period.rentable_id,
            start_date=period.start_date,
            end_date=period.end_date,
            exclude_pk=period.pk,
        )
        if clash is not None:
            raise clash_error(clash)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            period.save()
    except IntegrityError:
        # Lost a race on PostgreSQL: the constraint refused the row. Name the winner.
        clash = find_clash(
            rentable_id=period.rentable_id,
            start_date=period.start_date,
            end_date=period.end_date,
            exclude_pk=period.pk,
        )
        if clash is None:
            raise
        raise clash_error(clash) from None
    return period


BULK_BATCH_SIZE = 2000  # rows per INSERT statement of a bulk write


def _clash_within(periods: list[AgendaPeriod]) -> None:
    """Two of the new periods on one rentable overlapping each other: the later one fails."""
    by_rentable = defaultdict(list)
    for index, period in enumerate(periods):
        by_rentable[period.rentable_id].append((period.start_date, period.end_date, index))
    for rows in by_rentable.values():
        rows.sort()
        for (start, end, first), (next_start, _, second) in pairwise(rows):
            if next_start < end:
                error = PeriodClash(
                    f"The dates clash with another new period ({start} to {end}) on rentable "
                    f"{periods[first].rentable_id} in the same write."
                )
                error.item_index = max(first, second)
                raise error


def periods_claim(periods: list[AgendaPeriod]) -> None:
    """``period_claim`` for many new blocking periods at once, in a fixed number of queries:
    one read of what holds those rentables in the window, one update releasing expired holds in
    the way, one insert per ``BULK_BATCH_SIZE`` rows. A clash raises ``PeriodClash`` with
    ``item_index``. Must run inside the caller's transaction."""
    _clash_within(periods)
    if not periods:
        return
    now = timezone.now()
    existing = AgendaPeriod.objects.filter(
        rentable_id__in={p.rentable_id for p in periods},
        blocking=True,
        start_date__lt=max(p.end_date for p in periods),
        end_date__gt=min(p.start_date for p in periods),
    ).order_by("start_date", "pk")
    holding, expired = defaultdict(list), defaultdict(list)
    for row in existing:
        gone = row.expires_at is not None and row.expires_at <= now
        (expired if gone else holding)[row.rentable_id].append(row)
    release = set()
    for index, period in enumerate(periods):
        clash = next(
            overlapping(holding[period.rentable_id], period.start_date, period.end_date), None
        )
        if clash is not None:
            error = clash_error(clash)
            error.item_index = index
            raise error
        gone = overlapping(expired[period.rentable_id], period.start_date, period.end_date)
        release.update(row.pk for row in gone)
    if release:
        AgendaPeriod.objects.filter(pk__in=release).update(blocking=False, updated_at=now)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            bulk_insert(periods, batch_size=BULK_BATCH_SIZE)
    except IntegrityError:
        # Lost a race on PostgreSQL: the constraint refused a row. Name the winner.
        for period in periods:
            period.pk = None
        for index, period in enumerate(periods):
            clash = find_clash(
                rentable_id=period.rentable_id,
                start_date=period.start_date,
                end_date=period.end_date,
            )
            if clash is not None:
                error = clash_error(clash)
                error.item_index = index
                raise error from None
        raise


def check_owner_rights(*, period_type: str, rentable: Rentable, start_date: dt.date) -> None:
    """An owner's own maintenance only while the rentable's agreement lets them
    (``NotPermitted`` otherwise), whichever door the period comes through."""
    if period_type == PeriodType.OWNER_MAINTENANCE:
        from apps.agreements.services import require_owner_agenda_rights

        require_owner_agenda_rights(rentable=rentable, start_date=start_date)


def _check_rentable(administration: Administration, rentable: Rentable) -> None:
    if rentable.administration_id != administration.pk:
        raise ValidationError({"rentable": "The rentable belongs to another administration."})


@transaction.atomic
@batched
def agenda_period_create(
    *,
    administration: Administration,
    rentable: Rentable,
    period_type: str,
    start_date: dt.date,
    end_date: dt.date,
    label: str = "",
    ical_uid: str | None = None,
    expires_at: dt.datetime | None = None,
    external_calendar=None,
) -> AgendaPeriod:
    """Blocks the rentable for [start_date, end_date). 409 when the dates are taken.

    All-or-nothing; safe to call concurrently for the same dates (exactly one wins).
    """
    check_owner_rights(period_type=period_type, rentable=rentable, start_date=start_date)
    _check_rentable(administration, rentable)
    validate_dates(start_date=start_date, end_date=end_date)
    period = AgendaPeriod(
        administration=administration,
        rentable=rentable,
        period_type=period_type,
        start_date=start_date,
        end_date=end_date,
        label=label,
        expires_at=expires_at,
        external_calendar=external_calendar,
    )
    if ical_uid:
        period.ical_uid = ical_uid
    period = period_claim(period)
    event_emit("agenda_period.created", instance=period, administration=administration)
    return period


@transaction.atomic
@batched
def agenda_period_bulk_create(
    *, administration: Administration, items: list[dict]
) -> list[AgendaPeriod]:
    """Blocks many date ranges at once (``items``: ``agenda_period_create``'s keyword arguments
    each), with the same checks, in a fixed number of queries (``periods_claim``); all or none.
    A refusal carries ``item_index``; emits one agenda_period.created per period. Returns the
    periods in the order given."""
    periods = []
    for index, item in enumerate(items):
        with for_item(index):
            rentable = item["rentable"]
            check_owner_rights(
                period_type=item["period_type"], rentable=rentable, start_date=item["start_date"]
            )
            _check_rentable(administration, rentable)
            validate_dates(start_date=item["start_date"], end_date=item["end_date"])
            periods.append(AgendaPeriod(administration=administration, **item))
    periods_claim(periods)
    events_emit("agenda_period.created", instances=periods, administration=administration)
    return periods


@transaction.atomic
@batched
def agenda_period_update(*, period: AgendaPeriod, **changes) -> AgendaPeriod:
    """Moves or relabels a period; a move onto taken dates is 409 and changes nothing."""
    check_owner_rights(
        period_type=period.period_type,
        rentable=changes.get("rentable", period.rentable),
        start_date=changes.get("start_date", period.start_date),
    )
    before = before_update(period, period.administration, "agenda_period.updated")
    if "rentable" in changes:
        _check_rentable(period.administration, changes["rentable"])
    model_update(period, changes, changes, save=False)  # period_claim saves
    validate_dates(start_date=period.start_date, end_date=period.end_date)
    period = period_claim(period)
    emit_update(
        "agenda_period.updated",
        instance=period,
        administration=period.administration,
        before=before,
    )
    return period


@transaction.atomic
@batched
def agenda_period_delete(*, period: AgendaPeriod) -> None:
    """Frees the dates at once; a tombstone and agenda_period.deleted (``announce_deleted``)."""
    instance_delete(instance=period)


def announce_deleted(period: AgendaPeriod) -> None:
    """Emits agenda_period.deleted for a period about to go, in the deleting transaction. Runs
    for cascades too (a rentable or an external calendar deleted with its periods)."""
    administration = period.administration
    if listened(administration, "agenda_period.deleted"):
        data = resource_object(period)
        event_emit("agenda_period.deleted", instance=None, administration=administration, data=data)


def rentable_has_future_reservations(rentable: Rentable) -> bool:
    return AgendaPeriod.objects.filter(
        rentable=rentable,
        period_type=PeriodType.RESERVATION,
        blocking=True,
        end_date__gt=timezone.localdate(),
    ).exists()


def rentable_has_reservations(rentable: Rentable) -> bool:
    return AgendaPeriod.objects.filter(
        rentable=rentable, period_type=PeriodType.RESERVATION
    ).exists()
