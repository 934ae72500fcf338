from django.contrib import admin

from apps.administrations.models import Administration, Membership, Sequence
from apps.core.admin_tools import TenantAdmin, WrittenByTheSystem


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Administration)
class AdministrationAdmin(TenantAdmin):
    administration_path = "pk"
    list_display = ("name", "phone", "timezone", "currency", "created_at")
    list_filter = ("currency", "timezone")
    search_fields = ("name", "phone", "website")
    date_hierarchy = "created_at"
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(memberships__user=request.user)


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ("user", "administration", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "administration__name")
    list_select_related = ("user", "administration")
    autocomplete_fields = ("user", "administration")


@admin.register(Sequence)
class SequenceAdmin(WrittenByTheSystem, TenantAdmin):
    list_display = ("administration", "name", "value")
    list_select_related = ("administration",)
    readonly_fields = ("administration", "name", "value")
