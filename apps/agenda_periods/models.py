"""A rentable's calendar: agenda periods, half-open date ranges [start_date, end_date)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value

from apps.agenda_periods.constraints import PostgresExclusionConstraint
from apps.core.models import TimeStampedModel


def new_ical_uid() -> str:
    return f"{uuid.uuid4()}@{settings.ICAL_UID_DOMAIN}"


class PeriodType(models.TextChoices):
    """The vendor's six subtypes, in its order."""

    MAINTENANCE = "MaintenanceAgendaPeriod"
    OWNER_MAINTENANCE = "OwnerMaintenanceAgendaPeriod"
    BLOCKED_BY_GROUPED_RENTABLE_TYPE = "BlockedByGroupedRentableTypeAgendaPeriod"
    RESERVATION = "ReservationAgendaPeriod"
    EXTERNAL_BLOCKED = "ExternalBlockedAgendaPeriod"
    NOT_ENOUGH_STOCK = "NotEnoughStockAgendaPeriod"


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class AgendaPeriod(TimeStampedModel):
    """Blocks a rentable for the nights start_date … end_date - 1.

    ``blocking`` is false once the period no longer holds its dates (a cancelled reservation
    keeps its period for history). ``expires_at`` is set for an option's hold: after it, the
    period stops counting for availability even before the expiry task has cancelled it.
    """

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="agenda_periods"
    )
    rentable = models.ForeignKey(
        "rentables.Rentable", on_delete=models.CASCADE, related_name="agenda_periods"
    )
    period_type = models.CharField(max_length=48, choices=PeriodType.choices, db_index=True)
    label = models.CharField(max_length=255, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    ical_uid = models.CharField(max_length=255, default=new_ical_uid, db_index=True)
    blocking = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    external_calendar = models.ForeignKey(
        "calendars.ExternalCalendar",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="periods",
        help_text="The iCal feed this period was imported from.",
    )

    class JSONAPIMeta:
        resource_name = "agenda_period"

    class Meta:
        ordering = ["pk"]
        indexes = [
            # "Is anything holding this rentable between these dates?" for availability and
            # the calendar: on PostgreSQL an index-only scan from the arrival date onwards.
            models.Index(
                fields=["rentable", "end_date"],
                include=["start_date", "expires_at"],
                condition=Q(blocking=True),
                name="agenda_period_holding",
            ),
            # The lists' default order (id) within a tenant, and within one subtype.
            models.Index(fields=["administration", "id"], name="agenda_period_list_order"),
            models.Index(
                fields=["administration", "period_type", "id"],
                name="agenda_period_type_list_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lt=F("end_date")), name="agenda_period_starts_before_end"
            ),
            # Generated UIDs are globally unique; an imported one is the feed's own UID, which
            # another rentable may import too.
            models.UniqueConstraint(
                fields=["rentable", "ical_uid"], name="unique_ical_uid_per_rentable"
            ),
            PostgresExclusionConstraint(
                name="agenda_period_no_overlap",
                expressions=[
                    ("rentable", RangeOperators.EQUAL),
                    (DateRange("start_date", "end_date", Value("[)")), RangeOperators.OVERLAPS),
                ],
                condition=Q(blocking=True),
                violation_error_message="The dates clash with another period on this rentable.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_period_type_display()} {self.start_date}–{self.end_date} on {self.rentable_id}"

    @property
    def nights(self) -> int:
        return (self.end_date - self.start_date).days
