"""Which booking state may follow which (spec README §6)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.bookings.models import State
from apps.core.exceptions import InvalidTransition

#: The states a booking may be created in.
INITIAL_STATES = {State.CONCEPT, State.OPTION, State.CONFIRMED}
#: States whose reservations no longer occupy the calendar.
RELEASED_STATES = {State.CANCELLED, State.REJECTED}
#: States whose hold on the calendar ends at ``option_expires_at``.
EXPIRING_STATES = {State.CONCEPT, State.OPTION}

_PENDING = {
    State.CONCEPT_TO_BE_ACCEPTED, State.CONCEPT_OPTION, State.CONCEPT_TO_BE_ACCEPTED_OPTION,
    State.TEMPORARY, State.TEMPORARY_TO_BE_ACCEPTED, State.TEMPORARY_TO_BE_CHECKED,
    State.TEMPORARY_TO_BE_ACCEPTED_AND_CHECKED, State.TEMPORARY_OPTION,
    State.TEMPORARY_TO_BE_ACCEPTED_OPTION, State.TO_BE_ACCEPTED, State.TO_BE_ACCEPTED_OPTION,
    State.TO_BE_CHECKED, State.TO_BE_ACCEPTED_AND_CHECKED,
}  # fmt: skip

TRANSITIONS: dict[str, set[str]] = {
    State.CONCEPT: {State.OPTION, State.CONFIRMED, State.CANCELLED},
    State.OPTION: {State.CONFIRMED, State.CANCELLED},
    State.CONFIRMED: {State.CANCELLED},
    State.CANCELLED: {State.CONFIRMED, State.OPTION},  # restore, when the dates are free
    State.IMPORTED: {State.CONFIRMED, State.CANCELLED},
    State.REJECTED: set(),
    **{
        state: {State.OPTION, State.CONFIRMED, State.CANCELLED, State.REJECTED}
        for state in _PENDING
    },
}


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, set()))) or "none"
        raise InvalidTransition(
            f"A booking cannot go from '{current}' to '{target}' (from '{current}': {allowed}).",
            field="state",
        )


def hold_until(
    state: str, *, option_validity: int | None, option_expires_at: dt.datetime | None
) -> dt.datetime | None:
    """When the calendar hold of a booking in ``state`` ends; None for a firm booking."""
    now = timezone.now()
    if state == State.OPTION:
        if option_expires_at is not None:
            if option_expires_at <= now:
                raise ValidationError({"option_expires_at": "An option must expire in the future."})
            return option_expires_at
        if option_validity:
            return now + dt.timedelta(days=option_validity)
        raise ValidationError(
            {"option_validity": "An option needs option_validity (days) or option_expires_at."}
        )
    if state == State.CONCEPT:
        return now + dt.timedelta(minutes=settings.CONCEPT_HOLD_MINUTES)
    return None
