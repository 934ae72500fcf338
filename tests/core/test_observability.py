"""Request ids, JSON logs, Prometheus metrics, /health and Sentry, as an operator meets them."""

import datetime as dt
import gzip
import io
import json
import logging

import pytest
import sentry_sdk
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from apps.calendars.models import ExternalCalendar
from apps.calendars.services.sync import external_calendar_sync
from apps.core.observability import JsonLogFormatter, RequestIdLogFilter, sentry_init
from apps.core.tasks import ping
from apps.webhooks.models import Event, EventBatch, WebhookDelivery, WebhookEndpoint
from tests.calendars import feeds
from tests.jsonapi import JsonApiClient
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


def scrape(client, token="scrape-me") -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.fixture
def metrics(settings):
    settings.METRICS_TOKEN = "scrape-me"
    return lambda: scrape(Client())


# Request ids ----------------------------------------------------------------------------------


def test_every_answer_carries_a_request_id_and_a_sane_offered_one_is_kept(client):
    fresh = client.get("/health")
    kept = client.get("/health", HTTP_X_REQUEST_ID="lb-7f3a.42")
    replaced = client.get("/health", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert len(fresh["X-Request-ID"]) == 32
    assert kept["X-Request-ID"] == "lb-7f3a.42"
    assert replaced["X-Request-ID"] != "bad id\nwith newline"
    assert len(replaced["X-Request-ID"]) == 32


def test_error_documents_carry_the_request_id_in_meta(administration):
    anonymous = JsonApiClient().get(f"/v3/administrations/{administration.pk}")
    unknown = JsonApiClient().get("/v3/no-such-thing", HTTP_X_REQUEST_ID="trace-1")

    assert anonymous.status_code == 401
    assert anonymous.doc["meta"]["request_id"] == anonymous["X-Request-ID"]
    assert anonymous.doc["errors"][0]["code"]
    assert unknown.status_code == 404
    assert unknown.doc["meta"] == {"request_id": "trace-1"}


def test_successful_documents_are_left_alone(api, administration):
    shown = api.get(f"/v3/administrations/{administration.pk}")

    assert shown.status_code == 200
    assert "request_id" not in shown.doc.get("meta", {})


# Logs -----------------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    handler.addFilter(RequestIdLogFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_log_lines_are_json_with_the_request_id(client, settings, json_log, monkeypatch):
    settings.LOG_REQUESTS = True

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("apps.core.views_meta.connection.cursor", refuse)

    response = client.get("/health", HTTP_X_REQUEST_ID="req-55")
    logging.getLogger("outside").error("no request here")

    lines = json_log()
    warning = next(line for line in lines if line["logger"] == "apps.core.views_meta")
    access = next(line for line in lines if line["logger"] == "holidaypark.requests")
    outside = next(line for line in lines if line["logger"] == "outside")
    assert response.status_code == 503
    assert warning["request_id"] == "req-55"
    assert warning["level"] == "WARNING"
    assert "database failed" in warning["message"]
    assert access["request_id"] == "req-55"
    assert access["message"].startswith("GET /health 503")
    assert outside["request_id"] is None
    assert dt.datetime.fromisoformat(warning["time"]).tzinfo is not None


def test_a_logged_exception_keeps_its_traceback(json_log):
    try:
        raise ValueError("kaboom")
    except ValueError:
        logging.getLogger("worker").exception("task failed")

    (line,) = [line for line in json_log() if line["logger"] == "worker"]
    assert line["message"] == "task failed"
    assert "ValueError: kaboom" in line["exception"]


# Metrics --------------------------------------------------------------------------------------


def test_metrics_need_the_token_and_are_off_without_one(client, settings):
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").status_code == 200

    settings.METRICS_TOKEN = ""
    settings.DEBUG = False
    assert client.get("/metrics").status_code == 404


def test_requests_are_counted_by_route_and_status(client, metrics, administration):
    key_ok = (
        "holidaypark_http_requests_total",
        (("method", "GET"), ("status", "200"), ("view", "health")),
    )
    detail = "v3:administration-detail"
    before = metrics()

    for _ in range(3):
        client.get("/health")
    JsonApiClient().get(f"/v3/administrations/{administration.pk}")

    after = metrics()
    assert after[key_ok] - before.get(key_ok, 0) == 3
    unauthorised = [
        value - before.get(key, 0)
        for key, value in after.items()
        if key[0] == "holidaypark_http_requests_total"
        and ("status", "401") in key[1]
        and ("view", detail) in key[1]
    ]
    assert unauthorised == [1]
    assert (
        "holidaypark_http_request_duration_seconds_count",
        (("method", "GET"), ("view", "health")),
    ) in after


def test_celery_tasks_are_counted_by_outcome(metrics):
    from apps.core.tasks import housekeeping

    key = ("holidaypark_celery_tasks_total", (("outcome", "succeeded"), ("task", "core.ping")))
    before = metrics().get(key, 0)

    ping.delay()
    ping.delay()
    housekeeping.delay()

    after = metrics()
    assert after[key] - before == 2
    assert after[("holidaypark_celery_task_duration_seconds_count", (("task", "core.ping"),))] >= 2


def test_a_failing_task_is_counted_as_failed(metrics, settings):
    from celery import shared_task

    @shared_task(name="tests.explode")
    def explode():
        raise RuntimeError("no")

    key = ("holidaypark_celery_tasks_total", (("outcome", "failed"), ("task", "tests.explode")))
    before = metrics().get(key, 0)
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    explode.apply()

    assert metrics()[key] - before == 1


def test_the_webhook_backlog_is_a_gauge(metrics, administration):
    endpoint = WebhookEndpoint.objects.create(
        administration=administration, url="https://hooks.example.com/x", events=["*"], secret="s"
    )
    event = Event.objects.create(
        administration=administration,
        name="booking.created",
        occurred_at=timezone.now(),
        document="{}",
    )
    now = timezone.now()
    for sequence, (status, next_attempt) in enumerate(
        [
            ("pending", now - dt.timedelta(minutes=5)),
            ("pending", now + dt.timedelta(hours=1)),
            ("succeeded", None),
        ],
        start=1,
    ):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, sequence=sequence, status=status,
            next_attempt_at=next_attempt,
        )  # fmt: skip
    WebhookDelivery.objects.filter(status="pending").update(
        created_at=now - dt.timedelta(minutes=10)
    )
    assert delivery.status == "succeeded"

    samples = metrics()

    assert samples[("holidaypark_webhook_deliveries_pending", ())] == 2
    assert samples[("holidaypark_webhook_deliveries_due", ())] == 1
    assert samples[("holidaypark_webhook_oldest_pending_age_seconds", ())] >= 600
    assert samples[("holidaypark_webhook_outbox_waiting", ())] == 0
    assert samples[("holidaypark_webhook_outbox_oldest_age_seconds", ())] == 0


