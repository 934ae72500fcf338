from django.apps import AppConfig


class AgendaPeriodsConfig(AppConfig):
    name = "apps.agenda_periods"
    label = "agenda_periods"
    verbose_name = "Calendar"

    def ready(self) -> None:
        from apps.agenda_periods.models import AgendaPeriod
        from apps.agenda_periods.services import announce_deleted
        from apps.core.deletion import deletion_register

        # However a period goes (its own delete or a cascade), a tombstone and an event.
        deletion_register(
            AgendaPeriod, resource_type="agenda_period", before_delete=announce_deleted
        )
        from apps.agenda_periods.serializers import AgendaPeriodSerializer
        from apps.core.resources import resource_serializer_register

        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(AgendaPeriodSerializer)
        from apps.agenda_periods import operations

        # Maintenance and external-blocked periods through POST …/operations.
        operations.register()
