"""Reads for credentials: which key or token this is and what it grants."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from oauth2_provider.settings import oauth2_settings

from apps.administrations.models import Administration
from apps.core.credentials import Credential
from apps.core.scopes import SCOPES
from apps.oauth.models import ApiKey, Subscription, TokenGrant
from apps.oauth.services import hash_key, split_key

AccessToken = get_access_token_model()


def api_key_find(raw: str) -> ApiKey | None:
    """The active key for a raw secret, with its subscription, app and administration (one
    joined query); None when unknown."""
    prefix = split_key(raw)
    if prefix is None:
        return None
    key = (
        ApiKey.objects.select_related("subscription__application", "subscription__administration")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )  # one query per request, never cached: a revoked key is refused at once
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw)):
        return None
    return key


def credential_for_api_key(key: ApiKey) -> Credential:
    subscription = key.subscription
    scopes = frozenset(key.scopes) & frozenset(subscription.scopes)
    return Credential(
        kind="api_key",
        identifier=f"key:{key.pk}",
        application_id=subscription.application_id,
        grants={subscription.administration_id: scopes},
        api_key_id=key.pk,
        subscription_id=subscription.pk,
        loaded={subscription.administration_id: subscription.administration},
    )


def _token_scopes(token) -> frozenset[str]:
    return frozenset(s for s in (token.scope or "").split() if s in SCOPES)


def reachable_administrations(token) -> list[Administration]:
    """The administrations a user's access token reaches, as rows, in one query: those bound
    to it at consent (an empty set reaches none) that the user still manages. Being a superuser
    widens nothing: they reach what they ticked, managed or not. Read afresh on every request,
    so a membership removed since the token was issued counts at once."""
    consented = TokenGrant.objects.filter(access_token_id=token.pk).values("administration_id")
    administrations = Administration.objects.filter(pk__in=consented)
    if not token.user.is_superuser:
        administrations = administrations.filter(memberships__user_id=token.user_id)
    return list(administrations)


def previous_consent(user, application, scopes) -> list[int] | None:
    """The set of administrations the user last consented for this app, when a live token of
    theirs for it covers ``scopes`` and names its administrations; None otherwise.

    This is what a repeat authorization that skips the consent page (``approval_prompt=auto``,
    or an app marked ``skip_authorization``) may grant: exactly that set, never more.
    """
    wanted = set(scopes.split() if isinstance(scopes, str) else scopes)
    tokens = (
        AccessToken.objects.filter(user=user, application=application, expires__gt=timezone.now())
        .prefetch_related("administration_grants")
        .order_by("-created", "-pk")
    )
    for token in tokens:
        chosen = sorted(g.administration_id for g in token.administration_grants.all())
        if chosen and wanted <= set((token.scope or "").split()):
            return chosen
    return None


def consented_scopes(user, application_id: int | None, administration_id: int) -> frozenset[str]:
    """What an app may still read for a user in one administration: the scopes of that user's
    tokens for the app that name the administration and can still be used, now or after a
    refresh. Revoked tokens, and expired ones without a live refresh token, count for nothing,
    so withdrawing the consent withdraws it everywhere (webhooks included)."""
    if application_id is None:
        return frozenset()
    now = timezone.now()
    refreshable = Q(refresh_token__revoked__isnull=True)
    lifetime = oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS
    if lifetime:
        refreshable &= Q(refresh_token__created__gt=now - timedelta(seconds=lifetime))
    scopes = (
        AccessToken.objects.filter(
            user=user,
            application_id=application_id,
            administration_grants__administration_id=administration_id,
        )
        .filter(Q(expires__gt=now) | refreshable)
        .values_list("scope", flat=True)
    )
    return frozenset(s for scope in scopes for s in (scope or "").split() if s in SCOPES)


def credential_for_token(token) -> Credential:
    """Client-credentials tokens reach the subscribed administrations (within the
    subscription's scopes). A user's token reaches the administrations bound to it at consent,
    and of those only the ones the user still manages; a token with none bound reaches none.
    Being a superuser widens nothing: what was not consented is not granted.

    One query besides the token's own (read by django-oauth-toolkit with its app and user),
    never cached: a user's reachable administrations come as rows, so a request in one of them
    does not read it again; an app's subscriptions come as ids and scopes only (an app may be
    subscribed by many administrations, and a request needs at most one of their rows)."""
    scopes = _token_scopes(token)
    user = token.user
    identifier = f"oauth:{token.application_id}:{user.pk if user else 'app'}"
    if user is None:
        subscriptions = Subscription.objects.filter(
            application_id=token.application_id
        ).values_list("administration_id", "scopes")
        grants = {
            administration_id: scopes & frozenset(subscription_scopes)
            for administration_id, subscription_scopes in subscriptions
        }
        return Credential("oauth", identifier, token.application_id, grants, token_scopes=scopes)

    reachable = {
        administration.pk: administration for administration in reachable_administrations(token)
    }
    return Credential(
        "oauth",
        identifier,
        token.application_id,
        {admin_id: scopes for admin_id in reachable},
        token_scopes=scopes,
        user_id=user.pk,
        loaded=reachable,
    )
