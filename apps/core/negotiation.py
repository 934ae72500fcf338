"""Content negotiation as JSON:API 1.1 §Content Negotiation words it.

* A request body must be ``application/vnd.api+json``; with media type parameters other than
  ``ext``/``profile``, or with an ``ext`` the endpoint does not support, the answer is 415. The
  resource endpoints support no extension; the operations endpoint supports, and requires, the
  Atomic Operations extension (``AtomicContentNegotiation``).
* ``Accept``: instances of the JSON:API media type with such parameters (or an unsupported
  ``ext``) are ignored; when every instance is so modified the answer is 406. ``*/*``,
  ``application/*``, ``application/json`` and a missing header all get the JSON:API document.
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


def _extensions(params: dict[str, str]) -> set[str]:
    """The ``ext`` parameter's URIs (a space-separated list)."""
    return set(params.get("ext", "").split())


class JsonApiContentNegotiation(BaseContentNegotiation):
    #: extension URIs this endpoint applies (``ext`` in Content-Type and Accept)
    extensions: frozenset[str] = frozenset()
    #: the Content-Type this endpoint's request bodies must have
    request_media_type = JSONAPI_MEDIA_TYPE

    def _instance_usable(self, params: dict[str, str]) -> bool:
        params = {k: v for k, v in params.items() if k != "q"}
        return set(params) <= {"profile", "ext"} and _extensions(params) <= self.extensions

    def content_type_check(self, request) -> bool:
        """True for a JSON:API body this endpoint takes, False for another media type; a 415
        for the JSON:API media type with parameters or extensions it does not support."""
        content_type = request.META.get("CONTENT_TYPE", "")
        entries = _split(content_type)
        if not entries or entries[0][0] != JSONAPI_MEDIA_TYPE:
            return False
        params = entries[0][1]
        if set(params) - {"profile", "ext"} or _extensions(params) != set(self.extensions):
            raise exceptions.UnsupportedMediaType(
                content_type,
                detail=(
                    f"Content-Type '{content_type}' carries media type parameters this "
                    f"endpoint does not support; send '{self.request_media_type}'."
                ),
            )
        return True

    def select_parser(self, request, parsers):
        return parsers[0] if self.content_type_check(request) else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        accept = request.META.get("HTTP_ACCEPT", "")
        entries = _split(accept)
        if not entries:
            return renderer, renderer.media_type
        jsonapi = [params for media_type, params in entries if media_type == JSONAPI_MEDIA_TYPE]
        if jsonapi:
            if any(self._instance_usable(params) for params in jsonapi):
                return renderer, renderer.media_type
            raise exceptions.NotAcceptable(
                f"Every '{JSONAPI_MEDIA_TYPE}' in Accept carries media type parameters "
                "this server does not support."
            )
        if any(media_type in ACCEPTABLE_FALLBACKS for media_type, _ in entries):
            return renderer, renderer.media_type
        raise exceptions.NotAcceptable(f"This API only serves '{JSONAPI_MEDIA_TYPE}'.")
