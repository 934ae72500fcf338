"""Endpoints about the service itself: health, the OpenAPI document and its rendering."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
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


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)


def _check_broker() -> None:
    from kombu import Connection

    transport_options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=3, transport_options=transport_options
    ) as broker:
        broker.ensure_connection(max_retries=1, timeout=3)
        broker.default_channel  # noqa: B018 - opening a channel talks to the broker


@require_GET
def health(request):
    """200 when the database, the cache and the task broker answer; 503 naming what failed.

    The broker is checked where one is configured (with none, tasks run in the web process)."""
    checks: dict[str, Callable[[], None]] = {"database": _check_database, "cache": _check_cache}
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            logger.warning("health: %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "failed"
    healthy = all(value == "ok" for value in results.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": results,
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


_document_cache: dict = {}


def api_document() -> dict:
    """The OpenAPI document drf-spectacular generates, built once per process."""
    if "document" not in _document_cache:
        from drf_spectacular.generators import SchemaGenerator

        _document_cache["document"] = SchemaGenerator().get_schema(request=None, public=True)
    return _document_cache["document"]


@api_get_only
def openapi_document(request):
    document = dict(api_document())
    # Paths start with /v3, so the server is the site root, written without a trailing slash.
    document["servers"] = [{"url": request.build_absolute_uri("/").rstrip("/")}]
    return JsonResponse(document)


@api_get_only
def docs(request):
    """Redoc, served from drf-spectacular-sidecar's static files."""
    return render(request, "docs.html")


@api_get_only
def swagger_ui(request):
    """Swagger UI (try requests with an API key), served from drf-spectacular-sidecar."""
    return render(request, "swagger_ui.html")


@csrf_exempt  # no cookies under /v3: a POST here must meet the JSON:API 404, not a CSRF page
def api_not_found(request, *args):
    """Unknown /v3 paths answer with a JSON:API 404 even in DEBUG (no HTML for API clients)."""
    return error_response(404, f"No endpoint at {request.path}.")
