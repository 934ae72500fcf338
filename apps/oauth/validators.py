"""django-oauth-toolkit's validator, taught about halted apps and per-administration consent."""

from __future__ import annotations

import hashlib

from oauth2_provider.models import get_access_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from apps.oauth.models import ConsentedGrant, TokenGrant


class Validator(OAuth2Validator):
    def _load_application(self, client_id, request):
        """A halted app is no client at all: no authorization, no token, no refresh."""
        application = super()._load_application(client_id, request)
        if application is not None and application.is_halted:
            request.client = None
            return None
        return application

    def is_pkce_required(self, client_id, request):
        """PKCE is mandatory for public clients and allowed (not forced) for confidential ones."""
        client = getattr(request, "client", None) or self._load_application(client_id, request)
        return client is None or client.client_type == client.CLIENT_PUBLIC

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        """A code without a recorded consent (the administrations it grants) buys no token."""
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        return ConsentedGrant.objects.filter(code=code).exclude(administration_ids=[]).exists()

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        """A refresh token whose access token names no administrations buys no token."""
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        refresh = getattr(request, "refresh_token_instance", None)
        previous = getattr(refresh, "access_token", None)
        return previous is not None and previous.administration_grants.exists()

    def save_bearer_token(self, token, request, *args, **kwargs):
        """Binds the new access token to the administrations the user granted: those picked on
        the consent page, or, on refresh, exactly those of the token being replaced (read
        before rotation revokes it). Client-credentials tokens have no user and no binding."""
        administration_ids = self._granted_administrations(request)
        super().save_bearer_token(token, request, *args, **kwargs)
        if administration_ids:
            checksum = hashlib.sha256(token["access_token"].encode()).hexdigest()
            access_token = get_access_token_model().objects.get(token_checksum=checksum)
            TokenGrant.objects.bulk_create(
                TokenGrant(access_token=access_token, administration_id=admin_id)
                for admin_id in administration_ids
            )

    @staticmethod
    def _granted_administrations(request) -> list[int]:
        if request.grant_type == "authorization_code" and getattr(request, "code", None):
            consent = ConsentedGrant.objects.filter(code=request.code).first()
            if consent is None:
                return []
            ids = list(consent.administration_ids)
            consent.delete()  # a code is used once
            return ids
        if request.grant_type == "refresh_token":
            refresh = getattr(request, "refresh_token_instance", None)
            previous = getattr(refresh, "access_token", None) if refresh is not None else None
            if previous is not None:
                return list(
                    previous.administration_grants.values_list("administration_id", flat=True)
                )
        return []
