"""``POST /v3/administrations/{id}/operations``: JSON:API Atomic Operations."""

from __future__ import annotations

import orjson
from django.conf import settings
from rest_framework import exceptions
from rest_framework.response import Response

from apps.core.errors import JSONAPI_MEDIA_TYPE, ApiError, bad_query
from apps.core.negotiation import JsonApiContentNegotiation
from apps.core.operations.document import Operation, operations_read
from apps.core.operations.engine import OperationFailed, operations_run
from apps.core.operations.schema import OperationsAutoSchema
from apps.core.parsers import MAX_DEPTH, check_values, decode
from apps.core.rendering import JsonApiRenderer, _fallback
from apps.core.scopes import scopes_for_action
from apps.core.views import ResourceViewSet

ATOMIC_EXTENSION = "https://jsonapi.org/ext/atomic"
ATOMIC_MEDIA_TYPE = f'{JSONAPI_MEDIA_TYPE}; ext="{ATOMIC_EXTENSION}"'
RESULTS = "atomic:results"


class AtomicContentNegotiation(JsonApiContentNegotiation):
    extensions = frozenset({ATOMIC_EXTENSION})
    request_media_type = ATOMIC_MEDIA_TYPE


class AtomicRenderer(JsonApiRenderer):
    """Results as the engine built them; errors as everywhere else. Every answer names the
    extension in its Content-Type, as JSON:API asks of a server that applied one."""

    media_type = ATOMIC_MEDIA_TYPE

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if (
            isinstance(data, dict)
            and RESULTS in data
            and (response is None or response.status_code < 400)
        ):
            return orjson.dumps(data, default=_fallback, option=orjson.OPT_PASSTHROUGH_DATETIME)
        return super().render(data, accepted_media_type, renderer_context)


def _may_nest_too_deep(document) -> bool:
    """Whether ``check_values`` could refuse the document for its depth: a walk of its
    containers alone. (A NUL can only come from a ``\\u0000`` escape in the body, since JSON
    strings hold no raw control characters; the caller looks for that in the bytes.) Thousands
    of operations hold hundreds of thousands of values, each of which ``check_values`` gives a
    pointer on the way."""
    stack = [(document, 0)] if isinstance(document, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return True
        for value in node.values() if isinstance(node, dict) else node:
            if isinstance(value, dict | list):
                stack.append((value, depth + 1))
    return False


class OperationsViewSet(ResourceViewSet):
    """Adds, updates and removes resources of several types in one all-or-nothing request.

    The body is ``{"atomic:operations": [...]}`` with ``op`` ``add`` / ``update`` / ``remove``,
    targets in ``ref`` (``type`` and ``id`` or ``lid``) or ``data``, and ``lid`` on added
    resources so later operations can name them (in ``ref``, ``data.lid`` and relationship
    linkage). Each operation is validated by its resource's serializer and written by its
    services, as the single-resource endpoints do; each needs that resource's write scope
    (``|delete`` for remove where it exists). The answer lists one result per operation, in
    order: the resource as its own endpoint renders it, ``{}`` for a remove. The first failure
    rolls everything back; its errors point at ``/atomic:operations/N/…``.
    """

    renderer_classes = (AtomicRenderer,)
    parser_classes = ()
    content_negotiation_class = AtomicContentNegotiation
    filter_backends = ()
    pagination_class = None
    schema = OperationsAutoSchema()
    http_method_names = ["post"]

    def required_scopes(self, action: str) -> tuple[str, ...]:
        return ()  # each operation's own, checked once the document is read

    def validate_query(self, request) -> None:
        """No query parameters; then the Content-Type (415) and the body (413), read here so
        that the body limit of this endpoint applies before anything else reads it."""
        for key in request.query_params:
            raise bad_query(key, f"Unknown query parameter '{key}'.")
        if not self.get_content_negotiator().content_type_check(request):
            content_type = request.META.get("CONTENT_TYPE", "")
            raise exceptions.UnsupportedMediaType(
                content_type, detail=f"Send the operations as '{ATOMIC_MEDIA_TYPE}'."
            )
        limit = settings.OPERATIONS_MAX_BODY_BYTES
        django_request = request._request
        body = django_request.read(limit + 1)
        if len(body) > limit:
            raise ApiError(
                413,
                f"The request body is larger than the limit of {limit} bytes for operations.",
                meta={"max_body_bytes": limit},
            )
        django_request._body = body

    def create(self, request, *args, **kwargs):
        body = request._request.body
        document = decode(body)
        if b"\\u0000" in body or _may_nest_too_deep(document):
            check_values(document)  # the exact problem, with its pointer
        operations = operations_read(document)
        self.check_operation_scopes(operations)
        try:
            results = operations_run(view=self, operations=operations)
        except OperationFailed as failure:
            raise failure.error from None
        return Response({RESULTS: results})

    def check_operation_scopes(self, operations: list[Operation]) -> None:
        """403 naming the first operation whose type the credentials may not write."""
        for operation in operations:
            handler = operation.handler
            action = "delete" if operation.op == "remove" else "write"
            required = scopes_for_action(handler.scope_resource or handler.resource_type, action)
            if not self.granted_scopes.intersection(required):
                raise ApiError(
                    403,
                    f"Operation {operation.index} ({operation.op} {operation.resource_type}): "
                    "the scopes for your application do not grant you permission to perform "
                    f"this action. One of the following scopes is required: {', '.join(required)}.",
                    code="NO_VALID_SCOPE",
                    pointer=operation.pointer,
                )
