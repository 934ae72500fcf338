"""availabilities: each category's price for the stay, filter[price], sort=price, one query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.rates import selectors as rate_selectors
from tests.jsonapi import error_codes
from tests.rates.factories import RateFactory
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def d(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def park(administration):
    """Three categories: cheap (60/night), dear (150/night) and one without rates."""
    names = {}
    for name, price in (("cheap", "60.00"), ("dear", "150.00"), ("unpriced", None)):
        category = CategoryFactory(administration=administration)
        RentableFactory(category=category)
        if price is not None:
            RateFactory(
                category=category,
                start_date=d(0),
                end_date=d(60),
                price_per_night=Decimal(price),
            )
        names[category.pk] = name
    return names


def search(api, administration, arrival=1, departure=4, extra=""):
    return api.get(
        f"/v3/administrations/{administration.pk}/availabilities"
        f"?filter[arrival_date]={d(arrival)}&filter[departure_date]={d(departure)}{extra}"
    )


def prices(response, park) -> list[tuple[str, dict | None]]:
    return [
        (park[int(row["relationships"]["category"]["data"]["id"])], row["attributes"]["price"])
        for row in response.doc["data"]
    ]


def money(value):
    return {"currency": "EUR", "value": value}


def test_each_category_shows_the_rent_of_the_stay_or_null(api, administration, park):
    # when
    response = search(api, administration)
    # then
    assert response.status_code == 200, response.doc
    assert prices(response, park) == [
        ("cheap", money("180.00")),
        ("dear", money("450.00")),
        ("unpriced", None),
    ]


def test_a_stay_running_past_the_last_rate_has_no_price(api, administration, park):
    # when
    response = search(api, administration, 58, 62)
    # then
    assert [price for _, price in prices(response, park)] == [None, None, None]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("&filter[price]=..200", ["cheap"]),
        ("&filter[price]=200..", ["dear"]),
        ("&filter[price]=450", ["dear"]),
        ("&filter[price]=180,450", ["cheap", "dear"]),
        ("&filter[price]=!180", ["dear"]),
        ("&sort=price", ["cheap", "dear", "unpriced"]),
        ("&sort=-price", ["dear", "cheap", "unpriced"]),
        ("&sort=-id", ["unpriced", "dear", "cheap"]),
        ("&filter[price]=190..&sort=-price", ["dear"]),
    ],
)
def test_filter_and_sort_on_price(api, administration, park, query, expected):
    # when
    response = search(api, administration, extra=query)
    # then
    assert response.status_code == 200, response.doc
    assert [name for name, _ in prices(response, park)] == expected


@pytest.mark.parametrize(
    "query, parameter",
    [("&filter[price]=cheap", "filter[price]"), ("&filter[price]=~1", "filter[price]")],
)
def test_a_bad_price_filter_is_400(api, administration, park, query, parameter):
    # when
    response = search(api, administration, extra=query)
    # then
    assert response.status_code == 400
    assert error_codes(response) == ["FORBIDDEN_INPUT"]
    assert response.doc["errors"][0]["source"] == {"parameter": parameter}


def test_pricing_adds_one_query_whatever_the_rates(api, administration, park, monkeypatch):
    # given
    path = (
        f"/v3/administrations/{administration.pk}/availabilities?filter[arrival_date]={d(1)}"
        f"&filter[departure_date]={d(8)}&include=category"
    )
    api.get(path)  # the key's first use is recorded once; measure the steady state
    with CaptureQueriesContext(connection) as priced:
        api.get(path)
    for _ in range(10):  # more categories, more rates: the same single pricing query
        category = CategoryFactory(administration=administration)
        RentableFactory.create_batch(3, category=category)
        RateFactory(category=category, start_date=d(0), end_date=d(5))
        RateFactory(category=category, start_date=d(5), end_date=d(30))
        RateFactory(category=category, start_date=d(0), end_date=d(30), minimum_number_of_nights=7)
    with CaptureQueriesContext(connection) as more:
        response = api.get(path)
    monkeypatch.setattr(
        rate_selectors, "stay_prices", lambda *, category_ids, **_: dict.fromkeys(category_ids)
    )
    with CaptureQueriesContext(connection) as unpriced:
        api.get(path)
    # then
    assert len(response.doc["data"]) == 13
    assert len(more.captured_queries) == len(priced.captured_queries)
    assert len(priced.captured_queries) == len(unpriced.captured_queries) + 1
