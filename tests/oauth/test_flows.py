"""The OAuth2 flows, driven by a real OAuth client (requests-oauthlib) over a live server."""

import re

import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from apps.oauth.models import TokenGrant
from apps.oauth.services import application_halt, application_register, subscription_grant
from tests.factories import AdministrationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "https://app.example.com/callback"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch):
    # The live server speaks plain HTTP; production runs behind TLS.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def park():
    """A user who manages two parks, and a third park they do not manage."""
    user = UserFactory(username="manager")
    mine = MembershipFactory(user=user).administration
    also_mine = MembershipFactory(user=user).administration
    theirs = AdministrationFactory()
    return {"user": user, "mine": mine, "also_mine": also_mine, "theirs": theirs}


def register(public=False, scopes="administration|read booking|read reservation|read"):
    return application_register(
        name="Channel manager", redirect_uris=REDIRECT, public=public, scopes=scopes
    )


def signed_in_browser(live_server, username="manager") -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        f"{live_server.url}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{live_server.url}/accounts/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return browser


def consent(browser, live_server, url, administrations, allow=True):
    """Opens the consent page like a person would and submits it. Returns (page, response)."""
    page = browser.get(url)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields["administrations"] = [str(a.pk) for a in administrations]
    if allow:
        fields["allow"] = "Authorize"
    response = browser.post(
        f"{live_server.url}/oauth/authorize",
        data=fields,
        headers={"Referer": url},
        allow_redirects=False,
    )
    return page, response


def authorize(live_server, application, secret, administrations, scope=None, pkce="S256"):
    oauth = OAuth2Session(
        application.client_id,
        redirect_uri=REDIRECT,
        scope=scope or ["administration|read", "booking|read"],
        pkce=pkce,
    )
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    browser = signed_in_browser(live_server)
    page, response = consent(browser, live_server, url, administrations)
    assert response.status_code == 302, response.text
    token = oauth.fetch_token(
        f"{live_server.url}/oauth/token",
        authorization_response=response.headers["Location"],
        client_secret=secret,
        include_client_id=True,
    )
    return oauth, token, page


def api(live_server, token, path):
    return requests.get(
        f"{live_server.url}{path}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.api+json"},
    )


def test_code_with_pkce_and_consent_for_a_confidential_app(live_server, park):
    application, secret = register()

    _, token, page = authorize(live_server, application, secret, [park["mine"]])

    assert "Read administrations (parks)" in page.text and "Read bookings" in page.text
    assert park["mine"].name in page.text and park["also_mine"].name in page.text
    assert park["theirs"].name not in page.text
    listing = api(live_server, token["access_token"], "/v3/administrations")
    assert [a["id"] for a in listing.json()["data"]] == [str(park["mine"].pk)]
    # granted only one of the user's two parks: the other is as unknown as a stranger's
    other = api(
        live_server, token["access_token"], f"/v3/administrations/{park['also_mine'].pk}/bookings"
    )
    assert other.status_code == 404
    assert other.json()["errors"][0]["code"] == "RESOURCE_NOT_FOUND"


def test_public_app_must_use_pkce(live_server, park):
    application, _ = register(public=True)

    _, token, _ = authorize(live_server, application, None, [park["mine"]])
    without = OAuth2Session(application.client_id, redirect_uri=REDIRECT, scope=["booking|read"])
    url, _ = without.authorization_url(f"{live_server.url}/oauth/authorize")
    page = signed_in_browser(live_server).get(url, allow_redirects=False)

    assert api(live_server, token["access_token"], "/v3/administrations").status_code == 200
    assert page.status_code == 302
    assert "error=invalid_request" in page.headers["Location"]
    assert "Code+challenge+required" in page.headers["Location"]


def test_plain_pkce_is_refused(live_server, park):
    application, _ = register(public=True)
    url = (
        f"{live_server.url}/oauth/authorize?response_type=code&client_id={application.client_id}"
        f"&redirect_uri={REDIRECT}&scope=booking%7Cread&code_challenge=abc&code_challenge_method=plain"
    )

    page = signed_in_browser(live_server).get(url)

    assert page.status_code == 400
    assert "S256" in page.text


def test_a_wrong_verifier_is_invalid_grant(live_server, park):
    application, secret = register()
    oauth = OAuth2Session(
        application.client_id, redirect_uri=REDIRECT, scope=["booking|read"], pkce="S256"
    )
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    _, response = consent(signed_in_browser(live_server), live_server, url, [park["mine"]])
    code = re.search(r"code=([^&]+)", response.headers["Location"]).group(1)

    answer = requests.post(
        f"{live_server.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": application.client_id,
            "client_secret": secret,
            "code_verifier": "x" * 64,
        },
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_consent_without_an_administration_is_refused(live_server, park):
    application, _ = register()
    oauth = OAuth2Session(
        application.client_id, redirect_uri=REDIRECT, scope=["booking|read"], pkce="S256"
    )
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")

    _, response = consent(signed_in_browser(live_server), live_server, url, [])

    assert response.status_code == 200
    assert "Choose at least one administration" in response.text


