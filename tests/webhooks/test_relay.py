"""The relay: what writes left in the outbox becomes events and numbered deliveries, once each,
whatever happened meanwhile, and however many relays run at the same moment."""

import json
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from apps.administrations.models import Administration
from apps.oauth.services import api_key_create
from apps.webhooks import outbox, services
from apps.webhooks.models import Event, EventBatch, WebhookDelivery
from apps.webhooks.outbox import relay
from tests.bookings.helpers import booking_document, stay
from tests.factories import AdministrationFactory, CustomerFactory
from tests.racing import race
from tests.rentables.factories import RentableFactory

WRITERS = 8


def _listen(administration, url="https://hooks.example.com/in", events=("*",)):
    return services.endpoint_create(
        administration=administration, application_id=None, url=url, events=list(events)
    )


@pytest.mark.django_db(transaction=True)
def test_writes_at_the_same_moment_are_relayed_once_each_and_numbered_gap_free(
    live_server, httpserver
):
    """Each request relays after its commit, in its own thread and connection (tasks run in
    process here), so relays start while other writes are still going on."""
    # given: two endpoints listening to everything, on a receiver that answers 200
    administration = AdministrationFactory()
    endpoints = []
    for i in range(2):
        httpserver.expect_request(f"/hook/{i}").respond_with_data("ok")
        endpoints.append(_listen(administration, httpserver.url_for(f"/hook/{i}")))
    rentables = [
        RentableFactory(category__administration=administration, category__max_number_of_people=4)
        for _ in range(WRITERS)
    ]
    _, key = api_key_create(administration=administration, scopes="all")
    url = f"{live_server.url}/v3/administrations/{administration.pk}/bookings"

    # when: eight bookings are made at once
    responses = race(
        key,
        [
            ("post", url, booking_document(stays=[stay(rentable, 3, 5, "a")]))
            for rentable in rentables
        ],
    )

    # then: every event is relayed once, to each endpoint once, numbered 1…24 per endpoint
    assert [r.status_code for r in responses] == [201] * WRITERS, [r.text for r in responses]
    assert not EventBatch.objects.exists()
    assert Event.objects.count() == 3 * WRITERS
    for endpoint in endpoints:
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
        assert sorted(deliveries.values_list("sequence", flat=True)) == list(
            range(1, 3 * WRITERS + 1)
        )
        assert Counter(deliveries.values_list("event_id", flat=True)).most_common(1)[0][1] == 1
        assert set(deliveries.values_list("status", flat=True)) == {"succeeded"}
    # and each receiver got every event once, numbered 1…24
    events = set(map(str, Event.objects.values_list("pk", flat=True)))
    for i in range(2):
        bodies = [
            json.loads(request.get_data())
            for request, _ in httpserver.log
            if request.path == f"/hook/{i}"
        ]
        assert sorted(body["sequence"] for body in bodies) == list(range(1, 3 * WRITERS + 1))
        assert {body["id"] for body in bodies} == events


@pytest.mark.django_db
def test_an_endpoint_deleted_while_its_events_wait_gets_nothing(administration):
    staying, leaving = _listen(administration), _listen(administration)
    customer = CustomerFactory(administration=administration)
    services.event_emit("customer.updated", instance=customer, administration=administration)
    leaving.delete()

    assert relay() == 1

    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.endpoint_id, delivery.sequence) == (staying.pk, 1)


@pytest.mark.django_db
def test_an_administration_deleted_while_its_events_wait_takes_them_along(administration):
    other = AdministrationFactory()
    for park in (administration, other):
        _listen(park)
        customer = CustomerFactory(administration=park)
        services.event_emit("customer.updated", instance=customer, administration=park)
    Administration.objects.filter(pk=other.pk).delete()

    assert relay() == 1

    assert list(Event.objects.values_list("administration_id", flat=True)) == [administration.pk]
    assert not EventBatch.objects.exists()


@pytest.mark.django_db
def test_a_relay_that_fails_leaves_the_rows_for_the_next(administration, monkeypatch):
    _listen(administration)
    customer = CustomerFactory(administration=administration)
    services.event_emit("customer.updated", instance=customer, administration=administration)

    def broken(*args):
        raise RuntimeError("the database went away")

    for write in ("_write_postgresql", "_write_portable"):
        monkeypatch.setattr(outbox, write, broken)
    with pytest.raises(RuntimeError):
        relay()
    assert EventBatch.objects.count() == 1
    monkeypatch.undo()

    assert relay() == 1
    assert WebhookDelivery.objects.count() == 1
    assert not EventBatch.objects.exists()


