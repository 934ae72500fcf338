"""The vendor's filter syntax (spec README §4) on django-filter.

``filter[attr]=term`` equals · ``=~term`` contains (case-insensitive) · ``=a,b`` any of ·
``=a..b`` between, inclusive, open-ended as ``a..`` / ``..b`` · a leading ``!`` inverts the
whole expression · ``filter[a|b]=…`` ORs one expression over several attributes ·
relationship filters take id lists.

A resource declares a ``FilterSet`` (``Meta.model`` and ``Meta.fields``, plus declared filters
for renamed or derived names) and names it as its view's ``filterset_class``; ``FilterBackend``
applies it. Each filter class knows the type of its terms (``kind``, ``term_schema``) and
which parts of the syntax apply, and its form field reads and validates the whole expression.
Anything that cannot be honoured is a 400 ``FORBIDDEN_INPUT`` naming the parameter.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import re
from dataclasses import dataclass, replace
from functools import reduce
from operator import and_, or_
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.fields.related import ManyToManyRel, ManyToOneRel, OneToOneRel
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import try_dbfield

from apps.core.errors import bad_query
from apps.core.localization import LOCALES
from apps.core.models import LocalizedField, StringListField

FILTER_PARAM = re.compile(r"^filter\[(?P<names>[^\]]+)\]$")
EQ, CONTAINS, RANGE = "eq", "contains", "range"


def parameter_name(filter_name: str) -> str:
    return f"filter[{filter_name}]"


class InvalidValue(ValueError):
    """A term that cannot be read as the attribute's type."""


@dataclass(frozen=True)
class Expression:
    """A filter value. ``op`` is ``eq`` (one or more terms), ``contains`` or ``range``.

    ``parse`` gives the terms as text; a filter's ``read`` gives them as its type.
    """

    op: str
    terms: tuple[Any, ...] = ()
    low: Any = None
    high: Any = None
    negate: bool = False

    @classmethod
    def parse(cls, raw: str) -> Expression:
        negate = raw.startswith("!")
        body = raw[1:] if negate else raw
        if body.startswith("~"):
            return cls(CONTAINS, tuple(body[1:].split(",")), negate=negate)
        if ".." in body:
            low, _, high = body.partition("..")
            if not low and not high:
                raise InvalidValue("a range needs at least one end ('a..b', 'a..' or '..b')")
            return cls(RANGE, low=low or None, high=high or None, negate=negate)
        return cls(EQ, tuple(body.split(",")), negate=negate)

    def matches(self, value, convert=lambda term: term) -> bool:
        """Evaluates the expression on a Python value (for values the database cannot see)."""
        if self.op == EQ:
            hit = value in {convert(t) for t in self.terms}
        elif self.op == CONTAINS:
            hit = any(str(t).lower() in str(value).lower() for t in self.terms)
        else:
            hit = (self.low is None or value >= convert(self.low)) and (
                self.high is None or value <= convert(self.high)
            )
        return hit != self.negate


# -- reading single terms ----------------------------------------------------------------------


def parse_int(term: str) -> int:
    if not re.fullmatch(r"[+-]?\d{1,18}", term.strip()):
        raise InvalidValue(f"'{term}' is not a whole number")
    return int(term)


def parse_decimal(term: str) -> decimal.Decimal:
    try:
        value = decimal.Decimal(term.strip())
    except decimal.InvalidOperation:
        raise InvalidValue(f"'{term}' is not a number") from None
    if not value.is_finite():
        raise InvalidValue(f"'{term}' is not a number")
    return value


def parse_float(term: str) -> float:
    return float(parse_decimal(term))


def parse_bool(term: str) -> bool:
    lowered = term.lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise InvalidValue(f"'{term}' is not a boolean (true or false)")


def parse_date(term: str) -> dt.date:
    try:
        return dt.date.fromisoformat(term)
    except ValueError:
        raise InvalidValue(f"'{term}' is not a date (YYYY-MM-DD)") from None


