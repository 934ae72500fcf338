from apps.agreements import selectors, services
from apps.agreements.filters import AgreementFilter, OwnerFilter
from apps.agreements.serializers import AgreementSerializer, OwnerSerializer
from apps.core.views import ReadOnlyResourceViewSet, ResourceModelViewSet


class OwnerViewSet(ResourceModelViewSet):
    serializer_class = OwnerSerializer
    filterset_class = OwnerFilter
    scope_resource = "owner"
    sort_fields = ("name", "email", "city", "created_at", "updated_at")
    http_method_names = ["get", "post", "patch", "head"]
    prefetch_for_includes = {"agreements": ["agreements__rentable"]}

    def base_queryset(self):
        return selectors.owner_list(administration=self.administration)

    def perform_create(self, serializer):
        serializer.instance = services.owner_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.owner_update(
            owner=serializer.instance, **serializer.validated_data
        )


class AgreementViewSet(ReadOnlyResourceViewSet):
    """Read-only through the API (the vendor has no agreement write scope); the back-office
    writes them through ``services.agreement_save``."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    scope_resource = "agreement"
    sort_fields = ("name", "active_from", "active_till", "frequency", "created_at", "updated_at")
    select_for_includes = {
        "owner": ["owner"],
        "rentable_identity": ["rentable"],
        "rentable_identity.category": ["rentable__category"],
    }
    prefetch_for_includes = {
        "owner": ["owner__agreements"],
        "rentable_identity.category": ["rentable__category__optional_amenities"],
    }

    def base_queryset(self):
        return selectors.agreement_list(administration=self.administration)
