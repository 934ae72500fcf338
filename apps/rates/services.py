"""Writes of the price list.

Every write locks the category's row first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
the transaction holds the database's write lock from its first statement, ``BEGIN
IMMEDIATE``): writers of one category's rates go one after the other, so the overlap check and
the category's price summary (``prices_updated_at``, ``last_date_with_price``) never read a
snapshot another writer is about to change. That lock is what keeps rates from overlapping;
every door (the API, Atomic Operations, the back-office) writes through these services.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DateField, Max, Value, When
from django.utils import timezone

from apps.core.deletion import instance_delete
from apps.core.models import EXCLUSIVE_END_ORDER
from apps.core.resources import resource_object
from apps.core.services import bulk_insert, for_item, instances_clean, overlapping
from apps.rates.exceptions import RateClash
from apps.rates.models import Rate
from apps.rentables.models import Category
from apps.rentables.services import category_check
from apps.webhooks.outbox import batched, events_emit
from apps.webhooks.services import before_update, emit_update, event_emit, listened

BULK_BATCH_SIZE = 2000  # rows per INSERT statement of a bulk write (where they are batched)


def _lock_categories(*category_ids: int) -> None:
    ids = sorted(set(category_ids))  # one order for every writer: no deadlock
    list(Category.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))


def find_rate_clash(rate: Rate) -> Rate | None:
    """The first other rate of the category, for the same minimum stay, sharing a night."""
    queryset = Rate.objects.filter(
        category_id=rate.category_id,
        start_date__lt=rate.end_date,
        end_date__gt=rate.start_date,
    )
    if rate.minimum_number_of_nights is None:
        queryset = queryset.filter(minimum_number_of_nights__isnull=True)
    else:
        queryset = queryset.filter(minimum_number_of_nights=rate.minimum_number_of_nights)
    if rate.pk is not None:
        queryset = queryset.exclude(pk=rate.pk)
    return queryset.order_by("start_date", "pk").first()


def _stays(rate: Rate) -> str:
    minimum = rate.minimum_number_of_nights
    return f"stays of at least {minimum} nights" if minimum else "stays of any length"


def _clash_error(clash: Rate) -> RateClash:
    if clash.pk is None:  # another rate of the same bulk write
        return RateClash(
            f"The dates clash with another new rate ({clash.start_date} to {clash.end_date}, "
            f"{_stays(clash)}) of category {clash.category_id} in the same write.",
            clash=clash,
        )
    return RateClash(
        f"The dates clash with rate {clash.pk} ({clash.start_date} to {clash.end_date}, "
        f"{_stays(clash)}) of category {clash.category_id}.",
        clash=clash,
    )


def _validate(rate: Rate) -> None:
    if rate.start_date >= rate.end_date:
        raise ValidationError({"end_date": EXCLUSIVE_END_ORDER})
    # The no-overlap rule is the service's (a 409 naming the clash), not a field error.
    rate.full_clean(validate_constraints=False)


def _save(rate: Rate) -> Rate:
    """Saves ``rate`` unless it overlaps a rate of the same minimum: then 409 naming it."""
    _validate(rate)
    clash = find_rate_clash(rate)  # the category is locked: no writer can slip in between
    if clash is not None:
        raise _clash_error(clash)
    rate.save()
    return rate


def category_prices_refresh(*, category_ids, now: dt.datetime | None = None) -> None:
    """Sets each category's ``prices_updated_at`` (now) and ``last_date_with_price`` (the
    last night any of its rates covers, or null). Call inside the writing transaction, after
    the rates are written."""
    now = now or timezone.now()
    ends = dict(
        Rate.objects.filter(category_id__in=list(category_ids))
        .order_by()
        .values("category_id")
        .annotate(last=Max("end_date"))
        .values_list("category_id", "last")
    )
    ids = sorted(set(category_ids))
    lasts = {i: ends[i] - dt.timedelta(days=1) for i in ids if ends.get(i) is not None}
    last = Value(None, output_field=DateField())
    if lasts:  # one statement for every category of the write
        whens = [When(pk=i, then=Value(day, output_field=DateField())) for i, day in lasts.items()]
        last = Case(*whens, default=last, output_field=DateField())
    Category.objects.filter(pk__in=ids).update(
        prices_updated_at=now, last_date_with_price=last, updated_at=now
    )


@transaction.atomic
def rate_create(*, administration, category, **attributes) -> Rate:
    """Adds a rate (409 when it overlaps one of the same minimum stay); refreshes the
    category's price summary; emits rate.created after commit."""
    category_check(administration, category)
    _lock_categories(category.pk)
    rate = _save(Rate(administration=administration, category=category, **attributes))
    category_prices_refresh(category_ids=[category.pk])
    event_emit("rate.created", instance=rate, administration=administration)
    return rate


