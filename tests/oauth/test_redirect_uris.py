"""OAuth apps redirect over https only, except to a loopback host (RFC 8252 native apps)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from apps.oauth.models import Application
from apps.oauth.services import application_register
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCEPTED = [
    "https://app.example.com/callback",
    "http://127.0.0.1:8000/oauth/callback",
    "http://[::1]:9000/callback",
    "http://localhost/callback",
    "https://app.example.com/a https://app.example.com/b http://localhost:3000/cb",
]
REFUSED = [
    "http://app.example.com/callback",
    "http://localhost.example.com/callback",
    "http://127.0.0.2/callback",
    "http://10.0.0.5/callback",
    "https://app.example.com/ok http://app.example.com/not-ok",
]


@pytest.mark.parametrize("uris", ACCEPTED)
def test_https_and_loopback_are_accepted(uris):
    application, _ = application_register(name="App", redirect_uris=uris)

    assert Application.objects.get(pk=application.pk).redirect_uris == uris


@pytest.mark.parametrize("uris", REFUSED)
def test_plain_http_off_the_machine_is_refused(uris):
    with pytest.raises(ValidationError) as error:
        application_register(name="App", redirect_uris=uris)

    message = " ".join(error.value.message_dict["redirect_uris"])
    assert "must use https" in message
    assert uris.split()[-1] in message
    assert not Application.objects.exists()


def test_the_create_app_command_refuses_it_clearly():
    with pytest.raises(CommandError, match="must use https"):
        call_command("create_app", "--name", "App", "--redirect-uri", "http://app.example.com/cb")

    assert not Application.objects.exists()


def admin_form(redirect_uris: str) -> dict:
    return {
        "name": "From the back-office",
        "client_id": "back-office-client",
        "client_secret": "a-long-enough-secret-for-the-back-office-app",
        "client_type": "confidential",
        "authorization_grant_type": "authorization-code",
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": "",
        "allowed_origins": "",
        "allowed_scopes": '["booking|read"]',
        "algorithm": "",
        "hash_client_secret": "on",
        "registration_source": "manual",
    }


@pytest.fixture
def back_office(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_the_back_office_refuses_it_on_add(back_office):
    refused = back_office.post(
        "/admin/oauth/application/add/", admin_form("http://app.example.com/cb")
    )
    accepted = back_office.post(
        "/admin/oauth/application/add/", admin_form("https://app.example.com/cb")
    )

    assert refused.status_code == 200
    assert "must use https" in refused.content.decode()
    assert accepted.status_code == 302, accepted.content.decode()
    assert list(Application.objects.values_list("redirect_uris", flat=True)) == [
        "https://app.example.com/cb"
    ]


def test_the_back_office_refuses_it_on_change(back_office):
    application = ApplicationFactory()
    form = admin_form("http://app.example.com/cb")
    form["client_id"] = application.client_id

    answer = back_office.post(f"/admin/oauth/application/{application.pk}/change/", form)

    assert answer.status_code == 200
    assert "must use https" in answer.content.decode()
    application.refresh_from_db()
    assert application.redirect_uris == "https://app.example.com/callback"
