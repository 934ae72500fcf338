"""Deletes in the back-office go through the services: every registered model, deleted from its
delete page and with "Delete selected", leaves a tombstone for itself and for each row the
cascade takes, and an event for each agenda period."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken

from apps.administrations.models import Administration
from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.services import agenda_period_create
from apps.agreements.services import owner_create
from apps.bookings.models import Booking, Reservation
from apps.calendars.models import ExternalCalendar
from apps.calendars.services.calendars import external_calendar_create
from apps.core.deletion import cascade_of, deletion_rule
from apps.core.models import IdempotencyRecord, Tombstone
from apps.core.tombstones import tombstone_record
from apps.oauth.models import ConsentedGrant, TokenGrant
from apps.rentables.models import Rentable
from apps.webhooks.models import Event
from apps.webhooks.outbox import relay
from apps.webhooks.services import endpoint_create, event_emit
from tests.factories import AdministrationFactory, ApplicationFactory, CustomerFactory
from tests.rentables.factories import AmenityFactory, CategoryFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (model for model in admin.site._registry if model.__module__.startswith("apps.")),
    key=lambda model: model._meta.label,
)
DOORS = ("delete_page", "delete_selected")


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    administration = Administration.objects.get(name__startswith="Demo")
    endpoint_create(
        administration=administration,
        application_id=None,
        url="http://127.0.0.1:9/hook",  # never called: deliveries run after commit
        events=["*"],
    )
    # rows of the models the demo data leaves empty, and an administration nothing protects
    rentable = Rentable.objects.filter(administration=administration).first()
    external_calendar_create(
        administration=administration,
        rentable=rentable,
        name="Platform",
        ical_url="https://127.0.0.1:9/demo.ics",
    )
    tombstone_record(resource_type="label", resource_id="0", administration_id=administration.pk)
    now = timezone.now()
    IdempotencyRecord.objects.create(
        credential="k", key="k", request_hash="h", locked_until=now, expires_at=now
    )
    ConsentedGrant.objects.create(code="demo-grant", administration_ids=[administration.pk])
    AdministrationFactory()
    owner_create(administration=administration, name="Owner without agreements")
    customer = CustomerFactory(administration=administration)
    CategoryFactory(administration=administration)
    AmenityFactory()
    event_emit("customer.updated", instance=customer, administration=administration)
    relay()
    endpoint_create(  # one without deliveries (those are a read-only log)
        administration=administration,
        application_id=None,
        url="http://127.0.0.1:9/quiet",
        events=["booking.created"],
    )
    application = ApplicationFactory()
    token = AccessToken.objects.create(
        application=application, token="demo-token", expires=now, scope="booking|read"
    )
    TokenGrant.objects.create(access_token=token, administration=administration)
    return administration


def _delete(client, obj, door: str):
    opts = obj._meta
    if door == "delete_page":
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        return client.post(url, {"post": "yes"})
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return client.post(
        url, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )


def _assert_announced(rows, administration_ids: set[int]) -> None:
    """Each row of a surviving administration has its tombstone; each period, its event."""
    for row in rows:
        rule = deletion_rule(type(row))
        administration_id = (
            row.pk if isinstance(row, Administration) else getattr(row, "administration_id", None)
        )
        if rule.resource_type is None or administration_id not in administration_ids:
            continue
        assert Tombstone.objects.filter(
            resource_type=rule.resource_type,
            resource_id=str(row.pk),
            administration_id=administration_id,
        ).exists(), f"no tombstone for {rule.resource_type} {row.pk}"
        if isinstance(row, AgendaPeriod):
            assert str(row.pk) in _announced_period_ids(), f"no agenda_period.deleted for {row.pk}"


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_admin_delete_goes_through_the_services(admin_client, demo, model, door, rf):
    # given: the model's admin, and its rows
    model_admin = admin.site._registry[model]
    request = rf.post("/")
    request.user = _superuser()
    candidates = list(model._default_manager.order_by("pk")[:30])
    assert candidates, f"the demo data has no {model._meta.label}"
    if not model_admin.has_delete_permission(request, candidates[0]):
        # a read-only log: the back-office refuses the delete and the row stays
        response = _delete(admin_client, candidates[0], door)
        assert response.status_code in (200, 302, 403)
        assert model._default_manager.filter(pk=candidates[0].pk).exists()
        return

    # when: rows are deleted through the admin until one is really gone (a rentable with
    # reservations is refused or deactivated instead, by the same rule as the API)
    deleted = None
    for obj in candidates:
        try:
            rows = cascade_of(obj)
        except ProtectedError:
            continue  # the back-office shows what protects it and deletes nothing
        response = _delete(admin_client, obj, door)
        if response.status_code == 403:
            continue  # it would take rows of a read-only log with it: Django refuses
        assert response.status_code == 302, response.content[:500]
        if not model._default_manager.filter(pk=obj.pk).exists():
            deleted = obj
            break

    # then: it and its cascade left tombstones and events
    assert deleted is not None, f"no {model._meta.label} could be deleted"
    surviving = set(Administration.objects.values_list("pk", flat=True))
    _assert_announced(rows, surviving)


def _announced_period_ids() -> set[str]:
    relay()
    events = Event.objects.filter(name="agenda_period.deleted")
    return {str(event.data["id"]) for event in events}


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_superuser=True).first()


@pytest.fixture
def rentable_with_calendar(demo):
    """A rentable without reservations, with a maintenance period and an external calendar
    whose import made two periods."""
    rentable = Rentable.objects.filter(administration=demo, agenda_periods__isnull=True).first()
    start = dt.date.today() + dt.timedelta(days=30)
    own = agenda_period_create(
        administration=demo,
        rentable=rentable,
        period_type=PeriodType.MAINTENANCE,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )
    calendar = external_calendar_create(
        administration=demo,
        rentable=rentable,
        name="Platform",
        ical_url="https://127.0.0.1:9/x.ics",
    )
    imported = [
        agenda_period_create(
            administration=demo,
            rentable=rentable,
            period_type=PeriodType.EXTERNAL_BLOCKED,
            start_date=start + dt.timedelta(days=10 * n),
            end_date=start + dt.timedelta(days=10 * n + 3),
            external_calendar=calendar,
        )
        for n in (1, 2)
    ]
    return rentable, calendar, own, imported


@pytest.mark.parametrize("door", DOORS)
def test_deleting_a_rentable_in_the_admin_announces_its_periods_and_calendars(
    admin_client, rentable_with_calendar, door
):
    # given
    rentable, calendar, own, imported = rentable_with_calendar

    # when
    response = _delete(admin_client, rentable, door)

    # then
    assert response.status_code == 302
    assert not Rentable.objects.filter(pk=rentable.pk).exists()
    tombstones = set(Tombstone.objects.values_list("resource_type", "resource_id"))
    assert ("rentable", str(rentable.pk)) in tombstones
    assert ("external_calendar", str(calendar.pk)) in tombstones
    for period in [own, *imported]:
        assert ("agenda_period", str(period.pk)) in tombstones
    announced = _announced_period_ids()
    assert announced == {str(period.pk) for period in [own, *imported]}


@pytest.mark.parametrize("door", DOORS)
def test_deleting_an_external_calendar_in_the_admin_announces_its_imported_periods(
    admin_client, rentable_with_calendar, door
):
    # given
    rentable, calendar, own, imported = rentable_with_calendar

    # when
    response = _delete(admin_client, calendar, door)

    # then: the calendar and its periods are gone and announced; the rentable's own stays
    assert response.status_code == 302
    assert not ExternalCalendar.objects.filter(pk=calendar.pk).exists()
    assert AgendaPeriod.objects.filter(pk=own.pk).exists()
    tombstones = set(Tombstone.objects.values_list("resource_type", "resource_id"))
    assert ("external_calendar", str(calendar.pk)) in tombstones
    assert {str(p.pk) for p in imported} <= {
        rid for kind, rid in tombstones if kind == "agenda_period"
    }
    announced = _announced_period_ids()
    assert announced == {str(period.pk) for period in imported}


def test_a_refused_delete_in_the_admin_changes_nothing_and_says_why(admin_client, demo):
    # given: a rentable with reservations to come
    period = AgendaPeriod.objects.filter(
        administration=demo, period_type=PeriodType.RESERVATION, start_date__gt=dt.date.today()
    ).first()
    rentable = period.rentable

    # when
    response = _delete(admin_client, rentable, "delete_page")

    # then: refused (the reservations protect it), nothing deleted, nothing announced
    assert response.status_code in (200, 302)
    assert Rentable.objects.filter(pk=rentable.pk, active=True).exists()
    assert not Tombstone.objects.filter(resource_type__in=["rentable", "agenda_period"]).exists()
    relay()
    assert not Event.objects.filter(name="agenda_period.deleted").exists()


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("model", [Booking, Reservation], ids=["booking", "reservation"])
def test_bookings_are_cancelled_not_deleted_so_no_night_stays_blocked(
    admin_client, demo, model, door
):
    # given: a stay holding its nights
    reservation = Reservation.objects.filter(agenda_period__isnull=False).first()
    obj = reservation.booking if model is Booking else reservation

    # when: the back-office is asked to delete it
    response = _delete(admin_client, obj, door)

    # then: refused; the stay and the period holding its nights stay together
    assert response.status_code in (200, 302, 403)
    reservation.refresh_from_db()
    assert reservation.agenda_period is not None
    assert AgendaPeriod.objects.filter(pk=reservation.agenda_period_id).exists()
