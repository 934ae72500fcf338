"""The OpenAPI 3 document, generated from the router, serializers, filter sets and scopes.

Nothing here is written by hand per endpoint: a new resource appears in ``/v3/oas3.json`` as
soon as its viewset is registered.
"""

from __future__ import annotations

import re
from functools import cache

from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework_json_api.utils import get_resource_type_from_serializer

from apps.core import query
from apps.core.localization import LOCALES
from apps.core.permissions import ACTION_BY_METHOD
from apps.core.scopes import SCOPES
from apps.core.serializers import LocaleListField, LocalizedField, SelfLinkField

ERROR_STATUSES = {
    "400": "Malformed request or query (FORBIDDEN_INPUT)",
    "401": "Missing or invalid credentials (UNAUTHORIZED)",
    "403": "Missing scope, forbidden include or halted app",
    "404": "No such resource in this administration (RESOURCE_NOT_FOUND)",
    "406": "Not acceptable (NOT_ACCEPTABLE)",
    "409": "Conflict (CONFLICT)",
    "415": "Unsupported media type (UNSUPPORTED_MEDIA_TYPE)",
    "422": "Validation failed (VALIDATION_FAILED, INVALID_STATE_TRANSITION)",
    "414": "Request line too long (URI_TOO_LONG)",
    "429": "Rate limited (RATE_LIMITED), see Retry-After",
    "503": "Database or another backing service unavailable (SERVICE_UNAVAILABLE), see Retry-After",
}
# Only where a body is read (POST and PATCH; an Idempotency-Key POST hashes its body).
BODY_ERROR_STATUSES = {"413": "Body over the upload limit (PAYLOAD_TOO_LARGE)"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


def error_responses(method: str) -> dict:
    """The error statuses every operation may answer, each a JSON:API error document."""
    statuses = dict(ERROR_STATUSES)
    if method in ("post", "patch"):
        statuses.update(BODY_ERROR_STATUSES)
    responses = {}
    for status, text in sorted(statuses.items()):
        response = {
            "description": text,
            "content": {JSONAPI: {"schema": {"$ref": "#/components/schemas/Errors"}}},
        }
        if status in ("429", "503"):
            response["headers"] = dict(RETRY_AFTER)
        responses[status] = response
    return responses


ACTION_METHODS = {
    "list": ("get", "read"),
    "retrieve": ("get", "read"),
    "create": ("post", "write"),
    "partial_update": ("patch", "write"),
    "destroy": ("delete", "delete"),
}
JSONAPI = "application/vnd.api+json"


def _field_schema(field) -> dict:
    if isinstance(field, LocalizedField):
        value = {"type": "array", "items": {"type": "string"}} if field.many else {"type": "string"}
        return {
            "type": "object",
            "description": "Localized: keyed by locale, limited by Accept-Language.",
            "properties": {loc: value for loc in LOCALES},
            "additionalProperties": False,
        }
    if isinstance(field, LocaleListField):
        return {"type": "array", "items": {"type": "string", "enum": list(LOCALES)}}
    if isinstance(field, drf_fields.ChoiceField):
        return {"type": "string", "enum": [str(c) for c in field.choices]}
    simple = [
        (drf_fields.BooleanField, {"type": "boolean"}),
        (drf_fields.IntegerField, {"type": "integer"}),
        (drf_fields.FloatField, {"type": "number"}),
        (drf_fields.DecimalField, {"type": "string", "format": "decimal"}),
        (drf_fields.DateTimeField, {"type": "string", "format": "date-time"}),
        (drf_fields.DateField, {"type": "string", "format": "date"}),
        (drf_fields.TimeField, {"type": "string", "format": "time"}),
        (drf_fields.URLField, {"type": "string", "format": "uri"}),
        (drf_fields.EmailField, {"type": "string", "format": "email"}),
        (drf_fields.ListField, {"type": "array", "items": {}}),
        (drf_fields.DictField, {"type": "object"}),
        (drf_fields.JSONField, {}),
        (drf_fields.CharField, {"type": "string"}),
    ]
    for cls, schema in simple:
        if isinstance(field, cls):
            return dict(schema)
    return {}


def _is_relationship(field) -> bool:
    return isinstance(field, (relations.RelatedField, relations.ManyRelatedField))


def _linkage(field) -> dict:
    identifier = {
        "type": "object",
        "required": ["type", "id"],
        "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
    }
    if isinstance(field, relations.ManyRelatedField):
        data = {"type": "array", "items": identifier}
    else:
        data = {**identifier, "nullable": True}
    return {"type": "object", "properties": {"data": data}}


@cache
def _resource_schema(serializer_class, writable: bool) -> dict:
    serializer = serializer_class()
    attributes, relationships = {}, {}
    for name, field in serializer.fields.items():
        if isinstance(field, SelfLinkField) or name == "id":
            continue
        if writable and field.read_only:
            continue
        if not writable and field.write_only:
            continue
        target = relationships if _is_relationship(field) else attributes
        schema = _linkage(field) if _is_relationship(field) else _field_schema(field)
        if field.read_only and not writable:
            schema["readOnly"] = True
        if field.help_text:
            schema["description"] = str(field.help_text)
        target[name] = schema
    resource_type = get_resource_type_from_serializer(serializer_class)
    properties = {
        "type": {"type": "string", "enum": [resource_type]},
        "id": {"type": "string"},
        "attributes": {"type": "object", "properties": attributes},
    }
    if relationships:
        properties["relationships"] = {"type": "object", "properties": relationships}
    if not writable:
        properties["links"] = {"type": "object", "properties": {"self": {"type": "string"}}}
    return {"type": "object", "required": ["type"], "properties": properties}


def _filter_parameters(viewset) -> list[dict]:
    filterset = getattr(viewset, "filterset_class", None)
    filters = filterset.base_filters if filterset else {}
    return [
        {
            "name": f"filter[{name}]",
            "in": "query",
            "required": bool(filter_.extra.get("required")),
            "schema": {"type": "string"},
            "description": filter_.extra.get("help_text")
            or (
                f"Filter on {name} ({filter_.kind}): `term`, `~term` (contains), `a,b` (any of), "
                "`a..b` (between; `a..`, `..b`), `!` inverts; `filter[a|b]` ORs attributes."
            ),
        }
        for name, filter_ in filters.items()
    ]


def _read_parameters(viewset, collection: bool) -> list[dict]:
    serializer_class = viewset.serializer_class
    params = [
        {
            "name": "include",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "Comma-separated relationship paths: "
            + (", ".join(sorted(_include_paths(serializer_class))) or "none"),
        }
    ]
    for resource_type, cls in sorted(query.reachable_types(serializer_class).items()):
        params.append(
            {
                "name": f"fields[{resource_type}]",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Sparse fieldset: " + ", ".join(sorted(query.field_names(cls))),
            }
        )
    params += _filter_parameters(viewset)
    if collection:
        sortable = ["id", *sorted(viewset().get_sort_fields())]
        params += [
            {
                "name": "page[number]",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": "page[size]",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 30},
            },
            {
                "name": "page[after]",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Cursor pagination (JSON:API cursor pagination profile): the "
                "rows after this cursor, from links.next; empty for the first page.",
            },
            {
                "name": "page[before]",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Cursor pagination: the rows before this cursor, from "
                "links.prev; empty for the last page.",
            },
            {
                "name": "sort",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Comma-separated, '-' for descending: " + ", ".join(sortable),
            },
        ]
    for extra in viewset.extra_query_params:
        params.append(
            {"name": extra, "in": "query", "required": False, "schema": {"type": "string"}}
        )
    return params


def _include_paths(serializer_class, prefix: str = "", depth: int = 0) -> set[str]:
    paths: set[str] = set()
    if depth >= 3:
        return paths
    for name, child in (getattr(serializer_class, "included_serializers", None) or {}).items():
        path = f"{prefix}{name}"
        paths.add(path)
        paths |= _include_paths(child, f"{path}.", depth + 1)
    return paths


def _document_schema(ref: str, many: bool) -> dict:
    data = {"type": "array", "items": {"$ref": ref}} if many else {"$ref": ref}
    props = {"data": data, "included": {"type": "array", "items": {"type": "object"}}}
    if many:
        props["links"] = {"type": "object"}
        props["meta"] = {"$ref": "#/components/schemas/PaginationMeta"}
    return {"type": "object", "properties": props}


def _view(viewset, action: str):
    """The viewset as a request for ``action`` would see it (per-action scopes, serializers)."""
    view = viewset()
    view.action = action
    view.kwargs = {}
    view.request = None
    return view


def _operation(viewset, action, path_params, resource_type, basename, method) -> tuple[str, dict]:
    scope_action = ACTION_BY_METHOD[method.upper()]
    scopes = list(_view(viewset, action).required_scopes(scope_action))
    kind = (
        action
        if action in ACTION_METHODS
        else {"patch": "partial_update", "post": "create"}.get(method, "retrieve")
    )
    ref = f"#/components/schemas/{resource_type}"
    params = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in path_params
    ]
    params.append(
        {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "example": "en,nl",
        }
    )
    if kind in ("list", "retrieve") and action in ACTION_METHODS:
        params += _read_parameters(viewset, collection=kind == "list")
    op = {
        "operationId": f"{basename}_{action}",
        "tags": [basename],
        "summary": f"{action.replace('_', ' ').capitalize()} {basename.replace('_', ' ')}",
        "description": f"Needs one of the scopes: {', '.join(scopes)}.",
        "parameters": params,
        "security": [{"ApiKey": []}, {"OAuth2": scopes}],
        "responses": error_responses(method),
    }
    if kind == "destroy":
        op["responses"]["204"] = {"description": "Deleted"}
    else:
        status = "201" if action == "create" else "200"
        schema = _document_schema(ref, many=kind == "list")
        op["responses"][status] = {"description": "OK", "content": {JSONAPI: {"schema": schema}}}
    if kind in ("create", "partial_update"):
        body = {
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"$ref": f"#/components/schemas/{resource_type}_input"}},
        }
        op["requestBody"] = {"required": True, "content": {JSONAPI: {"schema": body}}}
    return method, op


def _routes(router):
    for prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            url = route.url.replace("{prefix}", prefix).replace("{trailing_slash}", "")
            url = url.replace("{lookup}", "{id}").strip("^$")
            url = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", url)
            for http_method, action in route.mapping.items():
                if hasattr(viewset, action) and http_method in viewset.http_method_names:
                    yield f"/v3/{url}", viewset, action, basename, http_method


def build_document(*, router, subscription_serializer, events: dict, base_url: str = "") -> dict:
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {
        "Errors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "string"},
                            "code": {"type": "string"},
                            "title": {"type": "string"},
                            "detail": {"type": "string"},
                            "source": {
                                "type": "object",
                                "properties": {
                                    "pointer": {"type": "string"},
                                    "parameter": {"type": "string"},
                                },
                            },
                        },
                    },
                }
            },
        },
        "PaginationMeta": {
            "type": "object",
            "properties": {
                "pagination": {
                    "type": "object",
                    "properties": {
                        "total_records": {"type": "integer"},
                        "page": {"type": "integer"},
                        "size": {"type": "integer"},
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
                    "properties": {
                        "size": {"type": "integer"},
                        "rangeTruncated": {"type": "boolean"},
                    },
                },
            },
        },
    }
    for url, viewset, action, basename, method in _routes(router):
        serializer_class = _view(viewset, action).get_serializer_class()
        resource_type = get_resource_type_from_serializer(serializer_class)
        schemas.setdefault(resource_type, _resource_schema(serializer_class, writable=False))
        schemas.setdefault(
            f"{resource_type}_input", _resource_schema(serializer_class, writable=True)
        )
        for cls in query.reachable_types(serializer_class).values():
            schemas.setdefault(get_resource_type_from_serializer(cls), _resource_schema(cls, False))
        path_params = re.findall(r"{(\w+)}", url)
        method, op = _operation(viewset, action, path_params, resource_type, basename, method)
        paths.setdefault(url, {})[method] = op
    schemas.setdefault("subscription", _resource_schema(subscription_serializer, writable=False))
    paths["/v3/subscription"] = {
        "get": {
            "operationId": "subscription_retrieve",
            "tags": ["subscription"],
            "summary": "What the calling credentials were granted",
            "description": "Any valid credential: its app, administrations and the scopes in each.",
            "parameters": [
                {
                    "name": "include",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "administrations",
                }
            ],
            "security": [{"ApiKey": []}, {"OAuth2": []}],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        JSONAPI: {
                            "schema": _document_schema(
                                "#/components/schemas/subscription", many=False
                            )
                        }
                    },
                },
                **{
                    status: response
                    for status, response in error_responses("get").items()
                    if status in ("400", "401", "406", "414", "429", "503")
                },
            },
        }
    }

    event_list = "\n".join(f"- `{name}`: {text}" for name, text in events.items())
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Holiday park booking API",
            "version": "3",
            "description": (
                "JSON:API 1.1 in the style of the Booking Experts API v3.\n\n"
                "Webhook events (subscribe with a webhook_endpoint; `*` for all):\n" + event_list
            ),
        },
        "x-webhook-events": dict(events),
        "servers": [{"url": base_url or "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"},
                "OAuth2": {
                    "type": "oauth2",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": "/oauth/authorize",
                            "tokenUrl": "/oauth/token",
                            "refreshUrl": "/oauth/token",
                            "scopes": dict(SCOPES),
                        },
                        "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": dict(SCOPES)},
                    },
                },
            },
        },
    }
