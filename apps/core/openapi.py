"""The OpenAPI 3 document: drf-spectacular with its JSON:API extension, plus what they lack.

drf-spectacular walks the URL conf and the serializers; drf-spectacular-jsonapi turns each
serializer into a JSON:API resource object (attributes and relationships). What this module adds:

- the JSON:API document around the data: typed ``included``, ``links`` and ``meta``;
- relationships as the renderer sends them (nullable ``data``, ``meta.count`` on to-many);
- the vendor's query parameters: filters (see ``VendorFilterExtension``), ``sort``,
  ``page[…]``, ``include`` paths and ``fields[type]`` for every reachable type;
- side-posting (``included`` with ``meta.temp_id`` / ``meta.method``) on the views that read it;
- the error document and every status the server itself can send (limits, outages);
- localized attributes, money objects and UTC times;
- ``x-enum-varnames`` where enum values do not make distinct identifiers (``A+++`` …).

Nothing is written per endpoint: a registered viewset appears in ``/v3/oas3.json`` as is.
"""

from __future__ import annotations

import copy
import re

from django.db import models as dj_models
from drf_spectacular.extensions import OpenApiFilterExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_parameter_type
from drf_spectacular_jsonapi.schemas.converters import JsonApiResourceObject
from drf_spectacular_jsonapi.schemas.openapi import JsonApiAutoSchema
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework_json_api.utils import (
    get_related_resource_type,
    get_resource_type_from_serializer,
)

from apps.core import query
from apps.core.localization import LOCALES
from apps.core.permissions import ACTION_BY_METHOD
from apps.core.scopes import SCOPES
from apps.core.serializers import OptionalOneRelationship, UnmodelledRelationship

JSONAPI = "application/vnd.api+json"
META_ONLY = {
    "type": "object",
    "required": ["meta"],
    "properties": {"meta": {"type": "object", "additionalProperties": True}},
}
ERRORS_REF = {"$ref": "#/components/schemas/Errors"}
LINK = {"type": "string", "format": "uri"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}

# (status, description, applies to the operation?) — the operation as (method, has a path id).
ERROR_STATUSES = [
    ("400", "Malformed request or query (FORBIDDEN_INPUT)", lambda m, p: True),
    ("401", "Missing or invalid credentials (UNAUTHORIZED)", lambda m, p: True),
    ("403", "Missing scope, forbidden include or halted app (FORBIDDEN)", lambda m, p: True),
    (
        "404",
        "No such resource in this administration (RESOURCE_NOT_FOUND)",
        lambda m, p: p,
    ),
    ("406", "Not acceptable (NOT_ACCEPTABLE)", lambda m, p: True),
    (
        "409",
        "Conflict with the resource's current state or a replayed Idempotency-Key (CONFLICT)",
        lambda m, p: m in ("post", "patch", "delete"),
    ),
    ("413", "Body over the upload limit (PAYLOAD_TOO_LARGE)", lambda m, p: m in ("post", "patch")),
    ("414", "Request line too long (URI_TOO_LONG)", lambda m, p: True),
    (
        "415",
        "Unsupported media type (UNSUPPORTED_MEDIA_TYPE)",
        lambda m, p: m in ("post", "patch"),
    ),
    (
        "422",
        "Validation failed (VALIDATION_FAILED, INVALID_STATE_TRANSITION)",
        lambda m, p: m in ("post", "patch", "delete"),
    ),
    ("429", "Rate limited (RATE_LIMITED), see Retry-After", lambda m, p: True),
    ("431", "Request headers too large (HEADERS_TOO_LARGE)", lambda m, p: True),
    (
        "500",
        "Unexpected server error (INTERNAL_SERVER_ERROR), never with a trace",
        lambda m, p: True,
    ),
    (
        "503",
        "Database or another backing service unavailable (SERVICE_UNAVAILABLE), see Retry-After",
        lambda m, p: True,
    ),
]


