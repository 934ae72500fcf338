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
from apps.core.filters import FilterBackend
from apps.core.views import (
    ReadOnlyResourceViewSet,
    ResourceListMixin,
    ResourceModelViewSet,
    ResourceViewSet,
)
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
    filter_backends = (FilterBackend,)  # a fixed order: no sort

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
        return selectors.availability_search(
            administration=self.administration,
            arrival_date=search.form.cleaned_data["arrival_date"],
            departure_date=search.form.cleaned_data["departure_date"],
            categories=search.filter_categories(categories),
            rentables=search.qs,
            rentable_rows="available_rentables" in included,  # else their ids are enough
        )


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
