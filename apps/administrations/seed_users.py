"""The demo sign-in for the back-office and the OAuth consent page (local use only)."""

from django.contrib.auth import get_user_model

from apps.administrations.models import Administration
from apps.administrations.services import membership_add
from apps.administrations.staff import park_staff_group_sync

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-park-2026"


def seed_demo_user(administration: Administration):
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"is_staff": True, "email": "demo@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    membership_add(user=user, administration=administration)
    user.groups.add(park_staff_group_sync())  # model permissions; rows stay per administration
    return user