def error_responses(method: str, has_path_params: bool) -> dict:
    responses = {}
    for status, text, applies in ERROR_STATUSES:
        if not applies(method, has_path_params):
            continue
        response = {"description": text, "content": {JSONAPI: {"schema": dict(ERRORS_REF)}}}
        if status in ("429", "503"):
            response["headers"] = dict(RETRY_AFTER)
        responses[status] = response
    return responses


def _array_parameter(name: str, values, description: str) -> dict:
    return build_parameter_type(
        name=name,
        location="query",
        schema={"type": "array", "items": {"type": "string", "enum": sorted(values)}},
        explode=False,
        description=description,
    )


def _include_paths(serializer_class, prefix: str = "", depth: int = 0) -> set[str]:
    paths: set[str] = set()
    if depth >= 3:
        return paths
    for name, child in (getattr(serializer_class, "included_serializers", None) or {}).items():
        path = f"{prefix}{name}"
        paths.add(path)
        paths |= _include_paths(child, f"{path}.", depth + 1)
    return paths


def _component_name(resource_type: str) -> str:
    return "".join(part.capitalize() for part in resource_type.split("_"))


# -- resource objects -------------------------------------------------------------------------


def _model_field_may_be_empty(field) -> bool:
    """Whether the model field behind a to-one relationship may be empty; ``True`` when the
    serializer has no model field there (computed resources), so clients are not promised more
    than the server keeps."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = (field.source or field.field_name or "").split(".")[0]
    if model is None or not source or source == "*":
        return True
    try:
        model_field = model._meta.get_field(source)
    except Exception:  # noqa: BLE001 - a property or a reverse accessor: unknown
        return True
    return bool(getattr(model_field, "null", True)) or model_field.auto_created


def _model_field(field):
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = field.source or field.field_name or ""
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except Exception:  # noqa: BLE001 - a property or a method: no model field
        return None


def _empty_values(schema: dict, field, direction: str) -> dict:
    """``nullable`` and ``""`` where the server sends them: DRF leaves ``allow_null`` and
    ``allow_blank`` off read-only fields, so the model field behind them decides there."""
    if "$ref" in schema or "allOf" in schema:
        return schema
    model_field = _model_field(field)
    null = field.allow_null
    blank = getattr(field, "allow_blank", False)
    if model_field is not None and (field.read_only or direction == "response"):
        null = null or bool(getattr(model_field, "null", False))
        blank = blank or (
            bool(getattr(model_field, "blank", False))
            and isinstance(model_field, (dj_models.CharField, dj_models.TextField))
        )
    if null:
        schema["nullable"] = True
    if blank and schema.get("type") == "string":
        schema.pop("minLength", None)
        if schema.get("format") in ("uri", "email"):
            schema.pop("format")
            schema["description"] = f"{schema.get('description', '')} May be empty.".strip()
        if "enum" in schema and "" not in schema["enum"]:
            schema["enum"] = [value for value in schema["enum"] if value is not None] + [""]
    if null and "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


class Relationship:
    """A relationship object as the renderer writes it: ``data`` (an identifier, ``null`` where
    the relationship may be empty, or a list), and ``meta.count`` on to-many relationships."""

    def __init__(self, field, drf_spectactular_field_schema: dict):
        many = isinstance(field, ManyRelatedField)
        relation = field.child_relation if many else field
        if isinstance(relation, UnmodelledRelationship):
            resource_type = relation.unmodelled_type
        else:
            resource_type = get_related_resource_type(relation)
        identifier = {
            "type": "object",
            "required": ["type", "id"],
            "properties": {
                "type": {"type": "string", "enum": [resource_type]},
                "id": {"type": "string"},
            },
        }
        if many:
            self.schema = {
                "type": "object",
                "properties": {
                    "data": {"type": "array", "items": identifier},
                    "meta": {
                        "type": "object",
                        "properties": {"count": {"type": "integer", "minimum": 0}},
                    },
                },
            }
        else:
            nullable = (
                field.allow_null
                or isinstance(field, (UnmodelledRelationship, OptionalOneRelationship))
                or _model_field_may_be_empty(field)
            )
            self.schema = {
                "type": "object",
                "properties": {
                    "data": {**identifier, "nullable": True} if nullable else identifier
                },
            }
        if field.read_only:
            self.schema["readOnly"] = True
        if field.help_text:
            self.schema["description"] = str(field.help_text)

    def __dict__(self):
        return self.schema


class ResourceObject(JsonApiResourceObject):
    """The JSON:API extension's resource object, with ``links.self`` and ``id`` on responses.

    Responses name no required attributes: sparse fieldsets may leave any of them out.
    """

    related_field_converter_class = Relationship
    direction = "response"

    def patch(self):
        super().patch()
        properties = self._schema["properties"]
        if self.direction == "response":
            properties["id"] = {"type": "string"}
            if "id" not in self._schema["required"]:
                self._schema["required"].append("id")
            for member in ("attributes", "relationships"):
                if member in properties:
                    properties[member].pop("required", None)
                    # an undocumented member is a defect the contract test should see
                    properties[member]["additionalProperties"] = False
            properties["links"] = {
                "type": "object",
                "properties": {"self": LINK},
                "additionalProperties": False,
            }
        elif "id" in properties:
            properties["id"] = {"type": "string"}
        if self.method == "PATCH" or self.direction == "response":
            return
        self._schema["required"] = [name for name in self._schema["required"] if name != "id"]


def _resource_object_class(direction: str):
    return type(f"ResourceObject_{direction}", (ResourceObject,), {"direction": direction})


class ApiAutoSchema(JsonApiAutoSchema):
    """Operation ids, scopes, parameters and documents as this server has them."""

    # -- naming, tags, security --------------------------------------------------------------

    def _basename(self) -> str:
        basename = getattr(self.view, "basename", None)
        if basename:
            return basename
        return get_resource_type_from_serializer(self.view.get_serializer_class())

    def _action(self) -> str:
        action = getattr(self.view, "action", None)
        if action in (None, "metadata"):
            return self.method.lower()
        return action

    def get_operation_id(self) -> str:
        action = self._action()
        if action in ("current",):
            action = "retrieve"
        return f"{self._basename()}_{action}"

    def get_tags(self) -> list[str]:
        return [self._basename()]

    def get_summary(self) -> str:
        action = self._action()
        if action == "current":
            action = "retrieve"
        return f"{action.replace('_', ' ').capitalize()} {self._basename().replace('_', ' ')}"

    def _scopes(self) -> list[str]:
        return list(self.view.required_scopes(ACTION_BY_METHOD[self.method]))

    def get_description(self) -> str:
        doc = super().get_description()
        scopes = self._scopes()
        needs = (
            f"Needs one of the scopes: {', '.join(scopes)}." if scopes else "Any valid credential."
        )
        return f"{doc}\n\n{needs}".strip()

    def get_auth(self) -> list[dict]:
        return [{"ApiKey": []}, {"OAuth2": self._scopes()}]

    # -- parameters ------------------------------------------------------------------------------

    def _resolve_path_parameters(self, variables):
        return [
            build_parameter_type(name=name, location="path", schema={"type": "string"})
            for name in variables
        ]

    def _is_read(self) -> bool:
        return self.method == "GET" and self._action() in ("list", "retrieve", "current")

    def _get_filter_parameters(self):
        # drf-spectacular's backend extensions, without the JSON:API extension's ``sort``
        # rewrite (which assumes django-filter's OrderingFilter).
        return AutoSchema._get_filter_parameters(self)

    def _get_pagination_parameters(self):
        if not self._is_list_view():
            return []
        paginator = self._get_paginator()
        if not paginator:
            return []
        return paginator.get_schema_operation_parameters(self.view)

    def get_include_parameter(self):
        paths = _include_paths(self.view.get_serializer_class())
        if not paths:
            parameter = build_parameter_type(
                name="include",
                location="query",
                schema={"type": "string", "maxLength": 0},
                description="Nothing can be included here; any value is a 400.",
            )
            return {("include", "query"): parameter}
        return {
            ("include", "query"): _array_parameter(
                "include", paths, "Related resources to include, as comma-separated paths."
            )
        }

    def get_sparse_fieldset_parameters(self):
        params = {}
        serializer_class = self.view.get_serializer_class()
        for resource_type, cls in sorted(query.reachable_types(serializer_class).items()):
            name = f"fields[{resource_type}]"
            params[(name, "query")] = _array_parameter(
                name,
                query.field_names(cls),
                f"Sparse fieldset: the {resource_type} fields to return, comma-separated.",
            )
        return params

    def _process_override_parameters(self, direction="request"):
        result = AutoSchema._process_override_parameters(self, direction=direction)
        if self._is_read():
            result |= self.get_include_parameter()
            result |= self.get_sparse_fieldset_parameters()
        for extra in getattr(self.view, "extra_query_params", ()):
            result[(extra, "query")] = build_parameter_type(
                name=extra, location="query", schema={"type": "string"}
            )
        result[("Accept-Language", "header")] = build_parameter_type(
            name="Accept-Language",
            location="header",
            schema={"type": "string"},
            description="Locales for localized attributes, e.g. `en,nl`.",
        )
        return result

    # -- resource objects ------------------------------------------------------------------------

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # Relationships are described whole by ``Relationship`` from the field itself; the
        # generic mapping would look for a model behind every related field.
        if isinstance(field, (RelatedField, ManyRelatedField)):
            return {"type": "string"}
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _insert_field_validators(self, field, schema):
        # after the validators (which add ``format`` and ``minLength``), for the last word
        super()._insert_field_validators(field, schema)
        _empty_values(schema, field, self._direction)

    def _map_basic_serializer(self, serializer, direction):
        self._direction = direction
        self.json_api_resource_object_converter_class = _resource_object_class(direction)
        return super()._map_basic_serializer(serializer, direction)

    def get_serializer_name(self, serializer, direction) -> str:
        """A resource's component is named after its type (``energy_label`` → ``EnergyLabel``);
        a second serializer for the same type (side-posting) keeps its class name."""
        name = super().get_serializer_name(serializer, direction)
        if self.is_json_api_resource_serializer(serializer):
            by_type = _component_name(get_resource_type_from_serializer(serializer))
            if name.removesuffix("Serializer") == by_type:
                return by_type
        return name

    def _resource_ref(self, serializer_class, direction: str) -> dict:
        return self.resolve_serializer(serializer_class, direction).ref

    # -- request bodies ---------------------------------------------------------------------------

    def _get_request_body(self, direction="request"):
        if self.method == "POST" and self._action() != "create":
            return None  # the POST actions (sync, redeliver, rotate_…) read no body
        body = super()._get_request_body(direction)
        side_posted = getattr(self.view, "side_posted_serializers", None)
        if body is None or not side_posted or self._action() != "create":
            return body
        content = body["content"][JSONAPI]
        options = [self._side_posted_schema(cls, method) for cls, method in side_posted]
        content["schema"] = {
            "allOf": [
                content["schema"],
                {
                    "type": "object",
                    "properties": {
                        "included": {
                            "type": "array",
                            "description": "Side-posted resources, linked from `data` by "
                            "`meta.temp_id` (create) or by `id` (update).",
                            "items": {"oneOf": options},
                        }
                    },
                },
            ]
        }
        return body

    def _side_posted_schema(self, serializer_class, methods) -> dict:
        """A component for a side-posted resource: its request resource object plus ``meta``."""
        request = self.resolve_serializer(serializer_class, "request")
        resource = copy.deepcopy(request.schema["properties"]["data"])
        resource["properties"]["id"] = {"type": "string", "description": "With method update."}
        resource["properties"]["meta"] = {
            "type": "object",
            "properties": {
                "temp_id": {"type": "string", "description": "Referred to from `data`."},
                "method": {"type": "string", "enum": list(methods)},
            },
        }
        resource["required"] = ["type"]
        component = ResolvedComponent(
            name="SidePosted" + request.name.removesuffix("Request").removeprefix("SidePosted"),
            type=ResolvedComponent.SCHEMA,
            object=f"side-posted:{request.name}",
            schema=resource,
        )
        self.registry.register_on_missing(component)
        return component.ref

    # -- responses --------------------------------------------------------------------------------

    def _success_status(self) -> str:
        statuses = getattr(self.view, "action_statuses", {})
        action = self._action()
        if action in statuses:
            return str(statuses[action])
        if action == "create":
            return "201"
        if self.method == "DELETE":
            return "204"
        return "200"

    def _get_response_bodies(self, direction="response"):
        path_params = bool(re.search(r"{\w+}", self.path))
        responses = error_responses(self.method.lower(), path_params)
        status = self._success_status()
        for code, text in getattr(self.view, "meta_responses", {}).get(self._action(), {}).items():
            responses[code] = {"description": text, "content": {JSONAPI: {"schema": META_ONLY}}}
        if status == "204":
            responses[status] = {"description": "Deleted"}
            return dict(sorted(responses.items()))
        serializer_class = self.view.get_serializer_class()
        data = self._resource_ref(serializer_class, "response")
        many = self._is_list_view()
        properties = {"data": {"type": "array", "items": data} if many else data}
        included = [
            self._resource_ref(cls, "response")
            for _, cls in sorted(query.reachable_types(serializer_class).items())
        ]
        if included:
            mapping = {
                resource_type: self._resource_ref(cls, "response")["$ref"]
                for resource_type, cls in query.reachable_types(serializer_class).items()
            }
            properties["included"] = {
                "type": "array",
                "items": {
                    "oneOf": included,
                    "discriminator": {"propertyName": "type", "mapping": mapping},
                },
            }
        if many:
            paginator = self._get_paginator()
            properties["links"] = {
                "type": "object",
                "properties": {
                    name: {**LINK, "nullable": True}
                    if name in getattr(paginator, "nullable_links", ())
                    else LINK
                    for name in paginator.link_names
                },
                "additionalProperties": False,
            }
            properties["meta"] = paginator.get_meta_schema()
        document = {
            "type": "object",
            "required": ["data"],
            "properties": properties,
            "additionalProperties": False,
        }
        responses[status] = {"description": "OK", "content": {JSONAPI: {"schema": document}}}
        return dict(sorted(responses.items()))


# -- extensions for fields and backends ---------------------------------------------------------


class LocalizedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "apps.core.serializers.LocalizedField"

    def map_serializer_field(self, auto_schema, direction):
        return localized_schema(many=self.target.many, direction=direction)


# Vendor attributes this product sends but does not fill yet.
ALWAYS_EMPTY_LIST = {"type": "array", "items": {"type": "object"}, "maxItems": 0}


def money_schema(direction: str = "response") -> dict:
    """The vendor's money object; a request may leave the currency out."""
    return {
        "type": "object",
        "description": "Money: a decimal string and the administration's currency.",
        "required": ["value"] if direction == "request" else ["currency", "value"],
        "properties": {
            "currency": {"type": "string", "example": "EUR"},
            "value": {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "example": "12.50"},
        },
        "additionalProperties": False,
    }


