"""Bookings, reservations, and the booking's customer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.bookings import selectors
from apps.bookings.filters import BookingFilter, ReservationFilter
from apps.bookings.serializers import (
    BookingSerializer,
    ReservationSerializer,
    SidePostedReservationSerializer,
)
from apps.bookings.services import bookings as services
from apps.bookings.sideposting import SidePostReader, point_at_included
from apps.core.exceptions import DomainError
from apps.core.rendering import fast_rendering_enabled, plan_for
from apps.core.views import ResourceModelViewSet
from apps.customers.serializers import CustomerSerializer
from apps.stays.exceptions import StayNotAllowed

BOOKING_SORT = (
    "booking_nr", "state", "confirmed_at", "cancel_date", "option_validity", "remote_booking_nr",
    "reference_nr", "created_at", "updated_at",
)  # fmt: skip


class BookingViewSet(ResourceModelViewSet):
    """The cart. Reads need ``booking|read`` (or ``channel::booking|read`` for an app's own
    bookings); every write needs ``reservation|write``."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    scope_resource = "booking"
    scope_overrides = {
        "read": ("booking|read", "channel::booking|read"),
        "write": ("reservation|write",),
        "delete": ("reservation|write",),
    }
    sort_fields = BOOKING_SORT
    # Documented as side-posting in /v3/oas3.json: (serializer, the meta.method values).
    side_posted_serializers = (
        (CustomerSerializer, ("create", "update")),
        (SidePostedReservationSerializer, ("create",)),
    )
    http_method_names = ["get", "post", "patch", "head"]
    select_for_includes = {"customer": ["customer"], "administration": ["administration"]}
    prefetch_for_includes = {
        "customer": ["customer__labels"],
        "reservations.rentable": ["reservations__rentable"],
        "reservations.rentable.category": [
            "reservations__rentable__category",
            "reservations__rentable__category__optional_amenities",
        ],
        "reservations.category": ["reservations__category__optional_amenities"],
        "reservations.agenda_period": ["reservations__agenda_period"],
    }

    def base_queryset(self):
        return selectors.booking_list(
            administration=self.administration,
            credential=self.request.auth,
            granted=self.granted_scopes,
        )

    def get_serializer_class(self):
        return CustomerSerializer if self.action == "customer" else BookingSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reader = SidePostReader(request.data, self.get_serializer_context())
        side = reader.read(
            customer_serializer=CustomerSerializer,
            reservation_serializer=SidePostedReservationSerializer,
        )
        try:
            booking = services.booking_place(
                administration=self.administration,
                customer=side.customer,
                customer_attributes=side.customer_attributes,
                reservations=side.reservations,
                owned_by_app_id=self.request.auth.application_id,
                **serializer.validated_data,
            )
        except (DomainError, ValidationError) as exc:
            raise point_at_included(exc, side, SidePostedReservationSerializer) from None
        booking = self.get_queryset().get(pk=booking.pk)
        if fast_rendering_enabled():
            location = self.request.build_absolute_uri(
                plan_for(BookingSerializer).link.path_for(booking)
            )
            return self.written_response(
                booking,
                status_code=status.HTTP_201_CREATED,
                headers={"Location": location},
                loaded=True,
            )
        serializer.instance = booking
        headers = {"Location": str(serializer.data[api_settings.URL_FIELD_NAME])}
        return Response(serializer.data, status=status.HTTP_201_CREATED, headers=headers)

    def update(self, request, *args, **kwargs):
        if not fast_rendering_enabled():
            return super().update(request, *args, **kwargs)
        serializer = self.get_serializer(
            self.get_object(), data=request.data, partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.written_response(serializer.instance)

    def perform_update(self, serializer):
        try:
            serializer.instance = services.booking_update(
                booking=serializer.instance, **serializer.validated_data
            )
        except StayNotAllowed as exc:
            exc.pointer = "/data/attributes/state"  # a restore: the booking has no dates
            raise

    # -- PATCH …/bookings/{id}/customer ----------------------------------------------------

    def required_scopes(self, action: str) -> tuple[str, ...]:
        if getattr(self, "action", None) == "customer":
            return ("customer|write",)
        return super().required_scopes(action)

    def expected_document_id(self):
        if self.action == "customer":
            booking = self.get_object()
            return str(booking.customer_id) if booking.customer_id else None
        return super().expected_document_id()

    @action(detail=True, methods=["patch"], url_path="customer")
    def customer(self, request, *args, **kwargs):
        """Updates (or, when the booking has none yet, creates) the booking's customer."""
        booking = self.get_object()
        current = booking.customer
        serializer = CustomerSerializer(
            current,
            data=request.data,
            partial=current is not None,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        current = services.booking_customer_save(booking=booking, **serializer.validated_data)
        return Response(CustomerSerializer(current, context=self.get_serializer_context()).data)


class ReservationViewSet(ResourceModelViewSet):
    """Stays. A booking can be built step by step with ``POST …/reservations``."""

    serializer_class = ReservationSerializer
    filterset_class = ReservationFilter
    scope_resource = "reservation"
    scope_overrides = {"read": ("reservation|read", "channel::reservation|read")}
    sort_fields = ("arrival_date", "departure_date", "state", "created_at", "updated_at")
    http_method_names = ["get", "post", "patch", "head"]
    select_for_includes = {
        "rentable": ["rentable"],
        "rentable.category": ["rentable__category"],
        "category": ["category"],
        "agenda_period": ["agenda_period"],
    }
    prefetch_for_includes = {
        "booking": ["booking__reservations"],
        "category": ["category__optional_amenities"],
        "rentable.category": ["rentable__category__optional_amenities"],
    }

    def base_queryset(self):
        return selectors.reservation_list(
            administration=self.administration,
            credential=self.request.auth,
            granted=self.granted_scopes,
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("state", None)
        for name in ("cancel_reason", "cancel_date"):
            data.pop(name, None)
        serializer.instance = services.reservation_add(**data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "booking" in data and data["booking"] != serializer.instance.booking:
            raise ValidationError({"booking": "A reservation cannot move to another booking."})
        data.pop("booking", None)
        serializer.instance = services.reservation_update(reservation=serializer.instance, **data)
