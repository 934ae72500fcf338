from django.core.management.base import BaseCommand, CommandError

from apps.administrations.models import Administration
from apps.core.scopes import parse_scopes
from apps.oauth.models import Application
from apps.oauth.services import api_key_create


class Command(BaseCommand):
    help = (
        "Issues an API key for an administration. Prints the raw key alone on the last line; "
        "it is stored hashed and cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--administration", required=True, type=int)
        parser.add_argument(
            "--scopes", required=True, help='Space-separated, e.g. "administration|read", or "all".'
        )
        parser.add_argument(
            "--app", help="client_id of the app the key acts for (default: built-in)"
        )
        parser.add_argument("--name", default="")

    def handle(self, *args, administration, scopes, app, name, **options):
        admin = Administration.objects.filter(pk=administration).first()
        if admin is None:
            raise CommandError(f"No administration with id {administration}.")
        try:
            scope_list = parse_scopes(scopes)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not scope_list:
            raise CommandError("Give at least one scope.")
        application = None
        if app:
            application = Application.objects.filter(client_id=app).first()
            if application is None:
                raise CommandError(f"No app with client_id {app}.")
        _, raw = api_key_create(
            administration=admin, scopes=scope_list, application=application, name=name
        )
        self.stdout.write(raw)