def localized_schema(*, many: bool = False, direction: str = "response") -> dict:
    value = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    if direction == "request":
        value = {**value, "nullable": True}  # null removes that locale
    return {
        "type": "object",
        "description": "Localized: keyed by locale, limited by Accept-Language.",
        "properties": {locale: value for locale in LOCALES},
        "additionalProperties": False,
    }


class MoneyFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "apps.core.serializers.MoneyField"

    def map_serializer_field(self, auto_schema, direction):
        return money_schema(direction)


class UtcTimeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "apps.core.serializers.UtcTimeField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": r"^\d\d:\d\d(:\d\d)?Z?$", "example": "14:15:22Z"}


FILTER_SYNTAX = (
    "`term` equals, `~term` contains, `a,b` any of, `a..b` between (`a..`, `..b` open), "
    "a leading `!` inverts; `filter[a|b]` ORs attributes."
)


class VendorFilterExtension(OpenApiFilterExtension):
    """``filter[name]`` for each filter of the view's ``FilterSet``: the parameter is a vendor
    expression (a string), its terms are of the filter's kind (``x-filter-term``)."""

    target_class = "apps.core.filters.FilterBackend"
    priority = 10  # before drf-spectacular's and the JSON:API extension's django-filter ones

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        view = auto_schema.view
        filterset = self.target.get_filterset_class(view, None)
        params = []
        for name, filter_ in filterset.base_filters.items():
            kind = getattr(filter_, "kind", "string")
            description = filter_.extra.get("help_text") or f"Filter on {name} ({kind})."
            parameter = build_parameter_type(
                name=f"filter[{name}]",
                location="query",
                schema={"type": "string"},
                description=f"{description} {FILTER_SYNTAX}",
                required=bool(filter_.extra.get("required")),
            )
            parameter["required"] = bool(filter_.extra.get("required"))
            if hasattr(filter_, "schema"):
                parameter["x-filter-term"] = {"kind": kind, "schema": filter_.schema()}
            params.append(parameter)
        return params


