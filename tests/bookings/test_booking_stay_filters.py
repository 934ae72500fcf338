"""Bookings filtered by their stays: rentable, arrival and departure through the reservations."""

import pytest

from tests.bookings.helpers import booking_document, day, stay

pytestmark = pytest.mark.django_db


@pytest.fixture
def bookings(api, chalets, bookings_url):
    """A: chalet 0, days 3-5 · B: chalet 1 days 10-12 and chalet 2 days 20-22 · C: chalet 0,
    days 30-33."""
    plans = {
        "A": [stay(chalets[0], 3, 5, "a")],
        "B": [stay(chalets[1], 10, 12, "b1"), stay(chalets[2], 20, 22, "b2")],
        "C": [stay(chalets[0], 30, 33, "c")],
    }
    ids = {}
    for name, stays in plans.items():
        response = api.post(bookings_url, booking_document(stays=stays, reference_nr=name))
        assert response.status_code == 201, response.doc
        ids[response.doc["data"]["id"]] = name
    return ids


def listed(api, url, bookings):
    response = api.get(url)
    assert response.status_code == 200, response.doc
    return [bookings[b["id"]] for b in response.doc["data"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("filter[rentable]=R0", ["A", "C"]),
        ("filter[rentable]=R1,R2", ["B"]),
        ("filter[rentable]=!R0", ["B"]),
        ("filter[rentable]=R0&filter[arrival_date]=D10..", ["C"]),
        ("filter[arrival_date]=D10", ["B"]),
        ("filter[arrival_date]=D5..", ["B", "C"]),
        ("filter[departure_date]=..D12", ["A", "B"]),
        ("filter[arrival_date]=D9..D21&filter[departure_date]=D22", ["B"]),
        ("filter[arrival_date]=!D3", ["B", "C"]),
    ],
)
def test_bookings_by_their_stays(api, chalets, bookings_url, bookings, query, expected):
    for i, chalet in enumerate(chalets):
        query = query.replace(f"R{i}", str(chalet.pk))
    for offset in (3, 5, 9, 10, 12, 21, 22):
        query = query.replace(f"D{offset}", day(offset))

    assert listed(api, f"{bookings_url}?{query}", bookings) == expected


def test_the_stay_filters_describe_one_reservation(api, chalets, bookings_url, bookings):
    # B has a stay on chalet 1 arriving day 10 and one on chalet 2 arriving day 20
    url = f"{bookings_url}?filter[rentable]={{}}&filter[arrival_date]={day(15)}.."

    on_chalet_1 = listed(api, url.format(chalets[1].pk), bookings)
    on_chalet_2 = listed(api, url.format(chalets[2].pk), bookings)

    assert on_chalet_1 == []
    assert on_chalet_2 == ["B"]


def test_a_booking_matching_with_several_stays_is_listed_once(api, chalets, bookings_url, bookings):
    response = api.get(f"{bookings_url}?filter[arrival_date]={day(1)}..")

    assert [bookings[b["id"]] for b in response.doc["data"]] == ["A", "B", "C"]
    assert response.doc["meta"]["pagination"]["total_records"] == 3


@pytest.mark.parametrize(
    "query",
    [
        "filter[rentable]=~1",
        "filter[rentable]=1..3",
        "filter[arrival_date]=soon",
        "filter[departure_date]=~2026",
        "filter[arrival_date]=2026-01-01&filter[arrival_date]=2026-01-02",
    ],
)
def test_bad_stay_filters_are_400(api, bookings_url, query):
    response = api.get(f"{bookings_url}?{query}")

    assert response.status_code == 400
    assert response.doc["errors"][0]["code"] == "FORBIDDEN_INPUT"
    assert response.doc["errors"][0]["source"] == {"parameter": query.split("=")[0]}
