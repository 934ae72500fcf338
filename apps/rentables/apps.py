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
