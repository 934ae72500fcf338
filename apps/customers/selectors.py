"""Reads of guests and labels."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.administrations.models import Administration
from apps.customers.models import Customer, Label


def customer_list(
    *, administration: Administration, own_bookings_of_app: int | None = None
) -> QuerySet:
    """The administration's guests; with ``own_bookings_of_app``, only those of that app's
    bookings (a ``channel::customer|read`` grant)."""
    queryset = Customer.objects.filter(administration=administration).prefetch_related("labels")
    if own_bookings_of_app is not None:
        queryset = queryset.filter(bookings__owned_by_app_id=own_bookings_of_app).distinct()
    return queryset


def label_list(*, administration: Administration) -> QuerySet:
    return Label.objects.filter(administration=administration)
