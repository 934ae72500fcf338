"""Helpers every app's services share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models


def model_update(
    instance: models.Model, fields: Iterable[str], data: Mapping, *, save: bool = True
) -> list[str]:
    """Copies ``data[name]`` onto ``instance`` for each of ``fields`` present in ``data``.

    Returns the names whose value really changed. With ``save`` (the default) the instance is
    saved with ``update_fields`` limited to those (plus ``updated_at`` when the model has it),
    and not at all when nothing changed. Many-to-many fields are set after the save.
    """
    meta = instance._meta
    changed, many = [], {}
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        field = meta.get_field(name)
        if field.many_to_many:
            many[name] = value
            continue
        if getattr(instance, field.attname if field.is_relation else name) != (
            value.pk if field.is_relation and isinstance(value, models.Model) else value
        ):
            setattr(instance, name, value)
            changed.append(name)
    if save:
        if instance._state.adding:
            instance.save()
        elif changed:
            extra = ["updated_at"] if any(f.name == "updated_at" for f in meta.fields) else []
            instance.save(update_fields=[*changed, *extra])
        for name, value in many.items():
            getattr(instance, name).set(value)
    return changed


class for_item:  # noqa: N801 - a context manager, named like a statement
    """``with for_item(index):`` marks an error raised inside with ``item_index`` so that a bulk
    service's caller knows which of its items was refused (the operations endpoint points the
    error at that operation)."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is not None and getattr(exc, "item_index", None) is None:
            exc.item_index = self.index
        return False
