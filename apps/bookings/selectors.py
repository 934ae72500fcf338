"""Reads of bookings and reservations, confined to what the credential may see."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.administrations.models import Administration
from apps.bookings.models import Booking, Reservation
from apps.core.credentials import Credential


def _only_own(credential: Credential, granted: frozenset[str], full_scope: str) -> bool:
    """Credentials with only the channel scope see what their own app created (BookingSync's
    ``owned_by_app``), and nothing else."""
    return full_scope not in granted


def booking_list(
    *, administration: Administration, credential: Credential, granted: frozenset[str]
) -> QuerySet:
    queryset = Booking.objects.filter(administration=administration).prefetch_related(
        "reservations"
    )
    if _only_own(credential, granted, "booking|read") and credential is not None:
        queryset = queryset.filter(owned_by_app_id=credential.application_id)
    return queryset


def reservation_list(
    *, administration: Administration, credential: Credential, granted: frozenset[str]
) -> QuerySet:
    queryset = Reservation.objects.filter(administration=administration).select_related("booking")
    if _only_own(credential, granted, "reservation|read") and credential is not None:
        queryset = queryset.filter(booking__owned_by_app_id=credential.application_id)
    return queryset
