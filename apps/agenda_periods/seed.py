"""Demo calendar for ``seed_demo``: maintenance and external blocks on a few rentables."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.administrations.models import Administration
from apps.agenda_periods.models import AgendaPeriod, PeriodType


def seed_calendar(administration: Administration) -> None:
    """Idempotent: periods are keyed by a stable iCal UID; dates follow today's date."""
    rentables = list(administration.rentables.order_by("pk")[:6])
    today = timezone.localdate()
    plans = [
        (PeriodType.MAINTENANCE, "Annual maintenance", 3, 5),
        (PeriodType.EXTERNAL_BLOCKED, "Booked on another platform", 10, 7),
        (PeriodType.MAINTENANCE, "New kitchen", 21, 10),
    ]
    for index, rentable in enumerate(rentables):
        period_type, label, offset, nights = plans[index % len(plans)]
        start = today + dt.timedelta(days=offset + index)
        AgendaPeriod.objects.update_or_create(
            ical_uid=f"demo-{administration.pk}-{rentable.pk}@seed.holidaypark.local",
            defaults={
                "administration": administration,
                "rentable": rentable,
                "period_type": period_type,
                "label": label,
                "start_date": start,
                "end_date": start + dt.timedelta(days=nights),
            },
        )
