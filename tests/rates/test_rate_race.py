"""Overlapping rates written at the same moment: exactly one gets in.

Runs against whatever database the suite uses; on PostgreSQL the category's row lock decides
(no constraint backs it: without the lock several got in), on SQLite the serialized write
transactions.
"""

import datetime as dt

import pytest

from apps.oauth.services import api_key_create
from apps.rates.models import Rate
from tests.factories import AdministrationFactory
from tests.racing import race
from tests.rentables.factories import CategoryFactory

ATTEMPTS = 12


@pytest.mark.django_db(transaction=True)
def test_overlapping_rates_racing_each_other_leave_exactly_one(live_server):
    # given
    administration = AdministrationFactory()
    category = CategoryFactory(administration=administration)
    _, key = api_key_create(administration=administration, scopes="all")
    url = f"{live_server.url}/v3/administrations/{administration.pk}/rates"
    today = dt.date.today()

    def document(i: int) -> dict:
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
    assert Rate.objects.count() == 1
    category.refresh_from_db()
    kept = Rate.objects.get()
    assert category.last_date_with_price == kept.end_date - dt.timedelta(days=1)
