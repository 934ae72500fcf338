"""Webhooks never carry more than their owner may read, when subscribing and when sending."""

import json

import pytest

from apps.oauth.models import ApiKey, Subscription
from apps.oauth.services import application_halt
from apps.webhooks import services
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.outbox import relay
from tests.bookings.helpers import booking_document, stay
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

HOOKS = "webhook_endpoint|read webhook_endpoint|write"


@pytest.fixture
def rentable(administration):
    return RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )


def subscribe(client, administration, events, url="https://hooks.example.com/in"):
    return client.post(
        f"/v3/administrations/{administration.pk}/webhook_endpoints",
        {"data": {"type": "webhook_endpoint", "attributes": {"url": url, "events": events}}},
    )


class TestSubscribing:
    def test_events_need_the_read_scope_of_their_resource(self, client_for, administration):
        hooks_only = client_for(administration, HOOKS)

        response = subscribe(hooks_only, administration, ["customer.updated", "booking.created"])

        assert response.status_code == 422
        (error,) = response.doc["errors"]
        assert error["code"] == "VALIDATION_FAILED"
        assert error["source"]["pointer"] == "/data/attributes/events"
        assert "customer.updated needs customer|read" in error["detail"]
        assert "booking.created needs booking|read" in error["detail"]
        assert not WebhookEndpoint.objects.exists()

    def test_only_the_missing_ones_are_named(self, client_for, administration):
        reader = client_for(administration, f"{HOOKS} booking|read")

        refused = subscribe(reader, administration, ["customer.updated", "booking.created"])
        allowed = subscribe(reader, administration, ["booking.created", "booking.cancelled"])

        assert refused.status_code == 422
        assert "customer.updated" in refused.doc["errors"][0]["detail"]
        assert "booking.created" not in refused.doc["errors"][0]["detail"]
        assert allowed.status_code == 201
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.owner_kind == "api_key" and "booking|read" in endpoint.owner_scopes

    def test_a_wildcard_needs_at_least_one_readable_resource(self, client_for, administration):
        assert subscribe(client_for(administration, HOOKS), administration, ["*"]).status_code == (
            422
        )
        assert (
            subscribe(
                client_for(administration, f"{HOOKS} booking|read"), administration, ["*"]
            ).status_code
            == 201
        )

    def test_a_wildcard_receives_only_what_its_owner_reads(
        self, client_for, api, administration, rentable
    ):
        subscribe(client_for(administration, f"{HOOKS} booking|read"), administration, ["*"])

        created = api.post(
            f"/v3/administrations/{administration.pk}/bookings",
            booking_document(stays=[stay(rentable, 3, 5, "a")]),
        )

        assert created.status_code == 201
        relay()
        sent = set(WebhookDelivery.objects.values_list("event__name", flat=True))
        assert sent == {"booking.created"}  # not reservation.created, agenda_period.created …

    def test_repointing_an_endpoint_needs_the_scopes_too(self, client_for, api, administration):
        # Keys of one administration share the direct-access app, so they see each other's
        # endpoints; a key without customer|read must not redirect customer events to itself.
        created = subscribe(api, administration, ["customer.updated"])
        endpoint_id = created.doc["data"]["id"]
        hooks_only = client_for(administration, HOOKS)

        moved = hooks_only.patch(
            f"/v3/administrations/{administration.pk}/webhook_endpoints/{endpoint_id}",
            {
                "data": {
                    "type": "webhook_endpoint",
                    "id": endpoint_id,
                    "attributes": {"url": "https://attacker.example.com/in"},
                }
            },
        )
        paused = hooks_only.patch(
            f"/v3/administrations/{administration.pk}/webhook_endpoints/{endpoint_id}",
            {
                "data": {
                    "type": "webhook_endpoint",
                    "id": endpoint_id,
                    "attributes": {"active": False},
                }
            },
        )

        assert moved.status_code == 422
        assert moved.doc["errors"][0]["source"]["pointer"] == "/data/attributes/events"
        assert WebhookEndpoint.objects.get().url == "https://hooks.example.com/in"
        assert paused.status_code == 200


