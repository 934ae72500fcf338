"""The JSON:API error document and its codes (spec README §2), for every error path.

Views raise ``ApiError`` (or DRF's exceptions), services raise the domain's own errors
(``apps.core.exceptions``); ``exception_handler`` turns any of them into
``{"errors": [...]}`` with ``status`` as a string and one of the codes below. Django's own 404
and 500 handlers reuse ``error_response`` so nothing under /v3 ever answers with HTML.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework_json_api.exceptions import Conflict as DjaConflict
from rest_framework_json_api.utils import format_drf_errors

from apps.core import exceptions as domain

logger = logging.getLogger(__name__)

JSONAPI_MEDIA_TYPE = "application/vnd.api+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "Unprocessable entity",
    429: "Too many requests",
    431: "Request header fields too large",
    500: "Internal server error",
    503: "Service unavailable",
}

CODES = {
    400: "FORBIDDEN_INPUT",
    401: "UNAUTHORIZED",
    403: "NO_VALID_SCOPE",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    414: "URI_TOO_LONG",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_FAILED",
    429: "RATE_LIMITED",
    431: "HEADERS_TOO_LARGE",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


@dataclass
class ErrorObject:
    status: int
    detail: str
    code: str | None = None
    title: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    meta: dict | None = None
    links: dict | None = None

    def as_dict(self) -> dict:
        body = {
            "status": str(self.status),
            "code": self.code or CODES.get(self.status, "ERROR"),
            "title": self.title or TITLES.get(self.status, "Error"),
            "detail": str(self.detail),
        }
        if self.pointer is not None:
            body["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            body["source"] = {"parameter": self.parameter}
        if self.meta:
            body["meta"] = self.meta
        if self.links:
            body["links"] = self.links
        return body


@dataclass
class ApiError(Exception):
    """An error this product raises on purpose; one or more error objects, one HTTP status."""

    status: int
    detail: str
    code: str | None = None
    title: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    headers: dict = field(default_factory=dict)
    extra: list[ErrorObject] = field(default_factory=list)
    meta: dict | None = None
    links: dict | None = None

    def error_objects(self) -> list[ErrorObject]:
        first = ErrorObject(
            self.status,
            self.detail,
            self.code,
            self.title,
            self.pointer,
            self.parameter,
            self.meta,
            self.links,
        )
        return [first, *self.extra]


def bad_query(parameter: str, detail: str) -> ApiError:
    """400 FORBIDDEN_INPUT for a query parameter that cannot be honoured."""
    return ApiError(400, detail, parameter=parameter)


def not_found(detail: str = "The requested resource could not be found.") -> ApiError:
    return ApiError(404, detail)


def conflict(detail: str, pointer: str | None = None) -> ApiError:
    return ApiError(409, detail, pointer=pointer)


def payload_too_large() -> ApiError:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return ApiError(413, f"The request body is larger than the limit of {limit} bytes.")


# How each kind of domain error shows to an API client: (status, code). The first match in
# this order wins, so subclasses come before their bases.
DOMAIN_STATUS: tuple[tuple[type[domain.DomainError], int, str], ...] = (
    (domain.Conflict, 409, "CONFLICT"),
    (domain.InvalidTransition, 422, "INVALID_STATE_TRANSITION"),
    (domain.NotPermitted, 403, "NO_VALID_SCOPE"),
    (domain.DomainError, 422, "VALIDATION_FAILED"),
)


def domain_error_object(exc: domain.DomainError, pointer: str | None = None) -> ErrorObject:
    """The error object for a service's refusal. ``pointer`` overrides the one derived from
    ``exc.field`` (the side-posting reader aims errors at ``included`` entries)."""
    status, code = next((s, c) for kind, s, c in DOMAIN_STATUS if isinstance(exc, kind))
    if pointer is None and exc.field is not None:
        pointer = f"/data/attributes/{exc.field}"
    return ErrorObject(status, exc.message, code=code, pointer=pointer)


def error_document(objects: list[ErrorObject]) -> dict:
    return {"errors": [obj.as_dict() for obj in objects]}


def error_response(status: int, detail: str, **kwargs) -> JsonResponse:
    """A plain Django response carrying a JSON:API error document (for non-DRF code paths)."""
    doc = error_document([ErrorObject(status, detail, **kwargs)])
    return JsonResponse(doc, status=status, content_type=JSONAPI_MEDIA_TYPE)


def _drf_status_code(exc: drf.APIException) -> tuple[int, str | None]:
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return 401, "UNAUTHORIZED"
    if isinstance(exc, DjaConflict):
        return 409, "CONFLICT"
    if isinstance(exc, drf.ValidationError):
        return 422, "VALIDATION_FAILED"
    if isinstance(exc, drf.ParseError):
        return 400, "FORBIDDEN_INPUT"
    return exc.status_code, None


def _validation_objects(exc: drf.ValidationError, context: dict) -> list[ErrorObject]:
    """Reuse the JSON:API library's pointer logic, then normalise to our error objects."""
    response = Response(exc.detail, status=422)
    formatted = format_drf_errors(response, context, exc).data
    relationships = _relationship_names(context.get("request"))
    objects = []
    for item in formatted:
        pointer = (item.get("source") or {}).get("pointer") or "/data"
        name = pointer.removeprefix("/data/attributes/").split("/")[0]
        if pointer.startswith("/data/attributes/") and name in relationships:
            pointer = pointer.replace("/data/attributes/", "/data/relationships/", 1)
        objects.append(ErrorObject(422, item.get("detail", "Invalid value."), pointer=pointer))
    return objects or [ErrorObject(422, "Invalid document.", pointer="/data")]


