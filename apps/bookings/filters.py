from apps.bookings.models import Booking, Reservation
from apps.core.filters import (
    DateFilter,
    FilterSet,
    RelationshipFilter,
    UnmodelledRelationshipFilter,
)


class BookingFilter(FilterSet):
    """resources.md §5.4, and the stays: ``rentable``, ``arrival_date`` and ``departure_date``
    look through the reservations, and together they describe one and the same reservation."""

    traffic_source = UnmodelledRelationshipFilter()
    channel = UnmodelledRelationshipFilter()
    rentable = RelationshipFilter("reservations__rentable", distinct=True, group="stay")
    arrival_date = DateFilter("reservations__arrival_date", distinct=True, group="stay")
    departure_date = DateFilter("reservations__departure_date", distinct=True, group="stay")

    class Meta:
        model = Booking
        fields = (
            "customer_desires_downpayment", "after_payment_return_url", "option_validity",
            "remote_booking_nr", "reference_nr", "locale", "memo", "cancel_date", "cancel_reason",
            "state", "token", "confirmed_at", "booking_nr", "created_at", "updated_at",
            "customer", "owner", "administration", "reservations",
        )  # fmt: skip


class ReservationFilter(FilterSet):
    class Meta:
        model = Reservation
        fields = (
            "arrival_date", "departure_date", "adults", "children", "babies", "pets", "rent_price",
            "list_price", "state", "remote_reservation_nr", "created_at", "updated_at", "booking",
            "rentable", "category", "agenda_period",
        )  # fmt: skip
