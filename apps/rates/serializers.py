from apps.core.models import EXCLUSIVE_END_ORDER
from apps.core.serializers import (
    MoneyField,
    Relationship,
    ResourceSerializer,
    SelfLinkField,
    TenantRelatedField,
)
from apps.rates.models import Rate
from apps.rentables.models import Category

RATE_ATTRIBUTES = (
    "start_date", "end_date", "price_per_night", "minimum_number_of_nights", "created_at",
    "updated_at",
)  # fmt: skip


class RateSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:rate-detail")
    price_per_night = MoneyField(currency_source="administration.currency")
    category = TenantRelatedField(queryset=Category.objects.all())
    administration = Relationship(read_only=True)
    render_loads = ("administration",)  # price_per_night takes the administration's currency

    included_serializers = {
        "category": "apps.rentables.serializers.CategorySerializer",
        "administration": "apps.administrations.serializers.AdministrationSerializer",
    }

    class Meta:
        model = Rate
        resource_name = "rate"
        fields = ("_self", *RATE_ATTRIBUTES, "category", "administration")
        read_only_fields = ("created_at", "updated_at")
        extra_kwargs = {"start_date": {"required": True}, "end_date": {"required": True}}

    def validate(self, attrs):
        self.require_order(attrs, "start_date", "end_date", EXCLUSIVE_END_ORDER)
        return attrs
