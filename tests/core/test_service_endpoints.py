"""/health, /v3/oas3.json and /v3/docs."""

import pytest
from openapi_spec_validator import validate

from apps.core.scopes import SCOPES

pytestmark = pytest.mark.django_db


def test_health_ok(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_health_reports_a_failing_database(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("apps.core.views_meta.connection.cursor", refuse)

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed"


@pytest.fixture
def document(client):
    response = client.get("/v3/oas3.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_is_valid(document):
    validate(document)


def test_openapi_covers_the_administration_endpoints(document):
    listing = document["paths"]["/v3/administrations"]["get"]
    names = {p["name"] for p in listing["parameters"]}

    assert {"page[number]", "page[size]", "sort", "include", "fields[administration]"} <= names
    assert {"filter[name]", "filter[utc_offset]", "filter[id]", "filter[currency]"} <= names
    assert listing["security"] == [{"ApiKey": []}, {"OAuth2": ["administration|read"]}]
    assert "get" in document["paths"]["/v3/administrations/{id}"]
    assert "post" not in document["paths"]["/v3/administrations"]


def test_openapi_security_schemes_list_every_scope(document):
    schemes = document["components"]["securitySchemes"]

    assert schemes["ApiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-KEY"}
    flows = schemes["OAuth2"]["flows"]
    assert flows["authorizationCode"]["scopes"] == SCOPES
    assert set(flows["clientCredentials"]["scopes"]) == set(SCOPES)
    assert flows["authorizationCode"]["scopes"]["reservation|read"] == "Read reservations"


def test_docs_page_renders(client):
    response = client.get("/v3/docs")

    assert response.status_code == 200
    assert b"/v3/oas3.json" in response.content


def test_openapi_lists_the_webhook_events(document):
    from apps.webhooks.events import EVENTS

    assert document["x-webhook-events"] == EVENTS
    assert "booking.cancelled" in document["info"]["description"]


def test_openapi_covers_every_api_route(document):
    import re

    from config.api_router import urlpatterns

    served = set()
    for pattern in urlpatterns:
        route = str(pattern.pattern).strip("^$")
        route = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", route)
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
        served.add(f"/v3/{route}")

    assert served <= set(document["paths"]), served - set(document["paths"])
    assert "/v3/administrations/{administration_id}/bookings/{id}/customer" in served


def test_openapi_documents_the_statuses_the_server_itself_sends(document):
    # given: the statuses that come from limits, outages and failures rather than from a view
    # (gunicorn's 414 and 431 before Django runs, the rate limiter's 429, 500 and 503)
    operations = [
        (method, operation)
        for item in document["paths"].values()
        for method, operation in item.items()
    ]

    # then: each operation lists them, with Retry-After where the server sends it
    for method, operation in operations:
        responses = operation["responses"]
        assert {"414", "429", "431", "500", "503"} <= set(responses), operation["operationId"]
        assert "Retry-After" in responses["429"]["headers"]
        assert "Retry-After" in responses["503"]["headers"]
        assert ("413" in responses) == (method in ("post", "patch")), operation["operationId"]


def test_swagger_ui_renders_from_the_sidecar(client):
    response = client.get("/v3/docs/swagger-ui")

    assert response.status_code == 200
    assert b"swagger-ui-dist/swagger-ui-bundle.js" in response.content
    assert b"/v3/oas3.json" in response.content


def test_openapi_server_license_and_no_unused_components(document):
    import json

    assert not document["servers"][0]["url"].endswith("/")
    assert document["servers"][0]["url"] == "http://testserver"
    assert document["info"]["license"]["name"] == "MIT"
    text = json.dumps({k: v for k, v in document.items() if k != "components"})
    schemas = document["components"]["schemas"]
    referenced = {name for name in schemas if f'"#/components/schemas/{name}"' in text}
    for name in list(referenced):  # what the referenced components refer to in turn
        referenced |= {
            n for n in schemas if f'"#/components/schemas/{n}"' in json.dumps(schemas[name])
        }
    assert set(schemas) == referenced


def test_openapi_enum_values_get_distinct_names(document):
    energy_label = document["components"]["schemas"]["Category"]["properties"]["attributes"][
        "properties"
    ]["energy_label"]

    assert energy_label["enum"][:5] == ["A++++", "A+++", "A++", "A+", "A"]
    assert "" in energy_label["enum"]  # the server sends "" for an unset label
    names = energy_label["x-enum-varnames"]
    assert len(set(names)) == len(names) == len([v for v in energy_label["enum"] if v is not None])


def test_openapi_statuses_follow_the_operation(document):
    bookings = document["paths"]["/v3/administrations/{administration_id}/bookings"]
    listing = set(bookings["get"]["responses"])
    create = set(bookings["post"]["responses"])

    assert {"200", "400", "401", "403", "404", "406", "414", "429", "503"} <= listing
    assert not {"409", "413", "415", "422"} & listing
    assert {"201", "409", "413", "415", "422"} <= create
    sync = document["paths"]["/v3/administrations/{administration_id}/external_calendars/{id}/sync"]
    assert "202" in sync["post"]["responses"]
    assert "404" not in document["paths"]["/v3/administrations"]["get"]["responses"]


def test_openapi_documents_side_posting(document):
    body = document["paths"]["/v3/administrations/{administration_id}/bookings"]["post"][
        "requestBody"
    ]["content"]["application/vnd.api+json"]["schema"]
    included = body["allOf"][1]["properties"]["included"]["items"]["oneOf"]
    schemas = document["components"]["schemas"]

    assert {ref["$ref"].split("/")[-1] for ref in included} == {
        "SidePostedCustomer",
        "SidePostedReservation",
    }
    meta = schemas["SidePostedCustomer"]["properties"]["meta"]["properties"]
    assert meta["method"]["enum"] == ["create", "update"] and "temp_id" in meta


def test_openapi_documents_filters_with_their_kind(document):
    listing = document["paths"]["/v3/administrations/{administration_id}/bookings"]["get"]
    filters = {p["name"]: p for p in listing["parameters"] if p["name"].startswith("filter[")}

    assert filters["filter[arrival_date]"]["x-filter-term"]["kind"] == "date"
    availability = document["paths"]["/v3/administrations/{administration_id}/availabilities"]
    required = {p["name"] for p in availability["get"]["parameters"] if p.get("required")}
    assert {"filter[arrival_date]", "filter[departure_date]"} <= required
