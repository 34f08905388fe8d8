"""An owners' vote by the book (issue 15): the electorate frozen when voting
opens, the compound's counting clauses (随多数, the silence rule of MOHURD
指导规则 Art. 26(2), the Zhejiang 2009 Art. 10(2) floor) applied as adopted
and quoted, service statistics, and the result posted as provisional with
an objection window (询异) before it is final."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import actions as meeting_actions
from meetings import roster_check
from meetings.models import Service
from tests.conftest import active_code
from voting import actions
from voting.models import CountingClause, Objection, Poll

ORDINARY = "civil-code-ordinary"  # Civil Code Art. 278: 2/3 take part, > 1/2 of them approve


@pytest.fixture
def live(meeting, facilitator):
    meeting_actions.open_meeting(meeting)
    meeting.refresh_from_db()
    return meeting


def owners_poll(meeting, **extra):
    poll = Poll.objects.create(meeting=meeting, title="续聘物业", rule=ORDINARY, scope=Poll.Scope.COMPOUND, **extra)
    actions.open_poll(poll)
    return Poll.objects.get(pk=poll.pk)


def adopt(compound, kind, user, **extra):
    return actions.adopt_clause(
        compound,
        kind=kind,
        text="未参与表决的业主，其投票权数计入已表决的多数票。" if kind == "silence" else "表决票可选“随多数”。",
        reference="2025年第一次业主大会决定第3项",
        adopted_on=timezone.localdate(),
        user=user,
        **extra,
    )


@pytest.fixture(autouse=True)
def messages_in_english(english):
    """Refusals read in English here (pages render in Chinese, the default)."""


# --- The electorate frozen when voting opens --------------------------------------------


def test_the_frozen_electorate_is_read_once_per_process_not_with_every_poll(live, households):
    """A poll is read many times a second in a voting room (each batch of
    votes, each page); its frozen electorate, the whole roster as JSON, is not
    read with it but once, when first needed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from voting.frozen import frozen_electorate, frozen_ids

    opened = owners_poll(live)
    with CaptureQueriesContext(connection) as reads:
        poll = Poll.objects.get(pk=opened.pk)
        first = frozen_electorate(poll)
        again = frozen_electorate(Poll.objects.get(pk=opened.pk))
        ids = frozen_ids(Poll.objects.get(pk=opened.pk))
    assert "electorate_frozen" not in reads.captured_queries[0]["sql"]
    assert len(reads) == 4  # three polls, and the rows once
    assert first == again and len(first) == 6
    assert ids == {h.pk for h in households}


def test_a_roster_change_during_the_vote_does_not_move_it(live, households, compound):
    poll = owners_poll(live)
    assert poll.electorate_version == roster_check.published(compound)[2]
    assert len(poll.electorate_frozen) == 6
    households[0].area += 100  # corrected in the roster while the vote runs
    households[0].save()
    for household in households[:5]:
        actions.cast(poll, household, "for")
    poll = actions.close_poll(poll)
    result = poll.certificate["result"]
    assert result["electorate"]["area"] == "483.00"  # 6 x 80.50, as frozen
    assert poll.certificate["electorate"] == {"version": poll.electorate_version, "households": 6}


def test_a_household_outside_the_frozen_electorate_cannot_vote(live, households, compound):
    from compounds.models import Household

    poll = owners_poll(live)
    newcomer = Household.objects.create(compound=compound, unit=households[0].unit, room="301", area=80)
    with pytest.raises(actions.VotingError):
        actions.cast(poll, newcomer, "for")


# --- 随多数: offered only where the compound's rules adopted it -------------------------


