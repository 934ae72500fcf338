"""Reads of the price list."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.rates.models import Rate


def rate_list(*, administration) -> QuerySet:
    return Rate.objects.filter(administration=administration).select_related(
        "administration", "category"
    )
