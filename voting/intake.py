"""Phones' votes: written by one thread per process, many to a transaction.

When a room of 2,000 votes within ten seconds, a transaction per vote means
a commit, a revision bump and a "turnout changed" message per vote, and on
SQLite every request thread queuing for the one write lock. Here the request
thread hands its vote to this process's writer and waits; the writer takes
whatever votes are waiting (up to MAX_BATCH) and records them in one
transaction, each in a savepoint of its own so a refused vote changes
nothing for the others, then advances each meeting's revision once and marks
its turnout dirty once. A phone hears "recorded" only after that commit, as
before (group commit: the same durability, fewer commits).

A caller already inside a transaction (a test, a batch of its own) records
inline instead, as part of that transaction.
"""

import logging
import queue
import threading
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from deliberation.realtime import bump, mark_dirty
from voting import actions

log = logging.getLogger(__name__)

MAX_BATCH = 200
# A vote waits at most this long for the writer before the phone is told to
# try again; its key makes a retry safe even if the vote was written after all.
WAIT_SECONDS = 30


class Busy(actions.VotingError):
    """The writer did not answer in time; the vote may or may not be in."""


def cast_phone_vote(poll, household, choice, key):
    """Record a phone's vote; returns its ballot or raises VotingError."""
    if connection.in_atomic_block:
        return actions.cast(poll, household, choice, key=key)
    job = _Job(poll.pk, household, choice, key, translation.get_language())
    _writer().submit(job)
    if not job.done.wait(WAIT_SECONDS):
        raise Busy(_("The server is busy and has not confirmed your vote yet. Please try again."))
    if job.error is not None:
        raise job.error
    for meeting_id in job.notify:
        # Sent from this request's thread, which asgiref knows how to take
        # back to the server's event loop; the writer thread has no loop.
        mark_dirty(meeting_id, {"turnout"})
    return job.ballot


@dataclass(eq=False)
class _Job:
    poll_id: int
    household: object
    choice: object
    key: str
    language: str | None = None  # a refusal is worded in the phone's language
    done: threading.Event = field(default_factory=threading.Event)
    ballot: object = None
    error: Exception | None = None
    notify: tuple = ()  # meetings whose turnout this job's request marks dirty


class _Writer:
    def __init__(self):
        self.queue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="vote-writer", daemon=True)
        self.thread.start()

    def submit(self, job):
        self.queue.put(job)

    def _run(self):
        while True:
            batch = [self.queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write_all(batch)
            finally:
                for job in batch:
                    job.done.set()
                if self.queue.empty():
                    # Idle: give the connection back (PostgreSQL's pool) or
                    # drop a broken one, as a request's end would.
                    close_old_connections()
                    connection.close()

    def _write_all(self, batch):
        try:
            _write(batch)
        except Exception:
            # Something other than a refused vote failed (a lost database
            # connection, say): try each vote on its own, so one cannot
            # take the others down with it.
            log.exception("a batch of %s votes failed; writing them one by one", len(batch))
            close_old_connections()
            for job in batch:
                try:
                    _write([job])
                except Exception as error:
                    log.exception("a vote failed")
                    job.error = error


def _write(batch):
    outcomes, meetings, polls, first_change = [], set(), {}, None
    with transaction.atomic():
        for job in batch:
            if job.poll_id not in polls:
                poll = actions.locked_poll(job.poll_id)
                households = [j.household.pk for j in batch if j.poll_id == job.poll_id]
                polls[job.poll_id] = poll, actions.Known(poll, households)
            poll, known = polls[job.poll_id]
            try:
                with translation.override(job.language):
                    ballot, changed = actions.record(poll, job.household, job.choice, key=job.key, known=known)
            except actions.VotingError as refusal:
                outcomes.append((job, None, refusal))
                continue
            outcomes.append((job, ballot, None))
            if changed:
                meetings.add(poll.meeting_id)
                first_change = first_change or job
        for meeting_id in meetings:
            bump(meeting_id)
    # Only now, after the commit: a failed batch leaves no job answered. One
    # request per batch tells the screens (a lost mark heals: the hubs see the
    # revision ahead and resync).
    for job, ballot, error in outcomes:
        job.ballot, job.error = ballot, error
    if first_change is not None:
        first_change.notify = tuple(sorted(meetings))


_lock = threading.Lock()
_the_writer = None


def _writer():
    global _the_writer
    with _lock:
        if _the_writer is None:
            _the_writer = _Writer()
        return _the_writer
