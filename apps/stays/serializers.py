from apps.core.models import EXCLUSIVE_END_ORDER
from apps.core.serializers import (
    Relationship,
    ResourceSerializer,
    SelfLinkField,
    TenantRelatedField,
    WeekdaysField,
)
from apps.rentables.models import Category
from apps.stays.models import StayRule

STAY_RULE_ATTRIBUTES = (
    "start_date", "end_date", "minimum_number_of_nights", "maximum_number_of_nights",
    "arrival_weekdays", "departure_weekdays", "closed_to_arrival", "closed_to_departure",
    "created_at", "updated_at",
)  # fmt: skip


class StayRuleSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:stay_rule-detail")
    arrival_weekdays = WeekdaysField(required=False)
    departure_weekdays = WeekdaysField(required=False)
    category = TenantRelatedField(queryset=Category.objects.all())
    administration = Relationship(read_only=True)

    included_serializers = {
        "category": "apps.rentables.serializers.CategorySerializer",
        "administration": "apps.administrations.serializers.AdministrationSerializer",
    }

    class Meta:
        model = StayRule
        resource_name = "stay_rule"
        fields = ("_self", *STAY_RULE_ATTRIBUTES, "category", "administration")
        read_only_fields = ("created_at", "updated_at")
        extra_kwargs = {"start_date": {"required": True}, "end_date": {"required": True}}

    def validate(self, attrs):
        self.require_order(attrs, "start_date", "end_date", EXCLUSIVE_END_ORDER)
        self.require_order(
            attrs,
            "minimum_number_of_nights",
            "maximum_number_of_nights",
            "Must be at least minimum_number_of_nights.",
            strict=False,
        )
        return attrs
