"""Phones' votes through the per-process writer (voting/intake.py): many votes
to a transaction, each acknowledged only after that commit."""

import threading
import time

import pytest
from django.db import connections

from compounds.models import Household
from meetings.actions import join_meeting, open_meeting
from meetings.models import Meeting
from tests.conftest import joined_value
from voting import actions, intake
from voting.models import Ballot, Poll

pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def poll(meeting, facilitator, households):
    open_meeting(meeting)
    for household in households:
        join_meeting(meeting, household)
    poll = Poll.objects.create(meeting=meeting, title="加装电梯", scope="attendees")
    actions.open_poll(poll)
    return Poll.objects.get(pk=poll.pk)


def job(poll, household, choice, key):
    household_id, credential_id = joined_value(household)
    return intake._Job(poll.pk, poll.meeting.code, household_id, credential_id, choice, key)


def cast(poll, household, choice, key):
    return intake.cast_phone_vote(poll.pk, poll.meeting.code, joined_value(household), choice, key)[1]


def revision(meeting):
    return Meeting.objects.values_list("revision", flat=True).get(pk=meeting.pk)


def test_a_batch_is_one_transaction_one_revision_and_one_dirty_mark(poll, meeting, households):
    before = revision(meeting)
    jobs = [job(poll, household, "for", f"k{n}") for n, household in enumerate(households)]
    intake._write(jobs)
    assert Ballot.objects.filter(poll=poll).count() == len(households)
    assert all(job.error is None and job.ballot.choice == "for" for job in jobs)
    assert revision(meeting) == before + 1
    # One of the batch's requests (the first that changed something) tells the screens.
    assert [job.notify for job in jobs] == [(meeting.pk,)] + [()] * (len(jobs) - 1)


def test_a_refused_vote_in_a_batch_changes_nothing_for_the_others(poll, meeting, households, compound):
    parking = Household.objects.get(compound=compound, kind="parking")  # never votes
    jobs = [
        job(poll, households[0], "for", "a"),
        job(poll, parking, "for", "b"),
        job(poll, households[1], "maybe", "c"),  # not a choice
        job(poll, households[2], "against", "d"),
    ]
    intake._write(jobs)
    assert [type(job.error) for job in jobs] == [type(None), actions.VotingError, actions.VotingError, type(None)]
    assert set(Ballot.objects.filter(poll=poll).values_list("household_id", "choice")) == {
        (households[0].pk, "for"),
        (households[2].pk, "against"),
    }


def test_a_retried_key_in_the_same_batch_is_recorded_once(poll, households):
    first = job(poll, households[0], "for", "same")
    retry = job(poll, households[0], "for", "same")
    intake._write([first, retry])
    assert first.ballot.pk == retry.ballot.pk
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_a_batch_that_fails_is_written_vote_by_vote(poll, households, monkeypatch):
    """A failure that is not a refusal (a database error) loses only that vote."""
    real_add = actions.Recorder.add

    def add(self, household_id, choice, **kwargs):
        if household_id == households[1].pk:
            raise RuntimeError("connection lost")
        return real_add(self, household_id, choice, **kwargs)

    monkeypatch.setattr(actions.Recorder, "add", add)
    jobs = [job(poll, h, "for", f"k{n}") for n, h in enumerate(households[:3])]
    intake._Writer._write_all(None, jobs)
    assert [job.error is None for job in jobs] == [True, False, True]
    assert isinstance(jobs[1].error, RuntimeError)
    assert Ballot.objects.filter(poll=poll).count() == 2


def test_concurrent_phones_are_all_acknowledged_after_commit(poll, meeting, households):
    """Through the real writer thread: every answer is a committed ballot."""
    start = threading.Barrier(len(households))
    answers, errors = {}, []

    def vote(household):
        try:
            start.wait()
            answers[household.pk] = cast(poll, household, "against", f"key-{household.pk}")
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    before = revision(meeting)
    threads = [threading.Thread(target=vote, args=(h,)) for h in households]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = dict(Ballot.objects.filter(poll=poll).values_list("household_id", "pk"))
    assert {pk: ballot.pk for pk, ballot in answers.items()} == stored
    assert before < revision(meeting) <= before + len(households)


def test_a_vote_inside_a_transaction_is_part_of_it(poll, households):
    from django.db import transaction

    with transaction.atomic():
        ballot = cast(poll, households[0], "for", "inline")
        assert Ballot.objects.filter(pk=ballot.pk).exists()  # this thread's transaction
        transaction.set_rollback(True)
    assert not Ballot.objects.filter(poll=poll).exists()


def test_a_closed_poll_refuses_through_the_writer(poll, households):
    actions.close_poll(poll)
    with pytest.raises(actions.VotingError, match="not open"):
        cast(poll, households[0], "for", "late")
    connections.close_all()


def test_the_screens_are_told_after_the_commit(poll, meeting, households, monkeypatch):
    seen = []

    def mark_dirty(meeting_id, names):
        seen.append((meeting_id, set(names), Ballot.objects.filter(poll=poll).count()))

    monkeypatch.setattr(actions, "mark_dirty", mark_dirty)
    cast(poll, households[0], "for", "x")
    assert seen == [(meeting.pk, {"turnout"}, 1)]
    cast(poll, households[0], "for", "x")  # a retry changes nothing, tells nobody
    assert len(seen) == 1
    connections.close_all()


