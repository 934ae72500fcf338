"""The one place that decides whether a stay may be booked now, and if not, why."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.selectors import holding_now
from apps.core.deletion import instance_delete
from apps.core.models import EXCLUSIVE_END_ORDER
from apps.core.resources import resource_object
from apps.core.services import bulk_insert, for_item, instances_clean
from apps.rentables.models import Rentable
from apps.rentables.services import category_check
from apps.stays import rules as stay_rules
from apps.stays.exceptions import StayNotAllowed
from apps.stays.models import StayRule
from apps.stays.selectors import stay_rules_by_category
from apps.webhooks.outbox import batched, events_emit
from apps.webhooks.services import before_update, emit_update, event_emit, listened

BULK_BATCH_SIZE = 2000  # rows per INSERT statement of a bulk write


def moment_for(administration, at: dt.datetime | None = None) -> stay_rules.Moment:
    """``at`` (default: now) as the administration's local date and the UTC date and time."""
    at = at or timezone.now()
    local = at.astimezone(zoneinfo.ZoneInfo(administration.timezone))
    utc = at.astimezone(dt.UTC)
    return stay_rules.Moment(today=local.date(), utc_time=utc.time(), utc_date=utc.date())


def _neighbours(rentable_id, gap, arrival, departure, exclude_period_id):
    """Other guests' stays ending or starting within ``gap`` nights of this one."""
    queryset = AgendaPeriod.objects.filter(
        holding_now(),
        rentable_id=rentable_id,
        period_type=PeriodType.RESERVATION,
        start_date__lt=departure + dt.timedelta(days=gap),
        end_date__gt=arrival - dt.timedelta(days=gap),
    )
    if exclude_period_id is not None:
        queryset = queryset.exclude(pk=exclude_period_id)
    return list(queryset.values_list("start_date", "end_date"))


def stay_refusal(
    *,
    rentable: Rentable,
    arrival_date: dt.date,
    departure_date: dt.date,
    at: dt.datetime | None = None,
    exclude_period_id: int | None = None,
) -> StayNotAllowed | None:
    """Why the stay [arrival_date, departure_date) on ``rentable`` may not be booked at ``at``
    (default now), or None when it may. Overlaps are not judged (the calendar's 409).

    Reads only. When the category asks for a turnover gap it locks the rentable's row first
    (``SELECT … FOR UPDATE``), so two stays on one rentable are judged one after the other:
    call it inside the transaction that then claims the dates. On SQLite that transaction
    holds the database's write lock already.
    """
    category = rentable.category
    base = stay_rules.category_rules(category, rentable)
    overrides = stay_rules_by_category(
        category_ids=[category.pk],
        first=arrival_date,
        last=departure_date,
        dates=(arrival_date, departure_date),
    ).get(category.pk, [])
    resolved = stay_rules.rules_at(base, overrides, arrival_date, departure_date)
    moment = moment_for(rentable.administration, at)
    found = stay_rules.refusal(resolved, arrival_date, departure_date, moment)
    if found is not None or not resolved.turnover_gap_nights:
        return found
    gap = resolved.turnover_gap_nights
    Rentable.objects.select_for_update().filter(pk=rentable.pk).values_list("pk").first()
    neighbours = _neighbours(rentable.pk, gap, arrival_date, departure_date, exclude_period_id)
    return stay_rules.gap_refusal(gap, arrival_date, departure_date, neighbours)


def rentables_lock(*, rentable_ids) -> None:
    """Locks, in id order, the rows of those ``rentable_ids`` whose category asks for a
    turnover gap: the rows ``stay_refusal`` locks one stay at a time.

    A write judging several stays calls it first (inside its transaction), so two writes
    over the same rentables queue on the lowest id instead of each holding one row the
    other waits for (a deadlock). On SQLite the transaction's write lock already does it.
    """
    ids = sorted({pk for pk in rentable_ids if pk is not None})
    if len(ids) < 2:
        return  # one row: no order to keep
    list(
        Rentable.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, category__turnover_gap_nights__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def stay_check(**kwargs) -> None:
    """``stay_refusal`` raising ``StayNotAllowed`` instead of returning it."""
    found = stay_refusal(**kwargs)
    if found is not None:
        raise found


# -- stay rules (the date-bounded overrides) ------------------------------------------------


@transaction.atomic
def stay_rule_create(*, administration, category, **attributes) -> StayRule:
    """Adds an override; emits stay_rule.created after commit."""
    category_check(administration, category)
    rule = StayRule(administration=administration, category=category, **attributes)
    rule.full_clean()
    rule.save()
    event_emit("stay_rule.created", instance=rule, administration=administration)
    return rule


@transaction.atomic
@batched
def stay_rule_bulk_create(*, administration, items: list[dict]) -> list[StayRule]:
    """Adds many overrides at once (``items``: ``stay_rule_create``'s keyword arguments each),
    with bulk inserts; all or none. Checks each as ``stay_rule_create`` does (a refusal carries
    ``item_index``), emits one stay_rule.created per rule, stored with the write. Returns the
    rules in the order given."""
    rules = []
    for index, attributes in enumerate(items):
        with for_item(index):
            category_check(administration, attributes["category"])
            rules.append(StayRule(administration=administration, **attributes))
    # The relations were resolved by the caller; no query per row to re-check them.
    instances_clean(rules, exclude=["administration", "category"])
    for index, rule in enumerate(rules):
        if rule.start_date >= rule.end_date:
            with for_item(index):
                raise ValidationError({"end_date": EXCLUSIVE_END_ORDER})
    bulk_insert(rules, batch_size=BULK_BATCH_SIZE)
    events_emit("stay_rule.created", instances=rules, administration=administration)
    return rules


@transaction.atomic
def stay_rule_update(*, rule: StayRule, **attributes) -> StayRule:
    """Changes an override; emits stay_rule.updated with the changes."""
    before = before_update(rule, rule.administration, "stay_rule.updated")
    if "category" in attributes:
        category_check(rule.administration, attributes["category"])
    for name, value in attributes.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    emit_update(
        "stay_rule.updated", instance=rule, administration=rule.administration, before=before
    )
    return rule


@transaction.atomic
def stay_rule_delete(*, rule: StayRule) -> None:
    """Removes an override (leaves a tombstone); emits stay_rule.deleted with its last state."""
    administration = rule.administration
    data = resource_object(rule) if listened(administration, "stay_rule.deleted") else None
    instance_delete(instance=rule)  # leaves its tombstone (registered in apps.stays.apps)
    if data is not None:
        event_emit("stay_rule.deleted", instance=None, administration=administration, data=data)
