"""Writes for administrations and memberships."""

from __future__ import annotations

from django.db import transaction

from apps.administrations.models import Administration, Membership


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
