"""Runs checked operations in order, all in one transaction, through the resources' own
serializers and services; the first failure rolls everything back and becomes an error
document whose pointers start at ``/atomic:operations/N``.

Consecutive ``add`` operations of one type whose handler has ``bulk_create`` are validated one
by one (one serializer and its field plan for all of them, see ``validation``; their
relationships resolved in one query per relationship) and written by one service call; so N
adds cost a fixed number of queries.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator
from rest_framework_json_api.utils import format_error_object

from apps.core import exceptions as domain
from apps.core import query
from apps.core.errors import (
    ApiError,
    ErrorObject,
    _refusal_object,
    domain_error_object,
    not_found,
)
from apps.core.includes import include_plan
from apps.core.operations.document import Operation
from apps.core.operations.registry import batch_scopes
from apps.core.operations.validation import BatchValidation, InvalidDocument
from apps.core.rendering import Renderer, plan_for
from apps.core.serializers import TenantRelatedField


class OperationFailed(Exception):
    """An operation was refused; ``error`` is the whole request's answer."""

    def __init__(self, error: ApiError):
        super().__init__(error.detail)
        self.error = error


def operations_run(*, view, operations: list[Operation]) -> list[dict]:
    """The ``atomic:results``, in order. All or nothing: raises OperationFailed (nothing
    written, no event stored) for the first operation that fails."""
    run = _Run(view)
    with transaction.atomic(), batch_scopes():
        for group in _groups(operations):
            if group[0].op == "add":
                run.add(group)
            else:
                run.one(group[0])
    return run.results


def _groups(operations: list[Operation]) -> list[list[Operation]]:
    """Consecutive adds of one type go together unless one links to a lid of the group."""
    groups: list[list[Operation]] = []
    lids: set[str] = set()  # those the current group introduces
    for operation in operations:
        current = groups[-1] if groups else None
        if (
            current is not None
            and operation.op == "add"
            and current[0].op == "add"
            and current[0].handler is operation.handler
            and operation.handler.bulk_create is not None
            and not (operation.linked_lids and operation.linked_lids & lids)
        ):
            current.append(operation)
        else:
            groups.append([operation])
            lids = set()
        if operation.lid is not None:
            lids.add(operation.lid)
    return groups


class _Run:
    def __init__(self, view):
        self.view = view
        self.administration = view.administration
        self.context = {"request": view.request, "view": view, "preloaded": {}}
        self.renderer = Renderer(view.request, {"request": view.request})
        self.ids_by_lid: dict[str, str] = {}
        self.results: list[dict] = []

    # -- the operations ------------------------------------------------------------------------

    def add(self, group: list[Operation]) -> None:
        handler = group[0].handler
        extras = []
        for operation in group:
            with _failing(operation):
                extras.append(self._prepare(operation, None))
        flat = [self._flat(operation) for operation in group]
        self._preload(handler.serializer_class, flat)
        serializer = handler.serializer_class(context=self.context)
        _skip_generated_uniqueness(serializer)
        try:
            validated = BatchValidation(serializer).validated(flat)
        except InvalidDocument as invalid:
            raise _failure(group[invalid.index], invalid.error) from None
        items = [
            {**data, **extra} if extra else data
            for data, extra in zip(validated, extras, strict=True)
        ]
        if handler.bulk_create is not None:
            try:
                instances = handler.bulk_create(administration=self.administration, items=items)
            except Exception as exc:
                failure = _failure(group[getattr(exc, "item_index", None) or 0], exc)
                if failure is exc:
                    raise
                raise failure from exc
        else:
            with _failing(group[0]):
                instances = [handler.create(administration=self.administration, data=items[0])]
        self._render(handler, group, instances)

    def one(self, operation: Operation) -> None:
        handler = operation.handler
        with _failing(operation):
            instance = self._target(operation)
            extra = self._prepare(operation, instance)
            if operation.op == "remove":
                handler.delete(instance=instance)
                self.results.append({})
                return
            serializer = handler.serializer_class(
                instance, data=self._flat(operation), partial=True, context=self.context
            )
            serializer.is_valid(raise_exception=True)
            instance = handler.update(
                instance=instance, data={**serializer.validated_data, **extra}
            )
        self._render(handler, [operation], [instance])

    # -- helpers -------------------------------------------------------------------------------

    def _prepare(self, operation: Operation, instance) -> dict:
        if operation.handler.prepare is None:
            return {}
        attributes = (operation.data or {}).get("attributes") or {}
        return (
            operation.handler.prepare(op=operation.op, attributes=attributes, instance=instance)
            or {}
        )

    def _target(self, operation: Operation):
        kind, value = operation.target
        raw_id = self.ids_by_lid.get(value) if kind == "lid" else value
        missing = not_found(f"No {operation.resource_type} with id {value} in this administration.")
        if query.parse_id(raw_id) is None:
            raise missing
        queryset = operation.handler.queryset(self.administration)
        try:
            return queryset.get(pk=raw_id)
        except ObjectDoesNotExist:
            raise missing from None

    def _flat(self, operation: Operation) -> dict:
        """The resource object as the serializers take it (what the JSON:API parser makes of a
        request body), with lids replaced by the ids their adds got."""
        data = operation.data
        flat = {"type": data["type"]}
        if operation.target is not None:
            flat["id"] = self.ids_by_lid.get(operation.target[1], operation.target[1])
        flat.update(data.get("attributes") or {})
        for name, relationship in (data.get("relationships") or {}).items():
            flat[name] = self._resolved(relationship["data"])
        if data.get("relationships"):
            flat["_relationship_names"] = list(data["relationships"])
        return flat

    def _resolved(self, linkage):
        if isinstance(linkage, list):
            return [self._resolved(item) for item in linkage]
        if isinstance(linkage, dict) and "lid" in linkage:
            return {"type": linkage["type"], "id": self.ids_by_lid[linkage["lid"]]}
        return linkage

    def _preload(self, serializer_class, flat: list[dict]) -> None:
        """Resolves every relationship id of a group in one query per relationship, through
        the same read queryset a single write resolves it with (``TenantRelatedField``)."""
        fields = serializer_class(context=self.context).fields
        for name, field in fields.items():
            relation = getattr(field, "child_relation", field)
            if field.read_only or not isinstance(relation, TenantRelatedField):
                continue
            ids = set()
            for item in flat:
                linkage = item.get(name)
                for identifier in linkage if isinstance(linkage, list) else [linkage]:
                    if isinstance(identifier, dict) and query.parse_id(identifier.get("id")):
                        ids.add(identifier["id"])
            if not ids:
                continue
            queryset = relation.get_queryset()
            found = self.context["preloaded"].setdefault(queryset.model, {})
            found.update({str(obj.pk): obj for obj in queryset.filter(pk__in=ids)})

    def _render(self, handler, group: list[Operation], instances) -> None:
        loads = include_plan(handler.serializer_class, ())
        if loads:
            prefetch_related_objects(list(instances), *loads)
        plan = plan_for(handler.serializer_class)
        for operation, instance in zip(group, instances, strict=True):
            if operation.lid is not None:
                self.ids_by_lid[operation.lid] = str(instance.pk)
            self.results.append({"data": self.renderer.resource(plan, instance)})


