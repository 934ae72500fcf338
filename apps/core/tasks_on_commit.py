"""Tasks are sent after the transaction that needs them commits, never inside it."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """``task.delay(*args)`` once the current transaction commits (at once outside one).

    A broker that cannot be reached is logged, not raised: the work is recorded in rows
    (the outbox) that a periodic sweeper enqueues again, so it is delayed, never lost.
    """

    def send():
        try:
            task.delay(*args, **kwargs)
        except Exception:  # noqa: BLE001 - any broker failure is recoverable by the sweeper
            logger.warning(
                "Could not enqueue %s%s; the sweeper will retry", task.name, args, exc_info=True
            )

    transaction.on_commit(send)
