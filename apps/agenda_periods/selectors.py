"""Reads of the calendar: periods, availability per category, and calendar days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.administrations.models import Administration
from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.rentables.models import Category, Rentable


def agenda_period_list(
    *, administration: Administration, period_type: str | None = None
) -> QuerySet:
    queryset = AgendaPeriod.objects.filter(administration=administration).select_related(
        "reservation"
    )
    return queryset.filter(period_type=period_type) if period_type else queryset


def holding_now() -> Q:
    """Periods that hold their dates at this moment (an expired option's hold does not)."""
    return Q(blocking=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


@dataclass
class Availability:
    """What can be booked in one category for one stay."""

    category: Category
    arrival_date: dt.date
    departure_date: dt.date
    available_rentables: list[Rentable] = field(default_factory=list)
    # The stay's rent in this category (None: a night without a rate), set by the pricing
    # step after the search (``apps.rates.selectors.availabilities_price``).
    price: Decimal | None = None
    currency: str = ""

    @property
    def pk(self) -> str:
        return (
            f"{self.category.pk}:{self.arrival_date.isoformat()}:{self.departure_date.isoformat()}"
        )

    @property
    def nights(self) -> int:
        return (self.departure_date - self.arrival_date).days

    @property
    def available_count(self) -> int:
        return len(self.available_rentables)


def rentables_with_capacity(*, administration: Administration) -> QuerySet:
    return Rentable.objects.filter(administration=administration).annotate(
        effective_max_people=Coalesce("max_number_of_people", "category__max_number_of_people")
    )


@dataclass(frozen=True, slots=True)
class RentableRef:
    """A free rentable when only its id is rendered (no ``include=available_rentables``)."""

    pk: int
    category_id: int


def availability_search(
    *,
    administration: Administration,
    arrival_date: dt.date,
    departure_date: dt.date,
    categories: QuerySet,
    rentables: QuerySet,
    at: dt.datetime | None = None,
    rentable_rows: bool = True,
) -> list[Availability]:
    """One entry per category: the active rentables no holding period overlaps, where the
    park's stay rules allow this stay now (``apps.stays``).

    Three queries whatever the size of the park: the categories and the stay rules covering
    the stay (``categories_with_stay_rules``; the rules are judged in Python by the functions
    the booking service uses), then the free rentables of the categories whose rules allow
    the stay. ``rentable_rows=False`` reads only their ids (``RentableRef``), for a response
    that does not include them.
    """
    from apps.stays import rules as stay_rules
    from apps.stays.selectors import categories_with_stay_rules
    from apps.stays.services import moment_for

    moment = moment_for(administration, at)
    categories = categories_with_stay_rules(categories, arrival_date, departure_date)
    allowed: dict[int, int] = {}  # category id -> turnover gap
    for category in categories:
        rules = category.rules_for_stay
        if stay_rules.refusal(rules, arrival_date, departure_date, moment) is None:
            allowed[category.pk] = rules.turnover_gap_nights
    by_category: dict[int, list] = defaultdict(list)
    if allowed:
        free = (
            rentables.filter(active=True, category_id__in=list(allowed))
            .filter(_within_window(arrival_date, departure_date))
            .filter(_not_held(arrival_date, departure_date, allowed))
            .order_by("category_id", "pk")
        )
        if rentable_rows:
            for rentable in free:
                by_category[rentable.category_id].append(rentable)
        else:
            for pk, category_id in free.values_list("pk", "category_id"):
                by_category[category_id].append(RentableRef(pk, category_id))
    results = []
    for category in categories:
        found = by_category.get(category.pk, [])
        if rentable_rows:
            for rentable in found:
                rentable.category = category  # shared instance: no query when rendered
        results.append(Availability(category, arrival_date, departure_date, found))
    return results


def _within_window(arrival: dt.date, departure: dt.date) -> Q:
    """Rentables whose bookable window (available_from … available_until) holds every night."""
    last_night = departure - dt.timedelta(days=1)
    return (Q(available_from__isnull=True) | Q(available_from__lte=arrival)) & (
        Q(available_until__isnull=True) | Q(available_until__gte=last_night)
    )


def _not_held(arrival: dt.date, departure: dt.date, gaps: dict[int, int]) -> RawSQL:
    """The outer rentable has no holding period overlapping the stay and, where its category
    asks for a turnover gap of g nights, no other guest's stay ending or starting within g
    nights of it (a stay meeting [arrival - g, departure + g)).

    Plain SQL with the dates worked out here, so it reads the same on SQLite and PostgreSQL
    and costs nothing to compile. Two NOT EXISTS, the gap's only when a category has one:
    PostgreSQL probes the (rentable, end_date) index per rentable for the first, and looks
    for stays near the few free rentables left; the ORM's ``Exists`` per gap, negated inside
    an OR, became scans of every reservation."""
    table, rentable = AgendaPeriod._meta.db_table, Rentable._meta.db_table
    # ``holding_now`` in SQL: change both together.
    holding = (
        f'SELECT 1 FROM "{table}" p WHERE p.rentable_id = "{rentable}".id AND p.blocking'
        " AND (p.expires_at IS NULL OR p.expires_at > %s)"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = f"NOT EXISTS ({holding} AND p.end_date > %s AND p.start_date < %s)"
    params = [now, arrival, departure]
    by_gap: dict[int, list[int]] = defaultdict(list)
    for category_id, gap in sorted(gaps.items()):
        if gap:
            by_gap[gap].append(category_id)
    if by_gap:
        bounds, gap_params = [], [now]  # per category its gap's window, else the stay's
        for date, sign in ((arrival, -1), (departure, 1)):
            cases = []
            for gap, category_ids in sorted(by_gap.items()):
                listed = ", ".join(["%s"] * len(category_ids))
                cases.append(f'WHEN "{rentable}".category_id IN ({listed}) THEN %s')
                gap_params += [*category_ids, date + sign * dt.timedelta(days=gap)]
            bounds.append(f"CASE {' '.join(cases)} ELSE %s END")
            gap_params.append(date)
        sql += (
            f" AND NOT EXISTS ({holding} AND p.end_date > {bounds[0]}"
            f" AND p.start_date < {bounds[1]} AND p.period_type = %s)"
        )
        params += [*gap_params, PeriodType.RESERVATION]
    return RawSQL(sql, params, output_field=BooleanField())


@dataclass
class CalendarDay:
    """One night of one rentable: free or not, which period holds it, and what the park's
    stay rules let a guest book around it now (``CalendarDays``)."""

    rentable: Rentable
    date: dt.date
    agenda_period: AgendaPeriod | None
    arrival_allowed: bool = False
    departure_allowed: bool = False
    minimum_stay: int | None = None

    @property
    def pk(self) -> str:
        return f"{self.rentable.pk}:{self.date.isoformat()}"

    @property
    def available(self) -> bool:
        return self.rentable.active and self.agenda_period is None


class CalendarDays:
    """The nights × rentables grid as a lazy sequence.

    A page costs two queries whatever its size: the holding periods of its rentables in and
    around its nights, and the stay rules of their categories. Arrivals and departures are
    judged in Python by the pure rules (``apps.stays.rules``) over every candidate stay of
    1 … ``STAY_SEARCH_MAX_NIGHTS`` nights, as the service (``stay_refusal``) judges one stay.
    """

    def __init__(
        self,
        rentables: list[Rentable],
        first: dt.date,
        last: dt.date,
        *,
        administration: Administration,
        at: dt.datetime | None = None,
        with_rules: bool = True,
    ):
        from apps.stays.services import moment_for

        self.rentables = rentables
        self.first = first
        self.nights = (last - first).days + 1
        self.moment = moment_for(administration, at)
        self.horizon = settings.STAY_SEARCH_MAX_NIGHTS
        self.with_rules = with_rules  # False: the page shows no stay-rule attribute

    def __len__(self) -> int:
        return len(self.rentables) * self.nights

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        if start >= stop:
            return []
        cells = [(i // self.nights, i % self.nights) for i in range(start, stop)]
        lo = min(self.first + dt.timedelta(days=n) for _, n in cells)
        hi = max(self.first + dt.timedelta(days=n) for _, n in cells)
        page_rentables = {self.rentables[r].pk: self.rentables[r] for r, _ in cells}
        overrides, horizons = self._stay_rules(page_rentables.values(), lo, hi)
        holding = self._periods(page_rentables.values(), lo, hi, horizons)
        bookable = self._bookable(page_rentables.values(), holding, lo, hi, overrides, horizons)
        departures = {
            pk: {arrival + dt.timedelta(days=n) for arrival, ns in found.items() for n in ns}
            for pk, found in bookable.items()
        }
        days = []
        for r, n in cells:
            rentable = self.rentables[r]
            date = self.first + dt.timedelta(days=n)
            period = next(
                (p for p in holding[rentable.pk] if p.start_date <= date < p.end_date), None
            )
            lengths = bookable[rentable.pk].get(date, [])
            departing = date in departures.get(rentable.pk, ())
            minimum = lengths[0] if lengths else None
            days.append(CalendarDay(rentable, date, period, bool(lengths), departing, minimum))
        return days

    def _stay_rules(self, rentables, lo: dt.date, hi: dt.date) -> tuple[dict, dict[int, int]]:
        """The stay rules around the page's nights, and per category its horizon: the longest
        stay tried, ``STAY_SEARCH_MAX_NIGHTS`` or, where the category or one of its stay rules
        asks for a longer minimum, that minimum (a 30-night minimum stay is still offered).
        One query, a second only when a stay rule's minimum reaches past the first window."""
        from apps.stays.selectors import stay_rules_by_category

        active = [r for r in rentables if r.active]
        if not active or not self.with_rules:
            return {}, {}
        horizons = {
            r.category_id: max(self.horizon, r.category.minimum_number_of_nights or 0)
            for r in active
        }
        reach = max(horizons.values())
        while True:
            span = dt.timedelta(days=reach)
            overrides = stay_rules_by_category(
                category_ids=set(horizons), first=lo - span, last=hi + span
            )
            for category_id, rules in overrides.items():
                longest = max((o.minimum_number_of_nights or 0 for o in rules), default=0)
                horizons[category_id] = max(horizons[category_id], longest)
            if max(horizons.values()) <= reach:
                return overrides, horizons
            reach = max(horizons.values())

    def _periods(self, rentables, lo, hi, horizons: dict[int, int]) -> dict[int, list]:
        gap = max((r.category.turnover_gap_nights or 0 for r in rentables), default=0)
        # how far around the page's nights a candidate stay and its neighbours reach
        reach = dt.timedelta(days=max(horizons.values()) + gap if horizons else 0)
        periods = AgendaPeriod.objects.filter(
            holding_now(),
            rentable_id__in=[r.pk for r in rentables],
            start_date__lte=hi + reach,
            end_date__gt=lo - reach,
        ).order_by("start_date")
        holding: dict[int, list[AgendaPeriod]] = defaultdict(list)
        for period in periods:
            holding[period.rentable_id].append(period)
        return holding

    def _bookable(self, rentables, holding, lo, hi, overrides, horizons: dict[int, int]) -> dict:
        """Per rentable, per arrival from ``lo - horizon`` to ``hi``: the bookable lengths."""
        from apps.stays import rules as stay_rules

        found: dict[int, dict[dt.date, list[int]]] = defaultdict(dict)
        for rentable in rentables:
            if rentable.category_id not in horizons or not rentable.active:
                continue
            horizon = horizons[rentable.category_id]
            base = stay_rules.category_rules(rentable.category, rentable)
            periods = holding[rentable.pk]
            free = _free_runs(periods, lo - dt.timedelta(days=horizon), hi, horizon)
            neighbours = [
                (p.start_date, p.end_date)
                for p in periods
                if p.period_type == PeriodType.RESERVATION
            ]
            for arrival, free_nights in free.items():
                found[rentable.pk][arrival] = stay_rules.bookable_lengths(
                    base,
                    overrides.get(rentable.category_id, ()),
                    arrival,
                    self.moment,
                    free_nights=free_nights,
                    horizon=horizon,
                    neighbours=neighbours,
                )
        return found


def _free_runs(periods, first: dt.date, last: dt.date, horizon: int) -> dict[dt.date, int]:
    """For each arrival in [first, last] whose first night is free: how many nights in a row
    from it no period holds (at most ``horizon``)."""
    end = last + dt.timedelta(days=horizon)
    blocked = set()
    for period in periods:
        night = max(period.start_date, first)
        while night < min(period.end_date, end):
            blocked.add(night)
            night += dt.timedelta(days=1)
    runs: dict[dt.date, int] = {}
    run = 0
    night = end - dt.timedelta(days=1)
    while night >= first:
        run = 0 if night in blocked else min(run + 1, horizon)
        if night <= last and run:
            runs[night] = run
        night -= dt.timedelta(days=1)
    return runs
