"""The request body: a JSON:API document, checked for shape before any serializer sees it."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework_json_api.parsers import JSONParser
from rest_framework_json_api.utils import get_resource_type_from_serializer

from apps.core.errors import ApiError, payload_too_large

# Deeper than any document this API defines; deep enough nesting makes the decoder (or later a
# serializer or the renderer) recurse past Python's limit.
MAX_DEPTH = 32


def _bad(pointer: str, detail: str) -> ApiError:
    return ApiError(400, detail, pointer=pointer)


def _escape(token) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def check_values(document) -> None:
    """Walks the decoded body once, without recursion: no nesting past ``MAX_DEPTH`` and no NUL
    character in any member name or string (PostgreSQL text cannot hold one)."""
    stack = [(document, "", 0)]
    while stack:
        node, pointer, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _bad(pointer, f"The document nests deeper than {MAX_DEPTH} levels.")
        if isinstance(node, str):
            if "\x00" in node:
                raise _bad(pointer, "Strings may not contain the NUL character (U+0000).")
        elif isinstance(node, dict):
            for key, value in node.items():
                child = f"{pointer}/{_escape(key)}"
                if "\x00" in key:
                    raise _bad(child, "Member names may not contain the NUL character (U+0000).")
                stack.append((value, child, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, f"{pointer}/{i}", depth + 1) for i, value in enumerate(node))


def read_body(stream) -> bytes:
    """The body, refused with a 413 once it passes ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's
    own check only guards ``request.body``, and DRF reads the stream directly)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if stream is None:
        return b""
    body = stream.read(limit + 1) if limit is not None else stream.read()
    if limit is not None and len(body) > limit:
        raise payload_too_large()
    return body


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON value")


def decode(body: bytes):
    try:
        return json.loads(body.decode(settings.DEFAULT_CHARSET), parse_constant=_no_constants)
    except UnicodeDecodeError as exc:
        raise _bad("", f"The request body is not valid UTF-8: {exc.reason}.") from exc
    except RecursionError as exc:
        raise _bad("", f"The document nests deeper than {MAX_DEPTH} levels.") from exc
    except ValueError as exc:
        raise _bad("", f"The request body is not valid JSON: {exc}") from exc


class JsonApiParser(JSONParser):
    """Extends the JSON:API library's parser with shape checks that answer 400 with a pointer.

    The library assumes a well-formed document (``relationships.x`` being an object, and so on)
    and would raise an AttributeError, i.e. a 500, on anything else. Before that: a body over
    the upload limit is a 413, and invalid JSON, nesting past ``MAX_DEPTH`` or a NUL character
    anywhere is a 400 pointing at the place.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        result = decode(read_body(stream))
        check_values(result)
        self._check_document(result)
        return self.parse_data(result, parser_context)

    def parse_data(self, result, parser_context):
        """Checks ``type`` and ``id`` against the endpoint, then flattens the resource object
        into one dict of attributes and relationship linkage for the serializer."""
        data = result["data"]
        view = (parser_context or {}).get("view")
        request = (parser_context or {}).get("request")
        method = request.method if request is not None else None
        if view is not None and method in ("POST", "PATCH"):
            expected_type = get_resource_type_from_serializer(view.get_serializer_class())
            if data["type"] != expected_type:
                raise ApiError(
                    409,
                    f"The resource object's type ({data['type']}) is not the type this endpoint "
                    f"takes ({expected_type}).",
                    pointer="/data/type",
                )
            if method == "PATCH":
                expected_id = view.expected_document_id()
                if "id" not in data and expected_id is not None:
                    raise _bad("/data/id", "An update must name the resource's 'id'.")
                if expected_id is not None and data.get("id") != expected_id:
                    raise ApiError(
                        409,
                        f"The resource object's id ({data.get('id')}) does not match the "
                        f"endpoint's ({expected_id}).",
                        pointer="/data/id",
                    )
        parsed = {"id": data["id"]} if "id" in data else {}
        parsed["type"] = data["type"]
        parsed.update(self.parse_attributes(data))
        parsed.update(self.parse_relationships(data))
        parsed.update(self.parse_metadata(result))
        return parsed

    @classmethod
    def _check_document(cls, result) -> None:
        if not isinstance(result, dict):
            raise _bad("", "The request body must be a JSON object.")
        if "data" not in result:
            raise _bad("", "The document must contain a 'data' member.")
        cls.check_resource(result["data"], "/data")
        included = result.get("included", [])
        if not isinstance(included, list):
            raise _bad("/included", "'included' must be an array.")
        for index, resource in enumerate(included):
            cls.check_resource(resource, f"/included/{index}")

    @staticmethod
    def check_resource(data, pointer: str) -> None:
        """A resource object's shape: string type and id, object members, valid linkage."""
        if not isinstance(data, dict):
            raise _bad(pointer, "Expected a resource object.")
        if not isinstance(data.get("type"), str):
            raise _bad(f"{pointer}/type", "A resource object must have a string 'type'.")
        if "id" in data and not isinstance(data["id"], str):
            raise _bad(f"{pointer}/id", "'id' must be a string.")
        for member in ("attributes", "relationships", "meta"):
            if member in data and not isinstance(data[member], dict):
                raise _bad(f"{pointer}/{member}", f"'{member}' must be an object.")
        # Fields share one namespace with each other and with type, id and lid (JSON:API 1.1):
        # an attribute must not stand in for the type, the id or a relationship.
        relationships = data.get("relationships") or {}
        for member, kind in (("attributes", "an attribute"), ("relationships", "a relationship")):
            for name in data.get(member) or {}:
                if name in ("type", "id", "lid"):
                    reason = f"'{name}' is a member of the resource object, not {kind}."
                elif member == "attributes" and name in relationships:
                    reason = f"'{name}' cannot be an attribute and a relationship at once."
                else:
                    continue
                raise _bad(f"{pointer}/{member}/{name}", reason)
        for name, rel in relationships.items():
            where = f"{pointer}/relationships/{name}"
            if not isinstance(rel, dict) or "data" not in rel:
                raise _bad(where, "A relationship must be an object with a 'data' member.")
            linkage = rel["data"]
            items = linkage if isinstance(linkage, list) else [linkage]
            for index, item in enumerate(items):
                if item is None and not isinstance(linkage, list):
                    continue
                item_pointer = (
                    f"{where}/data/{index}" if isinstance(linkage, list) else f"{where}/data"
                )
                if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                    raise _bad(item_pointer, "A resource identifier needs a string 'type'.")
                if "id" in item and not isinstance(item["id"], str):
                    raise _bad(f"{item_pointer}/id", "'id' must be a string.")
                if "meta" in item and not isinstance(item["meta"], dict):
                    raise _bad(f"{item_pointer}/meta", "'meta' must be an object.")

    @staticmethod
    def parse_metadata(result):
        meta = (result.get("data") or {}).get("meta")
        parsed = {"_meta": meta} if meta else {}
        relationships = (result.get("data") or {}).get("relationships")
        if relationships:
            parsed["_relationship_names"] = list(relationships)
        if result.get("included"):
            parsed["_included"] = result["included"]
        return parsed
