"""A participatory budgeting round in the app (issue 17): prepared from the
compound's micro-projects, voted by approval on phones, paper and proxy,
counted by the Method of Equal Shares at the close, and explained on the
projector, the phones, the certificate and the minutes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from deliberation.realtime import PROJECTOR, RESIDENT, render_panels
from meetings.actions import join_meeting, open_meeting
from proposals import actions as proposal_actions
from proposals.models import Proposal
from tests.conftest import join_session
from voting import actions
from voting.budget_round import NO_PROJECT
from voting.forms import PaperBatchForm, PollForm
from voting.models import Ballot, Poll

pytestmark = pytest.mark.usefixtures("english")

FIELDS = {"title": "2027年微项目资金", "kind": "budget", "scope": "attendees", "proxy_cap": 3}


@pytest.fixture
def live(meeting, facilitator, households):
    open_meeting(meeting)
    for household in households:
        join_meeting(meeting, household)
    meeting.refresh_from_db()
    return meeting


def micro_project(compound, title, budget):
    return proposal_actions.create_proposal(
        compound, Proposal.Kind.MICRO_PROJECT, title, "说明。", budget=None if budget is None else Decimal(budget)
    )


def budget_poll(meeting, fund="60", share_basis="equal", **fields):
    """Projects A 30, B 20, C 15 (linked micro-projects) and D 5 (typed)."""
    compound = meeting.compound
    linked = [
        micro_project(compound, title, cost) for title, cost in (("充电桩", "30"), ("地垫", "20"), ("座椅", "15"))
    ]
    form = PollForm(
        {
            **FIELDS,
            "fund": "区级微治理引导资金",
            "budget": fund,
            "share_basis": share_basis,
            "option_proposals": [p.pk for p in linked],
            "options": "书屋 | 5",
            **fields,
        },
        meeting=meeting,
    )
    assert form.is_valid(), form.errors
    poll = actions.create_poll(form)
    actions.open_poll(poll)
    poll.refresh_from_db()
    return poll, [str(pk) for pk in poll.options.values_list("pk", flat=True)]


def six_ballots(poll, households, a, b, c):
    """60 yuan, six households: 10 each. A has three supporters, B two, C two."""
    for household, approved in zip(households, ([a, c], [a], [a], [b], [b], [c]), strict=True):
        actions.cast(poll, household, approved)


def test_the_form_takes_micro_projects_at_their_budget_and_typed_projects_with_a_cost(live):
    poll, _ids = budget_poll(live)
    assert (poll.kind, poll.rule, poll.budget, poll.fund) == (
        "budget",
        "equal-shares",
        Decimal("60"),
        "区级微治理引导资金",
    )
    assert [(o.label, o.cost, o.proposal_id is not None) for o in poll.options.all()] == [
        ("充电桩", Decimal("30.00"), True),
        ("地垫", Decimal("20.00"), True),
        ("座椅", Decimal("15.00"), True),
        ("书屋", Decimal("5.00"), False),
    ]


def test_the_form_says_what_a_round_lacks(live):
    no_cost = micro_project(live.compound, "快递柜", None)
    form = PollForm(
        {**FIELDS, "option_proposals": [no_cost.pk], "options": "书屋\n座椅 | 12.345\n灯 | -3\n 树 | 1,200"},
        meeting=live,
    )
    assert not form.is_valid()
    assert "Give these micro-projects their budget first: 快递柜" in form.errors["option_proposals"][0]
    assert form.errors["budget"] == ["Give the amount the projects share."]
    problems = " ".join(form.errors["options"])
    assert "“书屋”: give the project, a bar, then its cost" in problems
    assert "“座椅 | 12.345”: a cost in yuan with at most two decimals" in problems
    assert "“灯 | -3”" in problems and "树" not in problems  # 1,200 reads as 1200


def test_phones_approve_any_number_of_projects_or_none_and_the_close_explains_the_count(live, households, client):
    """60 yuan, six households voting: 10 each. A (3 supporters) is funded,
    then B (2); C's supporters have 10 left of its 15; nobody approved D."""
    poll, (a, b, c, d) = budget_poll(live)
    six_ballots(poll, households, a, b, c)
    assert Ballot.objects.get(poll=poll, household=households[0]).choice == ",".join([a, c])

    # An empty ballot counts: the phone sends no tick.
    join_session(client, live, households[5])
    url = reverse("vote", kwargs={"code": live.code, "poll_id": poll.pk})
    answer = client.post(url, {"key": "k1"}, HTTP_HX_REQUEST="true").content.decode()
    assert Ballot.objects.get(poll=poll, household=households[5]).choice == NO_PROJECT
    assert "Your ballot approves none of the projects." in answer
    answer = client.post(url, {"choice": [c], "key": "k2"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Your ballot approves projects worth ¥15." in answer

    actions.close_poll(poll)
    actions.reveal(poll)
    poll.refresh_from_db()
    result = poll.certificate["result"]
    assert (result["funded"], result["spent"], result["left"], result["share"]) == ([a, b], "50.00", "10.00", "10.00")
    assert poll.certificate["options"][a] == "充电桩"
    mine = {p["household"]: p for p in poll.certificate["participants"]}
    first = mine[households[0].label]
    assert (first["share"], first["paid"], first["paid_total"]) == ("10.00", {a: "10.00"}, "10.00")

    for audience in (PROJECTOR, RESIDENT):
        html = render_panels(live, audience, "en", ["poll"])["poll"]
        assert "2 projects funded: ¥50 of ¥60, ¥10 left." in html
        assert "6 households voted; each had an equal share of the fund: ¥60 ÷ 6 = ¥10." in html
        assert "3 households paid ¥10 each" in html
        assert "Its 2 supporters had ¥10 left of their shares; it costs ¥15 (¥5 short)." in html
        assert "No household approved it." in html
    projector = render_panels(live, PROJECTOR, "en", ["poll"])["poll"]
    assert "For comparison, “most approvals first” would have funded: 充电桩、座椅 (¥45)." in projector
    assert "项目" in render_panels(live, PROJECTOR, "zh-hans", ["poll"])["poll"]

    # The phone of the first household: what its share paid for, on its line and on its page.
    join_session(client, live, households[0])
    page = client.get(reverse("join", kwargs={"code": live.code})).content.decode()
    assert "It paid ¥10: 充电桩 ¥10." in page and "Your ballot approves projects worth ¥45." in page
    line = client.get(url + "mine/", HTTP_HX_REQUEST="true").content.decode()
    assert "Your household's share of the fund: ¥10. It paid ¥10:" in line and "充电桩 ¥10" in line


def test_the_certificate_and_the_minutes_record_the_round(live, households, facilitator, client):
    poll, (a, b, c, d) = budget_poll(live)
    six_ballots(poll, households, a, b, c)
    actions.close_poll(poll)
    client.force_login(facilitator)
    page = client.get(reverse("certificate", kwargs={"poll_id": poll.pk})).content.decode()
    assert "Method of Equal Shares (participatory budget)" in page
    assert "2 projects funded: ¥50 of ¥60, ¥10 left." in page
    assert "Its share paid" in page and "充电桩 ¥10" in page

    # The micro-projects funded are adopted by the round; the others stay open for a later one.
    statuses = dict(Proposal.objects.values_list("title", "status"))
    assert (statuses["充电桩"], statuses["地垫"], statuses["座椅"]) == ("adopted", "adopted", "draft")
    decision = Proposal.objects.get(title="充电桩").decisions.get()
    assert decision.basis["budget"] == {
        "fund": "区级微治理引导资金",
        "amount": "60.00",
        "spent": "50.00",
        "cost": "30.00",
    }

    # Posted, the result has a public page: the explained round, no household's payments.
    actions.post_results(poll)
    public = client.get(reverse("result_public", kwargs={"compound_id": live.compound_id, "poll_id": poll.pk}))
    assert "2 projects funded: ¥50 of ¥60, ¥10 left." in public.content.decode()
    assert "Its share paid" not in public.content.decode()

    from minutes.record import decisions, meeting_record

    decided = decisions(meeting_record(live))
    assert decided[0]["chosen"] == ["充电桩", "地垫"] and decided[0]["funded"]


def test_a_secret_round_keeps_no_payments_by_household(live, households):
    poll, (a, b, c, d) = budget_poll(live, secret="on")
    actions.cast(poll, households[0], [a])
    actions.close_poll(poll)
    poll.refresh_from_db()
    assert all("paid" not in p and "choice" not in p for p in poll.certificate["participants"])
    assert poll.certificate["result"]["funded"] == [a]


def test_area_shares_say_so_on_the_ballot_and_in_the_result(live, households):
    poll, (a, b, c, d) = budget_poll(live, share_basis="area")
    ballot = render_panels(live, RESIDENT, "en", ["poll"])["poll"]
    assert "in proportion to its exclusive area" in ballot and 'data-cost="30.00"' in ballot
    for household in households:
        actions.cast(poll, household, [a])
    actions.close_poll(poll)
    actions.reveal(poll)
    poll.refresh_from_db()
    result = poll.certificate["result"]
    assert (result["share_basis"], result["voters_area"], result["funded"]) == ("area", "483.00", [a])
    html = render_panels(live, PROJECTOR, "en", ["poll"])["poll"]
    assert "per m² of its exclusive area (483.00 m² voted in all)" in html
    assert poll.certificate["result"]["steps"] == 0  # nobody approved the others: nothing left fits


def test_the_completion_by_area_is_said_per_m2(live, households):
    """Six households of 80.50 m² share 60 yuan: 10 each. Five fund A (6
    each); C (15) is the sixth's alone: the completion adds one yuan a
    household per step (6 yuan over 483 m²), five steps, to 90/483 per m²."""
    poll, (a, b, c, d) = budget_poll(live, share_basis="area")
    for household in households[:5]:
        actions.cast(poll, household, [a])
    actions.cast(poll, households[5], [c])
    actions.close_poll(poll)
    actions.reveal(poll)
    poll.refresh_from_db()
    result = poll.certificate["result"]
    assert (result["funded"], result["steps"], result["virtual_share"]) == ([a, c], 5, "0.19")
    html = render_panels(live, PROJECTOR, "en", ["poll"])["poll"]
    assert "split by area at each step, 5 steps, to ¥0.19 per m²" in html


def test_paper_ballots_number_the_projects_and_0_is_an_empty_ballot(live, households, compound, facilitator):
    poll, (a, b, c, d) = budget_poll(live)
    form = PaperBatchForm(compound=compound, poll=poll)
    assert form.read_choice("1,3") == [a, c] and form.read_choice("0") == [] and form.read_choice("无") == []
    assert form.read_choice("5") is None
    batch = PaperBatchForm(
        {"lines": f"{households[0].label} 1,3\n{households[1].label} 0"}, compound=compound, poll=poll
    )
    assert batch.is_valid(), batch.errors
    actions.enter_batch(poll, batch.cleaned_data["lines"], facilitator)
    assert dict(Ballot.objects.filter(poll=poll).values_list("household_id", "choice")) == {
        households[0].pk: f"{a},{c}",
        households[1].pk: NO_PROJECT,
    }
    wrong = PaperBatchForm({"lines": f"{households[2].label} 9"}, compound=compound, poll=poll)
    assert not wrong.is_valid() and "project numbers, 1 to 4, or 0 for none" in str(wrong.errors)


def test_the_staff_entry_page_lists_each_project_with_its_cost(live, facilitator, client):
    poll, _ids = budget_poll(live)
    client.force_login(facilitator)
    page = client.get(reverse("poll_ballots", kwargs={"meeting_id": live.pk, "poll_id": poll.pk})).content.decode()
    assert "充电桩 · ¥30.00" in page and "0: a ballot approving none of the projects" in page


def test_a_yes_no_form_drops_the_fund_fields(live):
    form = PollForm(
        {
            "title": "x",
            "kind": "yes_no",
            "rule": "simple-majority",
            "scope": "attendees",
            "proxy_cap": 3,
            "budget": "9",
        },
        meeting=live,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["budget"] is None and Poll.objects.count() == 0


def test_a_draft_round_is_edited_with_its_typed_projects_and_their_costs(meeting, facilitator, client):
    poll = actions.create_poll(_valid_form(meeting))
    client.force_login(facilitator)
    url = reverse("poll_edit", kwargs={"meeting_id": meeting.pk, "poll_id": poll.pk})
    page = client.get(url).content.decode()
    assert "书屋 | 5.00" in page


def _valid_form(meeting):
    form = PollForm({**FIELDS, "budget": "60", "options": "书屋 | 5\n灯 | 8.50"}, meeting=meeting)
    assert form.is_valid(), form.errors
    return form


def test_the_published_minutes_state_the_round(live, households, facilitator, client):
    from meetings import actions as meeting_actions
    from minutes import actions as minutes_actions
    from tests.conftest import make_staff
    from tests.test_minutes import signers

    poll, (a, b, c, d) = budget_poll(live)
    six_ballots(poll, households, a, b, c)
    actions.close_poll(poll)
    meeting_actions.close_meeting(live)
    live.refresh_from_db()
    secretary = make_staff(live.compound, "sec", "secretary")
    minutes = minutes_actions.minutes_of(live)
    minutes_actions.ask_to_sign(minutes, secretary)
    for party, user in signers(live.compound):
        version = minutes_actions.sign(minutes, party, user)
    copy = client.get(reverse("minutes_markdown", args=[live.compound_id, live.pk, version.number])).content.decode()
    assert "2 projects funded: ¥50 of ¥60, ¥10 left. 充电桩、地垫" in copy
    assert "- 2027年微项目资金: funded 充电桩、地垫" in copy
    assert client.post(reverse("verify"), {"export": copy}).context["outcome"]["state"] == "match"
    page = client.get(reverse("minutes_public", args=[live.compound_id, live.pk])).content.decode()
    assert "2 projects funded" in page or "资助2个项目" in page


def test_the_close_counts_a_round_once_before_its_transaction(live, households, monkeypatch):
    poll, (a, b, c, d) = budget_poll(live)
    actions.cast(poll, households[0], [a])
    counts = []
    real = actions.count_now
    monkeypatch.setattr(actions, "count_now", lambda *args: counts.append(1) or real(*args))
    actions.close_poll(poll)
    poll.refresh_from_db()
    assert len(counts) == 1 and poll.certificate["result"]["funded"] == [a]


def test_a_ballot_cast_while_the_round_was_counted_is_in_the_certificate(live, households, monkeypatch):
    """The close counts a budget before its transaction; a vote recorded in
    between makes it count again inside, so the certificate has every ballot."""
    poll, (a, b, c, d) = budget_poll(live)
    actions.cast(poll, households[0], [a])
    real = actions.count_now

    def count_then_a_vote_arrives(*args):
        result = real(*args)
        if not Ballot.objects.filter(household=households[1]).exists():
            actions.cast(poll, households[1], [b])
        return result

    monkeypatch.setattr(actions, "count_now", count_then_a_vote_arrives)
    actions.close_poll(poll)
    poll.refresh_from_db()
    assert poll.certificate["result"]["participating"]["households"] == 2
    assert poll.certificate["result"]["voters"] == 2


def test_a_round_over_the_written_voting_period_of_an_owners_meeting(compound, facilitator, households):
    """A fund that belongs to the owners by area, shared over an owners'
    meeting's announced voting window: the whole compound votes, by area,
    until the window closes; the round is counted as any other."""
    from datetime import timedelta

    from django.utils import timezone

    from meetings import actions as meeting_actions
    from meetings.models import Meeting, Notice
    from tests.test_notices import opened

    owners = Meeting.objects.create(compound=compound, title="2027年业主大会", kind=Meeting.Kind.OWNERS)
    item = meeting_actions.add_item(owners, "公共收益使用：微项目", 20)
    notice = opened(owners, facilitator, items=[item.pk])
    poll, (a, b, c, d) = budget_poll(owners, share_basis="area", scope="compound", item=item.pk)
    assert actions.voting_closes_at(poll) == notice.closes_at
    for household in households[:5]:
        actions.cast(poll, household, [a])
    Notice.objects.filter(pk=notice.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(actions.VotingError, match="closed"):
        actions.cast(poll, households[5], [c])
    actions.close_poll(poll)
    poll.refresh_from_db()
    result = poll.certificate["result"]
    assert (result["electorate"]["households"], result["voters"], result["share_basis"]) == (6, 5, "area")
    assert result["funded"] == [a] and result["voters_area"] == "402.50"
