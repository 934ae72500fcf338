"""Deletions, kept long enough for incremental syncs to learn about them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from apps.core.models import Tombstone


def tombstone_record(*, resource_type: str, resource_id, administration_id: int) -> None:
    """Call in the same transaction as the delete."""
    Tombstone.objects.create(
        resource_type=resource_type,
        resource_id=str(resource_id),
        administration_id=administration_id,
    )


def deleted_ids(
    *,
    administration_id: int,
    resource_type: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[str]:
    queryset = Tombstone.objects.filter(
        administration_id=administration_id, resource_type=resource_type
    )
    if since is not None:
        queryset = queryset.filter(deleted_at__gte=since)
    if until is not None:
        queryset = queryset.filter(deleted_at__lte=until)
    return list(
        queryset.order_by("deleted_at", "pk").values_list("resource_id", flat=True)[:10_000]
    )


def tombstones_prune() -> int:
    """Forgets deletions older than TOMBSTONE_RETENTION_DAYS."""
    cutoff = timezone.now() - dt.timedelta(days=settings.TOMBSTONE_RETENTION_DAYS)
    deleted, _ = Tombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted
