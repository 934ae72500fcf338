"""The OpenAPI document describes what the server sends: every list and detail route, read live
(plain and with every include), validates against the document's own response schema.

With ``OPENAPI_CONTRACT_DUMP=<file>`` the document and the responses are written out, for the CI
step that generates a Python client from the document and parses them with it
(``.ci/openapi_client_check.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

from apps.agenda_periods.models import PeriodType
from apps.agreements.models import Agreement
from apps.agreements.services import agreement_save, owner_create
from apps.calendars.models import ExternalCalendar
from apps.customers.models import Label
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.bookings.helpers import TODAY, booking_document, day, guest, stay
from tests.calendars import feeds
from tests.factories import CustomerFactory
from tests.rentables.factories import (
    AdministrationAmenityFactory,
    AmenityOptionFactory,
    RentableFactory,
)

pytestmark = pytest.mark.django_db

JSONAPI = "application/vnd.api+json"
# Filters a collection cannot be read without (availabilities, calendar days).
REQUIRED_FILTERS = {
    "filter[arrival_date]": day(5),
    "filter[departure_date]": day(8),
    "filter[date]": f"{day(1)}..{day(14)}",
}


def _post(api, url, document, status=201):
    response = api.post(url, document)
    assert response.status_code == status, response.doc
    return response.doc["data"]


@pytest.fixture
def world(api, administration, httpserver, django_capture_on_commit_callbacks, settings):
    """One of everything, made through the API where a client would make it."""
    settings.RATE_LIMIT_ENABLED = False  # one key reads every route, past the per-minute limit
    base = f"/v3/administrations/{administration.pk}"
    rentable = RentableFactory(category__administration=administration)
    other = RentableFactory(category=rentable.category, administration=administration)
    RentableFactory(category__administration=administration)  # a category without rates
    option = AmenityOptionFactory()
    AdministrationAmenityFactory(administration=administration, amenity=option.amenity)
    AdministrationAmenityFactory(administration=administration, value=None)
    customer = CustomerFactory(administration=administration)
    httpserver.expect_request("/hook").respond_with_data("ok")
    httpserver.expect_request("/feed.ics").respond_with_data(feeds.render(feeds.BOOKING_COM))
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            api,
            f"{base}/webhook_endpoints",
            {
                "data": {
                    "type": "webhook_endpoint",
                    "attributes": {"url": httpserver.url_for("/hook"), "events": ["*"]},
                }
            },
        )
        label = _post(
            api, f"{base}/labels", {"data": {"type": "label", "attributes": {"name": "VIP"}}}
        )
        _post(
            api,
            f"{base}/rates",
            {
                "data": {
                    "type": "rate",
                    "attributes": {
                        "start_date": day(0),
                        "end_date": day(30),
                        "price_per_night": {"value": "89.00"},
                    },
                    "relationships": {
                        "category": {"data": {"type": "category", "id": str(rentable.category_id)}}
                    },
                }
            },
        )
        _post(
            api,
            f"{base}/bookings",
            booking_document(customer=guest(), stays=[stay(rentable, 5, 8, "r1")]),
        )
        _post(api, f"{base}/bookings", booking_document(stays=[stay(other, 20, 22, "r2")]))
        _post(
            api,
            f"{base}/stay_rules",
            {
                "data": {
                    "type": "stay_rule",
                    "attributes": {
                        "start_date": (TODAY + dt.timedelta(days=60)).isoformat(),
                        "end_date": (TODAY + dt.timedelta(days=90)).isoformat(),
                        "minimum_number_of_nights": 7,
                    },
                    "relationships": {
                        "category": {"data": {"type": "category", "id": str(rentable.category_id)}}
                    },
                }
            },
        )
        _post(
            api,
            f"{base}/external_calendars",
            {
                "data": {
                    "type": "external_calendar",
                    "attributes": {
                        "name": "Booking.com",
                        "ical_url": httpserver.url_for("/feed.ics"),
                    },
                    "relationships": {
                        "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}
                    },
                }
            },
        )
    customer.labels.add(Label.objects.get(pk=label["id"]))
    owner = owner_create(administration=administration, name="Familie Visser", email="v@example.nl")
    agreement_save(
        agreement=Agreement(
            administration=administration,
            owner=owner,
            rentable=other,
            name="Rental",
            active_from=TODAY,
            active_till=None,
            owner_can_edit_agenda_periods=True,
        )
    )
    AgendaPeriodFactory(rentable=rentable, start_date=TODAY + dt.timedelta(days=1))
    AgendaPeriodFactory(
        rentable=other,
        period_type=PeriodType.OWNER_MAINTENANCE,
        start_date=TODAY + dt.timedelta(days=30),
    )
    AgendaPeriodFactory(
        rentable=other,
        period_type=PeriodType.EXTERNAL_BLOCKED,
        external_calendar=ExternalCalendar.objects.get(rentable=rentable),
        start_date=TODAY + dt.timedelta(days=40),
    )
    return {"label": label}


def _schema_for(document, operation, status="200"):
    schema = operation["responses"][status]["content"][JSONAPI]["schema"]
    return {**schema, "components": document["components"]}


def _include_values(operation) -> list[str]:
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "include":
            return parameter["schema"].get("items", {}).get("enum", [])
    return []


def _required_query(operation) -> dict:
    query = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and parameter.get("required"):
            query[parameter["name"]] = REQUIRED_FILTERS[parameter["name"]]
    return query


def _explain(url, query, error) -> str:
    """The most specific reason (inside a ``oneOf``, the closest alternative's)."""
    if error.context:
        # the alternative for the resource's own type: the one whose `type` matched
        by_alternative = {}
        for cause in error.context:
            by_alternative.setdefault(cause.relative_schema_path[0], []).append(cause)
        own = [
            causes
            for causes in by_alternative.values()
            if not any(list(c.relative_path) == ["type"] for c in causes)
        ]
        error = best_match(own[0] if own else error.context)
    where = "/".join(map(str, error.absolute_path))
    return f"{url} {sorted(query)}: /{where}: {error.message[:200]}"


def _read(api, url, query):
    response = api.get(url, query)
    assert response.status_code == 200, (url, query, response.content[:500])
    return response.doc


def test_every_read_route_answers_as_its_document_says(api, administration, world, client):
    document = client.get("/v3/oas3.json").json()
    reads = {path: item["get"] for path, item in document["paths"].items() if "get" in item}
    checked, problems, first_ids, included_types = [], [], {}, set()
    for path in sorted(reads, key=lambda p: (p.endswith("{id}"), p)):
        operation = reads[path]
        url = path.replace("{administration_id}", str(administration.pk))
        if "{id}" in url:
            list_path = path.removesuffix("/{id}")
            assert first_ids.get(list_path), f"no data listed at {list_path} to read {path} with"
            url = url.replace("{id}", first_ids[list_path])
        assert not re.search(r"{\w+}", url), url
        query = _required_query(operation)
        includes = _include_values(operation)
        variants = [query] + ([{**query, "include": ",".join(includes)}] if includes else [])
        if not path.endswith("{id}") and any(
            p["name"] == "page[after]" for p in operation.get("parameters", [])
        ):
            variants.append({**query, "page[after]": "", "page[size]": "1"})  # cursor mode
        validator = OAS30ReadValidator(
            _schema_for(document, operation), format_checker=oas30_format_checker
        )
        for variant in variants:
            body = _read(api, url, variant)
            if not path.endswith("{id}") and isinstance(body.get("data"), list):
                first_ids.setdefault(path, body["data"][0]["id"] if body["data"] else None)
            included_types |= {resource["type"] for resource in body.get("included", [])}
            checked.append({"path": path, "url": url, "query": variant, "body": body})
            problems += [_explain(url, variant, error) for error in validator.iter_errors(body)]
    assert not problems, "\n".join(problems[:40])
    # every read route was walked, lists with data (so their detail routes were read too)
    assert {c["path"] for c in checked} == set(reads)
    assert {"customer", "label", "reservation", "rentable", "category", "owner"} <= included_types
    empty = [p for p, first in first_ids.items() if first is None]
    assert not empty, f"lists without data, so not really checked: {empty}"
    dump = os.environ.get("OPENAPI_CONTRACT_DUMP")
    if dump:
        with open(dump, "w") as handle:
            json.dump({"document": document, "responses": checked}, handle)
