from apps.core.filters import INTEGER, Attribute, FilterSet, unmodelled_relationship
from apps.rentables.models import AdministrationAmenity, Amenity, Category, Rentable
from apps.rentables.serializers import CATEGORY_WRITABLE

_CATEGORY_NOT_FILTERABLE = {
    "same_day_booking_closing_time", "address", "postal_code", "latitude", "longitude",
    "checkin_times_for_week", "checkout_times_for_week",
}  # fmt: skip


class CategoryFilter(FilterSet):
    """Every filter the vendor lists for categories (resources.md §7.4)."""

    model = Category
    attributes = (
        *(name for name in CATEGORY_WRITABLE if name not in _CATEGORY_NOT_FILTERABLE),
        "archived", "max_number_of_people", "prices_updated_at", "prices_indexed_at",
        "stock_updated_at", "stock_indexed_at", "costs_updated_at", "extras_updated_at",
        "bookable_discounts_changed_at", "agreements_changed_at", "last_date_with_price",
        "region", "created_at", "updated_at",
    )  # fmt: skip
    relationships = {"administration": "administration_id"}
    computed = {
        name: unmodelled_relationship()
        for name in (
            "city", "terms", "rentable_segment", "master_price_list", "guest_group_limits",
            "rent_earned_ledger_account", "images", "rooms", "rentable_type_amenities",
            "accommodation_type", "category_amenities",
        )
    }  # fmt: skip


class RentableFilter(FilterSet):
    model = Rentable
    attributes = {
        "name": "name",
        "reference": "reference",
        "active": "active",
        "max_number_of_people": Attribute("effective_max_people", INTEGER),
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    relationships = {"administration": "administration_id", "category": "category_id"}


class AmenityFilter(FilterSet):
    model = Amenity
    attributes = ("name", "amenity_type", "created_at", "updated_at")


class AdministrationAmenityFilter(FilterSet):
    model = AdministrationAmenity
    attributes = ("value",)
    relationships = {"administration": "administration_id", "amenity": "amenity_id"}
