"""calendar_days tells a date picker which days a stay may start and end on, and the shortest
stay from each day, as the stay-rule service would judge every candidate stay."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.stays.models import StayRule
from tests.bookings.helpers import TODAY, day
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db


def calendar(api, administration, rentable, first, last, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api.get(
        f"/v3/administrations/{administration.pk}/calendar_days?filter[rentable]={rentable.pk}"
        f"&filter[date]={day(first)}..{day(last)}&page[size]=100&{query}"
    )
    assert response.status_code == 200, response.doc
    return {
        (dt.date.fromisoformat(r["id"].split(":")[1]) - TODAY).days: r["attributes"]
        for r in response.doc["data"]
    }


def test_arrivals_departures_and_minimum_stay_follow_the_rules(api, administration):
    # given: stays of at least 2 nights, a free night between guests, a guest on nights 10-11
    category = CategoryFactory(
        administration=administration, minimum_number_of_nights=2, turnover_gap_nights=1
    )
    chalet = RentableFactory(category=category)
    AgendaPeriod.objects.create(
        administration=administration, rentable=chalet, period_type=PeriodType.RESERVATION,
        start_date=TODAY + dt.timedelta(days=10), end_date=TODAY + dt.timedelta(days=12),
    )  # fmt: skip

    # when
    days = calendar(api, administration, chalet, 5, 16)

    # then
    arrivals = {n: (d["arrival_allowed"], d["minimum_stay"]) for n, d in days.items()}
    assert arrivals == {
        5: (True, 2), 6: (True, 2), 7: (True, 2),  # 7-9 leaves night 9 free
        8: (False, None), 9: (False, None),  # 1 night, or no free night before the guest
        10: (False, None), 11: (False, None),  # taken
        12: (False, None),  # the night after the guest stays free
        13: (True, 2), 14: (True, 2), 15: (True, 2), 16: (True, 2),
    }  # fmt: skip
    departures = {n for n, d in days.items() if d["departure_allowed"]}
    assert departures == {5, 6, 7, 8, 9, 15, 16}  # 3-5 … 7-9; 13-15 …


def test_an_override_and_the_bookable_window(api, administration):
    # given: 3 nights at least for arrivals on days 20-21, no departures on day 24, and the
    # rentable's last bookable night on day 25
    category = CategoryFactory(administration=administration)
    chalet = RentableFactory(category=category, available_until=TODAY + dt.timedelta(days=25))
    StayRule.objects.create(
        administration=administration, category=category, start_date=TODAY + dt.timedelta(days=20),
        end_date=TODAY + dt.timedelta(days=22), minimum_number_of_nights=3,
    )  # fmt: skip
    StayRule.objects.create(
        administration=administration, category=category, start_date=TODAY + dt.timedelta(days=24),
        end_date=TODAY + dt.timedelta(days=25), closed_to_departure=True,
    )  # fmt: skip

    # when
    days = calendar(api, administration, chalet, 19, 27)

    # then
    assert {n: d["minimum_stay"] for n, d in days.items()} == {
        19: 1,
        20: 3,
        21: 4,
        22: 1,
        23: 2,
        24: 1,
        25: 1,
        26: None,
        27: None,
    }  # fmt: skip  (21-24 and 23-24 would end on the closed day 24)
    assert {n for n, d in days.items() if not d["departure_allowed"]} == {24, 27}


def test_inactive_rentables_allow_nothing(api, administration):
    chalet = RentableFactory(category=CategoryFactory(administration=administration), active=False)

    days = calendar(api, administration, chalet, 5, 6)

    assert [
        (d["arrival_allowed"], d["departure_allowed"], d["minimum_stay"]) for d in days.values()
    ] == [
        (False, False, None),
        (False, False, None),
    ]


def test_sparse_fieldsets_choose_among_the_new_attributes(api, administration):
    chalet = RentableFactory(category=CategoryFactory(administration=administration))

    days = calendar(api, administration, chalet, 5, 6, **{"fields[calendar_day]": "minimum_stay"})

    assert list(days.values()) == [{"minimum_stay": 1}, {"minimum_stay": 1}]


def test_a_fieldset_without_the_rules_does_not_read_them(api, administration):
    # given
    chalet = RentableFactory(category=CategoryFactory(administration=administration))
    AgendaPeriod.objects.create(
        administration=administration, rentable=chalet, period_type=PeriodType.MAINTENANCE,
        start_date=TODAY + dt.timedelta(days=6), end_date=TODAY + dt.timedelta(days=7),
    )  # fmt: skip
    calendar(api, administration, chalet, 5, 6)  # the key's first use is recorded once

    # when
    with CaptureQueriesContext(connection) as queries:
        plain = calendar(api, administration, chalet, 5, 6, **{"fields[calendar_day]": "available"})
    with CaptureQueriesContext(connection) as ruled:
        calendar(api, administration, chalet, 5, 6)

    # then
    assert plain == {5: {"available": True}, 6: {"available": False}}
    assert len(ruled.captured_queries) == len(queries.captured_queries) + 1


def test_the_gap_is_judged_beyond_the_longest_stay_tried(api, administration, settings):
    # given: stays of exactly 3 nights (the longest tried), two free nights between guests,
    # and a guest arriving on day 14
    settings.STAY_SEARCH_MAX_NIGHTS = 3
    category = CategoryFactory(
        administration=administration, minimum_number_of_nights=3, turnover_gap_nights=2
    )
    chalet = RentableFactory(category=category)
    AgendaPeriod.objects.create(
        administration=administration, rentable=chalet, period_type=PeriodType.RESERVATION,
        start_date=TODAY + dt.timedelta(days=14), end_date=TODAY + dt.timedelta(days=16),
    )  # fmt: skip

    # when: the page ends on day 10, whose only stay (10-13) leaves one free night
    days = calendar(api, administration, chalet, 5, 10)

    # then
    assert {n: d["minimum_stay"] for n, d in days.items()} == {
        5: 3, 6: 3, 7: 3, 8: 3, 9: 3, 10: None
    }  # fmt: skip


def test_a_minimum_stay_longer_than_the_search_horizon_is_still_offered(
    api, administration, settings
):
    # given: a monthly minimum, longer than the stays the calendar tries by default
    settings.STAY_SEARCH_MAX_NIGHTS = 28
    category = CategoryFactory(administration=administration, minimum_number_of_nights=30)
    chalet = RentableFactory(category=category)
    StayRule.objects.create(
        administration=administration, category=category, start_date=TODAY + dt.timedelta(days=40),
        end_date=TODAY + dt.timedelta(days=45), minimum_number_of_nights=35,
    )  # fmt: skip

    # when
    days = calendar(api, administration, chalet, 5, 80)

    # then: arrivals show the 30 (or, under the stay rule, 35) nights the service would accept
    assert (days[5]["arrival_allowed"], days[5]["minimum_stay"]) == (True, 30)
    assert (days[41]["arrival_allowed"], days[41]["minimum_stay"]) == (True, 35)
    # the first bookable arrival is tomorrow (not today: same-day bookings are off)
    assert days[30]["departure_allowed"] is False
    assert days[31]["departure_allowed"] is True  # 1 + 30
    assert days[76]["departure_allowed"] is True  # 41 + 35
