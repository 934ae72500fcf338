"""Reads of external calendars."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.administrations.models import Administration
from apps.calendars.models import ExternalCalendar


def external_calendar_list(*, administration: Administration) -> QuerySet:
    return ExternalCalendar.objects.filter(administration=administration).select_related("rentable")
