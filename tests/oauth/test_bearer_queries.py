"""What a bearer-token request costs in authentication queries, and that nothing of it is kept
between requests: tokens issued by the real flows, then used on the API in-process."""

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from apps.administrations.models import Membership
from apps.oauth.services import subscription_grant
from tests.jsonapi import JsonApiClient
from tests.oauth.test_flows import authorize, park, register  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

AUTH_TABLES = (
    "oauth2_provider_accesstoken",
    "oauth_application",
    "oauth_tokengrant",
    "oauth_subscription",
    "administrations_membership",
    '"administrations_administration"',
)


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def rentables(administration) -> str:
    return f"/v3/administrations/{administration.pk}/rentables"


def captured(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    sqls = [query["sql"] for query in queries.captured_queries]
    return response, [sql for sql in sqls if any(table in sql for table in AUTH_TABLES)]


def test_a_user_token_costs_two_queries_read_afresh_by_every_request(live_server, park):  # noqa: F811
    # given: a token the user consented for two of their parks
    application, secret = register(scopes="administration|read rentable|read")
    _, token, _ = authorize(
        live_server,
        application,
        secret,
        [park["mine"], park["also_mine"]],
        scope=["administration|read", "rentable|read"],
    )
    client = JsonApiClient().bearer(token["access_token"])
    assert client.get(rentables(park["mine"])).status_code == 200

    # when
    response, auth = captured(client, rentables(park["mine"]))

    # then: the token with its app and user is one query; the administrations it reaches,
    # consented and still managed, are the other, and the URL's administration is among them
    assert response.status_code == 200
    assert len(auth) == 2
    assert "oauth2_provider_accesstoken" in auth[0] and "oauth_application" in auth[0]
    assert all(table in auth[1] for table in ("oauth_tokengrant", "administrations_membership"))

    # a park the user stops managing is out of reach on the next request, the other is not
    Membership.objects.filter(user=park["user"], administration=park["also_mine"]).delete()
    assert client.get(rentables(park["also_mine"])).status_code == 404
    assert client.get(rentables(park["mine"])).status_code == 200

    # a token revoked between two requests is refused on the next one
    revoked = requests.post(
        f"{live_server.url}/oauth/revoke",
        data={
            "token": token["access_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    assert revoked.status_code == 200
    assert client.get(rentables(park["mine"])).status_code == 401


def test_an_app_token_reads_its_subscriptions_afresh_by_every_request(live_server, park):  # noqa: F811
    # given: an app subscribed by two parks, with a client-credentials token
    application, secret = register(scopes="administration|read rentable|read")
    for administration in (park["mine"], park["theirs"]):
        subscription_grant(
            administration=administration,
            application=application,
            scopes=["administration|read", "rentable|read"],
        )
    oauth = OAuth2Session(client=BackendApplicationClient(client_id=application.client_id))
    token = oauth.fetch_token(
        f"{live_server.url}/oauth/token",
        client_id=application.client_id,
        client_secret=secret,
        scope=["administration|read", "rentable|read"],
    )
    client = JsonApiClient().bearer(token["access_token"])
    assert client.get(rentables(park["theirs"])).status_code == 200

    # when
    response, auth = captured(client, rentables(park["theirs"]))

    # then: the token, the app's subscriptions (ids and scopes only) and the URL's park
    assert response.status_code == 200
    assert len(auth) == 3
    assert "oauth2_provider_accesstoken" in auth[0] and "oauth_application" in auth[0]
    assert "oauth_subscription" in auth[1]
    assert '"administrations_administration"' in auth[2]

    # a subscription ended between two requests is out of reach on the next one
    application.subscriptions.filter(administration=park["theirs"]).delete()
    assert client.get(rentables(park["theirs"])).status_code == 404
    assert client.get(rentables(park["mine"])).status_code == 200
