from apps.core.views import ResourceModelViewSet
from apps.stays import selectors, services
from apps.stays.filters import StayRuleFilter
from apps.stays.serializers import STAY_RULE_ATTRIBUTES, StayRuleSerializer


class StayRuleViewSet(ResourceModelViewSet):
    """Date-bounded overrides of a category's stay rules."""

    serializer_class = StayRuleSerializer
    filterset_class = StayRuleFilter
    scope_resource = "stay_rule"
    sort_fields = tuple(
        name for name in STAY_RULE_ATTRIBUTES if not name.endswith("_weekdays")
    )  # a list has no order
    select_for_includes = {"category": ["category"], "administration": ["administration"]}
    prefetch_for_includes = {"category": ["category__optional_amenities"]}

    def base_queryset(self):
        return selectors.stay_rule_list(administration=self.administration)

    def perform_create(self, serializer):
        serializer.instance = services.stay_rule_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.stay_rule_update(
            rule=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.stay_rule_delete(rule=instance)
