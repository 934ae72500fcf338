"""Credentials: API keys, OAuth bearer tokens, tenancy and scopes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.oauth.models import ApiKey, TokenGrant
from apps.oauth.services import api_key_create, api_key_revoke, application_halt
from tests.factories import (
    AdministrationFactory,
    ApplicationFactory,
    MembershipFactory,
    SubscriptionFactory,
    UserFactory,
    access_token,
)
from tests.jsonapi import JsonApiClient, error_codes

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_a_challenge(anon):
    response = anon.get("/v3/administrations")

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHORIZED"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", ["nonsense", "hpk_abc_def", "hpk__", "", "hpk_x_y_z"])
def test_unknown_key_is_401(anon, key):
    response = anon.authorize(key).get("/v3/administrations")

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHORIZED"]


def test_key_with_right_prefix_and_wrong_secret_is_401(administration, make_key):
    raw = make_key(administration)
    forged = raw[:-4] + ("aaaa" if not raw.endswith("aaaa") else "bbbb")

    response = JsonApiClient().authorize(forged).get("/v3/administrations")

    assert response.status_code == 401


def test_revoked_key_is_401(administration):
    key, raw = api_key_create(administration=administration, scopes="all")
    client = JsonApiClient().authorize(raw)
    assert client.get("/v3/administrations").status_code == 200

    api_key_revoke(api_key=key)

    response = client.get("/v3/administrations")
    assert response.status_code == 401
    assert "revoked" in response.doc["errors"][0]["detail"]


def test_key_records_last_use(administration):
    key, raw = api_key_create(administration=administration, scopes="all")
    assert key.last_used_at is None

    JsonApiClient().authorize(raw).get("/v3/administrations")

    key.refresh_from_db()
    assert timezone.now() - key.last_used_at < timedelta(seconds=5)


def test_key_is_stored_hashed(administration):
    key, raw = api_key_create(administration=administration, scopes="all")

    stored = ApiKey.objects.get(pk=key.pk)
    assert raw not in (stored.key_hash, stored.prefix)
    assert stored.prefix in raw


def test_missing_scope_is_403_naming_the_scope(client_for, administration):
    client = client_for(administration, "category|read")

    response = client.get("/v3/administrations")

    assert response.status_code == 403
    assert error_codes(response) == ["NO_VALID_SCOPE"]
    assert response.doc["errors"][0]["detail"].endswith(
        "One of the following scopes is required: administration|read."
    )


def test_key_scopes_shrink_when_the_subscription_loses_a_scope(administration):
    key, raw = api_key_create(administration=administration, scopes="administration|read")
    subscription = key.subscription
    subscription.scopes = ["category|read"]
    subscription.save()

    response = JsonApiClient().authorize(raw).get("/v3/administrations")

    assert response.status_code == 403


def test_halted_app_is_403(administration):
    key, raw = api_key_create(administration=administration, scopes="all")
    application_halt(application=key.subscription.application, reason="abuse")

    response = JsonApiClient().authorize(raw).get("/v3/administrations")

    assert response.status_code == 403
    assert error_codes(response) == ["APPLICATION_HALTED"]
    assert "abuse" in response.doc["errors"][0]["detail"]


def test_key_sees_only_its_own_administration(administration, api):
    other = AdministrationFactory()

    listing = api.get("/v3/administrations")
    # the same request id on both, so the two documents may be compared whole
    foreign = api.get(f"/v3/administrations/{other.pk}", HTTP_X_REQUEST_ID="same")
    missing = api.get("/v3/administrations/999999", HTTP_X_REQUEST_ID="same")

    assert [row["id"] for row in listing.doc["data"]] == [str(administration.pk)]
    assert foreign.status_code == missing.status_code == 404
    assert error_codes(foreign) == error_codes(missing) == ["RESOURCE_NOT_FOUND"]
    assert foreign.doc == missing.doc  # existence never leaks


class TestBearerTokens:
    def test_client_credentials_token_reaches_subscribed_administrations(self):
        # given
        subscription = SubscriptionFactory()
        SubscriptionFactory(application=subscription.application)
        AdministrationFactory()  # not subscribed
        token = access_token(application=subscription.application)

        # when
        response = JsonApiClient().bearer(token.token).get("/v3/administrations")

        # then
        assert response.status_code == 200
        assert len(response.doc["data"]) == 2

    def test_token_scopes_are_capped_by_the_subscription(self):
        subscription = SubscriptionFactory(scopes=["category|read"])
        token = access_token(application=subscription.application, scopes="administration|read")

        response = JsonApiClient().bearer(token.token).get("/v3/administrations")

        assert response.status_code == 403

    def test_user_token_reaches_the_consented_administrations_the_user_manages(self):
        membership = MembershipFactory()
        also_managed = MembershipFactory(user=membership.user).administration
        not_managed = AdministrationFactory()
        token = access_token(application=ApplicationFactory(), user=membership.user)
        for administration_id in (membership.administration_id, not_managed.pk):
            TokenGrant.objects.create(access_token=token, administration_id=administration_id)

        client = JsonApiClient().bearer(token.token)
        response = client.get("/v3/administrations")

        assert [row["id"] for row in response.doc["data"]] == [str(membership.administration_id)]
        assert client.get(f"/v3/administrations/{also_managed.pk}").status_code == 404
        assert client.get(f"/v3/administrations/{not_managed.pk}").status_code == 404

    def test_user_token_without_a_consented_set_reaches_nothing(self):
        membership = MembershipFactory()
        token = access_token(application=ApplicationFactory(), user=membership.user)

        client = JsonApiClient().bearer(token.token)

        assert client.get("/v3/administrations").status_code == 403
        one = client.get(f"/v3/administrations/{membership.administration_id}")
        assert one.status_code == 403
        assert error_codes(one) == ["NO_VALID_SCOPE"]  # it holds no scope anywhere

    def test_superuser_token_reaches_only_what_was_consented(self):
        granted, *_ = AdministrationFactory.create_batch(3)
        admin = UserFactory(is_superuser=True, is_staff=True)
        token = access_token(application=ApplicationFactory(), user=admin)
        bare = access_token(application=ApplicationFactory(), user=admin)
        TokenGrant.objects.create(access_token=token, administration=granted)

        response = JsonApiClient().bearer(token.token).get("/v3/administrations")

        assert [row["id"] for row in response.doc["data"]] == [str(granted.pk)]
        assert JsonApiClient().bearer(bare.token).get("/v3/administrations").status_code == 403

    def test_expired_token_is_401(self):
        subscription = SubscriptionFactory()
        token = access_token(application=subscription.application, expires_in=-10)

        response = JsonApiClient().bearer(token.token).get("/v3/administrations")

        assert response.status_code == 401
        assert error_codes(response) == ["UNAUTHORIZED"]

    def test_unknown_token_is_401(self):
        response = JsonApiClient().bearer("not-a-token").get("/v3/administrations")

        assert response.status_code == 401

    def test_halted_app_token_is_403(self):
        subscription = SubscriptionFactory()
        token = access_token(application=subscription.application)
        application_halt(application=subscription.application, reason="")

        response = JsonApiClient().bearer(token.token).get("/v3/administrations")

        assert error_codes(response) == ["APPLICATION_HALTED"]


def test_a_key_and_its_administration_are_one_query_read_afresh_by_every_request(administration):
    # given: a key that has been used (its last use is recorded at most once a minute)
    key, raw = api_key_create(administration=administration, scopes="all")
    client = JsonApiClient().authorize(raw)
    path = f"/v3/administrations/{administration.pk}"
    assert client.get(path).status_code == 200

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)

    # then: the key, its app and its administration come in one query; the other one reads
    # the resource asked for
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert len(sqls) == 2
    assert "oauth_apikey" in sqls[0] and "administrations_administration" in sqls[0]
    assert "oauth_apikey" not in sqls[1]

    # nothing is kept between requests: a renamed administration shows at once, and a key
    # revoked between two requests is refused on the next one
    administration.name = "Renamed park"
    administration.save(update_fields=["name"])
    assert client.get(path).doc["data"]["attributes"]["name"] == "Renamed park"
    api_key_revoke(api_key=key)
    assert client.get(path).status_code == 401
