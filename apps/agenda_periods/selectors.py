"""Reads of the calendar: periods, availability per category, and calendar days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
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


def blocking_overlaps(start_date: dt.date, end_date: dt.date, rentable_ref="pk") -> Q:
    return holding_now() & Q(
        rentable_id=OuterRef(rentable_ref), start_date__lt=end_date, end_date__gt=start_date
    )


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


def availability_search(
    *,
    administration: Administration,
    arrival_date: dt.date,
    departure_date: dt.date,
    categories: QuerySet,
    rentables: QuerySet,
    at: dt.datetime | None = None,
) -> list[Availability]:
    """One entry per category: the active rentables no holding period overlaps, where the
    park's stay rules allow this stay now (``apps.stays``).

    Two queries whatever the size of the park: the categories with the stay rules winning at
    the arrival and the departure (correlated subqueries), then the free rentables (one NOT
    EXISTS over the (rentable, start_date, end_date) index, the rentables' bookable windows,
    and a NOT EXISTS per distinct turnover gap) of the categories whose rules allow the stay.
    """
    from apps.stays import rules as stay_rules
    from apps.stays.selectors import categories_with_stay_rules
    from apps.stays.services import moment_for

    moment = moment_for(administration, at)
    categories = list(
        categories_with_stay_rules(categories, arrival_date, departure_date).order_by("pk")
    )
    allowed: dict[int, int] = {}  # category id -> turnover gap
    for category in categories:
        rules = stay_rules.annotated_rules(category)
        if stay_rules.refusal(rules, arrival_date, departure_date, moment) is None:
            allowed[category.pk] = rules.turnover_gap_nights
    free = (
        rentables.filter(active=True, category_id__in=list(allowed))
        .filter(
            ~Exists(AgendaPeriod.objects.filter(blocking_overlaps(arrival_date, departure_date)))
        )
        .filter(_within_window(arrival_date, departure_date))
        .order_by("category_id", "pk")
    )
    for gap in {gap for gap in allowed.values() if gap}:
        in_gap = [pk for pk, g in allowed.items() if g == gap]
        free = free.exclude(
            Q(category_id__in=in_gap)
            & Exists(AgendaPeriod.objects.filter(_stays_near(arrival_date, departure_date, gap)))
        )
    by_category: dict[int, list[Rentable]] = defaultdict(list)
    for rentable in free if allowed else []:
        by_category[rentable.category_id].append(rentable)
    results = []
    for category in categories:
        found = by_category.get(category.pk, [])
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


def _stays_near(arrival: dt.date, departure: dt.date, gap: int) -> Q:
    """Another guest's stay on the outer rentable within ``gap`` nights of this one."""
    span = dt.timedelta(days=gap)
    return (
        holding_now()
        & Q(rentable_id=OuterRef("pk"), period_type=PeriodType.RESERVATION)
        & (
            Q(end_date__gt=arrival - span, end_date__lte=arrival)
            | Q(start_date__gte=departure, start_date__lt=departure + span)
        )
    )


@dataclass
class CalendarDay:
    """One night of one rentable: free or not, and which period holds it."""

    rentable: Rentable
    date: dt.date
    agenda_period: AgendaPeriod | None

    @property
    def pk(self) -> str:
        return f"{self.rentable.pk}:{self.date.isoformat()}"

    @property
    def available(self) -> bool:
        return self.rentable.active and self.agenda_period is None


class CalendarDays:
    """The nights × rentables grid as a lazy sequence: a page costs one query for its periods."""

    def __init__(self, rentables: list[Rentable], first: dt.date, last: dt.date):
        self.rentables = rentables
        self.first = first
        self.nights = (last - first).days + 1

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
        page_rentables = {self.rentables[r].pk: self.rentables[r] for r, _ in cells}
        last = self.first + dt.timedelta(days=self.nights)
        periods = AgendaPeriod.objects.filter(
            holding_now(),
            rentable_id__in=list(page_rentables),
            start_date__lt=last,
            end_date__gt=self.first,
        ).order_by("start_date")
        holding: dict[int, list[AgendaPeriod]] = defaultdict(list)
        for period in periods:
            holding[period.rentable_id].append(period)
        days = []
        for r, n in cells:
            rentable = self.rentables[r]
            date = self.first + dt.timedelta(days=n)
            period = next(
                (p for p in holding[rentable.pk] if p.start_date <= date < p.end_date), None
            )
            days.append(CalendarDay(rentable, date, period))
        return days
