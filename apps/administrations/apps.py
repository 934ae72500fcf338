from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AdministrationsConfig(AppConfig):
    name = "apps.administrations"
    label = "administrations"

    def ready(self):
        from apps.administrations.staff import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="park-staff-group")
