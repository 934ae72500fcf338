from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "apps.calendars"
    label = "calendars"
    verbose_name = "iCal sync"

    def ready(self):
        from apps.calendars.metrics import external_calendars_by_state
        from apps.calendars.models import ExternalCalendar
        from apps.core.deletion import deletion_register
        from apps.core.observability import register_scrape_collector

        register_scrape_collector(external_calendars_by_state)
        # Deletes, cascades included, leave tombstones (apps.core.deletion).
        deletion_register(ExternalCalendar, resource_type="external_calendar")
        from apps.calendars.serializers import ExternalCalendarSerializer
        from apps.core.resources import resource_serializer_register

        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(ExternalCalendarSerializer)
