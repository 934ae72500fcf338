"""The demo sign-in is park staff: the back-office shows it the park's models, not a blank page."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from apps.administrations.seed_users import DEMO_PASSWORD, DEMO_USERNAME
from apps.administrations.staff import PARK_STAFF_GROUP, PARK_STAFF_PERMISSIONS
from tests.factories import AdministrationFactory
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_demo(client):
    call_command("seed_demo", stdout=StringIO())
    signed_in = client.post(
        "/admin/login/?next=/admin/",
        {"username": DEMO_USERNAME, "password": DEMO_PASSWORD, "next": "/admin/"},
    )  # the sign-in form, as a person uses it
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    return client


def test_the_demo_user_is_park_staff_not_superuser():
    call_command("seed_demo", stdout=StringIO())
    user = get_user_model().objects.get(username=DEMO_USERNAME)

    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [PARK_STAFF_GROUP]
    assert user.has_perm("bookings.change_booking")
    assert user.has_perm("agenda_periods.add_agendaperiod")
    assert not user.has_perm("auth.change_user")
    assert not user.has_perm("administrations.add_administration")


def test_the_group_holds_every_listed_permission():
    call_command("seed_demo", stdout=StringIO())
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    expected = {
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label, actions in PARK_STAFF_PERMISSIONS.items()
        for action in actions
    }

    assert user.get_group_permissions() == expected


def test_the_demo_user_sees_the_park_models_on_the_index(signed_in_demo):
    index = signed_in_demo.get(reverse("admin:index"))

    assert index.status_code == 200
    assert "permission to view or edit anything" not in index.content.decode()
    models = {model["object_name"] for app in index.context["app_list"] for model in app["models"]}
    assert {"Booking", "Rentable", "AgendaPeriod", "Customer", "ExternalCalendar"} <= models
    assert "User" not in models


def test_rows_stay_confined_to_the_demo_users_administration(signed_in_demo):
    theirs = RentableFactory(category__administration=AdministrationFactory(), name="Not yours")

    rentables = signed_in_demo.get(reverse("admin:rentables_rentable_changelist"))
    foreign = signed_in_demo.get(reverse("admin:rentables_rentable_change", args=[theirs.pk]))

    assert rentables.status_code == 200
    assert b"Not yours" not in rentables.content
    assert foreign.status_code == 302
