from django.apps import AppConfig


class StaysConfig(AppConfig):
    name = "apps.stays"
    label = "stays"
    verbose_name = "Stay rules"
