"""Agenda periods, availability and calendar days."""

from __future__ import annotations

from apps.agenda_periods import selectors, services
from apps.agenda_periods.filters import AgendaPeriodFilter, AvailabilityFilter, CalendarDayFilter
from apps.agenda_periods.models import PeriodType
from apps.agenda_periods.serializers import (
    AgendaPeriodSerializer,
    AvailabilitySerializer,
    CalendarDaySerializer,
)
from apps.core import query
from apps.core.errors import bad_query
from apps.core.filters import FilterBackend
from apps.core.sorting import SortBackend
from apps.core.views import (
    ReadOnlyResourceViewSet,
    ResourceListMixin,
    ResourceModelViewSet,
    ResourceViewSet,
)
from apps.rates.selectors import availabilities_price
from apps.rentables.models import Category

#: calendar_day attributes that need the stay rules judged (a sparse fieldset may skip them)
STAY_RULE_FIELDS = {"arrival_allowed", "departure_allowed", "minimum_stay"}

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
    """An owner's own maintenance: only while the rentable's agreement lets them (403; the
    calendar services enforce it)."""

    period_type = PeriodType.OWNER_MAINTENANCE


class AvailabilityViewSet(ResourceListMixin, ResourceViewSet):
    """``GET …/availabilities``: per category, the rentables free for a stay."""

    serializer_class = AvailabilitySerializer
    filterset_class = AvailabilityFilter
    scope_resource = "availability"
    http_method_names = ["get", "head"]
    # Sorted in filter_queryset (a computed list); SortBackend marks it sortable.
    filter_backends = (FilterBackend, SortBackend)
    sort_fields = ("price",)

    def base_queryset(self):
        return selectors.rentables_with_capacity(administration=self.administration)

    def filter_queryset(self, queryset):
        """The filters pick the rentables and the stay; the answer is grouped per category."""
        search = self.filterset_class(
            self.request.query_params, queryset, request=self.request
        ).validate()
        categories = Category.objects.filter(administration=self.administration, archived=False)
        included = {path.split(".")[0] for path in query.include_paths(self.request)}
        if "category" in included:  # rendered in full then
            categories = categories.prefetch_related("optional_amenities")
        arrival, departure = (search.form.cleaned_data[n] for n in STAY)
        found = selectors.availability_search(
            administration=self.administration,
            arrival_date=arrival,
            departure_date=departure,
            categories=search.filter_categories(categories),
            rentables=search.qs,
            rentable_rows="available_rentables" in included,  # else their ids are enough
        )
        # Priced after the search, for the categories it returns: one query.
        availabilities_price(
            found,
            administration=self.administration,
            arrival_date=arrival,
            departure_date=departure,
        )
        found = [a for a in found if search.price_matches(a.price)]
        return availability_sort(found, self.request.query_params.get("sort"))


STAY = ("arrival_date", "departure_date")


def availability_sort(availabilities: list, raw: str | None) -> list:
    """``sort=price`` / ``-price`` (null prices last either way) and ``id``; the default
    order is the category's, which ``id`` follows too."""
    if raw is None:
        return availabilities
    result = list(availabilities)
    for term in reversed([t.strip() for t in raw.split(",")]):  # last key first: stable
        name = term.lstrip("-")
        descending = term.startswith("-")
        if name == "id":
            result.sort(key=lambda a: a.category.pk, reverse=descending)
        elif name == "price":
            priced = [a for a in result if a.price is not None]
            priced.sort(key=lambda a: a.price, reverse=descending)
            result = priced + [a for a in result if a.price is None]
        else:
            raise bad_query("sort", f"Cannot sort on '{term}'. Sortable: id, price.")
    return result


class CalendarDayViewSet(ResourceListMixin, ResourceViewSet):
    """``GET …/calendar_days``: one entry per rentable and night, for date pickers."""

    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilter
    scope_resource = "availability"
    http_method_names = ["get", "head"]
    filter_backends = (FilterBackend,)  # a fixed order: no sort

    def base_queryset(self):
        rentables = selectors.rentables_with_capacity(administration=self.administration)
        return rentables.select_related("category").order_by("pk")

    def filter_queryset(self, queryset):
        """The filters pick the rentables and the nights; the answer is their grid."""
        search = self.filterset_class(
            self.request.query_params, queryset, request=self.request
        ).validate()
        first, last = search.form.cleaned_data["date"]
        fields = self.request.query_params.get("fields[calendar_day]")
        return selectors.CalendarDays(
            list(search.qs),
            first,
            last,
            administration=self.administration,
            with_rules=fields is None or bool(set(fields.split(",")) & STAY_RULE_FIELDS),
        )
