"""Reads of stay rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet

from apps.stays import rules
from apps.stays.models import StayRule


def stay_rule_list(*, administration) -> QuerySet:
    return StayRule.objects.filter(administration=administration).select_related("category")


def stay_rules_by_category(
    *, category_ids, first: dt.date, last: dt.date
) -> dict[int, list[StayRule]]:
    """The stay rules of the categories covering any date in [first, last], in one query."""
    found: dict[int, list[StayRule]] = defaultdict(list)
    rows = StayRule.objects.filter(
        category_id__in=list(category_ids), start_date__lte=last, end_date__gt=first
    ).only(
        "pk", "category_id", "start_date", "end_date", "minimum_number_of_nights",
        "maximum_number_of_nights", "arrival_weekdays", "departure_weekdays",
        "closed_to_arrival", "closed_to_departure",
    )  # fmt: skip
    for rule in rows:
        found[rule.category_id].append(rule)
    return found


def categories_with_stay_rules(queryset: QuerySet, arrival: dt.date, departure: dt.date):
    """The categories of ``queryset`` in id order, each with ``rules_for_stay``: its rules for the
    stay [arrival, departure), overridden by the stay rules winning at the arrival and at the
    departure (``rules.rules_at``, as the booking service resolves them). Two plain queries:
    the categories, and the stay rules covering the stay's dates."""
    categories = list(queryset.order_by("pk"))
    overrides = stay_rules_by_category(
        category_ids=[c.pk for c in categories], first=arrival, last=departure
    )
    for category in categories:
        category.rules_for_stay = rules.rules_at(
            rules.category_rules(category), overrides.get(category.pk, ()), arrival, departure
        )
    return categories
