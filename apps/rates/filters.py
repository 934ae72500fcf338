from apps.core.filters import FilterSet
from apps.rates.models import Rate
from apps.rates.serializers import RATE_ATTRIBUTES


class RateFilter(FilterSet):
    """Every attribute (``price_per_night`` by its value), and the category."""

    class Meta:
        model = Rate
        fields = (*RATE_ATTRIBUTES, "category", "administration")
