"""The outbox's share of a write: endpoints read once, one row written, no lock taken; and the
relay's share after commit: events and deliveries in bulk, sequences intact."""

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.bookings.services.bookings import booking_create
from apps.webhooks import services
from apps.webhooks.models import EventBatch, WebhookDelivery
from apps.webhooks.outbox import relay
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


def test_a_write_reads_endpoints_once_and_numbers_each_endpoint_gap_free(administration):
    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    endpoints = [
        services.endpoint_create(
            administration=administration,
            application_id=None,
            url=f"https://hooks{i}.example.com/in",
            events=["*"],
        )
        for i in range(3)
    ]
    arrival = dt.date.today() + dt.timedelta(days=5)

    def book(days):
        booking_create(
            administration=administration,
            reservations=[
                {
                    "rentable": rentable,
                    "arrival_date": arrival + dt.timedelta(days=days),
                    "departure_date": arrival + dt.timedelta(days=days + 2),
                    "adults": 2,
                }
            ],
        )

    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        book(0)
    book(10)

    sql = [query["sql"] for query in captured.captured_queries]
    webhook_statements = [q for q in sql if "webhooks_" in q]
    endpoint_reads = [q for q in sql if q.startswith("SELECT") and "webhooks_webhookendpoint" in q]
    assert len(endpoint_reads) == 1  # three events, one read
    # the write's only other outbox statement: its events as one row; no lock, no sequence
    assert [q.split("(")[0].strip() for q in webhook_statements if q not in endpoint_reads] == [
        'INSERT INTO "webhooks_eventbatch"'
    ]
    assert EventBatch.objects.count() == 2
    assert not WebhookDelivery.objects.exists()  # numbered by the relay, after commit

    with CaptureQueriesContext(connection) as relaying:
        assert relay() == 6
    delivery_inserts = [q["sql"] for q in relaying.captured_queries if "INSERT INTO" in q["sql"]]
    assert len([q for q in delivery_inserts if "webhookdelivery" in q]) == 1  # both writes'
    assert not EventBatch.objects.exists()
    assert relay() == 0  # relayed once
    for endpoint in endpoints:
        sequences = list(
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .order_by("event__occurred_at", "pk")
            .values_list("sequence", flat=True)
        )
        assert sequences == [1, 2, 3, 4, 5, 6]


def test_an_endpoint_made_in_the_same_transaction_receives_what_follows(administration):
    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    arrival = dt.date.today() + dt.timedelta(days=5)
    with transaction.atomic():
        assert services.listened(administration, "booking.created") is False  # cached: none
        services.endpoint_create(
            administration=administration,
            application_id=None,
            url="https://hooks.example.com/in",
            events=["booking.created"],
        )
        booking_create(
            administration=administration,
            reservations=[
                {
                    "rentable": rentable,
                    "arrival_date": arrival,
                    "departure_date": arrival + dt.timedelta(days=2),
                    "adults": 2,
                }
            ],
        )

    relay()
    assert list(WebhookDelivery.objects.values_list("event__name", flat=True)) == [
        "booking.created"
    ]


def _book(administration, rentable, days=0):
    arrival = dt.date.today() + dt.timedelta(days=5 + days)
    return booking_create(
        administration=administration,
        reservations=[
            {
                "rentable": rentable,
                "arrival_date": arrival,
                "departure_date": arrival + dt.timedelta(days=2),
                "adults": 2,
            }
        ],
    )


def _listened_rentable(administration):
    """A rentable of the administration, and an endpoint that listens to every event."""
    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    endpoint = services.endpoint_create(
        administration=administration,
        application_id=None,
        url="https://hooks.example.com/in",
        events=["*"],
    )
    return rentable, endpoint


def test_each_resource_is_rendered_once_per_write_and_events_carry_the_final_state(
    administration, monkeypatch
):
    from apps.bookings.services.bookings import booking_update
    from apps.webhooks import outbox
    from apps.webhooks.models import Event

    rentable, _ = _listened_rentable(administration)
    rendered = []
    real = outbox.resource_objects

    def counting(instances):
        rendered.extend((type(i).__name__, i.pk) for i in instances)
        return real(instances)

    monkeypatch.setattr(outbox, "resource_objects", counting)
    with transaction.atomic(), outbox.collecting():
        booking = _book(administration, rentable)
        booking_update(booking=booking, notes="late arrival")
        booking_update(booking=booking, notes="early arrival")
    relay()

    assert sorted(rendered) == sorted(set(rendered))  # no resource twice
    events = list(Event.objects.order_by("occurred_at"))
    assert [e.name for e in events] == [
        "agenda_period.created",
        "reservation.created",
        "booking.created",
        "booking.updated",
        "booking.updated",
    ]
    booking_data = [e.data for e in events if e.name.startswith("booking.")]
    assert all(d == booking_data[0] for d in booking_data)  # one rendering, shared
    assert booking_data[0]["attributes"]["notes"] == "early arrival"
    # each update reports its own change, not the sum of the write's changes
    assert [e.changes["notes"] for e in events[3:]] == [
        ["", "late arrival"],
        ["late arrival", "early arrival"],
    ]


