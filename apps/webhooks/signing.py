"""Webhook signatures: the vendor's X-BE-Signature and the Standard Webhooks headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes (the Standard Webhooks format)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def be_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256>`` keyed with the whole secret string (conventions.md §13)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed with the decoded secret."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
