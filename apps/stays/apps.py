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
