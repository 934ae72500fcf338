from django.contrib import admin
from oauth2_provider.admin import ApplicationAdmin as DotApplicationAdmin

from apps.core.admin_tools import (
    ServiceDeleteMixin,
    TenantAdmin,
    WrittenByTheSystem,
    managed_administration_ids,
    run_service,
)
from apps.oauth import services
from apps.oauth.models import ApiKey, Application, ConsentedGrant, Subscription, TokenGrant

admin.site.unregister(Application)


@admin.register(Application)
class ApplicationAdmin(ServiceDeleteMixin, DotApplicationAdmin):
    list_display = (
        "name",
        "client_id",
        "client_type",
        "authorization_grant_type",
        "halted_at",
        "created_at",
    )
    list_filter = ("client_type", "authorization_grant_type")
    search_fields = ("name", "client_id")
    readonly_fields = ("halted_at", "halted_reason")
    actions = ("halt", "unhalt")

    def has_module_permission(self, request):
        return request.user.is_superuser  # apps span administrations

    @admin.action(description="Halt the selected apps (every key and token is refused)")
    def halt(self, request, queryset):
        run_service(
            self,
            request,
            queryset,
            "Halted",
            lambda app: services.application_halt(
                application=app,
                reason=f"Halted from the back-office by {request.user.get_username()}.",
            ),
        )

    @admin.action(description="Unhalt the selected apps")
    def unhalt(self, request, queryset):
        run_service(
            self,
            request,
            queryset,
            "Unhalted",
            lambda app: services.application_unhalt(application=app),
        )


@admin.register(Subscription)
class SubscriptionAdmin(TenantAdmin):
    list_display = ("application", "administration", "created_at")
    search_fields = ("application__name", "administration__name")
    list_select_related = ("application", "administration")
    autocomplete_fields = ("administration",)


@admin.register(ApiKey)
class ApiKeyAdmin(WrittenByTheSystem, TenantAdmin):
    administration_path = "subscription__administration"
    list_display = ("prefix", "name", "subscription", "last_used_at", "revoked_at", "created_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name")
    list_select_related = ("subscription__application", "subscription__administration")
    readonly_fields = ("prefix", "key_hash", "last_used_at", "revoked_at", "created_at")
    actions = ("revoke",)
    # Keys are issued with create_api_key, which shows the secret once; their scopes are
    # what the key holder was granted then. Staff revoke them (the action) or delete them.

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        run_service(
            self, request, queryset, "Revoked", lambda key: services.api_key_revoke(api_key=key)
        )


@admin.register(TokenGrant)
class TokenGrantAdmin(WrittenByTheSystem, TenantAdmin):
    list_display = ("access_token", "administration")
    list_select_related = ("access_token", "administration")


@admin.register(ConsentedGrant)
class ConsentedGrantAdmin(WrittenByTheSystem, ServiceDeleteMixin, admin.ModelAdmin):
    list_display = ("code", "administration_ids", "created_at")

    def has_module_permission(self, request):
        return request.user.is_superuser and managed_administration_ids(request.user) is None
