"""The request body: a JSON:API document, checked for shape before any serializer sees it."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework_json_api.parsers import JSONParser
from rest_framework_json_api.utils import get_resource_type_from_serializer

from apps.core.errors import ApiError


def _bad(pointer: str, detail: str) -> ApiError:
    return ApiError(400, detail, pointer=pointer)


class JsonApiParser(JSONParser):
    """Extends the JSON:API library's parser with shape checks that answer 400 with a pointer.

    The library assumes a well-formed document (``relationships.x`` being an object, and so on)
    and would raise an AttributeError, i.e. a 500, on anything else.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            result = super(JSONParser, self).parse(stream, media_type, parser_context)
        except ParseError as exc:
            raise _bad("", f"The request body is not valid JSON: {exc.detail}") from exc
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
        for name, rel in (data.get("relationships") or {}).items():
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
