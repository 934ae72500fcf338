from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core import outbound
from apps.core.serializers import Relationship, ResourceSerializer, SelfLinkField
from apps.webhooks.events import EVENTS, WILDCARD, read_scope
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:webhook_endpoint-detail")
    events = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=len(EVENTS) + 1
    )
    secret = serializers.SerializerMethodField(
        help_text="The signing secret: present only in the answer to create and rotate_secret."
    )

    class Meta:
        model = WebhookEndpoint
        resource_name = "webhook_endpoint"
        fields = (
            "_self", "url", "events", "active", "description", "secret", "disabled_reason",
            "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("disabled_reason", "created_at", "updated_at")

    @extend_schema_field(
        {"type": "string", "nullable": True, "description": "Only on create and rotate_secret."}
    )
    def get_secret(self, endpoint):
        return endpoint.secret if self.context.get("reveal_secret") else None

    def validate_url(self, value):
        try:
            outbound.check_url(value)
        except outbound.OutboundRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate_events(self, value):
        unknown = sorted(set(value) - set(EVENTS) - {WILDCARD})
        if unknown:
            raise serializers.ValidationError(
                f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(EVENTS)} or '*'."
            )
        return sorted(set(value))

    def validate(self, attrs):
        """Subscribing needs the read scope of each event's resource (spec §11): checked on
        create and whenever the url or events change, against the caller's scopes here."""
        scopes = self.context.get("owner_scopes")
        if scopes is None or not (self.instance is None or {"url", "events"} & set(attrs)):
            return attrs
        events = attrs.get("events", self.instance.events if self.instance else [])
        if WILDCARD in events:
            if not any(read_scope(event) in scopes for event in EVENTS):
                raise serializers.ValidationError(
                    {
                        "events": "'*' receives the events whose resource you may read, and "
                        "this credential reads none of them (it needs one of "
                        f"{', '.join(sorted({read_scope(e) for e in EVENTS}))})."
                    }
                )
            return attrs
        missing = [event for event in events if read_scope(event) not in scopes]
        if missing:
            needs = "; ".join(f"{event} needs {read_scope(event)}" for event in missing)
            raise serializers.ValidationError(
                {
                    "events": f"Subscribing to an event needs the read scope of its resource: "
                    f"{needs}."
                }
            )
        return attrs


class WebhookDeliverySerializer(ResourceSerializer):
    _self = SelfLinkField(
        "v3:webhook_delivery-detail", administration_source="endpoint.administration_id"
    )
    event = serializers.CharField(source="event.name", read_only=True)
    event_id = serializers.UUIDField(source="event.id", read_only=True)
    webhook_endpoint = Relationship(source="endpoint", read_only=True)

    included_serializers = {
        "webhook_endpoint": "apps.webhooks.serializers.WebhookEndpointSerializer"
    }

    class Meta:
        model = WebhookDelivery
        resource_name = "webhook_delivery"
        fields = (
            "_self", "event", "event_id", "status", "attempts", "last_response_code",
            "next_attempt_at", "created_at", "attempt_log", "webhook_endpoint",
        )  # fmt: skip
        read_only_fields = fields
