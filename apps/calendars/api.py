"""External calendars through the API."""

from django.db import transaction
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.calendars.filters import ExternalCalendarFilter
from apps.calendars.models import ExternalCalendar
from apps.calendars.serializers import ExternalCalendarSerializer
from apps.calendars.services.sync import external_calendar_request_sync, first_sync_at
from apps.core.views import ResourceModelViewSet


class ExternalCalendarViewSet(ResourceModelViewSet):
    serializer_class = ExternalCalendarSerializer
    filterset_class = ExternalCalendarFilter
    scope_resource = "external_calendar"
    sort_fields = ("name", "active", "last_synced", "created_at", "updated_at")
    select_for_includes = {"rentable": ["rentable__category"]}
    action_statuses = {"sync": 202}  # for /v3/oas3.json

    def base_queryset(self):
        return ExternalCalendar.objects.filter(administration=self.administration).select_related(
            "rentable"
        )

    @transaction.atomic
    def perform_create(self, serializer):
        serializer.instance = ExternalCalendar.objects.create(
            administration=self.administration,
            next_sync_at=first_sync_at(),
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        calendar = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(calendar, name, value)
        if {"ical_url", "time_offset"} & set(serializer.validated_data):
            calendar.etag = calendar.last_modified = ""  # the next sync reads the feed afresh
        calendar.save()

    @transaction.atomic
    def perform_destroy(self, instance):
        """Its imported periods go with it, each leaving a tombstone and an event."""
        from apps.agenda_periods.services import agenda_period_delete

        for period in instance.periods.all():
            agenda_period_delete(period=period)
        super().perform_destroy(instance)

    @action(detail=True, methods=["post"], url_path="sync")
    def sync(self, request, *args, **kwargs):
        """Requests a sync now: 202, with ``sync_requested_at`` set."""
        calendar = external_calendar_request_sync(calendar=self.get_object())
        calendar.refresh_from_db()
        return Response(self.get_serializer(calendar).data, status=status.HTTP_202_ACCEPTED)
