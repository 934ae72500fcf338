"""Date-bounded overrides of a category's stay rules (channel managers' MinLOS, CTA, CTD…)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from apps.core.models import StringListField, TimeStampedModel
from apps.rentables.models import validate_weekdays


class StayRule(TimeStampedModel):
    """Overrides the category's rules for arrivals in [start_date, end_date).

    Where two stay rules cover a date, the one with the shorter range wins (see
    ``apps.stays.rules.winning_override``).
    """

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="stay_rules"
    )
    category = models.ForeignKey(
        "rentables.Category", on_delete=models.CASCADE, related_name="stay_rules"
    )
    start_date = models.DateField()
    end_date = models.DateField(help_text="Exclusive: the first date not covered.")
    minimum_number_of_nights = models.PositiveIntegerField(null=True, blank=True)
    maximum_number_of_nights = models.PositiveIntegerField(null=True, blank=True)
    arrival_weekdays = StringListField(validators=[validate_weekdays])
    departure_weekdays = StringListField(validators=[validate_weekdays])
    closed_to_arrival = models.BooleanField(default=False)
    closed_to_departure = models.BooleanField(default=False)

    class JSONAPIMeta:
        resource_name = "stay_rule"

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["category", "end_date"], name="stay_rule_category_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lt=F("end_date")), name="stay_rule_starts_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"Stay rule {self.start_date}–{self.end_date} for category {self.category_id}"
