"""Serializer building blocks shared by every resource."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers
from rest_framework.relations import HyperlinkedIdentityField
from rest_framework_json_api import serializers as jsonapi

from apps.core.localization import LOCALES, requested_locales

MAX_LOCALIZED_LENGTH = 20_000


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

    def __init__(self, view_name: str, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(view_name=view_name, **kwargs)

    def get_url(self, obj, view_name, request, format):
        kwargs = {"pk": obj.pk}
        administration_id = getattr(obj, "administration_id", None)
        if administration_id is not None and view_name != "v3:administration-detail":
            kwargs["administration_id"] = administration_id
        path = reverse(view_name, kwargs=kwargs)
        return request.build_absolute_uri(path) if request else path


class ResourceSerializer(jsonapi.ModelSerializer):
    """Base for every resource: DJA's sparse fieldsets and includes, plus a self link."""

    def build_field(self, field_name, info, model_class, nested_depth):
        from apps.core import models as core_models

        model_field = info.fields.get(field_name)
        if isinstance(model_field, core_models.LocalizedField):
            return LocalizedField, {"required": False}
        return super().build_field(field_name, info, model_class, nested_depth)
