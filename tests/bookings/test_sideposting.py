"""POST …/bookings with the customer and reservations side-posted: all or nothing."""

import pytest

from apps.agenda_periods.models import AgendaPeriod
from apps.bookings.models import Booking, Reservation
from apps.customers.models import Customer
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.bookings.helpers import booking_document, day, guest, stay
from tests.factories import AdministrationFactory
from tests.jsonapi import error_codes
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


def nothing_saved():
    return not (
        Booking.objects.exists()
        or Customer.objects.exists()
        or AgendaPeriod.objects.exists()
        or Reservation.objects.exists()
    )


def test_booking_with_customer_and_two_stays(api, administration, chalets, bookings_url):
    document = booking_document(
        customer=guest(iban="NL91 ABNA 0417 1643 00"),
        stays=[stay(chalets[0], 10, 17, "a", children=1), stay(chalets[1], 10, 17, "b")],
        option_validity=3,
        locale="nl",
        discount="10%",
    )

    response = api.post(f"{bookings_url}?include=customer,reservations", document)

    assert response.status_code == 201, response.doc
    data = response.doc["data"]
    assert response["Location"].endswith(f"{bookings_url}/{data['id']}")
    attributes = data["attributes"]
    assert attributes["state"] == "option"
    assert attributes["total"] == {"currency": "EUR", "value": "900.00"}
    assert attributes["rent_turnover"] == {"currency": "EUR", "value": "1000.00"}
    assert attributes["booking_nr"].isdigit()
    assert len(attributes["token"]) >= 32
    assert attributes["option_expires_at"]
    customer = next(i for i in response.doc["included"] if i["type"] == "customer")
    assert customer["attributes"]["debtor_code"].startswith("D")
    assert "iban" not in customer["attributes"]  # write-only
    assert Customer.objects.get().iban == "NL91ABNA0417164300"
    reservations = Reservation.objects.order_by("pk")
    assert [r.state for r in reservations] == ["option", "option"]
    periods = AgendaPeriod.objects.order_by("pk")
    assert [(p.period_type, p.start_date.isoformat(), p.blocking) for p in periods] == [
        ("ReservationAgendaPeriod", day(10), True),
        ("ReservationAgendaPeriod", day(10), True),
    ]
    assert all(p.expires_at is not None for p in periods)


def test_existing_customer_by_id(api, administration, chalets, bookings_url):
    from apps.customers.services import customer_create

    known = customer_create(administration=administration, first_name="Piet", last_name="Jansen")
    document = booking_document(stays=[stay(chalets[0], 3, 5, "a")])
    document["data"]["relationships"]["customer"] = {
        "data": {"type": "customer", "id": str(known.pk)}
    }

    response = api.post(bookings_url, document)

    assert response.status_code == 201
    assert response.doc["data"]["relationships"]["customer"]["data"]["id"] == str(known.pk)
    assert response.doc["data"]["attributes"]["state"] == "confirmed"


def test_a_clash_on_any_stay_rolls_everything_back(api, administration, chalets, bookings_url):
    blocker = AgendaPeriodFactory(rentable=chalets[1])  # nights 10, 11 and 12 from today
    document = booking_document(
        customer=guest(), stays=[stay(chalets[0], 10, 12, "a"), stay(chalets[1], 11, 12, "b")]
    )

    response = api.post(bookings_url, document)

    assert response.status_code == 409
    assert error_codes(response) == ["CONFLICT"]
    assert response.doc["errors"][0]["source"]["pointer"] == "/included/2"
    assert f"agenda period {blocker.pk}" in response.doc["errors"][0]["detail"]
    assert not Booking.objects.exists() and not Customer.objects.exists()
    assert list(AgendaPeriod.objects.all()) == [blocker]


