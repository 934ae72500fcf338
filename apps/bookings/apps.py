from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "apps.bookings"
    label = "bookings"

    def ready(self) -> None:
        from apps.bookings.models import Booking, Reservation
        from apps.core.deletion import deletion_register

        # Deletes, cascades included, leave tombstones (apps.core.deletion).
        deletion_register(Booking, resource_type="booking")
        deletion_register(Reservation, resource_type="reservation")
        from apps.bookings.serializers import BookingSerializer, ReservationSerializer
        from apps.core.resources import resource_serializer_register

        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(BookingSerializer)
        resource_serializer_register(ReservationSerializer)
