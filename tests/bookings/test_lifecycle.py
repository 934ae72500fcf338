"""Booking states: every transition, cancel and restore, option expiry on a frozen clock."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.agenda_periods.models import AgendaPeriod
from apps.bookings.models import Booking, State
from apps.bookings.services.bookings import booking_create, booking_expire_options
from apps.bookings.services.states import TRANSITIONS
from apps.bookings.tasks import expire_options
from tests.bookings.helpers import TODAY, booking_document, day, guest, stay
from tests.jsonapi import error_codes

pytestmark = pytest.mark.django_db


def make_booking(administration, rentable, state="confirmed", arrival=10, departure=14, **extra):
    spec = {
        "rentable": rentable,
        "arrival_date": TODAY + dt.timedelta(days=arrival),
        "departure_date": TODAY + dt.timedelta(days=departure),
        "adults": 2,
    }
    if state == "option":
        extra.setdefault("option_validity", 2)
    return booking_create(administration=administration, state=state, reservations=[spec], **extra)


def patch_state(api, booking, state, **attributes):
    return api.patch(
        f"/v3/administrations/{booking.administration_id}/bookings/{booking.pk}",
        {
            "data": {
                "type": "booking",
                "id": str(booking.pk),
                "attributes": {"state": state, **attributes},
            }
        },
    )


ALL_PAIRS = [(a, b) for a in State.values for b in State.values if a != b]


@pytest.mark.parametrize("current, target", ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    api, administration, chalets, current, target
):
    booking = make_booking(administration, chalets[0], state="option")
    Booking.objects.filter(pk=booking.pk).update(state=current)
    booking.refresh_from_db()

    response = patch_state(api, booking, target)

    booking.refresh_from_db()
    if target in TRANSITIONS[current]:
        assert response.status_code == 200, response.doc
        assert booking.state == target
    else:
        assert response.status_code == 422
        assert error_codes(response) == ["INVALID_STATE_TRANSITION"]
        assert response.doc["errors"][0]["source"]["pointer"] == "/data/attributes/state"
        assert booking.state == current


def test_confirming_an_option_makes_its_hold_permanent(api, administration, chalets):
    booking = make_booking(administration, chalets[0], state="option")

    response = patch_state(api, booking, "confirmed")

    assert response.doc["data"]["attributes"]["confirmed_at"]
    assert response.doc["data"]["attributes"]["option_expires_at"] is None
    assert AgendaPeriod.objects.get().expires_at is None


def test_cancel_frees_the_dates_at_once(api, administration, chalets):
    booking = make_booking(administration, chalets[0])

    response = patch_state(api, booking, "cancelled", cancel_reason="Guest is ill")

    attributes = response.doc["data"]["attributes"]
    assert (attributes["state"], attributes["cancel_reason"]) == ("cancelled", "Guest is ill")
    assert attributes["cancel_date"] == TODAY.isoformat()
    assert attributes["total"]["value"] == "0.00"
    assert booking.reservations.get().state == "cancelled"
    assert AgendaPeriod.objects.get().blocking is False
    # the nights can be booked again
    again = make_booking(administration, chalets[0])
    assert again.pk != booking.pk


def test_restore_reclaims_the_dates(api, administration, chalets):
    booking = make_booking(administration, chalets[0])
    patch_state(api, booking, "cancelled", cancel_reason="mistake")

    response = patch_state(api, booking, "confirmed")

    assert response.status_code == 200
    assert response.doc["data"]["attributes"]["cancel_reason"] == ""
    assert AgendaPeriod.objects.get().blocking is True
    assert booking.reservations.get().state == "confirmed"


def test_restore_is_409_when_the_dates_were_taken(api, administration, chalets):
    booking = make_booking(administration, chalets[0])
    patch_state(api, booking, "cancelled")
    make_booking(administration, chalets[0], arrival=12, departure=13)

    response = patch_state(api, booking, "option", option_validity=3)

    assert response.status_code == 409
    assert error_codes(response) == ["CONFLICT"]
    booking.refresh_from_db()
    assert booking.state == "cancelled"
    assert booking.reservations.get().state == "cancelled"


def test_restore_as_option_holds_again_for_its_validity(api, administration, chalets):
    booking = make_booking(administration, chalets[0], state="option")
    patch_state(api, booking, "cancelled")

    response = patch_state(api, booking, "option")

    assert response.status_code == 200
    expires = AgendaPeriod.objects.get().expires_at
    assert timezone.now() + dt.timedelta(days=1) < expires <= timezone.now() + dt.timedelta(days=2)


def test_an_option_needs_a_validity(api, administration, chalets, bookings_url):
    response = api.post(
        bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")], state="option")
    )

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"]["pointer"] == "/data/attributes/option_validity"


def test_option_expires_at_can_be_given_directly(api, administration, chalets, bookings_url):
    expires = (timezone.now() + dt.timedelta(hours=5)).replace(microsecond=0)
    document = booking_document(
        stays=[stay(chalets[0], 3, 5, "a")], option_expires_at=expires.isoformat()
    )

    response = api.post(bookings_url, document)

    assert response.doc["data"]["attributes"]["state"] == "option"
    assert AgendaPeriod.objects.get().expires_at == expires


class TestOptionExpiry:
    def test_the_task_cancels_expired_options_on_a_frozen_clock(self, administration, chalets):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            option = make_booking(administration, chalets[0], state="option", option_validity=2)
            firm = make_booking(administration, chalets[1])

            clock.shift(dt.timedelta(days=2) - dt.timedelta(seconds=1))
            assert expire_options.delay().get() == 0

            clock.shift(dt.timedelta(seconds=2))
            assert expire_options.delay().get() == 1
            assert expire_options.delay().get() == 0  # idempotent

        option.refresh_from_db()
        firm.refresh_from_db()
        assert (option.state, option.cancel_reason) == ("cancelled", "option expired")
        assert firm.state == "confirmed"
        assert AgendaPeriod.objects.get(reservation__booking=option).blocking is False

    def test_availability_ignores_an_expired_option_before_the_task_runs(
        self, api, administration, chalets
    ):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            make_booking(administration, chalets[0], state="option", option_validity=1)
            path = (
                f"/v3/administrations/{administration.pk}/availabilities"
                f"?filter[arrival_date]={day(10)}&filter[departure_date]={day(14)}"
            )
            before = api.get(path).doc["data"][0]["attributes"]["available_count"]

            clock.shift(dt.timedelta(days=1, seconds=1))
            after = api.get(path).doc["data"][0]["attributes"]["available_count"]

        assert (before, after) == (2, 3)
        assert Booking.objects.get().state == "option"  # the task has not run

    def test_an_expired_option_yields_its_dates_to_a_new_booking(
        self, api, administration, chalets, bookings_url
    ):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            make_booking(administration, chalets[0], state="option", option_validity=1)
            clock.shift(dt.timedelta(days=2))

            response = api.post(
                bookings_url, booking_document(stays=[stay(chalets[0], 11, 12, "a")])
            )

        assert response.status_code == 201

    def test_expiry_with_an_explicit_moment(self, administration, chalets):
        make_booking(administration, chalets[0], state="concept")

        assert booking_expire_options(now=timezone.now()) == 0
        assert booking_expire_options(now=timezone.now() + dt.timedelta(hours=2)) == 1
        assert Booking.objects.get().cancel_reason == "concept expired"


class TestSingleReservations:
    def test_cancelling_one_stay_keeps_the_booking(
        self, api, administration, chalets, bookings_url
    ):
        created = api.post(
            bookings_url,
            booking_document(stays=[stay(chalets[0], 3, 5, "a"), stay(chalets[1], 3, 5, "b")]),
        )
        first, second = created.doc["data"]["relationships"]["reservations"]["data"]
        url = f"/v3/administrations/{administration.pk}/reservations/{first['id']}"

        response = api.patch(
            url,
            {
                "data": {
                    "type": "reservation",
                    "id": first["id"],
                    "attributes": {"state": "cancelled", "cancel_reason": "one less"},
                }
            },
        )

        assert response.status_code == 200
        booking = Booking.objects.get()
        assert booking.state == "confirmed"
        assert booking.total == 500
        assert [p.blocking for p in AgendaPeriod.objects.order_by("pk")] == [False, True]

    def test_cancelling_the_last_stay_cancels_the_booking(
        self, api, administration, chalets, bookings_url
    ):
        created = api.post(bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")]))
        only = created.doc["data"]["relationships"]["reservations"]["data"][0]["id"]

        api.patch(
            f"/v3/administrations/{administration.pk}/reservations/{only}",
            {"data": {"type": "reservation", "id": only, "attributes": {"state": "cancelled"}}},
        )

        assert Booking.objects.get().state == "cancelled"

    def test_moving_a_stay_moves_its_period_or_is_409(
        self, api, administration, chalets, bookings_url
    ):
        created = api.post(bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")]))
        make_booking(administration, chalets[0], arrival=20, departure=25)
        only = created.doc["data"]["relationships"]["reservations"]["data"][0]["id"]
        url = f"/v3/administrations/{administration.pk}/reservations/{only}"

        moved = api.patch(
            url,
            {
                "data": {
                    "type": "reservation",
                    "id": only,
                    "attributes": {"arrival_date": day(6), "departure_date": day(9)},
                }
            },
        )
        clash = api.patch(
            url,
            {
                "data": {
                    "type": "reservation",
                    "id": only,
                    "attributes": {"arrival_date": day(18), "departure_date": day(21)},
                }
            },
        )

        assert moved.status_code == 200
        assert clash.status_code == 409
        period = AgendaPeriod.objects.get(reservation__pk=only)
        assert (period.start_date, period.end_date) == (
            TODAY + dt.timedelta(days=6),
            TODAY + dt.timedelta(days=9),
        )

    def test_a_stay_cannot_be_confirmed_on_its_own(
        self, api, administration, chalets, bookings_url
    ):
        created = api.post(bookings_url, booking_document(stays=[stay(chalets[0], 3, 5, "a")]))
        only = created.doc["data"]["relationships"]["reservations"]["data"][0]["id"]

        response = api.patch(
            f"/v3/administrations/{administration.pk}/reservations/{only}",
            {"data": {"type": "reservation", "id": only, "attributes": {"state": "option"}}},
        )

        assert response.status_code == 422
        assert error_codes(response) == ["INVALID_STATE_TRANSITION"]


def test_customer_side_posting_in_a_concept(api, administration, chalets, bookings_url):
    response = api.post(
        bookings_url,
        booking_document(customer=guest(), stays=[stay(chalets[0], 3, 5, "a")], state="concept"),
    )

    assert response.doc["data"]["attributes"]["state"] == "concept"
    assert response.doc["data"]["attributes"]["option_expires_at"]