def parse_datetime_term(term: str) -> dt.datetime:
    # A '+' in an unencoded query string arrives as a space.
    text = term.strip().replace(" ", "+")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"'{term}' is not an ISO 8601 date-time") from None
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def parse_day_or_instant(term: str) -> dt.date | dt.datetime:
    """A bare date stays a date (it means a whole day); anything else is an instant."""
    value = parse_datetime_term(term)
    return value.date() if len(term.strip()) == 10 else value


# -- the form side: one field reads one ``filter[...]`` parameter -------------------------------


class Repeated(list):
    """The values of a parameter given more than once."""


class ParameterInput(forms.TextInput):
    """Passes a repeated parameter on as such, so the field can refuse it."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v is not None]
        if len(values) > 1:
            return Repeated(values)
        return values[0] if values else None


class ExpressionField(forms.Field):
    """Reads ``!``, ``~``, ``a,b`` and ``a..b`` with a filter's ``read`` into an Expression."""

    widget = ParameterInput
    default_error_messages = {
        "invalid": "Invalid value for '%(parameter)s': %(reason)s.",
        "too_long": "'%(parameter)s' is longer than %(limit)s characters.",
        "repeated": "'%(parameter)s' is given more than once.",
    }

    def __init__(self, *, read, **kwargs):
        self.read = read
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is None:
            return None
        if isinstance(value, Repeated):
            raise ValidationError(self.error_messages["repeated"], code="repeated")
        limit = settings.API_FILTER_VALUE_MAX_LENGTH
        if len(value) > limit:
            raise ValidationError(
                self.error_messages["too_long"], code="too_long", params={"limit": limit}
            )
        try:
            expression = Expression.parse(value)
            if len(expression.terms) > settings.API_FILTER_TERMS_MAX:
                raise InvalidValue(f"at most {settings.API_FILTER_TERMS_MAX} values are allowed")
            return self.read(expression)
        except InvalidValue as exc:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"reason": str(exc)}
            ) from None


class FilterForm(forms.Form):
    """Fields are named ``x`` and read ``filter[x]``; every error knows its parameter."""

    def add_prefix(self, field_name):
        return parameter_name(field_name)

    def add_error(self, field, error):
        if field is not None:
            error = error if isinstance(error, ValidationError) else ValidationError(error)
            for item in error.error_list:
                item.params = {**(item.params or {}), "parameter": self.add_prefix(field)}
        super().add_error(field, error)


# -- the filters ---------------------------------------------------------------------------------


