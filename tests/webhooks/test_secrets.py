"""A webhook secret is shown once: never kept in, nor replayed from, an idempotency record."""

import json

import pytest

from apps.core.models import IdempotencyRecord
from apps.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "data": {
        "type": "webhook_endpoint",
        "attributes": {"url": "https://hooks.example.com/in", "events": ["booking.created"]},
    }
}


def test_a_replayed_create_neither_stores_nor_returns_the_secret(api, administration):
    path = f"/v3/administrations/{administration.pk}/webhook_endpoints"

    first = api.post(path, DOCUMENT, HTTP_IDEMPOTENCY_KEY="hook-1")
    replay = api.post(path, DOCUMENT, HTTP_IDEMPOTENCY_KEY="hook-1")

    secret = WebhookEndpoint.objects.get().secret
    assert first.status_code == 201 and first.doc["data"]["attributes"]["secret"] == secret
    stored = bytes(IdempotencyRecord.objects.get(key="hook-1").body)
    assert secret.encode() not in stored and b"whsec_" not in stored
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.doc["data"]["id"] == first.doc["data"]["id"]
    assert replay.doc["data"]["attributes"]["secret"] is None
    assert replay.doc["meta"]["idempotency"]["withheld"] == ["/data/attributes/secret"]
    assert "rotate" in replay.doc["meta"]["idempotency"]["detail"]
    assert WebhookEndpoint.objects.count() == 1


def test_a_replayed_rotation_does_not_keep_the_new_secret(api, administration):
    created = api.post(f"/v3/administrations/{administration.pk}/webhook_endpoints", DOCUMENT)
    path = (
        f"/v3/administrations/{administration.pk}/webhook_endpoints/"
        f"{created.doc['data']['id']}/rotate_secret"
    )

    rotated = api.post(path, HTTP_IDEMPOTENCY_KEY="rotate-1")
    replay = api.post(path, HTTP_IDEMPOTENCY_KEY="rotate-1")

    secret = WebhookEndpoint.objects.get().secret
    assert rotated.doc["data"]["attributes"]["secret"] == secret
    stored = json.loads(bytes(IdempotencyRecord.objects.get(key="rotate-1").body))
    assert stored["data"]["attributes"]["secret"] is None
    assert replay.doc["data"]["attributes"]["secret"] is None
    assert replay.doc["meta"]["idempotency"]["withheld"] == ["/data/attributes/secret"]
    assert WebhookEndpoint.objects.get().secret == secret  # rotated once, not twice
