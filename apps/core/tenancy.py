"""The tenant (an administration) and who belongs to it, named by setting like
``AUTH_USER_MODEL``, so core code can use them without importing the app that defines them."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings


def tenant_model():
    """``settings.CORE_TENANT_MODEL`` ("app_label.Model"): the administration."""
    return apps.get_model(settings.CORE_TENANT_MODEL)


def membership_model():
    """``settings.CORE_MEMBERSHIP_MODEL``: a staff user's membership of a tenant (``user``,
    ``administration``)."""
    return apps.get_model(settings.CORE_MEMBERSHIP_MODEL)
