from django.contrib import admin

from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin, run_service
from apps.webhooks import services
from apps.webhooks.models import Event, WebhookDelivery, WebhookEndpoint


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceSaveMixin, TenantAdmin):
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

    def save_through_service(self, request, form, change):
        # Staff chose what is sent where: the endpoint reads what staff reads.
        owner = {**services.staff_owner(), "owner_user": request.user, "owner_api_key": None}
        values = self.form_values(form, change)
        if change:
            endpoint = WebhookEndpoint.objects.get(pk=form.instance.pk)
            return services.endpoint_update(endpoint=endpoint, owner=owner, **values)
        application = values.pop("application", None)
        return services.endpoint_create(
            administration=form.cleaned_data["administration"],
            application_id=application.pk if application else None,
            owner=owner,
            **values,
        )


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
