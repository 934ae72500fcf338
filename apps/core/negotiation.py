"""Content negotiation as JSON:API 1.1 §Content Negotiation words it.

* A request body must be ``application/vnd.api+json``; with media type parameters other than
  ``ext``/``profile``, or with an ``ext`` we do not support (we support none), the answer is 415.
* ``Accept``: instances of the JSON:API media type with such parameters are ignored; when every
  instance is so modified the answer is 406. ``*/*``, ``application/*``, ``application/json`` and
  a missing header all get the JSON:API document.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation

from apps.core.errors import JSONAPI_MEDIA_TYPE

ACCEPTABLE_FALLBACKS = {"*/*", "application/*", "application/json"}


def _split(header: str) -> list[tuple[str, dict[str, str]]]:
    """``'a/b; x=1, c/d'`` → ``[('a/b', {'x': '1'}), ('c/d', {})]`` (lower-cased types)."""
    entries = []
    for raw in header.split(","):
        parts = [p.strip() for p in raw.split(";")]
        if not parts[0]:
            continue
        params = {}
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key:
                params[key.strip().lower()] = value.strip().strip('"')
        entries.append((parts[0].lower(), params))
    return entries


def _jsonapi_instance_usable(params: dict[str, str]) -> bool:
    params = {k: v for k, v in params.items() if k != "q"}
    return set(params) <= {"profile"}  # no extensions are supported, profiles are ignored


class JsonApiContentNegotiation(BaseContentNegotiation):
    def select_parser(self, request, parsers):
        content_type = request.META.get("CONTENT_TYPE", "")
        entries = _split(content_type)
        if not entries:
            return None
        media_type, params = entries[0]
        if media_type != JSONAPI_MEDIA_TYPE:
            return None
        if set(params) - {"profile"}:
            raise exceptions.UnsupportedMediaType(
                content_type,
                detail=(
                    f"Content-Type '{content_type}' carries media type parameters this server "
                    f"does not support; send '{JSONAPI_MEDIA_TYPE}'."
                ),
            )
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        accept = request.META.get("HTTP_ACCEPT", "")
        entries = _split(accept)
        if not entries:
            return renderer, renderer.media_type
        jsonapi = [params for media_type, params in entries if media_type == JSONAPI_MEDIA_TYPE]
        if jsonapi:
            if any(_jsonapi_instance_usable(params) for params in jsonapi):
                return renderer, renderer.media_type
            raise exceptions.NotAcceptable(
                f"Every '{JSONAPI_MEDIA_TYPE}' in Accept carries media type parameters "
                "this server does not support."
            )
        if any(media_type in ACCEPTABLE_FALLBACKS for media_type, _ in entries):
            return renderer, renderer.media_type
        raise exceptions.NotAcceptable(f"This API only serves '{JSONAPI_MEDIA_TYPE}'.")
