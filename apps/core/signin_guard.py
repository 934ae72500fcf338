"""How the sign-in lockout (django-axes) sees a client and answers a locked-out one."""

from __future__ import annotations

import math

from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The address that failed sign-ins are counted against.

    With TRUSTED_PROXY_COUNT = 0 it is the socket's peer. Behind proxies, each appends the
    address it saw to X-Forwarded-For, so the client is that many entries from the right;
    anything further left was written by the client and is not trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After and a page that says what happened and how long to wait."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": math.ceil(seconds / 60), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
