"""Private owners of rentables, and the agreements under which the park rents them out."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from apps.core.localization import LOCALES
from apps.core.models import TimeStampedModel
from apps.customers.validators import validate_country_code, validate_iban

OWNER_FLAGS = (
    "owner_reservable", "owner_can_make_reservation_on_irregular_price_periods",
    "owner_can_view_availability", "owner_can_view_reservations", "owner_can_view_contact_data",
    "owner_can_view_order", "owner_can_view_invoice", "owner_can_view_rent_amount",
    "owner_can_view_settlements", "owner_should_check_reservations",
    "owner_can_edit_agenda_periods", "owner_can_view_rentable_details",
    "owner_can_create_pricing_change_request", "owner_can_view_guest_details",
    "owner_can_view_guest_memo", "can_promote", "can_view_reviews",
)  # fmt: skip


class Owner(TimeStampedModel):
    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="owners"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    locale = models.CharField(max_length=5, blank=True, choices=[(loc, loc) for loc in LOCALES])
    iban = models.CharField(max_length=34, blank=True, validators=[validate_iban])
    address = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=20, blank=True)
    postalcode = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, blank=True, validators=[validate_country_code])

    class JSONAPIMeta:
        resource_name = "owner"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Agreement(TimeStampedModel):
    """An owner's agreement for one rentable over a period (``active_till`` empty: open-ended)."""

    class Frequency(models.TextChoices):
        ANYTIME = "anytime"
        MONTHLY = "monthly"
        QUARTERLY = "quarterly"
        HALFYEARLY = "halfyearly"
        YEARLY = "yearly"

    class SettlementMethod(models.TextChoices):
        END_DATE = "end_date"
        START_DATE = "start_date"
        OVERLAPPING = "overlapping"
        CONFIRMED_DATE = "confirmed_date"

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="agreements"
    )
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="agreements")
    rentable = models.ForeignKey(
        "rentables.Rentable", on_delete=models.CASCADE, related_name="agreements"
    )
    name = models.CharField(max_length=200, blank=True)
    active_from = models.DateField()
    active_till = models.DateField(null=True, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    settlement_method = models.CharField(
        max_length=14, choices=SettlementMethod.choices, default=SettlementMethod.END_DATE
    )
    owner_reservable = models.BooleanField(default=False)
    owner_can_make_reservation_on_irregular_price_periods = models.BooleanField(default=False)
    owner_can_view_availability = models.BooleanField(default=True)
    owner_can_view_reservations = models.BooleanField(default=True)
    owner_can_view_contact_data = models.BooleanField(default=False)
    owner_can_view_order = models.BooleanField(default=False)
    owner_can_view_invoice = models.BooleanField(default=False)
    owner_can_view_rent_amount = models.BooleanField(default=True)
    owner_can_view_settlements = models.BooleanField(default=True)
    owner_should_check_reservations = models.BooleanField(default=False)
    owner_can_edit_agenda_periods = models.BooleanField(default=False)
    owner_can_view_rentable_details = models.BooleanField(default=True)
    owner_can_create_pricing_change_request = models.BooleanField(default=False)
    owner_can_view_guest_details = models.BooleanField(default=False)
    owner_can_view_guest_memo = models.BooleanField(default=False)
    can_promote = models.BooleanField(default=False)
    can_view_reviews = models.BooleanField(default=False)

    class JSONAPIMeta:
        resource_name = "agreement"

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_till__isnull=True) | Q(active_till__gte=models.F("active_from")),
                name="agreement_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name or f"Agreement {self.pk}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_till is None or day <= self.active_till)


def active_on(day: dt.date) -> Q:
    return Q(active_from__lte=day) & (Q(active_till__isnull=True) | Q(active_till__gte=day))
