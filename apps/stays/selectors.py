"""Reads of stay rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from apps.stays import rules
from apps.stays.models import StayRule


def stay_rule_list(*, administration) -> QuerySet:
    return StayRule.objects.filter(administration=administration).select_related("category")


@dataclass(frozen=True, slots=True)
class Override:
    """A stay rule as the rules read it (``apps.stays.rules``): its values, no model row."""

    pk: int
    category_id: int
    start_date: dt.date
    end_date: dt.date
    minimum_number_of_nights: int | None
    maximum_number_of_nights: int | None
    arrival_weekdays: list[str]
    departure_weekdays: list[str]
    closed_to_arrival: bool
    closed_to_departure: bool


_OVERRIDE_FIELDS = tuple(f.name for f in fields(Override))


def stay_rules_by_category(
    *, category_ids, first: dt.date, last: dt.date, dates: Iterable[dt.date] | None = None
) -> dict[int, list[Override]]:
    """The stay rules of the categories covering any date in [first, last] (only those
    covering one of ``dates`` when given: a stay is judged by the rules at its arrival and
    departure), in one query."""
    found: dict[int, list[Override]] = defaultdict(list)
    rows = StayRule.objects.filter(
        category_id__in=list(category_ids), start_date__lte=last, end_date__gt=first
    )
    if dates is not None:
        rows = rows.filter(
            reduce(or_, (Q(start_date__lte=date, end_date__gt=date) for date in dates))
        )
    for values in rows.values_list(*_OVERRIDE_FIELDS):
        found[values[1]].append(Override(*values))
    return found


def categories_with_stay_rules(queryset: QuerySet, arrival: dt.date, departure: dt.date):
    """The categories of ``queryset`` in id order, each with ``rules_for_stay``: its rules for the
    stay [arrival, departure), overridden by the stay rules winning at the arrival and at the
    departure (``rules.rules_at``, as the booking service resolves them). Two plain queries:
    the categories, and the stay rules covering the stay's dates."""
    categories = list(queryset.order_by("pk"))
    overrides = stay_rules_by_category(
        category_ids=[c.pk for c in categories],
        first=arrival,
        last=departure,
        dates=(arrival, departure),
    )
    for category in categories:
        category.rules_for_stay = rules.rules_at(
            rules.category_rules(category), overrides.get(category.pk, ()), arrival, departure
        )
    return categories
