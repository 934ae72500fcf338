"""Safe outbound requests, idempotent POSTs, the subscription endpoint, tombstones."""

import datetime as dt
import hashlib
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from werkzeug import Response

from apps.bookings.models import Booking
from apps.calendars.models import ExternalCalendar
from apps.calendars.services.sync import external_calendar_sync
from apps.core import outbound
from apps.core.models import IdempotencyRecord
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.bookings.helpers import booking_document, guest, stay
from tests.factories import ApplicationFactory, MembershipFactory, SubscriptionFactory, access_token
from tests.jsonapi import JsonApiClient
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

REFUSED = [
    "http://127.0.0.1/feed.ics",
    "http://10.0.0.1/feed.ics",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/feed.ics",
    "http://localhost/feed.ics",
    "http://[::ffff:127.0.0.1]/feed.ics",
    "http://0.0.0.0/feed.ics",
    "http://224.0.0.1/feed.ics",
]


class TestOutbound:
    @pytest.mark.parametrize("url", REFUSED)
    def test_private_and_reserved_targets_are_refused(self, url):
        with (
            override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False),
            pytest.raises(outbound.OutboundRefused, match="private or reserved"),
        ):
            outbound.request("GET", url)

    @pytest.mark.parametrize(
        "url, message",
        [
            ("ftp://example.com/x", "Only http and https"),
            ("https://user:secret@example.com/x", "credentials"),
            ("https://example.com:8443/x", "Port 8443"),
            ("http://no-such-host.invalid/x", "cannot be resolved"),
        ],
    )
    def test_schemes_ports_and_names(self, url, message):
        with (
            override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False),
            pytest.raises(outbound.OutboundRefused, match=message),
        ):
            outbound.check_url(url)

    @pytest.mark.parametrize("url", REFUSED[:1])
    def test_feeds_and_webhooks_name_the_refusal(self, api, administration, url):
        with override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False):
            hook = api.post(
                f"/v3/administrations/{administration.pk}/webhook_endpoints",
                {"data": {"type": "webhook_endpoint", "attributes": {"url": url, "events": ["*"]}}},
            )
            feed = api.post(
                f"/v3/administrations/{administration.pk}/external_calendars",
                {
                    "data": {
                        "type": "external_calendar",
                        "attributes": {"ical_url": url},
                        "relationships": {
                            "rentable": {
                                "data": {
                                    "type": "rentable",
                                    "id": str(
                                        RentableFactory(category__administration=administration).pk
                                    ),
                                }
                            }
                        },
                    }
                },
            )

        assert hook.doc["errors"][0]["source"]["pointer"] == "/data/attributes/url"
        assert feed.doc["errors"][0]["source"]["pointer"] == "/data/attributes/ical_url"
        assert "private or reserved" in hook.doc["errors"][0]["detail"]

    def test_a_redirect_to_loopback_is_refused_at_the_hop(self, httpserver, monkeypatch):
        # A public feed that redirects inward. The first hop stands for a public host (this
        # machine has no public network): its check is let through; the redirect is checked
        # for real and refused before any connection to it is made.
        httpserver.expect_request("/public.ics").respond_with_response(
            Response(status=302, headers={"Location": "http://127.0.0.1/secret"})
        )
        real_check = outbound.resolve_checked
        first = httpserver.url_for("/public.ics")
        with override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=True):
            first_target = real_check(first)
        monkeypatch.setattr(
            outbound,
            "resolve_checked",
            lambda url: first_target if url == first else real_check(url),
        )

        with (
            override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False),
            pytest.raises(outbound.OutboundRefused, match="127.0.0.1"),
        ):
            outbound.request("GET", first, max_redirects=3)

    def test_with_the_flag_on_a_local_server_works(self, httpserver):
        httpserver.expect_request("/ok").respond_with_data("fine")

        response = outbound.request("GET", httpserver.url_for("/ok"))

        assert (response.status_code, response.text) == (200, "fine")
        assert httpserver.log[0][0].headers["User-Agent"].startswith("HolidayparkAPI/")

    def test_a_refused_feed_is_an_error_on_the_calendar(self, administration):
        calendar = ExternalCalendar.objects.create(
            administration=administration,
            rentable=RentableFactory(category__administration=administration),
            ical_url="http://169.254.169.254/latest/meta-data/",
        )

        with override_settings(OUTBOUND_ALLOW_PRIVATE_NETWORKS=False):
            external_calendar_sync(calendar_id=calendar.pk)

        calendar.refresh_from_db()
        assert "private or reserved address" in calendar.error


