from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from apps.bookings.models import Booking, Reservation, State
from apps.bookings.services.bookings import booking_transition
from apps.core.admin_tools import TenantAdmin, run_service


class ReservationInline(admin.TabularInline):
    model = Reservation
    extra = 0
    fields = (
        "rentable",
        "arrival_date",
        "departure_date",
        "adults",
        "children",
        "babies",
        "pets",
        "rent_price",
        "state",
    )
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # stays claim the calendar: they are added through the API's services


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Booking)
class BookingAdmin(TenantAdmin):
    list_display = (
        "booking_nr",
        "customer",
        "state",
        "total",
        "currency",
        "option_expires_at",
        "created_at",
    )
    list_filter = ("state", "owner_reservation", "locale")
    search_fields = (
        "booking_nr",
        "reference_nr",
        "remote_booking_nr",
        "customer__first_name",
        "customer__last_name",
        "customer__email",
        "reservations__rentable__name",
    )
    list_select_related = ("customer", "administration")
    autocomplete_fields = ("administration", "customer", "owner")
    date_hierarchy = "created_at"
    inlines = (ReservationInline,)
    readonly_fields = (
        "booking_nr",
        "token",
        "state",
        "confirmed_at",
        "option_expires_at",
        "rent_total",
        "total",
        "currency",
        "owned_by_app",
        "owner_reservation",
        "created_at",
        "updated_at",
    )
    actions = ("confirm", "cancel", "restore")

    def has_delete_permission(self, request, obj=None):
        # Bookings end by cancellation (the "cancel" action, as PATCH state in the API), which
        # frees their nights through the calendar service; a delete would leave them blocked.
        return False

    def has_add_permission(self, request):
        return False  # a booking claims the calendar: it is made through the booking flow

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, True if search_term else duplicates

    @admin.action(description="Confirm the selected options")
    def confirm(self, request, queryset):
        run_service(
            self,
            request,
            queryset,
            "Confirmed",
            lambda booking: booking_transition(booking=booking, state=State.CONFIRMED),
        )

    @admin.action(description="Restore the selected cancelled bookings")
    def restore(self, request, queryset):
        run_service(
            self,
            request,
            queryset,
            "Restored",
            lambda booking: booking_transition(booking=booking, state=State.CONFIRMED),
        )

    @admin.action(description="Cancel the selected bookings…")
    def cancel(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_service(
                self,
                request,
                queryset,
                "Cancelled",
                lambda booking: booking_transition(
                    booking=booking, state=State.CANCELLED, cancel_reason=reason
                ),
            )
            return None
        if "apply" in request.POST:
            self.message_user(request, "Give a reason for the cancellation.", messages.WARNING)
        return TemplateResponse(
            request,
            "admin/bookings/cancel.html",
            {
                **self.admin_site.each_context(request),
                "title": "Cancel bookings",
                "form": form,
                "bookings": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Reservation)
class ReservationAdmin(TenantAdmin):
    list_display = (
        "booking",
        "rentable",
        "arrival_date",
        "departure_date",
        "adults",
        "children",
        "state",
        "rent_price",
        "list_price",
    )
    list_filter = ("state",)
    search_fields = ("booking__booking_nr", "rentable__name", "remote_reservation_nr")
    list_select_related = ("booking", "rentable")
    date_hierarchy = "arrival_date"
    readonly_fields = (
        "booking",
        "rentable",
        "category",
        "agenda_period",
        "arrival_date",
        "departure_date",
        "state",
        "list_price",
        "created_at",
        "updated_at",
    )

    def has_delete_permission(self, request, obj=None):
        # A stay ends when its booking is cancelled, which frees its nights through the
        # calendar service; a delete would leave them blocked.
        return False

    def has_add_permission(self, request):
        return False
