"""Validation of the JSON:API query parameters: include, fields[…], sort, page[…], filter[…].

Unknown names are 400 ``FORBIDDEN_INPUT`` with ``source.parameter``; an include of a type the
credentials may not read is 403 ``FORBIDDEN_INCLUDE``.
"""

from __future__ import annotations

import re
from functools import cache

from rest_framework.settings import api_settings
from rest_framework_json_api.utils import get_resource_type_from_serializer

from apps.core.errors import ApiError, bad_query
from apps.core.scopes import read_scope_for_type

FIELDS_PARAM = re.compile(r"^fields\[(?P<type>[^\]]+)\]$")
COLLECTION_ONLY = {"sort", "page[number]", "page[size]", "page[after]", "page[before]"}
MAX_INCLUDE_DEPTH = 5
MAX_ID_DIGITS = 18  # a bigint holds every 18-digit number


def parse_id(raw) -> int | None:
    """A resource id from a path, query or document, or None when it cannot be one.

    ASCII digits only: ``str.isdigit`` also accepts "²" (which ``int`` refuses) and "١"
    (which ``int`` reads as 1).
    """
    text = str(raw)
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def _included(serializer_class) -> dict:
    return getattr(serializer_class, "included_serializers", None) or {}


@cache
def field_names(serializer_class) -> frozenset[str]:
    """Attribute and relationship names of a resource (what ``fields[type]`` may name)."""
    names = set(serializer_class().fields) - {api_settings.URL_FIELD_NAME, "id"}
    return frozenset(name for name in names if not name.startswith("_"))


@cache
def reachable_types(serializer_class) -> dict[str, type]:
    """Every resource type an endpoint can return, primary or included, with its serializer."""
    found = {get_resource_type_from_serializer(serializer_class): serializer_class}
    queue = [serializer_class]
    while queue:
        current = queue.pop()
        for child in _included(current).values():
            resource_type = get_resource_type_from_serializer(child)
            if resource_type not in found:
                found[resource_type] = child
                queue.append(child)
    return found


def include_paths(request) -> list[str]:
    raw = request.query_params.get("include")
    if raw is None:
        return []
    return [path.strip() for path in raw.split(",")]


def validate_include(request, serializer_class, granted: frozenset[str]) -> None:
    for path in include_paths(request):
        segments = path.split(".")
        if not path or any(not s for s in segments) or len(segments) > MAX_INCLUDE_DEPTH:
            raise bad_query("include", f"'{path}' is not a valid include path.")
        current = serializer_class
        for depth, segment in enumerate(segments):
            child = _included(current).get(segment)
            if child is None:
                where = ".".join(segments[:depth]) or get_resource_type_from_serializer(current)
                allowed = ", ".join(sorted(_included(current))) or "none"
                raise bad_query(
                    "include",
                    f"'{segment}' in include path '{path}' is not a relationship of {where} "
                    f"that can be included (can be: {allowed}).",
                )
            resource_type = get_resource_type_from_serializer(child)
            scope = read_scope_for_type(resource_type)
            if scope not in granted:
                raise ApiError(
                    403,
                    f"Including '{path}' needs the scope {scope}.",
                    code="FORBIDDEN_INCLUDE",
                    parameter="include",
                )
            current = child


def validate_fields(request, serializer_class) -> None:
    types = reachable_types(serializer_class)
    for key, value in request.query_params.items():
        match = FIELDS_PARAM.match(key)
        if not match:
            continue
        resource_type = match.group("type")
        if resource_type not in types:
            raise bad_query(key, f"'{resource_type}' is not a resource type of this endpoint.")
        requested = [name for name in value.split(",") if name]
        unknown = sorted(set(requested) - field_names(types[resource_type]))
        if unknown:
            raise bad_query(key, f"Unknown field(s) for {resource_type}: {', '.join(unknown)}.")


def validate_parameter_names(request, *, is_collection: bool, extra: tuple[str, ...]) -> None:
    for key in request.query_params:
        values = request.query_params.getlist(key)
        if key.startswith("filter["):
            continue  # the filter backend knows the names and reports its own errors
        if len(values) > 1:
            raise bad_query(key, f"'{key}' is given more than once.")
        if key in COLLECTION_ONLY:
            if not is_collection:
                raise bad_query(key, f"'{key}' applies to collections only.")
            continue
        if key == "include" or FIELDS_PARAM.match(key) or key in extra:
            continue
        raise bad_query(key, f"Unknown query parameter '{key}'.")