def test_follow_the_majority_is_offered_only_after_the_rules_adopt_it(live, households, compound, facilitator):
    before = owners_poll(live)
    with pytest.raises(actions.VotingError):
        actions.cast(before, households[0], "follow")
    actions.close_poll(before)

    clause = adopt(compound, CountingClause.Kind.FOLLOW_MAJORITY, facilitator)
    poll = owners_poll(live)
    assert poll.offers_follow and poll.clauses["follow_majority"]["text"] == clause.text
    for household, choice in zip(households, ["for", "for", "for", "against", "follow"], strict=False):
        actions.cast(poll, household, choice)
    poll = actions.close_poll(poll)
    result = poll.certificate["result"]
    # Strict: the 随多数 ballot takes part (5 of 6 >= 2/3) but is in no column: 3 for of 5 passes anyway.
    assert result["participating"]["households"] == 5 and result["for"]["households"] == 3
    assert result["follow_majority"]["for"]["households"] == 4  # added to the majority
    assert poll.certificate["decided_by"] == "follow_majority"
    assert poll.certificate["clauses"]["follow_majority"]["adopted_by"] == "2025年第一次业主大会决定第3项"

    actions.repeal_clause(
        compound, kind="follow_majority", reference="2026年决定", adopted_on=timezone.localdate(), user=facilitator
    )
    assert not owners_poll(live).offers_follow


def test_a_clause_needs_its_text_and_the_decision_that_adopted_it(compound, facilitator):
    with pytest.raises(actions.VotingError):
        actions.adopt_clause(
            compound, kind="silence", text=" ", reference="决定", adopted_on=timezone.localdate(), user=facilitator
        )
    with pytest.raises(actions.VotingError):
        actions.adopt_clause(
            compound, kind="silence", text="条款", reference=" ", adopted_on=timezone.localdate(), user=facilitator
        )
    assert not CountingClause.objects.exists()


# --- The silence rule decides where the rules adopt it --------------------------------


def test_served_silent_owners_join_the_majority_and_the_certificate_says_so(live, households, compound, facilitator):
    adopt(compound, CountingClause.Kind.SILENCE, facilitator)
    poll = owners_poll(live)
    # Three vote for: 3 of 6 households is under the 2/3 quorum (Art. 278): no valid decision, strictly.
    for household in households[:3]:
        actions.cast(poll, household, "for")
    meeting_actions.record_service(
        live,
        households[3:5],
        method=Service.Method.IN_PERSON,
        served_on=timezone.localdate(),
        served_by="楼长",
        user=facilitator,
    )
    poll = actions.close_poll(poll)
    certificate = poll.certificate
    assert certificate["result"]["outcome"] == "no_valid_decision"
    # MOHURD 指导规则 Art. 26(2), as the compound's rules adopt it: the two served
    # silent owners are added to the majority (for); the unserved one never is.
    assert certificate["result"]["silence"]["for"]["households"] == 5
    assert certificate["result"]["silence"]["outcome"] == "passed"
    assert certificate["decided_by"] == "silence"
    assert certificate["service"] == {
        "households": 6,
        "served": 5,
        "returned": 3,
        "silent": 2,
        "unserved": 1,
        "postings": 0,
    }
    client_page = certificate_page(poll, facilitator)
    assert "未参与表决的业主" in client_page and 'data-testid="decision"' in client_page


