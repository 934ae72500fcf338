from django.apps import AppConfig


class RentablesConfig(AppConfig):
    name = "apps.rentables"
    label = "rentables"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from apps.core.deletion import deletion_register
        from apps.rentables.models import AdministrationAmenity, Category, Rentable

        # Deletes, cascades included, leave tombstones (apps.core.deletion).
        deletion_register(Category, resource_type="category")
        deletion_register(Rentable, resource_type="rentable")
        deletion_register(AdministrationAmenity, resource_type="administration_amenity")
        from apps.core.resources import resource_serializer_register
        from apps.rentables.serializers import (
            AdministrationAmenitySerializer,
            AmenitySerializer,
            CategorySerializer,
            RentableSerializer,
        )

        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(AmenitySerializer)
        resource_serializer_register(CategorySerializer)
        resource_serializer_register(RentableSerializer)
        resource_serializer_register(AdministrationAmenitySerializer)
