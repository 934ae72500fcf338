"""Reads for credentials: which key or token this is and what it grants."""

from __future__ import annotations

import hmac

from apps.administrations.models import Membership
from apps.core.credentials import Credential
from apps.core.scopes import SCOPES
from apps.oauth.models import ApiKey, Subscription, TokenGrant
from apps.oauth.services import hash_key, split_key


def api_key_find(raw: str) -> ApiKey | None:
    """The active key for a raw secret, with its subscription and app; None when unknown."""
    prefix = split_key(raw)
    if prefix is None:
        return None
    key = (
        ApiKey.objects.select_related("subscription__application")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
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
    )


def _token_scopes(token) -> frozenset[str]:
    return frozenset(s for s in (token.scope or "").split() if s in SCOPES)


def credential_for_token(token) -> Credential:
    """Client-credentials tokens reach the subscribed administrations (within the
    subscription's scopes); a user's token reaches what the user granted at consent,
    never more than the user manages."""
    scopes = _token_scopes(token)
    user = token.user
    identifier = f"oauth:{token.application_id}:{user.pk if user else 'app'}"
    if user is None:
        grants = {
            sub.administration_id: scopes & frozenset(sub.scopes)
            for sub in Subscription.objects.filter(application_id=token.application_id)
        }
        return Credential("oauth", identifier, token.application_id, grants, token_scopes=scopes)

    chosen = set(
        TokenGrant.objects.filter(access_token=token).values_list("administration_id", flat=True)
    )
    if user.is_superuser and not chosen:
        # Superusers manage every administration; no id list to carry around.
        return Credential(
            "oauth",
            identifier,
            token.application_id,
            {},
            all_administrations=True,
            token_scopes=scopes,
            user_id=user.pk,
        )
    if user.is_superuser:
        reachable = chosen
    else:
        managed = set(
            Membership.objects.filter(user=user).values_list("administration_id", flat=True)
        )
        reachable = (chosen & managed) if chosen else managed
    return Credential(
        "oauth",
        identifier,
        token.application_id,
        {admin_id: scopes for admin_id in reachable},
        token_scopes=scopes,
        user_id=user.pk,
    )
