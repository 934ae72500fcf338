"""GET /v3/subscription: what the calling credentials were granted (apps call it first)."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework_json_api import serializers as jsonapi

from apps.administrations.models import Administration
from apps.core.serializers import Relationship
from apps.core.views import ResourceViewSet
from apps.oauth.models import Application


@dataclass
class Grant:
    pk: str
    credential_type: str
    application: dict
    scopes: list[str]
    grants: dict[str, list[str]]
    administrations: list


class SubscriptionSerializer(jsonapi.Serializer):
    credential_type = serializers.CharField(help_text="api_key or oauth")
    application = serializers.DictField(
        help_text="{name, client_id} of the app behind the credentials"
    )
    scopes = serializers.ListField(
        child=serializers.CharField(), help_text="Every scope held somewhere"
    )
    grants = serializers.DictField(help_text="Administration id → the scopes granted there")
    administrations = Relationship(read_only=True, many=True, model=Administration)

    included_serializers = {
        "administrations": "apps.administrations.serializers.AdministrationSerializer"
    }

    class Meta:
        resource_name = "subscription"


class SubscriptionViewSet(ResourceViewSet):
    """Any valid credential may ask; it learns only about itself."""

    serializer_class = SubscriptionSerializer
    http_method_names = ["get", "head"]
    filter_backends = ()

    def required_scopes(self, action: str) -> tuple[str, ...]:
        return ()

    def current(self, request, *args, **kwargs):
        credential = request.auth
        application = Application.objects.filter(pk=credential.application_id).first()
        administrations = list(
            Administration.objects.filter(pk__in=credential.grants).order_by("pk")
        )
        grants = {str(a.pk): sorted(credential.scopes_for(a.pk)) for a in administrations}
        identifier = (
            f"subscription-{credential.subscription_id}"
            if credential.subscription_id
            else credential.identifier
        )
        grant = Grant(
            pk=identifier,
            credential_type=credential.kind,
            application={"name": application.name, "client_id": application.client_id}
            if application
            else {},
            scopes=sorted(credential.scopes),
            grants=grants,
            administrations=administrations,
        )
        return Response(self.get_serializer(grant).data)
