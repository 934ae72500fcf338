"""Webhooks to a real local receiver: signatures, retries on the schedule, never lost."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import time

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from apps.bookings.models import Booking
from apps.webhooks import services
from apps.webhooks.models import Event, EventBatch, WebhookDelivery, WebhookEndpoint
from apps.webhooks.outbox import relay
from tests.bookings.helpers import booking_document, guest, stay
from tests.factories import ApplicationFactory
from tests.jsonapi import JsonApiClient
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

SCHEDULE = [60, 300, 1800, 7200, 18000, 36000, 86400, 86400]


@pytest.fixture
def rentable(administration):
    return RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )


@pytest.fixture
def endpoint_for(api, administration):
    def make(url, events=("*",)):
        response = api.post(
            f"/v3/administrations/{administration.pk}/webhook_endpoints",
            {
                "data": {
                    "type": "webhook_endpoint",
                    "attributes": {"url": url, "events": list(events)},
                }
            },
        )
        assert response.status_code == 201, response.doc
        return WebhookEndpoint.objects.get(pk=response.doc["data"]["id"]), response.doc["data"][
            "attributes"
        ]["secret"]

    return make


def book(api, administration, rentable, capture, arrival=3):
    with capture(execute=True):
        response = api.post(
            f"/v3/administrations/{administration.pk}/bookings",
            booking_document(customer=guest(), stays=[stay(rentable, arrival, arrival + 2, "a")]),
        )
    assert response.status_code == 201, response.doc
    return response


def received(httpserver):
    return [(request, json.loads(request.get_data())) for request, _ in httpserver.log]


class TestEndpoints:
    def test_the_secret_is_shown_once(self, api, administration, endpoint_for, httpserver):
        endpoint, secret = endpoint_for(httpserver.url_for("/hook"))

        shown = api.get(f"/v3/administrations/{administration.pk}/webhook_endpoints/{endpoint.pk}")

        assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
        assert shown.doc["data"]["attributes"]["secret"] is None
        assert shown.doc["data"]["attributes"]["url"] == httpserver.url_for("/hook")

    @pytest.mark.parametrize(
        "attributes, pointer",
        [
            ({"url": "ftp://example.com/x", "events": ["*"]}, "/data/attributes/url"),
            (
                {"url": "https://example.com/x", "events": ["booking.exploded"]},
                "/data/attributes/events",
            ),
            ({"url": "https://example.com/x", "events": []}, "/data/attributes/events"),
        ],
    )
    def test_validation(self, api, administration, attributes, pointer):
        response = api.post(
            f"/v3/administrations/{administration.pk}/webhook_endpoints",
            {"data": {"type": "webhook_endpoint", "attributes": attributes}},
        )

        assert response.status_code == 422
        assert response.doc["errors"][0]["source"]["pointer"] == pointer

    @override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False)
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1/hook",
            "http://10.0.0.1/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost/hook",
        ],
    )
    def test_private_addresses_are_refused_in_production(self, api, administration, url):
        response = api.post(
            f"/v3/administrations/{administration.pk}/webhook_endpoints",
            {"data": {"type": "webhook_endpoint", "attributes": {"url": url, "events": ["*"]}}},
        )

        assert response.status_code == 422
        assert response.doc["errors"][0]["source"]["pointer"] == "/data/attributes/url"

    def test_each_app_sees_its_own_endpoints(
        self, administration, endpoint_for, make_key, httpserver
    ):
        endpoint, _ = endpoint_for(httpserver.url_for("/hook"))
        other = JsonApiClient().authorize(
            make_key(administration, application=ApplicationFactory())
        )

        listing = other.get(f"/v3/administrations/{administration.pk}/webhook_endpoints")
        shown = other.get(
            f"/v3/administrations/{administration.pk}/webhook_endpoints/{endpoint.pk}"
        )

        assert listing.doc["data"] == []
        assert shown.status_code == 404

    def test_scopes(self, client_for, administration):
        reader = client_for(administration, "webhook_endpoint|read")

        response = reader.post(
            f"/v3/administrations/{administration.pk}/webhook_endpoints",
            {
                "data": {
                    "type": "webhook_endpoint",
                    "attributes": {"url": "https://e.example.com", "events": ["*"]},
                }
            },
        )

        assert response.status_code == 403
        assert response.doc["errors"][0]["detail"].endswith("webhook_endpoint|write.")


class TestDelivery:
    def test_signed_with_both_schemes(
        self,
        api,
        administration,
        rentable,
        endpoint_for,
        httpserver,
        django_capture_on_commit_callbacks,
    ):
        httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
        endpoint, secret = endpoint_for(
            httpserver.url_for("/hook"), events=["booking.created", "reservation.created"]
        )

        booking = book(api, administration, rentable, django_capture_on_commit_callbacks)

        calls = received(httpserver)
        assert [body["event"] for _, body in calls] == ["reservation.created", "booking.created"]
        request, body = calls[1]
        raw = request.get_data()
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request.headers["X-BE-Signature"], expected)
        assert request.headers["X-BE-Env"] == "production"
        assert request.headers["Content-Type"] == "application/json"
        Webhook(secret).verify(raw, dict(request.headers))  # raises if the signature is wrong
        assert request.headers["webhook-id"] == body["id"]
        assert body["data"]["type"] == "booking" and body["data"]["id"] == booking.doc["data"]["id"]
        assert body["administration_id"] == str(administration.pk)
        assert [b["sequence"] for _, b in calls] == [1, 2]
        assert WebhookDelivery.objects.filter(status="succeeded").count() == 2
        stored = WebhookDelivery.objects.select_related("event").get(event_id=body["id"])
        assert raw == stored.body.encode()  # the exact text stored is what was signed and sent

    def test_a_rolled_back_change_emits_nothing(
        self,
        api,
        administration,
        rentable,
        endpoint_for,
        httpserver,
        django_capture_on_commit_callbacks,
    ):
        endpoint_for(httpserver.url_for("/hook"))
        book(api, administration, rentable, django_capture_on_commit_callbacks)
        events_before = Event.objects.count()

        with django_capture_on_commit_callbacks(execute=True):
            clash = api.post(
                f"/v3/administrations/{administration.pk}/bookings",
                booking_document(customer=guest(), stays=[stay(rentable, 3, 5, "a")]),
            )

        assert clash.status_code == 409
        assert Event.objects.count() == events_before
        assert Booking.objects.count() == 1

    def test_a_broker_outage_delays_but_never_loses(
        self,
        api,
        administration,
        rentable,
        endpoint_for,
        httpserver,
        django_capture_on_commit_callbacks,
    ):
        from config.celery_app import app

        httpserver.expect_request("/hook").respond_with_data("ok")
        endpoint_for(httpserver.url_for("/hook"), events=["booking.created"])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # nothing listens here: the broker is down

        saved = app.conf.task_always_eager, app.conf.broker_url
        app.conf.task_always_eager, app.conf.broker_url = False, f"redis://127.0.0.1:{port}/2"
        try:
            book(api, administration, rentable, django_capture_on_commit_callbacks)
        finally:
            app.conf.task_always_eager, app.conf.broker_url = saved
        assert received(httpserver) == []
        assert not WebhookDelivery.objects.exists()  # the relay was not reached …
        assert EventBatch.objects.count() == 1  # … and the event waits in the outbox

        with django_capture_on_commit_callbacks(execute=True):
            services.deliveries_sweep()  # the broker is back (here: eager)

        assert [body["event"] for _, body in received(httpserver)] == ["booking.created"]
        assert not EventBatch.objects.exists()
        assert WebhookDelivery.objects.get().status == "succeeded"

    def test_updates_carry_their_changes(
        self,
        api,
        administration,
        rentable,
        endpoint_for,
        httpserver,
        django_capture_on_commit_callbacks,
    ):
        httpserver.expect_request("/hook").respond_with_data("ok")
        endpoint_for(httpserver.url_for("/hook"), events=["booking.updated"])
        booking_id = book(api, administration, rentable, django_capture_on_commit_callbacks).doc[
            "data"
        ]["id"]

        with django_capture_on_commit_callbacks(execute=True):
            api.patch(
                f"/v3/administrations/{administration.pk}/bookings/{booking_id}",
                {
                    "data": {
                        "type": "booking",
                        "id": booking_id,
                        "attributes": {"memo": "Late", "reference_nr": "X-9"},
                    }
                },
            )

        ((_, body),) = received(httpserver)
        assert body["changes"] == {"memo": ["", "Late"], "reference_nr": ["", "X-9"]}


def deliver_now(delivery):
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


class TestFailures:
    @pytest.fixture
    def pending(self, administration, endpoint_for, httpserver, api, rentable):
        def make(path="/hook"):
            endpoint, _ = endpoint_for(httpserver.url_for(path), events=["booking.created"])
            api.post(
                f"/v3/administrations/{administration.pk}/bookings",
                booking_document(stays=[stay(rentable, 3, 5, "a")]),
            )  # callbacks not run: the relay makes the delivery, which stays pending
            relay()
            return WebhookDelivery.objects.get(endpoint=endpoint)

        return make

    def test_retries_follow_the_schedule_then_fail(self, pending, httpserver):
        httpserver.expect_request("/hook").respond_with_data("oops", status=500)
        delivery = pending()
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for attempt, wait in enumerate(SCHEDULE, start=1):
                delivery = deliver_now(delivery)
                assert delivery.attempts == attempt
                assert delivery.status == "pending"
                assert delivery.next_attempt_at == timezone.now() + dt.timedelta(seconds=wait)
                assert deliver_now(delivery).attempts == attempt  # not due yet: nothing happens
                clock.shift(dt.timedelta(seconds=wait))
            delivery = deliver_now(delivery)

        assert delivery.status == "failed" and delivery.next_attempt_at is None
        assert delivery.attempts == len(SCHEDULE) + 1
        assert delivery.last_response_code == 500
        assert delivery.attempt_log[0]["response"] == "oops"
        first, last = (dt.datetime.fromisoformat(delivery.attempt_log[i]["at"]) for i in (0, -1))
        assert last - first == dt.timedelta(seconds=sum(SCHEDULE))  # about three days of trying
        assert dt.timedelta(days=2.5) < last - first < dt.timedelta(days=3.5)

    def test_410_disables_the_endpoint(self, pending, httpserver):
        httpserver.expect_request("/hook").respond_with_data("gone", status=410)

        delivery = deliver_now(pending())

        assert delivery.status == "failed"
        endpoint = delivery.endpoint
        endpoint.refresh_from_db()
        assert endpoint.active is False and "410" in endpoint.disabled_reason

    def test_redirects_are_not_followed(self, pending, httpserver):
        httpserver.expect_request("/hook").respond_with_response(
            Response(status=302, headers={"Location": httpserver.url_for("/elsewhere")})
        )
        httpserver.expect_request("/elsewhere").respond_with_data("ok")

        delivery = deliver_now(pending())

        assert delivery.status == "pending" and delivery.last_response_code == 302
        assert [request.path for request, _ in httpserver.log] == ["/hook"]
        error = delivery.attempt_log[0]["error"]
        assert error.startswith("Redirects are not followed") and "/elsewhere" in error

    @override_settings(WEBHOOK_TIMEOUT_SECONDS=0.5)
    def test_a_slow_receiver_times_out(self, pending, httpserver):
        def slow(request):
            time.sleep(1.5)
            return Response("late")

        httpserver.expect_request("/hook").respond_with_handler(slow)

        delivery = deliver_now(pending())

        assert delivery.status == "pending"
        assert "No answer within 0.5 seconds" in delivery.attempt_log[0]["error"]

    def test_a_receiver_that_is_down(self, administration, endpoint_for, api, rentable):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        endpoint_for(f"http://127.0.0.1:{port}/hook", events=["booking.created"])
        api.post(
            f"/v3/administrations/{administration.pk}/bookings",
            booking_document(stays=[stay(rentable, 3, 5, "a")]),
        )
        relay()

        delivery = deliver_now(WebhookDelivery.objects.get())

        assert delivery.status == "pending"
        assert "Could not connect" in delivery.attempt_log[0]["error"]

    def test_an_endpoint_failing_for_three_days_is_disabled(self, pending, httpserver):
        httpserver.expect_request("/hook").respond_with_data("no", status=503)
        delivery = pending()
        with time_machine.travel(timezone.now(), tick=False) as clock:
            deliver_now(delivery)
            clock.shift(dt.timedelta(days=3, minutes=1))
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            deliver_now(delivery)

        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.active is False
        assert "Every delivery failed since" in endpoint.disabled_reason


class TestDeliveriesResource:
    def test_list_redeliver_and_rotate(
        self,
        api,
        administration,
        rentable,
        endpoint_for,
        httpserver,
        django_capture_on_commit_callbacks,
    ):
        httpserver.expect_request("/hook").respond_with_data("ok")
        endpoint, old_secret = endpoint_for(httpserver.url_for("/hook"), events=["booking.created"])
        book(api, administration, rentable, django_capture_on_commit_callbacks)
        base = f"/v3/administrations/{administration.pk}"

        listing = api.get(f"{base}/webhook_deliveries?include=webhook_endpoint")
        delivery = listing.doc["data"][0]
        rotated = api.post(f"{base}/webhook_endpoints/{endpoint.pk}/rotate_secret")
        with django_capture_on_commit_callbacks(execute=True):
            again = api.post(f"{base}/webhook_deliveries/{delivery['id']}/redeliver")

        attributes = delivery["attributes"]
        assert attributes["status"] == "succeeded" and attributes["attempts"] == 1
        assert attributes["attempt_log"][0]["response_code"] == 200
        assert attributes["event"] == "booking.created"
        assert rotated.status_code == 200
        new_secret = rotated.doc["data"]["attributes"]["secret"]
        assert new_secret != old_secret
        assert again.status_code == 202
        first, second = received(httpserver)
        assert first[1]["id"] == second[1]["id"]  # the same event, the same webhook-id
        request = second[0]
        Webhook(new_secret).verify(request.get_data(), dict(request.headers))
        Webhook(old_secret).verify(
            request.get_data(), dict(request.headers)
        )  # still signs for 24 h
        assert WebhookDelivery.objects.get().attempts == 2
