"""Overlapping rates written at the same moment: exactly one gets in.

Runs against whatever database the suite uses; on PostgreSQL the category's row lock and the
exclusion constraint decide, on SQLite the serialized write transactions.
"""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from apps.oauth.services import api_key_create
from apps.rates.models import Rate
from tests.factories import AdministrationFactory
from tests.rentables.factories import CategoryFactory

ATTEMPTS = 12


@pytest.mark.django_db(transaction=True)
def test_overlapping_rates_racing_each_other_leave_exactly_one(live_server):
    # given
    administration = AdministrationFactory()
    category = CategoryFactory(administration=administration)
    _, key = api_key_create(administration=administration, scopes="all")
    url = f"{live_server.url}/v3/administrations/{administration.pk}/rates"
    headers = {
        "X-API-KEY": key,
        "Content-Type": "application/vnd.api+json",
        "Accept": "application/vnd.api+json",
    }
    today = dt.date.today()
    start_line = threading.Barrier(ATTEMPTS)

    def attempt(i: int) -> requests.Response:
        # every range holds the nights +12 and +13, so each pair overlaps
        body = {
            "data": {
                "type": "rate",
                "attributes": {
                    "start_date": (today + dt.timedelta(days=10 + i % 3)).isoformat(),
                    "end_date": (today + dt.timedelta(days=14 + i % 2)).isoformat(),
                    "price_per_night": {"value": f"{80 + i}.00"},
                },
                "relationships": {
                    "category": {"data": {"type": "category", "id": str(category.pk)}}
                },
            }
        }
        start_line.wait(timeout=30)
        return requests.post(url, json=body, headers=headers, timeout=60)

    # when
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        responses = list(pool.map(attempt, range(ATTEMPTS)))

    # then
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == ATTEMPTS - 1, statuses
    assert Rate.objects.count() == 1
    category.refresh_from_db()
    kept = Rate.objects.get()
    assert category.last_date_with_price == kept.end_date - dt.timedelta(days=1)
