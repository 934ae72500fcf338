from apps.core.filters import FilterSet, IntegerFilter, UnmodelledRelationshipFilter
from apps.rentables.models import AdministrationAmenity, Amenity, Category, Rentable
from apps.rentables.serializers import CATEGORY_WRITABLE

_CATEGORY_NOT_FILTERABLE = {
    "same_day_booking_closing_time", "address", "postal_code", "latitude", "longitude",
    "checkin_times_for_week", "checkout_times_for_week",
}  # fmt: skip


class CategoryFilter(FilterSet):
    """Every filter the vendor lists for categories (resources.md §7.4)."""

    # relationships of the vendor this product does not model
    city = UnmodelledRelationshipFilter()
    terms = UnmodelledRelationshipFilter()
    rentable_segment = UnmodelledRelationshipFilter()
    master_price_list = UnmodelledRelationshipFilter()
    guest_group_limits = UnmodelledRelationshipFilter()
    rent_earned_ledger_account = UnmodelledRelationshipFilter()
    images = UnmodelledRelationshipFilter()
    rooms = UnmodelledRelationshipFilter()
    rentable_type_amenities = UnmodelledRelationshipFilter()
    accommodation_type = UnmodelledRelationshipFilter()
    category_amenities = UnmodelledRelationshipFilter()

    class Meta:
        model = Category
        fields = (
            *(name for name in CATEGORY_WRITABLE if name not in _CATEGORY_NOT_FILTERABLE),
            "archived", "max_number_of_people", "prices_updated_at", "prices_indexed_at",
            "stock_updated_at", "stock_indexed_at", "costs_updated_at", "extras_updated_at",
            "bookable_discounts_changed_at", "agreements_changed_at", "last_date_with_price",
            "region", "created_at", "updated_at", "administration",
        )  # fmt: skip


class RentableFilter(FilterSet):
    max_number_of_people = IntegerFilter("effective_max_people")  # the category's when unset

    class Meta:
        model = Rentable
        fields = (
            "name",
            "reference",
            "active",
            "available_from",
            "available_until",
            "created_at",
            "updated_at",
            "administration",
            "category",
        )


class AmenityFilter(FilterSet):
    class Meta:
        model = Amenity
        fields = "__all__"  # every column


class AdministrationAmenityFilter(FilterSet):
    class Meta:
        model = AdministrationAmenity
        fields = ("value", "administration", "amenity")
