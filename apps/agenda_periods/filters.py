from apps.agenda_periods.models import AgendaPeriod
from apps.core.filters import FilterSet


class AgendaPeriodFilter(FilterSet):
    """resources.md §3; ``type`` is the vendor's name for ``period_type`` (spec README §8)."""

    model = AgendaPeriod
    attributes = {
        "start_date": "start_date",
        "end_date": "end_date",
        "period_type": "period_type",
        "type": "period_type",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    relationships = {"rentable": "rentable_id", "reservation": "reservation__id"}
