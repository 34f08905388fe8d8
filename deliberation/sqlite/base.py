"""SQLite with one writer at a time per process, queued fairly.

Under ASGI every request's sync code runs in a thread of its own, so a burst
of 200 votes a second is 200 threads asking SQLite for its one write lock.
SQLite's busy handler makes a waiting writer sleep and poll (1, 2, 5 ... up
to 100 ms between tries), so under contention most of them sleep while the
lock is free, some starve past the timeout and fail with "database is
locked". Taking a process-wide lock before `BEGIN IMMEDIATE` queues them
instead: each waits only as long as the transactions ahead of it take.
Writers in other processes still meet at SQLite's own lock (busy timeout).

The lock is taken and released in four of Django's private methods. Should a
Django release rename any of them, a lock taken and never released would stop
every write; so the first connection checks that all four exist and, if not,
logs one WARNING and leaves writers to SQLite's busy timeout, as Django's own
backend does.
"""

import logging
import threading
import time

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

log = logging.getLogger(__name__)

HOOKS = ("_start_transaction_under_autocommit", "_commit", "_rollback", "_close")

_write_lock = threading.Lock()


def hooks_missing(wrapper_class=base.DatabaseWrapper):
    return [name for name in HOOKS if not callable(getattr(wrapper_class, name, None))]


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False
    queue_writers = None  # checked when the first connection is made

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cls = type(self)
        if cls.queue_writers is None:
            missing = hooks_missing()
            if missing:
                log.warning(
                    "Django's SQLite backend lacks %s: writers wait on SQLite's busy timeout, not in a queue",
                    ", ".join(missing),
                )
            cls.queue_writers = not missing

    def _start_transaction_under_autocommit(self):
        if not self.queue_writers:
            return super()._start_transaction_under_autocommit()
        # As long as SQLite itself would wait (the `timeout` option): a
        # writer that waits longer fails the way SQLite would, not forever.
        timeout = self.settings_dict["OPTIONS"].get("timeout", 5)
        if not _write_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked (waited for this process's other writers)")
        self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()

    def truncate_wal(self, attempts=20, pause=0.05):
        """Copy the write-ahead log into the database and truncate it to zero
        bytes; True when done. Rows deleted since are then gone from disk:
        secure_delete has zeroed them in the database's pages, and the older
        copies of those pages the WAL held are no more (a secret poll's
        ballots, voting/actions.close_poll). Waits its turn behind this
        process's writers; other connections' readers must finish their
        snapshot first, so a busy attempt is retried."""
        timeout = self.settings_dict["OPTIONS"].get("timeout", 5)
        for _attempt in range(attempts):
            if not _write_lock.acquire(timeout=timeout):
                continue
            try:
                with self.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy, _frames, _done = cursor.fetchone()
            finally:
                _write_lock.release()
            if not busy:
                return True
            time.sleep(pause)
        return False

    def _release_write_lock(self):
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock.release()
