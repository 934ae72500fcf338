"""What operators see from inside: request ids, JSON logs, Prometheus metrics, Sentry.

- Every request gets an id (the caller's ``X-Request-ID`` when it is sane, a new one otherwise).
  It is sent back as ``X-Request-ID``, stamped on every log line written while the request runs,
  and put in the ``meta`` of every error document, so a client's report finds its log lines.
- Metrics use the Prometheus client. Under gunicorn or a prefork Celery worker each process
  writes its own files in ``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds them up; without that
  variable the metrics live in the one process. Apps add gauges read at scrape time (backlogs)
  with :func:`register_scrape_collector`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import json
import logging
import os
import re
import time
import traceback
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import Metric

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_logger = logging.getLogger("holidaypark.requests")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

HTTP_REQUESTS = Counter(
    "holidaypark_http_requests_total",
    "HTTP requests answered, by method, URL name (e.g. v3:booking-list) and status code.",
    ["method", "view", "status"],
)
HTTP_SECONDS = Histogram(
    "holidaypark_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and URL name.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CELERY_TASKS = Counter(
    "holidaypark_celery_tasks_total",
    "Celery tasks finished, by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
CELERY_SECONDS = Histogram(
    "holidaypark_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)


# Request ids ----------------------------------------------------------------------------------


def current_request_id() -> str | None:
    """The id of the request being answered in this thread, if any."""
    return _request_id.get()


class RequestIdLogFilter(logging.Filter):
    """Gives every record a ``request_id`` attribute (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs after the middleware returned, passing the request along
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, default=str)


def _error_document_with_request_id(response, request_id: str) -> None:
    """Adds ``meta.request_id`` to a JSON:API error document, leaving everything else as is."""
    if response.status_code < 400 or getattr(response, "streaming", False):
        return
    if not response.get("Content-Type", "").startswith(
        ("application/vnd.api+json", "application/json")
    ):
        return
    try:
        document = json.loads(response.content)
    except ValueError:
        return
    if not isinstance(document, dict) or not isinstance(document.get("errors"), list):
        return
    meta = document.get("meta")
    document["meta"] = {**(meta if isinstance(meta, dict) else {}), "request_id": request_id}
    response.content = json.dumps(document).encode()
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))


class RequestObservabilityMiddleware:
    """First in the chain: the request id, the request metrics, the id in error documents."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            _error_document_with_request_id(response, request_id)
            response[REQUEST_ID_HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            view = (match.view_name or match.route) if match else "<unmatched>"
            HTTP_REQUESTS.labels(request.method, view, str(response.status_code)).inc()
            elapsed = time.perf_counter() - started
            HTTP_SECONDS.labels(request.method, view).observe(elapsed)
            if settings.LOG_REQUESTS:
                request_logger.info(
                    "%s %s %s %.1fms",
                    request.method,
                    request.get_full_path(),
                    response.status_code,
                    elapsed * 1000,
                )
            return response
        finally:
            _request_id.reset(token)


# Metrics --------------------------------------------------------------------------------------

_scrape_collectors: list[Callable[[], Iterable[Metric]]] = []


def register_scrape_collector(collect: Callable[[], Iterable[Metric]]) -> None:
    """Adds a function whose metrics are computed at each scrape (e.g. a backlog read from the
    database). Apps call it from ``AppConfig.ready``."""
    if collect not in _scrape_collectors:
        _scrape_collectors.append(collect)


class _ScrapeCollectors:
    def collect(self):
        for collect in list(_scrape_collectors):
            try:
                yield from collect()
            except Exception:  # noqa: BLE001 - one failing gauge must not hide the others
                logging.getLogger(__name__).exception("metrics: %s failed", collect.__name__)


def metrics_registry() -> CollectorRegistry:
    """Every process's metrics when ``PROMETHEUS_MULTIPROC_DIR`` is set, this process's otherwise."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def metrics_text() -> bytes:
    """The exposition: the counters and histograms, then the gauges read at scrape time."""
    scrape = CollectorRegistry()
    scrape.register(_ScrapeCollectors())
    return generate_latest(metrics_registry()) + generate_latest(scrape)


def metrics_view(request):
    """``GET /metrics`` in the Prometheus text format. With ``METRICS_TOKEN`` set it asks for
    ``Authorization: Bearer <token>``; without it, it answers only in DEBUG."""
    token = settings.METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(offered.encode(), token.encode()):
            response = HttpResponse("metrics need the bearer token\n", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    elif not settings.DEBUG:
        return HttpResponse("metrics are off: set METRICS_TOKEN\n", status=404)
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)


def clear_multiprocess_dir() -> None:
    """Removes the files of processes from an earlier run (call once, before forking)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


def mark_process_dead(pid: int) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)


# Celery ---------------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


def connect_celery_signals() -> None:
    """Counts and times tasks in whichever process runs them (worker children, or eagerly)."""
    from celery import signals

    def prerun(task_id=None, **_):
        _task_started[task_id] = time.perf_counter()

    def postrun(task_id=None, task=None, state=None, **_):
        started = _task_started.pop(task_id, None)
        name = getattr(task, "name", "unknown")
        if started is not None:
            CELERY_SECONDS.labels(name).observe(time.perf_counter() - started)
        if state == "SUCCESS":
            CELERY_TASKS.labels(name, "succeeded").inc()
        elif state == "FAILURE":
            CELERY_TASKS.labels(name, "failed").inc()
        elif state == "RETRY":
            CELERY_TASKS.labels(name, "retried").inc()

    def worker_init(**_):
        clear_multiprocess_dir()

    def worker_ready(**_):
        port = int(os.environ.get("CELERY_METRICS_PORT") or 0)
        if port:
            from prometheus_client import start_http_server

            start_http_server(
                port,
                addr=os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0"),
                registry=metrics_registry(),
            )

    def process_shutdown(pid=None, **_):
        mark_process_dead(pid or os.getpid())

    signals.task_prerun.connect(prerun, weak=False, dispatch_uid="metrics-prerun")
    signals.task_postrun.connect(postrun, weak=False, dispatch_uid="metrics-postrun")
    signals.worker_init.connect(worker_init, weak=False, dispatch_uid="metrics-worker-init")
    signals.worker_ready.connect(worker_ready, weak=False, dispatch_uid="metrics-worker-ready")
    signals.worker_process_shutdown.connect(
        process_shutdown, weak=False, dispatch_uid="metrics-process-shutdown"
    )


# Sentry ---------------------------------------------------------------------------------------


def sentry_init(dsn: str, *, environment: str, traces_sample_rate: float, release: str = ""):
    """Errors (web and Celery) go to Sentry, tagged with the request id. The SDK's default of
    sending no personal data (no cookies, user, or client address) is kept."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    def tag_request_id(event, hint):
        request_id = current_request_id()
        if request_id:
            event.setdefault("tags", {})["request_id"] = request_id
        return event

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=tag_request_id,
    )
