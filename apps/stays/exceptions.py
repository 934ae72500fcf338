"""The refusal of a stay the park's rules forbid."""

from __future__ import annotations

from django.core.exceptions import ValidationError

#: Every rule a stay can break, as named in ``meta.rule`` of the API's 422.
RULES = (
    "minimum_nights", "maximum_nights", "arrival_weekday", "departure_weekday",
    "closed_to_arrival", "closed_to_departure", "minimum_notice", "maximum_advance",
    "same_day", "turnover_gap", "bookable_window",
)  # fmt: skip


class StayNotAllowed(ValidationError):
    """A stay breaks one of the park's rules.

    ``rule`` is one of ``RULES``; ``field`` the input the refusal is about (``arrival_date`` or
    ``departure_date``); the message is fit to show a guest. It is a ``ValidationError`` keyed
    by that field, so the back-office and every caller that handles a service's validation
    error shows it as it is; the API adds ``meta.rule`` (``error_meta``).
    """

    def __init__(self, rule: str, message: str, *, field: str = "arrival_date"):
        assert rule in RULES, rule
        super().__init__({field: [ValidationError(message, code=rule)]})
        self.rule = rule
        self.field = field
        self.message_text = message
        self.error_meta = {"rule": rule}

    def __str__(self) -> str:
        return f"{self.rule}: {self.message_text}"
