"""Phones' votes: written by one thread per process, many to a transaction.

When a room of 2,000 votes within ten seconds, a transaction per vote means
a commit, a revision bump and a "turnout changed" message per vote, and on
SQLite every request thread queuing for the one write lock. Here the request
thread hands its vote to this process's writer and waits; the writer takes
the votes waiting and those arriving in the next VOTE_BATCH_SECONDS (up to
MAX_BATCH) and records them in one
transaction with an actions.Recorder (each vote checked on its own, so a
refused vote changes nothing for the others; all written with a few bulk
statements), then advances each meeting's revision once and marks its
turnout dirty once. A phone hears "recorded" only after that commit (group
commit: the same durability, fewer commits). The writer also checks, for
the whole batch at once, that each household may still act in the meeting
(meetings.access.residents), so the request itself reads nothing but its
session.

A caller already inside a transaction (a test, a batch of its own) records
inline instead, as part of that transaction.
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from meetings import access
from voting import actions
from voting.models import Poll

log = logging.getLogger(__name__)

MAX_BATCH = 200
# A vote waits at most this long for the writer before the phone is told to
# try again; its key makes a retry safe even if the vote was written after all.
WAIT_SECONDS = 30


class Busy(actions.VotingError):
    """The writer did not answer in time; the vote may or may not be in."""


class Gone(actions.VotingError):
    """The poll was deleted since the phone loaded it."""


class NotJoined(actions.VotingError):
    """The phone's session holds no household that may act in this meeting."""


def poll_meeting(poll_id, code):
    """The meeting id of poll `poll_id` if it belongs to the meeting with
    `code`, else None. A poll never moves to another meeting and a meeting
    keeps its code, so the answer is kept for this process (the writer
    checks it again against the locked poll anyway)."""
    key = (poll_id, code)
    meeting_id = _poll_meetings.get(key)
    if meeting_id is None:
        meeting_id = Poll.objects.filter(pk=poll_id, meeting__code=code).values_list("meeting_id", flat=True).first()
        if meeting_id is not None:
            if len(_poll_meetings) >= 1000:
                _poll_meetings.clear()
            _poll_meetings[key] = meeting_id
    return meeting_id


_poll_meetings = {}


def cast_phone_vote(poll_id, code, joined, choice, key):
    """Record a phone's vote: returns (poll, ballot) or raises VotingError.

    `joined` is (household id, credential id), what the phone's session says
    it joined with; whether it may still act (access.residents: the code not
    revoked, the household active) is checked with the vote, under the poll's
    lock, for the whole batch at once.
    """
    household_id, credential_id = joined
    job = _Job(poll_id, code, household_id, credential_id, choice, key, translation.get_language())
    if connection.in_atomic_block:
        # Part of the caller's transaction (a test, a batch of its own).
        _write([job])
        for meeting_id in job.notify:
            transaction.on_commit(lambda meeting_id=meeting_id: actions.turnout_changed(meeting_id))
    else:
        _writer().submit(job)
        if not job.done.wait(WAIT_SECONDS):
            raise Busy(_("The server is busy and has not confirmed your vote yet. Please try again."))
        for meeting_id in job.notify:
            # Sent from this request's thread, which asgiref knows how to
            # take back to the server's event loop; the writer has no loop.
            actions.turnout_changed(meeting_id)
    if job.error is not None:
        raise job.error
    return job.poll, job.ballot


@dataclass(eq=False)
class _Job:
    poll_id: int
    code: str
    household_id: int
    credential_id: int
    choice: object
    key: str
    language: str | None = None  # a refusal is worded in the phone's language
    done: threading.Event = field(default_factory=threading.Event)
    poll: object = None
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
            batch = self._gather()
            try:
                self._write_all(batch)
            finally:
                for job in batch:
                    job.done.set()
                if self.queue.empty():
                    # Idle: as at a request's end, give the connection back
                    # to PostgreSQL's pool or drop a broken or old one; a
                    # SQLite connection is kept (opening one costs more than
                    # a small batch of votes).
                    close_old_connections()

    def _gather(self):
        """The next batch: the votes waiting (at most MAX_BATCH), and while
        it holds fewer than HTTP_WORKERS, those arriving within
        VOTE_BATCH_SECONDS of the first.

        A batch costs about 4 ms of server time however few votes it holds
        (the poll locked and read, the electorate checked, a commit, the
        revision advanced), a vote in it a fraction of a millisecond more, so
        lingering for the next votes of a burst saves server time. But each
        vote's request holds one of the process's HTTP_WORKERS threads while
        it waits: a batch holding that many votes cannot grow (no thread is
        left to bring another), and a long linger would cap a process at
        HTTP_WORKERS votes per linger. Measured with `make bench` on one
        process: a 0.1 s linger cut 500 votes over 10 s from 9.3-10.6 ms of
        server time a vote to 6.4-7.1, but 1,000 over 10 s (100 a second,
        more than 8 threads / 0.1 s) queued for seconds.
        """
        batch = [self.queue.get()]
        until = time.monotonic() + settings.VOTE_BATCH_SECONDS
        while len(batch) < MAX_BATCH:
            left = until - time.monotonic()
            linger = left > 0 and len(batch) < settings.HTTP_WORKERS
            try:
                batch.append(self.queue.get(timeout=left) if linger else self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

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
    outcomes, meetings, first_change = [], set(), None
    with transaction.atomic():
        for poll_id in dict.fromkeys(job.poll_id for job in batch):
            jobs = [job for job in batch if job.poll_id == poll_id]
            try:
                poll = actions.locked_poll(poll_id)
            except Poll.DoesNotExist:
                _poll_meetings.clear()
                outcomes += [(job, None, Gone(_("This poll no longer exists."))) for job in jobs]
                continue
            recorder = actions.Recorder(poll, [job.household_id for job in jobs], keys=[job.key for job in jobs])
            joined = _joined(poll, jobs)
            for job in jobs:
                job.poll = poll
                try:
                    with translation.override(job.language):
                        if (job.household_id, job.credential_id) not in joined:
                            raise NotJoined(_("Join the meeting first."))
                        ballot, changed = recorder.add(job.household_id, job.choice, key=job.key)
                except actions.VotingError as refusal:
                    outcomes.append((job, None, refusal))
                    continue
                outcomes.append((job, ballot, None))
                if changed:
                    meetings.add(poll.meeting_id)
                    first_change = first_change or job
            recorder.write()
        actions.votes_written(meetings)
    # Only now, after the commit: a failed batch leaves no job answered. One
    # request per batch tells the screens (a lost mark heals: the hubs see the
    # revision ahead and resync).
    for job, ballot, error in outcomes:
        job.ballot, job.error = ballot, error
    if first_change is not None:
        first_change.notify = tuple(sorted(meetings))


def _joined(poll, jobs):
    """The jobs' households that may vote as residents of the poll's meeting
    (access.residents: among other things, the code each phone joined with is
    still its household's active code)."""
    meeting = poll.meeting
    joins = {(job.household_id, job.credential_id) for job in jobs if job.code == meeting.code}
    return access.residents(meeting, joins)


_lock = threading.Lock()
_the_writer = None


def _writer():
    global _the_writer
    with _lock:
        if _the_writer is None:
            _the_writer = _Writer()
        return _the_writer
