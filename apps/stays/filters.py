from apps.core.filters import FilterSet
from apps.stays.models import StayRule
from apps.stays.serializers import STAY_RULE_ATTRIBUTES


class StayRuleFilter(FilterSet):
    """Every attribute, and the category."""

    model = StayRule
    attributes = STAY_RULE_ATTRIBUTES
    relationships = {"category": "category_id", "administration": "administration_id"}
