"""The back-office: every page renders with data in few queries, actions use the services,
and staff see only their own administrations."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.administrations.models import Administration
from apps.agenda_periods.models import AgendaPeriod
from apps.bookings.models import Booking
from apps.bookings.services.bookings import booking_create
from apps.calendars.models import ExternalCalendar
from apps.oauth.models import ApiKey, Application
from apps.oauth.services import api_key_create
from apps.rentables.models import Rentable
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.outbox import relay
from tests.factories import AdministrationFactory, CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (
        model
        for model in admin.site._registry
        if model._meta.app_label not in {"auth", "oauth2_provider"}
    ),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    return Administration.objects.get(name__startswith="Demo")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_changelist_and_change_page_renders(admin_client, demo, model):
    opts = model._meta
    with CaptureQueriesContext(connection) as listing:
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    assert len(listing.captured_queries) <= 25, [q["sql"][:120] for q in listing.captured_queries]

    obj = model._default_manager.first()
    if obj is not None:
        page = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert page.status_code == 200


def test_changelist_queries_do_not_grow_with_rows(admin_client, demo):
    url = reverse("admin:bookings_booking_changelist")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    rows_before = Booking.objects.count()
    rentable = Rentable.objects.filter(administration=demo).last()
    for week in range(20):  # twenty more bookings, each with its own customer
        arrival = dt.date.today() + dt.timedelta(days=200 + 7 * week)
        booking_create(
            administration=demo,
            customer=CustomerFactory(administration=demo),
            reservations=[
                {
                    "rentable": rentable,
                    "arrival_date": arrival,
                    "departure_date": arrival + dt.timedelta(days=3),
                }
            ],
        )
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(url)
    assert Booking.objects.count() == rows_before + 20
    assert page.content.count(b'class="action-select"') == min(rows_before + 20, 50)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_booking_page_shows_its_reservations(admin_client, demo):
    booking = Booking.objects.filter(reservations__isnull=False).first()

    page = admin_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))

    assert booking.reservations.first().rentable.name in page.content.decode()


class TestActions:
    def changelist(self, model):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    def act(self, client, model, action, objects, **extra):
        return client.post(
            self.changelist(model),
            {"action": action, "_selected_action": [o.pk for o in objects], **extra},
            follow=True,
        )

    def test_confirm_an_option(self, admin_client, demo):
        option = Booking.objects.filter(state="option").first()

        self.act(admin_client, Booking, "confirm", [option])

        option.refresh_from_db()
        assert option.state == "confirmed" and option.confirmed_at is not None
        assert not AgendaPeriod.objects.filter(
            reservation__booking=option, expires_at__isnull=False
        ).exists()

    def test_cancel_asks_for_a_reason_then_frees_the_dates(self, admin_client, demo):
        booking = Booking.objects.filter(state="confirmed").first()

        asked = self.act(admin_client, Booking, "cancel", [booking])
        assert b"Give a reason" not in asked.content and b"reason" in asked.content
        booking.refresh_from_db()
        assert booking.state == "confirmed"

        self.act(admin_client, Booking, "cancel", [booking], apply="1", reason="Storm damage")

        booking.refresh_from_db()
        assert (booking.state, booking.cancel_reason) == ("cancelled", "Storm damage")
        assert not AgendaPeriod.objects.filter(reservation__booking=booking, blocking=True).exists()

    def test_restore(self, admin_client, demo):
        booking = Booking.objects.filter(state="cancelled").first()

        self.act(admin_client, Booking, "restore", [booking])

        booking.refresh_from_db()
        assert booking.state == "confirmed"

    def test_an_illegal_action_is_reported_not_raised(self, admin_client, demo):
        booking = Booking.objects.filter(state="confirmed").first()

        response = self.act(admin_client, Booking, "restore", [booking])

        assert b"cannot go from" in response.content

    def test_sync_a_calendar_now(
        self, admin_client, demo, httpserver, django_capture_on_commit_callbacks
    ):
        from tests.calendars import feeds

        httpserver.expect_request("/f.ics").respond_with_data(feeds.render(feeds.BOOKING_COM))
        calendar = ExternalCalendar.objects.create(
            administration=demo,
            rentable=Rentable.objects.filter(administration=demo).last(),
            ical_url=httpserver.url_for("/f.ics"),
        )

        with django_capture_on_commit_callbacks(execute=True):
            self.act(admin_client, ExternalCalendar, "sync_now", [calendar])

        calendar.refresh_from_db()
        assert calendar.last_synced is not None and calendar.periods.count() == 2

    def test_redeliver_a_webhook(
        self, admin_client, demo, httpserver, django_capture_on_commit_callbacks
    ):
        from apps.webhooks.services import endpoint_create, event_emit

        httpserver.expect_request("/hook").respond_with_data("ok")
        endpoint_create(
            administration=demo, application_id=None, url=httpserver.url_for("/hook"), events=["*"]
        )
        event_emit("customer.updated", instance=demo.customers.first(), administration=demo)
        relay()
        delivery = WebhookDelivery.objects.get()

        with django_capture_on_commit_callbacks(execute=True):
            self.act(admin_client, WebhookDelivery, "redeliver", [delivery])

        delivery.refresh_from_db()
        assert delivery.status == "succeeded" and len(httpserver.log) == 1

    def test_rotate_an_ical_token(self, admin_client, demo):
        rentable = Rentable.objects.filter(administration=demo).first()
        before = rentable.ical_export_token

        self.act(admin_client, Rentable, "rotate_ical_token", [rentable])

        rentable.refresh_from_db()
        assert rentable.ical_export_token != before

    def test_halt_and_unhalt_an_app(self, admin_client, demo):
        app = Application.objects.first()

        self.act(admin_client, Application, "halt", [app])
        app.refresh_from_db()
        assert app.is_halted and "back-office" in app.halted_reason

        self.act(admin_client, Application, "unhalt", [app])
        app.refresh_from_db()
        assert not app.is_halted

    def test_revoke_a_key(self, admin_client, demo):
        key, _ = api_key_create(administration=demo, scopes="booking|read")

        self.act(admin_client, ApiKey, "revoke", [key])

        key.refresh_from_db()
        assert key.revoked_at is not None


class TestStaffScoping:
    @pytest.fixture
    def staff(self, demo):
        user = UserFactory(is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
        MembershipFactory(user=user, administration=demo)
        return user

    def test_staff_see_only_their_administrations(self, client, staff, demo):
        other = AdministrationFactory(name="Someone else's park")
        from tests.rentables.factories import RentableFactory

        theirs = RentableFactory(category__administration=other, name="Not yours")
        client.force_login(staff)

        rentables = client.get(reverse("admin:rentables_rentable_changelist"))
        administrations = client.get(reverse("admin:administrations_administration_changelist"))
        foreign = client.get(reverse("admin:rentables_rentable_change", args=[theirs.pk]))
        calendar = client.get(reverse("admin:occupancy") + f"?administration={other.pk}")

        assert b"Not yours" not in rentables.content
        assert (
            Rentable.objects.filter(administration=demo).first().name.encode() in rentables.content
        )
        assert b"Someone else" not in administrations.content
        assert foreign.status_code == 302  # not found for them: back to the list
        assert b"Someone else" not in calendar.content
        assert calendar.context["administration"] == demo


def test_the_occupancy_calendar_draws_the_bookings(admin_client, demo):
    booking = Booking.objects.filter(state="confirmed").order_by("pk").first()
    reservation = booking.reservations.first()
    month = reservation.arrival_date.strftime("%Y-%m")

    page = admin_client.get(reverse("admin:occupancy") + f"?administration={demo.pk}&month={month}")

    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("admin:bookings_booking_change", args=[booking.pk]) in html
    assert 'data-kind="reservation"' in html
    assert page.context["month"] == dt.date.fromisoformat(f"{month}-01")
