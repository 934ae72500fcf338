from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "apps.calendars"
    label = "calendars"
    verbose_name = "iCal sync"
