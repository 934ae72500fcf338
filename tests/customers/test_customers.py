"""Customers and labels through HTTP."""

import pytest

from apps.customers.models import Customer
from tests.factories import AdministrationFactory
from tests.jsonapi import error_codes

pytestmark = pytest.mark.django_db


def url(administration, *parts, collection="customers"):
    return "/".join([f"/v3/administrations/{administration.pk}/{collection}", *map(str, parts)])


def customer_document(customer_id=None, relationships=None, **attributes):
    data = {"type": "customer", "attributes": attributes}
    if customer_id is not None:
        data["id"] = str(customer_id)
    if relationships:
        data["relationships"] = relationships
    return {"data": data}


def test_round_trip_with_labels(api, administration):
    label = api.post(
        url(administration, collection="labels"),
        {"data": {"type": "label", "attributes": {"name": "VIP", "color": "#e91e63"}}},
    )
    assert label.status_code == 201, label.doc
    label_id = label.doc["data"]["id"]

    created = api.post(
        url(administration),
        customer_document(
            title="ms",
            first_name="Sanne",
            last_name="Bakker",
            email="sanne@example.nl",
            country_code="NL",
            locale="nl",
            iban="DE89 3704 0044 0532 0130 00",
            bic="COBADEFFXXX",
            has_custom_invoice_details=True,
            custom_invoice_details={"name": "Bakker BV", "city": "Utrecht", "country_code": "NL"},
            relationships={"labels": {"data": [{"type": "label", "id": label_id}]}},
        ),
    )
    assert created.status_code == 201, created.doc
    attributes = created.doc["data"]["attributes"]
    assert attributes["debtor_code"] == "D000001"
    assert not {"iban", "bic", "has_custom_invoice_details", "custom_invoice_details"} & set(
        attributes
    )
    customer_id = created.doc["data"]["id"]

    patched = api.patch(
        url(administration, customer_id), customer_document(customer_id, city="Utrecht")
    )
    assert patched.doc["data"]["attributes"]["city"] == "Utrecht"

    shown = api.get(url(administration, customer_id) + "?include=labels")
    assert shown.doc["included"][0]["attributes"]["name"] == "VIP"
    stored = Customer.objects.get()
    assert stored.iban == "DE89370400440532013000"
    assert stored.custom_invoice_details["name"] == "Bakker BV"


def test_debtor_codes_are_unique_per_administration_and_read_only(api, administration):
    first = api.post(url(administration), customer_document(last_name="A"))
    second = api.post(url(administration), customer_document(last_name="B", debtor_code="D999999"))

    assert first.doc["data"]["attributes"]["debtor_code"] == "D000001"
    assert second.doc["data"]["attributes"]["debtor_code"] == "D000002"


@pytest.mark.parametrize(
    "attributes, pointer",
    [
        ({"email": "anna@"}, "/data/attributes/email"),
        ({"iban": "GB82 WEST 1234 5698 7654 33"}, "/data/attributes/iban"),
        ({"iban": "XX00 1234"}, "/data/attributes/iban"),
        ({"bic": "ABC"}, "/data/attributes/bic"),
        ({"country_code": "Netherlands"}, "/data/attributes/country_code"),
        ({"locale": "klingon"}, "/data/attributes/locale"),
        ({"title": "dr"}, "/data/attributes/title"),
        ({"date_of_birth": "yesterday"}, "/data/attributes/date_of_birth"),
        ({"is_company": True}, "/data/attributes/company"),
        (
            {"custom_invoice_details": {"country_code": "ZZ"}},
            "/data/attributes/custom_invoice_details/country_code",
        ),
    ],
)
def test_validation(api, administration, attributes, pointer):
    response = api.post(url(administration), customer_document(**attributes))

    assert response.status_code == 422, response.doc
    assert pointer in [e["source"]["pointer"] for e in response.doc["errors"]]
    assert not Customer.objects.exists()


def test_valid_ibans_from_several_countries(api, administration):
    for iban in ("GB82 WEST 1234 5698 7654 32", "NL91ABNA0417164300", "BE68 5390 0754 7034"):
        assert api.post(url(administration), customer_document(iban=iban)).status_code == 201


def test_filters(api, administration):
    api.post(
        url(administration), customer_document(first_name="Jan", last_name="Smit", city="Delft")
    )
    api.post(
        url(administration), customer_document(first_name="Anna", last_name="Jansen", city="Gouda")
    )

    by_name = api.get(url(administration) + "?filter[first_name|last_name]=~jan")
    by_city = api.get(url(administration) + "?filter[city]=!Delft")

    assert len(by_name.doc["data"]) == 2
    assert [c["attributes"]["last_name"] for c in by_city.doc["data"]] == ["Jansen"]


def test_labels_of_another_administration_are_refused(api, administration):
    from apps.customers.services import label_create

    foreign = label_create(administration=AdministrationFactory(), name="Theirs")

    response = api.post(
        url(administration),
        customer_document(
            last_name="X",
            relationships={"labels": {"data": [{"type": "label", "id": str(foreign.pk)}]}},
        ),
    )

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"]["pointer"] == "/data/relationships/labels"


def test_scopes(client_for, administration):
    reader = client_for(administration, "customer|read")

    assert reader.get(url(administration)).status_code == 200
    refused = reader.post(url(administration), customer_document(last_name="X"))
    assert refused.status_code == 403
    assert error_codes(refused) == ["NO_VALID_SCOPE"]
