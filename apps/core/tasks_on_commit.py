"""Tasks are sent after the transaction that needs them commits, never inside it.

Sending is best effort and fast to give up: one connection attempt with a short timeout, no
retries, so a broker outage never holds a request. Whatever needs doing is recorded in rows
first (the webhook outbox, a calendar's next sync), and a periodic sweeper sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def publish_options() -> dict:
    """How the request path reaches the broker: ``connect_timeout`` and transport options
    that make kombu try once (``max_retries`` 0) and redis give up within the timeout."""
    timeout = settings.CELERY_ENQUEUE_TIMEOUT_SECONDS
    return {
        "connect_timeout": timeout,
        "transport_options": {
            "max_retries": 0,
            "connect_retries_timeout": timeout,
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "retry_on_timeout": False,
        },
    }


def send_now(task, calls: Iterable[tuple]) -> list[tuple]:
    """Publishes ``task`` once per argument tuple on one short-lived connection, without
    retries. Returns the calls that were not sent (all from the first failure on: a broker
    that refused one message is not asked again in the same breath)."""
    calls = list(calls)
    if task.app.conf.task_always_eager:
        for args in calls:
            task.apply_async(args=args)
        return []
    sent = 0
    try:
        with task.app.connection_for_write(**publish_options()) as connection:
            for args in calls:
                task.apply_async(args=args, connection=connection, retry=False)
                sent += 1
    except Exception:  # noqa: BLE001 - any broker failure is recoverable by the sweeper
        logger.warning(
            "Could not enqueue %s for %d of %d call(s); the sweeper will send them",
            task.name,
            len(calls) - sent,
            len(calls),
            exc_info=True,
        )
    return calls[sent:]


def enqueue_on_commit(task, *args, on_failure: Callable[[list[tuple]], None] | None = None) -> None:
    """``task.delay(*args)`` once the current transaction commits (at once outside one)."""
    enqueue_many_on_commit(task, [args], on_failure=on_failure)


def enqueue_once_on_commit(task) -> None:
    """``task.delay()`` once the current transaction commits, however often a transaction
    asks (a run of a task without arguments does whatever is waiting then)."""
    enqueue_many_on_commit(task, [()])


def enqueue_many_on_commit(
    task, calls: list[tuple], *, on_failure: Callable[[list[tuple]], None] | None = None
) -> None:
    """One message per argument tuple after commit. Everything a transaction enqueues is sent
    together, on one connection, by the first of its on-commit callbacks to run, so a write
    that emits many events makes one broker attempt, not one per event. ``on_failure`` gets
    the calls that could not be sent (to mark their rows for the sweeper)."""
    if not calls:
        return
    connection = transaction.get_connection()
    batch = getattr(connection, "_enqueue_batch", None)
    if batch is None or not any(
        getattr(hook[1], "batch", None) is batch for hook in connection.run_on_commit
    ):
        # None of its senders pending: what is left over belongs to a transaction that
        # rolled back, and must not go out with this one. (What a rolled-back savepoint
        # enqueued still goes out with its transaction: the tasks find no row and do
        # nothing.)
        batch = connection._enqueue_batch = []
    batch.append((task, list(calls), on_failure))

    def send():
        pending = list(batch)
        batch.clear()
        for task_, calls_, on_failure_ in _merged(pending):
            unsent = send_now(task_, calls_)
            if unsent and on_failure_ is not None:
                try:
                    on_failure_(unsent)
                except Exception:  # noqa: BLE001 - the request has committed; never fail it
                    logger.warning("Could not mark unsent %s calls", task_.name, exc_info=True)

    send.batch = batch
    transaction.on_commit(send)


def _merged(pending: list) -> list:
    """Entries of one task (and failure handler) joined into one list of calls, in order; a
    task's calls without arguments are one call."""
    merged: dict = {}
    for task, calls, on_failure in pending:
        joined = merged.setdefault((task.name, on_failure), (task, [], on_failure))[1]
        for args in calls:
            if args or () not in joined:
                joined.append(args)
    return list(merged.values())
