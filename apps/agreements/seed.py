"""Owners and their agreements for part of the demo rentables (``seed_demo``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.administrations.models import Administration
from apps.agreements.models import Agreement, Owner
from apps.agreements.services import agreement_save

OWNERS = [
    ("Familie Visser", "visser@example.nl", "nl", True, True),
    ("Hans Weber", "h.weber@example.de", "de", False, True),
    ("Marie Laurent", "marie.laurent@example.fr", "fr", True, False),
]


def seed_owners(administration: Administration) -> None:
    """Idempotent: owners by e-mail, one agreement per rentable."""
    rentables = list(administration.rentables.order_by("pk"))[-6:]
    start = timezone.localdate().replace(month=1, day=1)
    for index, (name, email, locale, reservable, edit_agenda) in enumerate(OWNERS):
        owner, _ = Owner.objects.get_or_create(
            administration=administration, email=email, defaults={"name": name, "locale": locale}
        )
        for rentable in rentables[index * 2 : index * 2 + 2]:
            if Agreement.objects.filter(rentable=rentable).exists():
                continue
            agreement_save(
                agreement=Agreement(
                    administration=administration,
                    owner=owner,
                    rentable=rentable,
                    name=f"Rental agreement {rentable.name}",
                    active_from=start,
                    active_till=start + dt.timedelta(days=3 * 365 - 1),
                    frequency="quarterly",
                    owner_reservable=reservable,
                    owner_can_edit_agenda_periods=edit_agenda,
                    owner_should_check_reservations=index == 0,
                )
            )
