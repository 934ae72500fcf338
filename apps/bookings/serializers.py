from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.agreements.models import Owner
from apps.bookings.models import Booking, Reservation, State
from apps.core.localization import LOCALES
from apps.core.openapi import ALWAYS_EMPTY_LIST, money_schema
from apps.core.serializers import (
    MoneyField,
    Relationship,
    ResourceSerializer,
    SelfLinkField,
    TenantRelatedField,
    UnmodelledRelationship,
    money,
)
from apps.rentables.models import Rentable

TIME_OF_DAY = r"^([01]?\d|2[0-3])(:[0-5]\d)?$"  # "12" or "12:30"
DISCOUNT = r"^\d{1,7}(\.\d{1,2})?%?$"  # "10%" or "25" / "25.50"


def _without_vat(amount: Decimal) -> Decimal:
    rate = Decimal(str(settings.BOOKING_VAT_PERCENTAGE))
    return (amount * 100 / (100 + rate)).quantize(Decimal("0.01"))


class BookingSerializer(ResourceSerializer):
    """The cart. Money is derived from the reservations; ``state`` moves through the
    lifecycle (concept → option → confirmed → cancelled, and restore)."""

    _self = SelfLinkField("v3:booking-detail")
    state = serializers.ChoiceField(choices=State.choices, required=False)
    locale = serializers.ChoiceField(choices=LOCALES, required=False)
    option_validity = serializers.IntegerField(
        min_value=1, max_value=365, required=False, allow_null=True
    )
    option_expires_at = serializers.DateTimeField(required=False, allow_null=True)
    redeemable_codes = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, required=False
    )
    total = MoneyField(read_only=True)
    total_without_vat = serializers.SerializerMethodField()
    guest_payment_due = serializers.SerializerMethodField()
    guest_total_paid = serializers.SerializerMethodField()
    deposit = serializers.SerializerMethodField()
    rent_turnover = MoneyField(source="rent_total", read_only=True)
    rent_turnover_without_vat = serializers.SerializerMethodField()
    provision = serializers.SerializerMethodField()
    payment_deadlines = serializers.SerializerMethodField()
    pending_vouchers = serializers.SerializerMethodField()
    discount = serializers.RegexField(
        DISCOUNT,
        required=False,
        allow_blank=True,
        # DRF %-formats validator messages: the percent sign is doubled.
        error_messages={"invalid": "Expected a percentage like '10%%' or an amount like '25'."},
    )
    downpayment = MoneyField(required=False, allow_null=True)
    damage_deposit = MoneyField(required=False)
    expected_checkin_time = serializers.RegexField(
        TIME_OF_DAY,
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Expected an hour like '12' or a time like '12:30'."},
    )
    expected_checkout_time = serializers.RegexField(
        TIME_OF_DAY,
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Expected an hour like '12' or a time like '12:30'."},
    )
    customer = Relationship(read_only=True)
    owner = TenantRelatedField(queryset=Owner.objects.all(), required=False, allow_null=True)
    traffic_source = UnmodelledRelationship("traffic_source")
    administration = Relationship(read_only=True)
    channel = UnmodelledRelationship("channel")
    guest_invoice = UnmodelledRelationship("invoice")
    customer_invoice = UnmodelledRelationship("invoice")
    channel_invoice = UnmodelledRelationship("invoice")
    reservations = Relationship(read_only=True, many=True)
    payments = UnmodelledRelationship("payment", many=True)
    render_loads = ("reservations",)

    included_serializers = {
        "customer": "apps.customers.serializers.CustomerSerializer",
        "administration": "apps.administrations.serializers.AdministrationSerializer",
        "reservations": "apps.bookings.serializers.ReservationSerializer",
        "owner": "apps.agreements.serializers.OwnerSerializer",
    }

    class Meta:
        model = Booking
        resource_name = "booking"
        fields = (
            "_self", "customer_desires_downpayment", "after_payment_return_url", "redeemable_codes",
            "option_validity", "option_expires_at", "remote_booking_nr", "reference_nr", "locale",
            "memo", "currency", "cancel_date", "cancel_reason", "state", "token", "confirmed_at",
            "paid_by_customer", "deposit_completed", "booking_nr", "owner_reservation", "total",
            "total_without_vat", "guest_payment_due", "guest_total_paid", "deposit",
            "rent_turnover", "rent_turnover_without_vat", "provision", "payment_deadlines",
            "pending_vouchers", "discount", "notes", "downpayment", "damage_deposit",
            "expected_checkin_time", "expected_checkout_time", "created_at", "updated_at",
            "customer", "owner", "traffic_source", "administration", "channel", "guest_invoice",
            "customer_invoice", "channel_invoice", "reservations", "payments",
        )  # fmt: skip
        read_only_fields = (
            "currency", "token", "confirmed_at", "paid_by_customer", "deposit_completed",
            "booking_nr", "owner_reservation", "created_at", "updated_at",
        )  # fmt: skip

    def validate_discount(self, value):
        if value.endswith("%") and Decimal(value[:-1]) > 100:
            raise serializers.ValidationError("A percentage discount is at most 100%.")
        return value

    def _money(self, booking, amount):
        return money(amount, booking.currency)

    @extend_schema_field(money_schema())
    def get_total_without_vat(self, booking):
        return self._money(booking, _without_vat(booking.total))

    @extend_schema_field(money_schema())
    def get_guest_payment_due(self, booking):
        return self._money(booking, booking.total)  # no payments are recorded yet

    @extend_schema_field(money_schema())
    def get_guest_total_paid(self, booking):
        return self._money(booking, Decimal(0))

    @extend_schema_field(money_schema())
    def get_deposit(self, booking):
        return self._money(booking, booking.downpayment or Decimal(0))

    @extend_schema_field(money_schema())
    def get_rent_turnover_without_vat(self, booking):
        return self._money(booking, _without_vat(booking.rent_total))

    @extend_schema_field(money_schema())
    def get_provision(self, booking):
        return self._money(booking, Decimal(0))

    @extend_schema_field(ALWAYS_EMPTY_LIST)
    def get_payment_deadlines(self, booking):
        return []

    @extend_schema_field(ALWAYS_EMPTY_LIST)
    def get_pending_vouchers(self, booking):
        return []


class ReservationSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:reservation-detail")
    rent_price = MoneyField(currency_source="booking.currency", required=False)
    list_price = MoneyField(currency_source="booking.currency", read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=State.choices, required=False)
    adults = serializers.IntegerField(min_value=0, max_value=100, required=False)
    children = serializers.IntegerField(min_value=0, max_value=100, required=False)
    babies = serializers.IntegerField(min_value=0, max_value=100, required=False)
    pets = serializers.IntegerField(min_value=0, max_value=20, required=False)
    booking = TenantRelatedField(queryset=Booking.objects.all())
    rentable = TenantRelatedField(queryset=Rentable.objects.all())
    category = Relationship(read_only=True)
    agenda_period = Relationship(read_only=True)
    render_loads = ("booking",)  # rent_price and list_price take the booking's currency

    included_serializers = {
        "booking": "apps.bookings.serializers.BookingSerializer",
        "rentable": "apps.rentables.serializers.RentableSerializer",
        "category": "apps.rentables.serializers.CategorySerializer",
        "agenda_period": "apps.agenda_periods.serializers.AgendaPeriodSerializer",
    }

    class Meta:
        model = Reservation
        resource_name = "reservation"
        fields = (
            "_self", "arrival_date", "departure_date", "adults", "children", "babies", "pets",
            "rent_price", "list_price", "state", "remote_reservation_nr", "cancel_date",
            "cancel_reason", "created_at", "updated_at", "booking", "rentable", "category",
            "agenda_period",
        )  # fmt: skip
        read_only_fields = ("created_at", "updated_at")
        extra_kwargs = {"arrival_date": {"required": True}, "departure_date": {"required": True}}

    def validate(self, attrs):
        self.require_order(
            attrs, "arrival_date", "departure_date", "departure_date must be after arrival_date."
        )
        return attrs


class SidePostedReservationSerializer(ReservationSerializer):
    """A reservation inside ``POST …/bookings``: its booking is the one being created."""

    booking = TenantRelatedField(queryset=Booking.objects.all(), required=False)
