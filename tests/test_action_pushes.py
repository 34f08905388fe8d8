"""Every action proves its push (issue 11, in the spirit of Zulip's event
tests): a meeting is walked through every action others see; after each, every
panel whose fresh render changed for an audience was pushed to that audience
or marked for its coalesced push, and what was pushed is exactly a fresh
render. An action that forgets to broadcast a panel it changes fails here.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from compounds.actions import import_roster
from deliberation.realtime import AUDIENCES, panels_for, render_panels, writes
from meetings import actions as meeting_actions
from meetings.models import FloorRequest, Meeting
from proposals import actions as proposal_actions
from tests.conftest import joined_value
from voting import actions as voting_actions
from voting import intake
from voting.models import Poll, PollOption

pytestmark = pytest.mark.usefixtures("english")
REV = re.compile(r' data-rev="\d+"')


@pytest.fixture
def clock(monkeypatch):
    """A clock that moves only when told, so that nothing but the action
    changes a render (elapsed times, countdowns)."""
    now = [datetime(2026, 12, 2, 11, 0, tzinfo=UTC)]
    monkeypatch.setattr("django.utils.timezone.now", lambda: now[0])
    return now


@pytest.fixture
def sent(monkeypatch, every_page_open):
    messages = []
    monkeypatch.setattr(writes, "_send", lambda group, message: messages.append(message))
    return messages


def render_all(meeting_id):
    meeting = Meeting.objects.select_related("compound").get(pk=meeting_id)
    return meeting, {audience: render_panels(meeting, audience, "en") for audience in AUDIENCES}


def check(step, meeting_id, sent, callbacks, action):
    """Apply `action`; every panel that changed was sent, and as rendered fresh."""
    _meeting, before = render_all(meeting_id)
    sent.clear()
    with callbacks(execute=True):
        action()
    meeting, after = render_all(meeting_id)
    pushed = {audience: set() for audience in AUDIENCES}
    for message in sent:
        if message["type"] == "hub.push":
            assert message["rev"] == meeting.revision, f"{step}: pushed at an old revision"
            for group, panels in message["panels"].items():
                _prefix, _meeting_id, audience, language = group.split(".")
                fresh = render_panels(meeting, audience, language, set(panels))
                assert panels == fresh, f"{step}: the push differs from a fresh render"
                pushed[audience] |= set(panels)
        elif message["type"] == "hub.dirty":
            # Rendered by each hub when its window ends: fresh by construction.
            for audience in AUDIENCES:
                pushed[audience] |= {p.name for p in panels_for(audience) if p.name in message["names"]}
    for audience in AUDIENCES:
        changed = {
            name for name, html in after[audience].items() if REV.sub("", html) != REV.sub("", before[audience][name])
        }
        missing = changed - pushed[audience]
        assert not missing, f"{step}: changed for the {audience} but not pushed: {sorted(missing)}"
    return meeting


def test_every_action_pushes_what_it_changes(
    meeting, facilitator, households, clock, sent, django_capture_on_commit_callbacks
):
    m = meeting.pk
    steps = []

    def step(name, action):
        steps.append((name, action))

    state = {}
    step("open the meeting", lambda: meeting_actions.open_meeting(meeting))
    step("a phone joins", lambda: meeting_actions.join_meeting(meeting, households[0]))
    step("another phone joins", lambda: meeting_actions.join_meeting(meeting, households[1]))
    step("staff sign a household in", lambda: meeting_actions.sign_in(meeting, households[2], facilitator))
    step("staff sign another in", lambda: meeting_actions.sign_in(meeting, households[3], facilitator))
    step("undo a sign-in", lambda: meeting_actions.undo_sign_in(meeting, households[3], facilitator))
    step("add an item", lambda: state.setdefault("first", meeting_actions.add_item(meeting, "加装电梯", 20)))
    step("add another item", lambda: state.setdefault("second", meeting_actions.add_item(meeting, "自行车棚", 15)))
    step("add a third item", lambda: state.setdefault("third", meeting_actions.add_item(meeting, "删掉的议题", 5)))
    step("edit an item", lambda: meeting_actions.update_item(meeting, state["second"].pk, "自行车棚改造", 10, "说明"))
    step("move an item", lambda: meeting_actions.move_item(meeting, state["second"].pk, -1))
    step("delete an item", lambda: meeting_actions.delete_item(meeting, state["third"].pk))
    step(
        "a proposal goes on the first item",
        lambda: state.setdefault("proposal", place_proposal(meeting, state["first"], facilitator)),
    )
    step("start an item", lambda: meeting_actions.start_item(meeting, state["first"].pk))
    step(
        "a phone proposes an amendment", lambda: state.setdefault("amendment", amend(state["proposal"], households[0]))
    )
    step("another household seconds it", lambda: proposal_actions.second(state["amendment"], households[1]))
    step("the chair marks the part under debate", lambda: proposal_actions.focus(state["proposal"], 2))
    step("the projector shows the agenda", lambda: meeting_actions.show_on_projector(meeting, "agenda"))
    step("the projector shows the text", lambda: meeting_actions.show_on_projector(meeting, "text"))
    step("the projector back to auto", lambda: meeting_actions.show_on_projector(meeting, "auto"))
    step(
        "the chair shows the amendment", lambda: proposal_actions.focus(state["proposal"], amendment=state["amendment"])
    )
    step("the chair accepts it", lambda: proposal_actions.accept_amendment(state["amendment"], facilitator))
    step(
        "staff save a new text",
        lambda: proposal_actions.save_text(
            state["proposal"], "公约", "# 公约\n\n## 第一条\n\n新的条文。\n", "重写", user=facilitator
        ),
    )
    step(
        "another amendment is rejected",
        lambda: proposal_actions.reject_amendment(amend(state["proposal"], households[2]), facilitator, "重复"),
    )
    step("the notice is posted", lambda: proposal_actions.put_on_notice(state["proposal"], 7))
    step("a phone asks for the floor", lambda: meeting_actions.request_floor(meeting, households[0], "for"))
    step("another asks", lambda: meeting_actions.request_floor(meeting, households[1], "against"))
    step(
        "staff add a raised hand",
        lambda: meeting_actions.add_speaker(meeting, stance="for", user=facilitator, name="王阿姨"),
    )
    step("a phone withdraws", lambda: meeting_actions.withdraw(meeting, households[1]))
    step("the chair moves a request", lambda: meeting_actions.move_request(meeting, _waiting(m)[-1], 0))
    step("the chair removes a request", lambda: meeting_actions.remove_request(meeting, _waiting(m)[-1]))
    step("next speaker", lambda: meeting_actions.call_next(meeting))
    step("pause", lambda: meeting_actions.toggle_pause(meeting))
    step("resume", lambda: meeting_actions.toggle_pause(meeting))
    step("end the speech", lambda: meeting_actions.end_speech(meeting))
    step("next item", lambda: meeting_actions.next_item(meeting))

    def create_poll(kind=Poll.Kind.YES_NO, options=()):
        def create():
            from voting.forms import PollForm

            data = {"title": "表决", "kind": kind, "rule": "simple-majority", "scope": "attendees", "proxy_cap": 3}
            form = PollForm({**data, "options": "\n".join(options)}, meeting=Meeting.objects.get(pk=m))
            assert form.is_valid(), form.errors
            state["poll"] = voting_actions.create_poll(form)

        return create

    step("create a poll", create_poll())

    def edit_poll():
        from voting.forms import PollForm

        data = {"title": "表决（改）", "kind": Poll.Kind.YES_NO, "rule": "simple-majority", "scope": "attendees"}
        form = PollForm({**data, "proxy_cap": 3}, instance=state["poll"], meeting=Meeting.objects.get(pk=m))
        assert form.is_valid(), form.errors
        state["poll"] = voting_actions.update_poll(form)

    step("edit the draft poll", edit_poll)
    step("open the poll", lambda: voting_actions.open_poll(state["poll"]))
    step("a phone votes", lambda: voting_actions.cast(state["poll"], households[0], "for", key="a"))
    step("a phone changes its vote", lambda: voting_actions.cast(state["poll"], households[0], "against", key="b"))
    step(
        "staff enter a paper ballot",
        lambda: voting_actions.cast(state["poll"], households[2], "for", channel="paper", user=facilitator),
    )
    step(
        "a paper batch",
        lambda: voting_actions.enter_batch(state["poll"], [(1, households[1], "abstain")], facilitator),
    )
    step("close the poll", lambda: voting_actions.close_poll(state["poll"]))
    step("reveal the result", lambda: voting_actions.reveal(state["poll"]))
    step("the projector shows the agenda again", lambda: meeting_actions.show_on_projector(meeting, "agenda"))
    step("the projector shows the result", lambda: meeting_actions.show_on_projector(meeting, "result"))
    step("create a choice", create_poll(Poll.Kind.APPROVAL, ["甲", "乙"]))
    step("open the choice", lambda: voting_actions.open_poll(state["poll"]))
    step(
        "approve options",
        lambda: voting_actions.cast(
            state["poll"], households[0], [str(o) for o in PollOption.objects.values_list("pk", flat=True)][-2:]
        ),
    )
    step("close the choice", lambda: voting_actions.close_poll(state["poll"]))
    step("edit the meeting", lambda: edit_meeting(m))
    step("open a third poll", create_poll())
    step("start it", lambda: voting_actions.open_poll(state["poll"]))
    step(
        "a phone votes through the writer",
        lambda: intake.cast_phone_vote(state["poll"].pk, meeting.code, joined_value(households[1]), "for", "w1"),
    )
    step("a new roster adds a household", lambda: import_roster_with_one_more(meeting.compound))
    step("close the meeting", lambda: meeting_actions.close_meeting(meeting))

    for name, action in steps:
        clock[0] += timedelta(seconds=7)  # time passes between actions, not within one
        check(name, m, sent, django_capture_on_commit_callbacks, action)


def place_proposal(meeting, item, user):
    proposal = proposal_actions.create_proposal(
        meeting.compound, "convention", "公约", "# 公约\n\n## 第一条\n\n束犬绳。\n", user=user
    )
    proposal_actions.place_on_item(proposal, item)
    return proposal


def amend(proposal, household):
    from proposals import markup

    last = markup.blocks(proposal.current.body)[-1]
    return proposal_actions.propose_amendment(
        proposal, last.index, "replace", last.text + "（改）", "更清楚", household=household
    )


def edit_meeting(meeting_id):
    from meetings.forms import MeetingForm

    meeting = Meeting.objects.get(pk=meeting_id)
    data = {"title": "议事会（改）", "kind": meeting.kind, "place": "活动室", "speech_limit_seconds": 120}
    form = MeetingForm(
        {**data, "speeches_per_item": 1, "alternate_stances": "on", "seconds_required": 1}, instance=meeting
    )
    assert form.is_valid(), form.errors
    meeting_actions.save_meeting(form)


def import_roster_with_one_more(compound):
    """The compound's roster as a file, plus one new household."""
    rows = [
        f"{h.unit.building.name},{h.unit.name},{h.room},{h.get_kind_display()},{h.area},,{h.owner_names},,,"
        for h in compound.households.select_related("unit__building")
    ]
    rows.append("3幢,1单元,101,住宅,90.00,,新业主,,,")
    data = "\n".join(["楼栋,单元,室号,类型,专有面积,面积来源,业主姓名,证件号后六位,联系电话,备注", *rows])
    report = import_roster(compound.name, data.encode(), "roster.csv")
    assert (report.created, report.retired) == (1, 0)


def _waiting(meeting_id):
    return list(
        FloorRequest.objects.filter(item__meeting_id=meeting_id, status=FloorRequest.Status.WAITING)
        .order_by("id")
        .values_list("pk", flat=True)
    )
