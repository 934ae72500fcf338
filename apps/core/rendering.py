"""The JSON:API renderer for reads: resource objects built from a plan, encoded with orjson.

The library renders a page by serializing every object (a serializer instance per included
object, each deep-copying its declared fields) and then re-walking the result to split it into
attributes, relationships and links. Here each serializer class is inspected once into a
``ResourcePlan``: which fields are attributes (and how each is read), which are relationships
(and their resource type), which gives the self link, and which are localized. A request then
renders primary and included objects straight from the model instances with that plan.

The library stays in charge of parsing, validation and error documents, and renders most
writes (one object). Booking writes, the load's hot path, answer through the plan too
(``ResourceViewSet.written_response``). The documents are the same either way;
``tests/core/test_rendering.py`` compares them route by route, and
``tests/bookings/test_write_documents.py`` the booking writes.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass, field
from functools import cache

import orjson
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Manager
from django.utils import timezone
from rest_framework import relations, serializers
from rest_framework.fields import Field, SerializerMethodField, SkipField, get_attribute
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import ISO_8601, api_settings
from rest_framework.utils.encoders import JSONEncoder
from rest_framework_json_api.renderers import JSONRenderer
from rest_framework_json_api.utils import (
    get_included_resources,
    get_resource_name,
    get_resource_type_from_serializer,
)

from apps.core.localization import LOCALES
from apps.core.serializers import (
    LocalizedField,
    SelfLinkField,
    UnmodelledRelationship,
    _AlwaysEmptyManyField,
    _request_locales,
)

ATTRIBUTE, LOCALIZED, METHOD, PLAIN, STAMP = "attribute", "localized", "method", "plain", "stamp"
TO_ONE, TO_ONE_ID, TO_MANY, CONSTANT = "to_one", "to_one_id", "to_many", "constant"


class Resources(list):
    """Model instances the view hands to the renderer instead of serialized data."""

    def __init__(self, instances, serializer_class, *, many: bool):
        super().__init__(instances)
        self.serializer_class = serializer_class
        self.many = many


def fast_rendering_enabled() -> bool:
    return getattr(settings, "JSON_API_PLANNED_RENDERING", True)


@dataclass
class ResourcePlan:
    """What a resource type renders, worked out once per serializer class."""

    serializer_class: type
    resource_type: str
    attributes: list[tuple[str, str, object]] = field(default_factory=list)
    relationships: list[tuple[str, str, object, str | None]] = field(default_factory=list)
    link: SelfLinkField | None = None
    id_field: Field | None = None
    included: dict[str, type] = field(default_factory=dict)
    names: frozenset[str] = frozenset()


def _plain_getter(f: Field):
    """A direct attribute read for fields that read one attribute with the stock method."""
    if type(f).get_attribute is Field.get_attribute and len(f.source_attrs) == 1:
        return operator.attrgetter(f.source_attrs[0])
    return None


def _is_iso_stamp(f: Field) -> bool:
    """A DateTimeField written the stock way (ISO 8601 in the current time zone)."""
    return (
        type(f) is serializers.DateTimeField
        and getattr(f, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        and "timezone" not in f.__dict__
    )


def _foreign_key_attname(serializer_class, f) -> str | None:
    """The ``…_id`` column a to-one relationship can be read from without loading the row."""
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    if (
        model is None
        or len(f.source_attrs) != 1
        or type(f).get_attribute is not relations.RelatedField.get_attribute
        or not f.use_pk_only_optimization()
    ):
        return None
    try:
        model_field = model._meta.get_field(f.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if getattr(model_field, "many_to_one", False) or (
        getattr(model_field, "one_to_one", False) and model_field.concrete
    ):
        return model_field.attname
    return None


@cache
def plan_for(serializer_class) -> ResourcePlan:
    prototype = serializer_class()
    plan = ResourcePlan(
        serializer_class=serializer_class,
        resource_type=get_resource_type_from_serializer(serializer_class),
        included=dict(getattr(serializer_class, "included_serializers", None) or {}),
    )
    names = []
    for name, f in prototype.fields.items():
        if f.write_only:
            continue
        if name == api_settings.URL_FIELD_NAME and isinstance(f, SelfLinkField):
            plan.link = f
            continue
        if name == "id":
            plan.id_field = f
            continue
        names.append(name)
        if isinstance(f, _AlwaysEmptyManyField):
            plan.relationships.append((name, CONSTANT, f, {"meta": {"count": 0}, "data": []}))
        elif isinstance(f, UnmodelledRelationship):
            plan.relationships.append((name, CONSTANT, f, {"data": None}))
        elif isinstance(f, relations.ManyRelatedField):
            child = f.child_relation
            resource_type = getattr(child, "get_resource_type_from_included_serializer", None)
            plan.relationships.append((name, TO_MANY, f, resource_type and resource_type()))
        elif isinstance(f, relations.RelatedField):
            resource_type = getattr(f, "get_resource_type_from_included_serializer", None)
            resource_type = resource_type and resource_type()
            attname = _foreign_key_attname(serializer_class, f)
            if resource_type is not None and attname is not None:
                getter = operator.attrgetter(attname)
                plan.relationships.append((name, TO_ONE_ID, (f, getter), resource_type))
            else:
                plan.relationships.append((name, TO_ONE, f, resource_type))
        elif isinstance(f, LocalizedField):
            plan.attributes.append((name, LOCALIZED, f))
        elif isinstance(f, SerializerMethodField):
            plan.attributes.append((name, METHOD, f))
        elif _is_iso_stamp(f) and _plain_getter(f) is not None:
            plan.attributes.append((name, STAMP, _plain_getter(f)))
        else:
            getter = _plain_getter(f)
            if getter is not None:
                plan.attributes.append((name, PLAIN, (getter, f.to_representation)))
            else:
                plan.attributes.append((name, ATTRIBUTE, f))
    plan.names = frozenset(names)
    return plan


def _include_tree(paths: list[str]) -> dict:
    tree: dict = {}
    for path in paths:
        node = tree
        for segment in path.split("."):
            node = node.setdefault(segment, {})
    return tree


class Renderer:
    """One request's rendering: its locales, sparse fieldsets, link host and the included set."""

    def __init__(self, request, context: dict, method_owners: dict | None = None):
        self.request = request
        self.locales = _request_locales({"request": request}) if request is not None else None
        self.host = request.build_absolute_uri("/")[:-1] if request is not None else ""
        # Serializer methods may read the context (a secret shown once, the locales);
        # the view is left out so the library does not re-validate the include parameter.
        self.method_context = {k: v for k, v in context.items() if k != "view"}
        # One serializer per class answers its method fields; a caller whose context never
        # changes (webhook payloads) may share them between renderers.
        self.method_owners: dict[type, object] = {} if method_owners is None else method_owners
        self.timezone = timezone.get_current_timezone()
        self.stamps: dict = {}  # rows written together share their moments
        self.sparse: dict[str, tuple] = {}
        self.included: dict[tuple[str, str], dict] = {}
        self.walked: set[tuple[str, str, int]] = set()

    def fields_of(self, plan: ResourcePlan):
        """The plan's attributes and relationships after ``fields[type]``."""
        cached = self.sparse.get(plan.resource_type)
        if cached is None:
            wanted = None
            if self.request is not None:
                raw = self.request.query_params.get(f"fields[{plan.resource_type}]")
                if raw is not None:
                    wanted = set(raw.split(","))
            if wanted is None:
                cached = (plan.attributes, plan.relationships)
            else:
                cached = (
                    [a for a in plan.attributes if a[0] in wanted],
                    [r for r in plan.relationships if r[0] in wanted],
                )
            self.sparse[plan.resource_type] = cached
        return cached

    def method_owner(self, serializer_class):
        owner = self.method_owners.get(serializer_class)
        if owner is None:
            owner = serializer_class(context=self.method_context)
            self.method_owners[serializer_class] = owner
        return owner

    def stamp(self, value) -> str:
        """What DRF's DateTimeField writes, with the time zone looked up once per request."""
        key = (value, value.tzinfo is None)
        text = self.stamps.get(key)
        if text is None:
            if len(self.stamps) > 64:
                self.stamps.clear()
            text = self.stamps[key] = self._stamp(value)
        return text

    def _stamp(self, value) -> str:
        if value.tzinfo is None:
            value = timezone.make_aware(value, self.timezone)
        else:
            value = value.astimezone(self.timezone)
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def localized(self, value) -> dict:
        value = value or {}
        wanted = self.locales if self.locales is not None else LOCALES
        return {loc: value[loc] for loc in wanted if loc in value}

    def resource(self, plan: ResourcePlan, obj) -> dict:
        attributes_plan, relationships_plan = self.fields_of(plan)
        if plan.id_field is not None:
            raw_id = plan.id_field.get_attribute(obj)
            resource_id = None if raw_id is None else str(plan.id_field.to_representation(raw_id))
        else:
            pk = getattr(obj, "pk", None)
            resource_id = None if pk is None else str(pk)
        document = {"type": plan.resource_type, "id": resource_id}
        attributes = {}
        for name, kind, spec in attributes_plan:
            if kind == PLAIN:
                getter, represent = spec
                value = getter(obj)
                attributes[name] = None if value is None else represent(value)
            elif kind == STAMP:
                value = spec(obj)
                attributes[name] = None if not value else self.stamp(value)
            elif kind == LOCALIZED:
                value = get_attribute(obj, spec.source_attrs)
                attributes[name] = None if value is None else self.localized(value)
            elif kind == METHOD:
                owner = self.method_owner(plan.serializer_class)
                attributes[name] = getattr(owner, spec.method_name)(obj)
            else:
                try:
                    value = spec.get_attribute(obj)
                except SkipField:
                    continue
                attributes[name] = None if value is None else spec.to_representation(value)
        if attributes:
            document["attributes"] = attributes
        relationships = {}
        for name, kind, spec, resource_type in relationships_plan:
            if kind == TO_ONE_ID:
                value = spec[1](obj)
                relationships[name] = {
                    "data": None if value is None else {"type": resource_type, "id": str(value)}
                }
            elif kind == CONSTANT:
                relationships[name] = resource_type
            elif kind == TO_ONE:
                value = spec.get_attribute(obj)
                if value is None or getattr(value, "pk", None) is None:
                    relationships[name] = {"data": None}
                elif resource_type is not None:
                    relationships[name] = {"data": {"type": resource_type, "id": str(value.pk)}}
                else:
                    relationships[name] = {"data": spec.to_representation(value)}
            else:
                values = spec.get_attribute(obj)
                if resource_type is not None:
                    data = [{"type": resource_type, "id": str(v.pk)} for v in values]
                else:
                    data = spec.to_representation(values)
                relationships[name] = {"meta": {"count": len(data)}, "data": data}
        if relationships:
            document["relationships"] = relationships
        if plan.link is not None:
            document["links"] = {"self": self.host + plan.link.path_for(obj)}
        return document

    def include(self, plan: ResourcePlan, obj, tree: dict) -> None:
        """Adds what ``tree`` (the include paths below this object) reaches from ``obj``."""
        # As the library does: a relationship left out by fields[type] is still followed.
        relationships = {r[0]: r for r in plan.relationships}
        for name, subtree in tree.items():
            relationship = relationships.get(name)
            if relationship is None or name not in plan.included:
                continue
            _, kind, spec, _ = relationship
            if kind == CONSTANT:
                continue
            if kind == TO_ONE_ID:
                spec = spec[0]
            if kind in (TO_ONE, TO_ONE_ID):
                related = spec.get_attribute(obj)
                if isinstance(related, PKOnlyObject):
                    related = get_attribute(obj, spec.source_attrs)
                if isinstance(related, Manager):
                    targets = list(related.all())
                else:
                    targets = [] if related is None else [related]
            else:
                targets = list(spec.get_attribute(obj))
            child_plan = plan_for(plan.included[name])
            for target in targets:
                key = (child_plan.resource_type, str(target.pk))
                if key not in self.included:
                    self.included[key] = self.resource(child_plan, target)
                if subtree:
                    walk = (*key, id(subtree))
                    if walk not in self.walked:
                        self.walked.add(walk)
                        self.include(child_plan, target, subtree)


