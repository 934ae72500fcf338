"""External iCal calendars imported into a rentable's calendar."""

from __future__ import annotations

from django.db import models


class ExternalCalendar(models.Model):
    """An iCal feed (Airbnb, Booking.com, VRBO, …) whose events block a rentable here.

    ``updated_at`` follows the vendor's meaning: when the calendar last received new events,
    not when this row changed. ``last_synced`` moves only on a successful sync.
    """

    administration = models.ForeignKey(
        "administrations.Administration",
        on_delete=models.CASCADE,
        related_name="external_calendars",
    )
    rentable = models.ForeignKey(
        "rentables.Rentable", on_delete=models.CASCADE, related_name="external_calendars"
    )
    name = models.CharField(max_length=200, blank=True)
    ical_url = models.URLField(max_length=2000)
    active = models.BooleanField(default=True)
    time_offset = models.IntegerField(
        default=0, help_text="Minutes added to imported times before dates are taken."
    )
    error = models.TextField(blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    last_synced = models.DateTimeField(null=True, blank=True)
    last_sync_attempt_at = models.DateTimeField(null=True, blank=True)
    sync_requested_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sync_lease_until = models.DateTimeField(null=True, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    class JSONAPIMeta:
        resource_name = "external_calendar"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.ical_url
