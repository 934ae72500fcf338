from rest_framework import serializers

from apps.calendars.models import ExternalCalendar
from apps.calendars.services.export import export_url
from apps.core import outbound
from apps.core.serializers import ResourceSerializer, SelfLinkField, TenantRelatedField
from apps.rentables.models import Rentable


class ExternalCalendarSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:external_calendar-detail")
    rentable = TenantRelatedField(queryset=Rentable.objects.all())
    time_offset = serializers.IntegerField(min_value=-24 * 60, max_value=24 * 60, required=False)
    ical_export_url = serializers.SerializerMethodField(
        help_text="Give this address to the platform: the rentable's feed without the events "
        "imported from this calendar, so they are not echoed back."
    )
    updated_at = serializers.DateTimeField(
        read_only=True, help_text="When the calendar last received new events."
    )
    render_loads = ("rentable",)  # ical_export_url reads the rentable's token

    included_serializers = {"rentable": "apps.rentables.serializers.RentableSerializer"}

    class Meta:
        model = ExternalCalendar
        resource_name = "external_calendar"
        fields = (
            "_self", "name", "ical_url", "active", "time_offset", "error", "conflicts",
            "last_synced", "last_sync_attempt_at", "sync_requested_at", "created_at",
            "updated_at", "ical_export_url", "rentable",
        )  # fmt: skip
        read_only_fields = (
            "error", "conflicts", "last_synced", "last_sync_attempt_at", "sync_requested_at",
            "created_at", "updated_at",
        )  # fmt: skip

    def get_ical_export_url(self, calendar) -> str:
        return export_url(calendar.rentable, calendar.pk, request=self.context.get("request"))

    def validate_ical_url(self, value):
        try:
            outbound.check_url(value)
        except outbound.OutboundRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value
