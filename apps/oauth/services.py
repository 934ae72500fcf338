"""Writes for apps, subscriptions and API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.administrations.models import Administration
from apps.core.scopes import parse_scopes
from apps.oauth.models import ApiKey, Application, Subscription

KEY_PREFIX = "hpk"
DIRECT_ACCESS_APP_NAME = "Direct API access"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    # Keys carry 240 random bits, so a fast hash is as strong as a slow one here.
    return hashlib.sha256(raw.encode()).hexdigest()


def split_key(raw: str) -> str | None:
    """The lookup prefix of ``hpk_<prefix>_<secret>``, or None when it is not shaped so."""
    parts = raw.split("_", 2)  # the secret itself may contain '_'
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def direct_access_application() -> Application:
    """The built-in app behind keys made from the command line or the back-office."""
    app, _ = Application.objects.get_or_create(
        name=DIRECT_ACCESS_APP_NAME,
        defaults={
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
            "client_secret": secrets.token_urlsafe(32),
            "allowed_scopes": parse_scopes("all"),
        },
    )
    return app


@transaction.atomic
def subscription_grant(
    *, administration: Administration, application: Application, scopes: list[str]
) -> Subscription:
    """Subscribes the administration to the app, adding ``scopes`` to what it already grants."""
    subscription, _ = Subscription.objects.select_for_update().get_or_create(
        administration=administration, application=application
    )
    subscription.scopes = parse_scopes(sorted(set(subscription.scopes) | set(scopes)))
    subscription.save(update_fields=["scopes"])
    return subscription


@transaction.atomic
def api_key_create(
    *,
    administration: Administration,
    scopes: list[str],
    application: Application | None = None,
    name: str = "",
) -> tuple[ApiKey, str]:
    """Issues a key on the administration's subscription of the app (created when missing).

    Returns the row and the raw key; the raw key is not stored and cannot be shown again.
    """
    scopes = parse_scopes(scopes)
    subscription = subscription_grant(
        administration=administration,
        application=application or direct_access_application(),
        scopes=scopes,
    )
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(30)}"
    key = ApiKey.objects.create(
        subscription=subscription, name=name, prefix=prefix, key_hash=hash_key(raw), scopes=scopes
    )
    return key, raw


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revokes at once: the next request with the key is 401. Idempotent."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Records use, at most once a minute per key so reads do not turn into writes."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


@transaction.atomic
def application_register(
    *,
    name: str,
    redirect_uris: str,
    public: bool = False,
    scopes: list[str] | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> tuple[Application, str | None]:
    """Registers an app for the authorization code flow (PKCE; confidential apps may also use
    client credentials). Returns the app and its raw secret (None for a public app): only
    a hash is stored, so the secret cannot be shown again."""
    secret = None if public else (client_secret or secrets.token_urlsafe(40))
    application = Application(
        name=name,
        redirect_uris=redirect_uris,
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        allowed_scopes=parse_scopes(scopes if scopes is not None else "all"),
        client_secret=secret or "",
    )
    if client_id:
        application.client_id = client_id
    application.full_clean(exclude=["client_secret", "user"])
    application.save()
    return application, secret


def application_secret_rotate(*, application: Application) -> str:
    """Gives a confidential app a new client secret and returns it: only its hash is stored, so
    it is shown this once. The old secret stops working at once; issued tokens stay valid."""
    if application.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ValueError(f"The app '{application.name}' is public and has no client secret.")
    secret = secrets.token_urlsafe(40)
    application.client_secret = secret
    application.hash_client_secret = True
    application.save(update_fields=["client_secret", "hash_client_secret"])
    return secret


def application_halt(*, application: Application, reason: str) -> Application:
    """Every key and token of the app is refused (403 APPLICATION_HALTED) until unhalted."""
    application.halted_at = timezone.now()
    application.halted_reason = reason
    application.save(update_fields=["halted_at", "halted_reason"])
    return application


def application_unhalt(*, application: Application) -> Application:
    application.halted_at = None
    application.halted_reason = ""
    application.save(update_fields=["halted_at", "halted_reason"])
    return application
