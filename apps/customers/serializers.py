from rest_framework import serializers

from apps.core.serializers import ResourceSerializer, SelfLinkField, TenantRelatedField
from apps.customers.models import Customer, Label
from apps.customers.validators import validate_country_code


class LabelSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:label-detail")
    color = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$",
        required=False,
        error_messages={"invalid": "Expected a hex colour like #e91e63."},
    )

    class Meta:
        model = Label
        resource_name = "label"
        fields = ("_self", "name", "color", "created_at", "updated_at")
        read_only_fields = ("created_at", "updated_at")


class CustomInvoiceDetailsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postalcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country_code = serializers.CharField(
        max_length=2, required=False, allow_blank=True, validators=[validate_country_code]
    )
    email = serializers.EmailField(required=False, allow_blank=True)


WRITE_ONLY = ("iban", "bic", "has_custom_invoice_details", "custom_invoice_details")


class CustomerSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:customer-detail")
    custom_invoice_details = CustomInvoiceDetailsSerializer(required=False, write_only=True)
    labels = TenantRelatedField(queryset=Label.objects.all(), many=True, required=False)
    render_loads = ("labels",)

    included_serializers = {"labels": "apps.customers.serializers.LabelSerializer"}

    class Meta:
        model = Customer
        resource_name = "customer"
        fields = (
            "_self", "title", "first_name", "last_name", "phone", "email", "is_company", "company",
            "vat_nr", "date_of_birth", "receive_newsletter", "address", "number", "postalcode",
            "city", "country_code", "locale", *WRITE_ONLY, "debtor_code", "created_at",
            "updated_at", "labels",
        )  # fmt: skip
        read_only_fields = ("debtor_code", "created_at", "updated_at")
        extra_kwargs = {name: {"write_only": True} for name in WRITE_ONLY}

    def validate(self, attrs):
        if attrs.get("is_company") and not attrs.get(
            "company", getattr(self.instance, "company", "")
        ):
            raise serializers.ValidationError(
                {"company": "A company customer needs a company name."}
            )
        return attrs
