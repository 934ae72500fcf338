from django.contrib import admin

from apps.core.admin_tools import ServiceDeleteMixin, TenantAdmin, WrittenByTheSystem
from apps.core.models import IdempotencyRecord, Tombstone


@admin.register(Tombstone)
class TombstoneAdmin(WrittenByTheSystem, TenantAdmin):
    list_display = ("resource_type", "resource_id", "administration", "deleted_at")
    list_filter = ("resource_type",)
    search_fields = ("resource_id",)
    list_select_related = ("administration",)
    date_hierarchy = "deleted_at"


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(WrittenByTheSystem, ServiceDeleteMixin, admin.ModelAdmin):
    list_display = ("key", "credential", "completed", "status_code", "created_at", "expires_at")
    list_filter = ("completed",)
    search_fields = ("key", "credential")

    def has_module_permission(self, request):
        return request.user.is_superuser
