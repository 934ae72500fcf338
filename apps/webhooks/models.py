"""Webhook endpoints, the event outbox and the deliveries with their attempts."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property

from apps.core.models import StringListField, TimeStampedModel
from apps.webhooks.events import takes


class OwnerKind(models.TextChoices):
    API_KEY = "api_key"
    APP = "app"  # a client-credentials token: the app's subscription
    USER = "user"  # a user's token
    STAFF = "staff"  # made in the back office (or by a command): reads what staff reads


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
    # The owner: the credential that last chose what this endpoint receives (created it, or
    # changed its url or events). Deliveries carry only what the owner may read, both when
    # the event happens (``owner_scopes``, its scopes then) and when it is sent (what that
    # key, app subscription or user holds at that moment).
    owner_kind = models.CharField(max_length=10, choices=OwnerKind.choices, default="app")
    owner_api_key = models.ForeignKey(
        "oauth.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_scopes = StringListField()

    class JSONAPIMeta:
        resource_name = "webhook_endpoint"

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        """Subscribed to ``event``, and its owner could read the event's resource."""
        return takes(self.events, self.owner_scopes, event)


class EventBatch(models.Model):
    """The outbox proper: a write's events, stored in the write's own transaction, waiting for
    the relay (``apps.webhooks.outbox.relay``) to turn them into ``Event`` rows and numbered
    deliveries once the write has committed. The relay deletes the row in the transaction that
    writes what it carried, so each event is relayed exactly once and none is lost.

    The row is as cheap to write as a row can be: one index (its key), no foreign key to check
    at commit, no lock on any endpoint. Its ``documents`` are the events' documents exactly as
    ``Event.document`` will hold them (single-line JSON), one per line; each document names its
    event, moment and administration. ``recipients`` is a JSON list with, per event, the ids of
    the endpoints subscribed when it happened.
    """

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField()
    documents = models.TextField()
    recipients = models.TextField()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "event batches"

    def __str__(self) -> str:
        return f"events waiting since {self.created_at:%Y-%m-%d %H:%M:%S}"


class Event(models.Model):
    """An event as relayed from the outbox (``EventBatch``) with its deliveries.

    Its ``document`` is the body its deliveries send, stored once as the exact text: the JSON
    object ``{administration_id, changes?, data, event, id, occurred_at}`` with sorted keys.
    Each delivery adds its own ``sequence`` as the last member (``body_for``); the text is
    kept as written, never parsed by the database, so what is signed is what was rendered.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="events"
    )
    name = models.CharField(max_length=50, db_index=True)  # the admins filter by it
    occurred_at = models.DateTimeField(db_index=True)
    document = models.TextField()

    class Meta:
        ordering = ["occurred_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"

    def body_for(self, sequence: int) -> str:
        """The document with ``"sequence"`` added; it sorts after every other member, so the
        body keeps its keys sorted."""
        head = self.document[:-1]
        separator = "" if head == "{" else ","
        return f'{head}{separator}"sequence":{sequence}}}'

    @cached_property
    def payload(self) -> dict:
        return json.loads(self.document)

    @property
    def data(self) -> dict | None:
        """The resource as the write left it."""
        return self.payload.get("data")

    @property
    def changes(self) -> dict | None:
        """``{attribute: [old, new]}`` of an ``*.updated`` event."""
        return self.payload.get("changes")


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        SKIPPED = "skipped"  # not sent: the owner lost the read scope before it went out

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    sequence = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempt_log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a message for the current due time went to the broker: the sweeper hands a due row
    # over once, not on every sweep (again only after WEBHOOK_REENQUEUE_AFTER_SECONDS).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # The attempt in flight: "host:pid:token" of the process sending it; empty otherwise.
    claimed_by = models.CharField(max_length=200, blank=True)

    class JSONAPIMeta:
        resource_name = "webhook_delivery"

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "webhook deliveries"
        # What the sweeper, the backlog gauges and the abandoned-attempt check read: pending
        # rows by due time. Delivered rows, the bulk of the table, stay out of it; lists go
        # by endpoint. (Every index here is written by each write someone listens to.)
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhooks_delivery_pending_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.name} → {self.endpoint.url} ({self.status})"

    @property
    def body(self) -> str:
        """Exactly the text sent (and signed) on every attempt: its event's document with this
        delivery's ``sequence``."""
        return self.event.body_for(self.sequence)