@pytest.mark.parametrize(
    "customer, stays, pointer",
    [
        (guest(email="not-an-email"), None, "/included/0/attributes/email"),
        (guest(iban="NL00 ABNA 0417 1643 00"), None, "/included/0/attributes/iban"),
        (guest(bic="12"), None, "/included/0/attributes/bic"),
        (guest(country_code="XX"), None, "/included/0/attributes/country_code"),
        (guest(title="sir"), None, "/included/0/attributes/title"),
        (
            guest(custom_invoice_details={"email": "nope"}),
            None,
            "/included/0/attributes/custom_invoice_details/email",
        ),
        (guest(), "too_many", "/included/1/attributes/adults"),
        (guest(), "backwards", "/included/1/attributes/departure_date"),
        (guest(), "foreign", "/included/1/relationships/rentable"),
        (guest(), "bad_money", "/included/1/attributes/rent_price"),
    ],
)
def test_invalid_side_posted_resources_are_422_and_save_nothing(
    api, administration, chalets, bookings_url, customer, stays, pointer
):
    stay_for = {
        None: stay(chalets[0], 3, 5, "a"),
        "too_many": stay(chalets[0], 3, 5, "a", adults=4, children=1),
        "backwards": stay(chalets[0], 5, 3, "a"),
        "foreign": stay(RentableFactory(), 3, 5, "a"),
        "bad_money": stay(chalets[0], 3, 5, "a", rent_price={"currency": "USD", "value": "10"}),
    }[stays]

    response = api.post(bookings_url, booking_document(customer=customer, stays=[stay_for]))

    assert response.status_code == 422, response.doc
    assert pointer in [e["source"]["pointer"] for e in response.doc["errors"]]
    assert nothing_saved()


@pytest.mark.parametrize(
    "mutate, status, pointer",
    [
        (
            lambda d: d["data"]["relationships"]["customer"]["data"]["meta"].update(
                temp_id="nobody"
            ),
            400,
            "/data/relationships/customer/data",
        ),
        (
            lambda d: d["data"]["relationships"]["reservations"]["data"][0]["meta"].pop("method"),
            400,
            "/data/relationships/reservations/data/0/meta/method",
        ),
        (
            lambda d: d["included"].append(
                {"type": "reservation", "relationships": {"rentable": 5}}
            ),
            400,
            "/included/2/relationships/rentable",
        ),
        (
            lambda d: d["data"]["relationships"]["customer"]["data"].update(type="owner"),
            400,
            "/data/relationships/customer/data",
        ),
    ],
)
def test_malformed_side_posting_is_400(
    api, administration, chalets, bookings_url, mutate, status, pointer
):
    document = booking_document(customer=guest(), stays=[stay(chalets[0], 3, 5, "a")])
    mutate(document)

    response = api.post(bookings_url, document)

    assert response.status_code == status
    assert response.doc["errors"][0]["source"]["pointer"] == pointer
    assert nothing_saved()


def test_an_unknown_existing_customer_is_422(api, administration, chalets, bookings_url):
    from apps.customers.services import customer_create

    foreign = customer_create(administration=AdministrationFactory(), first_name="X")
    document = booking_document(stays=[stay(chalets[0], 3, 5, "a")])
    document["data"]["relationships"]["customer"] = {
        "data": {"type": "customer", "id": str(foreign.pk)}
    }

    response = api.post(bookings_url, document)

    assert response.status_code == 422
    assert not Booking.objects.exists()


def test_a_booking_without_stays_is_allowed_and_built_later(
    api, administration, chalets, bookings_url
):
    created = api.post(bookings_url, booking_document(customer=guest(), reference_nr="REF-1"))
    booking_id = created.doc["data"]["id"]

    added = api.post(
        f"/v3/administrations/{administration.pk}/reservations",
        {
            "data": {
                "type": "reservation",
                "attributes": {
                    "arrival_date": day(4),
                    "departure_date": day(6),
                    "adults": 1,
                    "rent_price": {"value": "120.50"},
                },
                "relationships": {
                    "booking": {"data": {"type": "booking", "id": booking_id}},
                    "rentable": {"data": {"type": "rentable", "id": str(chalets[2].pk)}},
                },
            }
        },
    )

    assert created.status_code == 201
    assert added.status_code == 201, added.doc
    shown = api.get(f"{bookings_url}/{booking_id}")
    assert shown.doc["data"]["attributes"]["total"]["value"] == "120.50"
    assert shown.doc["data"]["relationships"]["reservations"]["data"] == [
        {"type": "reservation", "id": added.doc["data"]["id"]}
    ]
