import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.core.filters import (
    CONTAINS,
    RANGE,
    BaseFilterSet,
    DecimalFilter,
    Expression,
    FilterForm,
    FilterSet,
    IntegerFilter,
    InvalidValue,
    ParameterFilter,
    RelationshipFilter,
    TextFilter,
)
from apps.rentables.models import Rentable


class AgendaPeriodFilter(FilterSet):
    """resources.md §3; ``type`` is the vendor's name for ``period_type`` (spec README §8)."""

    type = TextFilter("period_type", choices=PeriodType.values)

    class Meta:
        model = AgendaPeriod
        fields = (
            "start_date", "end_date", "period_type", "created_at", "updated_at", "rentable",
            "reservation",
        )  # fmt: skip


# -- searches: the filters describe the question, the view computes the answer ------------------


class StayDateField(forms.Field):
    default_error_messages = {
        "required": "%(parameter)s is required (YYYY-MM-DD).",
        "invalid": "%(parameter)s must be a date (YYYY-MM-DD), not '%(value)s'.",
    }

    def to_python(self, value):
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value[:40]}
            ) from None


class StayDateFilter(ParameterFilter):
    """A plain date (not the expression syntax)."""

    field_class = StayDateField
    kind = "date"
    term_schema = {"type": "string", "format": "date"}
    operators = frozenset()


class StayForm(FilterForm):
    def clean(self):
        data = super().clean()
        arrival, departure = data.get("arrival_date"), data.get("departure_date")
        if arrival is None or departure is None:
            return data
        if arrival >= departure:
            self.add_error("departure_date", "departure_date must be after arrival_date.")
        elif (departure - arrival).days > settings.AVAILABILITY_MAX_NIGHTS:
            self.add_error(
                "departure_date",
                f"A stay may be at most {settings.AVAILABILITY_MAX_NIGHTS} nights.",
            )
        return data


class PriceFilter(DecimalFilter):
    """The stay's computed rent: read here, applied by the view once the search is priced."""

    combinable = False

    def filter(self, qs, value):
        return qs


class AvailabilityFilter(BaseFilterSet):
    """Filters the rentables of an availability search; the stay is read by the view."""

    arrival_date = StayDateFilter(required=True, help_text="Required. First night, YYYY-MM-DD.")
    departure_date = StayDateFilter(
        required=True, help_text="Required. Day of departure (exclusive), YYYY-MM-DD."
    )
    category = RelationshipFilter(
        "category", help_text="Category ids, e.g. 1,2 (the vendor's syntax, ! inverts)."
    )
    max_number_of_people = IntegerFilter(
        "effective_max_people", help_text="Rentable capacity, e.g. 4.. for at least four people."
    )
    price = PriceFilter(
        "price",
        help_text=(
            "The stay's total rent, e.g. 300..800 or ..500. A category without a rate for "
            "every night (price null) never matches."
        ),
    )

    class Meta:
        model = Rentable
        fields = ()
        form = StayForm

    def price_matches(self, price) -> bool:
        """Whether a computed price passes ``filter[price]`` (null never does)."""
        expression = self.form.cleaned_data.get("price")
        if expression is None:
            return True
        return price is not None and expression.matches(price)

    def filter_categories(self, categories):
        """The categories themselves, narrowed by ``filter[category]``."""
        value = self.form.cleaned_data.get("category")
        return (
            categories
            if value is None
            else categories.filter(RelationshipFilter("pk").condition(value))
        )


class NightsField(forms.Field):
    """``a..b``: the first and the last night, both given."""

    default_error_messages = {
        "required": "%(parameter)s is required, e.g. 2026-07-01..2026-07-31.",
        "invalid": "Invalid value for %(parameter)s: %(reason)s.",
        "reversed": "%(parameter)s ends before it starts.",
        "too_many": "At most %(limit)s nights per request.",
    }

    def to_python(self, value):
        if value is None:
            return None
        try:
            first, last = self._ends(Expression.parse(value))
        except (InvalidValue, ValueError) as exc:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"reason": str(exc)}
            ) from None
        if last < first:
            raise ValidationError(self.error_messages["reversed"], code="reversed")
        limit = settings.CALENDAR_DAYS_MAX_NIGHTS
        if (last - first).days + 1 > limit:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": limit}
            )
        return first, last

    @staticmethod
    def _ends(expr: Expression) -> tuple[dt.date, dt.date]:
        if expr.negate or expr.op == CONTAINS:
            raise InvalidValue("use a date or a range a..b")
        low = expr.low if expr.op == RANGE else expr.terms[0]
        high = expr.high if expr.op == RANGE else expr.terms[-1]
        if low is None or high is None or (expr.op != RANGE and len(expr.terms) > 1):
            raise InvalidValue("give both ends, e.g. 2026-07-01..2026-07-31")
        return dt.date.fromisoformat(low), dt.date.fromisoformat(high)


class NightsFilter(ParameterFilter):
    field_class = NightsField
    kind = "date_range"
    term_schema = {"type": "string", "format": "date"}
    operators = frozenset({RANGE})


class CalendarDayFilter(BaseFilterSet):
    """Filters the rentables of the calendar grid; the nights are read by the view."""

    rentable = IntegerFilter("pk", help_text="Rentable ids, e.g. 12,13. All rentables when absent.")
    date = NightsFilter(
        required=True,
        help_text=(
            "Required. A range of nights, e.g. 2026-07-01..2026-09-30 "
            f"(at most {settings.CALENDAR_DAYS_MAX_NIGHTS})."
        ),
    )

    class Meta:
        model = Rentable
        fields = ()