class VendorFilter(django_filters.Filter):
    """One ``filter[name]``: the vendor syntax over ``field_name``, terms read as ``kind``.

    ``group``: filters sharing a group are applied in one ``filter()`` call, so conditions on
    a to-many relation hold for the same related row.
    """

    kind = "string"
    term_schema: dict = {"type": "string"}
    operators = frozenset({EQ, CONTAINS, RANGE})

    def __init__(self, field_name=None, *, choices=None, group=None, **kwargs):
        self.choices = frozenset(str(c) for c in choices) if choices else None
        self.group = group
        super().__init__(field_name, **kwargs)

    combinable = True  # may take part in filter[a|b]

    def __deepcopy__(self, memo):
        # A filter set copies its filters for every request. Their settings never change and
        # the form copies its fields itself, so the copies share one form field, built once.
        self.field  # noqa: B018 - builds it on the declared filter
        return copy.copy(self)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            extra = {k: v for k, v in self.extra.items() if k in {"required", "help_text"}}
            self._field = self.build_field(**extra)
        return self._field

    def build_field(self, **kwargs) -> forms.Field:
        return ExpressionField(read=self.read, **kwargs)

    def schema(self) -> dict:
        """The JSON schema of one term (what ``a``, ``b`` stand for in the syntax)."""
        if self.choices is not None:
            return {**self.term_schema, "enum": sorted(self.choices)}
        return dict(self.term_schema)

    # reading ------------------------------------------------------------------------------------

    parse_term = staticmethod(str)

    def parse(self, term: str):
        value = self.parse_term(term)
        if self.choices is not None and value not in self.choices:
            raise InvalidValue(f"'{term}' is not one of {', '.join(sorted(self.choices))}")
        return value

    def read(self, expr: Expression) -> Expression:
        """The expression with its terms as this filter's type; InvalidValue when it cannot be."""
        if expr.op == CONTAINS and CONTAINS not in self.operators:
            raise InvalidValue("'~' (contains) applies to text attributes only")
        if expr.op == RANGE and RANGE not in self.operators:
            raise InvalidValue("'..' (between) applies to numbers, dates and text only")
        if expr.op == EQ:
            return replace(expr, terms=tuple(self.parse(t) for t in expr.terms))
        if expr.op == RANGE:
            low = None if expr.low is None else self.parse(expr.low)
            high = None if expr.high is None else self.parse(expr.high)
            return replace(expr, low=low, high=high)
        return expr

    # filtering ----------------------------------------------------------------------------------

    def condition(self, expr: Expression) -> Q:
        """The condition for a read expression, with its ``!``."""
        positive = {EQ: self.equals, CONTAINS: self.contains, RANGE: self.between}[expr.op](expr)
        return ~positive if expr.negate else positive

    def equals(self, expr: Expression) -> Q:
        if len(expr.terms) == 1:
            return Q(**{self.field_name: expr.terms[0]})
        return Q(**{f"{self.field_name}__in": list(expr.terms)})

    def contains(self, expr: Expression) -> Q:
        return reduce(or_, (Q(**{f"{self.field_name}__icontains": t}) for t in expr.terms))

    def between(self, expr: Expression) -> Q:
        condition = Q()
        if expr.low is not None:
            condition &= Q(**{f"{self.field_name}__gte": expr.low})
        if expr.high is not None:
            condition &= Q(**{f"{self.field_name}__lte": expr.high})
        return condition

    def filter(self, qs, value):
        if value is None:
            return qs
        qs = qs.filter(self.condition(value))
        return qs.distinct() if self.distinct else qs


class TextFilter(VendorFilter):
    pass


class OrderedFilter(VendorFilter):
    """Numbers and dates: equals, any of and between; no contains."""

    operators = frozenset({EQ, RANGE})


class IntegerFilter(OrderedFilter):
    kind = "integer"
    term_schema = {"type": "integer"}
    parse_term = staticmethod(parse_int)


class DecimalFilter(OrderedFilter):
    kind = "decimal"
    term_schema = {"type": "string", "format": "decimal"}
    parse_term = staticmethod(parse_decimal)


class FloatFilter(OrderedFilter):
    kind = "float"
    term_schema = {"type": "number"}
    parse_term = staticmethod(parse_float)


class BooleanFilter(VendorFilter):
    kind = "boolean"
    term_schema = {"type": "boolean"}
    operators = frozenset({EQ})
    parse_term = staticmethod(parse_bool)


class DateFilter(OrderedFilter):
    kind = "date"
    term_schema = {"type": "string", "format": "date"}
    parse_term = staticmethod(parse_date)


class DateTimeFilter(OrderedFilter):
    """A bare date (``2026-07-01``) stands for that whole day in UTC."""

    kind = "datetime"
    term_schema = {"type": "string", "format": "date-time"}
    parse_term = staticmethod(parse_day_or_instant)

    @staticmethod
    def _start(value) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)

    def _day_or_instant(self, value) -> Q:
        if isinstance(value, dt.datetime):
            return Q(**{self.field_name: value})
        start = self._start(value)
        return Q(
            **{f"{self.field_name}__gte": start, f"{self.field_name}__lt": start + dt.timedelta(1)}
        )

    def equals(self, expr):
        return reduce(or_, (self._day_or_instant(v) for v in expr.terms))

    def between(self, expr):
        condition = Q()
        if expr.low is not None:
            condition &= Q(**{f"{self.field_name}__gte": self._start(expr.low)})
        if isinstance(expr.high, dt.datetime):
            condition &= Q(**{f"{self.field_name}__lte": expr.high})
        elif expr.high is not None:
            condition &= Q(**{f"{self.field_name}__lt": self._start(expr.high) + dt.timedelta(1)})
        return condition


