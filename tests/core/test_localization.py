"""Localized attributes: reading by Accept-Language, writing by merging keys."""

import pytest
from rest_framework import serializers

from apps.core.localization import requested_locales
from apps.core.serializers import LocalizedField


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, None),
        ("", None),
        ("*", None),
        ("en", ("en",)),
        ("en,nl", ("en", "nl")),
        ("nl-be, fr;q=0.5", ("nl-BE", "fr")),
        ("en-US,en;q=0.9", ("en",)),
        ("de-AT", ("de-AT",)),
        ("xx, yy", None),
    ],
)
def test_requested_locales(header, expected):
    assert requested_locales(header) == expected


class Holder:
    def __init__(self, description):
        self.description = description


class HolderSerializer(serializers.Serializer):
    description = LocalizedField()
    usps = LocalizedField(many=True, required=False)


def test_writes_merge_keys_and_null_removes_one():
    instance = Holder({"en": "Old", "nl": "Oud", "de": "Alt"})
    serializer = HolderSerializer(
        instance, data={"description": {"en": "New", "de": None}}, partial=True
    )

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["description"] == {"nl": "Oud", "en": "New"}


@pytest.mark.parametrize(
    "value, message",
    [
        ({"xx": "Hi"}, "Unknown locale 'xx'"),
        ({"en": 5}, "must be a string"),
        ("just text", "Expected an object"),
        ({"en": "x" * 20_001}, "longer than"),
    ],
)
def test_invalid_values(value, message):
    serializer = HolderSerializer(data={"description": value})

    assert not serializer.is_valid()
    assert message in str(serializer.errors["description"][0])


def test_string_lists_per_locale():
    serializer = HolderSerializer(data={"description": {}, "usps": {"en": ["Sauna", "Sea view"]}})
    bad = HolderSerializer(data={"description": {}, "usps": {"en": "Sauna"}})

    assert serializer.is_valid()
    assert not bad.is_valid()
