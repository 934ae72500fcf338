from django.core.management.base import BaseCommand, CommandError

from apps.oauth.models import Application
from apps.oauth.services import application_secret_rotate


class Command(BaseCommand):
    help = (
        "Gives a confidential app a new client secret. Prints it alone on the last line; it is "
        "stored hashed and cannot be shown again. The old secret stops working at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("client_id")

    def handle(self, *args, client_id, **options):
        application = Application.objects.filter(client_id=client_id).first()
        if application is None:
            raise CommandError(f"No app with client_id {client_id}.")
        try:
            secret = application_secret_rotate(application=application)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(secret)
