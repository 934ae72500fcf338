"""The webhook backlog as Prometheus gauges, read from the database at each scrape."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from apps.webhooks.models import EventBatch, WebhookDelivery


def webhook_backlog():
    now = timezone.now()
    waiting = EventBatch.objects.aggregate(rows=Count("pk"), oldest=Min("created_at"))
    yield GaugeMetricFamily(
        "holidaypark_webhook_outbox_waiting",
        "Writes whose events wait in the outbox for the relay (normally a handful, briefly).",
        value=waiting["rows"],
    )
    yield GaugeMetricFamily(
        "holidaypark_webhook_outbox_oldest_age_seconds",
        "Age of the oldest write waiting for the relay (0 when none waits): a relay that "
        "falls behind, or no worker on the deliveries queue.",
        value=(now - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0,
    )
    pending = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    figures = pending.aggregate(
        total=Count("pk"),
        due=Count("pk", filter=Q(next_attempt_at__lte=now)),
        oldest=Min("created_at"),
    )
    yield GaugeMetricFamily(
        "holidaypark_webhook_deliveries_pending",
        "Webhook deliveries not yet delivered nor given up on.",
        value=figures["total"],
    )
    yield GaugeMetricFamily(
        "holidaypark_webhook_deliveries_due",
        "Pending webhook deliveries whose next attempt is due now (the sweep's backlog).",
        value=figures["due"],
    )
    oldest = figures["oldest"]
    yield GaugeMetricFamily(
        "holidaypark_webhook_oldest_pending_age_seconds",
        "Age of the oldest pending webhook delivery (0 when none is pending).",
        value=(now - oldest).total_seconds() if oldest else 0.0,
    )
