"""A booking write answers with the document a read of the booking gets, whichever renderer
writes it (the planned one, or the library's with JSON_API_PLANNED_RENDERING off)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bookings.helpers import booking_document, guest, stay

pytestmark = pytest.mark.django_db

INCLUDES = ["", "customer,reservations", "customer,reservations.rentable"]


def _read(api, url, settings, *, planned: bool) -> dict:
    settings.JSON_API_PLANNED_RENDERING = planned
    response = api.get(url)
    assert response.status_code == 200, response.doc
    return response.json()


@pytest.mark.parametrize("planned", [True, False])
@pytest.mark.parametrize("include", INCLUDES)
def test_an_option_placed_with_a_customer_and_a_stay_answers_as_it_reads(
    api, settings, chalets, bookings_url, planned, include
):
    # given
    settings.RATE_LIMIT_ENABLED = False
    settings.JSON_API_PLANNED_RENDERING = planned
    document = booking_document(
        customer=guest(), stays=[stay(chalets[0], 10, 15, "r")], option_validity=3, locale="en"
    )
    suffix = f"?include={include}" if include else ""

    # when
    response = api.post(f"{bookings_url}{suffix}", document)

    # then: the same document as the other renderer's read of the booking, same Location
    assert response.status_code == 201, response.doc
    written = response.json()
    booking_url = f"{bookings_url}/{written['data']['id']}"
    assert response["Location"] == f"http://testserver{booking_url}"
    assert written == _read(api, booking_url + suffix, settings, planned=not planned)
    assert written["data"]["links"]["self"] == response["Location"]
    if include:
        assert {r["type"] for r in written["included"]} >= {"customer", "reservation"}


@pytest.mark.parametrize("planned", [True, False])
@pytest.mark.parametrize("include", INCLUDES)
def test_a_cancellation_answers_as_the_cancelled_booking_reads(
    api, settings, chalets, bookings_url, planned, include
):
    # given an option with a customer and two stays
    settings.RATE_LIMIT_ENABLED = False
    placed = api.post(
        bookings_url,
        booking_document(
            customer=guest(),
            stays=[stay(chalets[0], 10, 15, "a"), stay(chalets[1], 10, 15, "b")],
            option_validity=3,
        ),
    )
    assert placed.status_code == 201, placed.doc
    booking_url = f"{bookings_url}/{placed.doc['data']['id']}"
    settings.JSON_API_PLANNED_RENDERING = planned
    suffix = f"?include={include}" if include else ""

    # when
    response = api.patch(
        booking_url + suffix,
        {
            "data": {
                "type": "booking",
                "id": placed.doc["data"]["id"],
                "attributes": {"state": "cancelled", "cancel_reason": "Plans changed"},
            }
        },
    )

    # then
    assert response.status_code == 200, response.doc
    written = response.json()
    assert written["data"]["attributes"]["state"] == "cancelled"
    assert written == _read(api, booking_url + suffix, settings, planned=not planned)


def test_a_cancellation_reads_nothing_after_its_commit_but_the_stays(
    api, settings, chalets, bookings_url
):
    # given
    settings.RATE_LIMIT_ENABLED = False
    placed = api.post(
        bookings_url,
        booking_document(customer=guest(), stays=[stay(chalets[0], 10, 15, "a")]),
    )
    booking_id = placed.doc["data"]["id"]
    body = {"data": {"type": "booking", "id": booking_id, "attributes": {"state": "cancelled"}}}

    # when
    with CaptureQueriesContext(connection) as queries:
        response = api.patch(f"{bookings_url}/{booking_id}", body)

    # then: after the commit only the reservations' ids are read for the relationship
    assert response.status_code == 200, response.doc
    statements = [q["sql"] for q in queries.captured_queries]
    last_write = max(
        i for i, sql in enumerate(statements) if sql.startswith(("COMMIT", "RELEASE", "UPDATE"))
    )
    after = statements[last_write + 1 :]
    assert len(after) == 1 and "bookings_reservation" in after[0], after


def test_a_cancellation_reads_its_administration_only_with_the_key(
    api, settings, chalets, bookings_url
):
    # given an option with two stays
    settings.RATE_LIMIT_ENABLED = False
    placed = api.post(
        bookings_url,
        booking_document(
            customer=guest(), stays=[stay(chalets[0], 10, 15, "a"), stay(chalets[1], 10, 15, "b")]
        ),
    )
    booking_id = placed.doc["data"]["id"]
    body = {"data": {"type": "booking", "id": booking_id, "attributes": {"state": "cancelled"}}}

    # when
    with CaptureQueriesContext(connection) as queries:
        response = api.patch(f"{bookings_url}/{booking_id}", body)

    # then: the booking's and its stays' events use the row read with the API key
    assert response.status_code == 200, response.doc
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "administrations_administration"')
    ]
    assert reads == []
