from rest_framework import serializers
from rest_framework_json_api import serializers as jsonapi

from apps.agenda_periods.models import AgendaPeriod
from apps.core.serializers import (
    MoneyField,
    OptionalOneRelationship,
    Relationship,
    ResourceSerializer,
    SelfLinkField,
    TenantRelatedField,
)
from apps.rentables.models import Category, Rentable


class AgendaPeriodSerializer(ResourceSerializer):
    """One JSON:API type for all six subtypes; ``period_type`` names the subtype."""

    _self = SelfLinkField("v3:agenda_period-detail")
    rentable = TenantRelatedField(queryset=Rentable.objects.all())
    reservation = OptionalOneRelationship(read_only=True)
    render_loads = ("reservation",)  # the reverse one-to-one is read for its id

    included_serializers = {
        "rentable": "apps.rentables.serializers.RentableSerializer",
        "reservation": "apps.bookings.serializers.ReservationSerializer",
    }

    class Meta:
        model = AgendaPeriod
        resource_name = "agenda_period"
        fields = (
            "_self", "label", "start_date", "end_date", "period_type", "ical_uid",
            "created_at", "updated_at", "rentable", "reservation",
        )  # fmt: skip
        read_only_fields = ("period_type", "ical_uid", "created_at", "updated_at")
        extra_kwargs = {"start_date": {"required": True}, "end_date": {"required": True}}

    def validate(self, attrs):
        self.require_order(
            attrs,
            "start_date",
            "end_date",
            "end_date must be after start_date (the last night is end_date - 1).",
        )
        return attrs


class AvailabilitySerializer(jsonapi.Serializer):
    arrival_date = serializers.DateField()
    departure_date = serializers.DateField()
    nights = serializers.IntegerField()
    available_count = serializers.IntegerField()
    price = MoneyField(currency_source="currency", read_only=True, allow_null=True)
    category = Relationship(read_only=True, model=Category)
    available_rentables = Relationship(read_only=True, many=True, model=Rentable)

    included_serializers = {
        "category": "apps.rentables.serializers.CategorySerializer",
        "available_rentables": "apps.rentables.serializers.RentableSerializer",
    }

    class Meta:
        resource_name = "availability"


class CalendarDaySerializer(jsonapi.Serializer):
    date = serializers.DateField()
    available = serializers.BooleanField()
    rentable = Relationship(read_only=True, model=Rentable)
    agenda_period = Relationship(read_only=True, model=AgendaPeriod)

    included_serializers = {
        "rentable": "apps.rentables.serializers.RentableSerializer",
        "agenda_period": "apps.agenda_periods.serializers.AgendaPeriodSerializer",
    }

    class Meta:
        resource_name = "calendar_day"
