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
        _register_operations()


def _register_operations() -> None:
    """Rates through POST …/operations (apps.core.operations), with bulk adds: a channel
    manager's year of prices in one request."""
    from apps.core.operations import OperationHandler, operation_handler_register
    from apps.rates import selectors, services
    from apps.rates.serializers import RateSerializer

    operation_handler_register(
        OperationHandler(
            serializer_class=RateSerializer,
            queryset=lambda administration: selectors.rate_list(administration=administration),
            create=lambda *, administration, data: services.rate_create(
                administration=administration, **data
            ),
            update=lambda *, instance, data: services.rate_update(rate=instance, **data),
            delete=lambda *, instance: services.rate_delete(rate=instance),
            bulk_create=lambda *, administration, items: services.rate_bulk_create(
                administration=administration, items=items
            ),
        )
    )
