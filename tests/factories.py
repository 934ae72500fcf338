"""Factories shared by every domain's tests."""

from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import AccessToken

from apps.administrations.models import Administration, Membership
from apps.core.scopes import parse_scopes
from apps.oauth.models import Application, Subscription, TokenGrant


class AdministrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Administration

    name = factory.Sequence(lambda n: f"Park {n}")
    phone = "+31 20 555 0100"
    website = factory.LazyAttribute(
        lambda o: f"https://{o.name.lower().replace(' ', '-')}.example.com"
    )
    description = factory.LazyAttribute(
        lambda o: {"en": f"{o.name} in the dunes", "nl": f"{o.name} in de duinen"}
    )
    surroundings_description = factory.LazyFunction(lambda: {"en": "Beach at 500 m"})
    available_locales = factory.LazyFunction(lambda: ["en", "nl"])
    timezone = "Europe/Amsterdam"
    currency = "EUR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    administration = factory.SubFactory(AdministrationFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    name = factory.Sequence(lambda n: f"Channel manager {n}")
    client_type = Application.CLIENT_CONFIDENTIAL
    authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    redirect_uris = "https://app.example.com/callback"
    allowed_scopes = factory.LazyFunction(lambda: parse_scopes("all"))


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    administration = factory.SubFactory(AdministrationFactory)
    application = factory.SubFactory(ApplicationFactory)
    scopes = factory.LazyFunction(lambda: parse_scopes("all"))


def access_token(
    *, application, user=None, scopes="all", expires_in=3600, administrations=()
) -> AccessToken:
    """A token as django-oauth-toolkit issues it (the flows themselves are tested elsewhere).
    A user's token reaches only ``administrations``, as if ticked on the consent page."""
    token = AccessToken.objects.create(
        application=application,
        user=user,
        token=secrets.token_urlsafe(30),
        scope=" ".join(parse_scopes(scopes)),
        expires=timezone.now() + timedelta(seconds=expires_in),
    )
    for administration in administrations:
        TokenGrant.objects.create(access_token=token, administration=administration)
    return token


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Customer"

    administration = factory.SubFactory(AdministrationFactory)
    first_name = factory.Sequence(lambda n: f"Guest{n}")
    last_name = "Jansen"
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.com")
    debtor_code = factory.Sequence(lambda n: f"T{n:06d}")
