"""The official JSON:API 1.0 schema, and a test client that validates every response with it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from rest_framework.test import APIClient

SCHEMA_DIR = Path(__file__).parent / "jsonapi_schema" / "1.0"
MEDIA_TYPE = "application/vnd.api+json"


def _modernise(node):
    """Rewrites two constructs the 2020-12 validator reads differently than the authors meant.

    * ``"patternProperties": {"": …}`` means "any member name", but jsonschema skips an empty
      joined pattern, so with ``additionalProperties: false`` every member would be refused;
      ``"^"`` matches exactly the same names.
    * ``dependencies`` (draft 4–7) is no keyword in 2020-12 and would be ignored silently; it
      is split into ``dependentRequired`` / ``dependentSchemas`` as that draft spells it.
    """
    if isinstance(node, list):
        return [_modernise(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "patternProperties" and isinstance(value, dict):
            result[key] = {(k or "^"): _modernise(v) for k, v in value.items()}
        elif key == "dependencies" and isinstance(value, dict):
            required = {k: v for k, v in value.items() if isinstance(v, list)}
            schemas = {k: _modernise(v) for k, v in value.items() if not isinstance(v, list)}
            if required:
                result["dependentRequired"] = required
            if schemas:
                result["dependentSchemas"] = schemas
        else:
            result[key] = _modernise(value)
    return result


def _load(name: str) -> dict:
    schema = _modernise(json.loads((SCHEMA_DIR / name).read_text()))
    error_links = schema.get("definitions", {}).get("errorLinks")
    if error_links is not None:
        # JSON:API 1.1 adds a ``type`` link to error objects (the cursor pagination profile
        # names its errors with it); 1.0 knew only ``about``.
        error_links.setdefault("properties", {})["type"] = {"$ref": "#/definitions/link"}
    return schema


@cache
def _registry() -> Registry:
    resources = []
    for name in ("schema.json", "schema_create_resource.json", "schema_update_resource.json"):
        contents = _load(name)
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(name: str = "schema.json") -> Draft202012Validator:
    return Draft202012Validator(
        _load(name), registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(document, name: str = "schema.json") -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(document)
    ]


def assert_valid_document(document) -> None:
    errors = schema_errors(document)
    assert not errors, f"Response is not a valid JSON:API document: {errors}\n{document}"


class JsonApiClient(APIClient):
    """Sends JSON:API documents and checks every JSON:API response against the schema."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.defaults.setdefault("HTTP_ACCEPT", MEDIA_TYPE)

    def request(self, **kwargs):
        response = super().request(**kwargs)
        content_type = response.get("Content-Type", "")
        if response.status_code == 204:
            assert not response.content, "204 must have no body"
        elif content_type.startswith(MEDIA_TYPE):
            response.doc = json.loads(response.content)
            assert_valid_document(response.doc)
            if response.status_code >= 400:
                for error in response.doc["errors"]:
                    assert error["status"] == str(response.status_code)
                    assert error["code"] and error["title"] and error["detail"]
        return response

    def _encode(self, data, content_type):
        if data is None:
            return None, content_type
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return body, content_type

    def post(self, path, data=None, content_type=MEDIA_TYPE, **extra):
        body, content_type = self._encode(data, content_type)
        return self.generic("POST", path, body or "", content_type, **extra)

    def patch(self, path, data=None, content_type=MEDIA_TYPE, **extra):
        body, content_type = self._encode(data, content_type)
        return self.generic("PATCH", path, body or "", content_type, **extra)

    def authorize(self, key: str) -> JsonApiClient:
        self.credentials(HTTP_X_API_KEY=key)
        return self

    def bearer(self, token: str) -> JsonApiClient:
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return self


def error_codes(response) -> list[str]:
    return [error["code"] for error in response.doc["errors"]]
