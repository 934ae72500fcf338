"""Side-posting (conventions.md §11): a booking's customer and reservations created in the
same request, in ``included``, linked by ``meta.temp_id`` and marked ``meta.method``.

This module only reads and validates the document; the booking services save it, in one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rest_framework import serializers as drf_serializers
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework_json_api.parsers import JSONParser

from apps.core import visibility
from apps.core.errors import ApiError, ErrorObject, domain_error_object
from apps.core.exceptions import DomainError
from apps.core.query import parse_id
from apps.customers.models import Customer


def _bad(pointer: str, detail: str) -> ApiError:
    return ApiError(400, detail, pointer=pointer)


def flatten_errors(errors, pointer: str) -> list[ErrorObject]:
    """A serializer's nested errors → one 422 error object per leaf, with its pointer."""
    if isinstance(errors, dict):
        return [
            obj
            for key, value in errors.items()
            for obj in flatten_errors(value, f"{pointer}/{key}")
        ]
    if (
        isinstance(errors, list)
        and errors
        and all(isinstance(e, (str, drf_serializers.ErrorDetail)) for e in errors)
    ):
        return [ErrorObject(422, str(error), pointer=pointer) for error in errors]
    if isinstance(errors, list):
        return [
            obj
            for index, value in enumerate(errors)
            if value
            for obj in flatten_errors(value, f"{pointer}/{index}")
        ]
    return [ErrorObject(422, str(errors), pointer=pointer)]


def included_pointer(index: int, fields, name: str) -> str:
    """``/included/<index>/(attributes|relationships)/<name>``, as the serializer's field says."""
    if name == "non_field_errors":
        return f"/included/{index}"
    is_relationship = isinstance(fields.get(name), (RelatedField, ManyRelatedField))
    return f"/included/{index}/{'relationships' if is_relationship else 'attributes'}/{name}"


def validation_failure(objects: list[ErrorObject]) -> ApiError:
    head, *rest = objects
    return ApiError(422, head.detail, pointer=head.pointer, extra=rest)


@dataclass
class SidePost:
    """What a booking document asks for besides the booking itself."""

    customer: Customer | None = None
    customer_attributes: dict | None = None  # create (no customer) or update (customer)
    reservations: list[dict] = field(default_factory=list)
    reservation_included: list[int] = field(default_factory=list)  # where each stay came from


class SidePostReader:
    """Resolves the linkage of ``customer`` and ``reservations`` against ``included``."""

    def __init__(self, data: dict, context: dict):
        self.data = data
        self.context = context
        self.included = data.get("_included") or []
        self.errors: list[ErrorObject] = []

    def read(self, *, customer_serializer, reservation_serializer) -> SidePost:
        result = SidePost()
        linkage = self.data.get("customer")
        if linkage is not None:
            self._customer(linkage, customer_serializer, result)
        reservations = self.data.get("reservations")
        if reservations is not None:
            if not isinstance(reservations, list):
                raise _bad("/data/relationships/reservations/data", "reservations takes a list.")
            for position, item in enumerate(reservations):
                self._reservation(position, item, reservation_serializer, result)
        if self.errors:
            raise validation_failure(self.errors)
        return result

    # -- the customer ---------------------------------------------------------------------

    def _customer(self, linkage, serializer_class, result: SidePost) -> None:
        pointer = "/data/relationships/customer/data"
        if not isinstance(linkage, dict) or linkage.get("type") != "customer":
            raise _bad(pointer, "The customer relationship takes a customer identifier.")
        method = (linkage.get("meta") or {}).get("method")
        if method not in (None, "create", "update"):
            raise _bad(f"{pointer}/meta/method", "meta.method is 'create' or 'update'.")
        if method != "create":
            customer = (
                visibility.readable(self.context["view"], Customer)
                .filter(pk=_int(linkage.get("id")))
                .first()
            )
            if customer is None:
                raise ApiError(422, "No such customer in this administration.", pointer=pointer)
            result.customer = customer
            if method is None:
                return
        index, resource = self._find(linkage, pointer)
        serializer = serializer_class(
            instance=result.customer,
            data=self._flatten(resource),
            partial=method == "update",
            context=self.context,
        )
        if serializer.is_valid():
            result.customer_attributes = dict(serializer.validated_data)
        else:
            self._collect(index, serializer)

    # -- the reservations -----------------------------------------------------------------

    def _reservation(self, position: int, linkage, serializer_class, result: SidePost) -> None:
        pointer = f"/data/relationships/reservations/data/{position}"
        if not isinstance(linkage, dict) or linkage.get("type") != "reservation":
            raise _bad(pointer, "The reservations relationship takes reservation identifiers.")
        if (linkage.get("meta") or {}).get("method") != "create":
            raise _bad(
                f"{pointer}/meta/method",
                "A new booking's reservations are side-posted with meta.method 'create'.",
            )
        index, resource = self._find(linkage, pointer)
        serializer = serializer_class(data=self._flatten(resource), context=self.context)
        if serializer.is_valid():
            spec = dict(serializer.validated_data)
            spec.pop("booking", None)
            spec.pop("state", None)
            result.reservations.append(spec)
            result.reservation_included.append(index)
        else:
            self._collect(index, serializer)

    # -- helpers ----------------------------------------------------------------------------

    def _find(self, linkage: dict, pointer: str) -> tuple[int, dict]:
        temp_id = (linkage.get("meta") or {}).get("temp_id")
        for index, resource in enumerate(self.included):
            if not isinstance(resource, dict) or resource.get("type") != linkage["type"]:
                continue
            same_temp = (
                temp_id is not None and (resource.get("meta") or {}).get("temp_id") == temp_id
            )
            same_id = temp_id is None and "id" in linkage and resource.get("id") == linkage["id"]
            if same_temp or same_id:
                return index, resource
        wanted = f"meta.temp_id '{temp_id}'" if temp_id else f"id '{linkage.get('id')}'"
        raise _bad(pointer, f"No {linkage['type']} with {wanted} in 'included'.")

    @staticmethod
    def _flatten(resource: dict) -> dict:
        flat = {}
        flat.update(JSONParser.parse_attributes(resource))
        flat.update(JSONParser.parse_relationships(resource))
        relationships = resource.get("relationships")
        if isinstance(relationships, dict):
            flat["_relationship_names"] = list(relationships)
        return flat

    def _collect(self, index: int, serializer) -> None:
        for name, errors in serializer.errors.items():
            self.errors.extend(
                flatten_errors(errors, included_pointer(index, serializer.fields, name))
            )


def _int(value) -> int | None:
    return parse_id(value) if isinstance(value, str) else None


def point_at_included(exc, side: SidePost, reservation_serializer):
    """Re-aims an error raised while saving the n-th side-posted stay (the services tag it
    with ``reservation_index``) at that stay's entry in ``included``."""
    position = getattr(exc, "reservation_index", None)
    if position is None:
        return exc
    index = side.reservation_included[position]
    if isinstance(exc, DomainError):
        obj = domain_error_object(exc, pointer=f"/included/{index}")
        return ApiError(obj.status, obj.detail, code=obj.code, pointer=obj.pointer)
    fields = reservation_serializer().fields
    if getattr(exc, "error_meta", None):  # a stay rule: keep it whole, aimed at the stay
        exc.pointer = included_pointer(index, fields, next(iter(exc.message_dict)))
        return exc
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    objects = [
        obj
        for name, messages in detail.items()
        for obj in flatten_errors(messages, included_pointer(index, fields, name))
    ]
    return validation_failure(objects)