@transaction.atomic
@batched
def rate_bulk_create(*, administration, items: list[dict]) -> list[Rate]:
    """Adds many rates at once (``items``: ``rate_create``'s keyword arguments each), all or
    none, with ``rate_create``'s checks: a refusal carries ``item_index``, the first item
    refused being the one a run of single writes in that order would have stopped at. An
    overlap with a stored rate, or with an earlier item of the same write, is the same 409.

    In a fixed number of queries: the categories locked and their stored rates in the
    window read once each, one insert (per ``BULK_BATCH_SIZE`` rows off PostgreSQL), each
    category's price summary refreshed once. Emits one rate.created per rate; returns the
    rates in the order given."""
    rates = []
    for index, attributes in enumerate(items):
        with for_item(index):
            category_check(administration, attributes["category"])
            rates.append(Rate(administration=administration, **attributes))
    if not rates:
        return rates
    misordered = next((i for i, r in enumerate(rates) if r.start_date >= r.end_date), None)
    # The relations were resolved by the caller; no query per row to re-check them.
    instances_clean(rates[:misordered], exclude=["administration", "category"])
    if misordered is not None:
        with for_item(misordered):
            raise ValidationError({"end_date": EXCLUSIVE_END_ORDER})
    category_ids = {rate.category_id for rate in rates}
    _lock_categories(*category_ids)
    _clashes_refuse(rates)
    bulk_insert(rates, batch_size=BULK_BATCH_SIZE)
    category_prices_refresh(category_ids=category_ids)
    events_emit("rate.created", instances=rates, administration=administration)
    return rates


def _clashes_refuse(rates: list[Rate]) -> None:
    """``find_rate_clash`` for each new rate, in order, against the stored rates (read in one
    query) and the earlier new ones: the first that clashes raises its 409."""
    stored = defaultdict(list)  # (category, minimum or 0) → rates, disjoint, by start date
    rows = Rate.objects.filter(
        category_id__in={rate.category_id for rate in rates},
        start_date__lt=max(rate.end_date for rate in rates),
        end_date__gt=min(rate.start_date for rate in rates),
    ).order_by("start_date", "pk")
    for row in rows:
        stored[_key(row)].append(row)
    added = defaultdict(list)  # the same, for the new rates accepted so far
    for index, rate in enumerate(rates):
        key = _key(rate)
        clashes = [
            clash
            for rows in (stored[key], added[key])
            if (clash := next(overlapping(rows, rate.start_date, rate.end_date), None))
        ]
        if clashes:
            first = min(clashes, key=lambda c: (c.start_date, c.pk is None, c.pk or 0))
            with for_item(index):
                raise _clash_error(first)
        bisect.insort(added[key], rate, key=lambda r: r.start_date)


def _key(rate: Rate) -> tuple[int, int]:
    return rate.category_id, rate.minimum_number_of_nights or 0


@transaction.atomic
def rate_update(*, rate: Rate, **attributes) -> Rate:
    """Changes a rate (409 on overlap); refreshes the price summary of its category (both,
    when it moves to another); emits rate.updated with the changes."""
    before = before_update(rate, rate.administration, "rate.updated")
    previous_category_id = rate.category_id
    if "category" in attributes:
        category_check(rate.administration, attributes["category"])
    for name, value in attributes.items():
        setattr(rate, name, value)
    _lock_categories(previous_category_id, rate.category_id)
    _save(rate)
    category_prices_refresh(category_ids=[previous_category_id, rate.category_id])
    emit_update("rate.updated", instance=rate, administration=rate.administration, before=before)
    return rate


@transaction.atomic
def rate_delete(*, rate: Rate) -> None:
    """Removes a rate (leaves a tombstone); refreshes the category's price summary; emits
    rate.deleted with its last state."""
    administration, category_id = rate.administration, rate.category_id
    _lock_categories(category_id)
    data = resource_object(rate) if listened(administration, "rate.deleted") else None
    instance_delete(instance=rate)  # leaves its tombstone (registered in apps.rates.apps)
    category_prices_refresh(category_ids=[category_id])
    if data is not None:
        event_emit("rate.deleted", instance=None, administration=administration, data=data)
