"""An event's payload is stored once, as the exact text its deliveries send, instead of as
parsed JSON on the event and again as a full body on every delivery. Each delivery's body is
its event's document with the delivery's ``sequence`` added as the last member."""

import json
import re

import orjson
from django.db import migrations, models
from django.db.models import Min

BATCH = 1000
SEQUENCE_MEMBER = re.compile(r',?"sequence":\d+}$')


def _document_of(event, body: str | None) -> str:
    if body is not None:  # what was sent, less the delivery's number
        return SEQUENCE_MEMBER.sub("}", body)
    document = {  # never sent: written as the outbox writes one
        "id": str(event.id),
        "event": event.name,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "administration_id": str(event.administration_id),
        "data": event.data,
    }
    if event.changes is not None:
        document["changes"] = event.changes
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()


def documents_from_bodies(apps, schema_editor):
    Event = apps.get_model("webhooks", "Event")
    WebhookDelivery = apps.get_model("webhooks", "WebhookDelivery")
    batch = []
    for event in Event.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(event)
        if len(batch) == BATCH:
            _fill_documents(Event, WebhookDelivery, batch)
            batch = []
    _fill_documents(Event, WebhookDelivery, batch)


def _fill_documents(Event, WebhookDelivery, events) -> None:  # noqa: N803 - historical models
    firsts = (  # one delivery per event (all of an event's carry the same document)
        WebhookDelivery.objects.filter(event_id__in=[event.pk for event in events])
        .values("event_id")
        .annotate(first=Min("pk"))
        .values("first")
    )
    bodies = dict(
        WebhookDelivery.objects.filter(pk__in=firsts).values_list("event_id", "body")
    )
    for event in events:
        event.document = _document_of(event, bodies.get(event.pk))
    Event.objects.bulk_update(events, ["document"])


def bodies_from_documents(apps, schema_editor):
    Event = apps.get_model("webhooks", "Event")
    WebhookDelivery = apps.get_model("webhooks", "WebhookDelivery")
    events = []
    for event in Event.objects.order_by("pk").iterator(chunk_size=BATCH):
        payload = json.loads(event.document)
        event.data = payload.get("data") or {}
        event.changes = payload.get("changes")
        events.append(event)
        if len(events) == BATCH:
            Event.objects.bulk_update(events, ["data", "changes"])
            events = []
    Event.objects.bulk_update(events, ["data", "changes"])
    deliveries = []
    query = WebhookDelivery.objects.select_related("event").order_by("pk")
    for delivery in query.iterator(chunk_size=BATCH):
        head = delivery.event.document[:-1]
        separator = "" if head == "{" else ","
        delivery.body = f'{head}{separator}"sequence":{delivery.sequence}}}'
        deliveries.append(delivery)
        if len(deliveries) == BATCH:
            WebhookDelivery.objects.bulk_update(deliveries, ["body"])
            deliveries = []
    WebhookDelivery.objects.bulk_update(deliveries, ["body"])


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_delivery_enqueued_and_claimed"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="document",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="event",
            name="data",
            field=models.JSONField(null=True),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="body",
            field=models.TextField(default=""),
        ),
        migrations.RunPython(documents_from_bodies, bodies_from_documents),
        migrations.RemoveField(model_name="event", name="data"),
        migrations.RemoveField(model_name="event", name="changes"),
        migrations.RemoveField(model_name="webhookdelivery", name="body"),
    ]
