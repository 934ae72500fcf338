"""The "Park staff" group: what a park's staff may do in the back-office.

Which rows they see stays per administration (their memberships, see ``TenantAdmin``); the
group only says which models they may view and change. Superusers need no group.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

PARK_STAFF_GROUP = "Park staff"

ALL = ("view", "add", "change", "delete")
PARK_STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "administrations.administration": ("view", "change"),
    "administrations.membership": ("view",),
    "administrations.sequence": ("view",),
    "rentables.amenity": ("view",),
    "rentables.administrationamenity": ALL,
    "rentables.category": ALL,
    "rentables.rentable": ALL,
    "agenda_periods.agendaperiod": ALL,
    "customers.customer": ALL,
    "customers.label": ALL,
    "bookings.booking": ALL,
    "bookings.reservation": ALL,
    "agreements.owner": ALL,
    "agreements.agreement": ALL,
    "calendars.externalcalendar": ALL,
    "webhooks.webhookendpoint": ALL,
    "webhooks.event": ("view",),
    "webhooks.webhookdelivery": ("view",),
    "core.tombstone": ("view",),
    "oauth.apikey": ("view",),
}


def park_staff_group_sync(*, using: str = "default") -> Group:
    """Creates the group if needed and sets exactly its permissions (idempotent)."""
    group, _ = Group.objects.using(using).get_or_create(name=PARK_STAFF_GROUP)
    wanted = Q(pk__in=[])
    for label, actions in PARK_STAFF_PERMISSIONS.items():
        app_label, model = label.split(".")
        wanted |= Q(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    group.permissions.set(Permission.objects.using(using).filter(wanted))
    return group


def on_post_migrate(sender, using="default", apps=None, **kwargs) -> None:
    """After ``migrate`` (and a test database flush): permissions exist, then the group."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    park_staff_group_sync(using=using)