class SortExtension(OpenApiFilterExtension):
    target_class = "apps.core.sorting.SortBackend"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        names = list(dict.fromkeys(["id", *auto_schema.view.get_sort_fields()]))
        values = [*names, *(f"-{name}" for name in names)]
        return [
            _array_parameter("sort", values, "Comma-separated sort fields, `-` for descending.")
        ]


# -- the finished document ----------------------------------------------------------------------

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _enum_varnames(values: list) -> list[str] | None:
    """Names for enum values that are not identifiers already (``A++`` → ``A_PLUS_PLUS``)."""
    strings = [v for v in values if v is not None]
    if all(isinstance(v, str) and IDENTIFIER.match(v) for v in strings):
        return None
    names = []
    for value in strings:
        text = str(value).replace("+", "_PLUS").replace("-", "_MINUS_")
        text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper() or "BLANK"
        if text[0].isdigit():
            text = f"VALUE_{text}"
        names.append(text)
    return names if len(set(names)) == len(names) else None


def _walk(node, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _refs(node) -> set[str]:
    found = set()

    def visit(item):
        ref = item.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.split("/")[3])

    _walk(node, visit)
    return found


def only_api_paths(endpoints):
    """Pre-processing hook: the /v3 API only (not the back-office or the OAuth pages)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/v3/")]


def security_schemes() -> dict:
    flows = {
        "authorizationCode": {
            "authorizationUrl": "/oauth/authorize",
            "tokenUrl": "/oauth/token",
            "refreshUrl": "/oauth/token",
            "scopes": dict(SCOPES),
        },
        "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": dict(SCOPES)},
    }
    return {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"},
        "OAuth2": {"type": "oauth2", "flows": flows},
    }


def finish_document(result, generator, request, public):
    """Post-processing hook: enum names, the error document, security schemes, and no unused
    components."""

    def name_enums(item):
        if "enum" in item and item.get("type") == "string" and "x-enum-varnames" not in item:
            varnames = _enum_varnames(item["enum"])
            if varnames:
                item["x-enum-varnames"] = varnames

    _walk(result, name_enums)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Errors"] = ERRORS_SCHEMA
    # Drop components nothing refers to (transitively from the paths).
    used, pending = set(), _refs(result.get("paths", {}))
    while pending:
        name = pending.pop()
        if name in used or name not in schemas:
            continue
        used.add(name)
        pending |= _refs(schemas[name])
    result["components"]["schemas"] = {k: v for k, v in sorted(schemas.items()) if k in used}
    result["components"]["securitySchemes"] = security_schemes()
    return result


ERRORS_SCHEMA = {
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
                            "header": {"type": "string"},
                        },
                    },
                    "meta": {"type": "object", "additionalProperties": True},
                },
            },
        },
        "meta": {"type": "object", "additionalProperties": True},
    },
}
