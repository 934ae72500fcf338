from apps.core.views import ResourceModelViewSet
from apps.rates import selectors, services
from apps.rates.filters import RateFilter
from apps.rates.serializers import RATE_ATTRIBUTES, RateSerializer


class RateViewSet(ResourceModelViewSet):
    """A category's nightly rates."""

    serializer_class = RateSerializer
    filterset_class = RateFilter
    scope_resource = "rate"
    sort_fields = RATE_ATTRIBUTES
    select_for_includes = {"category": ["category"], "administration": ["administration"]}
    prefetch_for_includes = {"category": ["category__optional_amenities"]}

    def base_queryset(self):
        return selectors.rate_list(administration=self.administration)

    def perform_create(self, serializer):
        serializer.instance = services.rate_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.rate_update(
            rate=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.rate_delete(rate=instance)
