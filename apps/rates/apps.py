from django.apps import AppConfig


class RatesConfig(AppConfig):
    name = "apps.rates"
    label = "rates"
    verbose_name = "Rates"

    def ready(self) -> None:
        from apps.core.deletion import deletion_register
        from apps.core.resources import resource_serializer_register
        from apps.rates.models import Rate
        from apps.rates.serializers import RateSerializer

        # Deletes leave tombstones (apps.core.deletion); webhook payloads use the serializer.
        deletion_register(Rate, resource_type="rate")
        resource_serializer_register(RateSerializer)
