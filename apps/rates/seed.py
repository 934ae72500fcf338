"""Demo rates (``seed_demo``): a year of nightly prices per category, in three seasons, and a
cheaper nightly price from seven nights. The last category keeps no prices here (its quotes
are null, as for a park that prices elsewhere)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.administrations.models import Administration
from apps.rates.services import rate_create

# (first day, last day exclusive, share of the base price), in days from today
SEASONS = ((-30, 60, Decimal("1.00")), (60, 150, Decimal("1.40")), (150, 400, Decimal("0.90")))


def seed_rates(administration: Administration) -> None:
    """Idempotent: a category that has rates already is left alone."""
    today = timezone.localdate()
    categories = list(administration.categories.order_by("pk"))
    for index, category in enumerate(categories[:-1]):
        if category.rates.exists():
            continue
        base = Decimal(80 + 15 * index)
        for first, last, share in SEASONS:
            rate_create(
                administration=administration,
                category=category,
                start_date=today + dt.timedelta(days=first),
                end_date=today + dt.timedelta(days=last),
                price_per_night=(base * share).quantize(Decimal("0.01")),
            )
        rate_create(
            administration=administration,
            category=category,
            start_date=today + dt.timedelta(days=-30),
            end_date=today + dt.timedelta(days=400),
            price_per_night=(base * Decimal("0.85")).quantize(Decimal("0.01")),
            minimum_number_of_nights=7,
        )
