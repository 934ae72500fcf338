"""Idempotent POSTs: a retry with the same ``Idempotency-Key`` (per credential, 24 h) gets the
stored answer instead of doing the work twice (spec: a network retry of POST …/bookings never
books twice)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from apps.core.errors import ApiError
from apps.core.models import IdempotencyRecord
from apps.core.services import bulk_cursor

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Content-Type", "Location")
# A view sets this attribute on a response to list JSON pointers (``/data/attributes/secret``)
# that must never be kept: a replay answers them as null and says so in ``meta``.
WITHHELD_ATTRIBUTE = "withheld_on_replay"


class Replay(Exception):
    def __init__(self, response: HttpResponse):
        super().__init__("replay")
        self.response = response


def _fingerprint(request) -> str:
    digest = hashlib.sha256(
        request.method.encode() + b" " + request.get_full_path().encode() + b"\n"
    )
    digest.update(request.body)
    return digest.hexdigest()


def begin(request, credential_identifier: str) -> IdempotencyRecord | None:
    """Claims the key for this request, or raises Replay / a 409 / a 422."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not key or len(key) > 255:
        raise ApiError(400, f"{HEADER} must be 1 to 255 characters.")
    now = timezone.now()
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                credential=credential_identifier,
                key=key,
                request_hash=fingerprint,
                locked_until=now + dt.timedelta(minutes=5),
                expires_at=now + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS),
            )
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.get(credential=credential_identifier, key=key)
    if record.expires_at <= now or (not record.completed and record.locked_until <= now):
        # Expired, or abandoned by a process that died: the key is free again.
        record.delete()
        return begin(request, credential_identifier)
    if record.request_hash != fingerprint:
        raise ApiError(
            422,
            f"This {HEADER} was used for a different request within 24 hours.",
            code="VALIDATION_FAILED",
        )
    if not record.completed:
        raise ApiError(
            409,
            f"A request with this {HEADER} is still being processed; retry shortly.",
            headers={"Retry-After": "1"},
        )
    response = HttpResponse(bytes(record.body or b""), status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def finish(record: IdempotencyRecord, response) -> None:
    """Stores the answer; 429 and 5xx are not kept, so a retry does the work again."""
    if response.status_code == 429 or response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    record.completed = True
    record.status_code = response.status_code
    record.body = _without_withheld(response)
    record.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    _save_answer(record)


def _save_answer(record: IdempotencyRecord) -> None:
    """Stores the answer. On PostgreSQL the body is bound on the server (``bulk_cursor``): an
    operations request answers with megabytes, which the ORM's client-side binding would
    first write into the SQL text as hex."""
    fields = ["completed", "status_code", "body", "headers"]
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        record.save(update_fields=fields)
        return
    meta = IdempotencyRecord._meta
    quote = connection.ops.quote_name
    casts = {"headers": "::jsonb"}
    assignments = ", ".join(
        f"{quote(meta.get_field(name).column)} = %s{casts.get(name, '')}" for name in fields
    )
    with bulk_cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",  # noqa: S608
            [
                record.completed,
                record.status_code,
                bytes(record.body),
                json.dumps(record.headers),
                record.pk,
            ],
        )


def _without_withheld(response) -> bytes:
    """The body to keep: with each withheld member set to null and listed in
    ``meta.idempotency.withheld``, so the secret shown once is not stored in the record."""
    pointers = getattr(response, WITHHELD_ATTRIBUTE, None)
    if not pointers:
        return response.content
    document = json.loads(response.content)
    withheld = []
    for pointer in pointers:
        *path, last = pointer.strip("/").split("/")
        node = document
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get(last) is not None:
            node[last] = None
            withheld.append(pointer)
    if withheld:
        document.setdefault("meta", {})["idempotency"] = {
            "withheld": withheld,
            "detail": "This is a replay of an earlier answer. Secrets are shown only in the "
            "first answer and are not kept for replays; if it was lost, rotate the secret.",
        }
    return json.dumps(document, separators=(",", ":")).encode()


def prune() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
