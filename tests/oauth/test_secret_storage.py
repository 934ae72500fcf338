"""What is kept of each OAuth secret: hashes and checksums, never the value handed out."""

import hashlib
import io

import pytest
import requests
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.management import CommandError, call_command
from oauth2_provider.models import AccessToken, RefreshToken

from apps.oauth.models import Application
from tests.oauth.test_flows import authorize, park, register  # noqa: F401 - park is a fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def client_credentials(live_server, application, secret):
    return requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "booking|read"},
        auth=(application.client_id, secret),
    )


def test_tokens_and_client_secrets_are_stored_hashed(live_server, park):  # noqa: F811
    application, secret = register()

    _, token, _ = authorize(live_server, application, secret, [park["mine"]])

    stored = Application.objects.get(pk=application.pk).client_secret
    assert secret not in stored
    assert identify_hasher(stored) is not None  # Django's password hashing (PBKDF2 outside tests)
    assert check_password(secret, stored)
    for model, raw in (
        (AccessToken, token["access_token"]),
        (RefreshToken, token["refresh_token"]),
    ):
        assert not model.objects.filter(token=raw).exists()
        checksum = hashlib.sha256(raw.encode()).hexdigest()
        assert model.objects.filter(token_checksum=checksum).exists()


def test_rotating_a_client_secret_shows_the_new_one_once_and_drops_the_old(live_server, park):  # noqa: F811
    application, old = register()
    out = io.StringIO()

    call_command("rotate_app_secret", application.client_id, stdout=out)
    new = out.getvalue().strip().splitlines()[-1]

    assert new != old
    assert new not in Application.objects.get(pk=application.pk).client_secret
    assert client_credentials(live_server, application, old).status_code == 401
    assert client_credentials(live_server, application, new).status_code == 200


def test_a_public_app_has_no_secret_to_rotate():
    application, _ = register(public=True)

    with pytest.raises(CommandError, match="public"):
        call_command("rotate_app_secret", application.client_id)
