"""Rules are enforced by the services, so every door (API, back-office, tasks) meets them; the
services speak in domain errors, not HTTP."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.services import agenda_period_create
from apps.core.errors import ApiError
from apps.core.exceptions import DomainError, NotPermitted, PeriodClash
from apps.core.services import model_update
from apps.customers.models import Label
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


def _dates(offset: int = 20, nights: int = 3) -> dict:
    start = dt.date.today() + dt.timedelta(days=offset)
    return {"start_date": start, "end_date": start + dt.timedelta(days=nights)}


def test_owner_maintenance_needs_an_agreement_whichever_door():
    # given: a rentable with no owner agreement
    rentable = RentableFactory()

    # when / then: the service refuses, with a domain error carrying no HTTP status
    with pytest.raises(NotPermitted) as refused:
        agenda_period_create(
            administration=rentable.administration,
            rentable=rentable,
            period_type=PeriodType.OWNER_MAINTENANCE,
            **_dates(),
        )
    assert not isinstance(refused.value, ApiError)
    assert not hasattr(refused.value, "status") and not hasattr(refused.value, "pointer")
    assert "no owner agreement" in str(refused.value)
    assert not AgendaPeriod.objects.exists()


def test_owner_maintenance_without_agreement_is_refused_in_the_admin(admin_client):
    # given
    rentable = RentableFactory()
    dates = _dates()

    # when: staff add one in the back-office
    response = admin_client.post(
        reverse("admin:agenda_periods_agendaperiod_add"),
        {
            "administration": rentable.administration_id,
            "rentable": rentable.pk,
            "period_type": PeriodType.OWNER_MAINTENANCE,
            "label": "Painting",
            "start_date": dates["start_date"].isoformat(),
            "end_date": dates["end_date"].isoformat(),
            "blocking": "on",
        },
    )

    # then: the form shows the rule and nothing is saved
    assert response.status_code == 200
    assert "no owner agreement" in response.content.decode()
    assert not AgendaPeriod.objects.exists()


def test_a_clash_is_a_period_clash_naming_the_period():
    # given
    rentable = RentableFactory()
    first = agenda_period_create(
        administration=rentable.administration,
        rentable=rentable,
        period_type=PeriodType.MAINTENANCE,
        **_dates(),
    )

    # when
    with pytest.raises(PeriodClash) as clash:
        agenda_period_create(
            administration=rentable.administration,
            rentable=rentable,
            period_type=PeriodType.MAINTENANCE,
            **_dates(offset=21),
        )

    # then
    assert isinstance(clash.value, DomainError) and clash.value.clash == first
    assert f"agenda period {first.pk}" in clash.value.message


def test_model_update_saves_only_what_changed(administration, django_assert_num_queries):
    # given
    label = Label.objects.create(administration=administration, name="VIP", color="#ff0000")

    # when: nothing changes, nothing is written
    with django_assert_num_queries(0):
        unchanged = model_update(label, ["name", "color"], {"name": "VIP", "other": 1})
    changed = model_update(label, ["name", "color"], {"color": "#00ff00", "name": "VIP"})

    # then
    assert unchanged == [] and changed == ["color"]
    label.refresh_from_db()
    assert label.color == "#00ff00" and label.name == "VIP"
