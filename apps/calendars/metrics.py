"""iCal sync outcomes for Prometheus: a counter per attempt, and calendars by state at scrape."""

from __future__ import annotations

from django.db.models import Count, Q
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

ICAL_SYNCS = Counter(
    "holidaypark_ical_syncs_total",
    "External calendar syncs, by outcome: updated, not_modified (HTTP 304) or failed.",
    ["outcome"],
)


def count_sync(*, ok: bool, not_modified: bool) -> None:
    outcome = "failed" if not ok else "not_modified" if not_modified else "updated"
    ICAL_SYNCS.labels(outcome).inc()


def external_calendars_by_state():
    from apps.calendars.models import ExternalCalendar

    figures = ExternalCalendar.objects.filter(active=True).aggregate(
        failing=Count("pk", filter=~Q(error="")),
        never_synced=Count("pk", filter=Q(error="", last_synced__isnull=True)),
        ok=Count("pk", filter=Q(error="", last_synced__isnull=False)),
    )
    gauge = GaugeMetricFamily(
        "holidaypark_external_calendars",
        "Active external calendars by sync state: ok, failing (last sync failed), never_synced.",
        labels=["state"],
    )
    for state, value in figures.items():
        gauge.add_metric([state], value)
    yield gauge
