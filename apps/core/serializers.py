"""Serializer building blocks shared by every resource."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from rest_framework import serializers
from rest_framework.relations import HyperlinkedIdentityField, ManyRelatedField
from rest_framework_json_api import serializers as jsonapi
from rest_framework_json_api.relations import ResourceRelatedField

from apps.core import models as core_models
from apps.core import visibility
from apps.core.localization import LOCALES, requested_locales

MAX_LOCALIZED_LENGTH = 20_000


class Relationship(ResourceRelatedField):
    """The JSON:API library's related field, working out its resource type once per field.

    The library derives it per row (inflecting the field name against the included
    serializers), which cost more than the rest of an availability response together.
    """

    def get_resource_type_from_included_serializer(self):
        if not hasattr(self, "_included_type"):
            self._included_type = super().get_resource_type_from_included_serializer()
        return self._included_type


def _request_locales(context) -> tuple[str, ...] | None:
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "_requested_locales"):
        request._requested_locales = requested_locales(request.headers.get("Accept-Language"))
    return request._requested_locales


class LocalizedField(serializers.Field):
    """``{"en": "…", "nl": "…"}``; reads are limited by ``Accept-Language``; writes merge keys.

    A key set to ``null`` removes that locale. ``many=True`` holds a list of strings per locale
    (the vendor's "localized string list", e.g. ``usps``).
    """

    default_error_messages = {
        "not_object": "Expected an object keyed by locale.",
        "unknown_locale": "Unknown locale '{locale}'. Supported: {supported}.",
        "not_text": "The value for '{locale}' must be a string or null.",
        "not_list": "The value for '{locale}' must be a list of strings or null.",
        "too_long": "The value for '{locale}' is longer than {max} characters.",
    }

    def __init__(self, *, many: bool = False, **kwargs):
        self.many = many
        super().__init__(**kwargs)

    def to_representation(self, value):
        value = value or {}
        wanted = _request_locales(self.context)
        if wanted is None:
            return {loc: value[loc] for loc in LOCALES if loc in value}
        return {loc: value[loc] for loc in wanted if loc in value}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_object")
        for locale, text in data.items():
            self._check(locale, text)
        instance = getattr(self.parent, "instance", None)
        current = dict(getattr(instance, self.source, None) or {}) if instance is not None else {}
        for locale, text in data.items():
            if text is None:
                current.pop(locale, None)
            else:
                current[locale] = text
        return {loc: current[loc] for loc in LOCALES if loc in current}

    def _check(self, locale, text) -> None:
        if locale not in LOCALES:
            self.fail("unknown_locale", locale=locale, supported=", ".join(LOCALES))
        if text is None:
            return
        if self.many:
            if not isinstance(text, list) or not all(isinstance(t, str) for t in text):
                self.fail("not_list", locale=locale)
            size = sum(len(t) for t in text)
        else:
            if not isinstance(text, str):
                self.fail("not_text", locale=locale)
            size = len(text)
        if size > MAX_LOCALIZED_LENGTH:
            self.fail("too_long", locale=locale, max=MAX_LOCALIZED_LENGTH)


class LocaleListField(serializers.ListField):
    """A list of supported locale codes, e.g. ``available_locales``."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=LOCALES), **kwargs)


class SelfLinkField(HyperlinkedIdentityField):
    """The resource's ``links.self``; nested routes get their ``administration_id`` filled in."""

    def __init__(self, view_name: str, administration_source: str = "administration_id", **kwargs):
        self.administration_source = administration_source
        self._templates: dict[bool, str] = {}
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(view_name=view_name, **kwargs)

    def get_url(self, obj, view_name, request, format):
        kwargs = {"pk": obj.pk}
        administration_id = obj
        for part in self.administration_source.split("."):
            administration_id = getattr(administration_id, part, None)
        if administration_id is not None and view_name != "v3:administration-detail":
            kwargs["administration_id"] = administration_id
        path = reverse(view_name, kwargs=kwargs)
        return request.build_absolute_uri(path) if request else path

    def path_for(self, obj) -> str:
        """The same path as ``get_url``, from a template reversed once (no reverse per row)."""
        administration_id = obj
        for part in self.administration_source.split("."):
            administration_id = getattr(administration_id, part, None)
        nested = administration_id is not None and self.view_name != "v3:administration-detail"
        template = self._templates.get(nested)
        if template is None:
            kwargs = {"pk": "__pk__"}
            if nested:
                kwargs["administration_id"] = "__administration__"
            template = (
                reverse(self.view_name, kwargs=kwargs)
                .replace("{", "{{")
                .replace("}", "}}")
                .replace("__pk__", "{pk}")
                .replace("__administration__", "{administration}")
            )
            self._templates[nested] = template
        return template.format(pk=obj.pk, administration=administration_id)


class ResourceSerializer(jsonapi.ModelSerializer):
    """Base for every resource: DJA's sparse fieldsets and includes, plus a self link.

    Input is strict about names: an attribute or relationship the resource does not have is a
    422 (a typo must not be dropped silently); read-only attributes are ignored so a client
    can send back what it read; unmodelled relationships may only be set to null / [].
    """

    IGNORED_KEYS = {"id", "type", "_meta", "_included", "_relationship_names"}
    serializer_related_field = Relationship
    # Relations the representation itself reads (a to-many relationship's ids, a fallback);
    # the include plans (apps.core.includes) prefetch them wherever this type is rendered.
    render_loads: tuple[str, ...] = ()

    def to_internal_value(self, data):
        problems = self._name_problems(data)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if problems and isinstance(exc.detail, dict):
                exc.detail.update(problems)
            raise
        if problems:
            raise serializers.ValidationError(problems)
        return value

    def _name_problems(self, data) -> dict[str, list[str]]:
        problems = {}
        for name, value in data.items():
            if name in self.IGNORED_KEYS:
                continue
            field = self.fields.get(name)
            if field is None:
                problems[name] = [f"'{name}' is not a member of this resource."]
                continue
            relation = getattr(field, "child_relation", field)
            if isinstance(relation, UnmodelledRelationship) and value:
                problems[name] = [
                    f"'{name}' cannot be set: {relation.unmodelled_type} is not available yet."
                ]
        return problems

    def require_order(
        self, attrs, first: str, second: str, message: str, *, strict: bool = True
    ) -> None:
        """A 422 on ``second`` unless it comes after ``first`` (values from the request, else
        from the resource being changed)."""
        low = attrs.get(first, getattr(self.instance, first, None))
        high = attrs.get(second, getattr(self.instance, second, None))
        if low is not None and high is not None and (low >= high if strict else low > high):
            raise serializers.ValidationError({second: message})

    def build_field(self, field_name, info, model_class, nested_depth):
        model_field = info.fields.get(field_name)
        if isinstance(model_field, core_models.LocalizedField):
            return LocalizedField, {"required": False}
        return super().build_field(field_name, info, model_class, nested_depth)


class UtcTimeField(serializers.Field):
    """A time of day in UTC, written ``14:15:22Z`` (the vendor's format); ``Z`` optional on input."""

    default_error_messages = {"invalid": "Expected a time like 14:15 or 14:15:22Z."}

    def to_representation(self, value):
        return value.strftime("%H:%M:%SZ")

    def to_internal_value(self, data):
        text = data[:-1] if isinstance(data, str) and data.endswith("Z") else data
        try:
            return dt.time.fromisoformat(text)
        except (TypeError, ValueError):
            self.fail("invalid")


class TimesOfWeekField(serializers.ListField):
    """Seven ``HH:MM`` times, Monday first (check-in and check-out times)."""

    def __init__(self, **kwargs):
        child = serializers.RegexField(
            r"^([01]\d|2[0-3]):[0-5]\d$", error_messages={"invalid": "Expected a time like 15:00."}
        )
        super().__init__(child=child, max_length=7, **kwargs)


class WeekdaysField(serializers.ListField):
    """Distinct lower-case English weekday names (``["friday", "saturday"]``); ``[]`` or null:
    any day."""

    DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

    def __init__(self, **kwargs):
        child = serializers.ChoiceField(
            self.DAYS,
            error_messages={
                "invalid_choice": "'{input}' is not a weekday; use lower-case English names."
            },
        )
        super().__init__(child=child, max_length=7, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        days = super().to_internal_value(data)
        if len(set(days)) != len(days):
            raise serializers.ValidationError("Each weekday may be named once.")
        return days

    def validate_empty_values(self, data):
        if data is None:
            return True, []  # stored as "no restriction"
        return super().validate_empty_values(data)


class UnmodelledRelationship(Relationship):
    """A vendor relationship whose target this product does not model yet.

    It is present in every document (``data: null`` or ``[]``) so clients see the vendor's
    shape; a request that tries to set it is refused with a 422 by ``ResourceSerializer``.
    """

    def __init__(self, resource_type: str, **kwargs):
        self.Meta = type("Meta", (), {"resource_name": resource_type})
        self.unmodelled_type = resource_type
        # "pk" only so the JSON:API renderer finds something to resolve; nothing is read.
        kwargs.update(read_only=True, source="pk")
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return None

    @classmethod
    def many_init(cls, *args, **kwargs):
        field = super().many_init(*args, **kwargs)
        return _AlwaysEmptyManyField(**{**field._kwargs, "source": "pk", "read_only": True})


class _AlwaysEmptyManyField(ManyRelatedField):
    def get_attribute(self, instance):
        return []


class TenantRelatedField(Relationship):
    """A writable relationship: its ids resolve only to what the request's credentials could
    read (the same read queryset, see ``apps.core.visibility``); anything else is 422, exactly
    like an id that does not exist."""

    def get_queryset(self):
        queryset = super().get_queryset()
        view = self.context.get("view")
        if getattr(view, "administration", None) is None:
            return queryset.none()
        return visibility.readable(view, queryset.model)

    def to_internal_value(self, data):
        # A bulk write (apps.core.operations) resolves the ids of many documents at once, with
        # the same read queryset, into ``context["preloaded"]``: no query per document.
        preloaded = (self.context.get("preloaded") or {}).get(self.queryset.model)
        if (
            preloaded is not None
            and isinstance(data, dict)
            and data.get("type") == self.get_resource_type_from_included_serializer()
            and isinstance(data.get("id"), str)
            and data["id"] in preloaded
        ):
            return preloaded[data["id"]]
        return super().to_internal_value(data)


def money(amount, currency: str) -> dict:
    """The vendor's money object: both members strings, never floats."""
    return {"currency": currency, "value": f"{Decimal(amount):.2f}"}


class MoneyField(serializers.Field):
    """``{"currency": "EUR", "value": "12.50"}``. The currency is the administration's: input
    may omit it, and may not name another."""

    default_error_messages = {
        # Braces doubled: DRF formats these messages with str.format.
        "invalid": 'Expected a money object like {{"currency": "EUR", "value": "12.50"}}.',
        "currency": "Amounts here are in {expected}, not {given}.",
        "negative": "The amount may not be negative.",
    }

    def __init__(self, *, currency_source: str = "currency", **kwargs):
        self.currency_source = currency_source
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        amount = super().get_attribute(instance)
        currency = instance
        for part in self.currency_source.split("."):
            currency = getattr(currency, part)
        return None if amount is None else money(amount, currency)

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        if not isinstance(data, dict) or set(data) - {"currency", "value"} or "value" not in data:
            self.fail("invalid")
        view = self.context.get("view")
        expected = getattr(getattr(view, "administration", None), "currency", None)
        given = data.get("currency")
        if given is not None and expected is not None and given != expected:
            self.fail("currency", expected=expected, given=given)
        try:
            amount = Decimal(str(data["value"]))
        except (InvalidOperation, ValueError):
            self.fail("invalid")
        if not amount.is_finite() or abs(amount) >= Decimal("1e10"):
            self.fail("invalid")
        if amount < 0:
            self.fail("negative")
        return amount.quantize(Decimal("0.01"))


class OptionalOneRelationship(Relationship):
    """A to-one relationship that may not exist, such as the reverse of a one-to-one."""

    def get_attribute(self, instance):
        try:
            return getattr(instance, self.source)
        except ObjectDoesNotExist:
            return None
