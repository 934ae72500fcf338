"""The outbox: a write's events collected in memory, stored with the write as one row before
its transaction commits, and relayed after commit into events and numbered deliveries.

Why a buffer: a booking write emits several events (the period, the stay, the booking), and
writing each as it happens rendered its resource and inserted its own rows. Collected, a
write renders each resource once and stores all its events in one row (``EventBatch``).

Why a relay: what the write itself stores is only what must not be lost, in the cheapest row
there is (one index, no foreign key, no lock). Numbering the deliveries per endpoint and
inserting the event and delivery rows (with their indexes and foreign keys) is the relay's
work, after commit, in bulk across writes (``relay``, run by the ``webhooks.relay`` task
each write asks for, and by every sweep; one relay at a time). A write therefore never waits
on an endpoint's sequence, and the events of concurrent writes are numbered in the order they
are relayed: a write that waited for another's commit is numbered after it.

Where it is flushed: Django has no "before commit" hook, so the write services open the
buffer themselves (``batched``, placed inside their ``transaction.atomic``). Services call
services: only the outermost batch flushes, as its function returns and while its atomic
block is still open, so the row always goes into the same transaction as the change. If
that function raises, its atomic block rolls back and the buffer is dropped with it.

Savepoints inside a batch: a caller may catch the error of an inner service (whose savepoint
rolled back) and carry on. Each buffered event therefore leaves a no-op ``on_commit`` marker;
Django discards the on-commit callbacks of a savepoint it rolls back, so at flush time an
event whose marker is gone belonged to undone work and is left out. (The endpoint cache in
``services._active_endpoints`` relies on the same bookkeeping.)

An event emitted outside any batch (a plain ``transaction.atomic`` or no transaction) is
stored at once, as one flush of its own: correct everywhere, merely not shared.

What an event carries: its resource as the transaction leaves it, rendered once at flush
and shared by every event and endpoint of that resource. ``*.updated`` events compare the
snapshot taken before their change with the snapshot before the next update of the same
resource in the batch, or with the final rendering for the last one. The event's document
(the body its deliveries send, but for their ``sequence``) is written at flush and never
again: the relay copies its text to the event row; a delivery row holds its endpoint, its
number and its attempts.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import uuid
import zlib
from collections import Counter

import orjson
from django.db import transaction
from django.utils import timezone

from apps.administrations.models import Administration
from apps.core.resources import resource_objects
from apps.core.services import array_param, bulk_cursor
from apps.core.tasks_on_commit import enqueue_many_on_commit, enqueue_once_on_commit, send_now
from apps.webhooks.models import Event, EventBatch, WebhookDelivery, WebhookEndpoint


class _Marker:
    """A no-op on-commit callback whose presence says the emitting savepoint still stands."""

    __slots__ = ()

    def __call__(self) -> None:
        return None


class Pending:
    """An event waiting for its flush."""

    __slots__ = (
        "name",
        "instance",
        "key",
        "administration_id",
        "endpoints",
        "before",
        "data",
        "occurred_at",
        "marker",
    )

    def __init__(
        self, name, instance, administration_id, endpoints, before, data, occurred_at=None
    ):
        self.name = name
        self.instance = instance
        self.key = None if instance is None else (type(instance), instance.pk)
        self.administration_id = administration_id
        self.endpoints = endpoints
        self.before = before
        self.data = data
        self.occurred_at = occurred_at or timezone.now()
        self.marker = None


class _Buffer:
    __slots__ = ("depth", "pending")

    def __init__(self):
        self.depth = 0
        self.pending: list[Pending] = []


def _open_buffer(connection) -> _Buffer | None:
    return getattr(connection, "_outbox_buffer", None)


def batched(func):
    """Collects the events emitted inside ``func``; the outermost batch writes them on a clean
    exit. Use inside ``transaction.atomic`` (outside one it changes nothing)::

        @transaction.atomic
        @batched
        def booking_create(...): ...
    """

    @functools.wraps(func)
    def within_batch(*args, **kwargs):
        with collecting():
            return func(*args, **kwargs)

    return within_batch


class collecting:  # noqa: N801 - a context manager, named like a statement
    """``with collecting():`` is what ``@batched`` does around its function."""

    __slots__ = ("connection", "buffer")

    def __enter__(self):
        connection = self.connection = transaction.get_connection()
        if not connection.in_atomic_block:
            self.buffer = None  # no transaction to belong to: events are written at once
            return self
        buffer = _open_buffer(connection)
        if buffer is None:
            buffer = connection._outbox_buffer = _Buffer()
        buffer.depth += 1
        self.buffer = buffer
        return self

    def __exit__(self, kind, exc, tb):
        buffer = self.buffer
        if buffer is None:
            return False
        buffer.depth -= 1
        if buffer.depth:
            return False
        self.connection._outbox_buffer = None
        if kind is None and buffer.pending:
            flush(buffer.pending, self.connection)
        return False


def add(pending: Pending) -> bool:
    """Buffers ``pending`` when a batch is open; False when it must be written now."""
    connection = transaction.get_connection()
    buffer = _open_buffer(connection)
    if buffer is None or not connection.in_atomic_block:
        return False
    pending.marker = _Marker()
    transaction.on_commit(pending.marker)
    buffer.pending.append(pending)
    return True


def add_many(pending: list[Pending]) -> bool:
    """``add`` for the events of one write at once, sharing one savepoint marker."""
    connection = transaction.get_connection()
    buffer = _open_buffer(connection)
    if buffer is None or not connection.in_atomic_block:
        return False
    marker = _Marker()
    transaction.on_commit(marker)
    for p in pending:
        p.marker = marker
    buffer.pending.extend(pending)
    return True


def events_emit(name: str, *, instances: list, administration) -> None:
    """``event_emit(name, instance=…, administration=administration)`` for each of
    ``instances``, the rows of one bulk write: the subscribed endpoints are looked up once and
    the events share their moment and their savepoint marker. Nothing is written when no
    endpoint listens."""
    from apps.webhooks.services import subscribers

    endpoints = subscribers(name, administration.pk)
    if not endpoints or not instances:
        return
    now = timezone.now()
    pending = [
        Pending(name, instance, administration.pk, endpoints, None, None, occurred_at=now)
        for instance in instances
    ]
    if not add_many(pending):
        flush(pending)


class Stored:
    """An event with its document: made at flush from a buffered event, or by the relay from
    a document the outbox kept (a model instance only where one is needed: building thousands
    of them was a good part of a bulk write's flush)."""

    __slots__ = ("id", "administration_id", "name", "occurred_at", "document")

    def __init__(self, administration_id, name, occurred_at, data, changes, stamps: dict):
        self.id = uuid.uuid4()
        self.administration_id = administration_id
        self.name = name
        self.occurred_at = occurred_at
        self.document = _document(self, data, changes, stamps)

    @classmethod
    def kept(cls, document: str) -> Stored:
        """The event a stored document describes (its text kept as it is)."""
        head = orjson.loads(document)
        event = cls.__new__(cls)
        event.id = uuid.UUID(head["id"])
        event.administration_id = int(head["administration_id"])
        event.name = head["event"]
        event.occurred_at = dt.datetime.fromisoformat(head["occurred_at"])
        event.document = document
        return event

    def as_event(self) -> Event:
        return Event(**{name: getattr(self, name) for name in self.__slots__})


def flush(pending: list[Pending], connection=None) -> None:
    """Renders the events that still stand and stores them in the outbox (``EventBatch``),
    to be relayed after commit."""
    connection = connection or transaction.get_connection()
    if any(p.marker is not None for p in pending):
        standing = {id(hook[1]) for hook in connection.run_on_commit}
        pending = [p for p in pending if p.marker is None or id(p.marker) in standing]
    if not pending:
        return
    rendered = _render_once(pending)
    events, recipients = [], []
    following_before = {}
    stamps: dict = {}  # the events of one bulk write share their moment
    for p in reversed(pending):  # each update compares with the next snapshot of its resource
        data = p.data if p.data is not None else rendered[p.key]
        changes = None
        if p.before is not None:
            after = following_before.get(p.key) or data.get("attributes", {})
            following_before[p.key] = p.before
            changes = {
                key: [p.before.get(key), value]
                for key, value in after.items()
                if p.before.get(key) != value and key != "updated_at"
            }
            if not changes:
                continue  # an update that changed nothing emits nothing
        events.append(Stored(p.administration_id, p.name, p.occurred_at, data, changes, stamps))
        recipients.append([endpoint.pk for endpoint in p.endpoints])
    if not events:
        return
    events.reverse()
    recipients.reverse()
    _keep(events, recipients, connection)


def _render_once(pending: list[Pending]) -> dict:
    """Each resource rendered once, from the instance last emitted for it."""
    latest = {}
    for p in pending:
        if p.data is None:
            latest[p.key] = p.instance
    instances = []
    for (_, pk), instance in latest.items():
        if instance.pk is None:  # deleted later in the same transaction: render as it was
            instance = copy.copy(instance)
            instance.pk = pk
        instances.append(instance)
    return dict(zip(latest, resource_objects(instances), strict=True))


BATCH_EVENTS = 1000  # events per outbox row: a 10,000-event sync writes ten rows
RELAY_ROWS = 50  # outbox rows relayed per transaction
RELAY_ROUNDS = 10  # transactions per relay run; a full run hands the rest to a fresh one
# The key of the relay's advisory lock (crc32 of "holidaypark.webhooks.relay").
RELAY_LOCK = zlib.crc32(b"holidaypark.webhooks.relay")
STATEMENT_EVENTS = 500  # events per relay statement off PostgreSQL
# On PostgreSQL a statement's values are a handful of arrays, whatever their length.
STATEMENT_EVENTS_POSTGRESQL = 20_000


def _keep(events: list[Stored], recipients: list[list[int]], connection) -> None:
    """The write's part: its events as outbox rows, in one statement each (one for a
    write's few events), and the relay asked for once the transaction commits."""
    from apps.webhooks.tasks import relay_events

    table = connection.ops.quote_name(EventBatch._meta.db_table)
    sql = f"INSERT INTO {table} (created_at, documents, recipients) VALUES (%s, %s, %s)"  # noqa: S608
    now = timezone.now()
    with bulk_cursor() as cursor:
        for start in range(0, len(events), BATCH_EVENTS):
            chunk = slice(start, start + BATCH_EVENTS)
            documents = "\n".join(event.document for event in events[chunk])
            cursor.execute(sql, [now, documents, orjson.dumps(recipients[chunk]).decode()])
    enqueue_once_on_commit(relay_events)


def relay(*, rounds: int | None = None, hand_on: bool = False) -> int:
    """Turns the outbox's rows into events and numbered deliveries, oldest first, and hands
    the deliveries to the broker after each transaction commits; returns how many events it
    relayed. Each transaction takes (and deletes) up to ``RELAY_ROWS`` rows; a failure rolls
    its rows back for the next run (the relay task after each write, and every sweep). At
    most ``rounds`` transactions (``RELAY_ROUNDS``): a run that used them all may have left a
    backlog (an outage's), which ``hand_on`` gives to a fresh relay task, so a backlog never
    holds one worker process for long. (Only a full run hands on: rows that arrive while a
    run works bring their own relay task.)

    One relay at a time: each transaction first takes the relay's lock (on PostgreSQL a
    transaction-level advisory lock; SQLite's write transactions are one at a time anyway).
    Relays side by side could otherwise number a later write before an earlier one: the
    first takes the earlier write's row and has not committed yet, the second skips it and
    numbers the later write's events first. Serialized, a write that depends on another
    (it waited for that one's commit, so its row is newer) is always numbered after it."""
    relayed = 0
    for _ in range(RELAY_ROUNDS if rounds is None else rounds):
        with transaction.atomic():
            taken = _take(RELAY_ROWS)
            if taken:
                relayed += _relay_rows(taken)
        if len(taken) < RELAY_ROWS:
            break
    else:
        if hand_on:
            from apps.webhooks.tasks import relay_events

            send_now(relay_events, [()])
    return relayed


def _take(limit: int) -> list[tuple[int, str, str]]:
    """Once the relay's lock is held, deletes up to ``limit`` of the oldest rows and returns
    them (id, documents, recipients) in order."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(EventBatch._meta.db_table)
    sql = (
        f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - the table's name from the model
        f"(SELECT id FROM {table} ORDER BY id LIMIT %s) "
        "RETURNING id, documents, recipients"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RELAY_LOCK])
        cursor.execute(sql, [limit])
        return sorted(cursor.fetchall())


def _relay_rows(taken: list[tuple[int, str, str]]) -> int:
    """The events and deliveries of the rows taken, in the relay's transaction."""
    from apps.webhooks.services import _not_enqueued
    from apps.webhooks.tasks import deliver

    events, recipients = [], []
    for _, documents, endpoint_ids in taken:
        events += [Stored.kept(document) for document in documents.split("\n")]
        recipients += orjson.loads(endpoint_ids)
    # An administration deleted while its events waited takes them along.
    standing = set(
        Administration.objects.filter(
            pk__in={event.administration_id for event in events}
        ).values_list("pk", flat=True)
    )
    kept = [i for i, event in enumerate(events) if event.administration_id in standing]
    if len(kept) < len(events):
        events, recipients = [events[i] for i in kept], [recipients[i] for i in kept]
    connection = transaction.get_connection()
    postgresql = connection.vendor == "postgresql"
    write = _write_postgresql if postgresql else _write_portable
    size = STATEMENT_EVENTS_POSTGRESQL if postgresql else STATEMENT_EVENTS
    delivery_ids = []
    for start in range(0, len(events), size):
        chunk = slice(start, start + size)
        delivery_ids += write(events[chunk], recipients[chunk], connection)
    enqueue_many_on_commit(deliver, [(pk,) for pk in delivery_ids], on_failure=_not_enqueued)
    return len(events)


def _document(event: Stored, data, changes, stamps: dict) -> str:
    """The event's document (see ``Event``): keys sorted, so each delivery's ``sequence``,
    added last, keeps them sorted. ``stamps`` remembers the moments written (the events of
    one bulk write share theirs)."""
    stamp = stamps.get(event.occurred_at)
    if stamp is None:
        stamp = stamps[event.occurred_at] = event.occurred_at.isoformat().replace("+00:00", "Z")
    body = {
        "id": str(event.id),
        "event": event.name,
        "occurred_at": stamp,
        "administration_id": str(event.administration_id),
        "data": data,
    }
    if changes is not None:
        body["changes"] = changes
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()


def _numbered(events, recipients):
    """(event, endpoint id, place) per delivery, and each endpoint's count; ``place`` counts
    back from the endpoint's last delivery in this batch (0 = last)."""
    counts = Counter(endpoint_id for endpoint_ids in recipients for endpoint_id in endpoint_ids)
    seen = Counter()
    rows = []
    for event, endpoint_ids in zip(events, recipients, strict=True):
        for endpoint_id in endpoint_ids:
            seen[endpoint_id] += 1
            rows.append((event, endpoint_id, counts[endpoint_id] - seen[endpoint_id]))
    return rows, counts


def _write_portable(events, recipients, connection) -> list[int]:
    """Three statements: the sequences, the events, the deliveries (none for an endpoint
    deleted while the events waited)."""
    rows, counts = _numbered(events, recipients)
    now = timezone.now()
    last = advance_sequences(counts, connection)
    Event.objects.bulk_create([event.as_event() for event in events])
    deliveries = [
        WebhookDelivery(
            endpoint_id=endpoint_id,
            event_id=event.id,
            sequence=last[endpoint_id] - place,
            next_attempt_at=event.occurred_at,
            enqueued_at=now,  # handed to the broker as the relay commits; cleared if refused
        )
        for event, endpoint_id, place in rows
        if endpoint_id in last
    ]
    return [delivery.pk for delivery in WebhookDelivery.objects.bulk_create(deliveries)]


def _write_postgresql(events, recipients, connection) -> list[int]:
    """One statement: the sequences move on, the events go in and the deliveries take their
    numbers from the sequences' new values (an endpoint deleted while the events waited has
    no new value, and so no delivery).

    The values travel as a few array literals (``array_param``) bound on the server
    (``bulk_cursor``), not as a placeholder per value; the statement's text never changes,
    so each connection prepares it once. A document goes in as text, stored as it is."""
    rows, counts = _numbered(events, recipients)
    now = timezone.now()
    quote = connection.ops.quote_name
    endpoint_table = quote(WebhookEndpoint._meta.db_table)
    event_table = quote(Event._meta.db_table)
    delivery_table = quote(WebhookDelivery._meta.db_table)
    ordinal = {id(event): position for position, event in enumerate(events, start=1)}
    ids = sorted(counts)
    params = [
        array_param(ids),
        array_param([counts[i] for i in ids]),
        array_param([str(event.id) for event in events]),
        array_param([event.administration_id for event in events]),
        array_param([event.name for event in events]),
        array_param([event.occurred_at for event in events]),
        array_param([event.document for event in events]),
        now,  # created_at, and enqueued_at: handed to the broker as the relay commits
        now,
        array_param([ordinal[id(event)] for event, _, _ in rows]),
        array_param([endpoint_id for _, endpoint_id, _ in rows]),
        array_param([place for _, _, place in rows]),
    ]
    sql = f"""
        WITH numbers AS (
            UPDATE {endpoint_table} AS e SET last_sequence = e.last_sequence + n.count
            FROM UNNEST(%s::bigint[], %s::bigint[]) AS n (id, count)
            WHERE e.id = n.id
            RETURNING e.id, e.last_sequence
        ), heads AS (
            SELECT * FROM UNNEST(
                %s::uuid[], %s::bigint[], %s::text[], %s::timestamptz[], %s::text[]
            ) WITH ORDINALITY AS h (id, administration_id, name, occurred_at, document, ord)
        ), stored AS (
            INSERT INTO {event_table} (id, administration_id, name, occurred_at, document)
            SELECT id, administration_id, name, occurred_at, document FROM heads
        )
        INSERT INTO {delivery_table} (
            endpoint_id, event_id, sequence, status, attempts, next_attempt_at,
            attempt_log, created_at, enqueued_at, claimed_by
        )
        SELECT d.endpoint_id, h.id, numbers.last_sequence - d.place, 'pending', 0,
            h.occurred_at, '[]'::jsonb, %s, %s, ''
        FROM UNNEST(%s::bigint[], %s::bigint[], %s::bigint[])
            WITH ORDINALITY AS d (event_ord, endpoint_id, place, ord)
        JOIN heads AS h ON h.ord = d.event_ord
        JOIN numbers ON numbers.id = d.endpoint_id
        ORDER BY d.ord
        RETURNING id
    """  # noqa: S608 - names from the models, values as parameters
    with bulk_cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def advance_sequences(counts: dict[int, int], connection=None) -> dict[int, int]:
    """Moves each endpoint's ``last_sequence`` on by its count, all in one statement, and
    returns the new values (of the endpoints that still exist), gap-free per endpoint. Only
    the relay calls it, one relay at a time; writes never wait for it."""
    connection = connection or transaction.get_connection()
    table = connection.ops.quote_name(WebhookEndpoint._meta.db_table)
    ids = sorted(counts)
    placeholders = ", ".join(["%s"] * len(ids))
    if len(set(counts.values())) == 1:
        step, params = "%s", [next(iter(counts.values()))]
    else:
        step = "CASE id " + " ".join(["WHEN %s THEN %s"] * len(ids)) + " END"
        params = [value for endpoint_id in ids for value in (endpoint_id, counts[endpoint_id])]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_sequence = last_sequence + {step} "  # noqa: S608
            f"WHERE id IN ({placeholders}) RETURNING id, last_sequence",
            [*params, *ids],
        )
        return dict(cursor.fetchall())
