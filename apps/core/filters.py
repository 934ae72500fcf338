"""The vendor's filter syntax as one reusable backend (spec README §4).

``filter[attr]=term`` equals · ``=~term`` contains (case-insensitive) · ``=a,b`` any of ·
``=a..b`` between, inclusive, open-ended as ``a..`` / ``..b`` · a leading ``!`` inverts the
whole expression · ``filter[a|b]=…`` ORs one expression over several attributes ·
relationship filters take id lists.

A resource opts in with a ``FilterSet`` subclass naming its filterable attributes; each
attribute's kind (and so how its values are parsed) comes from the model field behind it.
Anything that cannot be honoured is a 400 ``FORBIDDEN_INPUT`` naming the parameter.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.errors import bad_query
from apps.core.localization import LOCALES
from apps.core.models import LocalizedField, StringListField

FILTER_PARAM = re.compile(r"^filter\[(?P<names>[^\]]+)\]$")

STRING, INTEGER, DECIMAL, FLOAT, BOOLEAN, DATE, DATETIME = (
    "string",
    "integer",
    "decimal",
    "float",
    "boolean",
    "date",
    "datetime",
)
LOCALIZED, LIST, RELATIONSHIP, COMPUTED = "localized", "list", "relationship", "computed"
ORDERED_KINDS = {INTEGER, DECIMAL, FLOAT, DATE, DATETIME, STRING}


class InvalidValue(ValueError):
    """A term that cannot be read as the attribute's type."""


@dataclass(frozen=True)
class Expression:
    """A parsed filter value. ``op`` is ``eq`` (one or more terms), ``contains`` or ``range``."""

    op: str
    terms: tuple[str, ...] = ()
    low: str | None = None
    high: str | None = None
    negate: bool = False

    @classmethod
    def parse(cls, raw: str) -> Expression:
        negate = raw.startswith("!")
        body = raw[1:] if negate else raw
        if body.startswith("~"):
            return cls("contains", tuple(body[1:].split(",")), negate=negate)
        if ".." in body:
            low, _, high = body.partition("..")
            if not low and not high:
                raise InvalidValue("a range needs at least one end ('a..b', 'a..' or '..b')")
            return cls("range", low=low or None, high=high or None, negate=negate)
        return cls("eq", tuple(body.split(",")), negate=negate)

    def matches(self, value, convert: Callable[[str], object]) -> bool:
        """Evaluates the expression on a Python value (for computed attributes)."""
        if self.op == "eq":
            hit = value in {convert(t) for t in self.terms}
        elif self.op == "contains":
            hit = any(t.lower() in str(value).lower() for t in self.terms)
        else:
            hit = (self.low is None or value >= convert(self.low)) and (
                self.high is None or value <= convert(self.high)
            )
        return hit != self.negate


def _parse_bool(term: str) -> bool:
    lowered = term.lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise InvalidValue(f"'{term}' is not a boolean (true or false)")


def _parse_date(term: str) -> dt.date:
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


def _parse_int(term: str) -> int:
    if not re.fullmatch(r"[+-]?\d{1,18}", term.strip()):
        raise InvalidValue(f"'{term}' is not a whole number")
    return int(term)


def _parse_decimal(term: str) -> decimal.Decimal:
    try:
        value = decimal.Decimal(term.strip())
    except decimal.InvalidOperation:
        raise InvalidValue(f"'{term}' is not a number") from None
    if not value.is_finite():
        raise InvalidValue(f"'{term}' is not a number")
    return value


def _parse_float(term: str) -> float:
    return float(_parse_decimal(term))


PARSERS: dict[str, Callable[[str], object]] = {
    STRING: str,
    INTEGER: _parse_int,
    RELATIONSHIP: _parse_int,
    DECIMAL: _parse_decimal,
    FLOAT: _parse_float,
    BOOLEAN: _parse_bool,
    DATE: _parse_date,
    DATETIME: parse_datetime_term,
    LOCALIZED: str,
    LIST: str,
}