def test_a_retired_household_or_a_closed_meeting_is_told_to_join_first(poll, meeting, households):
    """access.residents, checked by the writer for the whole batch: a phone's
    session outlives neither its household's retirement nor the meeting."""
    Household.objects.filter(pk=households[0].pk).update(is_active=False)
    jobs = [job(poll, households[0], "for", "a"), job(poll, households[1], "for", "b")]
    intake._write(jobs)
    assert isinstance(jobs[0].error, intake.NotJoined) and str(jobs[0].error) == "Join the meeting first."
    assert jobs[1].error is None
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    late = job(poll, households[2], "for", "c")
    intake._write([late])
    assert isinstance(late.error, intake.NotJoined)
    assert list(Ballot.objects.filter(poll=poll).values_list("household_id", flat=True)) == [households[1].pk]


def test_a_vote_under_another_meetings_code_is_refused(poll, households):
    wrong = intake._Job(poll.pk, "ZZZZZZ", *joined_value(households[0]), "for", "a")
    intake._write([wrong])
    assert isinstance(wrong.error, intake.NotJoined)
    assert intake.poll_meeting(poll.pk, "ZZZZZZ") is None
    assert intake.poll_meeting(poll.pk, poll.meeting.code) == poll.meeting_id
    assert not Ballot.objects.exists()


def test_a_key_from_an_earlier_batch_changes_nothing(poll, households):
    first = job(poll, households[0], "for", "k")
    intake._write([first])
    late_retry = job(poll, households[0], "against", "k")  # same request, answered before
    intake._write([late_retry])
    assert late_retry.error is None and late_retry.notify == ()
    assert late_retry.ballot.pk == first.ballot.pk and late_retry.ballot.choice == "for"
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["for"]


def test_art_278_an_owners_latest_vote_in_a_batch_covers_all_their_units(poll, meeting, households):
    """SPC interpretation Art. 9 (an owner of several units counts once, their
    latest vote for all), when both units' votes land in one batch."""
    actions.close_poll(poll)
    a, b, c = households[0], households[3], households[1]
    Household.objects.filter(pk__in=[a.pk, b.pk]).update(owner_key="same-owner")
    poll = Poll.objects.create(meeting=meeting, title="改建车棚", rule="civil-code-ordinary", scope="compound")
    actions.open_poll(poll)
    poll.refresh_from_db()
    jobs = [job(poll, a, "for", "1"), job(poll, c, "for", "2"), job(poll, b, "against", "3")]
    intake._write(jobs)
    assert [j.error for j in jobs] == [None, None, None]
    choices = dict(Ballot.objects.filter(poll=poll).values_list("household_id", "choice"))
    assert choices == {a.pk: "against", b.pk: "against", c.pk: "for"}
    assert jobs[0].ballot.choice == "against"  # what a retry of a's vote would be answered


def test_a_vote_for_a_deleted_poll_is_refused_not_failed(poll, households, client):
    """The view (which checked the poll's meeting earlier, or from its
    cache) answers 404, not 500."""
    vote = job(poll, households[0], "for", "a")
    Poll.objects.filter(pk=poll.pk).delete()
    intake._write([vote])
    assert isinstance(vote.error, intake.Gone)


def test_votes_arriving_close_together_are_written_in_one_batch(monkeypatch, settings):
    settings.VOTE_BATCH_SECONDS = 0.2
    batches = []
    monkeypatch.setattr(intake, "_write", lambda batch: batches.append([j.key for j in batch]))
    writer = intake._Writer()
    first, second = (intake._Job(1, "M", i, i, ["for"], key) for i, key in ((1, "a"), (2, "b")))
    writer.submit(first)
    time.sleep(0.02)  # the writer has taken the first vote and is lingering
    writer.submit(second)
    assert first.done.wait(5) and second.done.wait(5)
    assert batches == [["a", "b"]]


def test_a_lone_vote_waits_no_longer_than_the_linger(monkeypatch, settings):
    settings.VOTE_BATCH_SECONDS = 0.05
    monkeypatch.setattr(intake, "_write", lambda batch: None)
    writer = intake._Writer()
    vote = intake._Job(1, "M", 1, 1, ["for"], "a")
    started = time.monotonic()
    writer.submit(vote)
    assert vote.done.wait(5)
    assert 0.05 <= time.monotonic() - started < 1


def test_a_batch_holding_every_request_thread_is_written_at_once(monkeypatch, settings):
    # Each waiting vote holds one of the process's HTTP_WORKERS threads: with
    # all of them in the batch no other vote can arrive, so it does not linger.
    settings.VOTE_BATCH_SECONDS, settings.HTTP_WORKERS = 30, 2
    batches = []
    monkeypatch.setattr(intake, "_write", lambda batch: batches.append([j.key for j in batch]))
    writer = intake._Writer()
    first, second = (intake._Job(1, "M", i, i, ["for"], key) for i, key in ((1, "a"), (2, "b")))
    writer.submit(first)
    writer.submit(second)
    assert first.done.wait(5) and second.done.wait(5)
    assert batches == [["a", "b"]]
