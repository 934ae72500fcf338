"""A cache outage is not an API outage: the rate limiter degrades, requests are served."""

import socket

import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.bookings.models import Booking
from apps.core import ratelimit
from tests.bookings.helpers import booking_document, stay
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nobody listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broken_cache():
    location = f"redis://127.0.0.1:{closed_port()}/0"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=caches):
        with pytest.raises(Exception, match="(?i)connect"):
            cache.get("anything")  # the backend really fails on every call
        yield


def test_reads_and_writes_are_served_while_the_cache_is_down(broken_cache, api, administration):
    # given
    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    before = ratelimit.cache_failures()
    base = f"/v3/administrations/{administration.pk}"

    # when
    listed = api.get(f"{base}/bookings")
    created = api.post(f"{base}/bookings", booking_document(stays=[stay(rentable, 3, 5, "a")]))
    read = api.get(f"{base}/bookings/{created.doc['data']['id']}")

    # then: served from the database, unthrottled, and each degraded request counted
    assert (listed.status_code, created.status_code, read.status_code) == (200, 201, 200)
    assert Booking.objects.count() == 1
    assert "X-RateLimit-Limit" not in listed
    assert ratelimit.cache_failures() == before + 3


def test_health_reports_the_cache_and_the_degraded_requests(broken_cache, api, client):
    api.get("/v3/administrations")

    with override_settings(REDIS_URL="redis://configured"):
        response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"
    assert response.json()["counters"]["rate_limit_cache_failures"] >= 1


def test_a_cache_error_on_a_path_that_needs_the_cache_is_503_with_retry_after(
    broken_cache, api, monkeypatch
):
    # given: a view that cannot do without the cache (none does today; the handler is ready)
    def needs_cache(**kwargs):
        return cache.get("something")

    monkeypatch.setattr("apps.administrations.views.administration_list", needs_cache)

    response = api.get("/v3/administrations")

    assert response.status_code == 503
    assert response.doc["errors"][0]["code"] == "SERVICE_UNAVAILABLE"
    assert response["Retry-After"] == "5"
