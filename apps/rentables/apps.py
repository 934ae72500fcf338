from django.apps import AppConfig


class RentablesConfig(AppConfig):
    name = "apps.rentables"
    label = "rentables"
    verbose_name = "Catalogue"
