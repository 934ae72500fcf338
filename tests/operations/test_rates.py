"""Rates through POST …/operations: a channel manager's price list in one request."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.rates.models import Rate
from apps.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from apps.webhooks.outbox import relay
from tests.operations.test_operations import TODAY, day
from tests.rates.factories import RateFactory
from tests.rentables.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def add_rate(category, start: int, end: int, price="80.00", **attributes):
    return {
        "op": "add",
        "data": {
            "type": "rate",
            "attributes": {
                "start_date": day(start),
                "end_date": day(end),
                "price_per_night": {"currency": "EUR", "value": price},
                **attributes,
            },
            "relationships": {"category": {"data": {"type": "category", "id": str(category.pk)}}},
        },
    }


def nightly(categories, first: int, nights: int) -> list[dict]:
    return [
        add_rate(category, first + n, first + n + 1, price=f"{50 + n % 40}.00")
        for category in categories
        for n in range(nights)
    ]


def listen(administration) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        administration=administration,
        url="https://hooks.example.com/prices",
        events=["*"],
        owner_scopes=["rate|read"],
    )


@pytest.fixture
def categories(administration):
    return [CategoryFactory(administration=administration) for _ in range(3)]


def test_a_price_list_is_written_with_its_results_events_and_category_summary(
    atomic, administration, categories, django_capture_on_commit_callbacks
):
    # given: a listener, and 3 categories × 20 nights of prices
    listen(administration)
    operations = nightly(categories, 1, 20)

    with django_capture_on_commit_callbacks(execute=False):
        response = atomic.operations(administration, operations)

    # then: every rate, in order, rendered as its own endpoint does
    assert response.status_code == 200, response.doc
    results = response.doc["atomic:results"]
    rates = {str(r.pk): r for r in Rate.objects.all()}
    assert len(results) == len(rates) == 60
    for operation, result in zip(operations, results, strict=True):
        rate = rates[result["data"]["id"]]
        sent = operation["data"]["attributes"]
        assert result["data"]["attributes"]["price_per_night"] == sent["price_per_night"]
        assert rate.start_date.isoformat() == sent["start_date"]
        assert str(rate.category_id) == operation["data"]["relationships"]["category"]["data"]["id"]
    # one rate.created per rate, each with its delivery
    relay()
    events = Event.objects.filter(name="rate.created")
    assert sorted(e.data["id"] for e in events) == sorted(rates)
    assert WebhookDelivery.objects.count() == 60
    # and each category's price summary follows its rates
    for category in categories:
        category.refresh_from_db()
        assert category.prices_updated_at is not None
        assert category.last_date_with_price == TODAY + dt.timedelta(days=20)


def test_the_query_count_does_not_grow_with_the_number_of_rates(atomic, administration, categories):
    listen(administration)
    atomic.operations(administration, [add_rate(categories[0], 900, 901)])  # the key's first use

    def cost(operations) -> tuple[int, int]:
        """(statements other than INSERT, INSERT statements)"""
        with CaptureQueriesContext(connection) as captured:
            response = atomic.operations(administration, operations)
        assert response.status_code == 200, response.doc
        inserts = sum(q["sql"].startswith("INSERT") for q in captured.captured_queries)
        return len(captured) - inserts, inserts

    few = cost(nightly(categories, 1, 4))  # 12 rates
    many = cost(nightly(categories, 100, 100))  # 300 rates

    assert many[0] == few[0]
    if connection.vendor == "postgresql":
        assert many[1] == few[1] == 2  # the rates, and their events as one outbox row
    else:  # SQLite's parameter limit splits the rates over a few statements
        assert few[1] == 2 and many[1] <= 1 + 10
    assert Rate.objects.count() == 1 + 12 + 300


def test_one_clashing_rate_in_the_middle_writes_nothing_and_points_at_it(
    atomic, administration, categories
):
    # given: a stored rate, and a request whose operation 150 overlaps it
    listen(administration)
    stored = RateFactory(
        administration=administration,
        category=categories[1],
        start_date=TODAY + dt.timedelta(days=500),
        end_date=TODAY + dt.timedelta(days=510),
    )
    operations = nightly(categories, 1, 100)
    operations[150] = add_rate(categories[1], 505, 506)

    response = atomic.operations(administration, operations)

    assert response.status_code == 409, response.doc
    (error,) = response.doc["errors"]
    assert error["source"]["pointer"] == "/atomic:operations/150"
    assert error["detail"].startswith("Operation 150 (add rate): The dates clash with rate ")
    assert f"rate {stored.pk} " in error["detail"]
    assert list(Rate.objects.all()) == [stored]
    relay()
    assert not Event.objects.exists()
    for category in categories:
        category.refresh_from_db()
        assert category.prices_updated_at is None


def test_the_same_message_as_a_single_write(api, atomic, administration, categories):
    stored = RateFactory(
        administration=administration,
        category=categories[0],
        start_date=TODAY + dt.timedelta(days=10),
        end_date=TODAY + dt.timedelta(days=20),
    )
    clashing = add_rate(categories[0], 15, 16)

    single = api.post(
        f"/v3/administrations/{administration.pk}/rates",
        json.dumps({"data": clashing["data"]}),
        content_type="application/vnd.api+json",
    )
    response = atomic.operations(administration, [add_rate(categories[0], 1, 2), clashing])

    assert single.status_code == response.status_code == 409
    detail = single.json()["errors"][0]["detail"]
    assert response.doc["errors"][0]["detail"] == f"Operation 1 (add rate): {detail}"
    assert Rate.objects.get() == stored


def test_two_new_rates_sharing_a_night_fail_at_the_later(atomic, administration, categories):
    operations = [
        add_rate(categories[0], 1, 10),
        add_rate(categories[1], 5, 6),
        add_rate(categories[0], 9, 12),  # shares the 9th night with operation 0
    ]

    response = atomic.operations(administration, operations)

    assert response.status_code == 409
    (error,) = response.doc["errors"]
    assert error["source"]["pointer"] == "/atomic:operations/2"
    assert "another new rate" in error["detail"] and day(1) in error["detail"]
    assert not Rate.objects.exists()


def test_rates_for_different_minimum_stays_may_share_nights(atomic, administration, categories):
    operations = [
        add_rate(categories[0], 1, 10),
        add_rate(categories[0], 1, 10, minimum_number_of_nights=7, price="60.00"),
        add_rate(categories[0], 10, 12),
    ]

    response = atomic.operations(administration, operations)

    assert response.status_code == 200, response.doc
    assert Rate.objects.count() == 3


def test_a_bad_price_points_at_its_operation(atomic, administration, categories):
    operations = nightly(categories[:1], 1, 5)
    operations[3]["data"]["attributes"]["price_per_night"] = {"currency": "EUR", "value": "-1"}

    response = atomic.operations(administration, operations)

    assert response.status_code == 422
    pointer = response.doc["errors"][0]["source"]["pointer"]
    assert pointer.startswith("/atomic:operations/3/data/attributes/price_per_night")
    assert not Rate.objects.exists()


def test_rates_are_updated_and_removed_like_their_endpoint_does(atomic, administration, categories):
    rate = RateFactory(administration=administration, category=categories[0])
    other = RateFactory(
        administration=administration,
        category=categories[1],
        start_date=TODAY + dt.timedelta(days=300),
        end_date=TODAY + dt.timedelta(days=301),
    )
    update = {
        "op": "update",
        "data": {
            "type": "rate",
            "id": str(rate.pk),
            "attributes": {"price_per_night": {"currency": "EUR", "value": "99.50"}},
        },
    }
    remove = {"op": "remove", "ref": {"type": "rate", "id": str(other.pk)}}

    response = atomic.operations(administration, [update, remove])

    assert response.status_code == 200, response.doc
    rate.refresh_from_db()
    assert str(rate.price_per_night) == "99.50"
    assert not Rate.objects.filter(pk=other.pk).exists()
    assert response.doc["atomic:results"][1] == {}


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"type": "booking"}, "/atomic:operations/1/data/attributes/type"),
        ({"lid": "x"}, "/atomic:operations/1/data/attributes/lid"),
        (
            {"category": {"type": "category", "id": "1"}},
            "/atomic:operations/1/data/attributes/category",
        ),
    ],
)
def test_an_attribute_cannot_stand_in_for_the_type_a_lid_or_a_relationship(
    atomic, administration, categories, attributes, pointer
):
    # given: a second operation whose attributes name a member of the resource object or one
    # of its relationships
    second = add_rate(categories[1], 1, 2)
    second["data"]["attributes"].update(attributes)
    operations = [add_rate(categories[0], 1, 2), second]

    # when
    response = atomic.operations(administration, operations)

    # then: refused where it stands, and nothing is written
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["source"] == {"pointer": pointer}
    assert Rate.objects.count() == 0
