from __future__ import annotations

from django.db.models import QuerySet

from apps.administrations.models import Administration
from apps.core.credentials import Credential


def administration_list(*, credential: Credential, scope: str = "administration|read") -> QuerySet:
    """The administrations where the credential holds ``scope``."""
    return Administration.objects.filter(pk__in=credential.administrations_with(scope))
