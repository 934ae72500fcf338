from apps.bookings.models import Booking, Reservation
from apps.core.filters import FilterSet, unmodelled_relationship


class BookingFilter(FilterSet):
    """resources.md §5.4."""

    model = Booking
    attributes = (
        "customer_desires_downpayment", "after_payment_return_url", "option_validity",
        "remote_booking_nr", "reference_nr", "locale", "memo", "cancel_date", "cancel_reason",
        "state", "token", "confirmed_at", "booking_nr", "created_at", "updated_at",
    )  # fmt: skip
    relationships = {
        "customer": "customer_id",
        "owner": "owner_id",
        "administration": "administration_id",
        "reservations": "reservations__id",
    }
    computed = {name: unmodelled_relationship() for name in ("traffic_source", "channel")}


class ReservationFilter(FilterSet):
    model = Reservation
    attributes = (
        "arrival_date", "departure_date", "adults", "children", "babies", "pets", "rent_price",
        "state", "remote_reservation_nr", "created_at", "updated_at",
    )  # fmt: skip
    relationships = {
        "booking": "booking_id",
        "rentable": "rentable_id",
        "category": "category_id",
        "agenda_period": "agenda_period_id",
    }
