"""Availability per category and calendar days, for booking sites and date pickers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.agenda_periods.models import PeriodType
from apps.stays.models import StayRule
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.jsonapi import error_codes
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def d(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def park(administration):
    """Two categories: chalets (3 units, one inactive) and lodges (2 units, capacity 6)."""
    chalet = CategoryFactory(administration=administration, max_number_of_people=4)
    lodge = CategoryFactory(administration=administration, max_number_of_people=6)
    chalets = [RentableFactory(category=chalet) for _ in range(3)]
    chalets[2].active = False
    chalets[2].save()
    lodges = [RentableFactory(category=lodge) for _ in range(2)]
    return {"chalet": chalet, "lodge": lodge, "chalets": chalets, "lodges": lodges}


def search(api, administration, arrival, departure, extra=""):
    return api.get(
        f"/v3/administrations/{administration.pk}/availabilities"
        f"?filter[arrival_date]={arrival.isoformat()}&filter[departure_date]={departure.isoformat()}{extra}"
    )


def counts(response):
    return {
        row["relationships"]["category"]["data"]["id"]: row["attributes"]["available_count"]
        for row in response.doc["data"]
    }


def test_one_entry_per_category(api, administration, park):
    response = search(api, administration, d(10), d(17))

    assert response.status_code == 200
    row = response.doc["data"][0]
    assert row["type"] == "availability"
    assert row["id"] == f"{park['chalet'].pk}:{d(10).isoformat()}:{d(17).isoformat()}"
    assert row["attributes"] == {
        "arrival_date": d(10).isoformat(),
        "departure_date": d(17).isoformat(),
        "nights": 7,
        "available_count": 2,
        "price": None,  # the category keeps no rates
    }
    assert counts(response) == {str(park["chalet"].pk): 2, str(park["lodge"].pk): 2}


def test_blocking_periods_take_rentables_out(api, administration, park):
    AgendaPeriodFactory(rentable=park["chalets"][0], start_date=d(12), end_date=d(14))
    AgendaPeriodFactory(
        rentable=park["lodges"][0], start_date=d(17), end_date=d(20)
    )  # arrives as we leave
    AgendaPeriodFactory(
        rentable=park["lodges"][1], start_date=d(5), end_date=d(10)
    )  # leaves as we arrive
    AgendaPeriodFactory(
        rentable=park["chalets"][1], start_date=d(11), end_date=d(12), blocking=False
    )

    response = search(api, administration, d(10), d(17))

    assert counts(response) == {str(park["chalet"].pk): 1, str(park["lodge"].pk): 2}
    free = response.doc["data"][0]["relationships"]["available_rentables"]["data"]
    assert free == [{"type": "rentable", "id": str(park["chalets"][1].pk)}]


def test_expired_options_do_not_block(api, administration, park):
    AgendaPeriodFactory(
        rentable=park["lodges"][0],
        period_type=PeriodType.RESERVATION,
        start_date=d(10),
        end_date=d(12),
        expires_at=timezone.now() - dt.timedelta(hours=1),
    )
    AgendaPeriodFactory(
        rentable=park["lodges"][1],
        period_type=PeriodType.RESERVATION,
        start_date=d(10),
        end_date=d(12),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )

    response = search(api, administration, d(10), d(12))

    assert counts(response)[str(park["lodge"].pk)] == 1


def test_filters_on_category_and_capacity(api, administration, park):
    only_lodges = search(api, administration, d(1), d(3), f"&filter[category]={park['lodge'].pk}")
    big_enough = search(api, administration, d(1), d(3), "&filter[max_number_of_people]=5..")
    not_lodges = search(api, administration, d(1), d(3), f"&filter[category]=!{park['lodge'].pk}")

    assert list(counts(only_lodges)) == [str(park["lodge"].pk)]
    assert counts(big_enough) == {str(park["chalet"].pk): 0, str(park["lodge"].pk): 2}
    assert list(counts(not_lodges)) == [str(park["chalet"].pk)]


def test_includes(api, administration, park):
    response = search(api, administration, d(1), d(3), "&include=category,available_rentables")

    included = {(i["type"], i["id"]) for i in response.doc["included"]}
    assert ("category", str(park["lodge"].pk)) in included
    assert ("rentable", str(park["lodges"][0].pk)) in included
    assert ("rentable", str(park["chalets"][2].pk)) not in included  # inactive


def test_query_count_does_not_grow_with_the_park(api, administration, park):
    path = (
        f"/v3/administrations/{administration.pk}/availabilities?filter[arrival_date]={d(1)}"
        f"&filter[departure_date]={d(8)}&include=category,available_rentables"
    )
    api.get(path)  # the key's first use is recorded once; measure the steady state
    with CaptureQueriesContext(connection) as small:
        api.get(path)
    for _ in range(5):
        category = CategoryFactory(administration=administration)
        for rentable in RentableFactory.create_batch(6, category=category):
            AgendaPeriodFactory(rentable=rentable, start_date=d(3), end_date=d(5))

    with CaptureQueriesContext(connection) as large:
        response = api.get(path)

    assert len(response.doc["data"]) == 7
    assert len(large.captured_queries) == len(small.captured_queries)
    # the key with its administration, the categories, their stay rules, the free rentables,
    # the prices and the included categories' amenities: the availability itself is three
    # queries, its price one
    assert len(large.captured_queries) == 6


def test_exact_query_count_without_includes(api, administration, park):
    # given: every branch of the search (a turnover gap, a stay rule, a held rentable)
    park["lodge"].turnover_gap_nights = 2
    park["lodge"].save()
    StayRule.objects.create(
        administration=administration, category=park["chalet"], start_date=d(0),
        end_date=d(30), minimum_number_of_nights=2,
    )  # fmt: skip
    AgendaPeriodFactory(
        rentable=park["lodges"][0],
        period_type=PeriodType.RESERVATION,
        start_date=d(8),
        end_date=d(10),
    )  # a stay one night after: inside the gap
    path = (
        f"/v3/administrations/{administration.pk}/availabilities?filter[arrival_date]={d(1)}"
        f"&filter[departure_date]={d(7)}"
    )
    api.get(path)  # the key's first use is recorded once; measure the steady state

    # when
    with CaptureQueriesContext(connection) as queries:
        response = search(api, administration, d(1), d(7))

    # then: the key with its administration, the categories, their stay rules, the free
    # rentables' ids and the prices
    assert len(queries.captured_queries) == 5
    assert counts(response) == {str(park["chalet"].pk): 2, str(park["lodge"].pk): 1}
    lodge = next(
        row for row in response.doc["data"]
        if row["relationships"]["category"]["data"]["id"] == str(park["lodge"].pk)
    )  # fmt: skip
    assert lodge["relationships"]["available_rentables"]["data"] == [
        {"type": "rentable", "id": str(park["lodges"][1].pk)}
    ]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("filter[arrival_date]=2026-07-03", "filter[departure_date]"),
        ("filter[departure_date]=2026-07-03", "filter[arrival_date]"),
        (
            "filter[arrival_date]=2026-07-10&filter[departure_date]=2026-07-03",
            "filter[departure_date]",
        ),
        (
            "filter[arrival_date]=2026-07-03&filter[departure_date]=2026-07-03",
            "filter[departure_date]",
        ),
        (
            "filter[arrival_date]=2026-01-01&filter[departure_date]=2027-01-02",
            "filter[departure_date]",
        ),
        ("filter[arrival_date]=soon&filter[departure_date]=2026-07-03", "filter[arrival_date]"),
        (
            "filter[arrival_date]=2026-07-01&filter[departure_date]=2026-07-03&filter[category]=x",
            "filter[category]",
        ),
        (
            "filter[arrival_date]=2026-07-01&filter[departure_date]=2026-07-03&filter[colour]=red",
            "filter[colour]",
        ),
        ("filter[arrival_date]=2026-07-01&filter[departure_date]=2026-07-03&sort=nights", "sort"),
    ],
)
def test_bad_searches_are_400(api, administration, query, parameter):
    response = api.get(f"/v3/administrations/{administration.pk}/availabilities?{query}")

    assert response.status_code == 400
    assert error_codes(response) == ["FORBIDDEN_INPUT"]
    assert response.doc["errors"][0]["source"] == {"parameter": parameter}


def test_a_year_long_stay_is_allowed(api, administration, park):
    assert search(api, administration, d(1), d(366)).status_code == 200


def test_availability_scope(client_for, administration, park):
    client = client_for(administration, "rentable|read category|read")

    response = search(client, administration, d(1), d(2))

    assert response.status_code == 403
    assert response.doc["errors"][0]["detail"].endswith("availability|read.")


class TestCalendarDays:
    def url(self, administration, query):
        return f"/v3/administrations/{administration.pk}/calendar_days?{query}"

    def test_one_day_per_rentable_and_night(self, api, administration, park):
        rentable = park["lodges"][0]
        period = AgendaPeriodFactory(rentable=rentable, start_date=d(2), end_date=d(4))

        response = api.get(
            self.url(
                administration,
                f"filter[rentable]={rentable.pk}&filter[date]={d(1)}..{d(5)}&include=agenda_period",
            )
        )

        days = [
            (r["id"], r["attributes"]["available"], r["relationships"]["agenda_period"]["data"])
            for r in response.doc["data"]
        ]
        link = {"type": "agenda_period", "id": str(period.pk)}
        assert days == [
            (f"{rentable.pk}:{d(1)}", True, None),
            (f"{rentable.pk}:{d(2)}", False, link),
            (f"{rentable.pk}:{d(3)}", False, link),
            (f"{rentable.pk}:{d(4)}", True, None),
            (f"{rentable.pk}:{d(5)}", True, None),
        ]
        assert [i["id"] for i in response.doc["included"]] == [str(period.pk)]

    def test_inactive_rentables_are_never_available(self, api, administration, park):
        inactive = park["chalets"][2]

        response = api.get(
            self.url(administration, f"filter[rentable]={inactive.pk}&filter[date]={d(1)}..{d(2)}")
        )

        assert [r["attributes"]["available"] for r in response.doc["data"]] == [False, False]

    def test_pages_through_the_grid(self, api, administration, park):
        query = f"filter[date]={d(1)}..{d(10)}&page[size]=7&page[number]=2"

        response = api.get(self.url(administration, query))

        assert response.doc["meta"]["pagination"] == {"total_records": 50, "page": 2, "size": 7}
        first = park["chalets"][0]
        second = park["chalets"][1]
        assert [r["id"] for r in response.doc["data"]] == [
            f"{first.pk}:{d(8)}",
            f"{first.pk}:{d(9)}",
            f"{first.pk}:{d(10)}",
            f"{second.pk}:{d(1)}",
            f"{second.pk}:{d(2)}",
            f"{second.pk}:{d(3)}",
            f"{second.pk}:{d(4)}",
        ]

    @pytest.mark.parametrize(
        "query",
        [
            "filter[rentable]=1",
            f"filter[date]={d(1)}..",
            f"filter[date]={d(10)}..{d(1)}",
            f"filter[date]={d(1)}..{d(367)}",
            "filter[date]=july",
        ],
    )
    def test_bad_ranges_are_400(self, api, administration, park, query):
        response = api.get(self.url(administration, query))

        assert response.status_code == 400
        assert response.doc["errors"][0]["source"]["parameter"].startswith("filter[")

    def test_a_full_year_is_allowed(self, api, administration, park):
        response = api.get(
            self.url(administration, f"filter[date]={d(0)}..{d(365)}&page[size]=100")
        )

        assert response.status_code == 200
        assert response.doc["meta"]["pagination"]["total_records"] == 5 * 366
