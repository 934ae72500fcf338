"""Agenda periods through ``POST …/operations`` (apps.core.operations).

The type is ``agenda_period``; the subtype is the read-only ``period_type`` attribute, so an add
names it there. Only maintenance and external-blocked periods may be written this way: the
others belong to bookings, owners and stock, which have their own endpoints and rules.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from apps.agenda_periods import selectors, services
from apps.agenda_periods.models import PeriodType
from apps.agenda_periods.serializers import AgendaPeriodSerializer
from apps.core.operations import OperationHandler, operation_handler_register

WRITABLE_SUBTYPES = (PeriodType.MAINTENANCE.value, PeriodType.EXTERNAL_BLOCKED.value)
_NAMES = " or ".join(WRITABLE_SUBTYPES)


def operation_subtype(*, op: str, attributes: dict, instance) -> dict:
    """The subtype an add creates (``{"period_type": …}``); a refusal (422 on
    ``period_type``) for any subtype but the two writable ones, or a change of subtype."""
    if instance is not None and instance.period_type not in WRITABLE_SUBTYPES:
        raise ValidationError(
            {
                "period_type": f"Operations write only {_NAMES} periods; this one is a "
                f"{instance.period_type}."
            }
        )
    given = attributes.get("period_type")
    if op == "add":
        if given not in WRITABLE_SUBTYPES:
            raise ValidationError(
                {"period_type": f"Set period_type to {_NAMES}: operations add only those."}
            )
        return {"period_type": given}
    if given is not None and given != instance.period_type:
        raise ValidationError(
            {"period_type": f"A period's subtype cannot change (it is {instance.period_type})."}
        )
    return {}


def register() -> None:
    operation_handler_register(
        OperationHandler(
            serializer_class=AgendaPeriodSerializer,
            queryset=lambda administration: selectors.agenda_period_list(
                administration=administration
            ),
            create=lambda *, administration, data: services.agenda_period_create(
                administration=administration, **data
            ),
            update=lambda *, instance, data: services.agenda_period_update(period=instance, **data),
            delete=lambda *, instance: services.agenda_period_delete(period=instance),
            bulk_create=lambda *, administration, items: services.agenda_period_bulk_create(
                administration=administration, items=items
            ),
            prepare=operation_subtype,
        )
    )
