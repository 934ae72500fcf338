from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import bad_query
from apps.core.views import ReadOnlyResourceViewSet, ResourceModelViewSet
from apps.rentables import selectors, services
from apps.rentables.filters import (
    AdministrationAmenityFilter,
    AmenityFilter,
    CategoryFilter,
    RentableFilter,
)
from apps.rentables.serializers import (
    AdministrationAmenitySerializer,
    AmenitySerializer,
    CategorySerializer,
    RentableSerializer,
)

BOOLEAN_VALUES = {"true": True, "1": True, "false": False, "0": False}


class CategoryViewSet(ResourceModelViewSet):
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    scope_resource = "category"
    extra_query_params = ("include_archived",)
    sort_fields = tuple(
        name
        for name, attr in CategoryFilter.base_filters.items()
        if attr.kind not in ("localized", "relationship", "list")  # no order on a list
    )
    select_for_includes = {"administration": ["administration"]}
    prefetch_for_includes = {"optional_amenities": ["optional_amenities__options"]}

    def base_queryset(self):
        return selectors.category_list(
            administration=self.administration,
            include_archived=self.action != "list" or self._include_archived(),
        )

    def _include_archived(self) -> bool:
        raw = self.request.query_params.get("include_archived", "false").lower()
        if raw not in BOOLEAN_VALUES:
            raise bad_query("include_archived", "include_archived must be true or false.")
        return BOOLEAN_VALUES[raw]

    def perform_create(self, serializer):
        serializer.instance = services.category_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.category_update(
            category=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.category_delete(category=instance)


class RentableViewSet(ResourceModelViewSet):
    serializer_class = RentableSerializer
    # For /v3/oas3.json: a rentable with past reservations is deactivated, not deleted.
    meta_responses = {"destroy": {"200": "Deactivated instead of deleted (meta.deactivated)"}}
    filterset_class = RentableFilter
    scope_resource = "rentable"
    sort_fields = {
        "name": "name",
        "reference": "reference",
        "active": "active",
        "max_number_of_people": "effective_max_people",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    select_for_includes = {
        "administration": ["administration"],
        "category.administration": ["category__administration"],
    }
    prefetch_for_includes = {
        "category": ["category__optional_amenities"],
        "category.optional_amenities": ["category__optional_amenities__options"],
    }

    def base_queryset(self):
        return selectors.rentable_list(administration=self.administration)

    def perform_create(self, serializer):
        serializer.instance = services.rentable_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.rentable_update(
            rentable=serializer.instance, **serializer.validated_data
        )

    @action(detail=True, methods=["post"], url_path="rotate_ical_token")
    def rotate_ical_token(self, request, *args, **kwargs):
        """A new secret feed address; the old one stops working at once."""
        rentable = services.rentable_rotate_ical_token(rentable=self.get_object())
        return Response(self.get_serializer(rentable).data)

    def destroy(self, request, *args, **kwargs):
        rentable = self.get_object()
        if services.rentable_delete(rentable=rentable):
            return Response(status=204)
        # Kept for the history of its past reservations: say so instead of pretending.
        self.resource_name = False
        detail = "The rentable has past reservations, so it was deactivated instead of deleted."
        return Response({"meta": {"deactivated": True, "detail": detail}}, status=200)


class AmenityViewSet(ReadOnlyResourceViewSet):
    """The global amenity catalogue (read-only through the API)."""

    serializer_class = AmenitySerializer
    filterset_class = AmenityFilter
    scope_resource = "amenity"
    sort_fields = ("amenity_type", "created_at", "updated_at")

    def base_queryset(self):
        return selectors.amenity_list()


class AdministrationAmenityViewSet(ReadOnlyResourceViewSet):
    serializer_class = AdministrationAmenitySerializer
    filterset_class = AdministrationAmenityFilter
    scope_resource = "amenity"  # the vendor has no administration_amenity scope
    sort_fields = ("value", "created_at", "updated_at")
    select_for_includes = {"administration": ["administration"]}
    prefetch_for_includes = {"amenity": ["amenity__options"]}

    def base_queryset(self):
        return selectors.administration_amenity_list(administration=self.administration)
