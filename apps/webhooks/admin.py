from django.contrib import admin

from apps.core.admin_tools import TenantAdmin, run_service
from apps.webhooks import services
from apps.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from apps.webhooks.signing import new_secret


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantAdmin):
    list_display = (
        "url",
        "administration",
        "application",
        "active",
        "disabled_reason",
        "failing_since",
    )
    list_filter = ("active",)
    search_fields = ("url", "description")
    list_select_related = ("administration", "application")
    readonly_fields = (
        "secret",
        "previous_secret",
        "previous_secret_expires_at",
        "last_sequence",
        "failing_since",
        "owner_kind",
        "owner_api_key",
        "owner_user",
        "owner_scopes",
    )

    def save_model(self, request, obj, form, change):
        if not change or {"url", "events"} & set(form.changed_data):
            # Staff chose what is sent where: the endpoint reads what staff reads.
            for name, value in services.staff_owner().items():
                setattr(obj, name, value)
            obj.owner_user = request.user
            obj.owner_api_key = None
        if not obj.secret:
            obj.secret = new_secret()
        super().save_model(request, obj, form, change)


@admin.register(Event)
class EventAdmin(ReadOnly, TenantAdmin):
    list_display = ("name", "occurred_at", "administration")
    list_filter = ("name",)
    list_select_related = ("administration",)
    date_hierarchy = "occurred_at"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, TenantAdmin):
    administration_path = "endpoint__administration"
    list_display = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_response_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "event__name")
    search_fields = ("endpoint__url", "event__name")
    list_select_related = ("event", "endpoint")
    date_hierarchy = "created_at"
    readonly_fields = (
        "event",
        "endpoint",
        "sequence",
        "status",
        "attempts",
        "last_response_code",
        "next_attempt_at",
        "attempt_log",
        "body",
        "created_at",
    )
    actions = ("redeliver",)

    @admin.action(description="Send the selected deliveries again")
    def redeliver(self, request, queryset):
        run_service(
            self,
            request,
            queryset,
            "Redelivery scheduled",
            lambda delivery: services.delivery_redeliver(delivery=delivery),
        )
