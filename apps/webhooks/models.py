"""Webhook endpoints, the event outbox and the deliveries with their attempts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from apps.core.models import StringListField, TimeStampedModel


class WebhookEndpoint(TimeStampedModel):
    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(max_length=1000)
    events = StringListField(help_text='Event names, or ["*"] for all.')
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=500, blank=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    last_sequence = models.PositiveBigIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)

    class JSONAPIMeta:
        resource_name = "webhook_endpoint"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events


class Event(models.Model):
    """The outbox: written in the same transaction as the change it reports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="events"
    )
    name = models.CharField(max_length=50, db_index=True)
    occurred_at = models.DateTimeField(db_index=True)
    data = models.JSONField()
    changes = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    sequence = models.PositiveBigIntegerField()
    body = models.TextField(help_text="Exactly the bytes sent (and signed) on every attempt.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempt_log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class JSONAPIMeta:
        resource_name = "webhook_delivery"

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event.name} → {self.endpoint.url} ({self.status})"
