"""A write may only name (through a relationship) what the same credentials could read."""

from types import SimpleNamespace

import pytest
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.bookings.models import Booking, Reservation
from apps.core import visibility
from apps.core.credentials import Credential
from apps.core.scopes import parse_scopes
from apps.core.serializers import ResourceSerializer
from apps.oauth.services import api_key_create
from config.api_router import router  # noqa: F401 - loads every viewset and serializer
from tests.bookings.helpers import booking_document, day, stay
from tests.factories import AdministrationFactory, ApplicationFactory
from tests.jsonapi import JsonApiClient
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

CHANNEL_SCOPES = "channel::booking|read channel::reservation|read reservation|write"


@pytest.fixture
def rentables(administration):
    return [
        RentableFactory(category__administration=administration, category__max_number_of_people=4)
        for _ in range(2)
    ]


@pytest.fixture
def channel(administration):
    app = ApplicationFactory(name="Channel manager")
    _, key = api_key_create(administration=administration, application=app, scopes=CHANNEL_SCOPES)
    return JsonApiClient().authorize(key)


@pytest.fixture
def park(administration):
    _, key = api_key_create(administration=administration, scopes="all")
    return JsonApiClient().authorize(key)


def reservation_document(booking_id, rentable) -> dict:
    return {
        "data": {
            "type": "reservation",
            "attributes": {
                "arrival_date": day(20),
                "departure_date": day(22),
                "adults": 2,
                "rent_price": {"currency": "EUR", "value": "100.00"},
            },
            "relationships": {
                "booking": {"data": {"type": "booking", "id": str(booking_id)}},
                "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}},
            },
        }
    }


def test_a_channel_cannot_add_a_reservation_to_another_apps_booking(
    administration, rentables, channel, park
):
    # given: a booking the park made, which the channel cannot read
    base = f"/v3/administrations/{administration.pk}"
    theirs = park.post(f"{base}/bookings", booking_document(stays=[stay(rentables[0], 3, 5, "a")]))
    theirs_id = theirs.doc["data"]["id"]
    assert channel.get(f"{base}/bookings/{theirs_id}").status_code == 404

    # when
    response = channel.post(f"{base}/reservations", reservation_document(theirs_id, rentables[1]))

    # then: the same answer as for an id that does not exist
    assert response.status_code == 422
    assert response.doc["errors"][0]["source"] == {"pointer": "/data/relationships/booking"}
    assert Reservation.objects.filter(booking_id=theirs_id).count() == 1


def test_a_channel_still_adds_reservations_to_its_own_booking(administration, rentables, channel):
    base = f"/v3/administrations/{administration.pk}"
    own = channel.post(f"{base}/bookings", booking_document(stays=[stay(rentables[0], 3, 5, "a")]))

    response = channel.post(
        f"{base}/reservations", reservation_document(own.doc["data"]["id"], rentables[1])
    )

    assert response.status_code == 201, response.doc
    assert Reservation.objects.filter(booking_id=own.doc["data"]["id"]).count() == 2


def test_a_channel_cannot_put_another_apps_customer_on_its_booking(
    administration, rentables, channel, park
):
    # given: a customer the channel cannot read (no customer|read, not one of its bookings)
    base = f"/v3/administrations/{administration.pk}"
    created = park.post(
        f"{base}/customers",
        {"data": {"type": "customer", "attributes": {"first_name": "Bo", "last_name": "Ek"}}},
    )
    document = booking_document(stays=[stay(rentables[0], 3, 5, "a")])
    document["data"]["relationships"]["customer"] = {
        "data": {"type": "customer", "id": created.doc["data"]["id"]}
    }

    # when
    response = channel.post(f"{base}/bookings", document)

    # then
    assert response.status_code == 422
    assert response.doc["errors"][0]["source"] == {"pointer": "/data/relationships/customer/data"}
    assert not Booking.objects.exists()


def test_another_administrations_rentable_is_not_reachable(administration, park):
    foreign = RentableFactory(category__administration=AdministrationFactory())
    base = f"/v3/administrations/{administration.pk}"

    response = park.post(f"{base}/bookings", booking_document(stays=[stay(foreign, 3, 5, "a")]))

    assert response.status_code == 422
    assert not Booking.objects.exists()


def _serializers():
    found, queue = [], [ResourceSerializer]
    while queue:
        for sub in queue.pop().__subclasses__():
            found.append(sub)
            queue.append(sub)
    return found


def _writable_relationships(serializer_class):
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        if isinstance(field, ManyRelatedField):
            yield name, field.child_relation
        elif isinstance(field, RelatedField):
            yield name, field


WRITABLE = [
    pytest.param(serializer, name, id=f"{serializer.__name__}.{name}")
    for serializer in _serializers()
    for name, _ in _writable_relationships(serializer)
]


@pytest.mark.parametrize("credential_scopes", [CHANNEL_SCOPES, "all"], ids=["channel", "all"])
@pytest.mark.parametrize("serializer_class, name", WRITABLE)
def test_every_writable_relationship_resolves_ids_like_a_read(
    administration, serializer_class, name, credential_scopes
):
    # given: a request of some credential in the administration
    app = ApplicationFactory()
    scopes = frozenset(parse_scopes(credential_scopes))
    credential = Credential(
        kind="api_key",
        identifier="walk",
        application_id=app.pk,
        grants={administration.pk: scopes},
    )
    request = Request(APIRequestFactory().post("/"))
    request._auth, request._user = credential, None
    view = SimpleNamespace(
        request=request, kwargs={}, administration=administration, granted_scopes=scopes
    )
    serializer = serializer_class(context={"view": view, "request": request})
    field = serializer.fields[name]
    field = getattr(field, "child_relation", field)

    # when
    queryset = field.get_queryset()

    # then: exactly the queryset a GET of that resource by id would search
    expected = visibility.readable(view, queryset.model)
    assert str(queryset.query) == str(expected.query)
