"""availabilities offers only the stays the stay-rule service allows: edge cases over HTTP,
and an oracle comparing the search with a brute-force check of the service."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.selectors import availability_search, rentables_with_capacity
from apps.rentables.models import WEEKDAYS, Category
from apps.stays.models import StayRule
from apps.stays.services import stay_refusal
from tests.bookings.helpers import TODAY, day
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db


def offered(api, administration, arrival, departure):
    response = api.get(
        f"/v3/administrations/{administration.pk}/availabilities"
        f"?filter[arrival_date]={day(arrival)}&filter[departure_date]={day(departure)}"
    )
    assert response.status_code == 200, response.doc
    return {
        r["relationships"]["category"]["data"]["id"]: r["attributes"]["available_count"]
        for r in response.doc["data"]
    }


def test_rules_decide_what_is_offered(api, administration):
    # given: chalets of at least two nights, a lodge sold after night 12, a gap of one night
    chalet = CategoryFactory(administration=administration, minimum_number_of_nights=2)
    lodge = CategoryFactory(administration=administration, turnover_gap_nights=1)
    RentableFactory(category=chalet)
    RentableFactory(category=lodge, available_until=TODAY + dt.timedelta(days=12))
    busy = RentableFactory(category=lodge)
    AgendaPeriod.objects.create(
        administration=administration, rentable=busy, period_type=PeriodType.RESERVATION,
        start_date=TODAY + dt.timedelta(days=5), end_date=TODAY + dt.timedelta(days=10),
    )  # fmt: skip

    # then
    c, lo = str(chalet.pk), str(lodge.pk)
    assert offered(api, administration, 10, 11) == {c: 0, lo: 1}  # 1 night; gap after busy
    assert offered(api, administration, 11, 13) == {c: 1, lo: 2}  # night 12 is the last
    assert offered(api, administration, 11, 14) == {c: 1, lo: 1}
    assert offered(api, administration, 0, 2) == {c: 0, lo: 0}  # same day not allowed


def test_rules_cost_no_extra_query(api, administration, django_assert_max_num_queries):
    category = CategoryFactory(administration=administration, turnover_gap_nights=2)
    RentableFactory.create_batch(3, category=category)
    StayRule.objects.create(
        administration=administration, category=category, start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=30), minimum_number_of_nights=2,
    )  # fmt: skip
    path = (
        f"/v3/administrations/{administration.pk}/availabilities"
        f"?filter[arrival_date]={day(3)}&filter[departure_date]={day(6)}"
    )
    api.get(path)  # the key's first use is recorded once

    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)

    assert response.doc["data"][0]["attributes"]["available_count"] == 3
    assert len(queries.captured_queries) <= 5


def _random_park(administration, rng: random.Random):
    categories = []
    for _ in range(3):
        category = CategoryFactory(
            administration=administration,
            minimum_number_of_nights=rng.choice([None, 1, 2, 3]),
            maximum_number_of_nights=rng.choice([None, 3, 5]),
            arrival_weekdays=rng.choice([[], rng.sample(WEEKDAYS, 3)]),
            departure_weekdays=rng.choice([[], rng.sample(WEEKDAYS, 4)]),
            minimum_notice_days=rng.choice([None, 0, 2]),
            maximum_advance_days=rng.choice([None, 12]),
            same_day_bookings_allowed=rng.choice([True, False]),
            turnover_gap_nights=rng.choice([None, 0, 1, 2]),
        )
        categories.append(category)
        for _ in range(rng.randint(0, 2)):
            start = TODAY + dt.timedelta(days=rng.randint(0, 14))
            StayRule.objects.create(
                administration=administration, category=category, start_date=start,
                end_date=start + dt.timedelta(days=rng.randint(1, 8)),
                minimum_number_of_nights=rng.choice([None, 2, 4]),
                arrival_weekdays=rng.choice([[], rng.sample(WEEKDAYS, 2)]),
                closed_to_arrival=rng.random() < 0.3, closed_to_departure=rng.random() < 0.3,
            )  # fmt: skip
        for _ in range(2):
            first = TODAY + dt.timedelta(days=rng.randint(0, 10))
            rentable = RentableFactory(
                category=category,
                available_from=rng.choice([None, first]),
                available_until=rng.choice([None, first + dt.timedelta(days=rng.randint(2, 9))]),
            )
            start = TODAY + dt.timedelta(days=rng.randint(0, 16))
            AgendaPeriod.objects.create(
                administration=administration, rentable=rentable,
                period_type=rng.choice([PeriodType.RESERVATION, PeriodType.MAINTENANCE]),
                start_date=start, end_date=start + dt.timedelta(days=rng.randint(1, 4)),
            )  # fmt: skip
    return categories


def _free(rentable, arrival, departure) -> bool:
    return not AgendaPeriod.objects.filter(
        rentable=rentable, blocking=True, start_date__lt=departure, end_date__gt=arrival
    ).exists()


@pytest.mark.parametrize("seed", range(4))
def test_the_search_equals_a_brute_force_check_of_the_service(administration, seed):
    rng = random.Random(seed)
    _random_park(administration, rng)
    rentables = list(rentables_with_capacity(administration=administration).order_by("pk"))

    for offset in range(0, 18, 2):
        for nights in (1, 2, 4):
            arrival = TODAY + dt.timedelta(days=offset)
            departure = arrival + dt.timedelta(days=nights)
            found = availability_search(
                administration=administration,
                arrival_date=arrival,
                departure_date=departure,
                categories=Category.objects.filter(administration=administration),
                rentables=rentables_with_capacity(administration=administration),
            )
            searched = {r.pk for a in found for r in a.available_rentables}
            expected = {
                r.pk
                for r in rentables
                if _free(r, arrival, departure)
                and stay_refusal(rentable=r, arrival_date=arrival, departure_date=departure) is None
            }
            assert searched == expected, (seed, arrival, departure)
