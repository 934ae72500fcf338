"""The back-office goes through the stay-rule services: a restore the rules forbid is reported,
and stay rules are saved (and validated) by the service."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.bookings.services.bookings import booking_create, booking_transition
from apps.stays.models import StayRule
from tests.bookings.helpers import TODAY
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db


def test_a_restore_the_rules_forbid_is_reported_not_done(admin_client, administration):
    chalet = RentableFactory(category=CategoryFactory(administration=administration))
    booking = booking_create(
        administration=administration,
        reservations=[
            {
                "rentable": chalet,
                "arrival_date": TODAY + dt.timedelta(days=5),
                "departure_date": TODAY + dt.timedelta(days=7),
            }  # fmt: skip
        ],
    )
    booking_transition(booking=booking, state="cancelled")
    chalet.category.minimum_number_of_nights = 3
    chalet.category.save()

    response = admin_client.post(
        reverse("admin:bookings_booking_changelist"),
        {"action": "restore", "_selected_action": [booking.pk]},
        follow=True,
    )

    assert b"at least 3 nights" in response.content
    booking.refresh_from_db()
    assert booking.state == "cancelled"


def test_adding_a_stay_rule_in_the_back_office(admin_client, administration):
    category = CategoryFactory(administration=administration)
    form = {
        "administration": administration.pk,
        "category": category.pk,
        "start_date": (TODAY + dt.timedelta(days=1)).isoformat(),
        "end_date": (TODAY + dt.timedelta(days=8)).isoformat(),
        "minimum_number_of_nights": "7",
        "arrival_weekdays": '["saturday"]',
        "departure_weekdays": "[]",
    }
    url = reverse("admin:stays_stayrule_add")

    refused = admin_client.post(url, {**form, "arrival_weekdays": '["Saturday"]'})
    added = admin_client.post(url, form)

    assert refused.status_code == 200 and b"Unknown weekday" in refused.content
    assert added.status_code == 302
    rule = StayRule.objects.get()
    assert (rule.minimum_number_of_nights, rule.arrival_weekdays) == (7, ["saturday"])
