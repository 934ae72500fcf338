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


STAY_HORIZON = (
    "Stays of 1 night up to the stay's maximum_number_of_nights, at most "
    "STAY_SEARCH_MAX_NIGHTS (28 by default), are considered."
)


class CalendarDaySerializer(jsonapi.Serializer):
    date = serializers.DateField()
    available = serializers.BooleanField(
        help_text="The rentable is active and no period holds this night."
    )
    arrival_allowed = serializers.BooleanField(
        help_text=(
            "Some stay starting this day on this rentable can be booked now: its nights are "
            "free and the park's stay rules allow it (as POST bookings would judge it). "
            + STAY_HORIZON
        )
    )
    departure_allowed = serializers.BooleanField(
        help_text="Some stay ending this day on this rentable can be booked now. " + STAY_HORIZON
    )
    minimum_stay = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Nights of the shortest stay starting this day that can be booked now; null when "
            "none can (arrival_allowed is false). " + STAY_HORIZON
        ),
    )
    rentable = Relationship(read_only=True, model=Rentable)
    agenda_period = Relationship(read_only=True, model=AgendaPeriod)

    included_serializers = {
        "rentable": "apps.rentables.serializers.RentableSerializer",
        "agenda_period": "apps.agenda_periods.serializers.AgendaPeriodSerializer",
    }

    class Meta:
        resource_name = "calendar_day"
