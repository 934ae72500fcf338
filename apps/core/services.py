"""Helpers every app's services share."""

from __future__ import annotations

import bisect
import datetime as dt
import decimal
import functools
import json
import uuid
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone


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


# -- date ranges --------------------------------------------------------------------------------


def overlapping(rows: list, start_date: dt.date, end_date: dt.date):
    """The rows of ``rows`` (date ranges ``[start_date, end_date)`` that do not overlap one
    another, sorted by start) sharing a night with ``[start_date, end_date)``, in order: found by
    bisection, for bulk writes that check many ranges against rows read once."""
    position = bisect.bisect_right(rows, start_date, key=lambda row: row.end_date)
    while position < len(rows) and rows[position].start_date < end_date:
        yield rows[position]
        position += 1


# -- bulk inserts -------------------------------------------------------------------------------

BULK_INSERT_ROWS = 20_000  # rows per statement on PostgreSQL (the values travel as arrays)


def bulk_cursor():
    """A cursor for statements whose parameters are large arrays. On PostgreSQL it binds them
    on the server: psycopg's default client-side binding (which Django uses) would write every
    element into the SQL text first. Same connection and transaction as every other cursor,
    and wrapped like them (queries are logged and timed the same way)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    return connection._prepare_cursor(_server_binding_cursor()(connection.connection))


@functools.cache
def _server_binding_cursor():
    """Django's server-binding cursor, which keeps showing a statement's text once psycopg
    has prepared it (psycopg then sends only the statement's name, and Django's query log,
    ``CaptureQueriesContext`` included, would record ``None``)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class Cursor(ServerBindingCursor):
        def _send_query_prepared(self, name, pgq, *args, **kwargs):
            self._query = pgq
            return super()._send_query_prepared(name, pgq, *args, **kwargs)

    return Cursor


def bulk_insert(instances: list[models.Model], *, batch_size: int = 2000) -> list[models.Model]:
    """``bulk_create`` of new instances of one model, for bulk services. On PostgreSQL the rows
    go in as one ``INSERT … SELECT FROM UNNEST(arrays) RETURNING id`` per
    ``BULK_INSERT_ROWS`` rows (what Django's bulk_create does there), each column sent as one
    array literal built here: each field's value is prepared once per distinct value, and no
    array is bound element by element. Elsewhere it is ``bulk_create(batch_size=…)``. Sets
    the primary keys."""
    if not instances:
        return instances
    model = type(instances[0])
    connection = transaction.get_connection()
    pk = model._meta.pk
    if connection.vendor != "postgresql" or not isinstance(pk, models.AutoField):
        return model.objects.bulk_create(instances, batch_size=batch_size)
    fields = [f for f in model._meta.concrete_fields if f is not pk and not f.generated]
    quote = connection.ops.quote_name
    casts = [f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM UNNEST({', '.join(casts)}) RETURNING {quote(pk.column)}"
    )
    moment = timezone.now()  # the rows' auto_now and auto_now_add stamps
    columns = [_column(f, instances, connection, moment) for f in fields]
    with bulk_cursor() as cursor:
        for start in range(0, len(instances), BULK_INSERT_ROWS):
            stop = start + BULK_INSERT_ROWS
            cursor.execute(sql, [array_param(column[start:stop]) for column in columns])
            ids = cursor.fetchall()
            for instance, (value,) in zip(instances[start:stop], ids, strict=True):
                setattr(instance, pk.attname, value)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias
    return instances


def _column(field, instances, connection, moment) -> list:
    """``field``'s database value for each instance, as Django's bulk_create prepares it
    (``pre_save`` then ``get_db_prep_save``), prepared once per distinct value; JSON as its
    text. ``auto_now`` / ``auto_now_add`` fields all take ``moment``: the rows of one write
    share it."""
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        if isinstance(field, models.DateTimeField):
            stamp = moment
        else:  # a date: as Django takes it
            stamp = field.pre_save(instances[0], True)
        for instance in instances:
            setattr(instance, attname, stamp)
    elif type(field).pre_save is not models.Field.pre_save:
        for instance in instances:
            field.pre_save(instance, True)
    memo: dict = {}
    column = []
    for instance in instances:
        value = getattr(instance, attname)
        try:
            key = (type(value), value)
            prepared = memo.get(key, _MISSING)
        except TypeError:  # unhashable (a list for a JSON field)
            key = _value_key(value)
            prepared = memo.get(key, _MISSING) if key is not None else _MISSING
        if prepared is _MISSING:
            prepared = field.get_db_prep_save(value, connection)
            if hasattr(prepared, "obj") and hasattr(prepared, "dumps"):  # psycopg's Jsonb
                prepared = (prepared.dumps or json.dumps)(prepared.obj)
            if key is not None:
                memo[key] = prepared
        column.append(prepared)
    return column


_LITERAL_TYPES = (int, float, decimal.Decimal, dt.date, dt.time, uuid.UUID)


def array_param(values: list):
    """``values`` as one PostgreSQL array literal (``{"a","b",NULL}``) when every element is
    a plain value (text, number, boolean, date/time, UUID, None), so a long array is one
    string to send rather than an element-by-element bind; otherwise ``values`` as they are.
    Cast it to the column's array type in the SQL (``%s::date[]``)."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        tokens = [
            "NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for v in values
        ]
    elif kinds <= {int, type(None)}:
        tokens = ["NULL" if v is None else str(v) for v in values]
    elif all(kind is type(None) or issubclass(kind, _LITERAL_TYPES) for kind in kinds):
        cache: dict = {None: "NULL"}  # repeated values (dates, numbers) are written once
        tokens = []
        for value in values:
            token = cache.get(value if value is None else (type(value), value))
            if token is None:
                if isinstance(value, bool):
                    text = "t" if value else "f"
                elif isinstance(value, dt.date | dt.time):
                    text = value.isoformat()
                else:
                    text = str(value)
                token = cache[(type(value), value)] = '"' + text.replace('"', '\\"') + '"'
            tokens.append(token)
    else:
        return values
    return "{" + ",".join(tokens) + "}"
