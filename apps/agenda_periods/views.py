"""Agenda periods, availability and calendar days."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from rest_framework import mixins

from apps.agenda_periods import selectors, services
from apps.agenda_periods.filters import AgendaPeriodFilter
from apps.agenda_periods.models import PeriodType
from apps.agenda_periods.serializers import (
    AgendaPeriodSerializer,
    AvailabilitySerializer,
    CalendarDaySerializer,
)
from apps.core import query
from apps.core.errors import bad_query
from apps.core.filters import Expression, InvalidValue, VendorFilterBackend
from apps.core.views import ReadOnlyResourceViewSet, ResourceModelViewSet, ResourceViewSet
from apps.rentables.filters import RentableFilter
from apps.rentables.models import Category

AGENDA_SORT = ("start_date", "end_date", "period_type", "label", "created_at", "updated_at")


class AgendaPeriodViewSet(ReadOnlyResourceViewSet):
    """Every period of the administration, whatever its subtype."""

    serializer_class = AgendaPeriodSerializer
    filterset_class = AgendaPeriodFilter
    scope_resource = "agenda_period"
    sort_fields = AGENDA_SORT
    select_for_includes = {
        "rentable": ["rentable__category"],
        "reservation": ["reservation__booking"],
    }

    def base_queryset(self):
        return selectors.agenda_period_list(administration=self.administration)


class SubtypeAgendaPeriodViewSet(ResourceModelViewSet):
    """Writes of one subtype; periods of other subtypes are not reachable here (404)."""

    serializer_class = AgendaPeriodSerializer
    filterset_class = AgendaPeriodFilter
    scope_resource = "agenda_period"
    sort_fields = AGENDA_SORT
    select_for_includes = {"rentable": ["rentable__category"]}
    period_type: str

    def base_queryset(self):
        return selectors.agenda_period_list(
            administration=self.administration, period_type=self.period_type
        )

    def perform_create(self, serializer):
        serializer.instance = services.agenda_period_create(
            administration=self.administration,
            period_type=self.period_type,
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        serializer.instance = services.agenda_period_update(
            period=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.agenda_period_delete(period=instance)


class MaintenanceAgendaPeriodViewSet(SubtypeAgendaPeriodViewSet):
    period_type = PeriodType.MAINTENANCE


class ExternalBlockedAgendaPeriodViewSet(SubtypeAgendaPeriodViewSet):
    period_type = PeriodType.EXTERNAL_BLOCKED


class OwnerMaintenanceAgendaPeriodViewSet(SubtypeAgendaPeriodViewSet):
    """An owner's own maintenance: only while the rentable's agreement lets them (403)."""

    period_type = PeriodType.OWNER_MAINTENANCE

    def perform_create(self, serializer):
        from apps.agreements.services import require_owner_agenda_rights

        data = serializer.validated_data
        require_owner_agenda_rights(rentable=data["rentable"], start_date=data["start_date"])
        super().perform_create(serializer)

    def perform_update(self, serializer):
        from apps.agreements.services import require_owner_agenda_rights

        period = serializer.instance
        rentable = serializer.validated_data.get("rentable", period.rentable)
        start = serializer.validated_data.get("start_date", period.start_date)
        require_owner_agenda_rights(rentable=rentable, start_date=start)
        super().perform_update(serializer)


def _date_param(request, name: str) -> dt.date:
    param = f"filter[{name}]"
    raw = request.query_params.get(param)
    if raw is None:
        raise bad_query(param, f"{param} is required (YYYY-MM-DD).")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise bad_query(param, f"{param} must be a date (YYYY-MM-DD), not '{raw[:40]}'.") from None


class AvailabilityViewSet(mixins.ListModelMixin, ResourceViewSet):
    """``GET …/availabilities``: per category, the rentables free for a stay."""

    serializer_class = AvailabilitySerializer
    scope_resource = "availability"
    http_method_names = ["get", "head"]
    special_filters = ("arrival_date", "departure_date", "category", "max_number_of_people")
    special_filter_docs = {
        "arrival_date": "Required. First night, YYYY-MM-DD.",
        "departure_date": "Required. Day of departure (exclusive), YYYY-MM-DD.",
        "category": "Category ids, e.g. 1,2 (the vendor's syntax, ! inverts).",
        "max_number_of_people": "Rentable capacity, e.g. 4.. for at least four people.",
    }
    filter_backends = (VendorFilterBackend,)  # refuses filters other than the special ones

    def base_queryset(self):
        arrival = _date_param(self.request, "arrival_date")
        departure = _date_param(self.request, "departure_date")
        if arrival >= departure:
            raise bad_query("filter[departure_date]", "departure_date must be after arrival_date.")
        if (departure - arrival).days > settings.AVAILABILITY_MAX_NIGHTS:
            raise bad_query(
                "filter[departure_date]",
                f"A stay may be at most {settings.AVAILABILITY_MAX_NIGHTS} nights.",
            )
        categories = Category.objects.filter(administration=self.administration, archived=False)
        if "category" in query.include_paths(self.request):  # rendered in full then
            categories = categories.prefetch_related("optional_amenities")
        rentables = selectors.rentables_with_capacity(administration=self.administration)
        backend = VendorFilterBackend()
        if "filter[category]" in self.request.query_params:
            categories = categories.filter(self._condition(backend, "category", "pk"))
            rentables = rentables.filter(self._condition(backend, "category", "category_id"))
        if "filter[max_number_of_people]" in self.request.query_params:
            condition = backend.condition(
                self.request,
                "filter[max_number_of_people]",
                ["max_number_of_people"],
                RentableFilter,
            )
            rentables = rentables.filter(condition)
        return selectors.availability_search(
            administration=self.administration,
            arrival_date=arrival,
            departure_date=departure,
            categories=categories,
            rentables=rentables,
        )

    def _condition(self, backend, name, path):
        from apps.core.filters import RELATIONSHIP, Attribute, FilterSet

        class _CategoryIds(FilterSet):
            model = Category
            computed = {name: Attribute(path, RELATIONSHIP)}

        return backend.condition(self.request, f"filter[{name}]", [name], _CategoryIds)


class CalendarDayViewSet(mixins.ListModelMixin, ResourceViewSet):
    """``GET …/calendar_days``: one entry per rentable and night, for date pickers."""

    serializer_class = CalendarDaySerializer
    scope_resource = "availability"
    http_method_names = ["get", "head"]
    special_filters = ("rentable", "date")
    special_filter_docs = {
        "date": f"Required. A range of nights, e.g. 2026-07-01..2026-09-30 (at most {settings.CALENDAR_DAYS_MAX_NIGHTS}).",
        "rentable": "Rentable ids, e.g. 12,13. All rentables when absent.",
    }
    filter_backends = (VendorFilterBackend,)  # refuses filters other than the special ones

    def base_queryset(self):
        first, last = self._date_range()
        rentables = selectors.rentables_with_capacity(administration=self.administration)
        rentables = rentables.select_related("category").order_by("pk")
        if "filter[rentable]" in self.request.query_params:
            rentables = rentables.filter(
                VendorFilterBackend().condition(
                    self.request, "filter[rentable]", ["id"], RentableFilter
                )
            )
        return selectors.CalendarDays(list(rentables), first, last)

    def _date_range(self) -> tuple[dt.date, dt.date]:
        param = "filter[date]"
        raw = self.request.query_params.get(param)
        if raw is None:
            raise bad_query(param, f"{param} is required, e.g. 2026-07-01..2026-07-31.")
        try:
            expr = Expression.parse(raw)
            if expr.negate or expr.op == "contains":
                raise InvalidValue("use a date or a range a..b")
            low = expr.low if expr.op == "range" else expr.terms[0]
            high = expr.high if expr.op == "range" else expr.terms[-1]
            if low is None or high is None or (expr.op == "eq" and len(expr.terms) > 1):
                raise InvalidValue("give both ends, e.g. 2026-07-01..2026-07-31")
            first, last = dt.date.fromisoformat(low), dt.date.fromisoformat(high)
        except (InvalidValue, ValueError) as exc:
            raise bad_query(param, f"Invalid value for {param}: {exc}.") from None
        if last < first:
            raise bad_query(param, f"{param} ends before it starts.")
        if (last - first).days + 1 > settings.CALENDAR_DAYS_MAX_NIGHTS:
            raise bad_query(
                param, f"At most {settings.CALENDAR_DAYS_MAX_NIGHTS} nights per request."
            )
        return first, last
