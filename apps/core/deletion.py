"""Deleting rows so that nothing vanishes unannounced.

A hard delete must leave a tombstone (``meta.deleted_ids`` of incremental syncs) and, where the
domain says so, an event, for the row itself and for every row the database cascade takes with
it (a rentable takes its agenda periods and external calendars). Apps register, per model, the
resource type of its tombstone and an optional hook (the agenda periods emit
``agenda_period.deleted``); ``instance_delete`` walks Django's own deletion collector so the
cascade is covered whichever door (API, back-office, command) the delete came through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, router, transaction
from django.db.models.deletion import Collector

from apps.core.tombstones import tombstone_record


@dataclass(frozen=True)
class DeletionRule:
    resource_type: str | None
    before_delete: Callable[[models.Model], None] | None = None


_RULES: dict[type[models.Model], DeletionRule] = {}


def deletion_register(
    model: type[models.Model],
    *,
    resource_type: str | None,
    before_delete: Callable[[models.Model], None] | None = None,
) -> None:
    """Called by the app owning ``model`` (in its AppConfig.ready)."""
    _RULES[model] = DeletionRule(resource_type, before_delete)


def deletion_rule(model: type[models.Model]) -> DeletionRule | None:
    return _RULES.get(model)


def _administration_id(instance: models.Model) -> int | None:
    if instance._meta.label == "administrations.Administration":
        return instance.pk
    return getattr(instance, "administration_id", None)


def _announce(instance: models.Model) -> None:
    rule = _RULES.get(type(instance))
    if rule is None:
        return
    if rule.resource_type is not None:
        administration_id = _administration_id(instance)
        if administration_id is not None:
            tombstone_record(
                resource_type=rule.resource_type,
                resource_id=instance.pk,
                administration_id=administration_id,
            )
    if rule.before_delete is not None:
        rule.before_delete(instance)


def cascade_of(instance: models.Model) -> list[models.Model]:
    """Every row deleting ``instance`` removes (itself included), for registered models."""
    collector = Collector(using=router.db_for_write(type(instance), instance=instance))
    collector.collect([instance])
    pks: dict[type[models.Model], set] = {}
    for model, instances in collector.data.items():
        if model in _RULES:
            pks.setdefault(model, set()).update(obj.pk for obj in instances)
    for queryset in collector.fast_deletes:
        if queryset.model in _RULES:
            pks.setdefault(queryset.model, set()).update(queryset.values_list("pk", flat=True))
    # The collector loads related rows with only the fields deleting needs; the hooks need
    # whole rows (an event carries the resource as the API renders it).
    rows: list[models.Model] = []
    for model, ids in pks.items():
        rows.extend(model._base_manager.filter(pk__in=ids).order_by("pk"))
    return rows


@transaction.atomic
def instance_delete(*, instance: models.Model) -> None:
    """Deletes ``instance`` and its cascade, each registered row announced first (tombstone,
    then its hook), all in one transaction."""
    for row in cascade_of(instance):
        _announce(row)
    instance.delete()
