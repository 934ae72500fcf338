from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "apps.calendars"
    label = "calendars"
    verbose_name = "iCal sync"

    def ready(self):
        from apps.calendars.metrics import external_calendars_by_state
        from apps.core.observability import register_scrape_collector

        register_scrape_collector(external_calendars_by_state)
