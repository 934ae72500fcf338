from apps.agreements.models import OWNER_FLAGS, Agreement, Owner
from apps.core.filters import FilterSet, RelationshipFilter, UnmodelledRelationshipFilter


class AgreementFilter(FilterSet):
    """resources.md §4: no filter on name, frequency or settlement_method."""

    rentable_identity = RelationshipFilter("rentable")
    commission_agreement = UnmodelledRelationshipFilter()

    class Meta:
        model = Agreement
        fields = ("active_from", "active_till", *OWNER_FLAGS, "created_at", "updated_at", "owner")


class OwnerFilter(FilterSet):
    class Meta:
        model = Owner
        fields = (
            "name", "email", "phone", "locale", "city", "country_code", "created_at",
            "updated_at", "agreements",
        )  # fmt: skip
