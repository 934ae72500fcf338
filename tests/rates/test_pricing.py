"""stay_prices: the one place a stay's rent is computed, in one query, on both databases."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.rates.selectors import first_unpriced_night, stay_prices
from tests.rates.factories import RateFactory
from tests.rentables.factories import CategoryFactory

pytestmark = pytest.mark.django_db

D = dt.date


def rate(category, start, end, price, minimum=None):
    return RateFactory(
        category=category,
        start_date=start,
        end_date=end,
        price_per_night=Decimal(price),
        minimum_number_of_nights=minimum,
    )


def test_nights_are_summed_across_rate_boundaries(administration):
    # given
    category = CategoryFactory(administration=administration)
    rate(category, D(2026, 6, 1), D(2026, 7, 1), "80.00")
    rate(category, D(2026, 7, 1), D(2026, 9, 1), "120.50")
    # when
    prices = stay_prices(
        category_ids=[category.pk], arrival_date=D(2026, 6, 28), departure_date=D(2026, 7, 3)
    )
    # then: three June nights and two July nights
    assert prices == {category.pk: Decimal("481.00")}


def test_a_stay_across_a_change_of_clocks_counts_its_nights(administration):
    # given: Europe/Amsterdam goes to summer time in the night of 28 to 29 March 2026
    administration.timezone = "Europe/Amsterdam"
    administration.save()
    category = CategoryFactory(administration=administration)
    rate(category, D(2026, 3, 1), D(2026, 4, 1), "99.99")
    rate(category, D(2026, 10, 1), D(2026, 11, 1), "50.00")
    # when
    spring = stay_prices(
        category_ids=[category.pk], arrival_date=D(2026, 3, 27), departure_date=D(2026, 3, 31)
    )
    autumn = stay_prices(  # back to winter time in the night of 24 to 25 October
        category_ids=[category.pk], arrival_date=D(2026, 10, 23), departure_date=D(2026, 10, 27)
    )
    # then
    assert spring[category.pk] == Decimal("399.96")
    assert autumn[category.pk] == Decimal("200.00")


def test_the_applicable_rate_with_the_highest_minimum_wins_per_night(administration):
    # given
    category = CategoryFactory(administration=administration)
    rate(category, D(2026, 7, 1), D(2026, 8, 1), "100.00")
    rate(category, D(2026, 7, 1), D(2026, 8, 1), "80.00", minimum=7)
    rate(category, D(2026, 7, 10), D(2026, 8, 1), "70.00", minimum=14)
    # when
    short = stay_prices(
        category_ids=[category.pk], arrival_date=D(2026, 7, 1), departure_date=D(2026, 7, 4)
    )
    week = stay_prices(
        category_ids=[category.pk], arrival_date=D(2026, 7, 1), departure_date=D(2026, 7, 8)
    )
    fortnight = stay_prices(  # 9 nights before the 14-night rate starts, 5 inside it
        category_ids=[category.pk], arrival_date=D(2026, 7, 1), departure_date=D(2026, 7, 15)
    )
    # then
    assert short[category.pk] == Decimal("300.00")
    assert week[category.pk] == Decimal("560.00")  # 7+ nights cheaper
    assert fortnight[category.pk] == Decimal(9 * 80 + 5 * 70)


def test_a_night_without_an_applicable_rate_makes_the_price_null_never_zero(administration):
    # given
    category = CategoryFactory(administration=administration)
    rate(category, D(2026, 7, 1), D(2026, 7, 5), "100.00")
    rate(category, D(2026, 7, 6), D(2026, 7, 10), "100.00")
    weekly_only = CategoryFactory(administration=administration)
    rate(weekly_only, D(2026, 7, 1), D(2026, 8, 1), "60.00", minimum=7)
    without = CategoryFactory(administration=administration)
    ids = [category.pk, weekly_only.pk, without.pk]
    # when
    gap = stay_prices(category_ids=ids, arrival_date=D(2026, 7, 3), departure_date=D(2026, 7, 8))
    free = rate(without, D(2026, 7, 1), D(2026, 7, 2), "0.00")
    zero = stay_prices(
        category_ids=[free.category_id], arrival_date=D(2026, 7, 1), departure_date=D(2026, 7, 2)
    )
    # then
    assert gap == {category.pk: None, weekly_only.pk: None, without.pk: None}
    assert zero == {without.pk: Decimal("0.00")}  # a rate of 0 is a price of 0
    night = first_unpriced_night(
        category_id=category.pk, arrival_date=D(2026, 7, 3), departure_date=D(2026, 7, 8)
    )
    assert night == D(2026, 7, 5)


def test_every_category_is_priced_in_one_query(administration):
    # given
    categories = [CategoryFactory(administration=administration) for _ in range(5)]
    for index, category in enumerate(categories):
        rate(category, D(2026, 7, 1), D(2026, 8, 1), f"{100 + index}.25")
        rate(category, D(2026, 7, 1), D(2026, 8, 1), "50.00", minimum=7)
    # when
    with CaptureQueriesContext(connection) as queries:
        prices = stay_prices(
            category_ids=[c.pk for c in categories],
            arrival_date=D(2026, 7, 1),
            departure_date=D(2026, 7, 4),
        )
    # then
    assert len(queries) == 1
    assert prices == {c.pk: Decimal(f"{100 + i}.25") * 3 for i, c in enumerate(categories)}


def test_the_factor_and_fixed_rate_of_the_master_price_list_do_not_change_the_price(
    administration,
):
    # given
    plain = CategoryFactory(administration=administration)
    listed = CategoryFactory(
        administration=administration,
        master_price_list_price_factor=1.5,
        master_price_list_fixed_rate=25.0,
    )
    for category in (plain, listed):
        rate(category, D(2026, 7, 1), D(2026, 8, 1), "90.00")
    # when
    prices = stay_prices(
        category_ids=[plain.pk, listed.pk], arrival_date=D(2026, 7, 1), departure_date=D(2026, 7, 3)
    )
    # then: informational for now
    assert prices[plain.pk] == prices[listed.pk] == Decimal("180.00")


def test_rates_of_other_categories_and_dates_outside_the_stay_do_not_count(administration):
    # given
    category = CategoryFactory(administration=administration)
    other = CategoryFactory(administration=administration)
    rate(category, D(2026, 7, 1), D(2026, 7, 3), "10.00")
    rate(other, D(2026, 7, 1), D(2026, 7, 3), "999.00", minimum=1)
    rate(category, D(2026, 6, 1), D(2026, 7, 1), "999.00")
    rate(category, D(2026, 7, 3), D(2026, 7, 4), "999.00")
    # when
    prices = stay_prices(
        category_ids=[category.pk], arrival_date=D(2026, 7, 1), departure_date=D(2026, 7, 3)
    )
    # then
    assert prices == {category.pk: Decimal("20.00")}
