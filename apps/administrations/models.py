"""The tenant: an administration (a park or a rental business), and who manages it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from apps.core.models import LocalizedField, StringListField, TimeStampedModel


class Currency(models.TextChoices):
    EUR = "EUR"
    USD = "USD"
    CHF = "CHF"
    CZK = "CZK"
    TRY = "TRY"
    CVE = "CVE"
    ANG = "ANG"
    GBP = "GBP"
    NOK = "NOK"


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone (e.g. Europe/Amsterdam).")


def utc_offset_minutes(tz_name: str, at: dt.datetime | None = None) -> int:
    offset = (at or timezone.now()).astimezone(zoneinfo.ZoneInfo(tz_name)).utcoffset()
    return int(offset.total_seconds() // 60)


def format_utc_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


class Administration(TimeStampedModel):
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    description = LocalizedField()
    surroundings_description = LocalizedField()
    available_locales = StringListField()
    timezone = models.CharField(
        max_length=64, default="Europe/Amsterdam", validators=[validate_timezone]
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.EUR)

    class JSONAPIMeta:
        resource_name = "administration"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def utc_offset(self) -> str:
        """The offset in force now, e.g. ``+01:00`` (it changes with daylight saving time)."""
        return format_utc_offset(utc_offset_minutes(self.timezone))


class Membership(models.Model):
    """A person who manages an administration: staff in the back-office, a user at consent."""

    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        STAFF = "staff", "Front-desk staff"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MANAGER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "administration"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.administration} ({self.role})"


class Sequence(models.Model):
    """Per-administration counters for human-friendly numbers (booking numbers, debtor codes)."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=50)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "name"], name="unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"
