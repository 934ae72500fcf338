from apps.agreements.models import OWNER_FLAGS, Agreement, Owner
from apps.core.serializers import (
    Relationship,
    ResourceSerializer,
    SelfLinkField,
    UnmodelledRelationship,
)


class OwnerSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:owner-detail")
    agreements = Relationship(read_only=True, many=True)
    render_loads = ("agreements",)

    included_serializers = {"agreements": "apps.agreements.serializers.AgreementSerializer"}

    class Meta:
        model = Owner
        resource_name = "owner"
        fields = (
            "_self", "name", "email", "phone", "locale", "iban", "address", "number", "postalcode",
            "city", "country_code", "created_at", "updated_at", "agreements",
        )  # fmt: skip
        read_only_fields = ("created_at", "updated_at")
        extra_kwargs = {"iban": {"write_only": True}}


class AgreementSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:agreement-detail")
    owner = Relationship(read_only=True)
    rentable_identity = Relationship(source="rentable", read_only=True)
    commission_agreement = UnmodelledRelationship("commission_agreement")

    included_serializers = {
        "owner": "apps.agreements.serializers.OwnerSerializer",
        "rentable_identity": "apps.rentables.serializers.RentableSerializer",
    }

    class Meta:
        model = Agreement
        resource_name = "agreement"
        fields = (
            "_self", "name", "active_from", "active_till", "frequency", "settlement_method",
            *OWNER_FLAGS, "created_at", "updated_at", "owner", "rentable_identity",
            "commission_agreement",
        )  # fmt: skip
        read_only_fields = fields
