"""The request document of the Atomic Operations extension, checked for shape before anything
runs: every problem that needs no database is found here, with a pointer into the document.

What is supported: ``add`` (a new resource, optionally with a ``lid``), ``update`` and ``remove``
of resources, targets named by ``ref`` (``type`` and ``id`` or ``lid``) or, for ``update``, by
``data`` alone. Not supported, and refused with a 400 saying so: ``href`` and relationship
operations (``ref.relationship``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from apps.core.errors import ApiError
from apps.core.operations.registry import OperationHandler, operation_handler, operation_handlers
from apps.core.parsers import JsonApiParser

OPERATIONS = "atomic:operations"
OPS = ("add", "update", "remove")


def operation_pointer(index: int) -> str:
    return f"/{OPERATIONS}/{index}"


def _bad(pointer: str, detail: str, status: int = 400) -> ApiError:
    return ApiError(status, detail, pointer=pointer)


@dataclass
class Operation:
    """One checked operation. ``target`` is ``("id", "12")`` or ``("lid", "a")`` for update and
    remove; ``lid`` is what an add introduces."""

    index: int
    op: str
    handler: OperationHandler
    data: dict | None = None
    target: tuple[str, str] | None = None
    lid: str | None = None
    linked_lids: set[str] = field(default_factory=set)

    @property
    def pointer(self) -> str:
        return operation_pointer(self.index)

    @property
    def resource_type(self) -> str:
        return self.handler.resource_type


def max_operations() -> int:
    return settings.OPERATIONS_MAX_OPERATIONS


def operations_read(document) -> list[Operation]:
    """``document`` (decoded JSON) as operations, or an ApiError for the first problem."""
    if not isinstance(document, dict):
        raise _bad("", "The request body must be a JSON object.")
    for member in ("data", "included", "atomic:results"):
        if member in document:
            raise _bad(f"/{member}", f"'{member}' may not appear in an operations request.")
    raw = document.get(OPERATIONS)
    if not isinstance(raw, list):
        raise _bad("", f"The document must contain '{OPERATIONS}', an array of operations.")
    if not raw:
        raise _bad(f"/{OPERATIONS}", "Send at least one operation.")
    limit = max_operations()
    if len(raw) > limit:
        raise ApiError(
            413,
            f"A request may carry at most {limit} operations; this one has {len(raw)}. "
            "Split it into several requests.",
            pointer=f"/{OPERATIONS}",
            meta={"max_operations": limit, "operations": len(raw)},
        )
    lids: dict[str, str] = {}  # lid → type, for adds seen so far
    return [_operation(index, item, lids) for index, item in enumerate(raw)]


def _operation(index: int, item, lids: dict[str, str]) -> Operation:
    at = operation_pointer(index)
    if not isinstance(item, dict):
        raise _bad(at, "An operation must be an object.")
    op = item.get("op")
    if op not in OPS:
        raise _bad(f"{at}/op", "'op' must be one of: add, update, remove.")
    if "href" in item:
        raise _bad(f"{at}/href", "'href' is not supported here; name the target with 'ref'.")
    data = item.get("data")
    linked: set[str] = set()
    if "data" in item:
        JsonApiParser.check_resource(data, f"{at}/data")
        if "lid" in data and not isinstance(data["lid"], str):
            raise _bad(f"{at}/data/lid", "'lid' must be a string.")
        linked = _check_linkage_lids(data, f"{at}/data", lids)
    ref = _ref(item, at, lids) if "ref" in item else None
    if op == "add":
        return _add(index, at, data, ref, lids, linked)
    if op == "update":
        return _update(index, at, data, ref, lids, linked)
    return _remove(index, at, data, ref)


def _handler(resource_type: str, pointer: str) -> OperationHandler:
    handler = operation_handler(resource_type)
    if handler is None:
        known = ", ".join(operation_handlers()) or "none"
        raise ApiError(
            422,
            f"Operations cannot write '{resource_type}'. Types they can write: {known}.",
            pointer=pointer,
        )
    return handler


def _ref(item, at: str, lids: dict[str, str]) -> tuple[str, tuple[str, str]]:
    ref = item["ref"]
    if not isinstance(ref, dict):
        raise _bad(f"{at}/ref", "'ref' must be an object.")
    if "relationship" in ref:
        raise _bad(
            f"{at}/ref/relationship",
            "Relationship operations are not supported; update the resource's relationship "
            "in 'data' instead.",
        )
    if not isinstance(ref.get("type"), str):
        raise _bad(f"{at}/ref/type", "'ref' needs a string 'type'.")
    return ref["type"], _identity(ref, f"{at}/ref", lids)


def _identity(obj: dict, at: str, lids: dict[str, str]) -> tuple[str, str]:
    """``("id", …)`` or ``("lid", …)`` of a ref or a resource object: exactly one of them."""
    has_id, has_lid = "id" in obj, "lid" in obj
    if has_id == has_lid:
        raise _bad(at, "Name the resource with exactly one of 'id' and 'lid'.")
    name = "id" if has_id else "lid"
    value = obj[name]
    if not isinstance(value, str):
        raise _bad(f"{at}/{name}", f"'{name}' must be a string.")
    if name == "lid":
        _known_lid(value, obj.get("type"), f"{at}/lid", lids)
    return name, value


def _known_lid(lid: str, resource_type, pointer: str, lids: dict[str, str]) -> None:
    if lid not in lids:
        raise _bad(pointer, f"lid '{lid}' is not introduced by an earlier add operation.")
    if resource_type is not None and lids[lid] != resource_type:
        raise ApiError(
            409, f"lid '{lid}' is a {lids[lid]}, not a {resource_type}.", pointer=pointer
        )


def _linkage(data: dict):
    """(relationship name, position or None, identifier) of every resource identifier in
    ``relationships``."""
    for name, relationship in (data.get("relationships") or {}).items():
        linkage = relationship["data"]
        if isinstance(linkage, list):
            for position, identifier in enumerate(linkage):
                yield name, position, identifier
        elif linkage is not None:
            yield name, None, linkage


def _suffix(name: str, position: int | None) -> str:
    at = f"relationships/{name}/data"
    return at if position is None else f"{at}/{position}"


def _check_linkage_lids(data: dict, at: str, lids: dict[str, str]) -> set[str]:
    """The lids the linkage names, each checked (pointers built only for a problem)."""
    linked = set()
    for name, position, identifier in _linkage(data):
        if "lid" in identifier:
            pointer = f"{at}/{_suffix(name, position)}"
            if "id" in identifier:
                raise _bad(pointer, "Use either 'id' or 'lid', not both.")
            if not isinstance(identifier["lid"], str):
                raise _bad(f"{pointer}/lid", "'lid' must be a string.")
            _known_lid(identifier["lid"], identifier["type"], f"{pointer}/lid", lids)
            linked.add(identifier["lid"])
        elif "id" not in identifier:
            raise _bad(
                f"{at}/{_suffix(name, position)}", "A resource identifier needs an 'id' or a 'lid'."
            )
    return linked


def _add(index, at, data, ref, lids, linked) -> Operation:
    if ref is not None:
        raise _bad(f"{at}/ref", "An add creates a resource from 'data' alone; leave 'ref' out.")
    if data is None:
        raise _bad(at, "An add needs 'data', the resource object to create.")
    handler = _handler(data["type"], f"{at}/data/type")
    if "id" in data:
        raise _bad(
            f"{at}/data/id",
            "Client-generated ids are not supported; give the new resource a 'lid' to refer "
            "to it from later operations.",
            status=403,
        )
    lid = data.get("lid")
    if lid is not None:
        if lid in lids:
            raise _bad(f"{at}/data/lid", f"lid '{lid}' is already used by an earlier operation.")
        lids[lid] = data["type"]
    return Operation(index, "add", handler, data=data, lid=lid, linked_lids=linked)


def _update(index, at, data, ref, lids, linked) -> Operation:
    if data is None:
        raise _bad(at, "An update needs 'data', the resource object with the changes.")
    target = _identity(data, f"{at}/data", lids)
    if ref is not None:
        ref_type, ref_target = ref
        if (ref_type, ref_target) != (data["type"], target):
            raise ApiError(409, "'ref' and 'data' name different resources.", pointer=f"{at}/data")
    handler = _handler(data["type"], f"{at}/data/type")
    return Operation(index, "update", handler, data=data, target=target, linked_lids=linked)


def _remove(index, at, data, ref) -> Operation:
    if ref is None:
        raise _bad(at, "A remove needs 'ref', naming the resource to remove.")
    if data is not None:
        raise _bad(f"{at}/data", "A remove takes no 'data'.")
    ref_type, target = ref
    handler = _handler(ref_type, f"{at}/ref/type")
    return Operation(index, "remove", handler, target=target)
