from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        from apps.core import server_errors

        server_errors.install()

        from apps.core.observability import connect_celery_signals

        connect_celery_signals()
