from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from apps.core.deletion import deletion_register
        from apps.core.observability import register_scrape_collector
        from apps.webhooks.metrics import webhook_backlog
        from apps.webhooks.models import WebhookEndpoint
        from apps.webhooks.services import forget_endpoints

        post_save.connect(forget_endpoints, sender=WebhookEndpoint, dispatch_uid="wh-forget")
        post_delete.connect(forget_endpoints, sender=WebhookEndpoint, dispatch_uid="wh-forget-d")
        register_scrape_collector(webhook_backlog)
        # Deletes, cascades included, leave tombstones (apps.core.deletion).
        deletion_register(WebhookEndpoint, resource_type="webhook_endpoint")
        from apps.core.resources import resource_serializer_register
        from apps.webhooks.serializers import WebhookDeliverySerializer, WebhookEndpointSerializer

        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(WebhookEndpointSerializer)
        resource_serializer_register(WebhookDeliverySerializer)
        from apps.core.operations import batch_scope_register
        from apps.webhooks.outbox import collecting

        # An operations request stores all its events in one go, as one write service does.
        batch_scope_register(collecting)
