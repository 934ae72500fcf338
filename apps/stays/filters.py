from apps.core.filters import FilterSet
from apps.stays.models import StayRule
from apps.stays.serializers import STAY_RULE_ATTRIBUTES


class StayRuleFilter(FilterSet):
    """Every attribute, and the category."""

    class Meta:
        model = StayRule
        fields = (*STAY_RULE_ATTRIBUTES, "category", "administration")
