"""The stay_rule resource: CRUD, filters, include, scopes, webhooks, and its effect on stays."""

import datetime as dt

import pytest

from apps.stays.models import StayRule
from apps.webhooks.models import Event, WebhookEndpoint
from apps.webhooks.outbox import relay
from tests.bookings.helpers import TODAY, booking_document, day, guest, stay
from tests.factories import AdministrationFactory
from tests.jsonapi import error_codes
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(administration):
    return CategoryFactory(administration=administration)


def url(administration, *parts):
    return "/".join([f"/v3/administrations/{administration.pk}/stay_rules", *map(str, parts)])


def rule_document(category, rule_id=None, **attributes):
    data = {
        "type": "stay_rule",
        "attributes": {"start_date": day(10), "end_date": day(20), **attributes},
        "relationships": {"category": {"data": {"type": "category", "id": str(category.pk)}}},
    }
    if rule_id is not None:
        data["id"] = str(rule_id)
    return {"data": data}


def test_round_trip_with_webhook_events(api, administration, category):
    WebhookEndpoint.objects.create(
        administration=administration,
        url="https://hooks.example.com/x",
        events=["*"],
        owner_scopes=["stay_rule|read"],
    )
    created = api.post(
        url(administration),
        rule_document(category, minimum_number_of_nights=7, arrival_weekdays=["saturday"]),
    )
    assert created.status_code == 201, created.doc
    rule_id = created.doc["data"]["id"]

    changed = api.patch(
        url(administration, rule_id), rule_document(category, rule_id, closed_to_arrival=True)
    )
    shown = api.get(f"{url(administration, rule_id)}?include=category")
    deleted = api.delete(url(administration, rule_id))

    attributes = changed.doc["data"]["attributes"]
    assert attributes["minimum_number_of_nights"] == 7
    assert attributes["arrival_weekdays"] == ["saturday"]
    assert attributes["closed_to_arrival"] is True and attributes["closed_to_departure"] is False
    assert shown.doc["included"][0]["type"] == "category"
    assert deleted.status_code == 204 and not StayRule.objects.exists()
    relay()
    assert list(Event.objects.values_list("name", flat=True)) == [
        "stay_rule.created",
        "stay_rule.updated",
        "stay_rule.deleted",
    ]


@pytest.mark.parametrize(
    "attributes, pointer",
    [
        ({"end_date": day(10)}, "/data/attributes/end_date"),
        ({"arrival_weekdays": ["sat"]}, "/data/attributes/arrival_weekdays/0"),
        (
            {"minimum_number_of_nights": 5, "maximum_number_of_nights": 4},
            "/data/attributes/maximum_number_of_nights",
        ),
    ],
)
def test_validation(api, administration, category, attributes, pointer):
    response = api.post(url(administration), rule_document(category, **attributes))

    assert response.status_code == 422
    assert pointer in [e["source"]["pointer"] for e in response.doc["errors"]]


def test_category_is_required_and_must_be_this_administrations(api, administration):
    elsewhere = CategoryFactory(administration=AdministrationFactory())
    document = rule_document(elsewhere)

    foreign = api.post(url(administration), document)
    document["data"].pop("relationships")
    missing = api.post(url(administration), document)

    assert foreign.status_code == 422 and missing.status_code == 422
    assert missing.doc["errors"][0]["source"]["pointer"] == "/data/relationships/category"
    assert not StayRule.objects.exists()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("filter[minimum_number_of_nights]=7", ["long"]),
        ("filter[closed_to_arrival]=true", ["closed"]),
        ("filter[arrival_weekdays]=saturday", ["long"]),
        (f"filter[start_date]={day(30)}..", ["closed"]),
        ("filter[category]={other}", ["closed"]),
        ("filter[end_date]=!" + day(20), ["closed"]),
    ],
)
def test_filters(api, administration, category, query, expected):
    other = CategoryFactory(administration=administration)
    StayRule.objects.create(
        administration=administration, category=category, start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=20), minimum_number_of_nights=7,
        arrival_weekdays=["saturday"],
    )  # fmt: skip
    StayRule.objects.create(
        administration=administration, category=other, start_date=TODAY + dt.timedelta(days=30),
        end_date=TODAY + dt.timedelta(days=31), closed_to_arrival=True,
    )  # fmt: skip
    names = {"long": category.pk, "closed": other.pk}

    response = api.get(f"{url(administration)}?{query.format(other=other.pk)}")

    assert response.status_code == 200, response.doc
    found = [int(r["relationships"]["category"]["data"]["id"]) for r in response.doc["data"]]
    assert found == [names[n] for n in expected]


def test_scopes(client_for, administration, category):
    reader = client_for(administration, "stay_rule|read")
    outsider = client_for(administration, "category|read")

    assert reader.get(url(administration)).status_code == 200
    refused = reader.post(url(administration), rule_document(category))
    assert refused.status_code == 403 and error_codes(refused) == ["NO_VALID_SCOPE"]
    assert "stay_rule|write" in refused.doc["errors"][0]["detail"]
    assert outsider.get(url(administration)).status_code == 403


def test_an_override_closes_arrivals_for_its_dates(api, administration, category):
    chalet = RentableFactory(category=category)
    api.post(url(administration), rule_document(category, closed_to_arrival=True))

    inside = api.post(
        f"/v3/administrations/{administration.pk}/bookings",
        booking_document(customer=guest(), stays=[stay(chalet, 19, 22, "a")]),
    )
    after = api.post(
        f"/v3/administrations/{administration.pk}/bookings",
        booking_document(customer=guest(), stays=[stay(chalet, 20, 22, "a")]),
    )

    assert inside.status_code == 422
    assert inside.doc["errors"][0]["meta"]["rule"] == "closed_to_arrival"
    assert after.status_code == 201, after.doc  # end_date is exclusive
