"""Reads of stay rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet

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
