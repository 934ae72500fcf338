"""Endpoints about the service itself: health, the OpenAPI document and its rendering."""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from apps.core import ratelimit
from apps.core.errors import error_response, method_not_allowed

logger = logging.getLogger(__name__)


@require_GET
def health(request):
    """200 when the database (and Redis, when configured) answer; 503 naming what failed."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        logger.warning("health: database failed: %s", exc)
        checks["database"] = "failed"
    if settings.REDIS_URL:
        try:
            cache.set("health:ping", "1", timeout=5)
            checks["redis"] = "ok" if cache.get("health:ping") == "1" else "failed"
        except Exception as exc:  # noqa: BLE001
            logger.warning("health: redis failed: %s", exc)
            checks["redis"] = "failed"
    healthy = all(value == "ok" for value in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": checks,
        # Requests let through unlimited because the cache failed (since this process started).
        "counters": {"rate_limit_cache_failures": ratelimit.cache_failures()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def api_get_only(view):
    """GET/HEAD only, answering anything else with a JSON:API 405 (not Django's empty one)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed(request, ["GET", "HEAD"])
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


@api_get_only
def openapi_document(request):
    from apps.core.openapi import build_document
    from config.api_router import router

    return JsonResponse(build_document(router, request.build_absolute_uri("/")))


@api_get_only
def docs(request):
    return render(request, "docs.html")


@csrf_exempt  # no cookies under /v3: a POST here must meet the JSON:API 404, not a CSRF page
def api_not_found(request, *args):
    """Unknown /v3 paths answer with a JSON:API 404 even in DEBUG (no HTML for API clients)."""
    return error_response(404, f"No endpoint at {request.path}.")
