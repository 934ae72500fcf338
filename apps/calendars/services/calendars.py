"""Writes of external calendars (the feeds a rentable imports)."""

from __future__ import annotations

from django.db import transaction

from apps.administrations.models import Administration
from apps.calendars.models import ExternalCalendar
from apps.calendars.services.sync import first_sync_at
from apps.core.deletion import instance_delete
from apps.core.services import model_update


def _check_rentable(administration: Administration, rentable) -> None:
    from django.core.exceptions import ValidationError

    if rentable is not None and rentable.administration_id != administration.pk:
        raise ValidationError({"rentable": "The rentable belongs to another administration."})


@transaction.atomic
def external_calendar_create(*, administration: Administration, **attributes) -> ExternalCalendar:
    """A new feed to import; its first sync is spread over one interval."""
    _check_rentable(administration, attributes.get("rentable"))
    return ExternalCalendar.objects.create(
        administration=administration, next_sync_at=first_sync_at(), **attributes
    )


@transaction.atomic
def external_calendar_update(*, calendar: ExternalCalendar, **attributes) -> ExternalCalendar:
    """Changes a feed; a new address or time offset makes the next sync read it afresh."""
    if "rentable" in attributes:
        _check_rentable(calendar.administration, attributes["rentable"])
    model_update(calendar, attributes, attributes)
    if {"ical_url", "time_offset"} & set(attributes):
        calendar.etag = calendar.last_modified = ""
        calendar.save(update_fields=["etag", "last_modified"])
    return calendar


@transaction.atomic
def external_calendar_delete(*, calendar: ExternalCalendar) -> None:
    """Its imported periods go with it, each leaving a tombstone and an event."""
    instance_delete(instance=calendar)
