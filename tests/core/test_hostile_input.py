"""Every route under /v3 (and the iCal feed), walked from the URL resolver, meets hostile input:
odd ids in the path, NUL bytes and odd numbers in the query, deep, NUL-laden, oversized or
undecodable bodies. Each answer is below 500 and a JSON:API error document.

Nothing here is written per route: a new route is walked as soon as it is registered.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework_json_api.utils import get_resource_type_from_serializer

from tests.jsonapi import MEDIA_TYPE, JsonApiClient, schema_errors

pytestmark = pytest.mark.django_db

GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)|<(?:\w+:)?(?P<conv>\w+)>")

# "²" and "١" pass str.isdigit(); int() refuses the first and reads the second as 1.
HOSTILE_IDS = ["²", "١", "a.b", "\x00", "9" * 40, "-1", "😀", "%"]
HOSTILE_QUERIES = [
    "filter[name]=%00",
    "filter[id]=%C2%B2",
    "filter[id]=" + "9" * 40,
    "page[number]=" + "9" * 40,
    "page[size]=" + "9" * 40,
    "filter[updated_at]=%C2%B2",
    "page[number]=%C2%B2",
    "page[size]=%D9%A1",
    "include=%00",
    "sort=%00",
    "%00=1",
    "fields[x%00]=a",
    "calendar=%C2%B2",
    "arrival_date=%C2%B2",
]
METHODS = ("get", "post", "patch", "delete")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def routes() -> list[tuple[str, URLPattern]]:
    """Every served route under /v3 and /ical, as a template with {name} placeholders."""
    found = []
    for raw, pattern in _walk(get_resolver().url_patterns):
        text = raw.replace("^", "").replace("$", "")
        if not (text.startswith("v3/") or text.startswith("ical/")):
            continue
        template = "/" + GROUP.sub(lambda m: "{" + (m["name"] or m["conv"]) + "}", text)
        found.append((template, pattern))
    return found


ROUTES = routes()
ROUTE_IDS = [template for template, _ in ROUTES]


def _fill(template: str, **values) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: quote(str(values[m[1]]), safe=""), template)


def _resource_type(pattern) -> str:
    viewset = getattr(pattern.callback, "cls", None)
    serializer = getattr(viewset, "serializer_class", None)
    return get_resource_type_from_serializer(serializer) if serializer else "thing"


def _relationship_names(pattern) -> list[str]:
    viewset = getattr(pattern.callback, "cls", None)
    serializer = getattr(viewset, "serializer_class", None)
    if serializer is None:
        return []
    return [
        name
        for name, field in serializer().fields.items()
        if isinstance(field, (RelatedField, ManyRelatedField))
    ]


def hostile_bodies(pattern) -> list[tuple[str, bytes, dict]]:
    """(label, body, extra request kwargs) sent to every POST and PATCH."""
    resource_type = _resource_type(pattern)
    odd_links = {name: {"data": {"type": name, "id": "²"}} for name in _relationship_names(pattern)}
    side_posted = {
        "data": {
            "type": resource_type,
            "relationships": {
                "customer": {"data": {"type": "customer", "id": "²"}},
                "reservations": {
                    "data": [{"type": "reservation", "id": "²", "meta": {"method": "create"}}]
                },
            },
        },
        "included": [{"type": "reservation", "id": "²", "attributes": {}}],
    }
    documents = {
        "deep": "[" * 5000 + "]" * 5000,
        "deep-in-data": '{"data": ' + '{"a": ' * 5000 + "1" + "}" * 5001,
        "nul-in-localized": json.dumps(
            {"data": {"type": resource_type, "attributes": {"name": {"en": "a\u0000b"}}}}
        ),
        "nul-in-text": json.dumps(
            {"data": {"type": resource_type, "attributes": {"first_name": "\u0000"}}}
        ),
        "nul-in-member-name": json.dumps(
            {"data": {"type": resource_type, "attributes": {"a\u0000": 1}}}
        ),
        "odd-id": json.dumps({"data": {"type": resource_type, "id": "²", "attributes": {}}}),
        "odd-linkage": json.dumps(
            {"data": {"type": resource_type, "id": "1", "relationships": odd_links}}
        ),
        "side-posted-odd-ids": json.dumps(side_posted),
        "nan": '{"data": {"type": "x", "attributes": {"a": NaN}}}',
    }
    bodies = [(label, text.encode(), {}) for label, text in documents.items()]
    bodies.append(("not-utf8", b'{"data": "\xff\xfe"}', {}))
    bodies.append(("idempotent-not-utf8", b"\xff" * 10, {"HTTP_IDEMPOTENCY_KEY": "k"}))
    return bodies


class Walker:
    def __init__(self, client, administration):
        self.client = client
        self.administration = administration
        self.failures: list[str] = []

    def send(self, method: str, path: str, body: bytes | None = None, label: str = "", **extra):
        if body is not None:
            response = self.client.generic(method.upper(), path, body, MEDIA_TYPE, **extra)
        else:
            response = getattr(self.client, method)(path, **extra)
        self.check(f"{method.upper()} {path[:120]} {label} {sorted(extra)}", response)
        return response

    def check(self, where: str, response) -> None:
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{where}: {status} {response.content[:300]!r}")
            return
        if status < 400:
            return
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(MEDIA_TYPE):
            self.failures.append(f"{where}: {status} with {content_type!r}, not JSON:API")
            return
        document = json.loads(response.content)
        problems = schema_errors(document)
        if problems or "errors" not in document:
            self.failures.append(f"{where}: {status} invalid error document {problems}")
        elif any(error["status"] != str(status) for error in document["errors"]):
            self.failures.append(f"{where}: error status differs from {status}")


@pytest.fixture
def walker(administration, make_key):
    # CSRF checks on, as a server enforces them; no retries of 500s into exceptions.
    client = JsonApiClient(enforce_csrf_checks=True)
    client.raise_request_exception = False
    client.authorize(make_key(administration))
    return Walker(client, administration)


def _values(administration, **overrides) -> dict:
    values = {"administration_id": administration.pk, "pk": 1, "token": "no-such-token"}
    values.update(overrides)
    return values


@override_settings(RATE_LIMIT_ENABLED=False)
@pytest.mark.parametrize("template, pattern", ROUTES, ids=ROUTE_IDS)
def test_hostile_ids_in_the_path(walker, template, pattern):
    for slot in ("pk", "administration_id", "token"):
        if "{" + slot + "}" not in template:
            continue
        for odd in HOSTILE_IDS:
            path = _fill(template, **_values(walker.administration, **{slot: odd}))
            for method in METHODS:
                body = b'{"data": {"type": "x", "attributes": {}}}'
                walker.send(method, path, body if method in ("post", "patch") else None)

    assert not walker.failures, "\n".join(walker.failures)


@override_settings(RATE_LIMIT_ENABLED=False)
@pytest.mark.parametrize("template, pattern", ROUTES, ids=ROUTE_IDS)
def test_hostile_query_parameters(walker, template, pattern):
    base = _fill(template, **_values(walker.administration))
    for query in HOSTILE_QUERIES:
        for method in METHODS:
            walker.send(method, f"{base}?{query}")

    assert not walker.failures, "\n".join(walker.failures)


@override_settings(RATE_LIMIT_ENABLED=False)
@pytest.mark.parametrize("template, pattern", ROUTES, ids=ROUTE_IDS)
def test_hostile_bodies(walker, template, pattern):
    base = _fill(template, **_values(walker.administration))
    for label, body, extra in hostile_bodies(pattern):
        for method in ("post", "patch"):
            walker.send(method, base, body, label=label, **extra)

    assert not walker.failures, "\n".join(walker.failures)


@override_settings(RATE_LIMIT_ENABLED=False, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize("template, pattern", ROUTES, ids=ROUTE_IDS)
def test_a_body_over_the_upload_limit(walker, template, pattern):
    base = _fill(template, **_values(walker.administration))
    attributes = {"name": {"en": "x" * 2000}}
    body = json.dumps({"data": {"type": _resource_type(pattern), "attributes": attributes}})
    for extra in ({}, {"HTTP_IDEMPOTENCY_KEY": "big"}):
        for method in ("post", "patch"):
            walker.send(method, base, body.encode(), **extra)

    assert not walker.failures, "\n".join(walker.failures)
