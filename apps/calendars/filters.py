from apps.calendars.models import ExternalCalendar
from apps.core.filters import FilterSet


class ExternalCalendarFilter(FilterSet):
    """Every column of the external calendar (external-calendars.md §3.1)."""

    class Meta:
        model = ExternalCalendar
        fields = (
            "name", "ical_url", "active", "time_offset", "error", "last_synced",
            "last_sync_attempt_at", "sync_requested_at", "created_at", "updated_at", "rentable",
        )  # fmt: skip
