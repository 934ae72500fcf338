from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.openapi import localized_schema
from apps.core.serializers import (
    LocalizedField,
    Relationship,
    ResourceSerializer,
    SelfLinkField,
    TenantRelatedField,
    TimesOfWeekField,
    UnmodelledRelationship,
    UtcTimeField,
    WeekdaysField,
)
from apps.rentables.models import AdministrationAmenity, Amenity, Category, Rentable

CATEGORY_WRITABLE = (
    "name", "description", "short_description", "usps", "highlighted", "reference",
    "minimum_number_of_nights", "maximum_number_of_nights", "number_of_bedrooms",
    "number_of_beds", "number_of_showers", "number_of_toilets", "number_of_bathrooms",
    "number_of_parking_spots", "number_of_child_beds", "number_of_child_chairs", "surface_area",
    "summer_video_id", "winter_video_id", "whole_year_video_id",
    "master_price_list_price_factor", "master_price_list_fixed_rate",
    "same_day_bookings_allowed", "same_day_booking_closing_time", "address", "postal_code",
    "latitude", "longitude", "checkin_times_for_week", "checkout_times_for_week",
    "arrival_weekdays", "departure_weekdays", "minimum_notice_days", "maximum_advance_days",
    "turnover_gap_nights",
)  # fmt: skip
CATEGORY_READ_ONLY = (
    "energy_label", "virtual", "archived", "max_number_of_people", "max_number_of_seniors",
    "max_number_of_adults", "max_number_of_adolescents", "max_number_of_children",
    "max_number_of_babies", "max_number_of_pets", "prices_updated_at", "prices_indexed_at",
    "stock_updated_at", "stock_indexed_at", "costs_updated_at", "extras_updated_at",
    "bookable_discounts_changed_at", "agreements_changed_at", "max_baby_age", "max_child_age",
    "max_adolescent_age", "min_senior_age", "pets_allowed", "host_image_url",
    "last_date_with_price", "city_name", "region", "country_code", "location_is_exact",
    "has_current_or_future_owner_that_should_check_reservations", "created_at", "updated_at",
    "rentable_type",
)  # fmt: skip
CATEGORY_RELATIONSHIPS = (
    "administration", "city", "terms", "rentable_segment", "master_price_list",
    "guest_group_limits", "rent_earned_ledger_account", "images", "rooms",
    "rentable_type_amenities", "optional_amenities", "attachments", "accommodation_type",
    "category_amenities",
)  # fmt: skip


class AmenitySerializer(ResourceSerializer):
    _self = SelfLinkField("v3:amenity-detail")
    options = serializers.SerializerMethodField(
        help_text="For multiple-choice amenities: [{id, name}], the id being a possible value."
    )
    render_loads = ("options",)

    class Meta:
        model = Amenity
        resource_name = "amenity"
        fields = ("_self", "name", "amenity_type", "options", "created_at", "updated_at")
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": localized_schema()},
            },
        }
    )
    def get_options(self, amenity):
        name_field = LocalizedField()
        name_field.bind("name", self)
        return [
            {"id": str(option.pk), "name": name_field.to_representation(option.name)}
            for option in amenity.options.all()
        ]


class AdministrationAmenitySerializer(ResourceSerializer):
    _self = SelfLinkField("v3:administration_amenity-detail")
    administration = Relationship(read_only=True)
    amenity = Relationship(read_only=True)

    included_serializers = {
        "administration": "apps.administrations.serializers.AdministrationSerializer",
        "amenity": "apps.rentables.serializers.AmenitySerializer",
    }

    class Meta:
        model = AdministrationAmenity
        resource_name = "administration_amenity"
        fields = ("_self", "value", "administration", "amenity", "created_at", "updated_at")
        read_only_fields = fields


class CategorySerializer(ResourceSerializer):
    _self = SelfLinkField("v3:category-detail")
    usps = LocalizedField(many=True, required=False)
    same_day_booking_closing_time = UtcTimeField(required=False, allow_null=True)
    checkin_times_for_week = TimesOfWeekField(required=False)
    checkout_times_for_week = TimesOfWeekField(required=False)
    arrival_weekdays = WeekdaysField(required=False)
    departure_weekdays = WeekdaysField(required=False)
    administration = Relationship(read_only=True)
    optional_amenities = Relationship(read_only=True, many=True)
    city = UnmodelledRelationship("city")
    terms = UnmodelledRelationship("terms")
    rentable_segment = UnmodelledRelationship("rentable_segment")
    master_price_list = UnmodelledRelationship("master_price_list")
    guest_group_limits = UnmodelledRelationship("guest_group_limit", many=True)
    rent_earned_ledger_account = UnmodelledRelationship("ledger_account")
    images = UnmodelledRelationship("image", many=True)
    rooms = UnmodelledRelationship("room", many=True)
    rentable_type_amenities = UnmodelledRelationship("rentable_type_amenity", many=True)
    attachments = UnmodelledRelationship("attachment", many=True)
    accommodation_type = UnmodelledRelationship("accommodation_type")
    category_amenities = UnmodelledRelationship("category_amenity", many=True)
    render_loads = ("optional_amenities",)

    included_serializers = {
        "administration": "apps.administrations.serializers.AdministrationSerializer",
        "optional_amenities": "apps.rentables.serializers.AmenitySerializer",
    }

    class Meta:
        model = Category
        resource_name = "category"
        fields = ("_self", *CATEGORY_WRITABLE, *CATEGORY_READ_ONLY, *CATEGORY_RELATIONSHIPS)
        read_only_fields = CATEGORY_READ_ONLY
        extra_kwargs = {"name": {"required": True}}

    def validate_name(self, value):
        if not value:
            raise serializers.ValidationError("Give the name in at least one locale.")
        return value

    def validate(self, attrs):
        self.require_order(
            attrs,
            "minimum_number_of_nights",
            "maximum_number_of_nights",
            "Must be at least minimum_number_of_nights.",
            strict=False,
        )
        return attrs


class FallbackMaxPeopleField(serializers.IntegerField):
    """Writes the rentable's own capacity; reads it with the category's as fallback."""

    def get_attribute(self, rentable):
        return rentable.effective_max_number_of_people


class RentableSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:rentable-detail")
    max_number_of_people = FallbackMaxPeopleField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=1000,
        help_text="Falls back to the category's when not set on the rentable.",
    )
    ical_export_url = serializers.SerializerMethodField()
    administration = Relationship(read_only=True)
    category = TenantRelatedField(queryset=Category.objects.all())

    included_serializers = {
        "administration": "apps.administrations.serializers.AdministrationSerializer",
        "category": "apps.rentables.serializers.CategorySerializer",
    }
    # max_number_of_people falls back to the category's
    render_loads = ("category",)

    class Meta:
        model = Rentable
        resource_name = "rentable"
        fields = (
            "_self", "name", "reference", "active", "max_number_of_people", "available_from",
            "available_until", "ical_export_url", "created_at", "updated_at", "administration", "category",
        )  # fmt: skip
        read_only_fields = ("created_at", "updated_at")
        extra_kwargs = {"name": {"required": True}}

    def validate(self, attrs):
        self.require_order(
            attrs,
            "available_from",
            "available_until",
            "Must not be before available_from (both nights are bookable).",
            strict=False,
        )
        return attrs

    def get_ical_export_url(self, rentable) -> str:
        from apps.calendars.services.export import export_url

        return export_url(rentable, request=self.context.get("request"))
