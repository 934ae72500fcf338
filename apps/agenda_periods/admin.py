from django import forms
from django.contrib import admin
from django.urls import path

from apps.agenda_periods.models import AgendaPeriod
from apps.agenda_periods.occupancy import occupancy_view
from apps.core.admin_tools import TenantAdmin
from apps.core.exceptions import DomainError


class AgendaPeriodForm(forms.ModelForm):
    class Meta:
        model = AgendaPeriod
        fields = (
            "administration",
            "rentable",
            "period_type",
            "label",
            "start_date",
            "end_date",
            "blocking",
            "expires_at",
            "external_calendar",
        )

    def clean(self):
        """The same rules the API applies, as form errors instead of a failed save."""
        from apps.agenda_periods.services import check_owner_rights, find_clash, validate_dates

        data = super().clean()
        rentable, start, end = data.get("rentable"), data.get("start_date"), data.get("end_date")
        if rentable and start and end:
            period_type = data.get("period_type") or self.instance.period_type
            try:
                check_owner_rights(period_type=period_type, rentable=rentable, start_date=start)
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
            validate_dates(start_date=start, end_date=end)
            clash = find_clash(
                rentable_id=rentable.pk, start_date=start, end_date=end, exclude_pk=self.instance.pk
            )
            if clash is not None and data.get("blocking", True):
                raise forms.ValidationError(
                    f"The dates clash with {clash.get_period_type_display()} {clash.start_date}–{clash.end_date}."
                )
        return data


@admin.register(AgendaPeriod)
class AgendaPeriodAdmin(TenantAdmin):
    form = AgendaPeriodForm
    list_display = (
        "rentable",
        "period_type",
        "start_date",
        "end_date",
        "label",
        "blocking",
        "expires_at",
    )
    list_filter = ("period_type", "blocking")
    search_fields = ("label", "ical_uid", "rentable__name", "rentable__reference")
    list_select_related = ("rentable", "administration")
    autocomplete_fields = ("administration", "rentable", "external_calendar")
    date_hierarchy = "start_date"
    readonly_fields = ("ical_uid", "created_at", "updated_at")
    change_list_template = "admin/agenda_periods/agendaperiod/change_list.html"

    def get_urls(self):
        own = [path("occupancy/", self.admin_site.admin_view(occupancy_view), name="occupancy")]
        return own + super().get_urls()

    def save_model(self, request, obj, form, change):
        """Through the calendar services, so the no-overlap rule and events apply here too."""
        from apps.agenda_periods.services import agenda_period_create, agenda_period_update

        fields = ("rentable", "start_date", "end_date", "label")
        if change:
            agenda_period_update(period=obj, **{name: getattr(obj, name) for name in fields})
        else:
            created = agenda_period_create(
                administration=obj.administration,
                period_type=obj.period_type,
                **{name: getattr(obj, name) for name in fields},
            )
            obj.pk = created.pk

    def delete_through_service(self, request, obj):
        from apps.agenda_periods.services import agenda_period_delete

        agenda_period_delete(period=obj)
