from django.core.management.base import BaseCommand
from django.db import transaction

from apps.administrations.seed import seed_administration
from apps.administrations.seed_users import DEMO_PASSWORD, DEMO_USERNAME, seed_demo_user
from apps.agenda_periods.seed import seed_calendar
from apps.agreements.seed import seed_owners
from apps.bookings.seed import seed_bookings
from apps.oauth.seed import seed_demo_api_key, seed_demo_apps
from apps.rates.seed import seed_rates
from apps.rentables.seed import seed_catalogue
from apps.stays.seed import seed_stay_rules


class Command(BaseCommand):
    help = (
        "Fills a demo administration with realistic data. Idempotent: running it again updates "
        "the same rows. Prints the administration id and a demo API key with every scope; the "
        "key alone is on the last line."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        administration = seed_administration()
        seed_catalogue(administration)
        seed_calendar(administration)
        seed_bookings(administration)
        seed_owners(administration)
        seed_stay_rules(administration)
        seed_rates(administration)
        seed_demo_user(administration)
        apps = seed_demo_apps(administration)
        key = seed_demo_api_key(administration)
        self.stdout.write(f"Demo administration: {administration.name} (id {administration.pk})")
        self.stdout.write(f"administration_id={administration.pk}")
        self.stdout.write(
            f"Demo sign-in (back-office and OAuth consent, local use only): "
            f"{DEMO_USERNAME} / {DEMO_PASSWORD}"
        )
        for name, client_id, secret in apps:
            kind = f"client_secret={secret}" if secret else "public client, use PKCE"
            self.stdout.write(f"{name}: client_id={client_id} {kind}")
        self.stdout.write("Demo API key (all scopes), send it as X-API-KEY:")
        self.stdout.write(key)
