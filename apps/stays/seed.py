"""Demo stay rules (``seed_demo``): a summer season of whole weeks, a short Easter minimum,
no arrivals around Christmas."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.administrations.models import Administration
from apps.stays.models import StayRule
from apps.stays.services import stay_rule_create


def _rules(year: int) -> list[dict]:
    return [
        {"start_date": dt.date(year, 7, 1), "end_date": dt.date(year, 9, 1),
         "minimum_number_of_nights": 7, "arrival_weekdays": ["saturday"],
         "departure_weekdays": ["saturday"]},
        {"start_date": dt.date(year, 7, 18), "end_date": dt.date(year, 7, 25),
         "minimum_number_of_nights": 14},
        {"start_date": dt.date(year, 4, 1), "end_date": dt.date(year, 4, 21),
         "minimum_number_of_nights": 3},
        {"start_date": dt.date(year, 12, 24), "end_date": dt.date(year, 12, 27),
         "closed_to_arrival": True, "closed_to_departure": True},
    ]  # fmt: skip


def seed_stay_rules(administration: Administration) -> None:
    """Idempotent: one rule per category and range, next year's, for the first two categories."""
    year = timezone.localdate().year + 1
    for category in administration.categories.order_by("pk")[:2]:
        for rule in _rules(year):
            exists = StayRule.objects.filter(
                category=category, start_date=rule["start_date"], end_date=rule["end_date"]
            ).exists()
            if not exists:
                stay_rule_create(administration=administration, category=category, **rule)
