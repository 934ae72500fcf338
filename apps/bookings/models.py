"""Bookings (the cart) and reservations (one stay on one rentable)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from apps.core.localization import LOCALES
from apps.core.models import StringListField, TimeStampedModel


class State(models.TextChoices):
    """All 19 of the vendor's booking states, in its order."""

    CONCEPT = "concept"
    CONCEPT_TO_BE_ACCEPTED = "concept_to_be_accepted"
    CONCEPT_OPTION = "concept_option"
    CONCEPT_TO_BE_ACCEPTED_OPTION = "concept_to_be_accepted_option"
    TEMPORARY = "temporary"
    TEMPORARY_TO_BE_ACCEPTED = "temporary_to_be_accepted"
    TEMPORARY_TO_BE_CHECKED = "temporary_to_be_checked"
    TEMPORARY_TO_BE_ACCEPTED_AND_CHECKED = "temporary_to_be_accepted_and_checked"
    TEMPORARY_OPTION = "temporary_option"
    TEMPORARY_TO_BE_ACCEPTED_OPTION = "temporary_to_be_accepted_option"
    TO_BE_ACCEPTED = "to_be_accepted"
    TO_BE_ACCEPTED_OPTION = "to_be_accepted_option"
    TO_BE_CHECKED = "to_be_checked"
    TO_BE_ACCEPTED_AND_CHECKED = "to_be_accepted_and_checked"
    OPTION = "option"
    REJECTED = "rejected"
    CONFIRMED = "confirmed"
    IMPORTED = "imported"
    CANCELLED = "cancelled"


class Booking(TimeStampedModel):
    """A guest's cart: one or more reservations and what they cost together."""

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="bookings"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    owner = models.ForeignKey(
        "agreements.Owner", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    booking_nr = models.CharField(max_length=20)
    token = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=40, choices=State.choices, db_index=True)
    option_validity = models.PositiveIntegerField(null=True, blank=True, help_text="Days")
    option_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancel_date = models.DateField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    customer_desires_downpayment = models.BooleanField(default=False)
    after_payment_return_url = models.URLField(max_length=500, blank=True)
    redeemable_codes = StringListField()
    remote_booking_nr = models.CharField(max_length=100, blank=True)
    reference_nr = models.CharField(max_length=100, blank=True)
    locale = models.CharField(max_length=5, choices=[(loc, loc) for loc in LOCALES], default="en")
    memo = models.TextField(blank=True)
    currency = models.CharField(max_length=3)
    paid_by_customer = models.BooleanField(default=False)
    deposit_completed = models.BooleanField(default=False)
    owner_reservation = models.BooleanField(default=False)
    # Money, kept in step with the reservations by the booking services.
    rent_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # Rules carried from the back-office seeds (bookings-lifecycle.md §5).
    discount = models.CharField(max_length=20, blank=True, help_text="'10%' or an amount")
    notes = models.TextField(blank=True, max_length=6000)
    downpayment = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    damage_deposit = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    expected_checkin_time = models.CharField(max_length=5, blank=True)
    expected_checkout_time = models.CharField(max_length=5, blank=True)
    # The app whose credentials created the booking (channel-scoped visibility).
    owned_by_app = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class JSONAPIMeta:
        resource_name = "booking"

    class Meta:
        ordering = ["pk"]
        # The list's default order (id) within a tenant, for page numbers and cursors alike.
        indexes = [models.Index(fields=["administration", "id"], name="booking_list_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "booking_nr"], name="unique_booking_nr"
            )
        ]

    def __str__(self) -> str:
        return f"Booking {self.booking_nr}"


class Reservation(TimeStampedModel):
    """One stay on one rentable. While active it owns a ReservationAgendaPeriod."""

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="reservations"
    )
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reservations")
    rentable = models.ForeignKey(
        "rentables.Rentable", on_delete=models.PROTECT, related_name="reservations"
    )
    category = models.ForeignKey(
        "rentables.Category", on_delete=models.PROTECT, related_name="reservations"
    )
    agenda_period = models.OneToOneField(
        "agenda_periods.AgendaPeriod",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reservation",
    )
    arrival_date = models.DateField()
    departure_date = models.DateField()
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    babies = models.PositiveSmallIntegerField(default=0)
    pets = models.PositiveSmallIntegerField(default=0)
    rent_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    list_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The rent the category's rates give for this stay (null: not every night has "
        "a rate), computed when the stay is made or moved.",
    )
    state = models.CharField(max_length=40, choices=State.choices, db_index=True)
    remote_reservation_nr = models.CharField(max_length=100, blank=True)
    cancel_date = models.DateField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class JSONAPIMeta:
        resource_name = "reservation"

    class Meta:
        ordering = ["pk"]
        # The list's default order (id) within a tenant, for page numbers and cursors alike.
        indexes = [models.Index(fields=["administration", "id"], name="reservation_list_order")]

    def __str__(self) -> str:
        return f"{self.rentable} {self.arrival_date}–{self.departure_date}"

    @property
    def guests(self) -> int:
        return self.adults + self.children + self.babies