def test_denying_consent_returns_access_denied(live_server, park):
    application, _ = register()
    oauth = OAuth2Session(
        application.client_id, redirect_uri=REDIRECT, scope=["booking|read"], pkce="S256"
    )
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")

    _, response = consent(
        signed_in_browser(live_server), live_server, url, [park["mine"]], allow=False
    )

    assert response.status_code == 302
    assert "error=access_denied" in response.headers["Location"]


def test_refresh_rotates_and_keeps_the_administrations(live_server, park):
    application, secret = register()
    oauth, token, _ = authorize(live_server, application, secret, [park["mine"]])

    refreshed = oauth.refresh_token(
        f"{live_server.url}/oauth/token", client_id=application.client_id, client_secret=secret
    )
    reused = requests.post(
        f"{live_server.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )

    assert refreshed["refresh_token"] != token["refresh_token"]
    assert reused.status_code == 400  # the old refresh token is spent
    listing = api(live_server, refreshed["access_token"], "/v3/administrations")
    assert [a["id"] for a in listing.json()["data"]] == [str(park["mine"].pk)]
    assert api(live_server, token["access_token"], "/v3/administrations").status_code == 401
    assert TokenGrant.objects.filter(access_token__token_checksum__isnull=False).count() == 1


def test_client_credentials_reach_the_subscribed_administrations(live_server, park):
    application, secret = register()
    subscription_grant(
        administration=park["theirs"], application=application, scopes=["administration|read"]
    )
    oauth = OAuth2Session(client=BackendApplicationClient(client_id=application.client_id))

    token = oauth.fetch_token(
        f"{live_server.url}/oauth/token",
        client_id=application.client_id,
        client_secret=secret,
        scope=["administration|read"],
    )

    listing = api(live_server, token["access_token"], "/v3/administrations")
    assert [a["id"] for a in listing.json()["data"]] == [str(park["theirs"].pk)]


def test_a_scope_escalation_is_refused(live_server, park):
    application, secret = register(scopes="booking|read")
    oauth = OAuth2Session(client=BackendApplicationClient(client_id=application.client_id))

    with pytest.raises(Exception) as error:
        oauth.fetch_token(
            f"{live_server.url}/oauth/token",
            client_id=application.client_id,
            client_secret=secret,
            scope=["booking|read", "reservation|write"],
        )
    assert "invalid_scope" in str(error.value)

    asked = OAuth2Session(
        application.client_id, redirect_uri=REDIRECT, scope=["reservation|write"], pkce="S256"
    )
    url, _ = asked.authorization_url(f"{live_server.url}/oauth/authorize")
    page = signed_in_browser(live_server).get(url, allow_redirects=False)
    assert "invalid_scope" in page.headers.get("Location", "") + page.text


def test_revocation_and_introspection(live_server, park):
    application, secret = register()
    _, token, _ = authorize(live_server, application, secret, [park["mine"]])
    other, other_secret = register()
    introspect = f"{live_server.url}/oauth/introspect"

    active = requests.post(
        introspect, data={"token": token["access_token"]}, auth=(application.client_id, secret)
    )
    foreign = requests.post(
        introspect, data={"token": token["access_token"]}, auth=(other.client_id, other_secret)
    )
    anonymous = requests.post(introspect, data={"token": token["access_token"]})
    revoked = requests.post(
        f"{live_server.url}/oauth/revoke",
        data={
            "token": token["access_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    after = requests.post(
        introspect, data={"token": token["access_token"]}, auth=(application.client_id, secret)
    )

    assert active.json()["active"] is True
    assert set(active.json()["scope"].split()) == {"administration|read", "booking|read"}
    assert active.json()["username"] == "manager"
    assert foreign.json() == {"active": False}
    assert anonymous.status_code in (401, 403)
    assert revoked.status_code == 200
    assert after.json() == {"active": False}
    assert api(live_server, token["access_token"], "/v3/administrations").status_code == 401


def test_a_halted_app_is_403_and_cannot_refresh(live_server, park):
    application, secret = register()
    oauth, token, _ = authorize(live_server, application, secret, [park["mine"]])

    application_halt(application=application, reason="Suspicious traffic")

    response = api(live_server, token["access_token"], "/v3/administrations")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "APPLICATION_HALTED"
    refresh = requests.post(
        f"{live_server.url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    assert refresh.status_code in (400, 401)
    assert refresh.json()["error"] == "invalid_client"


def test_signed_out_users_are_sent_to_sign_in(live_server, park):
    application, _ = register()
    oauth = OAuth2Session(
        application.client_id, redirect_uri=REDIRECT, scope=["booking|read"], pkce="S256"
    )
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")

    response = requests.get(url, allow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
