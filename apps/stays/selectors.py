"""Reads of stay rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
)

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


def _winning_at(date: dt.date) -> QuerySet:
    """The stay rule of the outer category winning at ``date`` (shortest range, then newest)."""
    length = ExpressionWrapper(F("end_date") - F("start_date"), output_field=DurationField())
    return StayRule.objects.filter(
        category_id=OuterRef("pk"), start_date__lte=date, end_date__gt=date
    ).order_by(length, "-pk")


def categories_with_stay_rules(queryset: QuerySet, arrival: dt.date, departure: dt.date):
    """Categories annotated with the overrides winning at the arrival and at the departure,
    in the same query (correlated subqueries), for ``rules.annotated_rules``."""
    at_arrival, at_departure = _winning_at(arrival), _winning_at(departure)
    return queryset.annotate(
        stay_rule_found=Exists(at_arrival),
        stay_rule_minimum=Subquery(at_arrival.values("minimum_number_of_nights")[:1]),
        stay_rule_maximum=Subquery(at_arrival.values("maximum_number_of_nights")[:1]),
        stay_rule_arrival_weekdays=Subquery(
            at_arrival.values("arrival_weekdays")[:1], output_field=JSONField()
        ),
        stay_rule_departure_weekdays=Subquery(
            at_arrival.values("departure_weekdays")[:1], output_field=JSONField()
        ),
        stay_rule_closed_to_arrival=Subquery(at_arrival.values("closed_to_arrival")[:1]),
        stay_rule_closed_to_departure=Subquery(at_departure.values("closed_to_departure")[:1]),
    )
