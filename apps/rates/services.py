"""Writes of the price list.

Every write locks the category's row first: writers of one category's rates go one after the
other, so the overlap check and the category's price summary (``prices_updated_at``,
``last_date_with_price``) never read a snapshot another writer is about to change. The
exclusion constraint on PostgreSQL refuses an overlap whatever the timing; on SQLite the
transaction holds the database's write lock from its first statement (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.core.deletion import instance_delete
from apps.core.resources import resource_object
from apps.rates.exceptions import RateClash
from apps.rates.models import Rate
from apps.rentables.models import Category
from apps.webhooks.services import before_update, emit_update, event_emit, listened


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


def _clash_error(clash: Rate) -> RateClash:
    minimum = clash.minimum_number_of_nights
    stays = f"stays of at least {minimum} nights" if minimum else "stays of any length"
    return RateClash(
        f"The dates clash with rate {clash.pk} ({clash.start_date} to {clash.end_date}, "
        f"{stays}) of category {clash.category_id}.",
        clash=clash,
    )


def _validate(rate: Rate) -> None:
    if rate.start_date >= rate.end_date:
        raise ValidationError({"end_date": "end_date must be after start_date (it is exclusive)."})
    # The no-overlap rule is the service's (a 409 naming the clash), not a field error.
    rate.full_clean(validate_constraints=False)


def _save(rate: Rate) -> Rate:
    """Saves ``rate`` unless it overlaps a rate of the same minimum: then 409 naming it."""
    _validate(rate)
    clash = find_rate_clash(rate)
    if clash is not None:
        raise _clash_error(clash)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            rate.save()
    except IntegrityError:
        clash = find_rate_clash(rate)  # lost a race against the constraint: name the winner
        if clash is None:
            raise
        raise _clash_error(clash) from None
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
    for category_id in set(category_ids):
        end = ends.get(category_id)
        Category.objects.filter(pk=category_id).update(
            prices_updated_at=now,
            last_date_with_price=None if end is None else end - dt.timedelta(days=1),
            updated_at=now,
        )


def _check_category(administration, category) -> None:
    if category.administration_id != administration.pk:
        raise ValidationError({"category": "The category belongs to another administration."})


@transaction.atomic
def rate_create(*, administration, category, **attributes) -> Rate:
    """Adds a rate (409 when it overlaps one of the same minimum stay); refreshes the
    category's price summary; emits rate.created after commit."""
    _check_category(administration, category)
    _lock_categories(category.pk)
    rate = _save(Rate(administration=administration, category=category, **attributes))
    category_prices_refresh(category_ids=[category.pk])
    event_emit("rate.created", instance=rate, administration=administration)
    return rate


@transaction.atomic
def rate_update(*, rate: Rate, **attributes) -> Rate:
    """Changes a rate (409 on overlap); refreshes the price summary of its category (both,
    when it moves to another); emits rate.updated with the changes."""
    before = before_update(rate, rate.administration, "rate.updated")
    previous_category_id = rate.category_id
    if "category" in attributes:
        _check_category(rate.administration, attributes["category"])
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
