"""Writes of owners and agreements, and the rules owners live by."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.administrations.models import Administration
from apps.agreements.models import Agreement, Owner, active_on
from apps.core.exceptions import NotPermitted
from apps.core.services import model_update
from apps.customers.validators import normalize_iban
from apps.rentables.models import Category, Rentable


@transaction.atomic
def owner_create(*, administration: Administration, **attributes) -> Owner:
    if attributes.get("iban"):
        attributes["iban"] = normalize_iban(attributes["iban"])
    return Owner.objects.create(administration=administration, **attributes)


@transaction.atomic
def owner_update(*, owner: Owner, **attributes) -> Owner:
    if attributes.get("iban"):
        attributes["iban"] = normalize_iban(attributes["iban"])
    model_update(owner, attributes, attributes)
    return owner


def _overlapping(agreement: Agreement):
    later = Q(active_till__isnull=True) | Q(active_till__gte=agreement.active_from)
    earlier = Q() if agreement.active_till is None else Q(active_from__lte=agreement.active_till)
    return (
        Agreement.objects.filter(rentable_id=agreement.rentable_id)
        .filter(later & earlier)
        .exclude(pk=agreement.pk)
        .order_by("active_from")
        .first()
    )


@transaction.atomic
def agreement_save(*, agreement: Agreement) -> Agreement:
    """Creates or changes an agreement. One rentable's agreements may not overlap in time
    (ValidationError on ``active_from``); the category's owner flags follow."""
    if agreement.rentable.administration_id != agreement.administration_id:
        raise ValidationError(
            {"rentable_identity": "The rentable belongs to another administration."}
        )
    if agreement.owner.administration_id != agreement.administration_id:
        raise ValidationError({"owner": "The owner belongs to another administration."})
    if agreement.active_till is not None and agreement.active_till < agreement.active_from:
        raise ValidationError({"active_till": "active_till may not be before active_from."})
    # Lock the rentable so two agreements for it cannot be saved side by side.
    Rentable.objects.select_for_update().filter(pk=agreement.rentable_id).first()
    clash = _overlapping(agreement)
    if clash is not None:
        till = clash.active_till.isoformat() if clash.active_till else "open-ended"
        raise ValidationError(
            {
                "active_from": f"Overlaps agreement {clash.pk} ({clash.active_from.isoformat()} to {till}) for the same rentable."
            }
        )
    agreement.save()
    category_owner_flags_refresh(category=agreement.rentable.category)
    return agreement


def category_owner_flags_refresh(*, category: Category) -> None:
    today = timezone.localdate()
    checks = (
        Agreement.objects.filter(rentable__category=category, owner_should_check_reservations=True)
        .filter(Q(active_till__isnull=True) | Q(active_till__gte=today))
        .exists()
    )
    Category.objects.filter(pk=category.pk).update(
        has_current_or_future_owner_that_should_check_reservations=checks,
        agreements_changed_at=timezone.now(),
    )


def active_agreement(*, rentable: Rentable, day: dt.date) -> Agreement | None:
    return (
        Agreement.objects.filter(rentable=rentable)
        .filter(active_on(day))
        .select_related("owner")
        .first()
    )


def owner_may_reserve(*, owner: Owner, rentable: Rentable, arrival_date: dt.date) -> bool:
    """An owner's own stay: under an agreement active at arrival that lets them reserve."""
    agreement = active_agreement(rentable=rentable, day=arrival_date)
    return bool(agreement and agreement.owner_id == owner.pk and agreement.owner_reservable)


def require_owner_agenda_rights(*, rentable: Rentable, start_date: dt.date) -> Agreement:
    """403 unless the rentable's agreement active at ``start_date`` lets its owner edit the
    calendar."""
    agreement = active_agreement(rentable=rentable, day=start_date)
    if agreement is None:
        raise NotPermitted(
            f"Rentable {rentable.pk} has no owner agreement active on {start_date.isoformat()}, "
            "so no owner maintenance can be planned on it."
        )
    if not agreement.owner_can_edit_agenda_periods:
        raise NotPermitted(
            f"The agreement {agreement.pk} of rentable {rentable.pk} does not let its owner edit "
            "agenda periods (owner_can_edit_agenda_periods is false)."
        )
    return agreement
