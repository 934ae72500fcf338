"""Validating thousands of resource objects of one type with their serializer, cheaply.

DRF's ``ListSerializer`` validates each document through the whole serializer machinery, and
most of that work repeats itself: a year of nightly stay rules holds 365 distinct dates, a
handful of minimum stays and two booleans. Here the serializer's field plan is worked out once
(its writable fields, how each reads its value, which are pure functions of their input), each
document then runs the very same ``Field.run_validation``, ``validate_<field>``,
serializer-level validators and ``validate()`` as DRF would, and the result of a pure field for
an input it has already accepted is taken from a memo.

A document that fails anywhere is validated again by the plain DRF path, so its errors are
exactly those the single-resource endpoint gives. A serializer that changes the validation
path itself (its own ``run_validation`` / ``to_internal_value``) is validated by DRF alone.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import fields, relations, serializers
from rest_framework.fields import SkipField, empty

from apps.core.serializers import MoneyField, ResourceSerializer, UtcTimeField, WeekdaysField

# Fields whose validated value depends on their input alone, or on it and the request (a money
# amount on the administration's currency), never on an instance or a query: within one batch
# the same input gives the same value or the same error, so an accepted input is remembered.
PURE_FIELDS = frozenset(
    {
        fields.BooleanField,
        fields.CharField,
        fields.ChoiceField,
        fields.DateField,
        fields.DateTimeField,
        fields.DecimalField,
        fields.EmailField,
        fields.FloatField,
        fields.IntegerField,
        fields.RegexField,
        fields.SlugField,
        fields.TimeField,
        fields.URLField,
        fields.UUIDField,
        UtcTimeField,
        MoneyField,
    }
)
PURE_LISTS = frozenset({fields.ListField, WeekdaysField})
STOCK_GET_VALUE = frozenset(
    {fields.Field.get_value, fields.ListField.get_value, relations.ManyRelatedField.get_value}
)
_SKIPPED = object()
_MISSING = object()
_SCALARS = (str, int, float, bool, type(None))


class InvalidDocument(Exception):
    """The document at ``index`` is invalid; ``error`` is DRF's ValidationError for it."""

    def __init__(self, index: int, error: serializers.ValidationError):
        super().__init__(index)
        self.index = index
        self.error = error


def _pure(field) -> bool:
    if any(getattr(validator, "requires_context", False) for validator in field.validators):
        return False
    if type(field) in PURE_LISTS:
        return _pure(field.child)
    return type(field) in PURE_FIELDS


def _memo_key(value):
    """A hashable stand-in for a JSON value, or None when it is not worth remembering."""
    if isinstance(value, _SCALARS):
        return (type(value), value)
    if isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value):
        return (list, tuple((type(v), v) for v in value))
    if isinstance(value, dict) and all(isinstance(v, _SCALARS) for v in value.values()):
        return (dict, tuple((k, type(v), v) for k, v in value.items()))
    return None


def _fresh(value):
    """A remembered value handed out again: containers are copied, so no two documents share
    one."""
    return copy.copy(value) if isinstance(value, list | dict) else value


class BatchValidation:
    """``serializer`` (one instance, no data bound) validating many documents for a create."""

    def __init__(self, serializer: serializers.Serializer):
        self.serializer = serializer
        kind = type(serializer)
        self.fast = (
            kind.run_validation is serializers.Serializer.run_validation
            and kind.to_internal_value
            in (serializers.Serializer.to_internal_value, ResourceSerializer.to_internal_value)
            and kind.run_validators is serializers.Serializer.run_validators
        )
        self.names = (
            serializer._name_problems if isinstance(serializer, ResourceSerializer) else None
        )
        self.plan = [
            (
                field,
                field.field_name,
                field.source_attrs,
                getattr(serializer, f"validate_{field.field_name}", None),
                type(field).get_value in STOCK_GET_VALUE,
                {} if _pure(field) else None,
            )
            for field in serializer._writable_fields
        ]
        self.has_validators = bool(serializer.validators)

    def validated(self, documents: list[dict]) -> list[dict]:
        """The validated data of each document, in order; raises InvalidDocument for the
        first that fails."""
        results = []
        for index, document in enumerate(documents):
            if self.fast:
                try:
                    results.append(self._one(document))
                    continue
                except (serializers.ValidationError, DjangoValidationError):
                    pass  # reported below with DRF's own errors
            try:
                results.append(self.serializer.run_validation(document))
            except serializers.ValidationError as exc:
                raise InvalidDocument(index, exc) from None
        return results

    def _one(self, document: dict) -> dict:
        serializer = self.serializer
        set_value = serializer.set_value
        if not isinstance(document, dict) or (self.names is not None and self.names(document)):
            raise serializers.ValidationError("invalid")
        validated: dict = {}
        for field, name, source_attrs, validate_method, stock, memo in self.plan:
            primitive = document.get(name, empty) if stock else field.get_value(document)
            if primitive is empty and field.default is empty and not field.required:
                continue  # what DRF does: an optional field left out without a default
            key = None if memo is None else _memo_key(primitive)
            if key is None:
                value = _run(field, primitive)
            else:
                value = memo.get(key, _MISSING)
                if value is _MISSING:
                    value = memo[key] = _run(field, primitive)
                value = _fresh(value)
            if value is _SKIPPED:
                continue
            if validate_method is not None:
                value = validate_method(value)
            set_value(validated, source_attrs, value)
        if self.has_validators:
            serializer.run_validators(validated)
        validated = serializer.validate(validated)
        assert validated is not None, ".validate() should return the validated data"
        return validated


def _run(field, primitive):
    try:
        return field.run_validation(primitive)
    except SkipField:
        return _SKIPPED
