"""A broker outage is not an API outage, and the outbox hands each due delivery over once."""

import datetime as dt
import socket
import time

import pytest

from apps.core import tasks_on_commit
from apps.webhooks import services
from apps.webhooks.models import EventBatch, WebhookDelivery
from apps.webhooks.outbox import relay
from config.celery_app import app
from tests.bookings.helpers import booking_document, guest, stay
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rentable(administration):
    return RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )


@pytest.fixture
def broker():
    """Publishing for real (not eagerly) to the broker URL the test sets."""
    saved = app.conf.task_always_eager, app.conf.broker_url

    def use(url):
        app.conf.task_always_eager = False
        app.conf.broker_url = url

    yield use
    app.conf.task_always_eager, app.conf.broker_url = saved


@pytest.fixture
def connections_made(monkeypatch):
    """The options of every broker connection the code opens (the connections are real)."""
    made = []
    real = app.connection_for_write

    def recording(*args, **kwargs):
        if kwargs:  # Celery's event dispatcher makes an unused, unconnected one: ignored
            made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(app, "connection_for_write", recording)
    return made


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_broker():
    """A port that accepts TCP connections and never answers (a hung broker)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def subscribe(api, administration, count):
    for i in range(count):
        response = api.post(
            f"/v3/administrations/{administration.pk}/webhook_endpoints",
            {
                "data": {
                    "type": "webhook_endpoint",
                    "attributes": {"url": f"https://hooks{i}.example.com/in", "events": ["*"]},
                }
            },
        )
        assert response.status_code == 201


@pytest.mark.parametrize("fault", ["refused", "silent"])
def test_a_write_answers_while_the_broker_is_down(
    api,
    administration,
    rentable,
    broker,
    connections_made,
    silent_broker,
    fault,
    django_capture_on_commit_callbacks,
):
    subscribe(api, administration, 5)
    port = closed_port() if fault == "refused" else silent_broker
    broker(f"redis://127.0.0.1:{port}/2")

    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/v3/administrations/{administration.pk}/bookings",
            booking_document(customer=guest(), stays=[stay(rentable, 3, 5, "a")]),
        )
    elapsed = time.perf_counter() - started
    print(f"booking write with the broker {fault}: {elapsed * 1000:.0f} ms")

    assert response.status_code == 201
    # The outbox holds the write's events for the relay, which the broker did not reach.
    (waiting,) = EventBatch.objects.all()
    assert len(waiting.documents.splitlines()) == 3  # booking, reservation, agenda_period
    assert not WebhookDelivery.objects.exists()
    # One connection attempt for the whole write, bounded and without retries.
    assert len(connections_made) == 1
    options = connections_made[0]
    assert options["connect_timeout"] <= 1
    assert options["transport_options"]["max_retries"] == 0
    assert options["transport_options"]["socket_connect_timeout"] <= 1
    assert options["transport_options"]["socket_timeout"] <= 1

    # A sweep relays them while the broker is still down: every delivery is written, marked
    # as not handed over, for the next sweep.
    with django_capture_on_commit_callbacks(execute=True):
        services.deliveries_sweep()
    deliveries = WebhookDelivery.objects.all()
    assert deliveries.count() == 5 * 3
    assert set(deliveries.values_list("status", flat=True)) == {"pending"}
    assert set(deliveries.values_list("enqueued_at", flat=True)) == {None}
    assert not EventBatch.objects.exists()


def test_the_request_path_publishes_without_retries(broker, monkeypatch):
    broker(f"redis://127.0.0.1:{closed_port()}/2")
    published = []
    real = services_deliver().apply_async

    def recording(*args, **kwargs):
        published.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(services_deliver(), "apply_async", recording)

    unsent = tasks_on_commit.send_now(services_deliver(), [(1,), (2,)])

    assert unsent == [(1,), (2,)]  # nothing went out, and the first failure ended the try
    assert len(published) == 1 and published[0]["retry"] is False


def services_deliver():
    from apps.webhooks.tasks import deliver

    return deliver


def broker_back(broker) -> None:
    """Publishing to an in-memory broker, its deliveries queue empty."""
    broker("memory://")
    with app.connection_for_write() as connection:
        connection.default_channel.queue_declare(queue="deliveries")
        connection.default_channel.queue_purge("deliveries")


def book_while_the_broker_refuses(api, administration, rentable, broker, capture) -> None:
    """A booking whose on-commit relay message the broker refuses: its events wait."""
    broker(f"redis://127.0.0.1:{closed_port()}/2")
    with capture(execute=True):
        api.post(
            f"/v3/administrations/{administration.pk}/bookings",
            booking_document(stays=[stay(rentable, 3, 5, "a")]),
        )
    assert EventBatch.objects.count() == 1


def queued(name="deliveries") -> int:
    with app.connection_for_write() as connection:
        return connection.default_channel.queue_declare(queue=name, passive=True).message_count


def test_the_sweeper_hands_a_due_delivery_over_once(api, administration, rentable, broker):
    broker_back(broker)
    subscribe(api, administration, 1)
    api.post(
        f"/v3/administrations/{administration.pk}/bookings",
        booking_document(stays=[stay(rentable, 3, 5, "a")]),
    )  # on-commit callbacks do not run here: the worker relays the events …
    relay()  # … but the deliveries' first enqueue is lost …
    WebhookDelivery.objects.update(enqueued_at=None)  # … and the broker said so

    handed = [services.deliveries_sweep() for _ in range(5)]

    assert handed == [3, 0, 0, 0, 0]
    assert queued() == 3
    assert WebhookDelivery.objects.filter(enqueued_at__isnull=True).count() == 0


def test_the_sweeper_relays_events_whose_relay_message_was_lost(
    api, administration, rentable, broker, django_capture_on_commit_callbacks
):
    subscribe(api, administration, 2)
    book_while_the_broker_refuses(
        api, administration, rentable, broker, django_capture_on_commit_callbacks
    )
    broker_back(broker)

    with django_capture_on_commit_callbacks(execute=True):
        services.deliveries_sweep()

    assert not EventBatch.objects.exists()
    assert queued() == 2 * 3  # handed over as the relay committed
    numbers = sorted(WebhookDelivery.objects.values_list("endpoint_id", "sequence"))
    endpoints = sorted({endpoint_id for endpoint_id, _ in numbers})
    assert numbers == [(e, sequence) for e in endpoints for sequence in (1, 2, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_sweep() == 0  # nothing twice
    assert queued() == 2 * 3


def test_a_refused_sweep_is_handed_over_by_the_next_one(api, administration, rentable, broker):
    subscribe(api, administration, 1)
    api.post(
        f"/v3/administrations/{administration.pk}/bookings",
        booking_document(stays=[stay(rentable, 3, 5, "a")]),
    )
    relay()
    WebhookDelivery.objects.update(enqueued_at=None)
    broker(f"redis://127.0.0.1:{closed_port()}/2")

    assert services.deliveries_sweep() == 0
    assert WebhookDelivery.objects.filter(enqueued_at__isnull=True).count() == 3

    broker("memory://")
    assert services.deliveries_sweep() == 3


def test_what_a_rolled_back_transaction_enqueued_never_goes_out_with_the_next(
    broker, django_capture_on_commit_callbacks
):
    from django.db import transaction

    broker_back(broker)
    try:
        with transaction.atomic():
            tasks_on_commit.enqueue_many_on_commit(services_deliver(), [(101,), (102,)])
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transaction.on_commit(lambda: None)  # another hook already pending, as writes have
        tasks_on_commit.enqueue_many_on_commit(services_deliver(), [(103,)])

    assert queued() == 1


def test_events_relayed_long_after_they_happened_are_handed_over_once(
    api, administration, rentable, broker, django_capture_on_commit_callbacks
):
    import time_machine
    from django.utils import timezone

    subscribe(api, administration, 1)
    book_while_the_broker_refuses(  # and the outage lasts twenty minutes
        api, administration, rentable, broker, django_capture_on_commit_callbacks
    )
    broker_back(broker)

    later = timezone.now() + dt.timedelta(minutes=20)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        handed_again = services.deliveries_sweep()

    assert handed_again == 0  # the relay handed them over; the sweep does not do it again
    assert queued() == 3


def test_a_sweep_whose_relay_fails_still_hands_over_due_retries(
    api, administration, rentable, monkeypatch
):
    from apps.webhooks import outbox

    subscribe(api, administration, 1)
    api.post(
        f"/v3/administrations/{administration.pk}/bookings",
        booking_document(stays=[stay(rentable, 3, 5, "a")]),
    )
    relay()
    WebhookDelivery.objects.update(enqueued_at=None)  # due retries
    api.post(
        f"/v3/administrations/{administration.pk}/bookings",
        booking_document(stays=[stay(rentable, 13, 15, "a")]),
    )  # more events wait in the outbox, and the relay breaks on them

    def broken(*args):
        raise RuntimeError("the relay failed")

    for write in ("_write_postgresql", "_write_portable"):
        monkeypatch.setattr(outbox, write, broken)

    assert services.deliveries_sweep() == 3
    assert EventBatch.objects.count() == 1  # kept for the next run
