"""The demo API key: derived from SECRET_KEY so every ``seed_demo`` run prints the same one."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from apps.administrations.models import Administration
from apps.core.scopes import parse_scopes
from apps.oauth.models import ApiKey
from apps.oauth.services import (
    KEY_PREFIX,
    direct_access_application,
    hash_key,
    subscription_grant,
)


def seed_demo_api_key(administration: Administration) -> str:
    prefix = f"demo{administration.pk}"
    secret = hmac.new(settings.SECRET_KEY.encode(), prefix.encode(), hashlib.sha256).hexdigest()
    raw = f"{KEY_PREFIX}_{prefix}_{secret[:40]}"
    scopes = parse_scopes("all")
    subscription = subscription_grant(
        administration=administration, application=direct_access_application(), scopes=scopes
    )
    ApiKey.objects.update_or_create(
        prefix=prefix,
        defaults={
            "subscription": subscription,
            "name": "Demo key (all scopes)",
            "key_hash": hash_key(raw),
            "scopes": scopes,
            "revoked_at": None,
        },
    )
    return raw


def _derived(label: str, length: int = 40) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), label.encode(), hashlib.sha256).hexdigest()[
        :length
    ]


def seed_demo_apps(administration: Administration) -> list[tuple[str, str, str | None]]:
    """A confidential and a public demo app, subscribed to the demo park. Their ids and the
    confidential secret derive from SECRET_KEY, so every run prints the same ones."""
    from apps.oauth.models import Application
    from apps.oauth.services import application_register

    made = []
    for name, public in (("Demo channel manager", False), ("Demo booking widget", True)):
        client_id = f"demo-{_derived(name, 24)}"
        secret = None if public else _derived(f"{name} secret")
        application = Application.objects.filter(client_id=client_id).first()
        if application is None:
            application, _ = application_register(
                name=name,
                redirect_uris="http://127.0.0.1:8000/oauth/demo-callback http://localhost:8000/oauth/demo-callback",
                public=public,
                client_id=client_id,
                client_secret=secret,
            )
        subscription_grant(
            administration=administration,
            application=application,
            scopes=application.allowed_scopes,
        )
        made.append((name, client_id, secret))
    return made
