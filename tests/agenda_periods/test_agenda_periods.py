"""Agenda periods through HTTP: subtypes, validation, clashes, filters, scopes."""

import datetime as dt

import pytest

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.factories import AdministrationFactory
from tests.jsonapi import error_codes
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def base(administration) -> str:
    return f"/v3/administrations/{administration.pk}"


def period_document(rentable, start, end, period_id=None, **attributes):
    data = {
        "type": "agenda_period",
        "attributes": {"start_date": start, "end_date": end, **attributes},
        "relationships": {"rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}},
    }
    if period_id is not None:
        data["id"] = str(period_id)
    return {"data": data}


@pytest.fixture
def rentable(administration):
    return RentableFactory(category__administration=administration)


@pytest.mark.parametrize(
    "endpoint, period_type",
    [
        ("maintenance_agenda_periods", "MaintenanceAgendaPeriod"),
        ("external_blocked_agenda_periods", "ExternalBlockedAgendaPeriod"),
    ],
)
def test_subtype_round_trip(api, administration, rentable, endpoint, period_type):
    url = f"{base(administration)}/{endpoint}"

    created = api.post(url, period_document(rentable, day(5), day(8), label="Painting"))
    assert created.status_code == 201, created.doc
    data = created.doc["data"]
    assert data["type"] == "agenda_period"
    assert data["attributes"]["period_type"] == period_type
    assert data["attributes"]["ical_uid"].endswith("@holidaypark.local")
    assert data["relationships"]["reservation"] == {"data": None}
    period_id = data["id"]

    moved = api.patch(f"{url}/{period_id}", period_document(rentable, day(6), day(9), period_id))
    assert moved.status_code == 200
    assert moved.doc["data"]["attributes"]["start_date"] == day(6)
    assert moved.doc["data"]["attributes"]["ical_uid"] == data["attributes"]["ical_uid"]

    shown = api.get(f"{base(administration)}/agenda_periods/{period_id}")
    assert shown.doc["data"]["attributes"]["label"] == "Painting"

    assert api.delete(f"{url}/{period_id}").status_code == 204
    assert not AgendaPeriod.objects.exists()


def test_other_subtypes_are_not_reachable_through_a_subtype_endpoint(api, administration, rentable):
    external = AgendaPeriodFactory(rentable=rentable, period_type=PeriodType.EXTERNAL_BLOCKED)
    reservation = AgendaPeriodFactory(
        rentable=rentable,
        period_type=PeriodType.RESERVATION,
        start_date=TODAY + dt.timedelta(days=40),
        end_date=TODAY + dt.timedelta(days=42),
    )
    url = f"{base(administration)}/maintenance_agenda_periods"

    assert api.delete(f"{url}/{external.pk}").status_code == 404
    assert (
        api.patch(
            f"{url}/{reservation.pk}", period_document(rentable, day(1), day(2), reservation.pk)
        ).status_code
        == 404
    )
    assert AgendaPeriod.objects.count() == 2


def test_generic_endpoint_is_read_only(api, administration, rentable):
    response = api.post(
        f"{base(administration)}/agenda_periods", period_document(rentable, day(1), day(2))
    )

    assert response.status_code == 405


@pytest.mark.parametrize(
    "start, end, pointer",
    [
        (day(5), day(5), "/data/attributes/end_date"),
        (day(5), day(4), "/data/attributes/end_date"),
        (day(5), day(6000), "/data/attributes/end_date"),
        ("2026-02-30", day(4), "/data/attributes/start_date"),
        ("soon", day(4), "/data/attributes/start_date"),
    ],
)
def test_invalid_dates_are_422(api, administration, rentable, start, end, pointer):
    response = api.post(
        f"{base(administration)}/maintenance_agenda_periods", period_document(rentable, start, end)
    )

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"]["pointer"] == pointer
    assert not AgendaPeriod.objects.exists()


def test_rentable_must_belong_to_the_administration(api, administration):
    foreign = RentableFactory()

    response = api.post(
        f"{base(administration)}/maintenance_agenda_periods",
        period_document(foreign, day(1), day(3)),
    )

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"]["pointer"] == "/data/relationships/rentable"


class TestClashes:
    def test_overlap_is_409_naming_the_period(self, api, administration, rentable):
        existing = AgendaPeriodFactory(
            rentable=rentable,
            start_date=TODAY + dt.timedelta(days=10),
            end_date=TODAY + dt.timedelta(days=14),
        )

        response = api.post(
            f"{base(administration)}/external_blocked_agenda_periods",
            period_document(rentable, day(13), day(16)),
        )

        assert response.status_code == 409
        assert error_codes(response) == ["CONFLICT"]
        detail = response.doc["errors"][0]["detail"]
        assert f"agenda period {existing.pk}" in detail and day(10) in detail and day(14) in detail
        assert AgendaPeriod.objects.count() == 1

    def test_departure_and_arrival_on_the_same_day_do_not_clash(
        self, api, administration, rentable
    ):
        AgendaPeriodFactory(
            rentable=rentable,
            start_date=TODAY + dt.timedelta(days=10),
            end_date=TODAY + dt.timedelta(days=14),
        )
        url = f"{base(administration)}/maintenance_agenda_periods"

        after = api.post(url, period_document(rentable, day(14), day(16)))
        before = api.post(url, period_document(rentable, day(8), day(10)))

        assert (after.status_code, before.status_code) == (201, 201)

    def test_other_rentables_and_non_blocking_periods_do_not_clash(
        self, api, administration, rentable
    ):
        other = RentableFactory(category=rentable.category)
        AgendaPeriodFactory(rentable=other, start_date=TODAY + dt.timedelta(days=10))
        AgendaPeriodFactory(
            rentable=rentable, start_date=TODAY + dt.timedelta(days=10), blocking=False
        )

        response = api.post(
            f"{base(administration)}/maintenance_agenda_periods",
            period_document(rentable, day(10), day(13)),
        )

        assert response.status_code == 201

    def test_an_expired_option_gives_its_dates_up(self, api, administration, rentable):
        from django.utils import timezone

        hold = AgendaPeriodFactory(
            rentable=rentable,
            period_type=PeriodType.RESERVATION,
            start_date=TODAY + dt.timedelta(days=10),
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )

        response = api.post(
            f"{base(administration)}/maintenance_agenda_periods",
            period_document(rentable, day(10), day(12)),
        )

        assert response.status_code == 201
        hold.refresh_from_db()
        assert hold.blocking is False

    def test_moving_onto_taken_dates_is_409_and_changes_nothing(
        self, api, administration, rentable
    ):
        AgendaPeriodFactory(
            rentable=rentable,
            start_date=TODAY + dt.timedelta(days=10),
            end_date=TODAY + dt.timedelta(days=14),
        )
        mine = AgendaPeriodFactory(
            rentable=rentable,
            start_date=TODAY + dt.timedelta(days=20),
            end_date=TODAY + dt.timedelta(days=22),
        )

        response = api.patch(
            f"{base(administration)}/maintenance_agenda_periods/{mine.pk}",
            period_document(rentable, day(12), day(22), mine.pk),
        )

        assert response.status_code == 409
        mine.refresh_from_db()
        assert mine.start_date == TODAY + dt.timedelta(days=20)


class TestListing:
    @pytest.mark.parametrize(
        "query, expected",
        [
            ("filter[period_type]=ExternalBlockedAgendaPeriod", ["external"]),
            ("filter[type]=!ReservationAgendaPeriod", ["maintenance", "external"]),
            (f"filter[start_date]={day(10)}..{day(19)}", ["maintenance"]),
            (f"filter[end_date]={day(25)}..", ["external", "reservation"]),
            ("filter[label]=x", None),
        ],
    )
    def test_filters(self, api, administration, rentable, query, expected):
        AgendaPeriodFactory(
            rentable=rentable, label="maintenance", start_date=TODAY + dt.timedelta(days=10)
        )
        AgendaPeriodFactory(
            rentable=rentable,
            label="external",
            period_type=PeriodType.EXTERNAL_BLOCKED,
            start_date=TODAY + dt.timedelta(days=20),
            end_date=TODAY + dt.timedelta(days=26),
        )
        AgendaPeriodFactory(
            rentable=rentable,
            label="reservation",
            period_type=PeriodType.RESERVATION,
            start_date=TODAY + dt.timedelta(days=30),
        )

        response = api.get(f"{base(administration)}/agenda_periods?{query}")

        if expected is None:  # the vendor has no filter on label
            assert response.status_code == 400
        else:
            assert [r["attributes"]["label"] for r in response.doc["data"]] == expected

    def test_filter_on_rentable_and_include(
        self, api, administration, rentable, django_assert_max_num_queries
    ):
        other = RentableFactory(category=rentable.category)
        for offset in range(0, 30, 3):
            AgendaPeriodFactory(
                rentable=other,
                start_date=TODAY + dt.timedelta(days=offset),
                end_date=TODAY + dt.timedelta(days=offset + 2),
            )
        AgendaPeriodFactory(rentable=rentable)

        with django_assert_max_num_queries(8):
            response = api.get(
                f"{base(administration)}/agenda_periods?filter[rentable]={other.pk}&include=rentable.category"
            )

        assert len(response.doc["data"]) == 10
        assert {i["type"] for i in response.doc["included"]} == {"rentable", "category"}

    def test_another_administrations_periods_are_invisible(self, api, administration):
        foreign = AgendaPeriodFactory(rentable__category__administration=AdministrationFactory())

        listing = api.get(f"{base(administration)}/agenda_periods")
        shown = api.get(f"{base(administration)}/agenda_periods/{foreign.pk}")

        assert listing.doc["data"] == []
        assert shown.status_code == 404


class TestScopes:
    def test_read_write_delete(self, client_for, administration, rentable):
        period = AgendaPeriodFactory(rentable=rentable)
        url = f"{base(administration)}/maintenance_agenda_periods"
        reader = client_for(administration, "agenda_period|read")
        writer = client_for(administration, "agenda_period|read agenda_period|write")

        assert reader.get(f"{base(administration)}/agenda_periods").status_code == 200
        assert reader.post(url, period_document(rentable, day(30), day(31))).status_code == 403
        assert writer.post(url, period_document(rentable, day(30), day(31))).status_code == 201
        refused = writer.delete(f"{url}/{period.pk}")
        assert refused.status_code == 403
        assert refused.doc["errors"][0]["detail"].endswith("agenda_period|delete.")


class TestRentableDeletion:
    def test_future_reservations_block_deletion(self, api, administration, rentable):
        AgendaPeriodFactory(rentable=rentable, period_type=PeriodType.RESERVATION)

        response = api.delete(f"{base(administration)}/rentables/{rentable.pk}")

        assert response.status_code == 409
        rentable.refresh_from_db()
        assert rentable.active

    def test_past_reservations_deactivate_instead(self, api, administration, rentable):
        AgendaPeriodFactory(
            rentable=rentable,
            period_type=PeriodType.RESERVATION,
            start_date=TODAY - dt.timedelta(days=30),
            end_date=TODAY - dt.timedelta(days=25),
        )

        response = api.delete(f"{base(administration)}/rentables/{rentable.pk}")

        assert response.status_code == 200
        assert response.doc["meta"]["deactivated"] is True
        rentable.refresh_from_db()
        assert rentable.active is False

    def test_maintenance_alone_does_not_prevent_deletion(self, api, administration, rentable):
        AgendaPeriodFactory(rentable=rentable)

        assert api.delete(f"{base(administration)}/rentables/{rentable.pk}").status_code == 204
