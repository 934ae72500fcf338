from apps.agreements.models import OWNER_FLAGS, Agreement, Owner
from apps.core.filters import FilterSet, unmodelled_relationship


class AgreementFilter(FilterSet):
    """resources.md §4: no filter on name, frequency or settlement_method."""

    model = Agreement
    attributes = ("active_from", "active_till", *OWNER_FLAGS, "created_at", "updated_at")
    relationships = {"owner": "owner_id", "rentable_identity": "rentable_id"}
    computed = {"commission_agreement": unmodelled_relationship()}


class OwnerFilter(FilterSet):
    model = Owner
    attributes = (
        "name", "email", "phone", "locale", "city", "country_code", "created_at", "updated_at",
    )  # fmt: skip
    relationships = {"agreements": "agreements__id"}
