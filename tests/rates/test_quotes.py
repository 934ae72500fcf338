"""Reservations priced by the rates: the computed rent on create, the client's own price kept
beside the list price, a night without a rate refused, and parks without rates as before."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.bookings.models import Booking, Reservation
from apps.bookings.services.bookings import booking_create, reservation_update
from tests.bookings.helpers import TODAY, booking_document, day, guest, stay
from tests.rates.factories import RateFactory
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db


def d(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def chalet(administration):
    """A chalet whose category asks 100 a night, 80 a night from seven nights, for 30 days."""
    category = CategoryFactory(administration=administration, max_number_of_people=4)
    RateFactory(category=category, start_date=d(0), end_date=d(30), price_per_night=Decimal(100))
    RateFactory(
        category=category,
        start_date=d(0),
        end_date=d(30),
        price_per_night=Decimal(80),
        minimum_number_of_nights=7,
    )
    return RentableFactory(category=category)


def base(administration):
    return f"/v3/administrations/{administration.pk}"


def unpriced(rentable, arrival, departure, temp_id="a"):
    """A side-posted stay without a rent_price."""
    document = stay(rentable, arrival, departure, temp_id)
    del document["attributes"]["rent_price"]
    return document


def reservation_document(booking_id, rentable, arrival, departure, **attributes):
    return {
        "data": {
            "type": "reservation",
            "attributes": {
                "arrival_date": day(arrival),
                "departure_date": day(departure),
                "adults": 2,
                **attributes,
            },
            "relationships": {
                "booking": {"data": {"type": "booking", "id": str(booking_id)}},
                "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}},
            },
        }
    }


def money(value):
    return {"currency": "EUR", "value": value}


def test_a_side_posted_stay_without_a_price_is_charged_the_list_price(api, administration, chalet):
    # when
    created = api.post(
        f"{base(administration)}/bookings?include=reservations",
        booking_document(customer=guest(), stays=[unpriced(chalet, 2, 5)]),
    )
    weekly = api.post(
        f"{base(administration)}/bookings?include=reservations",
        booking_document(customer=guest(), stays=[unpriced(chalet, 10, 17)]),
    )
    # then
    assert created.status_code == 201, created.doc
    reservation = created.doc["included"][0]["attributes"]
    assert reservation["rent_price"] == money("300.00")
    assert reservation["list_price"] == money("300.00")
    assert created.doc["data"]["attributes"]["total"] == money("300.00")
    assert weekly.doc["included"][0]["attributes"]["rent_price"] == money("560.00")


def test_a_clients_own_price_is_kept_beside_the_list_price(api, administration, chalet):
    # when: the helper's stay sends rent_price 500.00
    created = api.post(
        f"{base(administration)}/bookings?include=reservations",
        booking_document(customer=guest(), stays=[stay(chalet, 2, 5, "a")]),
    )
    # then
    assert created.status_code == 201, created.doc
    reservation = created.doc["included"][0]["attributes"]
    assert reservation["rent_price"] == money("500.00")
    assert reservation["list_price"] == money("300.00")
    assert created.doc["data"]["attributes"]["rent_turnover"] == money("500.00")


def test_a_night_without_a_rate_is_refused_at_the_included_stay(api, administration, chalet):
    # when: the rates end at day 30
    response = api.post(
        f"{base(administration)}/bookings",
        booking_document(
            customer=guest(), stays=[stay(chalet, 2, 5, "ok"), unpriced(chalet, 28, 32, "late")]
        ),
    )
    # then
    assert response.status_code == 422, response.doc
    error = response.doc["errors"][0]
    assert error["code"] == "VALIDATION_FAILED"
    assert error["source"]["pointer"] == "/included/2/attributes/arrival_date"
    assert day(30) in error["detail"]
    assert not Booking.objects.exists() and not Reservation.objects.exists()


def test_a_clients_price_is_accepted_for_nights_without_a_rate(api, administration, chalet):
    # when
    response = api.post(
        f"{base(administration)}/bookings?include=reservations",
        booking_document(customer=guest(), stays=[stay(chalet, 28, 32, "late")]),
    )
    # then
    assert response.status_code == 201, response.doc
    reservation = response.doc["included"][0]["attributes"]
    assert reservation["rent_price"] == money("500.00")
    assert reservation["list_price"] is None


def test_posting_a_reservation_computes_its_rent_or_points_at_its_dates(
    api, administration, chalet
):
    # given
    booking = booking_create(administration=administration)
    url = f"{base(administration)}/reservations"
    # when
    priced = api.post(url, reservation_document(booking.pk, chalet, 3, 5))
    refused = api.post(url, reservation_document(booking.pk, chalet, 29, 31))
    # then
    assert priced.status_code == 201, priced.doc
    assert priced.doc["data"]["attributes"]["rent_price"] == money("200.00")
    assert priced.doc["data"]["attributes"]["list_price"] == money("200.00")
    assert refused.status_code == 422
    assert refused.doc["errors"][0]["source"]["pointer"] == "/data/attributes/arrival_date"
    booking.refresh_from_db()
    assert booking.total == Decimal("200.00")


def test_a_category_without_rates_behaves_as_before(api, administration):
    # given
    rentable = RentableFactory(category__administration=administration)
    # when
    created = api.post(
        f"{base(administration)}/bookings?include=reservations",
        booking_document(customer=guest(), stays=[unpriced(rentable, 2, 5)]),
    )
    # then
    assert created.status_code == 201, created.doc
    reservation = created.doc["included"][0]["attributes"]
    assert reservation["rent_price"] == money("0.00")
    assert reservation["list_price"] is None


def test_moving_a_stay_reprices_it_when_its_rent_was_the_list_price(administration, chalet):
    # given
    booking = booking_create(
        administration=administration,
        reservations=[
            {"rentable": chalet, "arrival_date": d(2), "departure_date": d(5)},
            {
                "rentable": chalet,
                "arrival_date": d(10),
                "departure_date": d(12),
                "rent_price": Decimal("150.00"),
            },
        ],  # fmt: skip
    )
    listed, own = booking.reservations.order_by("arrival_date")
    # when
    reservation_update(reservation=listed, departure_date=d(9))  # seven nights
    reservation_update(reservation=own, departure_date=d(14))
    # then
    listed.refresh_from_db()
    own.refresh_from_db()
    booking.refresh_from_db()
    assert (listed.rent_price, listed.list_price) == (Decimal("560.00"), Decimal("560.00"))
    assert (own.rent_price, own.list_price) == (Decimal("150.00"), Decimal("400.00"))
    assert booking.rent_total == Decimal("710.00")


def test_the_reservation_list_renders_list_prices_without_extra_queries(
    api, administration, chalet, django_assert_max_num_queries
):
    # given
    for offset in (1, 5, 9):
        booking_create(
            administration=administration,
            reservations=[
                {"rentable": chalet, "arrival_date": d(offset), "departure_date": d(offset + 3)}
            ],
        )
    url = f"{base(administration)}/reservations?filter[list_price]=300"
    api.get(url)
    # when
    with django_assert_max_num_queries(6):
        response = api.get(url)
    # then
    assert [r["attributes"]["list_price"] for r in response.doc["data"]] == [money("300.00")] * 3
