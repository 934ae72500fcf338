"""Owners, agreements, owner reservations and owner maintenance."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.agreements.models import OWNER_FLAGS, Agreement
from apps.agreements.services import agreement_save, owner_create
from apps.bookings.models import Booking
from apps.rentables.models import Category
from tests.bookings.helpers import booking_document, day, stay
from tests.jsonapi import error_codes
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def owner(administration):
    return owner_create(
        administration=administration, name="Familie Visser", email="visser@example.nl"
    )


@pytest.fixture
def rentable(administration):
    return RentableFactory(category__administration=administration)


def make_agreement(owner, rentable, start=-30, till=365, name="Rental", **flags):
    return agreement_save(
        agreement=Agreement(
            administration=owner.administration,
            owner=owner,
            rentable=rentable,
            name=name,
            active_from=TODAY + dt.timedelta(days=start),
            active_till=None if till is None else TODAY + dt.timedelta(days=till),
            **flags,
        )
    )


def base(administration):
    return f"/v3/administrations/{administration.pk}"


def test_agreement_shape(api, administration, owner, rentable):
    agreement = make_agreement(owner, rentable, owner_reservable=True)

    data = api.get(f"{base(administration)}/agreements/{agreement.pk}").doc["data"]

    assert set(data["attributes"]) == {
        "name",
        "active_from",
        "active_till",
        "frequency",
        "settlement_method",
        *OWNER_FLAGS,
        "created_at",
        "updated_at",
    }
    assert data["relationships"]["rentable_identity"]["data"] == {
        "type": "rentable",
        "id": str(rentable.pk),
    }
    assert data["relationships"]["owner"]["data"] == {"type": "owner", "id": str(owner.pk)}
    assert data["relationships"]["commission_agreement"] == {"data": None}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("filter[owner_reservable]=true", ["A"]),
        ("filter[owner_can_edit_agenda_periods]=false", ["A"]),
        (f"filter[active_from]=..{day(0)}", ["A"]),
        (f"filter[active_till]={day(100)}..", ["B"]),
        ("filter[rentable_identity]=RENTABLE_B", ["B"]),
        ("filter[can_promote]=!true", ["A", "B"]),
        ("filter[commission_agreement]=1", []),
        ("filter[name]=A", None),
        ("filter[frequency]=monthly", None),
    ],
)
def test_filters(api, administration, owner, query, expected):
    first, second = RentableFactory.create_batch(2, category__administration=administration)
    make_agreement(owner, first, till=50, name="A", owner_reservable=True)
    make_agreement(owner, second, start=10, till=400, name="B", owner_can_edit_agenda_periods=True)

    response = api.get(
        f"{base(administration)}/agreements?{query.replace('RENTABLE_B', str(second.pk))}"
    )

    if expected is None:  # not filterable in the vendor's API
        assert response.status_code == 400
    else:
        assert [a["attributes"]["name"] for a in response.doc["data"]] == expected


class TestOverlap:
    @pytest.mark.parametrize(
        "start, till",
        [(-10, 10), (300, 400), (-100, -30), (364, None), (-60, None)],
    )
    def test_agreements_of_one_rentable_may_not_overlap(self, owner, rentable, start, till):
        make_agreement(owner, rentable, start=-30, till=365)

        with pytest.raises(ValidationError) as error:
            make_agreement(owner, rentable, start=start, till=till)

        assert "active_from" in error.value.message_dict
        assert Agreement.objects.count() == 1

    def test_back_to_back_agreements_are_fine(self, owner, rentable):
        make_agreement(owner, rentable, start=-30, till=365)
        make_agreement(owner, rentable, start=366, till=None)

        assert Agreement.objects.count() == 2

    def test_other_rentables_do_not_clash(self, owner, rentable, administration):
        make_agreement(owner, rentable)
        make_agreement(owner, RentableFactory(category__administration=administration))

        assert Agreement.objects.count() == 2


def test_category_flags_follow_the_agreements(owner, rentable):
    make_agreement(owner, rentable, owner_should_check_reservations=True)

    category = Category.objects.get(pk=rentable.category_id)
    assert category.has_current_or_future_owner_that_should_check_reservations is True
    assert category.agreements_changed_at is not None


class TestOwnerReservations:
    def test_a_booking_by_the_owner_under_a_reservable_agreement(
        self, api, administration, owner, rentable
    ):
        make_agreement(owner, rentable, owner_reservable=True)
        document = booking_document(stays=[stay(rentable, 3, 5, "a")])
        document["data"]["relationships"]["owner"] = {
            "data": {"type": "owner", "id": str(owner.pk)}
        }

        response = api.post(f"{base(administration)}/bookings?include=owner", document)

        assert response.status_code == 201, response.doc
        assert response.doc["data"]["attributes"]["owner_reservation"] is True
        assert response.doc["included"][0]["attributes"]["name"] == "Familie Visser"

    def test_an_owner_without_that_right_is_refused(self, api, administration, owner, rentable):
        make_agreement(owner, rentable, owner_reservable=False)
        document = booking_document(stays=[stay(rentable, 3, 5, "a")])
        document["data"]["relationships"]["owner"] = {
            "data": {"type": "owner", "id": str(owner.pk)}
        }

        response = api.post(f"{base(administration)}/bookings", document)

        assert response.status_code == 422
        assert response.doc["errors"][0]["source"]["pointer"] == "/data/relationships/owner"
        assert not Booking.objects.exists()

    def test_ordinary_bookings_are_not_owner_reservations(
        self, api, administration, owner, rentable
    ):
        make_agreement(owner, rentable, owner_reservable=True)

        response = api.post(
            f"{base(administration)}/bookings", booking_document(stays=[stay(rentable, 3, 5, "a")])
        )

        assert response.doc["data"]["attributes"]["owner_reservation"] is False


class TestOwnerMaintenance:
    def document(self, rentable, start=5, end=8):
        return {
            "data": {
                "type": "agenda_period",
                "attributes": {"start_date": day(start), "end_date": day(end), "label": "Own stay"},
                "relationships": {
                    "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}
                },
            }
        }

    def test_allowed_while_the_agreement_lets_the_owner_edit(
        self, api, administration, owner, rentable
    ):
        make_agreement(owner, rentable, owner_can_edit_agenda_periods=True)

        response = api.post(
            f"{base(administration)}/owner_maintenance_agenda_periods", self.document(rentable)
        )

        assert response.status_code == 201
        assert response.doc["data"]["attributes"]["period_type"] == "OwnerMaintenanceAgendaPeriod"

    def test_refused_without_the_right(self, api, administration, owner, rentable):
        make_agreement(owner, rentable, owner_can_edit_agenda_periods=False)

        response = api.post(
            f"{base(administration)}/owner_maintenance_agenda_periods", self.document(rentable)
        )

        assert response.status_code == 403
        assert error_codes(response) == ["NO_VALID_SCOPE"]
        assert "owner_can_edit_agenda_periods" in response.doc["errors"][0]["detail"]

    def test_refused_outside_the_agreements_period(self, api, administration, owner, rentable):
        make_agreement(owner, rentable, till=3, owner_can_edit_agenda_periods=True)

        response = api.post(
            f"{base(administration)}/owner_maintenance_agenda_periods",
            self.document(rentable, 5, 8),
        )

        assert response.status_code == 403
        assert "no owner agreement active" in response.doc["errors"][0]["detail"]


class TestOwners:
    def test_create_and_read(self, api, administration):
        created = api.post(
            f"{base(administration)}/owners",
            {
                "data": {
                    "type": "owner",
                    "attributes": {
                        "name": "Jan Smit",
                        "email": "jan@example.nl",
                        "iban": "NL91ABNA0417164300",
                        "country_code": "NL",
                    },
                }
            },
        )

        assert created.status_code == 201, created.doc
        assert "iban" not in created.doc["data"]["attributes"]
        assert created.doc["data"]["relationships"]["agreements"]["data"] == []

    def test_owner_scopes(self, client_for, administration):
        reader = client_for(administration, "owner|read")

        assert reader.get(f"{base(administration)}/owners").status_code == 200
        response = reader.post(
            f"{base(administration)}/owners",
            {"data": {"type": "owner", "attributes": {"name": "X"}}},
        )
        assert response.status_code == 403
        assert response.doc["errors"][0]["detail"].endswith("owner|write.")

    def test_agreement_read_scope(self, client_for, administration):
        response = client_for(administration, "owner|read").get(
            f"{base(administration)}/agreements"
        )

        assert response.status_code == 403


def test_includes_owner_and_rentable_category_without_n_plus_one(api, administration, owner):
    path = f"{base(administration)}/agreements?include=owner,rentable_identity.category"
    make_agreement(owner, RentableFactory(category__administration=administration))
    api.get(path)
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    for _ in range(10):
        other = owner_create(administration=administration, name="Other")
        make_agreement(other, RentableFactory(category__administration=administration))

    with CaptureQueriesContext(connection) as many:
        response = api.get(path)

    assert len(response.doc["data"]) == 11
    assert len(many.captured_queries) == len(few.captured_queries)
    assert {i["type"] for i in response.doc["included"]} == {"owner", "rentable", "category"}
