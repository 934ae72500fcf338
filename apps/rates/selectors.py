"""Reads of the price list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet

from apps.rates.models import Rate


def rate_list(*, administration) -> QuerySet:
    return Rate.objects.filter(administration=administration).select_related(
        "administration", "category"
    )


# -- pricing: the one place a stay's price is computed ------------------------------------------

CENT = Decimal("0.01")

# How the nights are generated, per database: the first night from a date parameter, and the
# next night from the previous one. Everything else in the query is common SQL.
_NIGHT_STEPS = {
    "postgresql": ("CAST(%s AS date)", "nights.night + 1"),
    "sqlite": ("date(%s)", "date(nights.night, '+1 day')"),
}

_STAY_PRICES_SQL = """
WITH RECURSIVE nights (night, number) AS (
    SELECT {first}, 1
    UNION ALL
    SELECT {step}, nights.number + 1 FROM nights WHERE nights.number < %s
),
applicable AS (
    SELECT rate.category_id, nights.night, rate.price_per_night,
           ROW_NUMBER() OVER (
               PARTITION BY rate.category_id, nights.night
               ORDER BY COALESCE(rate.minimum_number_of_nights, 0) DESC, rate.id DESC
           ) AS rank
    FROM nights
    JOIN {rates} rate ON rate.start_date <= nights.night AND rate.end_date > nights.night
    WHERE rate.category_id IN ({categories})
      AND rate.start_date < %s AND rate.end_date > %s
      AND (rate.minimum_number_of_nights IS NULL OR rate.minimum_number_of_nights <= %s)
)
SELECT category_id, SUM(price_per_night), COUNT(*)
FROM applicable
WHERE rank = 1
GROUP BY category_id
"""


def stay_prices(
    *, category_ids, arrival_date: dt.date, departure_date: dt.date
) -> dict[int, Decimal | None]:
    """The rent of the stay [arrival_date, departure_date) per category, in ONE query.

    Each night is priced by the category's rates covering it that apply to a stay this long
    (no minimum, or a minimum up to the stay's nights); among those the one with the highest
    minimum wins. The rent is the sum over the nights. A category with a night no applicable
    rate covers gets None, never 0. Nights are dates: a change of clocks changes nothing.
    """
    ids = sorted({int(pk) for pk in category_ids})
    prices: dict[int, Decimal | None] = dict.fromkeys(ids)
    nights = (departure_date - arrival_date).days
    if not ids or nights < 1:
        return prices
    first, step = _NIGHT_STEPS[connection.vendor]
    sql = _STAY_PRICES_SQL.format(
        first=first,
        step=step,
        rates=connection.ops.quote_name(Rate._meta.db_table),
        categories=", ".join(["%s"] * len(ids)),
    )
    params = [arrival_date, nights, *ids, departure_date, arrival_date, nights]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for category_id, total, priced_nights in rows:
        if priced_nights == nights:
            # SQLite sums decimals as floats: back to cents.
            prices[category_id] = Decimal(str(total)).quantize(CENT)
    return prices


def first_unpriced_night(
    *, category_id: int, arrival_date: dt.date, departure_date: dt.date
) -> dt.date | None:
    """The first night of the stay no applicable rate of the category covers (for telling a
    client which night it is; the price itself comes from ``stay_prices``)."""
    nights = (departure_date - arrival_date).days
    ranges = list(
        Rate.objects.filter(
            Q(minimum_number_of_nights__isnull=True) | Q(minimum_number_of_nights__lte=nights),
            category_id=category_id,
            start_date__lt=departure_date,
            end_date__gt=arrival_date,
        ).values_list("start_date", "end_date")
    )
    for offset in range(nights):
        night = arrival_date + dt.timedelta(days=offset)
        if not any(start <= night < end for start, end in ranges):
            return night
    return None


def category_has_rates(*, category_id: int) -> bool:
    return Rate.objects.filter(category_id=category_id).exists()


def availabilities_price(availabilities: list, *, administration, arrival_date, departure_date):
    """Sets ``price`` (and ``currency``) on each availability of one stay: one query for all."""
    prices = stay_prices(
        category_ids=[a.category.pk for a in availabilities],
        arrival_date=arrival_date,
        departure_date=departure_date,
    )
    for availability in availabilities:
        availability.price = prices.get(availability.category.pk)
        availability.currency = administration.currency
    return availabilities