class TestSending:
    @pytest.fixture
    def pending(self, administration, make_key, rentable, httpserver):
        """A booking.created delivery, written but not yet sent, owned by its own key."""
        from tests.jsonapi import JsonApiClient

        raw = make_key(administration, f"{HOOKS} booking|read")
        owner = JsonApiClient().authorize(raw)
        assert (
            subscribe(
                owner, administration, ["booking.created"], url=httpserver.url_for("/hook")
            ).status_code
            == 201
        )
        writer = JsonApiClient().authorize(make_key(administration))
        writer.post(
            f"/v3/administrations/{administration.pk}/bookings",
            booking_document(stays=[stay(rentable, 3, 5, "a")]),
        )  # on-commit callbacks do not run here: the worker's relay makes the delivery,
        relay()  # which waits to be sent
        return WebhookDelivery.objects.get()

    def send(self, delivery):
        services.delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        return delivery

    def test_sent_while_the_owner_reads_it(self, pending, httpserver):
        httpserver.expect_request("/hook").respond_with_data("ok")

        assert self.send(pending).status == "succeeded"
        assert json.loads(httpserver.log[0][0].get_data())["event"] == "booking.created"

    @pytest.mark.parametrize(
        "revoke", ["narrow_key", "revoke_key", "narrow_subscription", "halt_app"]
    )
    def test_a_scope_revoked_later_stops_the_event(self, pending, httpserver, revoke):
        httpserver.expect_request("/hook").respond_with_data("ok")
        key = ApiKey.objects.get(pk=pending.endpoint.owner_api_key_id)
        if revoke == "narrow_key":
            key.scopes = HOOKS.split()
            key.save()
        elif revoke == "revoke_key":
            ApiKey.objects.filter(pk=key.pk).update(revoked_at="2020-01-01T00:00Z")
        elif revoke == "halt_app":
            application_halt(application=key.subscription.application, reason="abuse")
        else:
            Subscription.objects.filter(pk=key.subscription_id).update(scopes=HOOKS.split())

        delivery = self.send(pending)

        assert httpserver.log == []
        assert delivery.status == "skipped" and delivery.next_attempt_at is None
        assert delivery.attempts == 0
        assert delivery.attempt_log[-1]["error"] == (
            "Not sent: the endpoint's owner no longer holds booking|read."
        )
        assert self.send(delivery).attempt_log == delivery.attempt_log  # never retried


class TestSendingForAUsersConsent:
    """An app that subscribed with a user's token receives events only while that consent
    lasts: revoking the app's tokens (or letting them run out) stops the events."""

    @pytest.fixture
    def pending(self, administration, make_key, rentable, httpserver):
        from oauth2_provider.models import RefreshToken

        from tests.factories import ApplicationFactory, MembershipFactory, access_token
        from tests.jsonapi import JsonApiClient

        user = MembershipFactory(administration=administration).user
        token = access_token(
            application=ApplicationFactory(),
            user=user,
            scopes=f"{HOOKS} booking|read",
            administrations=[administration],
        )
        RefreshToken.objects.create(
            user=user, application=token.application, token="r-" + token.token, access_token=token
        )
        owner = JsonApiClient().bearer(token.token)
        url = httpserver.url_for("/hook")
        assert subscribe(owner, administration, ["booking.created"], url=url).status_code == 201
        writer = JsonApiClient().authorize(make_key(administration))
        writer.post(
            f"/v3/administrations/{administration.pk}/bookings",
            booking_document(stays=[stay(rentable, 3, 5, "a")]),
        )  # on-commit callbacks do not run here: the worker's relay makes the delivery,
        relay()  # which waits to be sent
        return WebhookDelivery.objects.get(), token

    def send(self, delivery):
        services.delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        return delivery

    @pytest.mark.parametrize("lasts", ["as_issued", "expired_but_refreshable"])
    def test_sent_while_the_consent_lasts(self, pending, httpserver, lasts):
        from oauth2_provider.models import AccessToken

        delivery, token = pending
        if lasts == "expired_but_refreshable":
            AccessToken.objects.filter(pk=token.pk).update(expires="2020-01-01T00:00Z")
        httpserver.expect_request("/hook").respond_with_data("ok")

        assert self.send(delivery).status == "succeeded"

    @pytest.mark.parametrize(
        "withdrawn", ["revoke_refresh_token", "revoke_access_token", "expired"]
    )
    def test_withdrawing_the_consent_stops_the_event(self, pending, httpserver, withdrawn):
        from oauth2_provider.models import AccessToken, RefreshToken

        delivery, token = pending
        httpserver.expect_request("/hook").respond_with_data("ok")
        if withdrawn == "revoke_refresh_token":  # what POST /oauth/revoke does with it
            RefreshToken.objects.get(access_token=token).revoke()
        elif withdrawn == "revoke_access_token":
            token.revoke()
        else:  # ran out, and its refresh token was used up
            AccessToken.objects.filter(pk=token.pk).update(expires="2020-01-01T00:00Z")
            RefreshToken.objects.filter(access_token=token).update(revoked="2020-01-01T00:00Z")

        delivery = self.send(delivery)

        assert httpserver.log == []
        assert delivery.status == "skipped" and delivery.attempts == 0
        assert delivery.attempt_log[-1]["error"] == (
            "Not sent: the endpoint's owner no longer holds booking|read."
        )
