"""Per-credential rate limits counted in the cache (spec README §7).

Two limits hold at once: ``RATE_LIMIT_WINDOW_REQUESTS`` in a moving window and
``RATE_LIMIT_BURST_REQUESTS`` in any burst window. Counts live in small time buckets (a tenth
of the burst window each) so that "moving" means moving to within a few seconds; with Redis as
the cache every process and machine shares them.

The cache is not allowed to fail a request: when it raises (Redis down, a timeout) the limiter
lets the request through without limit headers, logs a warning and counts the failure in
``cache_failures()`` (shown by ``/health``). An API that keeps serving from PostgreSQL
unthrottled for a while is better than one that answers 500 to everybody.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

_failures = 0
_failures_lock = threading.Lock()


def cache_failures() -> int:
    """How many requests this process let through because the cache failed."""
    return _failures


def _count_failure(exc: Exception) -> None:
    global _failures
    with _failures_lock:
        _failures += 1
        count = _failures
    logger.warning(
        "rate limiter: cache unavailable, request let through (%s failures): %r", count, exc
    )


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    retry_after: int | None  # seconds; set when the request was refused

    @property
    def allowed(self) -> bool:
        return self.retry_after is None

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
        }
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def _bucket_seconds() -> int:
    return max(1, settings.RATE_LIMIT_BURST_SECONDS // 10)


def _key(identifier: str, bucket: int) -> str:
    return f"ratelimit:{identifier}:{bucket}"


def _retry_after(
    counts: dict[int, int], now_bucket: int, buckets: int, limit: int, size: int
) -> int:
    """Seconds until enough of the oldest buckets leave the window to admit one request."""
    total = sum(counts.get(now_bucket - i, 0) for i in range(buckets))
    for age in range(buckets - 1, -1, -1):
        total -= counts.get(now_bucket - age, 0)
        if total < limit:
            leaves_at = (now_bucket - age + buckets) * size
            return max(1, math.ceil(leaves_at - time.time()))
    return buckets * size


def hit(identifier: str) -> RateLimitState | None:
    """Counts one request for ``identifier`` and says whether it is within both limits.

    A refused request is not counted, so a client that backs off as told gets back in. None
    when the cache failed: the request goes through unlimited (see the module docstring).
    """
    try:
        return _hit(identifier)
    except Exception as exc:  # noqa: BLE001 - any cache failure degrades, none fails a request
        _count_failure(exc)
        return None


def _count_and_read(buckets: dict[str, int], *, timeout: int) -> dict[int, int]:
    """Adds one to the first (current) bucket of ``buckets`` (key → bucket number) and reads
    every bucket of the window: with Redis as the cache one round trip (a MULTI of SET NX, INCR
    and MGET) instead of three."""
    names = list(buckets)
    current = names[0]
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        made = [backend.make_key(name) for name in names]  # short ASCII: nothing to validate
        pipe = backend._cache.get_client(write=True).pipeline(transaction=True)
        pipe.set(made[0], 0, ex=timeout, nx=True)
        pipe.incr(made[0])
        pipe.mget(made)
        *_, values = pipe.execute()
        # the cache's serializer stores integers as plain numbers, which INCR counts
        return {buckets[name]: int(v) for name, v in zip(names, values, strict=True) if v}
    cache.add(current, 0, timeout=timeout)
    try:
        cache.incr(current)
    except ValueError:  # evicted between add and incr
        cache.set(current, 1, timeout=timeout)
    stored = cache.get_many(names)
    return {buckets[name]: int(value) for name, value in stored.items()}


def _hit(identifier: str) -> RateLimitState:
    size = _bucket_seconds()
    now_bucket = int(time.time() // size)
    window_buckets = max(1, settings.RATE_LIMIT_WINDOW_SECONDS // size)
    burst_buckets = max(1, settings.RATE_LIMIT_BURST_SECONDS // size)

    keys = {_key(identifier, now_bucket - i): now_bucket - i for i in range(window_buckets)}
    counts = _count_and_read(keys, timeout=settings.RATE_LIMIT_WINDOW_SECONDS + size)
    window_total = sum(counts.values())
    burst_total = sum(counts.get(now_bucket - i, 0) for i in range(burst_buckets))

    window_limit = settings.RATE_LIMIT_WINDOW_REQUESTS
    burst_limit = settings.RATE_LIMIT_BURST_REQUESTS
    # The headers report whichever limit binds first.
    limit, remaining = min(
        (window_limit, window_limit - window_total),
        (burst_limit, burst_limit - burst_total),
        key=lambda pair: pair[1],
    )
    if remaining >= 0:
        return RateLimitState(limit, remaining, None)

    with contextlib.suppress(ValueError):
        cache.decr(_key(identifier, now_bucket))
    counts[now_bucket] = counts.get(now_bucket, 1) - 1
    waits = []
    if window_total > window_limit:
        waits.append(_retry_after(counts, now_bucket, window_buckets, window_limit, size))
    if burst_total > burst_limit:
        waits.append(_retry_after(counts, now_bucket, burst_buckets, burst_limit, size))
    return RateLimitState(limit, 0, max(waits))
