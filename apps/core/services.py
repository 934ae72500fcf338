"""Helpers every app's services share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
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


_VALIDATE_BY_VALUE = (models.Field.validate, models.JSONField.validate)
_MISSING = object()


def instances_clean(instances: list[models.Model], *, exclude: Iterable[str] = ()) -> None:
    """``full_clean(exclude=exclude, validate_constraints=False)`` of each of many new
    instances of one model, for bulk services: the same field checks, each field's value
    checked once per distinct value rather than once per row. The first instance refused gets
    its own ``full_clean``'s error, marked with ``item_index``."""
    if not instances:
        return
    exclude = set(exclude)
    model = type(instances[0])
    plan = []
    for f in model._meta.fields:
        if f.name in exclude or f.generated:
            continue
        by_value = (
            not f.is_relation
            and type(f).clean is models.Field.clean
            and type(f).validate in _VALIDATE_BY_VALUE
        )
        plan.append((f, f.attname, f.blank, {} if by_value else None))
    own_clean = model.clean is not models.Model.clean
    unique_checks, date_checks = instances[0]._get_unique_checks(exclude=exclude)
    unique = bool(date_checks) or any(
        fields != (model._meta.pk.name,) for _, fields in unique_checks
    )
    for index, instance in enumerate(instances):
        try:
            for f, attname, blank, memo in plan:
                raw = getattr(instance, attname)
                if blank and raw in f.empty_values:
                    continue
                key = None if memo is None else _value_key(raw)
                if key is None:
                    cleaned = f.clean(raw, instance)
                else:
                    cleaned = memo.get(key, _MISSING)
                    if cleaned is _MISSING:
                        cleaned = memo[key] = f.clean(raw, instance)
                    if isinstance(cleaned, list | dict):
                        cleaned = type(cleaned)(cleaned)
                setattr(instance, attname, cleaned)
            if own_clean:
                instance.clean()
            if unique:
                instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            with for_item(index):
                instance.full_clean(exclude=exclude, validate_constraints=False)
                raise exc from None


def _value_key(value):
    """A hashable stand-in for a field's value, or None."""
    if isinstance(value, list):
        keys = [_value_key(v) for v in value]
        return None if None in keys else (list, tuple(keys))
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)
