"""``page[number]`` / ``page[size]`` with the vendor's ``meta.pagination`` (spec README §4)."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from apps.core.errors import bad_query

NUMBER_PARAM = "page[number]"
SIZE_PARAM = "page[size]"


def _positive_int(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise bad_query(name, f"{name} must be a whole number of at least 1, not '{raw[:50]}'.")
    return int(raw)


class JsonApiPagination(BasePagination):
    """A page past the last answers 200 with empty ``data`` and costs no row query."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = _positive_int(request, SIZE_PARAM, settings.API_PAGE_SIZE_DEFAULT)
        if self.size > settings.API_PAGE_SIZE_MAX:
            raise bad_query(
                SIZE_PARAM, f"{SIZE_PARAM} may be at most {settings.API_PAGE_SIZE_MAX}."
            )
        self.number = _positive_int(request, NUMBER_PARAM, 1)
        # A queryset, or a computed sequence (availabilities, the calendar-day grid).
        self.count = queryset.count() if hasattr(queryset, "query") else len(queryset)
        self.last = max(1, math.ceil(self.count / self.size))
        if self.number > self.last:
            return []
        offset = (self.number - 1) * self.size
        return list(queryset[offset : offset + self.size])

    def _self_link(self) -> str:
        # Re-encoded so the brackets of page[…]/filter[…] make a valid URI.
        query = urlencode(list(self.request.query_params.lists()), doseq=True)
        path = self.request.build_absolute_uri(self.request.path)
        return f"{path}?{query}" if query else path

    def _link(self, number: int) -> str:
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, SIZE_PARAM, self.size)
        return replace_query_param(url, NUMBER_PARAM, number)

    def get_paginated_response(self, data):
        links = {
            "self": self._self_link(),
            "first": self._link(1),
            "last": self._link(self.last),
        }
        if 1 < self.number <= self.last + 1:
            links["prev"] = self._link(min(self.number - 1, self.last))
        if self.number < self.last:
            links["next"] = self._link(self.number + 1)
        meta = {"pagination": {"total_records": self.count, "page": self.number, "size": self.size}}
        return Response({"results": data, "meta": meta, "links": links})

    def get_schema_operation_parameters(self, view):
        return []
