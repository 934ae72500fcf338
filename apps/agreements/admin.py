from django import forms
from django.contrib import admin

from apps.agreements.models import OWNER_FLAGS, Agreement, Owner
from apps.core.admin_tools import TenantAdmin


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

    def clean(self):
        """The overlap rule, as a form error."""
        from apps.agreements.services import _overlapping

        data = super().clean()
        if data.get("rentable") and data.get("active_from"):
            probe = Agreement(
                pk=self.instance.pk,
                rentable=data["rentable"],
                active_from=data["active_from"],
                active_till=data.get("active_till"),
            )
            clash = _overlapping(probe)
            if clash is not None:
                raise forms.ValidationError(
                    f"Overlaps {clash} ({clash.active_from} – {clash.active_till or 'open'})."
                )
        return data


@admin.register(Owner)
class OwnerAdmin(TenantAdmin):
    list_display = ("name", "email", "phone", "city", "administration")
    search_fields = ("name", "email", "phone")
    list_select_related = ("administration",)
    autocomplete_fields = ("administration",)


@admin.register(Agreement)
class AgreementAdmin(TenantAdmin):
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

    def save_model(self, request, obj, form, change):
        from apps.agreements.services import agreement_save

        agreement_save(agreement=obj)