def _skip_generated_uniqueness(serializer) -> None:
    """Drops the unique-together checks that involve a read-only field: its value is one the
    server generates (an agenda period's ``ical_uid``), so the check, a query per document,
    cannot fail; the database's constraint still stands behind it."""
    fields = serializer.fields
    serializer.validators = [
        validator
        for validator in serializer.validators
        if not (
            isinstance(validator, UniqueTogetherValidator)
            and any(fields.get(name) is None or fields[name].read_only for name in validator.fields)
        )
    ]


# -- errors -----------------------------------------------------------------------------------


class _failing:  # noqa: N801 - a context manager, named like a statement
    """Turns an error raised while running ``operation`` into OperationFailed."""

    def __init__(self, operation: Operation):
        self.operation = operation

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, OperationFailed):
            return False
        failure = _failure(self.operation, exc)
        if failure is exc:
            return False
        raise failure from exc


def _failure(operation: Operation, exc: Exception) -> Exception:
    """OperationFailed for the errors a client caused; anything else is left as it is."""
    objects = _error_objects(operation, exc)
    if objects is None:
        return exc
    prefix = operation.pointer
    relationships = set((operation.data or {}).get("relationships") or {})
    for obj in objects:
        obj.detail = (
            f"Operation {operation.index} ({operation.op} {operation.resource_type}): {obj.detail}"
        )
        pointer = obj.pointer
        if pointer is not None and pointer.startswith(prefix):
            continue  # aimed already
        if operation.data is None or pointer is None:
            obj.pointer = prefix
            continue
        name = pointer.removeprefix("/data/attributes/").split("/")[0]
        if pointer.startswith("/data/attributes/") and name in relationships:
            pointer = pointer.replace("/data/attributes/", "/data/relationships/", 1)
        obj.pointer = prefix + pointer
    first = objects[0]
    return OperationFailed(
        ApiError(
            first.status,
            first.detail,
            code=first.code,
            pointer=first.pointer,
            meta=first.meta,
            extra=objects[1:],
        )
    )


def _error_objects(operation: Operation, exc: Exception) -> list[ErrorObject] | None:
    if isinstance(exc, ApiError):
        return exc.error_objects()
    if isinstance(exc, domain.DomainError):
        return [domain_error_object(exc)]
    if isinstance(exc, DjangoValidationError):
        if getattr(exc, "error_meta", None):
            return [_refusal_object(exc)]
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return _validation_objects(detail)
    if isinstance(exc, serializers.ValidationError):
        return _validation_objects(exc.detail)
    return None


class _Unprocessable:
    status_code = 422


def _validation_objects(detail) -> list[ErrorObject]:
    """Error objects with the pointers the single-resource endpoints give (the JSON:API
    library's: a list field's item is ``…/attributes/<name>/<index>``)."""
    objects = []
    if isinstance(detail, dict):
        for name, messages in detail.items():
            pointer = "/data" if name == "non_field_errors" else f"/data/attributes/{name}"
            for item in format_error_object(messages, pointer, _Unprocessable):
                source = item.get("source") or {}
                objects.append(
                    ErrorObject(422, str(item.get("detail")), pointer=source.get("pointer"))
                )
    else:
        objects = [ErrorObject(422, message, pointer="/data") for message in _messages(detail)]
    return objects or [ErrorObject(422, "Invalid resource object.", pointer="/data")]


def _messages(value) -> list[str]:
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    return [str(value)]
