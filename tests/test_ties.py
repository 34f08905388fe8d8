"""Ties are ties (issue 10): on the projector, the phones and the certificate."""

import pytest
from django.urls import reverse

from deliberation.realtime import PROJECTOR, RESIDENT, render_panels
from meetings.actions import join_meeting, open_meeting
from voting import actions
from voting.models import Poll, PollOption

pytestmark = pytest.mark.usefixtures("english")


def approval_poll(meeting, facilitator, households, **fields):
    open_meeting(meeting)
    for household in households:
        join_meeting(meeting, household)
    poll = Poll.objects.create(meeting=meeting, title="微项目", kind=Poll.Kind.APPROVAL, rule="plurality", **fields)
    options = [PollOption.objects.create(poll=poll, label=label, position=n) for n, label in enumerate("甲乙丙")]
    actions.open_poll(poll)
    # Three options, two households each; the households' areas differ.
    for household, option in zip(households, [0, 0, 1, 1, 2, 2], strict=True):
        type(household).objects.filter(pk=household.pk).update(area=50 + household.pk)
        actions.cast(poll, household, [str(options[option].pk)])
    actions.reveal(actions.close_poll(poll))
    poll.refresh_from_db()
    return poll


def test_three_options_with_two_households_each_are_shown_as_a_tie(meeting, facilitator, households, client):
    poll = approval_poll(meeting, facilitator, households)
    for audience in (PROJECTOR, RESIDENT):
        html = render_panels(meeting, audience, "en", ["poll"])["poll"]
        assert 'class="outcome tied"' in html and "甲 · 乙 · 丙" in html
        assert 'class="outcome passed"' not in html  # no winner in large type
    assert "并列" in render_panels(meeting, PROJECTOR, "zh-hans", ["poll"])["poll"]

    client.force_login(facilitator)
    page = client.get(reverse("certificate", kwargs={"poll_id": poll.pk})).content.decode()
    assert "Tie: 甲、乙、丙" in page and "a tie stays a tie" in page
    assert poll.certificate["result"]["winners"] == [] and len(poll.certificate["result"]["tied"]) == 3


def test_a_tie_break_chosen_before_opening_is_applied_and_printed(meeting, facilitator, households, client):
    poll = approval_poll(meeting, facilitator, households, tie_break=Poll.TieBreak.HEADS_AREA)
    result = poll.certificate["result"]
    assert result["tie_break"] == "heads-area" and result["tied"] == [] and len(result["winners"]) == 1
    client.force_login(facilitator)
    page = client.get(reverse("certificate", kwargs={"poll_id": poll.pk})).content.decode()
    assert "more owner heads, then more exclusive area" in page
    assert "had as many households each" in page


def test_poll_text_and_options_have_sane_limits(client, meeting, facilitator):
    client.force_login(facilitator)
    url = reverse("poll_new", kwargs={"meeting_id": meeting.pk})
    base = {"title": "表决", "kind": "yes_no", "rule": "simple-majority", "scope": "attendees", "proxy_cap": 3}
    too_long = client.post(url, {**base, "text": "长" * 10_000})
    assert too_long.status_code == 200 and not Poll.objects.exists()
    many = client.post(url, {**base, "kind": "approval", "options": "\n".join(str(n) for n in range(60))})
    assert "At most 50 options." in many.content.decode() and not Poll.objects.exists()


def test_a_secret_poll_for_a_small_electorate_warns_the_facilitator(client, meeting, facilitator, households):
    """Residents see a secret poll's totals by area; with a handful of voters
    those single a household out, so the console says so before it opens."""
    from deliberation.realtime import FACILITATOR

    open_meeting(meeting)
    for household in households[:3]:
        join_meeting(meeting, household)
    client.force_login(facilitator)
    url = reverse("poll_new", kwargs={"meeting_id": meeting.pk})
    fields = {"title": "选举", "kind": "yes_no", "rule": "simple-majority", "scope": "attendees", "proxy_cap": 3}
    created = client.post(url, {**fields, "secret": "on"}, follow=True).content.decode()
    assert "Secret ballot with only 3 households able to vote" in created
    console = render_panels(meeting, FACILITATOR, "en", ["poll"])["poll"]
    assert "only 3 households able to vote" in console and "Open it anyway?" in console

    client.post(url, fields)  # a named vote: no warning
    console = render_panels(meeting, FACILITATOR, "en", ["poll"])["poll"]
    assert Poll.objects.count() == 2 and console.count("Open it anyway?") == 1
