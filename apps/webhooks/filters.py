from apps.core.filters import FilterSet, RelationshipFilter, TextFilter
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointFilter(FilterSet):
    class Meta:
        model = WebhookEndpoint
        fields = ("url", "active", "description", "created_at", "updated_at")


class WebhookDeliveryFilter(FilterSet):
    event = TextFilter("event__name")
    webhook_endpoint = RelationshipFilter("endpoint")

    class Meta:
        model = WebhookDelivery
        fields = ("status", "attempts", "last_response_code", "next_attempt_at", "created_at")
