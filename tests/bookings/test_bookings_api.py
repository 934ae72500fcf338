"""Bookings through HTTP: reading, filters, includes, rules, scopes, visibility, races."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.agenda_periods.models import AgendaPeriod
from apps.bookings.models import Booking
from apps.oauth.services import api_key_create
from tests.bookings.helpers import booking_document, guest, stay
from tests.factories import AdministrationFactory, ApplicationFactory
from tests.jsonapi import JsonApiClient
from tests.racing import race
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db

SPEC_FILTERS = {
    "id": "1",
    "customer_desires_downpayment": "false",
    "after_payment_return_url": "x",
    "option_validity": "3",
    "remote_booking_nr": "x",
    "reference_nr": "x",
    "locale": "nl",
    "memo": "~x",
    "cancel_date": "2026-01-01..",
    "cancel_reason": "~x",
    "state": "!cancelled",
    "token": "x",
    "confirmed_at": "2026-01-01..",
    "booking_nr": "100001",
    "created_at": "2026-01-01..",
    "updated_at": "2026-01-01..",
    "customer": "1",
    "owner": "1",
    "traffic_source": "1",
    "administration": "1",
    "channel": "1",
    "reservations": "1,2",
}


def test_the_vendor_shape(api, administration, chalets, bookings_url):
    created = api.post(
        bookings_url, booking_document(customer=guest(), stays=[stay(chalets[0], 3, 5, "a")])
    )

    data = api.get(f"{bookings_url}/{created.doc['data']['id']}").doc["data"]

    vendor = {
        "customer_desires_downpayment",
        "after_payment_return_url",
        "redeemable_codes",
        "option_validity",
        "remote_booking_nr",
        "reference_nr",
        "locale",
        "memo",
        "currency",
        "cancel_date",
        "cancel_reason",
        "state",
        "token",
        "confirmed_at",
        "paid_by_customer",
        "deposit_completed",
        "booking_nr",
        "owner_reservation",
        "total",
        "total_without_vat",
        "guest_payment_due",
        "guest_total_paid",
        "deposit",
        "rent_turnover",
        "rent_turnover_without_vat",
        "provision",
        "payment_deadlines",
        "pending_vouchers",
        "created_at",
        "updated_at",
    }
    assert vendor <= set(data["attributes"])
    assert (
        data["attributes"]["payment_deadlines"] == []
        and data["attributes"]["pending_vouchers"] == []
    )
    assert all(
        set(data["attributes"][m]) == {"currency", "value"}
        for m in ("total", "deposit", "provision")
    )
    assert set(data["relationships"]) == {
        "customer",
        "owner",
        "traffic_source",
        "administration",
        "channel",
        "guest_invoice",
        "customer_invoice",
        "channel_invoice",
        "reservations",
        "payments",
    }
    assert data["relationships"]["owner"] == {"data": None}


@pytest.mark.parametrize("name, value", SPEC_FILTERS.items())
def test_every_vendor_filter_is_accepted(api, administration, bookings_url, name, value):
    response = api.get(f"{bookings_url}?filter[{name}]={value}")

    assert response.status_code == 200, response.doc


def test_filters_and_incremental_sync(api, administration, chalets, bookings_url):
    first = api.post(
        bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")], reference_nr="A-1")
    )
    second = api.post(
        bookings_url, booking_document(stays=[stay(chalets[1], 3, 5, "a")], reference_nr="B-2")
    )
    since = timezone.now().isoformat().replace("+00:00", "Z")
    api.patch(
        f"{bookings_url}/{second.doc['data']['id']}",
        {
            "data": {
                "type": "booking",
                "id": second.doc["data"]["id"],
                "attributes": {"state": "cancelled"},
            }
        },
    )

    changed = api.get(f"{bookings_url}?filter[updated_at]={since}..")
    not_cancelled = api.get(f"{bookings_url}?filter[state]=!cancelled")
    by_reference = api.get(f"{bookings_url}?filter[reference_nr|remote_booking_nr]=~a-")
    everything = api.get(bookings_url)

    assert [b["id"] for b in changed.doc["data"]] == [second.doc["data"]["id"]]
    assert (
        changed.doc["data"][0]["attributes"]["state"] == "cancelled"
    )  # cancelled ones stay listed
    assert [b["id"] for b in not_cancelled.doc["data"]] == [first.doc["data"]["id"]]
    assert [b["id"] for b in by_reference.doc["data"]] == [first.doc["data"]["id"]]
    assert len(everything.doc["data"]) == 2


def test_includes_cost_a_constant_number_of_queries(api, administration, bookings_url):
    category = CategoryFactory(administration=administration, max_number_of_people=6)
    path = f"{bookings_url}?include=reservations.rentable.category,customer&page[size]=50"

    def add_bookings(count, offset):
        for i in range(count):
            rentables = RentableFactory.create_batch(2, category=category)
            api.post(
                bookings_url,
                booking_document(
                    customer=guest(f"g{offset + i}"),
                    stays=[stay(rentables[0], 3, 5, "a"), stay(rentables[1], 3, 5, "b")],
                ),
            )

    add_bookings(2, 0)
    api.get(path)
    with CaptureQueriesContext(connection) as few:
        small = api.get(path)
    add_bookings(8, 10)
    with CaptureQueriesContext(connection) as many:
        large = api.get(path)

    assert len(small.doc["data"]) == 2 and len(large.doc["data"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)
    included = {i["type"] for i in large.doc["included"]}
    assert included == {"reservation", "rentable", "category", "customer"}


@pytest.mark.parametrize(
    "attributes, pointer",
    [
        ({"discount": "ten percent"}, "/data/attributes/discount"),
        ({"discount": "150%"}, "/data/attributes/discount"),
        ({"notes": "x" * 6001}, "/data/attributes/notes"),
        ({"downpayment": {"currency": "EUR", "value": "100"}}, "/data/attributes/downpayment"),
        ({"damage_deposit": {"currency": "EUR", "value": "-5"}}, "/data/attributes/damage_deposit"),
        ({"expected_checkin_time": "25"}, "/data/attributes/expected_checkin_time"),
        ({"expected_checkout_time": "10:75"}, "/data/attributes/expected_checkout_time"),
        ({"locale": "xx"}, "/data/attributes/locale"),
        ({"state": "rejected"}, "/data/attributes/state"),
        ({"option_validity": 0}, "/data/attributes/option_validity"),
    ],
)
def test_booking_rules(api, administration, bookings_url, attributes, pointer):
    response = api.post(bookings_url, booking_document(**attributes))

    assert response.status_code == 422, response.doc
    assert response.doc["errors"][0]["source"]["pointer"] == pointer
    assert not Booking.objects.exists()


def test_valid_booking_rules(api, administration, chalets, bookings_url):
    response = api.post(
        bookings_url,
        booking_document(
            stays=[stay(chalets[0], 3, 5, "a")],
            discount="50",
            expected_checkin_time="15",
            expected_checkout_time="10:30",
            downpayment={"value": "100"},
            damage_deposit={"value": "250"},
        ),
    )

    attributes = response.doc["data"]["attributes"]
    assert response.status_code == 201, response.doc
    assert attributes["total"]["value"] == "450.00"
    assert attributes["deposit"]["value"] == "100.00"
    assert attributes["damage_deposit"] == {"currency": "EUR", "value": "250.00"}


def test_a_downpayment_above_the_total_is_refused(api, administration, chalets, bookings_url):
    response = api.post(
        bookings_url,
        booking_document(stays=[stay(chalets[0], 3, 5, "a")], downpayment={"value": "501"}),
    )

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"]["pointer"] == "/data/attributes/downpayment"


class TestScopesAndVisibility:
    def test_reads_need_booking_read_and_writes_reservation_write(
        self, client_for, administration, chalets, bookings_url
    ):
        reader = client_for(administration, "booking|read")
        writer = client_for(administration, "reservation|write")

        assert reader.get(bookings_url).status_code == 200
        refused = reader.post(bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")]))
        assert refused.status_code == 403
        assert refused.doc["errors"][0]["detail"].endswith("reservation|write.")
        assert (
            writer.post(
                bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")])
            ).status_code
            == 201
        )
        assert writer.get(bookings_url).status_code == 403

    def test_channel_scopes_see_only_their_own_apps_bookings(
        self, administration, chalets, bookings_url
    ):
        channel_app = ApplicationFactory(name="Channel manager")
        _, channel_key = api_key_create(
            administration=administration,
            application=channel_app,
            scopes="channel::booking|read channel::reservation|read reservation|write",
        )
        _, park_key = api_key_create(administration=administration, scopes="all")
        channel = JsonApiClient().authorize(channel_key)
        park = JsonApiClient().authorize(park_key)
        own = channel.post(bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")]))
        other = park.post(bookings_url, booking_document(stays=[stay(chalets[1], 3, 5, "a")]))

        seen = channel.get(bookings_url)
        reservations = channel.get(f"/v3/administrations/{administration.pk}/reservations")
        hidden = channel.get(f"{bookings_url}/{other.doc['data']['id']}")

        assert [b["id"] for b in seen.doc["data"]] == [own.doc["data"]["id"]]
        assert len(reservations.doc["data"]) == 1
        assert hidden.status_code == 404
        assert len(park.get(bookings_url).doc["data"]) == 2

    def test_another_administrations_bookings_are_404(
        self, api, administration, chalets, bookings_url
    ):
        other = AdministrationFactory()
        foreign_rentable = RentableFactory(category__administration=other)
        _, key = api_key_create(administration=other, scopes="all")
        foreign = (
            JsonApiClient()
            .authorize(key)
            .post(
                f"/v3/administrations/{other.pk}/bookings",
                booking_document(stays=[stay(foreign_rentable, 3, 5, "a")]),
            )
        )

        response = api.get(f"{bookings_url}/{foreign.doc['data']['id']}")

        assert response.status_code == 404


class TestBookingCustomer:
    def test_patch_the_bookings_customer(self, api, administration, chalets, bookings_url):
        created = api.post(
            bookings_url, booking_document(customer=guest(), stays=[stay(chalets[0], 3, 5, "a")])
        )
        customer_id = created.doc["data"]["relationships"]["customer"]["data"]["id"]
        url = f"{bookings_url}/{created.doc['data']['id']}/customer"

        response = api.patch(
            url,
            {
                "data": {
                    "type": "customer",
                    "id": customer_id,
                    "attributes": {"phone": "+31 6 1234 5678", "bic": "ingbnl2a"},
                }
            },
        )

        assert response.status_code == 200, response.doc
        assert response.doc["data"]["type"] == "customer"
        assert response.doc["data"]["attributes"]["phone"] == "+31 6 1234 5678"
        assert response.doc["data"]["attributes"]["first_name"] == "Anna"
        assert "bic" not in response.doc["data"]["attributes"]

    def test_invalid_iban_has_its_pointer(self, api, administration, chalets, bookings_url):
        created = api.post(
            bookings_url, booking_document(customer=guest(), stays=[stay(chalets[0], 3, 5, "a")])
        )
        customer_id = created.doc["data"]["relationships"]["customer"]["data"]["id"]

        response = api.patch(
            f"{bookings_url}/{created.doc['data']['id']}/customer",
            {
                "data": {
                    "type": "customer",
                    "id": customer_id,
                    "attributes": {"iban": "NL91ABNA0417164301"},
                }
            },
        )

        assert response.status_code == 422
        assert response.doc["errors"][0]["source"]["pointer"] == "/data/attributes/iban"
        assert "check digits" in response.doc["errors"][0]["detail"]

    def test_the_customer_endpoint_needs_customer_write(
        self, client_for, administration, chalets, bookings_url
    ):
        booking = client_for(administration).post(
            bookings_url, booking_document(customer=guest(), stays=[stay(chalets[0], 3, 5, "a")])
        )
        client = client_for(administration, "reservation|write booking|read")

        response = client.patch(
            f"{bookings_url}/{booking.doc['data']['id']}/customer",
            {"data": {"type": "customer", "id": "1", "attributes": {}}},
        )

        assert response.status_code == 403
        assert response.doc["errors"][0]["detail"].endswith("customer|write.")


@pytest.mark.django_db(transaction=True)
def test_racing_bookings_for_the_same_nights_leave_exactly_one(live_server):
    administration = AdministrationFactory()
    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    _, key = api_key_create(administration=administration, scopes="all")
    url = f"{live_server.url}/v3/administrations/{administration.pk}/bookings"
    attempts = 20
    documents = [
        booking_document(
            customer=guest(f"g{i}", last_name=f"Guest {i}"),
            stays=[stay(rentable, 10 + i % 2, 14, f"r{i}")],
        )
        for i in range(attempts)
    ]

    statuses = [r.status_code for r in race(key, [("post", url, d) for d in documents])]

    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == attempts - 1, statuses
    assert Booking.objects.count() == 1
    assert AgendaPeriod.objects.count() == 1
    from apps.customers.models import Customer

    assert Customer.objects.count() == 1  # the losers' customers were rolled back too
