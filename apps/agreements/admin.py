from django import forms
from django.contrib import admin

from apps.agreements import services
from apps.agreements.models import OWNER_FLAGS, Agreement, Owner
from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = (
            "administration",
            "owner",
            "rentable",
            "name",
            "active_from",
            "active_till",
            "frequency",
            "settlement_method",
            *OWNER_FLAGS,
        )


@admin.register(Owner)
class OwnerAdmin(ServiceSaveMixin, TenantAdmin):
    list_display = ("name", "email", "phone", "city", "administration")
    search_fields = ("name", "email", "phone")
    list_select_related = ("administration",)
    autocomplete_fields = ("administration",)
    create_service = services.owner_create
    update_service, update_argument = services.owner_update, "owner"


@admin.register(Agreement)
class AgreementAdmin(ServiceSaveMixin, TenantAdmin):
    form = AgreementForm
    list_display = (
        "name",
        "owner",
        "rentable",
        "active_from",
        "active_till",
        "owner_reservable",
        "owner_can_edit_agenda_periods",
    )
    list_filter = (
        "frequency",
        "settlement_method",
        "owner_reservable",
        "owner_can_edit_agenda_periods",
    )
    search_fields = ("name", "owner__name", "rentable__name")
    list_select_related = ("owner", "rentable")
    autocomplete_fields = ("administration", "owner", "rentable")
    date_hierarchy = "active_from"

    def save_through_service(self, request, form, change):
        return services.agreement_save(agreement=form.instance)
