from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core import idempotency
from apps.core.views import ResourceModelViewSet, ResourceViewSet
from apps.webhooks import selectors, services
from apps.webhooks.filters import WebhookDeliveryFilter, WebhookEndpointFilter
from apps.webhooks.serializers import WebhookDeliverySerializer, WebhookEndpointSerializer

SECRET_POINTER = "/data/attributes/secret"


class WebhookEndpointViewSet(ResourceModelViewSet):
    """An app's webhook subscriptions: each app sees and manages the endpoints it created."""

    serializer_class = WebhookEndpointSerializer
    filterset_class = WebhookEndpointFilter
    scope_resource = "webhook_endpoint"
    sort_fields = ("url", "active", "created_at", "updated_at")

    def base_queryset(self):
        return selectors.endpoint_list(
            administration=self.administration, application_id=self.request.auth.application_id
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.administration is not None and getattr(self.request, "auth", None):
            context["owner_scopes"] = self.request.auth.scopes_for(self.administration.pk)
        return context

    def owner(self) -> dict:
        return services.owner_fields(self.request.auth, self.administration.pk)

    def perform_create(self, serializer):
        serializer.instance = services.endpoint_create(
            administration=self.administration,
            application_id=self.request.auth.application_id,
            owner=self.owner(),
            **serializer.validated_data,
        )
        serializer.context["reveal_secret"] = True  # shown once, in this answer

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        setattr(response, idempotency.WITHHELD_ATTRIBUTE, [SECRET_POINTER])
        return response

    def perform_update(self, serializer):
        serializer.instance = services.endpoint_update(
            endpoint=serializer.instance, owner=self.owner(), **serializer.validated_data
        )

    @action(detail=True, methods=["post"], url_path="rotate_secret")
    def rotate_secret(self, request, *args, **kwargs):
        """A new signing secret, returned once; the old one signs alongside for 24 hours."""
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        context = {**self.get_serializer_context(), "reveal_secret": True}
        response = Response(self.get_serializer(endpoint, context=context).data)
        setattr(response, idempotency.WITHHELD_ATTRIBUTE, [SECRET_POINTER])
        return response


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ResourceViewSet):
    """Every delivery with its attempts (read-only), and a way to send one again."""

    serializer_class = WebhookDeliverySerializer
    action_statuses = {"redeliver": 202}  # for /v3/oas3.json
    filterset_class = WebhookDeliveryFilter
    scope_resource = "webhook_endpoint"
    scope_overrides = {"write": ("webhook_endpoint|write",)}
    sort_fields = ("status", "attempts", "next_attempt_at", "created_at")
    http_method_names = ["get", "post", "head"]
    select_for_includes = {"webhook_endpoint": ["endpoint"]}

    def base_queryset(self):
        return selectors.delivery_list(
            administration=self.administration, application_id=self.request.auth.application_id
        )

    @action(detail=True, methods=["post"], url_path="redeliver")
    def redeliver(self, request, *args, **kwargs):
        delivery = services.delivery_redeliver(delivery=self.get_object())
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
