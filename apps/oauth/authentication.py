"""The two ways in (spec README §3): ``X-API-KEY`` and ``Authorization: Bearer``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apps.core.errors import ApiError
from apps.oauth import selectors, services


def _refuse_halted(application) -> None:
    if application is not None and application.is_halted:
        reason = f" Reason: {application.halted_reason}" if application.halted_reason else ""
        raise ApiError(
            403,
            f"The app '{application.name}' has been halted by an administrator.{reason}",
            code="APPLICATION_HALTED",
        )


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw = request.META.get("HTTP_X_API_KEY")
        if raw is None:
            return None
        key = selectors.api_key_find(raw.strip())
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is unknown or has been revoked.")
        _refuse_halted(key.subscription.application)
        services.api_key_touch(api_key=key)
        return AnonymousUser(), selectors.credential_for_api_key(key)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenAuthentication(OAuth2Authentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() != "bearer ":
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(
                "The access token is invalid, expired or revoked."
            )
        user, token = result
        _refuse_halted(token.application)
        return user or AnonymousUser(), selectors.credential_for_token(token)
