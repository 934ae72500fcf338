from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AdministrationsConfig(AppConfig):
    name = "apps.administrations"
    label = "administrations"

    def ready(self):
        from apps.administrations.serializers import AdministrationSerializer
        from apps.administrations.staff import on_post_migrate
        from apps.core.resources import resource_serializer_register

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="park-staff-group")
        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(AdministrationSerializer)
