"""Casting, entering and closing votes (voting/actions.py)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction

from compounds.models import Building, BuildingUnit, Household
from deliberation.realtime import writes
from meetings.actions import join_meeting, open_meeting
from voting import actions
from voting.models import Ballot, BallotAudit, Participation, Poll, VoteReceipt

pytestmark = pytest.mark.usefixtures("english")
PROXY = Ballot.Channel.PROXY


@pytest.fixture
def live(meeting, facilitator, households):
    open_meeting(meeting)
    for household in households:
        join_meeting(meeting, household)
    return meeting


def make_poll(meeting, **fields):
    poll = Poll.objects.create(meeting=meeting, title="加装电梯", **fields)
    actions.open_poll(poll)
    poll.refresh_from_db()
    return poll


@pytest.fixture
def poll(live):
    return make_poll(live)


def test_a_phone_vote_is_recorded_once_and_retries_change_nothing(poll, households):
    first = actions.cast(poll, households[0], "for", key="k1")
    again = actions.cast(poll, households[0], "for", key="k1")  # the phone retried
    assert first.pk == again.pk and Ballot.objects.count() == 1
    actions.cast(poll, households[0], "against", key="k2")  # changed its mind
    late = actions.cast(poll, households[0], "for", key="k1")  # a late retry of the first tap
    assert late.choice == "against" and Ballot.objects.get().choice == "against"


def test_the_database_holds_one_ballot_per_household(poll, households):
    Ballot.objects.create(poll=poll, household=households[0], choice="for", channel="phone")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(poll=poll, household=households[0], choice="against", channel="paper")


def test_final_on_cast_refuses_a_change(live, households):
    poll = make_poll(live, final_on_cast=True)
    actions.cast(poll, households[0], "for", key="a")
    with pytest.raises(actions.VotingError, match="cannot be changed"):
        actions.cast(poll, households[0], "against", key="b")


def test_refusals(live, poll, households):
    with pytest.raises(actions.VotingError, match="Choose for, against or abstain"):
        actions.cast(poll, households[0], "maybe", key="x")
    assert not VoteReceipt.objects.exists()  # a refused request leaves nothing behind
    draft = Poll.objects.create(meeting=live, title="未开始")
    with pytest.raises(actions.VotingError, match="not open"):
        actions.cast(draft, households[0], "for")


def test_council_votes_are_for_households_joined_to_the_meeting(meeting, facilitator, households):
    open_meeting(meeting)
    join_meeting(meeting, households[0])
    poll = make_poll(meeting)
    actions.cast(poll, households[0], "for")
    with pytest.raises(actions.VotingError, match="not among those who vote"):
        actions.cast(poll, households[1], "for")


def test_scopes_and_kinds(live, compound, households):
    parking = Household.objects.get(compound=compound, kind="parking")
    whole = Poll(meeting=live, scope=Poll.Scope.COMPOUND)
    assert parking not in actions.electorate(whole)
    assert set(actions.electorate(whole)) == set(households)
    building = Building.objects.get(compound=compound, name="2幢")
    one = Poll.objects.create(meeting=live, title="2幢", scope=Poll.Scope.BUILDINGS)
    one.buildings.add(building)
    assert {h.unit.building for h in actions.electorate(one)} == {building}
    unit = BuildingUnit.objects.get(building=building)
    elevator = Poll(meeting=live, scope=Poll.Scope.UNIT, building_unit=unit)
    assert all(h.unit == unit for h in actions.electorate(elevator))


def test_poll_validation_follows_the_law(live):
    with pytest.raises(ValidationError, match="one building unit"):
        Poll(meeting=live, title="x", rule="elevator", scope=Poll.Scope.COMPOUND).full_clean()
    with pytest.raises(ValidationError, match="all owners"):
        Poll(meeting=live, title="x", rule="civil-code-ordinary", scope=Poll.Scope.ATTENDEES).full_clean()


def test_proxy_votes_are_capped_per_holder_and_audited(live, households, facilitator):
    poll = make_poll(live, proxy_cap=3)
    for household in households[:3]:
        actions.cast(
            poll,
            household,
            "for",
            channel=PROXY,
            user=facilitator,
            requested_by="女儿",
            proxy_holder="张  红",
            proxy_reference="委托书-01",
        )
    with pytest.raises(actions.VotingError, match="张 红 already votes for 3 households"):
        actions.cast(
            poll,
            households[3],
            "for",
            channel=PROXY,
            user=facilitator,
            proxy_holder="张 红",
            proxy_reference="委托书-04",
        )
    entry = BallotAudit.objects.filter(event="proxy").first()
    assert (entry.requested_by, entry.proxy_holder, entry.proxy_reference, entry.entered_by) == (
        "女儿",
        "张 红",
        "委托书-01",
        facilitator,
    )
    assert entry.choice == "for"


def test_the_households_own_vote_replaces_the_proxy_vote_and_the_log_says_so(poll, households, facilitator):
    actions.cast(poll, households[0], "for", channel=PROXY, user=facilitator, proxy_holder="李", proxy_reference="r")
    actions.cast(poll, households[0], "against", key="own")
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.choice) == ("phone", "against")
    assert list(BallotAudit.objects.values_list("event", flat=True)) == ["proxy", "own_replaced_proxy"]
    with pytest.raises(actions.VotingError, match="its own vote stands"):
        actions.cast(
            poll, households[0], "for", channel=PROXY, user=facilitator, proxy_holder="李", proxy_reference="r"
        )


def test_the_audit_log_cannot_be_edited_or_deleted(poll, households, facilitator):
    actions.cast(poll, households[0], "for", channel="paper", user=facilitator)
    entry = BallotAudit.objects.get()
    entry.choice = "against"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_a_paper_batch_is_all_or_nothing(poll, households, facilitator, live):
    outsider = Household.objects.get(kind="parking")
    with pytest.raises(actions.BatchError) as refused:
        actions.enter_batch(poll, [(1, households[0], "for"), (2, outsider, "for")], facilitator)
    # The failed line is named: its number, its household and why.
    assert refused.value.problems == [
        "line 2 (地下车库车位001): This household is not among those who vote in this poll."
    ]
    assert not Ballot.objects.exists() and not BallotAudit.objects.exists()
    actions.enter_batch(poll, [(1, households[0], "for"), (2, households[1], "abstain")], facilitator)
    assert Ballot.objects.count() == 2


def test_art_278_one_owners_units_vote_as_one(live, households):
    """SPC interpretation Art. 9: an owner of several units counts once; their one
    vote covers all their units (the latest vote applies to all)."""
    a, b = households[0], households[3]
    Household.objects.filter(pk__in=[a.pk, b.pk]).update(owner_key="same-owner")
    a.refresh_from_db()
    b.refresh_from_db()
    poll = make_poll(live, rule="civil-code-ordinary", scope=Poll.Scope.COMPOUND)
    actions.cast(poll, a, "for")
    actions.cast(poll, b, "against")
    assert set(Ballot.objects.values_list("choice", flat=True)) == {"against"}
    result = actions.count_now(poll)
    assert result.participating.heads == 1 and result.participating.area == Decimal("161.00")


def test_closing_writes_the_certificate_and_keeps_who_took_part(poll, households):
    actions.cast(poll, households[0], "for")
    actions.cast(poll, households[1], "for")
    actions.cast(poll, households[2], "against")
    actions.close_poll(poll)
    poll.refresh_from_db()
    c = poll.certificate
    assert c["result"]["passed"] is True and c["result"]["for"]["households"] == 2
    assert c["poll"]["rule"] == "simple-majority" and c["poll"]["closed_at"]
    assert {p["household"] for p in c["participants"]} == {h.label for h in households[:3]}
    assert Participation.objects.filter(poll=poll).count() == 3
    with pytest.raises(actions.VotingError, match="not open"):
        actions.close_poll(poll)
    with pytest.raises(actions.VotingError, match="not open"):
        actions.cast(poll, households[3], "for")


def test_a_closed_secret_poll_keeps_no_link_from_household_to_choice(live, households, facilitator):
    poll = make_poll(live, secret=True)
    actions.cast(poll, households[0], "for", key="s1")
    actions.cast(poll, households[1], "against", channel="paper", user=facilitator)
    assert BallotAudit.objects.get().choice == ""  # the log records the act, not the vote
    actions.close_poll(poll)
    poll.refresh_from_db()
    assert not Ballot.objects.filter(poll=poll).exists()
    assert all("choice" not in p for p in poll.certificate["participants"])
    assert poll.certificate["result"]["for"]["households"] == 1
    assert Participation.objects.filter(poll=poll).count() == 2


def test_ballots_mark_the_turnout_dirty_instead_of_rendering(
    poll, households, monkeypatch, django_capture_on_commit_callbacks
):
    dirty, pushed = [], []
    monkeypatch.setattr(writes, "mark_dirty", lambda meeting_id, names: dirty.append(set(names)))
    monkeypatch.setattr(writes, "push", lambda meeting_id, names: pushed.append(set(names)))
    with django_capture_on_commit_callbacks(execute=True):
        actions.cast(poll, households[0], "for")
    assert dirty == [{"turnout"}] and pushed == []


def test_only_one_poll_open_at_a_time(live, poll):
    other = Poll.objects.create(meeting=live, title="第二项")
    with pytest.raises(actions.VotingError, match="Another poll is open"):
        actions.open_poll(other)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_for_one_household_leave_one_ballot(meeting, facilitator, households):
    open_meeting(meeting)
    join_meeting(meeting, households[0])
    poll = make_poll(meeting)
    start = threading.Barrier(50)
    errors = []

    def submit(n):
        try:
            start.wait()
            actions.cast(poll, households[0], "for" if n % 2 else "against", key=f"key-{n % 10}")
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert VoteReceipt.objects.filter(poll=poll).count() == 10


def test_opening_and_closing_push_the_turnout_at_once(
    live, households, monkeypatch, django_capture_on_commit_callbacks
):
    pushed = []
    monkeypatch.setattr(writes, "push", lambda meeting_id, names: pushed.append(set(names)))
    poll = Poll.objects.create(meeting=live, title="x")
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_poll(poll)
        actions.close_poll(poll)
    # With them what the projector shows and the console's deadlines, which follow the poll (meetings/panels.py).
    assert pushed == [{"poll", "turnout", "screen", "deadlines"}, {"poll", "turnout", "screen", "deadlines"}]


def option_poll(meeting, kind, labels=("自行车棚", "充电桩", "花园")):
    from voting.models import PollOption

    poll = Poll.objects.create(meeting=meeting, title="选微项目", kind=kind, rule="plurality")
    options = [PollOption.objects.create(poll=poll, label=label, position=n) for n, label in enumerate(labels)]
    actions.open_poll(poll)
    poll.refresh_from_db()
    return poll, [str(o.pk) for o in options]


def test_a_paper_ballot_numbered_in_other_scripts_digits_is_not_read_as_a_choice(live, compound):
    """ "²" and "①" are digits to str.isdigit() but not to int(): the line is
    unreadable (the form names it), not a server error."""
    from voting.forms import PaperBatchForm

    poll, (bikes, chargers, _garden) = option_poll(live, Poll.Kind.APPROVAL)
    form = PaperBatchForm(compound=compound, poll=poll)
    assert form.read_choice("1,2") == [bikes, chargers]
    assert form.read_choice("²") is None and form.read_choice("1,①") is None


def test_a_choice_among_micro_projects(live, households):
    poll, (bikes, chargers, garden) = option_poll(live, Poll.Kind.CHOICE)
    actions.cast(poll, households[0], [bikes])
    actions.cast(poll, households[1], garden)
    actions.cast(poll, households[2], [garden])
    with pytest.raises(actions.VotingError, match="Choose one option"):
        actions.cast(poll, households[3], [bikes, garden])
    with pytest.raises(actions.VotingError, match="Choose among the options"):
        actions.cast(poll, households[3], ["for"])
    actions.close_poll(poll)
    poll.refresh_from_db()
    result = poll.certificate["result"]
    assert result["winners"] == [garden]
    assert [(o["option"], o["households"]) for o in result["options"]] == [(garden, 2), (bikes, 1), (chargers, 0)]
    assert poll.certificate["options"][garden] == "花园"


def test_approval_lets_a_household_support_several_projects(live, households):
    poll, (bikes, chargers, garden) = option_poll(live, Poll.Kind.APPROVAL)
    actions.cast(poll, households[0], [garden, bikes])
    actions.cast(poll, households[1], [garden])
    assert Ballot.objects.get(household=households[0]).choice == ",".join(sorted([garden, bikes], key=int))
    result = actions.count_now(poll)
    assert [(o.option, o.support.households) for o in result.options][:2] == [(garden, 2), (bikes, 1)]


def test_a_yes_no_question_needs_a_real_rule(live):
    with pytest.raises(ValidationError, match="decision rule"):
        Poll(meeting=live, title="x", rule="plurality").full_clean()
    poll = Poll(meeting=live, title="x", kind=Poll.Kind.CHOICE, rule="civil-code-special")
    poll.full_clean()
    assert poll.rule == "plurality"
