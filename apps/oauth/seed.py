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
