"""Each kind of bad input the fuzzing found, with the exact answer it now gets.

(test_hostile_input.py throws the same inputs at every route; these pin the status, code and
source of each.)
"""

import json

import pytest
from django.test import override_settings

from apps.bookings.models import Booking
from apps.calendars.models import ExternalCalendar
from apps.rentables.models import Category
from tests.jsonapi import MEDIA_TYPE, JsonApiClient, error_codes
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(administration):
    return f"/v3/administrations/{administration.pk}"


def category_document(name) -> dict:
    return {"data": {"type": "category", "attributes": {"name": name}}}


def test_json_nested_five_thousand_deep_is_400(api, base):
    body = '{"data": ' + '{"a": ' * 5000 + "1" + "}" * 5001

    response = api.post(f"{base}/categories", body)

    assert response.status_code == 400
    assert error_codes(response) == ["FORBIDDEN_INPUT"]
    assert "nests deeper" in response.doc["errors"][0]["detail"]


def test_a_nul_inside_a_localized_attribute_is_400_with_its_pointer(api, base):
    response = api.post(f"{base}/categories", category_document({"en": "a\u0000b"}))

    assert response.status_code == 400
    assert response.doc["errors"][0]["source"] == {"pointer": "/data/attributes/name/en"}
    assert not Category.objects.exists()


def test_a_nul_in_a_filter_value_is_400_naming_the_parameter(api, base):
    response = api.get(f"{base}/customers?filter[first_name]=%00")

    assert response.status_code == 400
    assert error_codes(response) == ["FORBIDDEN_INPUT"]
    assert response.doc["errors"][0]["source"] == {"parameter": "filter[first_name]"}


def test_a_nul_in_a_stored_header_is_400(api, base):
    response = api.post(
        f"{base}/categories", category_document({"en": "A"}), HTTP_IDEMPOTENCY_KEY="a\x00b"
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.doc["errors"][0]["detail"]
    assert not Category.objects.exists()


def test_a_nul_in_the_ical_token_is_404(anon):
    response = anon.get("/ical/%00.ics")

    assert response.status_code == 404
    assert response["Content-Type"].startswith(MEDIA_TYPE)


def test_superscript_digits_as_ids_in_the_path_are_404(api, base):
    detail = api.get(f"{base}/categories/%C2%B2")  # "²": isdigit() is true, int() fails
    tenant = api.get("/v3/administrations/%C2%B2/categories")

    assert (detail.status_code, tenant.status_code) == (404, 404)
    assert error_codes(detail) == error_codes(tenant) == ["RESOURCE_NOT_FOUND"]


def test_arabic_indic_digits_do_not_alias_an_id(api, administration):
    # int("١") == 1: without an ASCII check the path would reach the administration
    odd = "".join(chr(0x660 + int(digit)) for digit in str(administration.pk))

    response = api.get(f"/v3/administrations/{odd}/categories")

    assert response.status_code == 404


def test_odd_digits_in_the_ical_calendar_query_are_404(anon, administration):
    rentable = RentableFactory(category__administration=administration)
    ExternalCalendar.objects.create(
        administration=administration, rentable=rentable, ical_url="https://example.com/x.ics"
    )

    response = anon.get(f"/ical/{rentable.ical_export_token}.ics?calendar=%C2%B2")

    assert response.status_code == 404
    assert response["Content-Type"].startswith(MEDIA_TYPE)


def test_odd_digits_in_page_number_are_400(api, base):
    response = api.get(f"{base}/categories?page[number]=%C2%B2")

    assert response.status_code == 400
    assert response.doc["errors"][0]["source"] == {"parameter": "page[number]"}


def test_a_side_posted_customer_id_of_odd_digits_is_422(api, base):
    document = {
        "data": {
            "type": "booking",
            "relationships": {"customer": {"data": {"type": "customer", "id": "²"}}},
        }
    }

    response = api.post(f"{base}/bookings", document)

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"] == {"pointer": "/data/relationships/customer/data"}
    assert not Booking.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "big-one"}])
def test_a_body_over_the_upload_limit_is_413(api, base, headers):
    document = category_document({"en": "x" * 20_000})

    response = api.post(f"{base}/categories", document, **headers)

    assert response.status_code == 413
    assert error_codes(response) == ["PAYLOAD_TOO_LARGE"]
    assert not Category.objects.exists()


def test_invalid_json_and_nan_are_400(api, base):
    broken = api.post(f"{base}/categories", '{"data": ')
    nan = api.post(f"{base}/categories", '{"data": {"type": "category", "attributes": {"x": NaN}}}')
    not_utf8 = api.post(f"{base}/categories", b'{"data": "\xff"}')

    assert [broken.status_code, nan.status_code, not_utf8.status_code] == [400, 400, 400]


@pytest.mark.parametrize("method", ["patch", "delete", "post"])
def test_unusual_ids_with_csrf_enforced_get_a_jsonapi_404(administration, make_key, method):
    # "a.b" matches no route ([^/.]+), so it reaches the /v3 catch-all: with CSRF checks on
    # (as on a real server) that answered 403 text/html.
    client = JsonApiClient(enforce_csrf_checks=True).authorize(make_key(administration))
    path = f"/v3/administrations/{administration.pk}/bookings/a.b"

    body = json.dumps({"data": {"type": "booking"}})
    response = client.generic(method.upper(), path, body, MEDIA_TYPE)

    assert response.status_code == 404
    assert response["Content-Type"].startswith(MEDIA_TYPE)
    assert error_codes(response) == ["RESOURCE_NOT_FOUND"]


def test_the_openapi_document_answers_other_methods_with_a_jsonapi_405():
    client = JsonApiClient(enforce_csrf_checks=True)

    response = client.post("/v3/oas3.json", "{}")

    assert response.status_code == 405
    assert error_codes(response) == ["METHOD_NOT_ALLOWED"]
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ({"attributes": {"type": "label"}}, "/data/attributes/type"),
        ({"attributes": {"id": "7"}}, "/data/attributes/id"),
        ({"relationships": {"id": {"data": None}}}, "/data/relationships/id"),
        (
            {"attributes": {"category": "3"}, "relationships": {"category": {"data": None}}},
            "/data/attributes/category",
        ),
    ],
)
def test_fields_named_like_the_resource_members_or_each_other_are_400(api, base, document, pointer):
    # when: a rentable whose fields would overwrite its type, its id or a relationship
    body = {"data": {"type": "rentable", **document}}
    body["data"].setdefault("attributes", {})["name"] = "Unit 9"
    response = api.post(f"{base}/rentables", body)

    # then
    assert response.status_code == 400
    assert response.doc["errors"][0]["source"] == {"pointer": pointer}
