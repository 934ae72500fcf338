"""The validator used on every response must itself accept and refuse what the spec does."""

import json

import pytest

from tests.jsonapi import SCHEMA_DIR, schema_errors

SAMPLES = SCHEMA_DIR / "tests" / "response"


@pytest.mark.parametrize("path", sorted((SAMPLES / "valid").rglob("*.json")), ids=str)
def test_official_valid_samples_pass(path):
    assert schema_errors(json.loads(path.read_text())) == []


@pytest.mark.parametrize("path", sorted((SAMPLES / "invalid").rglob("*.json")), ids=str)
def test_official_invalid_samples_fail(path):
    assert schema_errors(json.loads(path.read_text())) != []


def test_an_error_with_a_numeric_status_is_refused():
    assert schema_errors({"errors": [{"status": 404}]}) != []
