"""The operations endpoint in ``/v3/oas3.json``: its request and results documents, built from
the registered handlers (the resource objects are the ones their own endpoints document)."""

from __future__ import annotations

from django.conf import settings

from apps.core.openapi import JSONAPI, ApiAutoSchema, error_responses
from apps.core.operations.registry import operation_handlers
from apps.core.scopes import scopes_for_action

ATOMIC = f'{JSONAPI}; ext="https://jsonapi.org/ext/atomic"'
IDENTITY = {
    "id": {"type": "string"},
    "lid": {"type": "string", "description": "A local id introduced by an earlier add."},
}


class OperationsAutoSchema(ApiAutoSchema):
    def _get_serializer(self):
        return None  # the documents are described below, not by one resource's serializer

    def get_operation_id(self) -> str:
        return "operations_create"

    def get_tags(self) -> list[str]:
        return ["operations"]

    def get_summary(self) -> str:
        return "Run atomic operations"

    def _scopes(self) -> list[str]:
        scopes = []
        for handler in operation_handlers().values():
            resource = handler.scope_resource or handler.resource_type
            for action in ("write", "delete"):
                scopes.extend(s for s in scopes_for_action(resource, action) if s not in scopes)
        return scopes

    def get_description(self) -> str:
        limit = settings.OPERATIONS_MAX_OPERATIONS
        types = ", ".join(f"`{name}`" for name in operation_handlers())
        return (
            'JSON:API Atomic Operations (`ext="https://jsonapi.org/ext/atomic"`): `add`, '
            "`update` and `remove` of resources, in order, all in one transaction: all succeed "
            "or nothing is written. Added resources may carry a `lid` that later operations "
            "use in `ref`, in `data.lid` and in relationship linkage. Each result is the "
            "resource as its own endpoint renders it, `{}` for a remove. Errors point at "
            "`/atomic:operations/N/…`. `href` and relationship operations are not supported."
            f"\n\nTypes: {types}. At most {limit} operations and "
            f"{settings.OPERATIONS_MAX_BODY_BYTES} bytes per request (413 beyond, with the "
            "limit in `meta`). Each operation needs its type's write scope (`|delete` for a "
            "remove where that scope exists); `Idempotency-Key` makes a retry safe."
            f"\n\nNeeds, per operation, one of the scopes: {', '.join(self._scopes())}."
        )

    def _get_request_body(self, direction="request"):
        return {
            "required": True,
            "content": {ATOMIC: {"schema": self._request_document()}},
        }

    def _request_document(self) -> dict:
        ref = {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": list(operation_handlers())},
                **IDENTITY,
            },
        }
        operation = {
            "type": "object",
            "required": ["op"],
            "properties": {
                "op": {"type": "string", "enum": ["add", "update", "remove"]},
                "ref": ref,
                "data": {
                    "description": "The resource object (add, update): the `data` member of "
                    "the type's own create or update request, with `lid` where wanted.",
                    "type": "object",
                    "properties": {"type": {"type": "string"}, **IDENTITY},
                    "additionalProperties": True,
                },
            },
        }
        return {
            "type": "object",
            "required": ["atomic:operations"],
            "properties": {
                "atomic:operations": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": settings.OPERATIONS_MAX_OPERATIONS,
                    "items": operation,
                }
            },
        }

    def _get_response_bodies(self, direction="response"):
        responses = error_responses("post", True)
        for response in responses.values():
            response["content"] = {ATOMIC: response["content"][JSONAPI]}
        data = [
            self._resource_ref(handler.serializer_class, "response")
            for handler in operation_handlers().values()
        ]
        result = {
            "type": "object",
            "properties": {"data": {"oneOf": data} if data else {"type": "object"}},
            "additionalProperties": False,
            "description": "The resource after its operation; `{}` for a remove.",
        }
        document = {
            "type": "object",
            "required": ["atomic:results"],
            "properties": {"atomic:results": {"type": "array", "items": result}},
            "additionalProperties": False,
        }
        responses["200"] = {
            "description": "Every operation succeeded, results in order",
            "content": {ATOMIC: {"schema": document}},
        }
        return dict(sorted(responses.items()))
