"""Pagination for every collection: page numbers (the vendor's) and cursors (the JSON:API
cursor pagination profile, https://jsonapi.org/profiles/ethanresnick/cursor-pagination/).

* **Page numbers** (``page[number]``, ``page[size]``) keep the vendor's ``links`` and
  ``meta.pagination`` ``{total_records, page, size}``. The total is exact up to
  ``API_EXACT_COUNT_LIMIT`` rows (a count that stops there); beyond, PostgreSQL's planner
  estimate is reported and ``meta.pagination.estimated`` is ``true``. A deep page first reads
  the page's ids alone (an index-only scan on the default order), then loads those rows.
* **Cursors** (``page[after]``, ``page[before]``, both for a range) are keyset pagination: a
  cursor holds the sort key and id of the row it falls on, signed so it cannot be forged, and a
  page is ``WHERE (sort key, id) > cursor ORDER BY sort key, id LIMIT size`` — as fast at any
  depth as on the first page when an index serves the order. A cursor walk starts with an empty
  ``page[after]=`` (or the profile in ``Accept``); ``page[before]=`` reads the last page.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import connections
from django.db.models import F, OrderBy, Q
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from apps.core.errors import ApiError, bad_query
from apps.core.sorting import order_term

NUMBER_PARAM = "page[number]"
SIZE_PARAM = "page[size]"
AFTER_PARAM = "page[after]"
BEFORE_PARAM = "page[before]"
PROFILE = "https://jsonapi.org/profiles/ethanresnick/cursor-pagination/"
ERROR_TYPES = {
    "max-size": PROFILE + "max-size-exceeded",
    "sort": PROFILE + "unsupported-sort",
}
CURSOR_SALT = "apps.core.pagination.cursor"
DEEP_OFFSET = 1000  # from here a page-number page reads its ids first (see module doc)
MAX_OFFSET = 2**63 - 1  # SQL's bigint: no table holds a row past it
KEY_PREFIX = "_page_key_"


def _positive_int(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise bad_query(name, f"{name} must be a whole number of at least 1, not '{raw[:50]}'.")
    return int(raw)


def page_size(request) -> int:
    size = _positive_int(request, SIZE_PARAM, settings.API_PAGE_SIZE_DEFAULT)
    maximum = settings.API_PAGE_SIZE_MAX
    if size > maximum:
        raise ApiError(
            400,
            f"{SIZE_PARAM} may be at most {maximum}; {size} was asked.",
            parameter=SIZE_PARAM,
            meta={"page": {"maxSize": maximum}},
            links={"type": ERROR_TYPES["max-size"]},
        )
    return size


def wants_cursor_profile(request) -> bool:
    """True when ``Accept`` asks for the cursor profile (``profile="<uri> …"``)."""
    accept = request.META.get("HTTP_ACCEPT", "")
    wanted = PROFILE.rstrip("/").split("://", 1)[1]
    for entry in accept.split(","):
        for param in entry.split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() != "profile":
                continue
            for uri in value.strip().strip('"').split():
                if uri.rstrip("/").split("://", 1)[-1] == wanted:
                    return True
    return False


# -- cursors --------------------------------------------------------------------------------


def _tag(value) -> list:
    """A sort key value as JSON (bool before int: a bool is an int)."""
    if value is None:
        return ["z"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, dt.time):
        return ["h", value.isoformat()]
    if isinstance(value, decimal.Decimal):
        return ["n", str(value)]
    if isinstance(value, float):
        return ["f", value]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    raise ApiError(
        400,
        f"This order cannot be paginated with cursors (a {type(value).__name__} key).",
        parameter="sort",
        links={"type": ERROR_TYPES["sort"]},
    )


def _untag(item):
    kind, *rest = item
    readers = {
        "z": lambda: None,
        "b": lambda: bool(rest[0]),
        "i": lambda: int(rest[0]),
        "s": lambda: str(rest[0]),
        "t": lambda: dt.datetime.fromisoformat(rest[0]),
        "d": lambda: dt.date.fromisoformat(rest[0]),
        "h": lambda: dt.time.fromisoformat(rest[0]),
        "n": lambda: decimal.Decimal(rest[0]),
        "f": lambda: float(rest[0]),
        "u": lambda: uuid.UUID(rest[0]),
    }
    return readers[kind]()


def encode_cursor(order: str, values: list) -> str:
    return signing.dumps({"o": order, "k": [_tag(v) for v in values]}, salt=CURSOR_SALT)


def decode_cursor(raw: str, param: str, order: str) -> list | None:
    """The key values a cursor holds; ``None`` for the empty cursor (an end of the list)."""
    if raw == "":
        return None
    invalid = ApiError(
        400,
        f"{param} is not a cursor this list gave out; follow links.next / links.prev, or start "
        f"again with an empty {AFTER_PARAM}=.",
        parameter=param,
    )
    try:
        payload = signing.loads(raw, salt=CURSOR_SALT)
        if payload["o"] != order:
            raise ApiError(
                400,
                f"{param} was made for another sort order; start again without it.",
                parameter=param,
            )
        return [_untag(item) for item in payload["k"]]
    except ApiError:
        raise
    except Exception:  # noqa: BLE001 - anything unreadable is the same client error
        raise invalid from None


# -- the keyset order of a queryset ---------------------------------------------------------


class Ordering:
    """A queryset's order as ``(path, descending)`` terms ending in the primary key."""

    def __init__(self, queryset):
        terms = list(queryset.query.order_by) or list(queryset.model._meta.ordering) or ["pk"]
        pk_name = queryset.model._meta.pk.name
        self.terms: list[tuple[str, bool]] = []
        self.nullable: list[bool] = []
        for term in terms:
            path, descending = _term(term)
            if path is None:
                raise ApiError(
                    400,
                    "This order cannot be paginated with cursors.",
                    parameter="sort",
                    links={"type": ERROR_TYPES["sort"]},
                )
            path = "pk" if path in ("id", pk_name) else path
            self.terms.append((path, descending))
            self.nullable.append(path != "pk" and _nullable(queryset.model, path))
            if path == "pk":
                break
        if self.terms[-1][0] != "pk":
            self.terms.append(("pk", False))
            self.nullable.append(False)

    @property
    def signature(self) -> str:
        return ",".join(("-" if desc else "") + path for path, desc in self.terms)

    def aliases(self) -> list[str]:
        return [f"{KEY_PREFIX}{i}" for i in range(len(self.terms))]

    def apply(self, queryset, backward: bool):
        """Annotate the key values and order by them; NULL sorts as the greatest value."""
        names = self.aliases()
        queryset = queryset.annotate(
            **{name: F(path) for name, (path, _) in zip(names, self.terms, strict=True)}
        )
        order = [order_term(path, desc != backward) for path, desc in self.terms]
        return queryset.order_by(*order)

    def beyond(self, values: list, backward: bool) -> Q:
        """Rows strictly after ``values`` in the list's order (before it when ``backward``)."""
        condition = Q(pk__in=[])
        equal = Q()
        keys = zip(self.aliases(), self.terms, self.nullable, values, strict=True)
        for name, (_, desc), nullable, value in keys:
            greater = desc == backward  # moving towards greater values on this key
            if not nullable:  # a plain range on the key, which an index serves
                step = Q(**{f"{name}__gt" if greater else f"{name}__lt": value})
                same = Q(**{name: value})
            elif value is None:
                step = None if greater else Q(**{f"{name}__isnull": False})
                same = Q(**{f"{name}__isnull": True})
            else:
                step = (
                    Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})
                    if greater
                    else Q(**{f"{name}__lt": value})
                )
                same = Q(**{name: value})
            if step is not None:
                condition |= equal & step
            equal &= same
        return condition

    def key_of(self, row) -> list:
        return [getattr(row, name) for name in self.aliases()]


