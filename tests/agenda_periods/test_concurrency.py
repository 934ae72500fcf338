"""The no-double-booking guarantee under real concurrency: many requests, real transactions.

Runs against whatever database the suite uses; CI gives it PostgreSQL, where the exclusion
constraint is what decides.
"""

import datetime as dt

import pytest
from django.db import connection

from apps.agenda_periods.models import AgendaPeriod
from apps.oauth.services import api_key_create
from tests.factories import AdministrationFactory
from tests.racing import race
from tests.rentables.factories import RentableFactory

ATTEMPTS = 24


@pytest.mark.django_db(transaction=True)
def test_overlapping_creates_racing_each_other_leave_exactly_one(live_server):
    # given
    administration = AdministrationFactory()
    rentable = RentableFactory(category__administration=administration)
    _, key = api_key_create(administration=administration, scopes="all")
    url = f"{live_server.url}/v3/administrations/{administration.pk}/maintenance_agenda_periods"
    today = dt.date.today()

    def document(i: int) -> dict:
        # every window contains the nights +12 and +13, so each pair overlaps
        start = today + dt.timedelta(days=10 + i % 3)
        end = today + dt.timedelta(days=14 + i % 2)
        body = {
            "data": {
                "type": "agenda_period",
                "attributes": {
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "label": f"attempt {i}",
                },
                "relationships": {
                    "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}
                },
            }
        }
        return body

    # when
    responses = race(key, [("post", url, document(i)) for i in range(ATTEMPTS)])

    # then
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == ATTEMPTS - 1, statuses
    assert all(
        r.json()["errors"][0]["code"] == "CONFLICT" for r in responses if r.status_code == 409
    )
    assert AgendaPeriod.objects.count() == 1
    print(f"database: {connection.vendor}; statuses: {sorted(statuses)}")
