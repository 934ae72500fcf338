"""External calendars through the API, and the public iCal feed of a rentable (no API key:
the platforms cannot send one)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.calendars import selectors
from apps.calendars.filters import ExternalCalendarFilter
from apps.calendars.models import ExternalCalendar
from apps.calendars.serializers import ExternalCalendarSerializer
from apps.calendars.services import calendars as services
from apps.calendars.services.export import exported_periods, feed_version, render_feed
from apps.calendars.services.sync import external_calendar_request_sync
from apps.core.errors import error_response
from apps.core.query import parse_id
from apps.core.views import ResourceModelViewSet
from apps.core.views_meta import api_get_only
from apps.rentables.models import Rentable


class ExternalCalendarViewSet(ResourceModelViewSet):
    serializer_class = ExternalCalendarSerializer
    filterset_class = ExternalCalendarFilter
    scope_resource = "external_calendar"
    action_statuses = {"sync": 202}  # for /v3/oas3.json
    sort_fields = ("name", "active", "last_synced", "created_at", "updated_at")
    select_for_includes = {"rentable": ["rentable__category"]}

    def base_queryset(self):
        return selectors.external_calendar_list(administration=self.administration)

    def perform_create(self, serializer):
        serializer.instance = services.external_calendar_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.external_calendar_update(
            calendar=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.external_calendar_delete(calendar=instance)

    @action(detail=True, methods=["post"], url_path="sync")
    def sync(self, request, *args, **kwargs):
        """Requests a sync now: 202, with ``sync_requested_at`` set."""
        calendar = external_calendar_request_sync(calendar=self.get_object())
        calendar.refresh_from_db()
        return Response(self.get_serializer(calendar).data, status=status.HTTP_202_ACCEPTED)


@api_get_only
def ical_feed(request, token: str):
    rentable = Rentable.objects.filter(ical_export_token=token).first()
    if rentable is None:
        return error_response(404, "No calendar at this address (was the link rotated?).")
    leave_out = None
    calendar_id = request.GET.get("calendar")
    if calendar_id is not None:
        calendar = ExternalCalendar.objects.filter(
            pk=parse_id(calendar_id), rentable=rentable
        ).first()
        if calendar is None:
            return error_response(404, "No such external calendar on this rentable.")
        leave_out = calendar.pk
    periods = exported_periods(rentable, leave_out_calendar=leave_out)
    etag, last_modified = feed_version(periods, rentable)
    modified = int(last_modified.timestamp())
    if_none_match = request.headers.get("If-None-Match")
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if (if_none_match and etag in [t.strip() for t in if_none_match.split(",")]) or (
        not if_none_match and since is not None and modified <= since
    ):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(
            render_feed(rentable, periods), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'inline; filename="rentable-{rentable.pk}.ics"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "private, max-age=300"
    return response
