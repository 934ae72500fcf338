from rest_framework import serializers

from apps.administrations.models import Administration
from apps.core.serializers import LocaleListField, ResourceSerializer, SelfLinkField


class AdministrationSerializer(ResourceSerializer):
    _self = SelfLinkField("v3:administration-detail")
    available_locales = LocaleListField(read_only=True)
    utc_offset = serializers.CharField(read_only=True)

    class Meta:
        model = Administration
        resource_name = "administration"
        fields = (
            "_self",
            "name",
            "phone",
            "website",
            "description",
            "surroundings_description",
            "available_locales",
            "utc_offset",
            "timezone",
            "currency",
        )
        read_only_fields = fields
