"""A category's price list: nightly rates over date ranges, optionally for longer stays only."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from apps.core.models import TimeStampedModel


class Rate(TimeStampedModel):
    """Prices each night in [start_date, end_date) of every rentable of the category.

    With ``minimum_number_of_nights`` it applies only to stays of at least that many nights;
    where several rates cover a night of a stay, the applicable one with the highest minimum
    wins (``apps.rates.selectors.stay_prices``). Two rates of one category with the same
    minimum (no minimum counting as one value) may not share a night.
    """

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="rates"
    )
    category = models.ForeignKey(
        "rentables.Category", on_delete=models.CASCADE, related_name="rates"
    )
    start_date = models.DateField()
    end_date = models.DateField(help_text="Exclusive: the first night not priced.")
    price_per_night = models.DecimalField(max_digits=12, decimal_places=2)
    minimum_number_of_nights = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class JSONAPIMeta:
        resource_name = "rate"

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["category", "end_date"], name="rate_category_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lt=F("end_date")), name="rate_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(price_per_night__gte=Decimal(0)), name="rate_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(minimum_number_of_nights__isnull=True)
                | Q(minimum_number_of_nights__gte=1),
                name="rate_minimum_at_least_one",
            ),
            # No overlap of one category's rates for one minimum stay is the services' rule,
            # checked under a lock on the category's row (``apps.rates.services``), as
            # agreements are. An exclusion constraint cost 0.6 s of GiST checks per 18,250
            # nightly rates in a bulk write, for a rule every door already keeps.
        ]

    def __str__(self) -> str:
        return f"Rate {self.start_date}–{self.end_date} for category {self.category_id}"
