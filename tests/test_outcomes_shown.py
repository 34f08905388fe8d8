"""The three outcomes where a result is shown (DOMAIN.md: 通过, 未通过, and
未产生有效决定 when too few took part): the certificate, the projector and
phones, what the meeting decided, the minutes' vote, the proposal's record.
Certificates written before the third outcome (no "outcome" key) read the
same, from their quorum_met and passed."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from compounds.electorate import Unit
from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, render_panels
from meetings import actions as meeting_actions
from minutes.record import decisions, meeting_record
from proposals import actions as proposal_actions
from proposals.models import Proposal
from voting import actions, tally
from voting.models import Poll

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def too_few(meeting, households, facilitator):
    """An Art. 278 vote of the whole compound on a convention: one of six owners
    votes (for), so the participation threshold is missed."""
    meeting_actions.open_meeting(meeting)
    proposal = proposal_actions.create_proposal(
        meeting.compound, "convention", "养犬公约", "## 第一条\n\n束犬绳。\n", user=facilitator
    )
    proposal_actions.put_on_notice(proposal, 7)
    poll = Poll.objects.create(
        meeting=meeting,
        title="通过养犬公约",
        rule=tally.CIVIL_CODE_ORDINARY,
        scope=Poll.Scope.COMPOUND,
        proposal=proposal,
    )
    actions.open_poll(poll)
    actions.cast(poll, households[0], "for")
    actions.close_poll(poll)
    poll.refresh_from_db()
    return poll


def without_outcome(poll):
    """The certificate as one written before the third outcome was."""
    certificate = dict(poll.certificate)
    certificate["result"] = {k: v for k, v in certificate["result"].items() if k != "outcome"}
    Poll.objects.filter(pk=poll.pk).update(certificate=certificate)


@pytest.mark.parametrize("old", [False, True], ids=["certificate", "certificate_without_outcome"])
def test_quorum_missed_reads_no_valid_decision_not_rejected(client, too_few, facilitator, old):
    result = too_few.certificate["result"]
    assert (result["quorum_met"], result["passed"], result["outcome"]) == (False, False, "no_valid_decision")
    if old:
        without_outcome(too_few)
    client.force_login(facilitator)
    page = client.get(reverse("certificate", kwargs={"poll_id": too_few.pk})).content.decode()
    assert "Outcome: No valid decision" in page and 'class="outcome no-decision"' in page
    assert "Not adopted" not in page

    actions.reveal(too_few)
    for audience in (PROJECTOR, RESIDENT, FACILITATOR):
        html = render_panels(too_few.meeting, audience, "en", {"poll"})["poll"]
        if audience != FACILITATOR:  # the console lists the polls; the room sees the result
            assert "No valid decision" in html and "Not adopted" not in html

    meeting = too_few.meeting
    meeting_actions.close_meeting(meeting)
    meeting.refresh_from_db()
    record = meeting_record(meeting)
    (decided,) = decisions(record)
    assert decided["outcome"] == "no_valid_decision" and decided["passed"] is False
    html = render_panels(meeting, PROJECTOR, "en", {"decided"})["decided"]
    assert "通过养犬公约: no valid decision" in html and 'class="no-decision"' in html
    minutes_vote = render_to_string(
        "minutes/includes/poll_result.html", {"result": record["polls"][0]["result"], "options": {}}
    )
    assert "No valid decision" in minutes_vote and "Not adopted" not in minutes_vote

    proposal = Proposal.objects.get(pk=too_few.proposal_id)
    assert proposal.status == Proposal.Status.NOTICE  # not rejected: nothing was decided, it may be voted again
    public = client.get(reverse("proposal_page", kwargs={"proposal_id": proposal.pk})).content.decode()
    decisions_shown = public.split("<h2>Decisions</h2>")[1].split("</section>")[0]
    assert " · no valid decision · version 1 · 通过养犬公约" in decisions_shown and "rejected" not in decisions_shown
    staff = client.get(reverse("proposal_detail", kwargs={"proposal_id": proposal.pk})).content.decode()
    assert " · no valid decision · version 1 · 通过养犬公约" in staff


def test_a_failed_vote_still_reads_not_adopted(client, poll, households, facilitator):
    """A council vote (no quorum) that fails is 未通过, never 未产生有效决定."""
    actions.cast(poll, households[0], "for")
    actions.cast(poll, households[1], "against")
    actions.close_poll(poll)
    poll.refresh_from_db()
    assert poll.certificate["result"]["outcome"] == "failed"
    client.force_login(facilitator)
    page = client.get(reverse("certificate", kwargs={"poll_id": poll.pk})).content.decode()
    assert "Outcome: Not adopted" in page and "No valid decision" not in page


def test_the_certificate_shows_the_other_counts_beside_the_strict_one(client, too_few, facilitator):
    """DOMAIN.md: always show the strict tally beside the silence and 随多数 counts."""
    units = [Unit(f"o{i}", Decimal("80.50"), f"o{i}") for i in range(6)]
    result = tally.count(
        "civil-code-ordinary",
        units,
        {"o0": "for", "o1": "for", "o2": "against", "o3": "follow"},
        follow_majority=True,
        silence=tally.Silence(served={"o4"}, floor=True),
    )
    certificate = {**too_few.certificate, "result": result.as_json_dict()}
    Poll.objects.filter(pk=too_few.pk).update(certificate=certificate)
    client.force_login(facilitator)
    page = client.get(reverse("certificate", kwargs={"poll_id": too_few.pk})).content.decode()
    assert "Outcome: Not adopted" in page  # strict: 2 of 4 for is not more than half
    assert "With 随多数 (follow the majority) ballots counted for the majority" in page
    assert "With the silence rule (owners served a ballot who did not vote counted for the majority)" in page
    assert "Added to “for”: 1 households, 1 owner heads, 80.50 m²." in page
    assert page.count("Outcome: Adopted") == 2  # 3 of 4, then 4 of 5 (and 4 of 6 owners: the floor)
    assert "for, of all owners (floor)" in page
