"""Rate limits per credential, counted in the cache (Redis in production)."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from apps.core import ratelimit
from tests.jsonapi import error_codes

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def test_every_response_carries_the_headers(api):
    first = api.get("/v3/administrations")
    second = api.get("/v3/administrations")

    assert first["X-RateLimit-Limit"] == "100"  # the per-minute cap binds first
    assert int(first["X-RateLimit-Remaining"]) == int(second["X-RateLimit-Remaining"]) + 1


@override_settings(RATE_LIMIT_BURST_REQUESTS=3)
def test_burst_over_the_limit_is_429_with_retry_after(api):
    statuses = [api.get("/v3/administrations").status_code for _ in range(3)]
    refused = api.get("/v3/administrations")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert error_codes(refused) == ["RATE_LIMITED"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["X-RateLimit-Remaining"] == "0"


@override_settings(RATE_LIMIT_WINDOW_REQUESTS=4, RATE_LIMIT_BURST_REQUESTS=100)
def test_window_limit(api):
    for _ in range(4):
        assert api.get("/v3/administrations").status_code == 200

    refused = api.get("/v3/administrations")

    assert refused.status_code == 429
    assert refused["X-RateLimit-Limit"] == "4"
    assert int(refused["Retry-After"]) <= 15 * 60


@override_settings(RATE_LIMIT_BURST_REQUESTS=2)
def test_counts_are_per_credential(api, client_for, administration):
    other = client_for(administration)
    api.get("/v3/administrations")
    api.get("/v3/administrations")

    assert api.get("/v3/administrations").status_code == 429
    assert other.get("/v3/administrations").status_code == 200


@override_settings(RATE_LIMIT_BURST_REQUESTS=2)
def test_refused_requests_do_not_count():
    identifier = "test-refused"
    assert ratelimit.hit(identifier).allowed
    assert ratelimit.hit(identifier).allowed
    for _ in range(5):
        assert not ratelimit.hit(identifier).allowed

    size = ratelimit._bucket_seconds()
    now = int(time.time() // size)
    keys = [ratelimit._key(identifier, now - age) for age in range(20)]
    assert sum(caches["default"].get_many(keys).values()) == 2


# A key prefix of its own per run: the test never clears the database, which another run
# (or CI) may be using at the same time.
REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"ratelimit-shared-test-{uuid.uuid4().hex[:12]}",
    }
}


@override_settings(CACHES=REDIS_CACHE, RATE_LIMIT_BURST_REQUESTS=5)
def test_processes_share_one_count_through_redis():
    # given: another process spends three requests of the same credential
    script = (
        "import django; django.setup();"
        "from django.conf import settings;"
        "from django.test.utils import override_settings;"
        "from apps.core import ratelimit;"
        f"o = override_settings(CACHES={REDIS_CACHE!r}, RATE_LIMIT_BURST_REQUESTS=5); o.enable();"
        "[ratelimit.hit('shared-credential') for _ in range(3)]"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=60)

    # when: this process spends the rest
    results = [ratelimit.hit("shared-credential").allowed for _ in range(3)]

    # then
    assert results == [True, True, False]


@override_settings(CACHES=REDIS_CACHE, RATE_LIMIT_BURST_REQUESTS=3)
def test_a_request_costs_one_round_trip_to_redis(monkeypatch):
    # given
    from redis.connection import AbstractConnection

    sent = []
    original = AbstractConnection.send_packed_command

    def counting(connection, command, *args, **kwargs):
        sent.append(command)
        return original(connection, command, *args, **kwargs)

    identifier = f"round-trips-{uuid.uuid4().hex[:8]}"
    ratelimit.hit(f"{identifier}-warm")  # the connection's handshake is not the request's
    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)

    # when
    states = [ratelimit.hit(identifier) for _ in range(3)]

    # then: the count, the expiry and the window's buckets went in one packet per request
    assert len(sent) == 3
    assert [state.remaining for state in states] == [2, 1, 0]
    size = ratelimit._bucket_seconds()
    before = int(time.time() // size)
    assert ratelimit.hit(identifier).retry_after is not None
    after = int(time.time() // size)  # the last hit's bucket is one of the two
    client = caches["default"]._cache.get_client(write=True)
    ttls = [
        client.ttl(caches["default"].make_and_validate_key(ratelimit._key(identifier, bucket)))
        for bucket in {before, after}
    ]
    assert any(0 < ttl <= ratelimit.settings.RATE_LIMIT_WINDOW_SECONDS + size for ttl in ttls)
