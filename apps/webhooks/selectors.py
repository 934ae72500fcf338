"""Reads of an app's webhook endpoints and their deliveries."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.administrations.models import Administration
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, administration: Administration, application_id: int | None) -> QuerySet:
    return WebhookEndpoint.objects.filter(
        administration=administration, application_id=application_id
    )


def delivery_list(*, administration: Administration, application_id: int | None) -> QuerySet:
    return WebhookDelivery.objects.filter(
        endpoint__administration=administration, endpoint__application_id=application_id
    ).select_related("event", "endpoint")
