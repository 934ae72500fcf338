from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "apps.customers"
    label = "customers"

    def ready(self) -> None:
        from apps.core.deletion import deletion_register
        from apps.customers.models import Customer, Label

        # Deletes, cascades included, leave tombstones (apps.core.deletion).
        deletion_register(Customer, resource_type="customer")
        deletion_register(Label, resource_type="label")
        from apps.core.resources import resource_serializer_register
        from apps.customers.serializers import CustomerSerializer, LabelSerializer

        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(CustomerSerializer)
        resource_serializer_register(LabelSerializer)
