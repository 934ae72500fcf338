from django.contrib import admin

from apps.calendars.models import ExternalCalendar
from apps.calendars.services.calendars import (
    external_calendar_create,
    external_calendar_delete,
    external_calendar_update,
)
from apps.calendars.services.sync import external_calendar_request_sync
from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin, run_service


@admin.register(ExternalCalendar)
class ExternalCalendarAdmin(ServiceSaveMixin, TenantAdmin):
    list_display = ("__str__", "rentable", "active", "last_synced", "error", "sync_requested_at")
    list_filter = ("active",)
    search_fields = ("name", "ical_url", "rentable__name")
    list_select_related = ("rentable", "administration")
    autocomplete_fields = ("administration", "rentable")
    readonly_fields = (
        "error",
        "conflicts",
        "last_synced",
        "last_sync_attempt_at",
        "sync_requested_at",
        "updated_at",
        "etag",
        "last_modified",
        "next_sync_at",
        "sync_lease_until",
    )
    actions = ("sync_now",)
    create_service = external_calendar_create
    update_service, update_argument = external_calendar_update, "calendar"

    def delete_through_service(self, request, obj):
        external_calendar_delete(calendar=obj)

    @admin.action(description="Sync the selected calendars now")
    def sync_now(self, request, queryset):
        run_service(
            self,
            request,
            queryset,
            "Sync requested",
            lambda calendar: external_calendar_request_sync(calendar=calendar),
        )
