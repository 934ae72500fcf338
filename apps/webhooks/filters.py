from apps.core.filters import FilterSet
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointFilter(FilterSet):
    model = WebhookEndpoint
    attributes = ("url", "active", "description", "created_at", "updated_at")


class WebhookDeliveryFilter(FilterSet):
    model = WebhookDelivery
    attributes = {
        "status": "status",
        "event": "event__name",
        "attempts": "attempts",
        "last_response_code": "last_response_code",
        "next_attempt_at": "next_attempt_at",
        "created_at": "created_at",
    }
    relationships = {"webhook_endpoint": "endpoint_id"}
