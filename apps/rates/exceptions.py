"""Refusals of the price list."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from apps.core.exceptions import Conflict


class RateClash(Conflict):
    """A rate shares a night with another rate of its category for the same minimum stay;
    ``clash`` is that rate."""

    def __init__(self, message: str, *, clash=None, field: str | None = None):
        super().__init__(message, field=field)
        self.clash = clash


class StayNotPriced(ValidationError):
    """A stay in a category that keeps prices here has a night no rate covers, and the
    client sent no price of its own. Keyed by ``arrival_date`` like a stay rule's refusal."""

    def __init__(self, night: dt.date, *, category_id: int, field: str = "arrival_date"):
        message = (
            f"Category {category_id} has no rate for the night of {night.isoformat()}; "
            "send a rent_price or add a rate."
        )
        super().__init__({field: [ValidationError(message, code="no_rate")]})
        self.night = night
        self.field = field