def _nullable(model, path: str) -> bool:
    """Whether a sort path may hold NULL (an annotation or a related path: assume so)."""
    try:
        field = model._meta.get_field(path)
    except Exception:  # noqa: BLE001 - not a plain field of this model
        return True
    return bool(getattr(field, "null", True))


def _term(term) -> tuple[str | None, bool]:
    """``"-name"`` or ``F("name").desc(…)`` as ``("name", True)``; ``(None, …)`` otherwise."""
    if isinstance(term, str):
        return (None, False) if term == "?" else (term.lstrip("-"), term.startswith("-"))
    if isinstance(term, OrderBy) and isinstance(term.expression, F):
        return term.expression.name, term.descending
    return None, False


# -- the paginator --------------------------------------------------------------------------


class JsonApiPagination(BasePagination):
    """Page numbers unless a cursor (or the cursor profile) is asked for."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        after, before = params.get(AFTER_PARAM), params.get(BEFORE_PARAM)
        self.cursor_mode = after is not None or before is not None or wants_cursor_profile(request)
        if self.cursor_mode and NUMBER_PARAM in params:
            raise bad_query(
                NUMBER_PARAM,
                f"{NUMBER_PARAM} cannot be combined with {AFTER_PARAM} / {BEFORE_PARAM}.",
            )
        if self.cursor_mode:
            return self._cursor_page(queryset, after, before)
        return self._numbered_page(queryset)

    # -- page numbers ---------------------------------------------------------------------

    def _numbered_page(self, queryset):
        self.size = page_size(self.request)
        self.number = _positive_int(self.request, NUMBER_PARAM, 1)
        self.count, self.estimated = self._total(queryset)
        self.last = max(1, math.ceil(self.count / self.size))
        offset = (self.number - 1) * self.size
        if self.number > self.last and (not self.estimated or offset + self.size > MAX_OFFSET):
            return []
        if not hasattr(queryset, "query") or offset < DEEP_OFFSET:
            return list(queryset[offset : offset + self.size])
        # Deep: the ids alone walk the order's index, then only a page of rows is read.
        ids = list(
            queryset.select_related(None)
            .prefetch_related(None)
            .values_list("pk", flat=True)[offset : offset + self.size]
        )
        return list(queryset.filter(pk__in=ids)) if ids else []

    def _total(self, queryset) -> tuple[int, bool]:
        """Exact up to the limit; beyond it the planner's estimate on PostgreSQL."""
        if not hasattr(queryset, "query"):  # a computed sequence knows its length
            return len(queryset), False
        limit = settings.API_EXACT_COUNT_LIMIT
        capped = queryset.order_by()[: limit + 1].count()
        if capped <= limit:
            return capped, False
        estimate = _planner_estimate(queryset)
        if estimate is None:
            return queryset.count(), False
        return max(estimate, limit + 1), True

    def _link(self, **page) -> str:
        """This request's URL with its ``page[…]`` parameters replaced."""
        pairs = [
            (key, value)
            for key, values in self.request.query_params.lists()
            if not key.startswith("page[")
            for value in values
        ]
        pairs += [(f"page[{key}]", value) for key, value in page.items()]
        path = self.request.build_absolute_uri(self.request.path)
        return f"{path}?{urlencode(pairs)}"

    def _self_link(self) -> str:
        # Re-encoded so the brackets of page[…]/filter[…] make a valid URI.
        query = urlencode(list(self.request.query_params.lists()), doseq=True)
        path = self.request.build_absolute_uri(self.request.path)
        return f"{path}?{query}" if query else path

    def get_paginated_response(self, data):
        if self.cursor_mode:
            return Response({"results": data, "meta": self.cursor_meta, "links": self.links})
        links = {
            "self": self._self_link(),
            "first": self._link(number=1, size=self.size),
            "last": self._link(number=self.last, size=self.size),
        }
        if 1 < self.number <= self.last + 1:
            links["prev"] = self._link(number=min(self.number - 1, self.last), size=self.size)
        if self.number < self.last:
            links["next"] = self._link(number=self.number + 1, size=self.size)
        pagination = {"total_records": self.count, "page": self.number, "size": self.size}
        if self.estimated:
            pagination["estimated"] = True
        return Response({"results": data, "meta": {"pagination": pagination}, "links": links})

    # -- cursors ----------------------------------------------------------------------------

    def _cursor_page(self, queryset, after, before):
        ranged = after not in (None, "") and before not in (None, "")
        if ranged and SIZE_PARAM not in self.request.query_params:
            self.size = settings.API_PAGE_SIZE_MAX  # the profile's default for a range
        else:
            self.size = page_size(self.request)
        if hasattr(queryset, "query"):
            rows, key_of, order = self._keyset(queryset, after, before)
        else:
            rows, key_of, order = self._positions(queryset, after, before)
        self._cursor_links(rows, key_of, order, after, before)
        return rows

    def _keyset(self, queryset, after, before):
        ordering = Ordering(queryset)
        order = ordering.signature
        start = None if after is None else decode_cursor(after, AFTER_PARAM, order)
        end = None if before is None else decode_cursor(before, BEFORE_PARAM, order)
        backward = before is not None and after is None
        self.truncated = False
        queryset = ordering.apply(queryset, backward=backward)
        if start is not None:
            queryset = queryset.filter(ordering.beyond(start, backward=False))
        if end is not None:
            queryset = queryset.filter(ordering.beyond(end, backward=True))
        rows = list(queryset[: self.size + 1])
        self.more = len(rows) > self.size
        rows = rows[: self.size]
        if backward:
            rows.reverse()
        elif after is not None and before is not None:
            self.truncated = self.more
        return rows, ordering.key_of, order

    def _positions(self, sequence, after, before):
        """A computed list (availabilities, calendar days): a cursor is a position in it."""
        order = "position"
        start = None if after is None else decode_cursor(after, AFTER_PARAM, order)
        end = None if before is None else decode_cursor(before, BEFORE_PARAM, order)
        total = len(sequence)
        low = 0 if start is None else start[0] + 1
        high = total if end is None else end[0]
        backward = before is not None and after is None
        low, high = max(0, low), min(total, high)
        self.truncated = False
        if backward:
            first = max(low, high - self.size)
            self.more = first > low
            chosen = range(first, high)
        else:
            last = min(high, low + self.size)
            self.more = last < high
            chosen = range(low, last)
            self.truncated = after is not None and before is not None and self.more
        rows = list(sequence[chosen.start : chosen.stop]) if len(chosen) else []
        positions = iter(chosen)
        keys = {id(row): [next(positions)] for row in rows}
        return rows, lambda row: keys[id(row)], order

    def _cursor_links(self, rows, key_of, order, after, before):
        """``prev``/``next`` are null at an end of the list. A link may lead to an empty page
        only where the profile allows it: ``next`` of a page read backwards (or of a range),
        ``prev`` of a page read forwards."""
        size = self.size

        def link(**page):
            return self._link(**page, size=size)

        first = encode_cursor(order, key_of(rows[0])) if rows else None
        last = encode_cursor(order, key_of(rows[-1])) if rows else None
        if before is not None and after is None:  # backwards
            prev_url = link(before=first) if self.more else None
            # an empty page: nothing precedes the cursor, so the list starts there
            next_url = None if before == "" else link(after=last if rows else "")
        else:
            if before in (None, ""):
                next_url = link(after=last) if self.more else None
            else:  # a range: what follows it is not looked at
                next_url = link(after=last if rows else after or "")
            # an empty page: nothing follows the cursor up to `before` (or the end)
            prev_url = None if after in (None, "") else link(before=first if rows else before or "")
        self.links = {
            "self": self._self_link(),
            "first": link(after=""),
            "last": link(before=""),
            "prev": prev_url,
            "next": next_url,
        }
        page = {"size": size}
        if self.truncated:
            page["rangeTruncated"] = True
        self.cursor_meta = {"page": page}

    # -- the OpenAPI description (apps.core.openapi reads these) --------------------------------

    link_names = ("self", "first", "last", "prev", "next")
    nullable_links = ("prev", "next")  # null at an end of the list, in cursor mode

    def get_schema_operation_parameters(self, view):
        def parameter(name, schema, description):
            return {
                "name": name,
                "in": "query",
                "required": False,
                "schema": schema,
                "description": description,
            }

        return [
            parameter(
                NUMBER_PARAM,
                {"type": "integer", "minimum": 1, "default": 1},
                "Page number; a page past the last answers with empty data.",
            ),
            parameter(
                SIZE_PARAM,
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.API_PAGE_SIZE_MAX,
                    "default": settings.API_PAGE_SIZE_DEFAULT,
                },
                "Rows per page.",
            ),
            parameter(
                AFTER_PARAM,
                {"type": "string"},
                "Cursor pagination (JSON:API cursor pagination profile): the rows after this "
                "cursor, from links.next; empty for the first page.",
            ),
            parameter(
                BEFORE_PARAM,
                {"type": "string"},
                "Cursor pagination: the rows before this cursor, from links.prev; empty for "
                "the last page.",
            ),
        ]

    def get_meta_schema(self) -> dict:
        count = {"type": "integer", "minimum": 0}
        return {
            "type": "object",
            "properties": {
                "pagination": {
                    "type": "object",
                    "description": "Page-number pagination.",
                    "required": ["total_records", "page", "size"],
                    "properties": {
                        "total_records": count,
                        "page": count,
                        "size": count,
                        "estimated": {
                            "type": "boolean",
                            "description": "Present (true) when total_records is an estimate.",
                        },
                    },
                },
                "page": {
                    "type": "object",
                    "description": "Cursor pagination: the page size used, and rangeTruncated "
                    "when a page[after]..page[before] range held more rows than one page.",
                    "required": ["size"],
                    "properties": {"size": count, "rangeTruncated": {"type": "boolean"}},
                },
                "deleted_ids": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "With filter[updated_at]=a..b: ids of this type deleted then.",
                },
            },
        }


def _planner_estimate(queryset) -> int | None:
    """PostgreSQL's row estimate for the list's query (one EXPLAIN, no rows read)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
