from django.apps import AppConfig


class StaysConfig(AppConfig):
    name = "apps.stays"
    label = "stays"
    verbose_name = "Stay rules"

    def ready(self) -> None:
        from apps.core.deletion import deletion_register
        from apps.core.resources import resource_serializer_register
        from apps.stays.models import StayRule
        from apps.stays.serializers import StayRuleSerializer

        # Deletes leave tombstones (apps.core.deletion); webhook payloads use the serializer.
        deletion_register(StayRule, resource_type="stay_rule")
        resource_serializer_register(StayRuleSerializer)
        _register_operations()


def _register_operations() -> None:
    """Stay rules through POST …/operations (apps.core.operations), with bulk adds."""
    from apps.core.operations import OperationHandler, operation_handler_register
    from apps.stays import selectors, services
    from apps.stays.serializers import StayRuleSerializer

    operation_handler_register(
        OperationHandler(
            serializer_class=StayRuleSerializer,
            queryset=lambda administration: selectors.stay_rule_list(administration=administration),
            create=lambda *, administration, data: services.stay_rule_create(
                administration=administration, **data
            ),
            update=lambda *, instance, data: services.stay_rule_update(rule=instance, **data),
            delete=lambda *, instance: services.stay_rule_delete(rule=instance),
            bulk_create=lambda *, administration, items: services.stay_rule_bulk_create(
                administration=administration, items=items
            ),
        )
    )
