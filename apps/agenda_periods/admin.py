from django import forms
from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.occupancy import occupancy_view
from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin
from apps.core.exceptions import NotPermitted

#: What staff may change on a period, as the API may; the kind is chosen when it is added.
EDITABLE = ("rentable", "label", "start_date", "end_date")


class AgendaPeriodForm(forms.ModelForm):
    class Meta:
        model = AgendaPeriod
        fields = ("administration", "period_type", *EDITABLE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields.get("period_type")
        if kind is not None:  # a reservation's period is made with its reservation
            kind.choices = [c for c in kind.choices if c[0] != PeriodType.RESERVATION]


@admin.register(AgendaPeriod)
class AgendaPeriodAdmin(ServiceSaveMixin, TenantAdmin):
    """Periods are added, moved and deleted by the calendar services, as through the API: a
    clash or an owner's missing right is a form error. A reservation's period is read-only
    here: it follows its reservation, which is where its dates are changed."""

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
    autocomplete_fields = ("administration", "rentable")
    date_hierarchy = "start_date"
    readonly_fields = (
        "held_by",
        "blocking",
        "expires_at",
        "external_calendar",
        "ical_uid",
        "created_at",
        "updated_at",
    )
    change_list_template = "admin/agenda_periods/agendaperiod/change_list.html"

    def get_urls(self):
        own = [path("occupancy/", self.admin_site.admin_view(occupancy_view), name="occupancy")]
        return own + super().get_urls()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("administration", "period_type", *EDITABLE)
        return ("administration", "period_type", *EDITABLE, *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("administration", "period_type", *self.readonly_fields)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.period_type == PeriodType.RESERVATION:
            return False  # shown read-only: its dates change with its reservation
        return super().has_change_permission(request, obj)

    @admin.display(description="reservation")
    def held_by(self, period):
        reservation = getattr(period, "reservation", None)
        if reservation is None:
            return "—"
        url = reverse("admin:bookings_reservation_change", args=[reservation.pk])
        return format_html('<a href="{}">{}</a> (change the dates there)', url, reservation)

    def save_through_service(self, request, form, change):
        from apps.agenda_periods.services import agenda_period_create, agenda_period_update

        data = form.cleaned_data
        if change:
            period = AgendaPeriod.objects.get(pk=form.instance.pk)
            return agenda_period_update(period=period, **{name: data[name] for name in EDITABLE})
        return agenda_period_create(
            administration=data["administration"],
            period_type=data["period_type"],
            **{name: data[name] for name in EDITABLE},
        )

    def delete_through_service(self, request, obj):
        from apps.agenda_periods.services import agenda_period_delete

        if obj.period_type == PeriodType.RESERVATION and hasattr(obj, "reservation"):
            raise NotPermitted(
                "A reservation's period goes with its reservation: cancel the booking or the "
                "stay instead, which frees its nights."
            )
        agenda_period_delete(period=obj)
