"""Reads of the catalogue, shaped for the serializers (no N+1 on any includable path)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from apps.administrations.models import Administration
from apps.rentables.models import AdministrationAmenity, Amenity, Category, Rentable


def category_list(*, administration: Administration, include_archived: bool = True) -> QuerySet:
    queryset = Category.objects.filter(administration=administration).prefetch_related(
        "optional_amenities"
    )
    return queryset if include_archived else queryset.filter(archived=False)


def rentable_list(*, administration: Administration) -> QuerySet:
    return (
        Rentable.objects.filter(administration=administration)
        .select_related("category")
        .annotate(
            effective_max_people=Coalesce("max_number_of_people", "category__max_number_of_people")
        )
    )


def amenity_list() -> QuerySet:
    return Amenity.objects.prefetch_related("options")


def administration_amenity_list(*, administration: Administration) -> QuerySet:
    return AdministrationAmenity.objects.filter(administration=administration)
