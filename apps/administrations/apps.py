from django.apps import AppConfig


class AdministrationsConfig(AppConfig):
    name = "apps.administrations"
    label = "administrations"