def test_writes_waiting_for_the_relay_are_a_gauge(metrics, administration):
    from apps.webhooks.outbox import relay
    from apps.webhooks.services import endpoint_create, event_emit
    from tests.factories import CustomerFactory

    endpoint_create(
        administration=administration,
        application_id=None,
        url="https://hooks.example.com/x",
        events=["*"],
    )
    customer = CustomerFactory(administration=administration)
    for _ in range(2):
        event_emit("customer.updated", instance=customer, administration=administration)
    EventBatch.objects.update(created_at=timezone.now() - dt.timedelta(minutes=3))

    samples = metrics()
    assert samples[("holidaypark_webhook_outbox_waiting", ())] == 2
    assert samples[("holidaypark_webhook_outbox_oldest_age_seconds", ())] >= 180

    relay()
    samples = metrics()
    assert samples[("holidaypark_webhook_outbox_waiting", ())] == 0
    assert samples[("holidaypark_webhook_outbox_oldest_age_seconds", ())] == 0
    assert samples[("holidaypark_webhook_deliveries_pending", ())] == 2


def test_feed_sync_outcomes_are_counted(metrics, administration, httpserver):
    rentable = RentableFactory(category__administration=administration)
    httpserver.expect_request("/ok.ics").respond_with_data(feeds.render(feeds.BOOKING_COM))
    httpserver.expect_request("/gone.ics").respond_with_data("", status=410)
    good, bad = (
        ExternalCalendar.objects.create(
            administration=administration,
            rentable=rentable,
            name=name,
            ical_url=httpserver.url_for(path),
        )
        for name, path in (("ok", "/ok.ics"), ("gone", "/gone.ics"))
    )

    def count(outcome):
        return metrics().get(("holidaypark_ical_syncs_total", (("outcome", outcome),)), 0)

    before = {outcome: count(outcome) for outcome in ("updated", "failed")}
    external_calendar_sync(calendar_id=good.pk)
    external_calendar_sync(calendar_id=bad.pk)
    samples = metrics()

    assert count("updated") - before["updated"] == 1
    assert count("failed") - before["failed"] == 1
    assert samples[("holidaypark_external_calendars", (("state", "ok"),))] == 1
    assert samples[("holidaypark_external_calendars", (("state", "failing"),))] == 1
    assert samples[("holidaypark_external_calendars", (("state", "never_synced"),))] == 0


# /health --------------------------------------------------------------------------------------


def test_health_checks_database_cache_and_broker(client, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path / "control"),
    }

    response = client.get("/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_health_names_an_unreachable_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "failed"}


def test_health_names_an_unreachable_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    try:
        response = client.get("/health")
    finally:
        caches["default"].close()

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"
    assert response.json()["checks"]["database"] == "ok"


# Sentry ---------------------------------------------------------------------------------------


@pytest.fixture
def boom_urls(settings):
    settings.ROOT_URLCONF = "tests.core.urls_boom"


def test_errors_reach_sentry_tagged_with_the_request_id(httpserver, boom_urls):
    httpserver.expect_request("/api/1/envelope/", method="POST").respond_with_data("{}")
    sentry_init(
        f"http://public@{httpserver.host}:{httpserver.port}/1",
        environment="test",
        traces_sample_rate=0.0,
    )
    try:
        response = Client(raise_request_exception=False).get("/boom", HTTP_X_REQUEST_ID="r-99")
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.init()  # no DSN: nothing is sent any more

    assert response.status_code == 500
    bodies = []
    for request, _ in httpserver.log:
        data = request.get_data()
        if request.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        elif request.headers.get("Content-Encoding") == "br":
            import brotli

            data = brotli.decompress(data)
        bodies.append(data.decode())
    events = [
        json.loads(line)
        for body in bodies
        for line in body.splitlines()
        if line.startswith("{") and '"exception"' in line
    ]
    assert len(events) == 1
    assert events[0]["tags"]["request_id"] == "r-99"
    assert events[0]["environment"] == "test"
    assert events[0]["exception"]["values"][-1]["type"] == "RuntimeError"


@pytest.mark.django_db(transaction=True)
def test_over_real_http_the_error_document_with_its_id_arrives_whole(live_server):
    import requests

    response = requests.get(
        f"{live_server.url}/v3/no-such-thing",
        headers={"Accept": "application/vnd.api+json", "X-Request-ID": "whole-1"},
        timeout=10,
    )

    assert response.status_code == 404
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.json()["meta"] == {"request_id": "whole-1"}
