"""The catalogue guests book from: categories (rentable types), rentables, amenities."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import WEEKDAYS, LocalizedField, StringListField, TimeStampedModel


def validate_weekdays(value) -> None:
    """A list of distinct lower-case English weekday names (empty: any day)."""
    if not isinstance(value, list):
        raise ValidationError('Give a list of weekday names, e.g. ["saturday"].')
    unknown = [day for day in value if day not in WEEKDAYS]
    if unknown:
        raise ValidationError(
            f"Unknown weekday {unknown[0]!r}: use lower-case English names ({', '.join(WEEKDAYS)})."
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each weekday may be named once.")


class Amenity(TimeStampedModel):
    """A global catalogue entry ("Sauna", "Number of bathrooms", "Type of heating")."""

    class Type(models.TextChoices):
        BOOLEAN = "boolean"
        NUMERICAL = "numerical"
        MULTIPLE_CHOICE = "multiple_choice"

    name = LocalizedField()
    amenity_type = models.CharField(max_length=20, choices=Type.choices)

    class JSONAPIMeta:
        resource_name = "amenity"

    class Meta:
        verbose_name_plural = "amenities"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name.get("en") or next(iter(self.name.values()), f"Amenity {self.pk}")


class AmenityOption(models.Model):
    """One choice of a multiple-choice amenity; its id is an administration amenity's value."""

    amenity = models.ForeignKey(Amenity, on_delete=models.CASCADE, related_name="options")
    name = LocalizedField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name.get("en") or f"Option {self.pk}"


class AdministrationAmenity(TimeStampedModel):
    """An amenity a park has, with a number or a chosen option where the amenity needs one."""

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="amenities"
    )
    amenity = models.ForeignKey(Amenity, on_delete=models.PROTECT, related_name="+")
    value = models.IntegerField(null=True, blank=True)

    class JSONAPIMeta:
        resource_name = "administration_amenity"

    class Meta:
        verbose_name_plural = "administration amenities"
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "amenity"], name="unique_administration_amenity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amenity} = {self.value}"

    def clean(self) -> None:
        amenity_type = self.amenity.amenity_type
        if amenity_type == Amenity.Type.NUMERICAL:
            if self.value is None or self.value < 0:
                raise ValidationError({"value": "A numerical amenity needs a value of 0 or more."})
        elif amenity_type == Amenity.Type.MULTIPLE_CHOICE:
            if not self.amenity.options.filter(pk=self.value).exists():
                raise ValidationError(
                    {"value": "A multiple-choice amenity needs the id of one of its options."}
                )
        elif self.value is not None:
            raise ValidationError({"value": "A yes/no amenity takes no value."})