@dataclass(frozen=True)
class Attribute:
    """One filterable name: where it lives in the ORM and how its values are read."""

    path: str
    kind: str
    choices: frozenset[str] | None = None
    # For COMPUTED attributes: returns a Q from an expression (ignoring its ``!``).
    build: Callable[[Expression], Q] | None = None
    # The path crosses a to-many relation: matching rows may repeat unless made distinct.
    many: bool = False

    def parse(self, term: str):
        value = PARSERS[self.kind](term)
        if self.choices is not None and value not in self.choices:
            raise InvalidValue(f"'{term}' is not one of {', '.join(sorted(self.choices))}")
        return value

    # -- building the condition -------------------------------------------------------------

    def q(self, expr: Expression) -> Q:
        """The condition for the expression, ignoring ``!`` (the caller inverts the whole)."""
        if self.kind == COMPUTED:
            return self.build(expr)
        builder = {"eq": self._q_eq, "contains": self._q_contains, "range": self._q_range}[expr.op]
        return builder(expr)

    def _q_eq(self, expr: Expression) -> Q:
        values = [self.parse(t) for t in expr.terms]
        if self.kind == LOCALIZED:
            return reduce(or_, (Q(**{f"{self.path}__{loc}__in": values}) for loc in LOCALES))
        if self.kind == LIST:
            return reduce(or_, (Q(**{f"{self.path}__icontains": json.dumps(v)}) for v in values))
        if self.kind == DATETIME:
            return reduce(
                or_, (self._instant_or_day(t, v) for t, v in zip(expr.terms, values, strict=False))
            )
        if len(values) == 1:
            return Q(**{self.path: values[0]})
        return Q(**{f"{self.path}__in": values})

    def _instant_or_day(self, term: str, value: dt.datetime) -> Q:
        if len(term.strip()) == 10:  # a bare date matches the whole (UTC) day
            return Q(
                **{f"{self.path}__gte": value, f"{self.path}__lt": value + dt.timedelta(days=1)}
            )
        return Q(**{self.path: value})

    def _q_contains(self, expr: Expression) -> Q:
        if self.kind not in {STRING, LOCALIZED, LIST}:
            raise InvalidValue("'~' (contains) applies to text attributes only")
        if self.kind == LOCALIZED:
            parts = (
                Q(**{f"{self.path}__{loc}__icontains": t}) for t in expr.terms for loc in LOCALES
            )
        else:
            parts = (Q(**{f"{self.path}__icontains": t}) for t in expr.terms)
        return reduce(or_, parts)

    def _q_range(self, expr: Expression) -> Q:
        if self.kind not in ORDERED_KINDS:
            raise InvalidValue("'..' (between) applies to numbers, dates and text only")
        condition = Q()
        if expr.low is not None:
            condition &= Q(**{f"{self.path}__gte": self.parse(expr.low)})
        if expr.high is not None:
            high = self.parse(expr.high)
            if self.kind == DATETIME and len(expr.high.strip()) == 10:
                condition &= Q(**{f"{self.path}__lt": high + dt.timedelta(days=1)})
            else:
                condition &= Q(**{f"{self.path}__lte": high})
        return condition


def kind_of(field: models.Field) -> str:
    if isinstance(field, LocalizedField):
        return LOCALIZED
    if isinstance(field, StringListField):
        return LIST
    if isinstance(field, (models.ForeignKey, models.OneToOneField, models.ManyToManyField)):
        return RELATIONSHIP
    if isinstance(field, models.BooleanField):
        return BOOLEAN
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return INTEGER
    if isinstance(field, models.DecimalField):
        return DECIMAL
    if isinstance(field, models.FloatField):
        return FLOAT
    if isinstance(field, (models.CharField, models.TextField)):
        return STRING
    raise TypeError(f"No filter kind for {field!r}")


def _resolve_field(model, path: str) -> models.Field:
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    return field


def _crosses_many(model, path: str) -> bool:
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001 - "id" of the last model, or an attname
            return False
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model or model
    return False


