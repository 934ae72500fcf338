from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.administrations.models import Administration
from apps.core.scopes import parse_scopes
from apps.oauth.services import application_register, subscription_grant


class Command(BaseCommand):
    help = (
        "Registers a third-party app (an OAuth2 client) and optionally subscribes "
        "administrations to it. Prints 'client_id client_secret' alone on the last line "
        "(client_secret is '-' for a public app)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--redirect-uri", required=True, dest="redirect_uri")
        parser.add_argument(
            "--public", action="store_true", help="a public client (PKCE, no secret)"
        )
        parser.add_argument(
            "--scopes",
            default="all",
            help='Scopes the app may ask for, e.g. "booking|read", or "all".',
        )
        parser.add_argument(
            "--subscribe", nargs="*", type=int, default=[], metavar="ADMINISTRATION_ID"
        )

    def handle(self, *args, name, redirect_uri, public, scopes, subscribe, **options):
        try:
            scope_list = parse_scopes(scopes)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        administrations = list(Administration.objects.filter(pk__in=subscribe))
        missing = set(subscribe) - {a.pk for a in administrations}
        if missing:
            raise CommandError(f"No administration with id {', '.join(map(str, sorted(missing)))}.")
        try:
            application, secret = application_register(
                name=name, redirect_uris=redirect_uri, public=public, scopes=scope_list
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for administration in administrations:
            subscription_grant(
                administration=administration, application=application, scopes=scope_list
            )
            self.stdout.write(
                f"Subscribed administration {administration.pk} ({administration.name})."
            )
        self.stdout.write(f"{application.client_id} {secret or '-'}")