class LocalizedFilter(VendorFilter):
    """Matches the text in any locale."""

    kind = "localized"
    operators = frozenset({EQ, CONTAINS})

    def equals(self, expr):
        values = list(expr.terms)
        return reduce(or_, (Q(**{f"{self.field_name}__{loc}__in": values}) for loc in LOCALES))

    def contains(self, expr):
        return reduce(
            or_,
            (
                Q(**{f"{self.field_name}__{loc}__icontains": t})
                for t in expr.terms
                for loc in LOCALES
            ),
        )


class ListFilter(VendorFilter):
    """A list of strings: equals means the list holds the term."""

    kind = "list"
    operators = frozenset({EQ, CONTAINS})

    def equals(self, expr):
        return reduce(
            or_, (Q(**{f"{self.field_name}__icontains": json.dumps(v)}) for v in expr.terms)
        )


class RelationshipFilter(VendorFilter):
    """A list of ids of the related resource."""

    kind = "relationship"
    term_schema = {"type": "string", "pattern": "^[0-9]+$", "description": "an id"}
    operators = frozenset({EQ})
    parse_term = staticmethod(parse_int)


class UnmodelledRelationshipFilter(RelationshipFilter):
    """A vendor relationship this product does not model: ids parse, nothing matches."""

    def read(self, expr):
        if expr.op != EQ:
            raise InvalidValue("relationship filters take a list of ids")
        return super().read(expr)

    def equals(self, expr):
        return Q(pk__in=[])


class AnyOfFilter(VendorFilter):
    """``filter[a|b]``: the same expression over several filters, ORed."""

    def __init__(self, members: list[VendorFilter]):
        self.members = members
        super().__init__("pk", distinct=any(m.distinct for m in members))

    def read(self, expr):
        return tuple(member.read(expr) for member in self.members)

    def filter(self, qs, value):
        if value is None:
            return qs
        positive = [replace(e, negate=False) for e in value]
        combined = reduce(
            or_, (m.condition(e) for m, e in zip(self.members, positive, strict=True))
        )
        qs = qs.filter(~combined if value[0].negate else combined)
        return qs.distinct() if self.distinct else qs


class ParameterFilter(VendorFilter):
    """A parameter the view reads itself: its ``field_class`` validates it, and it does not
    narrow the queryset (e.g. the stay of an availability search)."""

    field_class = forms.CharField
    combinable = False

    def build_field(self, **kwargs):
        return self.field_class(**kwargs)

    def filter(self, qs, value):
        return qs


def _to_many(field) -> dict:
    return {"distinct": bool(field.many_to_many or field.one_to_many)}


def _scalar(field) -> dict:
    return {"choices": [c for c, _ in field.choices]} if getattr(field, "choices", None) else {}


FILTER_FOR_MODEL_FIELD = {
    LocalizedField: {"filter_class": LocalizedFilter},
    StringListField: {"filter_class": ListFilter},
    models.BooleanField: {"filter_class": BooleanFilter},
    models.DateTimeField: {"filter_class": DateTimeFilter, "extra": _scalar},
    models.DateField: {"filter_class": DateFilter, "extra": _scalar},
    models.AutoField: {"filter_class": IntegerFilter},
    models.IntegerField: {"filter_class": IntegerFilter, "extra": _scalar},
    models.DecimalField: {"filter_class": DecimalFilter, "extra": _scalar},
    models.FloatField: {"filter_class": FloatFilter, "extra": _scalar},
    models.CharField: {"filter_class": TextFilter, "extra": _scalar},
    models.TextField: {"filter_class": TextFilter, "extra": _scalar},
    **{
        relation: {"filter_class": RelationshipFilter, "extra": _to_many}
        for relation in (
            models.ForeignKey,
            models.OneToOneField,
            models.ManyToManyField,
            ManyToOneRel,
            ManyToManyRel,
            OneToOneRel,
        )
    },
}


