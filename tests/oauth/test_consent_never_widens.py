"""A user's token reaches the administrations ticked on a consent page, and never more.

Real flows over a live server: a browser session signs in and consents, a requests-oauthlib
client exchanges the code. The pages DOT may skip (``approval_prompt=auto``, apps marked
``skip_authorization``) reuse exactly the previous consent's set or show the page.
"""

import re

import pytest
import requests
from oauth2_provider.models import AccessToken
from requests_oauthlib import OAuth2Session

from apps.oauth.models import Application, ConsentedGrant, TokenGrant
from tests.factories import AdministrationFactory, UserFactory
from tests.oauth.test_flows import (
    REDIRECT,
    api,
    consent,
    park,  # noqa: F401 - the fixture
    register,
    signed_in_browser,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCOPES = ["administration|read", "booking|read"]


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def session(application, scope=None):
    return OAuth2Session(
        application.client_id, redirect_uri=REDIRECT, scope=scope or SCOPES, pkce="S256"
    )


def exchange(live_server, oauth, application, secret, location):
    return oauth.fetch_token(
        f"{live_server.url}/oauth/token",
        authorization_response=location,
        client_secret=secret,
        include_client_id=True,
    )


def consented_token(live_server, browser, application, secret, administrations):
    oauth = session(application)
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    _, response = consent(browser, live_server, url, administrations)
    assert response.status_code == 302, response.text
    return oauth, exchange(live_server, oauth, application, secret, response.headers["Location"])


def reachable(live_server, token) -> list[str]:
    listing = api(live_server, token["access_token"], "/v3/administrations")
    assert listing.status_code == 200, listing.text
    return sorted(row["id"] for row in listing.json()["data"])


def bookings_status(live_server, token, administration) -> int:
    return api(
        live_server, token["access_token"], f"/v3/administrations/{administration.pk}/bookings"
    ).status_code


def test_an_auto_approved_repeat_gets_exactly_the_previous_consent(live_server, park):  # noqa: F811
    application, secret = register()
    browser = signed_in_browser(live_server)
    consented_token(live_server, browser, application, secret, [park["mine"]])

    oauth = session(application)
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize", approval_prompt="auto")
    skipped = browser.get(url, allow_redirects=False)

    assert skipped.status_code == 302  # no page: DOT found the earlier token
    assert "code=" in skipped.headers["Location"]
    token = exchange(live_server, oauth, application, secret, skipped.headers["Location"])
    assert reachable(live_server, token) == [str(park["mine"].pk)]
    assert bookings_status(live_server, token, park["mine"]) == 200
    assert bookings_status(live_server, token, park["also_mine"]) == 404


def test_auto_approval_without_a_live_consented_token_shows_the_page(live_server, park):  # noqa: F811
    application, secret = register()
    browser = signed_in_browser(live_server)
    _, first = consented_token(live_server, browser, application, secret, [park["mine"]])
    requests.post(
        f"{live_server.url}/oauth/revoke",
        data={
            "token": first["access_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    ).raise_for_status()

    url, _ = session(application).authorization_url(
        f"{live_server.url}/oauth/authorize", approval_prompt="auto"
    )
    page = browser.get(url, allow_redirects=False)

    assert page.status_code == 200
    assert 'name="administrations"' in page.text


def test_a_skip_authorization_app_must_first_be_given_a_set(live_server, park):  # noqa: F811
    application, secret = register()
    application.skip_authorization = True
    application.save()
    browser = signed_in_browser(live_server)
    url, _ = session(application).authorization_url(f"{live_server.url}/oauth/authorize")

    first = browser.get(url, allow_redirects=False)

    assert first.status_code == 200  # the choice of administrations, not a code
    assert park["mine"].name in first.text and park["also_mine"].name in first.text
    assert ConsentedGrant.objects.count() == 0

    consented_token(live_server, browser, application, secret, [park["also_mine"]])
    oauth = session(application)
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    again = browser.get(url, allow_redirects=False)

    assert again.status_code == 302
    token = exchange(live_server, oauth, application, secret, again.headers["Location"])
    assert reachable(live_server, token) == [str(park["also_mine"].pk)]
    assert bookings_status(live_server, token, park["mine"]) == 404


def test_a_refreshed_token_keeps_exactly_the_set(live_server, park):  # noqa: F811
    application, secret = register()
    oauth, token = consented_token(
        live_server, signed_in_browser(live_server), application, secret, [park["mine"]]
    )

    for _ in range(2):
        token = oauth.refresh_token(
            f"{live_server.url}/oauth/token",
            client_id=application.client_id,
            client_secret=secret,
        )
        assert reachable(live_server, token) == [str(park["mine"].pk)]
        assert bookings_status(live_server, token, park["also_mine"]) == 404


def test_a_refresh_token_whose_token_names_no_administrations_is_refused(live_server, park):  # noqa: F811
    application, secret = register()
    _, token = consented_token(
        live_server, signed_in_browser(live_server), application, secret, [park["mine"]]
    )
    TokenGrant.objects.all().delete()

    answer = requests.post(
        f"{live_server.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_code_without_a_recorded_consent_buys_no_token(live_server, park):  # noqa: F811
    application, secret = register()
    oauth = session(application)
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    _, response = consent(signed_in_browser(live_server), live_server, url, [park["mine"]])
    ConsentedGrant.objects.all().delete()

    with pytest.raises(Exception, match="invalid_grant"):
        exchange(live_server, oauth, application, secret, response.headers["Location"])


def test_a_superuser_gets_what_they_ticked_not_everything(live_server):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    ticked, untouched = AdministrationFactory(), AdministrationFactory()
    application, secret = register()
    browser = signed_in_browser(live_server, username="root")

    _, token = consented_token(live_server, browser, application, secret, [ticked])
    oauth = session(application)
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize", approval_prompt="auto")
    skipped = browser.get(url, allow_redirects=False)
    repeat = exchange(live_server, oauth, application, secret, skipped.headers["Location"])

    for each in (token, repeat):
        assert reachable(live_server, each) == [str(ticked.pk)]
        assert bookings_status(live_server, each, untouched) == 404


def test_the_consent_page_offers_only_managed_administrations(live_server, park):  # noqa: F811
    application, _ = register()
    oauth = session(application)
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")

    _, response = consent(signed_in_browser(live_server), live_server, url, [park["theirs"]])

    assert response.status_code == 200  # the form refuses a choice it did not offer
    assert re.search(r"Select a valid choice", response.text)
    assert ConsentedGrant.objects.count() == 0


def test_the_password_grant_mints_no_user_token(live_server, park):  # noqa: F811
    application = Application.objects.create(
        name="Legacy",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_PASSWORD,
        client_secret="legacy-secret",
        redirect_uris=REDIRECT,
        allowed_scopes=["booking|read"],
    )

    answer = requests.post(
        f"{live_server.url}/oauth/token",
        data={
            "grant_type": "password",
            "username": "manager",
            "password": "correct horse battery",
            "scope": "booking|read",
        },
        auth=(application.client_id, "legacy-secret"),
    )

    assert answer.status_code == 400, answer.text
    assert "access_token" not in answer.json()
    assert not AccessToken.objects.exists()


def test_the_implicit_grant_mints_no_user_token(live_server, park):  # noqa: F811
    application = Application.objects.create(
        name="Single page",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_IMPLICIT,
        redirect_uris=REDIRECT,
        allowed_scopes=["booking|read"],
    )
    browser = signed_in_browser(live_server)
    url = (
        f"{live_server.url}/oauth/authorize?response_type=token&client_id={application.client_id}"
        f"&redirect_uri={REDIRECT}&scope=booking%7Cread"
    )

    page = browser.get(url, allow_redirects=False)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    answer = browser.post(
        f"{live_server.url}/oauth/authorize",
        data={**fields, "administrations": [str(park["mine"].pk)], "allow": "Authorize"},
        headers={"Referer": url},
        allow_redirects=False,
    )

    assert "access_token=" not in answer.headers.get("Location", "")
    assert not AccessToken.objects.exists()
