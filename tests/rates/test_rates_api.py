"""The rate resource: CRUD, validation, overlaps, filters, sort, include, scopes, webhooks, and
the category's price summary."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.core.tombstones import deleted_ids
from apps.rates.models import Rate
from apps.webhooks.models import Event, WebhookEndpoint
from apps.webhooks.outbox import relay
from tests.bookings.helpers import TODAY, day
from tests.factories import AdministrationFactory
from tests.jsonapi import error_codes
from tests.rates.factories import RateFactory
from tests.rentables.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(administration):
    return CategoryFactory(administration=administration)


def url(administration, *parts):
    return "/".join([f"/v3/administrations/{administration.pk}/rates", *map(str, parts)])


def rate_document(category, rate_id=None, *, start=10, end=20, price="89.00", **attributes):
    data = {
        "type": "rate",
        "attributes": {
            "start_date": day(start),
            "end_date": day(end),
            "price_per_night": {"currency": "EUR", "value": price},
            **attributes,
        },
        "relationships": {"category": {"data": {"type": "category", "id": str(category.pk)}}},
    }
    if rate_id is not None:
        data["id"] = str(rate_id)
    return {"data": data}


def test_round_trip_with_webhook_events(api, administration, category):
    # given
    WebhookEndpoint.objects.create(
        administration=administration,
        url="https://hooks.example.com/x",
        events=["*"],
        owner_scopes=["rate|read"],
    )
    # when
    created = api.post(url(administration), rate_document(category, minimum_number_of_nights=7))
    assert created.status_code == 201, created.doc
    rate_id = created.doc["data"]["id"]
    changed = api.patch(
        url(administration, rate_id), rate_document(category, rate_id, price="79.50")
    )
    shown = api.get(f"{url(administration, rate_id)}?include=category")
    deleted = api.delete(url(administration, rate_id))
    # then
    assert created["Location"].endswith(f"/rates/{rate_id}")
    attributes = changed.doc["data"]["attributes"]
    assert attributes["price_per_night"] == {"currency": "EUR", "value": "79.50"}
    assert attributes["minimum_number_of_nights"] == 7
    assert attributes["start_date"] == day(10) and attributes["end_date"] == day(20)
    assert shown.doc["included"][0]["type"] == "category"
    assert shown.doc["included"][0]["id"] == str(category.pk)
    assert deleted.status_code == 204 and not Rate.objects.exists()
    assert [rate_id] == deleted_ids(
        administration_id=administration.pk, resource_type="rate", since=None, until=None
    )
    relay()
    events = list(Event.objects.order_by("occurred_at"))
    assert [event.name for event in events] == ["rate.created", "rate.updated", "rate.deleted"]
    assert events[2].data["id"] == rate_id


@pytest.mark.parametrize(
    "attributes, pointer",
    [
        ({"end_date": day(10)}, "/data/attributes/end_date"),
        ({"minimum_number_of_nights": 0}, "/data/attributes/minimum_number_of_nights"),
        (
            {"price_per_night": {"currency": "USD", "value": "80.00"}},
            "/data/attributes/price_per_night",
        ),
        (
            {"price_per_night": {"currency": "EUR", "value": "-1"}},
            "/data/attributes/price_per_night",
        ),
        ({"price_per_night": 80}, "/data/attributes/price_per_night"),
    ],
)
def test_validation(api, administration, category, attributes, pointer):
    # when
    response = api.post(url(administration), rate_document(category, **attributes))
    # then
    assert response.status_code == 422, response.doc
    assert error_codes(response) == ["VALIDATION_FAILED"]
    assert pointer in [e["source"]["pointer"] for e in response.doc["errors"]]
    assert not Rate.objects.exists()


def test_price_and_category_are_required_and_the_category_must_be_this_administrations(
    api, administration
):
    # given
    elsewhere = CategoryFactory(administration=AdministrationFactory())
    document = rate_document(elsewhere)
    # when
    foreign = api.post(url(administration), document)
    document["data"].pop("relationships")
    missing = api.post(url(administration), document)
    del document["data"]["attributes"]["price_per_night"]
    no_price = api.post(url(administration), document)
    # then
    assert foreign.status_code == 422
    assert foreign.doc["errors"][0]["source"]["pointer"] == "/data/relationships/category"
    assert missing.status_code == 422
    assert missing.doc["errors"][0]["source"]["pointer"] == "/data/relationships/category"
    assert no_price.status_code == 422
    assert "/data/attributes/price_per_night" in [
        e["source"]["pointer"] for e in no_price.doc["errors"]
    ]
    assert not Rate.objects.exists()


def test_an_overlap_with_the_same_minimum_is_a_conflict_naming_the_clash(
    api, administration, category
):
    # given
    first = api.post(url(administration), rate_document(category, start=10, end=20))
    # when
    clash = api.post(url(administration), rate_document(category, start=19, end=25))
    # then
    assert clash.status_code == 409
    assert error_codes(clash) == ["CONFLICT"]
    assert f"rate {first.doc['data']['id']}" in clash.doc["errors"][0]["detail"]
    assert Rate.objects.count() == 1


def test_a_null_minimum_clashes_with_a_null_minimum_only(api, administration, category):
    # given
    api.post(url(administration), rate_document(category, start=10, end=20))
    # when
    weekly = api.post(
        url(administration), rate_document(category, start=10, end=20, minimum_number_of_nights=7)
    )
    weekly_again = api.post(
        url(administration), rate_document(category, start=15, end=30, minimum_number_of_nights=7)
    )
    fortnight = api.post(
        url(administration), rate_document(category, start=5, end=30, minimum_number_of_nights=14)
    )
    adjacent = api.post(url(administration), rate_document(category, start=20, end=30))
    other_category = api.post(
        url(administration),
        rate_document(CategoryFactory(administration=administration), start=10, end=20),
    )
    # then
    assert weekly.status_code == 201, weekly.doc
    assert weekly_again.status_code == 409
    assert fortnight.status_code == 201, fortnight.doc
    assert adjacent.status_code == 201, adjacent.doc  # end_date is exclusive
    assert other_category.status_code == 201, other_category.doc


def test_moving_a_rate_onto_another_is_a_conflict(api, administration, category):
    # given
    api.post(url(administration), rate_document(category, start=10, end=20))
    second = api.post(url(administration), rate_document(category, start=20, end=30))
    rate_id = second.doc["data"]["id"]
    # when
    moved = api.patch(url(administration, rate_id), rate_document(category, rate_id, start=15))
    same_place = api.patch(
        url(administration, rate_id), rate_document(category, rate_id, start=20, end=30)
    )
    # then
    assert moved.status_code == 409
    assert same_place.status_code == 200, same_place.doc  # not a clash with itself
    assert Rate.objects.get(pk=rate_id).start_date == TODAY + dt.timedelta(days=20)


def test_writes_keep_the_categorys_price_summary(api, administration, category):
    # given
    before = category.updated_at
    # when
    first = api.post(url(administration), rate_document(category, start=10, end=20))
    second = api.post(url(administration), rate_document(category, start=20, end=40))
    category.refresh_from_db()
    after_two = (category.last_date_with_price, category.prices_updated_at)
    api.delete(url(administration, second.doc["data"]["id"]))
    category.refresh_from_db()
    after_delete = category.last_date_with_price
    api.delete(url(administration, first.doc["data"]["id"]))
    category.refresh_from_db()
    # then
    assert after_two[0] == TODAY + dt.timedelta(days=39)  # the last night, not the end date
    assert after_two[1] is not None and after_two[1] > before
    assert after_delete == TODAY + dt.timedelta(days=19)
    assert category.last_date_with_price is None
    assert category.updated_at > before


def test_moving_a_rate_to_another_category_refreshes_both(api, administration, category):
    # given
    other = CategoryFactory(administration=administration)
    created = api.post(url(administration), rate_document(category, start=10, end=20))
    rate_id = created.doc["data"]["id"]
    # when
    api.patch(url(administration, rate_id), rate_document(other, rate_id))
    category.refresh_from_db()
    other.refresh_from_db()
    # then
    assert category.last_date_with_price is None
    assert other.last_date_with_price == TODAY + dt.timedelta(days=19)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("filter[minimum_number_of_nights]=7", ["week"]),
        ("filter[price_per_night]=..80", ["week"]),
        ("filter[price_per_night]=100", ["night"]),
        (f"filter[start_date]={day(5)}..", ["other"]),
        (f"filter[end_date]=!{day(30)}", ["other"]),
        ("filter[category]={other}", ["other"]),
        ("filter[id]={night}", ["night"]),
        ("sort=-price_per_night", ["other", "night", "week"]),
        ("sort=minimum_number_of_nights,price_per_night", ["week", "night", "other"]),
        ("sort=-start_date", ["other", "night", "week"]),
    ],
)
def test_filters_and_sorts(api, administration, category, query, expected):
    # given
    other = CategoryFactory(administration=administration)
    rows = {
        "night": RateFactory(
            category=category, start_date=TODAY, end_date=TODAY + dt.timedelta(30)
        ),
        "week": RateFactory(
            category=category,
            start_date=TODAY - dt.timedelta(days=1),
            end_date=TODAY + dt.timedelta(30),
            price_per_night=Decimal("70.00"),
            minimum_number_of_nights=7,
        ),
        "other": RateFactory(
            category=other,
            start_date=TODAY + dt.timedelta(days=5),
            end_date=TODAY + dt.timedelta(days=10),
            price_per_night=Decimal("150.00"),
        ),
    }
    names = {row.pk: name for name, row in rows.items()}
    # when
    response = api.get(
        f"{url(administration)}?{query.format(other=other.pk, night=rows['night'].pk)}"
    )
    # then
    assert response.status_code == 200, response.doc
    assert [names[int(r["id"])] for r in response.doc["data"]] == expected


def test_scopes(client_for, administration, category):
    # given
    reader = client_for(administration, "rate|read")
    writer = client_for(administration, "rate|write category|read")
    outsider = client_for(administration, "category|read")
    # when
    read = reader.get(url(administration))
    refused = reader.post(url(administration), rate_document(category))
    written = writer.post(url(administration), rate_document(category))
    hidden = outsider.get(url(administration))
    include_refused = reader.get(f"{url(administration)}?include=category")
    # then
    assert read.status_code == 200
    assert refused.status_code == 403 and error_codes(refused) == ["NO_VALID_SCOPE"]
    assert "rate|write" in refused.doc["errors"][0]["detail"]
    assert written.status_code == 201, written.doc
    assert hidden.status_code == 403
    assert include_refused.status_code == 403
    assert error_codes(include_refused) == ["FORBIDDEN_INCLUDE"]


def test_a_rate_of_another_administration_is_not_found(api, administration):
    # given
    foreign = RateFactory(category=CategoryFactory(administration=AdministrationFactory()))
    # when
    response = api.get(url(administration, foreign.pk))
    # then
    assert response.status_code == 404


def test_the_scope_list_names_the_rate_scopes():
    from apps.core.scopes import SCOPES

    assert SCOPES["rate|read"] == "Read nightly rates (the price list of each category)"
    assert SCOPES["rate|write"].startswith("Create and change nightly rates")