class FilterSet:
    """Declares what a resource can be filtered on.

    ``attributes``: names (or ``{name: orm_path}``) whose kind follows the model field, or
    ``{name: Attribute(path, kind)}`` for annotations;
    ``relationships``: ``{name: orm_path}`` filtered by id lists;
    ``computed``: ``{name: Attribute(kind=COMPUTED, build=…)}`` for derived values.
    ``id`` is always filterable.
    """

    model: type[models.Model]
    attributes: tuple[str, ...] | dict[str, str | Attribute] = ()
    relationships: dict[str, str] = {}
    computed: dict[str, Attribute] = {}

    _cache: dict[type, dict[str, Attribute]] = {}

    @classmethod
    def fields(cls) -> dict[str, Attribute]:
        if cls not in FilterSet._cache:
            FilterSet._cache[cls] = cls._build()
        return FilterSet._cache[cls]

    @classmethod
    def _build(cls) -> dict[str, Attribute]:
        attrs = cls.attributes
        mapping = attrs if isinstance(attrs, dict) else {name: name for name in attrs}
        result = {"id": Attribute("pk", INTEGER)}
        for name, path in mapping.items():
            if isinstance(path, Attribute):  # an annotation or other non-field path
                result[name] = path
                continue
            field = _resolve_field(cls.model, path)
            choices = frozenset(str(c) for c, _ in field.choices) if field.choices else None
            result[name] = Attribute(path, kind_of(field), choices)
        for name, path in cls.relationships.items():
            many = _crosses_many(cls.model, path)
            result[name] = Attribute(
                path if path.endswith("_id") else f"{path}__pk", RELATIONSHIP, many=many
            )
        result.update(cls.computed)
        return result


def filter_params(request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k.startswith("filter[")}


class VendorFilterBackend:
    """Applies every ``filter[...]`` parameter of the request with the view's FilterSet."""

    def filter_queryset(self, request, queryset, view):
        filterset = getattr(view, "filterset_class", None)
        handled = set(getattr(view, "special_filters", ()))
        repeats = False
        for param in filter_params(request):
            match = FILTER_PARAM.match(param)
            names = match.group("names").split("|") if match else []
            if names and set(names) <= handled:
                continue
            condition = self.condition(request, param, names, filterset)
            queryset = queryset.filter(condition)
            repeats = repeats or any(filterset.fields()[name].many for name in names)
        return queryset.distinct() if repeats else queryset

    @staticmethod
    def condition(request, param: str, names: list[str], filterset) -> Q:
        available = filterset.fields() if filterset else {}
        unknown = [n for n in names if n not in available]
        if not names or unknown:
            allowed = ", ".join(sorted(available)) or "none"
            raise bad_query(param, f"Unknown filter '{param}'. Filters here: {allowed}.")
        values = request.query_params.getlist(param)
        if len(values) > 1:
            raise bad_query(param, f"'{param}' is given more than once.")
        raw = values[0]
        if len(raw) > settings.API_FILTER_VALUE_MAX_LENGTH:
            raise bad_query(
                param,
                f"'{param}' is longer than {settings.API_FILTER_VALUE_MAX_LENGTH} characters.",
            )
        try:
            expr = Expression.parse(raw)
            if len(expr.terms) > settings.API_FILTER_TERMS_MAX:
                raise InvalidValue(f"at most {settings.API_FILTER_TERMS_MAX} values are allowed")
            conditions = [available[name].q(expr) for name in names]
        except InvalidValue as exc:
            raise bad_query(param, f"Invalid value for '{param}': {exc}.") from None
        combined = reduce(or_, conditions)
        return ~combined if expr.negate else combined


def unmodelled_relationship() -> Attribute:
    """A vendor relationship filter whose target is not modelled: ids parse, nothing matches."""

    def build(expr: Expression) -> Q:
        if expr.op != "eq":
            raise InvalidValue("relationship filters take a list of ids")
        for term in expr.terms:
            _parse_int(term)
        return Q(pk__in=[])

    return Attribute("pk", COMPUTED, build=build)
