"""The occupancy calendar: rentables as rows, the nights of a month as columns, each agenda
period a coloured bar linking to its booking or period. Plain HTML, no JavaScript."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from apps.administrations.models import Administration
from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.core.admin_tools import managed_administration_ids
from apps.rentables.models import Rentable

KINDS = {
    "reservation": ("Reservation", "#2e7d32"),
    "option": ("Option", "#f9a825"),
    "maintenance": ("Maintenance", "#757575"),
    "owner": ("Owner maintenance", "#1565c0"),
    "external": ("External (iCal)", "#6a1b9a"),
    "other": ("Other", "#8d6e63"),
}


@dataclass
class Cell:
    span: int
    period: AgendaPeriod | None = None
    kind: str = ""
    url: str = ""
    title: str = ""

    @property
    def colour(self) -> str:
        return KINDS[self.kind][1] if self.kind else ""


def _kind(period: AgendaPeriod) -> str:
    if period.period_type == PeriodType.RESERVATION:
        return "option" if period.expires_at else "reservation"
    return {
        PeriodType.MAINTENANCE: "maintenance",
        PeriodType.OWNER_MAINTENANCE: "owner",
        PeriodType.EXTERNAL_BLOCKED: "external",
    }.get(period.period_type, "other")


def _link(period: AgendaPeriod) -> str:
    """The booking behind a reservation period, or the period itself."""
    try:
        booking_id = period.reservation.booking_id
    except ObjectDoesNotExist:
        booking_id = None
    if booking_id:
        return reverse("admin:bookings_booking_change", args=[booking_id])
    return reverse("admin:agenda_periods_agendaperiod_change", args=[period.pk])


def _row(periods: list[AgendaPeriod], first: dt.date, days: int) -> list[Cell]:
    cells, day = [], 0
    for period in periods:
        start = max((period.start_date - first).days, day)
        end = min((period.end_date - first).days, days)
        if end <= start:
            continue
        cells += [Cell(1) for _ in range(start - day)]
        kind = _kind(period)
        title = f"{KINDS[kind][0]}: {period.start_date:%d %b} – {period.end_date:%d %b}"
        if period.label:
            title += f" · {period.label}"
        cells.append(Cell(end - start, period, kind, _link(period), title))
        day = end
    cells += [Cell(1) for _ in range(days - day)]
    return cells


def occupancy_view(request):
    allowed = managed_administration_ids(request.user)
    administrations = Administration.objects.order_by("name")
    if allowed is not None:
        administrations = administrations.filter(pk__in=allowed)
    chosen = (
        administrations.filter(pk=request.GET.get("administration") or 0).first()
        or administrations.first()
    )
    try:
        first = dt.date.fromisoformat(f"{request.GET.get('month', '')}-01")
    except ValueError:
        first = timezone.localdate().replace(day=1)
    days = month_calendar.monthrange(first.year, first.month)[1]
    last = first + dt.timedelta(days=days)
    rows = []
    if chosen is not None:
        rentables = list(
            Rentable.objects.filter(administration=chosen)
            .select_related("category")
            .order_by("category_id", "name")
        )
        periods = (
            AgendaPeriod.objects.filter(
                rentable__in=rentables, blocking=True, start_date__lt=last, end_date__gt=first
            )
            .select_related("reservation")
            .order_by("start_date")
        )
        by_rentable: dict[int, list[AgendaPeriod]] = {}
        for period in periods:
            by_rentable.setdefault(period.rentable_id, []).append(period)
        rows = [
            (rentable, _row(by_rentable.get(rentable.pk, []), first, days))
            for rentable in rentables
        ]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    context = {
        "title": "Occupancy calendar",
        "administrations": administrations,
        "administration": chosen,
        "month": first,
        "previous": previous.strftime("%Y-%m"),
        "next": last.strftime("%Y-%m"),
        "days": [first + dt.timedelta(days=i) for i in range(days)],
        "rows": rows,
        "kinds": KINDS.values(),
        "today": timezone.localdate(),
    }
    return render(request, "admin/occupancy.html", context)
