"""Writes for administrations and memberships."""

from __future__ import annotations

from django.db import transaction

from apps.administrations.models import Administration, Membership, Sequence


@transaction.atomic
def administration_create(
    *,
    name: str,
    timezone: str = "Europe/Amsterdam",
    currency: str = "EUR",
    available_locales: list[str] | None = None,
    **attributes,
) -> Administration:
    """Creates a tenant. Validates like the model does (time zone, currency)."""
    administration = Administration(
        name=name,
        timezone=timezone,
        currency=currency,
        available_locales=available_locales or ["en"],
        **attributes,
    )
    administration.full_clean()
    administration.save()
    return administration


def membership_add(*, user, administration: Administration, role: str = Membership.Role.MANAGER):
    """Lets ``user`` manage ``administration`` (back-office and OAuth consent). Idempotent."""
    membership, _ = Membership.objects.update_or_create(
        user=user, administration=administration, defaults={"role": role}
    )
    return membership


def sequence_next(*, administration: Administration, name: str, start: int = 1) -> int:
    """The next number of the administration's counter ``name``; gap-free while the caller's
    transaction commits. Rows are locked, so concurrent callers get distinct numbers."""
    with transaction.atomic():
        Sequence.objects.get_or_create(
            administration=administration, name=name, defaults={"value": start - 1}
        )
        sequence = Sequence.objects.select_for_update().get(
            administration=administration, name=name
        )
        sequence.value += 1
        sequence.save(update_fields=["value"])
        return sequence.value
