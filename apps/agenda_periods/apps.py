from django.apps import AppConfig


class AgendaPeriodsConfig(AppConfig):
    name = "apps.agenda_periods"
    label = "agenda_periods"
    verbose_name = "Calendar"
