"""Include plans: what a request's ``include`` paths load, derived so that none can N+1.

Every resource serializer declares ``render_loads``: the relations its own representation reads
(a to-many relationship's ids, the category a rentable's capacity falls back to, an amenity's
options). The plan for an include path is the path itself, walked through the serializers'
field sources, plus at its end what the included type declares. The primary type's own
``render_loads`` is added too. Everything becomes ``prefetch_related`` lookups: one query per
level and relation whatever the page size (``select_related`` joins a viewset adds on top are
used by the prefetcher instead of querying again).
"""

from __future__ import annotations

from functools import cache, lru_cache

from django.db.models import Model, prefetch_related_objects
from rest_framework.fields import get_attribute


def _included(serializer_class) -> dict:
    return getattr(serializer_class, "included_serializers", None) or {}


@cache
def _sources(serializer_class) -> dict[str, str]:
    """Relationship name → the ORM path it reads (``rentable_identity`` → ``rentable``)."""
    fields = serializer_class().fields
    found = {}
    for name in _included(serializer_class):
        field = fields.get(name)
        if field is None:
            continue
        source = field.source
        if source and source != "*":
            found[name] = source.replace(".", "__")
    return found


def render_loads(serializer_class) -> tuple[str, ...]:
    return tuple(getattr(serializer_class, "render_loads", ()))


@lru_cache(maxsize=1024)
def include_plan(serializer_class, paths: tuple[str, ...]) -> tuple[str, ...]:
    """The ``prefetch_related`` lookups that serve ``paths`` (already validated) from
    ``serializer_class``'s objects, in an order Django accepts (parents first)."""
    lookups: list[str] = list(render_loads(serializer_class))
    for path in paths:
        current, prefix = serializer_class, ""
        for segment in path.split("."):
            source = _sources(current).get(segment)
            child = _included(current).get(segment)
            if source is None or child is None:
                break  # not a model relation (computed objects hold their related rows)
            prefix = f"{prefix}__{source}" if prefix else source
            lookups.append(prefix)
            lookups.extend(f"{prefix}__{load}" for load in render_loads(child))
            current = child
    return tuple(dict.fromkeys(lookups))


def load_for_computed(objects: list, serializer_class, paths: list[str]) -> None:
    """The include plan for a page of computed objects (availabilities, calendar days): they
    hold their related model rows already, so the plan is run on those rows, one relation at a
    time, with ``prefetch_related_objects``."""
    fields = serializer_class().fields
    rest: dict[str, list[str]] = {}
    for path in paths:
        head, _, tail = path.partition(".")
        rest.setdefault(head, [])
        if tail:
            rest[head].append(tail)
    for name, tails in rest.items():
        child = _included(serializer_class).get(name)
        field = fields.get(name)
        if child is None or field is None:
            continue
        rows = []
        for obj in objects:
            value = get_attribute(obj, field.source_attrs)
            if isinstance(value, Model):
                rows.append(value)
            elif isinstance(value, list | tuple):
                rows.extend(v for v in value if isinstance(v, Model))
        lookups = include_plan(child, tuple(sorted(set(tails))))
        if rows and lookups:
            prefetch_related_objects(rows, *lookups)