class JsonApiRenderer(JSONRenderer):
    """Planned rendering for ``Resources``; everything else goes to the library's renderer."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        results = data.get("results") if isinstance(data, dict) else data
        response = renderer_context.get("response")
        if not isinstance(results, Resources) or (
            response is not None and response.status_code >= 400
        ):
            return super().render(data, accepted_media_type, renderer_context)
        if get_resource_name(renderer_context) == "errors":
            return super().render(data, accepted_media_type, renderer_context)
        request = renderer_context.get("request")
        view = renderer_context.get("view")
        context = view.get_serializer_context() if view is not None else {"request": request}
        render = Renderer(request, context)
        plan = plan_for(results.serializer_class)
        include_paths = get_included_resources(request) if request is not None else []
        tree = _include_tree(include_paths)
        primary = [render.resource(plan, obj) for obj in results]
        if tree:
            for obj in results:
                render.include(plan, obj, tree)
        document = {}
        if isinstance(data, dict) and data.get("links"):
            document["links"] = data["links"]
        document["data"] = primary if results.many else (primary[0] if primary else None)
        if include_paths:
            for resource in primary:
                render.included.pop((resource["type"], resource["id"]), None)
            document["included"] = [render.included[k] for k in sorted(render.included)]
        meta = data.get("meta") if isinstance(data, dict) else None
        if meta:
            document["meta"] = meta
        # Date-times a serializer method returns as objects go through DRF's encoder, which
        # writes them its own way (milliseconds, "Z").
        try:
            return orjson.dumps(document, default=_fallback, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except orjson.JSONEncodeError:  # e.g. an integer past 64 bits echoed from the query
            return json.dumps(
                document, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":")
            ).encode()


_encoder = JSONEncoder()


def _fallback(value):
    """What orjson does not know (Decimal, lazy strings, …) the way DRF's encoder writes it."""
    return _encoder.default(value)