def test_the_live_count_applies_the_silence_rule_without_reading_service_at_each_ballot(
    live, households, compound, facilitator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from voting import panels

    adopt(compound, CountingClause.Kind.SILENCE, facilitator)
    poll = owners_poll(live)
    meeting_actions.record_service(
        live, households[3:5], method="at_door", served_on=timezone.localdate(), served_by="楼长", user=facilitator
    )
    for household in households[:3]:
        actions.cast(poll, household, "for")
    assert panels.counted(poll, 1).silence.in_favour.households == 5  # the two served added to the majority
    actions.cast(poll, households[5], "against")
    with CaptureQueriesContext(connection) as queries:
        result = panels.counted(poll, 2)
    assert result.silence.in_favour.households == 5 and result.against.households == 1
    assert not [q for q in queries if "meetings_service" in q["sql"] or "meetings_attendance" in q["sql"]]


def certificate_page(poll, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(reverse("certificate", args=[poll.pk])).text


def test_a_proposal_follows_the_deciding_count(live, households, compound, facilitator):
    from proposals import actions as proposal_actions

    adopt(compound, CountingClause.Kind.SILENCE, facilitator)
    proposal = proposal_actions.create_proposal(compound, "convention", "管理规约", "## 第一条\n\n文明。\n")
    poll = owners_poll(live, proposal=proposal)
    for household in households[:3]:
        actions.cast(poll, household, "for")
    meeting_actions.record_service(
        live, households[3:], method="at_door", served_on=timezone.localdate(), served_by="楼长", user=facilitator
    )
    actions.close_poll(poll)
    proposal.refresh_from_db()
    assert proposal.status == "adopted"


# --- Notice: a council vote on an unannounced topic is noted ---------------------------


def test_a_council_vote_on_a_topic_not_in_the_notice_says_so(live, households, facilitator):
    from meetings.models import Notice

    first = meeting_actions.add_item(live, "文明养犬", 20)
    second = meeting_actions.add_item(live, "临时动议", 10)
    Notice.objects.create(
        meeting=live,
        title="议事会公告",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=7),
        topics=[{"item": first.pk, "title": first.title}],
    )
    poll = Poll.objects.create(meeting=live, item=second, title="临时动议")
    actions.open_poll(poll)
    poll = actions.close_poll(poll)
    assert poll.certificate["notice"]["announced"] is False
    assert "本议题未列入会议公告" in certificate_page(poll, facilitator)


# --- Provisional, objections, final ----------------------------------------------------


def test_a_result_is_provisional_then_objected_to_answered_and_final(client, live, households, compound, facilitator):
    poll = owners_poll(live)
    for household in households[:5]:
        actions.cast(poll, household, "for")
    poll = actions.close_poll(poll)
    public = reverse("result_public", args=[compound.pk, poll.pk])
    assert client.get(public).status_code == 404  # not before it is posted

    poll = actions.post_results(poll)
    assert poll.objections_until - poll.results_posted_at == timedelta(days=7)  # the Hangzhou profile's default
    page = client.get(public)
    assert page.status_code == 200 and 'data-testid="result-state"' in page.text
    assert households[0].label not in page.text  # the public page shows totals, not who voted how

    bad = client.post(public, {"code": "AAAA-AAAA", "text": "票数有误"})
    assert bad.status_code == 400 and not Objection.objects.exists()
    client.post(public, {"code": active_code(households[5]).code, "text": "我家未收到表决票"})
    objection = Objection.objects.get()
    assert objection.household == households[5]

    with pytest.raises(actions.VotingError, match="until"):
        actions.make_final(poll)
    Poll.objects.filter(pk=poll.pk).update(objections_until=timezone.now() - timedelta(minutes=1))
    poll.refresh_from_db()
    with pytest.raises(actions.VotingError, match="objection"):
        actions.file_objection(poll, households[4], "太晚了")
    with pytest.raises(actions.VotingError, match="Answer"):
        actions.make_final(poll)
    actions.answer_objection(poll, objection.pk, "已核实：该户于11月20日当面送达，有签收记录。", facilitator)
    poll = actions.make_final(poll)
    assert poll.final_at is not None
    page = client.get(public).text
    assert "有签收记录" in page and "我家未收到表决票" in page


def test_the_deadlines_follow_the_vote(live, households, facilitator):
    from meetings import notices

    poll = owners_poll(live)
    actions.cast(poll, households[0], "for")
    assert actions.deadline_facts(live) == {}
    poll = actions.close_poll(poll)
    assert actions.deadline_facts(live) == {"voting_closed": poll.closed_at}
    poll = actions.post_results(poll)
    facts = actions.deadline_facts(live)
    assert facts["results_posted"] == poll.results_posted_at and facts["objections_until"] == poll.objections_until
    assert "objections" in {d.key for d in notices.deadlines_of(live)}


def test_staff_post_and_answer_from_the_publication_page(client, live, households, facilitator, compound):
    poll = owners_poll(live)
    actions.cast(poll, households[0], "for")
    poll = actions.close_poll(poll)
    client.force_login(facilitator)
    url = reverse("poll_publication", kwargs={"meeting_id": live.pk, "poll_id": poll.pk})
    assert client.get(url).status_code == 200
    client.post(url, {"action": "post"})
    poll.refresh_from_db()
    assert poll.results_posted_at is not None
    client.post(url, {"action": "paper", "household": households[2].label, "text": "纸质异议"})
    objection = Objection.objects.get()
    assert objection.entered_by == facilitator
    client.post(url, {"action": "answer", "objection": objection.pk, "answer": "已答复"})
    objection.refresh_from_db()
    assert objection.answer == "已答复"
    assert poll.title in client.get(reverse("compound_page", args=[compound.pk])).text


def test_clauses_are_recorded_from_their_page(client, compound, facilitator):
    client.force_login(facilitator)
    url = reverse("clauses_page", kwargs={"compound_id": compound.pk})
    form = {
        "kind": "silence",
        "action": "adopt",
        "text": "未参与表决的业主计入多数。",
        "reference": "2025年决定",
        "adopted_on": timezone.localdate().isoformat(),
        "majority_floor": "on",
    }
    assert client.post(url, {**form, "text": ""}).status_code == 400
    assert client.post(url, form).status_code == 302
    clause = actions.clauses_in_force(compound)["silence"]
    assert clause.majority_floor and clause.text == "未参与表决的业主计入多数。"


# --- A result the city's system counted -----------------------------------------------


def official_form(**overrides):
    rows = {
        "electorate": (6, 6, "483.00"),
        "participating": (5, 5, "402.50"),
        "for": (4, 4, "322.00"),
        "against": (1, 1, "80.50"),
        "abstain": (0, 0, "0"),
    }
    form = {"source": "北京业主决策电子投票平台", "reference": "京业投〔2026〕第118号结果公告"}
    for key, (households, heads, area) in rows.items():
        form.update({f"{key}_households": households, f"{key}_heads": heads, f"{key}_area": area})
    return {**form, **overrides}


def test_the_official_result_of_a_city_vote_is_entered_with_its_source(client, meeting, facilitator, compound):
    from proposals import actions as proposal_actions

    proposal = proposal_actions.create_proposal(compound, "convention", "管理规约", "## 第一条\n\n文明。\n")
    poll = Poll.objects.create(
        meeting=meeting, title="修订管理规约", rule=ORDINARY, scope=Poll.Scope.COMPOUND, proposal=proposal
    )
    client.force_login(facilitator)
    url = reverse("official_result", kwargs={"meeting_id": meeting.pk, "poll_id": poll.pk})
    impossible = client.post(url, official_form(for_households=9, for_heads=9))
    assert impossible.status_code == 400
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.DRAFT  # nothing half-written

    assert client.post(url, official_form()).status_code == 302
    poll.refresh_from_db()
    result = poll.certificate["result"]
    # Art. 278: 5 of 6 owners and 402.50 of 483.00 m² took part (>= 2/3); 4 of 5 and 322.00 of 402.50 for (> 1/2).
    assert (poll.status, result["outcome"], result["for"]["area"]) == (Poll.Status.CLOSED, "passed", "322.00")
    assert poll.certificate["official"]["source"] == "北京业主决策电子投票平台"
    proposal.refresh_from_db()
    assert proposal.status == "adopted"
    page = client.get(reverse("certificate", args=[poll.pk])).text
    assert "京业投〔2026〕第118号结果公告" in page and 'data-testid="official-source"' in page
    with pytest.raises(actions.VotingError):
        actions.record_official_result(
            poll, source="x", reference="y", totals={}, user=facilitator
        )  # a poll takes one result