def _relationship_names(request) -> set[str]:
    """Names the request body sent under ``relationships`` (the parser records them)."""
    try:
        data = request.data if request is not None else {}
    except Exception:  # noqa: BLE001 - an unparsable body has no names to offer
        return set()
    return set(data.get("_relationship_names", ())) if isinstance(data, dict) else set()


def _refusal_object(exc: DjangoValidationError) -> ErrorObject:
    """A domain refusal that tells the client more than a field's message (a stay rule's
    ``meta.rule``): one error at its field, or where the view aimed it (``exc.pointer``)."""
    field, messages = next(iter(exc.message_dict.items()))
    pointer = getattr(exc, "pointer", None) or f"/data/attributes/{field}"
    return ErrorObject(422, messages[0], pointer=pointer, meta=exc.error_meta)


def _objects_for(exc: Exception, context: dict) -> tuple[list[ErrorObject], dict]:
    if isinstance(exc, DjangoValidationError) and getattr(exc, "error_meta", None):
        return [_refusal_object(exc)], {}
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError keyed by field, so the back-office can use
        # them too; here they become 422s whose pointers follow the view's serializer.
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = drf.ValidationError(detail)
    if isinstance(exc, ApiError):
        return exc.error_objects(), exc.headers
    if isinstance(exc, domain.DomainError):
        return [domain_error_object(exc)], {}
    if isinstance(exc, OperationalError):
        # The database is down or (SQLite) busy past its timeout: nothing was saved, and the
        # same request may succeed shortly.
        logger.warning("database unavailable: %s", exc)
        detail = "The database is busy or unavailable; nothing was changed. Try again shortly."
        return [ErrorObject(503, detail)], {"Retry-After": "2"}
    if _is_backing_service_outage(exc):
        # The cache or broker is unreachable on a path that truly needs it (the rate limiter
        # and the after-commit enqueue do not: they degrade).
        logger.warning("backing service unavailable: %r", exc)
        detail = "A backing service is unavailable; nothing was changed. Try again shortly."
        return [ErrorObject(503, detail)], {"Retry-After": "5"}
    if isinstance(exc, RequestDataTooBig):
        return payload_too_large().error_objects(), {}
    if isinstance(exc, SuspiciousOperation):
        return [ErrorObject(400, "The request could not be understood.")], {}
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return [ErrorObject(404, "The requested resource could not be found.")], {}
    if isinstance(exc, DjangoPermissionDenied):
        return [ErrorObject(403, str(exc) or "You do not have permission.")], {}
    if isinstance(exc, drf.ValidationError):
        return _validation_objects(exc, context), {}
    if isinstance(exc, drf.APIException):
        status, code = _drf_status_code(exc)
        headers = {}
        if isinstance(exc, drf.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return [ErrorObject(status, detail, code=code)], headers
    raise exc


def _is_backing_service_outage(exc: Exception) -> bool:
    """Redis (cache) or the Celery broker unreachable: worth a retry, not a 500."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exc, (RedisConnectionError, RedisTimeoutError, BrokerError))


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every API error, whatever raised it, as a JSON:API document."""
    try:
        objects, headers = _objects_for(exc, context)
    except Exception:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        objects, headers = [ErrorObject(500, "An unexpected error occurred.")], {}
    if objects[0].status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    # The JSON:API renderer wraps a list of error objects in {"errors": [...]} itself.
    data = [obj.as_dict() for obj in objects]
    return Response(data, status=objects[0].status, headers=headers)


def handler404(request, exception=None):
    if not request.path.startswith("/v3"):
        from django.views.defaults import page_not_found

        return page_not_found(request, exception)
    return error_response(404, "The requested resource could not be found.")


def handler500(request):
    return error_response(500, "An unexpected error occurred.")


def handler400(request, exception=None):
    return error_response(400, "The request could not be understood.")


def handler403(request, exception=None):
    return error_response(403, "You do not have permission to perform this action.")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the API never uses cookies, so this only answers browser forms
    (admin, consent); under /v3 it still answers with a JSON:API document."""
    if not request.path.startswith("/v3"):
        from django.views.csrf import csrf_failure as django_csrf_failure

        return django_csrf_failure(request, reason)
    return error_response(403, "The request was refused (CSRF check failed).")


def method_not_allowed(request, allowed: list[str]) -> JsonResponse:
    response = error_response(405, f"Method {request.method} is not allowed here.")
    response["Allow"] = ", ".join(allowed)
    return response