def test_events_of_work_undone_by_a_savepoint_are_not_stored(administration):
    from apps.core.exceptions import DomainError
    from apps.webhooks import outbox
    from apps.webhooks.models import Event

    rentable, endpoint = _listened_rentable(administration)
    with transaction.atomic(), outbox.collecting():
        _book(administration, rentable)
        with pytest.raises(DomainError):  # the same nights: 409, its savepoint rolled back
            _book(administration, rentable)
        try:
            with transaction.atomic():  # a plain savepoint inside the batch, undone
                _book(administration, rentable, days=10)
                raise RuntimeError
        except RuntimeError:
            pass
        _book(administration, rentable, days=20)
    relay()

    names = list(Event.objects.order_by("occurred_at").values_list("name", flat=True))
    assert names == ["agenda_period.created", "reservation.created", "booking.created"] * 2
    assert list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    ) == [1, 2, 3, 4, 5, 6]


def test_endpoints_with_different_counts_are_numbered_in_one_flush(administration):

    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    everything = services.endpoint_create(
        administration=administration,
        application_id=None,
        url="https://hooks.example.com/all",
        events=["*"],
    )
    bookings_only = services.endpoint_create(
        administration=administration,
        application_id=None,
        url="https://hooks.example.com/bookings",
        events=["booking.created"],
    )
    _book(administration, rentable)
    _book(administration, rentable, days=10)
    relay()

    def numbers(endpoint):
        return list(
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .order_by("pk")
            .values_list("sequence", "event__name")
        )

    assert [n for n, _ in numbers(everything)] == [1, 2, 3, 4, 5, 6]
    assert numbers(bookings_only) == [(1, "booking.created"), (2, "booking.created")]
    for delivery in WebhookDelivery.objects.select_related("event"):
        body = json.loads(delivery.body)
        assert body["sequence"] == delivery.sequence
        assert body["id"] == str(delivery.event_id)
        assert list(body) == sorted(body)  # "sequence" added last keeps the keys sorted


def test_the_migration_keeps_every_sent_body_byte_for_byte():
    """0004 takes each event's document from a delivery's stored body and the reverse puts
    the bodies back: both directions give the same text."""
    import importlib

    from apps.webhooks.models import Event

    migration = importlib.import_module("apps.webhooks.migrations.0004_event_document_stored_once")
    sent = '{"administration_id":"7","data":{"id":"1","type":"booking"},"event":"booking.created","id":"e","occurred_at":"2026-11-30T10:00:00Z","sequence":41}'
    document = migration._document_of(None, sent)
    assert document == sent.replace(',"sequence":41', "")
    assert Event(document=document).body_for(41) == sent
    assert migration._document_of(None, '{"sequence":3}') == "{}"
    assert Event(document="{}").body_for(3) == '{"sequence":3}'


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no server-side statements to prepare"
)
def test_the_outbox_statements_are_parsed_and_planned_once_per_connection(administration):
    """Bound on the server, the write's and the relay's statements are prepared at their
    fifth run (``prepare_threshold``) and then only executed; Django's own queries bind on the
    client and are never prepared."""
    rentable, _ = _listened_rentable(administration)
    with CaptureQueriesContext(connection) as logged:
        for days in range(0, 60, 10):
            _book(administration, rentable, days=days)
            relay()

    assert WebhookDelivery.objects.count() == 18
    # prepared statements go out by name, and still show their text in the query log
    outbox_inserts = [
        q["sql"] for q in logged.captured_queries if "webhooks_eventbatch" in q["sql"]
    ]
    assert len([q for q in outbox_inserts if q.startswith("INSERT")]) == 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert [s for s in prepared if "INSERT INTO" in s and "webhooks_eventbatch" in s]
    assert [s for s in prepared if "webhooks_webhookdelivery" in s and "WITH numbers" in s]
    assert not [s for s in prepared if "bookings_booking" in s]  # ORM queries: never


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    import subprocess
    import sys

    probe = (
        "import config.settings.base as s; "
        "print(s.DATABASES['default']['OPTIONS'].get('prepare_threshold', 'unset'))"
    )

    def threshold(**env):
        import os

        completed = subprocess.run(
            [sys.executable, "-c", probe],
            env={**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return completed.stdout.split()[-1]

    assert threshold() == "5"
    assert threshold(DATABASE_PREPARED_STATEMENTS="false") == "None"
