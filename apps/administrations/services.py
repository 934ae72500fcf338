"""Writes for administrations and memberships."""

from __future__ import annotations

from django.db import connection, transaction

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
    transaction commits. The increment locks the row until then, so concurrent callers get
    distinct numbers.

    One statement (``UPDATE … RETURNING``) once the counter exists: a booking with a new
    customer draws two numbers, and the read, the locking read and the write of each (with
    their savepoints) were ten of its queries."""
    value = _sequence_increment(administration.pk, name)
    if value is None:  # the counter's first use
        Sequence.objects.get_or_create(
            administration=administration, name=name, defaults={"value": start - 1}
        )
        value = _sequence_increment(administration.pk, name)
    return value


def _sequence_increment(administration_id: int, name: str) -> int | None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Sequence._meta.db_table)} SET {quote('value')} = {quote('value')} + 1"
            f" WHERE {quote('administration_id')} = %s AND {quote('name')} = %s"
            f" RETURNING {quote('value')}",
            [administration_id, name],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])
