"""Tenancy and scopes: one permission class for every API view (spec README §3)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from apps.core.credentials import Credential
from apps.core.errors import ApiError

ACTION_BY_METHOD = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "write",
    "PATCH": "write",
    "PUT": "write",
    "DELETE": "delete",
}


def no_valid_scope(required: tuple[str, ...]) -> ApiError:
    return ApiError(
        403,
        "The scopes for your application do not grant you permission to perform this action. "
        f"One of the following scopes is required: {', '.join(required)}.",
        code="NO_VALID_SCOPE",
    )


class ScopePermission(BasePermission):
    """Authenticated, confined to a granted administration (404 otherwise), holding the scope.

    The view says which scopes an action needs through ``required_scopes(action)``; the
    administration comes from the ``administration_id`` URL segment when there is one.
    """

    def has_permission(self, request, view) -> bool:
        credential = request.auth
        if not isinstance(credential, Credential):
            raise exceptions.NotAuthenticated(
                "Authentication credentials were not provided: send an X-API-KEY header or "
                "an Authorization: Bearer token."
            )
        action = ACTION_BY_METHOD.get(request.method, "write")
        required = view.required_scopes(action)
        administration_id = view.kwargs.get("administration_id")
        if administration_id is None:
            granted = credential.scopes
        else:
            view.resolve_administration(credential, administration_id)
            granted = credential.scopes_for(view.administration.pk)
        if required and not granted.intersection(required):
            raise no_valid_scope(required)
        view.granted_scopes = granted
        return True