class TestIdempotency:
    @pytest.fixture
    def rentable(self, administration):
        return RentableFactory(
            category__administration=administration, category__max_number_of_people=4
        )

    def post(self, api, administration, document, key="retry-1"):
        return api.post(
            f"/v3/administrations/{administration.pk}/bookings", document, HTTP_IDEMPOTENCY_KEY=key
        )

    def test_a_retry_replays_the_answer_and_books_once(self, api, administration, rentable):
        document = booking_document(customer=guest(), stays=[stay(rentable, 3, 5, "a")])

        first = self.post(api, administration, document)
        retry = self.post(api, administration, document)

        assert first.status_code == retry.status_code == 201
        assert retry["Idempotent-Replayed"] == "true"
        assert retry.doc == first.doc
        assert retry["Location"] == first["Location"]
        assert Booking.objects.count() == 1

    def test_the_same_key_with_another_body_is_422(self, api, administration, rentable):
        self.post(api, administration, booking_document(stays=[stay(rentable, 3, 5, "a")]))

        other = self.post(api, administration, booking_document(stays=[stay(rentable, 7, 9, "a")]))

        assert other.status_code == 422
        assert Booking.objects.count() == 1

    def test_a_repeat_while_the_first_runs_is_409(self, api, administration, rentable):
        document = booking_document(stays=[stay(rentable, 3, 5, "a")])
        body = json.dumps(document).encode()
        path = f"/v3/administrations/{administration.pk}/bookings"
        fingerprint = hashlib.sha256(b"POST " + path.encode() + b"\n" + body).hexdigest()
        from apps.oauth.models import ApiKey

        credential = f"key:{ApiKey.objects.get().pk}"
        IdempotencyRecord.objects.create(
            credential=credential,
            key="retry-1",
            request_hash=fingerprint,
            locked_until=timezone.now() + dt.timedelta(minutes=5),
            expires_at=timezone.now() + dt.timedelta(hours=24),
        )

        response = api.post(path, body, HTTP_IDEMPOTENCY_KEY="retry-1")

        assert response.status_code == 409
        assert response["Retry-After"] == "1"
        assert not Booking.objects.exists()

    def test_keys_are_per_credential(self, api, administration, rentable, client_for):
        document = booking_document(stays=[stay(rentable, 3, 5, "a")])
        self.post(api, administration, document)

        other = self.post(
            client_for(administration),
            administration,
            booking_document(stays=[stay(rentable, 7, 9, "a")]),
        )

        assert other.status_code == 201
        assert Booking.objects.count() == 2

    def test_errors_other_than_429_and_5xx_are_replayed_too(self, api, administration, rentable):
        AgendaPeriodFactory(rentable=rentable, start_date=dt.date.today() + dt.timedelta(days=3))
        document = booking_document(stays=[stay(rentable, 3, 5, "a")])

        first = self.post(api, administration, document)
        retry = self.post(api, administration, document)

        assert first.status_code == retry.status_code == 409
        assert retry["Idempotent-Replayed"] == "true"

    @override_settings(RATE_LIMIT_BURST_REQUESTS=1)
    def test_a_429_is_not_stored(self, api, administration, rentable):
        api.get(f"/v3/administrations/{administration.pk}/bookings")
        document = booking_document(stays=[stay(rentable, 3, 5, "a")])

        limited = self.post(api, administration, document)

        assert limited.status_code == 429
        assert not IdempotencyRecord.objects.exists()


