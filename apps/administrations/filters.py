from __future__ import annotations

from dataclasses import replace

from django.db.models import Q

from apps.administrations.models import Administration, format_utc_offset, utc_offset_minutes
from apps.core.filters import CONTAINS, FilterSet, InvalidValue, VendorFilter


def _parse_offset(term: str) -> int:
    """``+01:00``, ``-05:30``, ``+0100`` or ``60`` (minutes) → minutes."""
    text = term.strip().replace(" ", "+")  # an unencoded '+' arrives as a space
    if text.lstrip("+-").isdigit() and ":" not in text and len(text.lstrip("+-")) <= 3:
        return int(text)
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace(":", "")
    if len(digits) != 4 or not digits.isdigit():
        raise InvalidValue(f"'{term}' is not a UTC offset like +01:00")
    return sign * (int(digits[:2]) * 60 + int(digits[2:]))


class UtcOffsetFilter(VendorFilter):
    """The offset depends on the date (DST), so it is matched per distinct time zone in use."""

    kind = "utc_offset"
    term_schema = {"type": "string", "example": "+01:00"}

    parse_term = staticmethod(_parse_offset)

    def condition(self, expr):
        positive = replace(expr, negate=False)
        zones = Administration.objects.values_list("timezone", flat=True).distinct()
        if expr.op == CONTAINS:
            matching = [
                tz
                for tz in zones
                if any(t in format_utc_offset(utc_offset_minutes(tz)) for t in expr.terms)
            ]
        else:
            matching = [tz for tz in zones if positive.matches(utc_offset_minutes(tz))]
        found = Q(timezone__in=matching)
        return ~found if expr.negate else found


class AdministrationFilter(FilterSet):
    utc_offset = UtcOffsetFilter()

    class Meta:
        model = Administration
        fields = "__all__"  # every column
