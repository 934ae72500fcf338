from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.administrations.services import administration_create


class Command(BaseCommand):
    help = "Creates an administration (a park). Prints its id alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default="Europe/Amsterdam")
        parser.add_argument("--currency", default="EUR")

    def handle(self, *args, name, timezone, currency, **options):
        try:
            administration = administration_create(name=name, timezone=timezone, currency=currency)
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        self.stdout.write(str(administration.pk))
