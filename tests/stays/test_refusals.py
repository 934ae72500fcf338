"""Stays the park forbids are refused wherever a stay is made: bookings with side-posted
stays, reservations, their changes, restores; owners and maintenance are not stays."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agreements.models import Agreement
from apps.agreements.services import agreement_save, owner_create
from apps.bookings.models import Booking
from apps.bookings.services.bookings import booking_create, booking_transition
from apps.stays.services import stay_refusal
from tests.bookings.helpers import TODAY, booking_document, day, guest, stay
from tests.factories import AdministrationFactory
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chalet(administration):
    return RentableFactory(category=CategoryFactory(administration=administration))


def base(administration):
    return f"/v3/administrations/{administration.pk}"


def reservation_document(booking_id, rentable, arrival, departure, reservation_id=None):
    data = {
        "type": "reservation",
        "attributes": {"arrival_date": day(arrival), "departure_date": day(departure), "adults": 2},
        "relationships": {
            "booking": {"data": {"type": "booking", "id": str(booking_id)}},
            "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}},
        },
    }
    if reservation_id is not None:
        data["id"] = str(reservation_id)
    return {"data": data}


def refusal_of(response) -> tuple[str, str]:
    [error] = response.doc["errors"]
    assert response.status_code == 422 and error["code"] == "VALIDATION_FAILED"
    assert error["detail"]
    return error["meta"]["rule"], error["source"]["pointer"]


def test_a_night_below_the_categorys_minimum_is_refused_with_its_rule(api, administration, chalet):
    # given: the example, a 1-night stay where the category asks for 2
    chalet.category.minimum_number_of_nights = 2
    chalet.category.save()
    document = booking_document(customer=guest(), stays=[stay(chalet, 10, 11, "a")])

    # when
    response = api.post(f"{base(administration)}/bookings", document)

    # then
    assert refusal_of(response) == ("minimum_nights", "/included/1/attributes/departure_date")
    assert "at least 2 nights" in response.doc["errors"][0]["detail"]
    assert not Booking.objects.exists() and not AgendaPeriod.objects.exists()
    two_nights = booking_document(customer=guest(), stays=[stay(chalet, 10, 12, "a")])
    assert api.post(f"{base(administration)}/bookings", two_nights).status_code == 201


def test_posting_a_reservation_on_a_closed_weekday(api, administration, chalet):
    arrival = next(n for n in range(3, 10) if (TODAY + dt.timedelta(days=n)).weekday() == 5)
    chalet.category.arrival_weekdays = ["saturday"]
    chalet.category.save()
    booking = booking_create(administration=administration)
    url = f"{base(administration)}/reservations"

    refused = api.post(url, reservation_document(booking.pk, chalet, arrival + 1, arrival + 4))
    accepted = api.post(url, reservation_document(booking.pk, chalet, arrival, arrival + 4))

    assert refusal_of(refused) == ("arrival_weekday", "/data/attributes/arrival_date")
    assert "Saturday" in refused.doc["errors"][0]["detail"]
    assert accepted.status_code == 201, accepted.doc


def test_changing_a_reservation_into_a_stay_too_long_changes_nothing(api, administration, chalet):
    chalet.category.maximum_number_of_nights = 7
    chalet.category.save()
    booking = booking_create(
        administration=administration,
        reservations=[
            {
                "rentable": chalet,
                "arrival_date": TODAY + dt.timedelta(days=5),
                "departure_date": TODAY + dt.timedelta(days=12),
            }  # fmt: skip
        ],
    )
    reservation = booking.reservations.get()

    response = api.patch(
        f"{base(administration)}/reservations/{reservation.pk}",
        reservation_document(booking.pk, chalet, 5, 13, reservation_id=reservation.pk),
    )

    assert refusal_of(response) == ("maximum_nights", "/data/attributes/departure_date")
    assert AgendaPeriod.objects.get().end_date == TODAY + dt.timedelta(days=12)


def test_a_restore_the_rules_now_forbid_is_refused(api, administration, chalet):
    booking = booking_create(
        administration=administration,
        reservations=[
            {
                "rentable": chalet,
                "arrival_date": TODAY + dt.timedelta(days=5),
                "departure_date": TODAY + dt.timedelta(days=9),
            }  # fmt: skip
        ],
    )
    booking_transition(booking=booking, state="cancelled", cancel_reason="mistake")
    chalet.available_until = TODAY + dt.timedelta(days=7)  # the chalet is sold
    chalet.save()

    response = api.patch(
        f"{base(administration)}/bookings/{booking.pk}",
        {"data": {"type": "booking", "id": str(booking.pk), "attributes": {"state": "confirmed"}}},
    )

    assert refusal_of(response) == ("bookable_window", "/data/attributes/state")
    booking.refresh_from_db()
    assert booking.state == "cancelled" and AgendaPeriod.objects.get().blocking is False


def test_an_owners_reservation_is_not_a_stay(api, administration, chalet):
    chalet.category.minimum_number_of_nights = 7
    chalet.category.arrival_weekdays = ["saturday"]
    chalet.category.save()
    owner = owner_create(administration=administration, name="Visser", email="v@example.nl")
    agreement_save(
        agreement=Agreement(
            administration=administration,
            owner=owner,
            rentable=chalet,
            name="Rental",
            active_from=TODAY - dt.timedelta(days=1),
            owner_reservable=True,
        )  # fmt: skip
    )
    arrival = next(n for n in range(3, 10) if (TODAY + dt.timedelta(days=n)).weekday() == 2)
    document = booking_document(stays=[stay(chalet, arrival, arrival + 1, "a")])
    document["data"]["relationships"]["owner"] = {"data": {"type": "owner", "id": str(owner.pk)}}

    response = api.post(f"{base(administration)}/bookings", document)

    assert response.status_code == 201, response.doc
    assert response.doc["data"]["attributes"]["owner_reservation"] is True


def test_the_gap_refuses_a_guest_but_never_maintenance(api, administration, chalet):
    chalet.category.turnover_gap_nights = 2
    chalet.category.save()
    booking_create(
        administration=administration,
        reservations=[
            {
                "rentable": chalet,
                "arrival_date": TODAY + dt.timedelta(days=10),
                "departure_date": TODAY + dt.timedelta(days=14),
            }  # fmt: skip
        ],
    )
    maintenance = {
        "data": {
            "type": "agenda_period",
            "attributes": {"start_date": day(14), "end_date": day(15)},
            "relationships": {"rentable": {"data": {"type": "rentable", "id": str(chalet.pk)}}},
        }
    }

    too_close = api.post(
        f"{base(administration)}/bookings",
        booking_document(customer=guest(), stays=[stay(chalet, 15, 17, "a")]),
    )
    cleaning = api.post(f"{base(administration)}/maintenance_agenda_periods", maintenance)
    far_enough = api.post(
        f"{base(administration)}/bookings",
        booking_document(customer=guest(), stays=[stay(chalet, 16, 18, "a")]),
    )

    assert refusal_of(too_close) == ("turnover_gap", "/included/1/attributes/arrival_date")
    assert cleaning.status_code == 201, cleaning.doc
    assert far_enough.status_code == 201, far_enough.doc
    assert AgendaPeriod.objects.filter(period_type=PeriodType.RESERVATION).count() == 2


def test_arrival_today_follows_same_day_bookings_allowed(api, administration, chalet):
    document = booking_document(customer=guest(), stays=[stay(chalet, 0, 2, "a")])

    refused = api.post(f"{base(administration)}/bookings", document)
    chalet.category.same_day_bookings_allowed = True
    chalet.category.save()
    accepted = api.post(f"{base(administration)}/bookings", document)

    assert refusal_of(refused) == ("same_day", "/included/1/attributes/arrival_date")
    assert accepted.status_code == 201, accepted.doc


@pytest.mark.parametrize(
    "at, today",
    [
        # spring forward in Amsterdam (2027-03-28 02:00 CET → 03:00 CEST)
        (dt.datetime(2027, 3, 27, 22, 59, tzinfo=dt.UTC), dt.date(2027, 3, 27)),  # 23:59 CET
        (dt.datetime(2027, 3, 27, 23, 0, tzinfo=dt.UTC), dt.date(2027, 3, 28)),  # 00:00 CET
        # fall back (2027-10-31 03:00 CEST → 02:00 CET)
        (dt.datetime(2027, 10, 30, 21, 59, tzinfo=dt.UTC), dt.date(2027, 10, 30)),  # 23:59 CEST
        (dt.datetime(2027, 10, 30, 22, 0, tzinfo=dt.UTC), dt.date(2027, 10, 31)),  # 00:00 CEST
        (dt.datetime(2027, 10, 31, 22, 59, tzinfo=dt.UTC), dt.date(2027, 10, 31)),  # 23:59 CET
    ],
)
def test_notice_counts_from_the_administrations_date_across_dst(at, today):
    # given: three days' notice in a park in Amsterdam
    administration = AdministrationFactory(timezone="Europe/Amsterdam")
    chalet = RentableFactory(
        category=CategoryFactory(administration=administration, minimum_notice_days=3)
    )

    def refused(arrival: dt.date):
        found = stay_refusal(
            rentable=chalet,
            arrival_date=arrival,
            departure_date=arrival + dt.timedelta(days=2),
            at=at,
        )
        return found and found.rule

    # then: the first bookable arrival is three local days ahead
    assert refused(today + dt.timedelta(days=3)) is None
    assert refused(today + dt.timedelta(days=2)) == "minimum_notice"


def _option(administration, chalet, first: int, last: int):
    """An option on ``chalet`` for nights ``first`` … ``last - 1`` from today."""
    return booking_create(
        administration=administration,
        option_validity=3,
        reservations=[{"rentable": chalet, "arrival_date": TODAY + dt.timedelta(days=first),
                       "departure_date": TODAY + dt.timedelta(days=last), "adults": 2}],
    )  # fmt: skip


def _lapsed_option_and_neighbour(api, administration, chalet, neighbour_arrival: int):
    """With a free night required between guests: an option on nights 10-11 whose hold lapsed
    (the beat that would cancel it has not run yet), then a guest booked from
    ``neighbour_arrival`` for two nights."""
    chalet.category.turnover_gap_nights = 1
    chalet.category.save()
    option = _option(administration, chalet, 10, 12)
    past = timezone.now() - dt.timedelta(minutes=5)
    Booking.objects.filter(pk=option.pk).update(option_expires_at=past)
    AgendaPeriod.objects.filter(reservation__booking=option).update(expires_at=past)
    neighbour = stay(chalet, neighbour_arrival, neighbour_arrival + 2, "a")
    document = booking_document(customer=guest(), stays=[neighbour])
    assert api.post(f"{base(administration)}/bookings", document).status_code == 201
    return option


def test_confirming_a_lapsed_option_judges_its_stay_again(api, administration, chalet):
    # given: meanwhile a guest booked from night 12 on, back to back with the lapsed option
    option = _lapsed_option_and_neighbour(api, administration, chalet, 12)

    # when
    response = api.patch(
        f"{base(administration)}/bookings/{option.pk}",
        {"data": {"type": "booking", "id": str(option.pk), "attributes": {"state": "confirmed"}}},
    )

    # then
    assert refusal_of(response) == ("turnover_gap", "/data/attributes/state")
    option.refresh_from_db()
    assert option.state == "option"


def test_confirming_a_lapsed_option_whose_stay_is_still_allowed(api, administration, chalet):
    # given: the guest booked meanwhile leaves the free night (12) between them
    option = _lapsed_option_and_neighbour(api, administration, chalet, 13)

    confirmed = booking_transition(booking=option, state="confirmed")

    assert confirmed.state == "confirmed"
    assert AgendaPeriod.objects.filter(blocking=True, expires_at__isnull=True).count() == 2


def test_confirming_an_option_still_held_does_not_judge_it_again(administration, chalet):
    # given: an option made before the category asked for longer stays
    option = _option(administration, chalet, 10, 11)
    chalet.category.minimum_number_of_nights = 3
    chalet.category.save()

    # then: its hold kept the stay it was given
    assert booking_transition(booking=option, state="confirmed").state == "confirmed"