# -- filter sets and the backend -----------------------------------------------------------------


class BaseFilterSet(django_filters.FilterSet):
    """Model fields in ``Meta.fields`` get the vendor filter for their type; relationships
    filter by id lists. ``filter[a|b]`` is assembled per request from the declared filters."""

    FILTER_DEFAULTS = FILTER_FOR_MODEL_FIELD

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.unknown: dict[str, str] = {}
        for param in self.data:
            if not param.startswith("filter["):
                continue
            names = self._names(param)
            if names is None:
                allowed = ", ".join(sorted(self.base_filters)) or "none"
                self.unknown[param] = f"Unknown filter '{param}'. Filters here: {allowed}."
            elif len(names) > 1:
                self.filters["|".join(names)] = AnyOfFilter([self.filters[n] for n in names])

    def _names(self, param: str) -> list[str] | None:
        """The filters ``filter[a|b]`` names, or None when it names one this set lacks."""
        match = FILTER_PARAM.match(param)
        names = match.group("names").split("|") if match else []
        if not names or any(name not in self.base_filters for name in names):
            return None
        if len(names) > 1 and not all(self.filters[name].combinable for name in names):
            return None
        return names

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        data = try_dbfield(cls.FILTER_DEFAULTS.get, field.__class__) or {}
        return data.get("filter_class"), data.get("extra", lambda field: {})(field)

    @classmethod
    def fields(cls) -> dict[str, VendorFilter]:
        """Every filter by name, for documentation."""
        return dict(cls.base_filters)

    def get_form_class(self):
        """A form over the filters the query names (and the required ones): a list request
        names a few of a resource's dozens of filters, and only those need reading."""
        base = self._meta.form if issubclass(self._meta.form, FilterForm) else FilterForm
        attrs = {
            name: filter_.field
            for name, filter_ in self.filters.items()
            if filter_.extra.get("required") or parameter_name(name) in self.data
        }
        return type(f"{type(self).__name__}Form", (base,), attrs)

    def validate(self):
        """Raises the 400 for the first parameter that cannot be honoured (a missing required
        one first, then in the order of the query string); returns the filter set."""
        problems = dict(self.unknown)
        for name, errors in self.form.errors.as_data().items():
            error = errors[0]
            problems[self.form.add_prefix(name)] = error.message % (error.params or {})
        missing = [param for param in problems if param not in self.data]
        for param in [*missing, *self.data]:
            if param in problems:
                raise bad_query(param, problems[param])
        return self

    def filter_queryset(self, queryset):
        groups: dict[str, list[Q]] = {}
        distinct = False
        for name, value in self.form.cleaned_data.items():
            filter_ = self.filters[name]
            if value is None or getattr(filter_, "group", None) is None:
                queryset = filter_.filter(queryset, value)
                continue
            groups.setdefault(filter_.group, []).append(filter_.condition(value))
            distinct = distinct or filter_.distinct
        for conditions in groups.values():
            queryset = queryset.filter(reduce(and_, conditions))
        return queryset.distinct() if distinct else queryset


class FilterSet(BaseFilterSet):
    """A resource's filters; ``id`` is always one of them."""

    id = IntegerFilter("pk")


class FilterBackend(DjangoFilterBackend):
    """Applies the view's ``filterset_class`` to the ``filter[...]`` parameters.

    A view without one refuses every filter.
    """

    def get_filterset_class(self, view, queryset=None):
        return super().get_filterset_class(view, queryset) or BaseFilterSet

    def filter_queryset(self, request, queryset, view):
        return self.get_filterset(request, queryset, view).validate().qs