class TestSubscription:
    def test_an_api_key_learns_its_grants(self, client_for, administration):
        client = client_for(administration, "administration|read booking|read")
        response = client.get("/v3/subscription?include=administrations")

        data = response.doc["data"]
        assert data["type"] == "subscription"
        assert data["attributes"]["credential_type"] == "api_key"
        assert data["attributes"]["scopes"] == ["administration|read", "booking|read"]
        assert data["attributes"]["grants"] == {
            str(administration.pk): ["administration|read", "booking|read"]
        }
        assert response.doc["included"][0]["id"] == str(administration.pk)
        assert data["relationships"]["administrations"]["data"] == [
            {"type": "administration", "id": str(administration.pk)}
        ]

    def test_a_users_token_lists_what_the_user_granted(self):
        membership = MembershipFactory()
        token = access_token(
            application=ApplicationFactory(name="Owner portal"),
            user=membership.user,
            scopes="booking|read",
            administrations=[membership.administration],
        )

        response = JsonApiClient().bearer(token.token).get("/v3/subscription")

        assert response.doc["data"]["attributes"]["credential_type"] == "oauth"
        assert response.doc["data"]["attributes"]["application"]["name"] == "Owner portal"
        assert list(response.doc["data"]["attributes"]["grants"]) == [
            str(membership.administration_id)
        ]

    def test_client_credentials_see_every_subscribed_administration(self):
        first = SubscriptionFactory(scopes=["booking|read"])
        SubscriptionFactory(application=first.application, scopes=["rentable|read"])
        token = access_token(application=first.application, scopes="booking|read rentable|read")

        response = JsonApiClient().bearer(token.token).get("/v3/subscription")

        assert len(response.doc["data"]["relationships"]["administrations"]["data"]) == 2

    def test_needs_credentials(self, anon):
        assert anon.get("/v3/subscription").status_code == 401


class TestTombstones:
    def test_deletions_show_up_in_an_incremental_sync(self, api, administration):
        rentable = RentableFactory(category__administration=administration)
        kept = AgendaPeriodFactory(
            rentable=rentable, start_date=dt.date.today() + dt.timedelta(days=30)
        )
        doomed = AgendaPeriodFactory(rentable=rentable)
        since = timezone.now().isoformat().replace("+00:00", "Z")
        base = f"/v3/administrations/{administration.pk}"

        api.delete(f"{base}/maintenance_agenda_periods/{doomed.pk}")
        synced = api.get(f"{base}/agenda_periods?filter[updated_at]={since}..")
        earlier = api.get(f"{base}/agenda_periods?filter[updated_at]=..2000-01-01T00:00:00Z")
        plain = api.get(f"{base}/agenda_periods")

        assert synced.doc["meta"]["deleted_ids"] == [str(doomed.pk)]
        assert earlier.doc["meta"]["deleted_ids"] == []
        assert "deleted_ids" not in plain.doc["meta"]
        assert [p["id"] for p in plain.doc["data"]] == [str(kept.pk)]

    @pytest.mark.parametrize("collection", ["labels", "rentables", "categories"])
    def test_every_hard_delete_leaves_one(self, api, administration, collection):
        from apps.customers.services import label_create
        from tests.rentables.factories import CategoryFactory

        instance = {
            "labels": lambda: label_create(administration=administration, name="Old"),
            "rentables": lambda: RentableFactory(category__administration=administration),
            "categories": lambda: CategoryFactory(administration=administration),
        }[collection]()
        since = timezone.now().isoformat().replace("+00:00", "Z")

        assert (
            api.delete(
                f"/v3/administrations/{administration.pk}/{collection}/{instance.pk}"
            ).status_code
            == 204
        )
        response = api.get(
            f"/v3/administrations/{administration.pk}/{collection}?filter[updated_at]={since}.."
        )

        assert response.doc["meta"]["deleted_ids"] == [str(instance.pk)]

    def test_periods_deleted_with_their_rentable_leave_tombstones(self, api, administration):
        rentable = RentableFactory(category__administration=administration)
        period = AgendaPeriodFactory(rentable=rentable)
        since = timezone.now().isoformat().replace("+00:00", "Z")

        api.delete(f"/v3/administrations/{administration.pk}/rentables/{rentable.pk}")
        response = api.get(
            f"/v3/administrations/{administration.pk}/agenda_periods?filter[updated_at]={since}.."
        )

        assert response.doc["meta"]["deleted_ids"] == [str(period.pk)]

    def test_old_tombstones_are_pruned(self, administration):
        from apps.core.models import Tombstone
        from apps.core.tasks import housekeeping

        Tombstone.objects.create(
            resource_type="label", resource_id="1", administration=administration
        )
        Tombstone.objects.update(deleted_at=timezone.now() - dt.timedelta(days=91))
        Tombstone.objects.create(
            resource_type="label", resource_id="2", administration=administration
        )

        assert housekeeping.delay().get()["tombstones"] == 1
        assert list(Tombstone.objects.values_list("resource_id", flat=True)) == ["2"]