class Category(TimeStampedModel):
    """A rentable type ("4-person chalet"). Field names follow the vendor's category."""

    class EnergyLabel(models.TextChoices):
        A4 = "A++++"
        A3 = "A+++"
        A2 = "A++"
        A1 = "A+"
        A = "A"
        B = "B"
        C = "C"
        D = "D"
        E = "E"
        F = "F"
        G = "G"
        H = "H"

    class PetsAllowed(models.TextChoices):
        ALL = "all"
        SOME = "some"
        NONE = "none"

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="categories"
    )
    # -- writable through the API
    name = LocalizedField()
    description = LocalizedField()
    short_description = LocalizedField()
    usps = LocalizedField(help_text="Unique selling points: a list of texts per locale.")
    highlighted = models.BooleanField(default=False)
    reference = models.CharField(max_length=100, blank=True)
    minimum_number_of_nights = models.PositiveIntegerField(null=True, blank=True)
    maximum_number_of_nights = models.PositiveIntegerField(null=True, blank=True)
    number_of_bedrooms = models.PositiveIntegerField(null=True, blank=True)
    number_of_beds = models.PositiveIntegerField(null=True, blank=True)
    number_of_showers = models.PositiveIntegerField(null=True, blank=True)
    number_of_toilets = models.PositiveIntegerField(null=True, blank=True)
    number_of_bathrooms = models.PositiveIntegerField(null=True, blank=True)
    number_of_parking_spots = models.PositiveIntegerField(null=True, blank=True)
    number_of_child_beds = models.PositiveIntegerField(null=True, blank=True)
    number_of_child_chairs = models.PositiveIntegerField(null=True, blank=True)
    surface_area = models.PositiveIntegerField(null=True, blank=True, help_text="Square meters")
    summer_video_id = models.CharField(max_length=100, blank=True)
    winter_video_id = models.CharField(max_length=100, blank=True)
    whole_year_video_id = models.CharField(max_length=100, blank=True)
    master_price_list_price_factor = models.FloatField(null=True, blank=True)
    master_price_list_fixed_rate = models.FloatField(null=True, blank=True)
    same_day_bookings_allowed = models.BooleanField(default=False)
    same_day_booking_closing_time = models.TimeField(null=True, blank=True)
    address = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    checkin_times_for_week = StringListField(help_text="Seven times, Monday first (HH:MM).")
    # -- stay rules (apps.stays applies them; null or empty: no restriction)
    arrival_weekdays = StringListField(
        validators=[validate_weekdays], help_text='Days a stay may start, e.g. ["saturday"].'
    )
    departure_weekdays = StringListField(
        validators=[validate_weekdays], help_text="Days a stay may end."
    )
    minimum_notice_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="An arrival at least this many days after today."
    )
    maximum_advance_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="No arrival further ahead than this many days."
    )
    turnover_gap_nights = models.PositiveIntegerField(
        null=True, blank=True, help_text="Free nights required between two stays on a rentable."
    )
    checkout_times_for_week = StringListField(help_text="Seven times, Monday first (HH:MM).")
    # -- read-only through the API (kept by the back-office and by other domains)
    energy_label = models.CharField(max_length=5, choices=EnergyLabel.choices, blank=True)
    virtual = models.BooleanField(default=False)
    archived = models.BooleanField(default=False, db_index=True)
    max_number_of_people = models.PositiveIntegerField(null=True, blank=True)
    max_number_of_seniors = models.PositiveIntegerField(null=True, blank=True)
    max_number_of_adults = models.PositiveIntegerField(null=True, blank=True)
    max_number_of_adolescents = models.PositiveIntegerField(null=True, blank=True)
    max_number_of_children = models.PositiveIntegerField(null=True, blank=True)
    max_number_of_babies = models.PositiveIntegerField(null=True, blank=True)
    max_number_of_pets = models.PositiveIntegerField(null=True, blank=True)
    prices_updated_at = models.DateTimeField(null=True, blank=True)
    prices_indexed_at = models.DateTimeField(null=True, blank=True)
    stock_updated_at = models.DateTimeField(null=True, blank=True)
    stock_indexed_at = models.DateTimeField(null=True, blank=True)
    costs_updated_at = models.DateTimeField(null=True, blank=True)
    extras_updated_at = models.DateTimeField(null=True, blank=True)
    bookable_discounts_changed_at = models.DateTimeField(null=True, blank=True)
    agreements_changed_at = models.DateTimeField(null=True, blank=True)
    max_baby_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_child_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_adolescent_age = models.PositiveSmallIntegerField(null=True, blank=True)
    min_senior_age = models.PositiveSmallIntegerField(null=True, blank=True)
    pets_allowed = models.CharField(
        max_length=4, choices=PetsAllowed.choices, default=PetsAllowed.NONE
    )
    host_image_url = models.URLField(blank=True)
    last_date_with_price = models.DateField(null=True, blank=True)
    city_name = LocalizedField(help_text="The vendor's attribute 'city' (the name clashes).")
    region = LocalizedField()
    country_code = models.CharField(max_length=2, blank=True)
    location_is_exact = models.BooleanField(default=False)
    has_current_or_future_owner_that_should_check_reservations = models.BooleanField(default=False)
    rentable_type = models.CharField(max_length=50, blank=True, help_text="Deprecated.")
    optional_amenities = models.ManyToManyField(Amenity, blank=True, related_name="+")

    class JSONAPIMeta:
        resource_name = "category"

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name.get("en") or next(iter(self.name.values()), f"Category {self.pk}")


def new_export_token() -> str:
    return secrets.token_urlsafe(32)


class Rentable(TimeStampedModel):
    """One bookable unit of a category (chalet no. 12)."""

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="rentables"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="rentables")
    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True, db_index=True)
    max_number_of_people = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty to use the category's."
    )
    available_from = models.DateField(
        null=True, blank=True, help_text="The first night that may be booked."
    )
    available_until = models.DateField(
        null=True, blank=True, help_text="The last night that may be booked (inclusive)."
    )
    ical_export_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_export_token,
        help_text="The secret in the iCal feed's URL; rotate it to revoke old links.",
    )

    class JSONAPIMeta:
        resource_name = "rentable"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            raise ValidationError({"available_until": "Must not be before available_from."})

    @property
    def effective_max_number_of_people(self) -> int | None:
        if self.max_number_of_people is not None:
            return self.max_number_of_people
        return self.category.max_number_of_people
