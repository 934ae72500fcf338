"""Celery beat that is safe to run twice: only the holder of one lock sends the schedule.

Every beat process tries to take the lock on each tick; the one that has it runs the schedule,
the others wait as standbys and take over within ``CELERY_BEAT_LOCK_RETRY_SECONDS`` of the
holder going away. On PostgreSQL the lock is a session advisory lock on a connection of its
own: it is released the moment the holder's process dies or loses its connection, on any
machine. On SQLite (one machine) it is an exclusive ``flock`` on a file beside the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import zlib
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

LOCK_NAME = "holidaypark.celery-beat"


class BeatLock:
    """One process's hold on the beat lock (try, check, release; never blocks)."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._connection = None  # PostgreSQL: the session holding the advisory lock
        self._file = None  # elsewhere: the open, flock'ed file

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def _key(self) -> int:
        database = connections[self.alias].settings_dict["NAME"]
        return zlib.crc32(f"{LOCK_NAME}:{database}".encode())

    def acquire(self) -> bool:
        """Takes the lock if it is free; True when this process holds it (now or already)."""
        if self.held:
            return self.alive()
        wrapper = connections[self.alias]
        if wrapper.vendor == "postgresql":
            connection = wrapper.get_new_connection(wrapper.get_connection_params())
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self._key()])
                (got,) = cursor.fetchone()
            if got:
                self._connection = connection
            else:
                connection.close()
            return bool(got)
        path = Path(f"{wrapper.settings_dict['NAME']}.beat.lock")
        handle = path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def alive(self) -> bool:
        """Whether the lock is still ours (the advisory lock dies with its connection)."""
        if self._connection is None:
            return self._file is not None
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - any failure means the session (and lock) is gone
            logger.warning("Beat lost its lock connection; standing by", exc_info=True)
            self.release()
            return False

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()  # closing the session releases the advisory lock
            self._connection = None
        if self._file is not None:
            self._file.close()  # closing the file releases the flock
            self._file = None


class LockedScheduler(PersistentScheduler):
    """Sends the schedule only while holding the beat lock (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        self.beat_lock = BeatLock()
        self._was_leader: bool | None = None  # logs the first state too
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        try:
            leader = self.beat_lock.acquire()
        except Exception:  # noqa: BLE001 - database unreachable: nobody sends, retry soon
            logger.warning("Beat could not reach the database for its lock", exc_info=True)
            leader = False
        if leader != self._was_leader:
            logger.warning(
                "Beat is now %s", "the active scheduler" if leader else "a standby (lock held)"
            )
            self._was_leader = leader
        if not leader:
            return settings.CELERY_BEAT_LOCK_RETRY_SECONDS
        return min(super().tick(*args, **kwargs), settings.CELERY_BEAT_LOCK_RETRY_SECONDS)

    def close(self):
        super().close()
        self.beat_lock.release()
