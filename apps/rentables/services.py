"""Writes of the catalogue. Every write the API or the back-office makes goes through here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.administrations.models import Administration
from apps.core.deletion import instance_delete
from apps.core.exceptions import StillInUse
from apps.core.services import model_update
from apps.rentables.models import AdministrationAmenity, Amenity, Category, Rentable


@transaction.atomic
def category_create(*, administration: Administration, **attributes) -> Category:
    """Creates a category in the administration. No side effects beyond the row."""
    return Category.objects.create(administration=administration, **attributes)


@transaction.atomic
def category_update(*, category: Category, **attributes) -> Category:
    model_update(category, attributes, attributes)
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Refuses (409) while rentables belong to the category: they would lose their type."""
    count = Rentable.objects.filter(category=category).count()
    if count:
        raise StillInUse(
            f"Category {category.pk} still has {count} rentable(s); move or delete them first."
        )
    instance_delete(instance=category)


@transaction.atomic
def rentable_create(
    *, administration: Administration, category: Category, **attributes
) -> Rentable:
    category_check(administration, category)
    return Rentable.objects.create(administration=administration, category=category, **attributes)


@transaction.atomic
def rentable_update(*, rentable: Rentable, **attributes) -> Rentable:
    if "category" in attributes:
        category_check(rentable.administration, attributes["category"])
    model_update(rentable, attributes, attributes)
    return rentable


@transaction.atomic
def rentable_delete(*, rentable: Rentable) -> bool:
    """Deletes the rentable, or deactivates it when reservations in the past refer to it.

    Refuses (409) while it has reservations to come: guests are expected. Returns True when
    the row was deleted, False when it was deactivated instead.
    """
    from apps.agenda_periods.services import (
        rentable_has_future_reservations,
        rentable_has_reservations,
    )

    if rentable_has_future_reservations(rentable):
        raise StillInUse(
            f"Rentable {rentable.pk} has reservations to come; cancel or move them first."
        )
    if rentable_has_reservations(rentable):
        rentable.active = False
        rentable.save(update_fields=["active", "updated_at"])
        return False
    # Its periods and external calendars go with it, each with a tombstone (and the periods
    # with an event): see apps.core.deletion.
    instance_delete(instance=rentable)
    return True


def category_check(administration: Administration, category: Category) -> None:
    """Refuses a category of another administration (rentables, rates and stay rules)."""
    if category.administration_id != administration.pk:
        raise ValidationError({"category": "The category belongs to another administration."})


@transaction.atomic
def administration_amenity_set(
    *, administration: Administration, amenity: Amenity, value: int | None
) -> AdministrationAmenity:
    """Records that the park has the amenity, validating the value against its type."""
    item, _ = AdministrationAmenity.objects.get_or_create(
        administration=administration, amenity=amenity, defaults={"value": value}
    )
    item.value = value
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def rentable_rotate_ical_token(*, rentable: Rentable) -> Rentable:
    """Replaces the secret in the rentable's feed URL: links handed out before stop working."""
    from apps.rentables.models import new_export_token

    rentable.ical_export_token = new_export_token()
    rentable.save(update_fields=["ical_export_token", "updated_at"])
    return rentable
