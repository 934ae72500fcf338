"""Reads of owners and their agreements."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.administrations.models import Administration
from apps.agreements.models import Agreement, Owner


def owner_list(*, administration: Administration) -> QuerySet:
    return Owner.objects.filter(administration=administration).prefetch_related("agreements")


def agreement_list(*, administration: Administration) -> QuerySet:
    return Agreement.objects.filter(administration=administration)