@pytest.mark.django_db
def test_a_bulk_write_waits_in_rows_of_bounded_size(administration, monkeypatch):
    """A 10,000-event sync must not become one ten-megabyte value: the outbox cuts it."""
    monkeypatch.setattr(outbox, "BATCH_EVENTS", 4)
    _listen(administration)
    customers = [CustomerFactory(administration=administration) for _ in range(10)]
    outbox.events_emit("customer.updated", instances=customers, administration=administration)

    assert [len(b.documents.splitlines()) for b in EventBatch.objects.all()] == [4, 4, 2]
    assert relay() == 10
    assert sorted(WebhookDelivery.objects.values_list("sequence", flat=True)) == list(range(1, 11))
    relayed = {Event.objects.get(pk=d.event_id).data["id"] for d in WebhookDelivery.objects.all()}
    assert relayed == {str(customer.pk) for customer in customers}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one write transaction at a time"
)
@pytest.mark.django_db(transaction=True)
def test_a_relay_waits_for_the_one_running_so_writes_keep_their_order(monkeypatch):
    """The first relay has taken the first write's row and not committed yet when a second
    write commits and a second relay starts: the second must not number its event first."""
    monkeypatch.setattr(outbox, "enqueue_once_on_commit", lambda task: None)  # relays run here
    administration = AdministrationFactory()
    endpoint = _listen(administration)
    customer = CustomerFactory(administration=administration)
    services.event_emit("customer.updated", instance=customer, administration=administration)
    taken, go = threading.Event(), threading.Event()
    real = outbox._relay_rows

    def held_up(rows):
        if not taken.is_set():
            taken.set()
            assert go.wait(10)
        return real(rows)

    monkeypatch.setattr(outbox, "_relay_rows", held_up)

    def run():
        try:
            relay()
        finally:
            connections.close_all()

    first = threading.Thread(target=run)
    first.start()
    assert taken.wait(10)
    customer.first_name = "Later"
    customer.save()
    services.event_emit("customer.updated", instance=customer, administration=administration)
    second = threading.Thread(target=run)
    second.start()
    second.join(0.5)  # it waits for the first relay's lock
    go.set()
    first.join(10)
    second.join(10)

    numbered = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("sequence")
    assert [d.event.data["attributes"]["first_name"] for d in numbered][1] == "Later"
    assert [d.sequence for d in numbered] == [1, 2]


@pytest.mark.django_db
def test_a_backlog_drains_through_relay_tasks_that_hand_on_the_rest(administration, monkeypatch):
    """A run relays a bounded amount (here one row); what is left goes to the next task, and
    a sweep hands a backlog on the same way (tasks run in process here)."""
    from apps.webhooks.tasks import relay_events

    monkeypatch.setattr(outbox, "RELAY_ROWS", 1)
    monkeypatch.setattr(outbox, "RELAY_ROUNDS", 1)
    monkeypatch.setattr(services, "SWEEP_RELAY_ROUNDS", 1)
    _listen(administration)
    customer = CustomerFactory(administration=administration)
    for _ in range(3):
        services.event_emit("customer.updated", instance=customer, administration=administration)
    assert EventBatch.objects.count() == 3

    assert relay() == 1  # one bounded run
    relay_events.apply()  # the task: its run, then the rest handed on
    assert not EventBatch.objects.exists()

    for _ in range(3):
        services.event_emit("customer.updated", instance=customer, administration=administration)
    services.deliveries_sweep()
    assert not EventBatch.objects.exists()
    assert sorted(WebhookDelivery.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db
def test_only_a_run_that_used_its_whole_bound_hands_on(administration, monkeypatch):
    """Rows that arrive while a run works bring their own relay task: handing on for them
    too would start a chain of tasks for as long as writes keep coming."""
    from apps.webhooks.tasks import relay_events

    handed_on = []
    monkeypatch.setattr(outbox, "send_now", lambda task, calls: handed_on.append(task.name))
    _listen(administration)
    customer = CustomerFactory(administration=administration)
    services.event_emit("customer.updated", instance=customer, administration=administration)
    real = outbox._relay_rows

    def while_a_write_commits(rows):
        services.event_emit("customer.updated", instance=customer, administration=administration)
        return real(rows)

    monkeypatch.setattr(outbox, "_relay_rows", while_a_write_commits)
    assert relay_events.apply().result == 1
    assert handed_on == []
    assert EventBatch.objects.count() == 1  # left for the task its write asked for
