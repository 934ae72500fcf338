"""The request body: a JSON:API document, checked for shape before any serializer sees it."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework_json_api.parsers import JSONParser

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

    @staticmethod
    def _check_document(result) -> None:
        if not isinstance(result, dict):
            raise _bad("", "The request body must be a JSON object.")
        if "data" not in result:
            raise _bad("", "The document must contain a 'data' member.")
        data = result["data"]
        if not isinstance(data, dict):
            raise _bad("/data", "'data' must be a resource object.")
        if not isinstance(data.get("type"), str):
            raise _bad("/data/type", "A resource object must have a string 'type'.")
        if "id" in data and not isinstance(data["id"], str):
            raise _bad("/data/id", "'id' must be a string.")
        for member in ("attributes", "relationships", "meta"):
            if member in data and not isinstance(data[member], dict):
                raise _bad(f"/data/{member}", f"'{member}' must be an object.")
        for name, rel in (data.get("relationships") or {}).items():
            pointer = f"/data/relationships/{name}"
            if not isinstance(rel, dict) or "data" not in rel:
                raise _bad(pointer, "A relationship must be an object with a 'data' member.")
            linkage = rel["data"]
            items = linkage if isinstance(linkage, list) else [linkage]
            for index, item in enumerate(items):
                if item is None and not isinstance(linkage, list):
                    continue
                where = (
                    f"{pointer}/data/{index}" if isinstance(linkage, list) else f"{pointer}/data"
                )
                if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                    raise _bad(where, "A resource identifier needs a string 'type'.")
                if "id" in item and not isinstance(item["id"], str):
                    raise _bad(f"{where}/id", "'id' must be a string.")
        if "included" in result and not isinstance(result["included"], list):
            raise _bad("/included", "'included' must be an array.")

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
