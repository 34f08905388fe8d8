"""Voting endpoints: the phone's POST, staff entry, poll controls, the certificate."""

import json

from django.urls import reverse

from meetings.actions import join_meeting, open_meeting
from tests.conftest import join_session, make_staff
from voting import actions
from voting.models import Ballot, BallotAudit, Poll


def vote_url(poll):
    return reverse("vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})


def test_a_phone_vote_is_acknowledged_after_the_commit(client, poll, households):
    join_session(client, poll.meeting, households[0])
    response = client.post(vote_url(poll), {"choice": "for", "key": "abc"}, HTTP_ACCEPT="application/json")
    body = response.json()
    assert body.pop("receipt")  # tests/test_receipts.py
    assert response.status_code == 200 and body == {"recorded": True, "poll": poll.pk, "choice": "for"}
    assert Ballot.objects.get().choice == "for"
    again = client.post(vote_url(poll), {"choice": "for", "key": "abc"}, HTTP_ACCEPT="application/json")
    assert again.json()["recorded"] is True and Ballot.objects.count() == 1


def test_the_htmx_answer_is_the_phones_own_line(client, poll, households):
    join_session(client, poll.meeting, households[0])
    response = client.post(vote_url(poll), {"choice": "against", "key": "k"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'class="my-vote-line"' in html and 'data-choice="against"' in html and "Your vote is recorded" in html
    mine = client.get(reverse("my_vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk}))
    assert 'data-choice="against"' in mine.content.decode()


def test_refusals_answer_with_a_reason_and_no_500(client, poll, households):
    response = client.post(vote_url(poll), {"choice": "for", "key": "x"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and "Join the meeting first" in response.json()["error"]
    join_session(client, poll.meeting, households[0])
    bad = client.post(vote_url(poll), {"choice": "maybe", "key": "y"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 409
    refused = client.post(vote_url(poll), {"choice": "maybe", "key": "z"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "Choose for, against or abstain" in refused.content.decode()


def test_only_the_facilitator_opens_closes_and_reveals(client, poll, observer, facilitator):
    url = reverse("poll_action", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    client.force_login(observer)
    assert client.post(url, {"action": "close"}, HTTP_HX_REQUEST="true").status_code == 403
    client.force_login(facilitator)
    assert client.post(url, {"action": "reveal"}, HTTP_HX_REQUEST="true")["HX-Retarget"] == "#flash"
    assert client.post(url, {"action": "close"}, HTTP_HX_REQUEST="true").status_code == 204
    assert client.post(url, {"action": "reveal"}, HTTP_HX_REQUEST="true").status_code == 204
    poll.refresh_from_db()
    assert poll.status == "closed" and poll.revealed


def test_a_worker_enters_a_proxy_vote_and_a_paper_batch(client, poll, households):
    worker = make_staff(poll.meeting.compound, "wk", "worker")
    client.force_login(worker)
    url = reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    page = client.post(
        url,
        {
            "one-household": households[0].label,
            "one-choice": "for",
            "one-channel": "proxy",
            "one-requested_by": "儿子",
            "one-proxy_holder": "王红",
            "one-proxy_reference": "WT-2026-01",
        },
        follow=True,
    )
    assert "1 ballot recorded" in page.content.decode()
    missing = client.post(url, {"one-household": households[1].label, "one-choice": "for", "one-channel": "proxy"})
    assert "proxy holder" in missing.content.decode()
    batch = client.post(url, {"batch-lines": f"{households[1].label} 同意\n{households[2].label} 弃权"}, follow=True)
    assert "2 ballots recorded" in batch.content.decode()
    bad = client.post(url, {"batch-lines": f"{households[3].label} 同意\n9幢9单元999 反对"})
    assert "line 2" in bad.content.decode()
    assert Ballot.objects.count() == 3 and BallotAudit.objects.count() == 3
    assert BallotAudit.objects.get(event="proxy").entered_by == worker


def test_the_certificate_is_a_page_and_json_for_staff_and_joined_households(client, poll, households, facilitator):
    actions.cast(poll, households[0], "for")
    url = reverse("certificate", kwargs={"poll_id": poll.pk})
    client.force_login(facilitator)
    assert client.get(url).status_code == 404  # not closed yet
    actions.close_poll(poll)
    page = client.get(url).content.decode()
    assert "Result certificate" in page and households[0].label in page
    data = json.loads(client.get(url + "?format=json").content)
    assert data["result"]["passed"] is True and data["poll"]["title"] == "加装电梯"
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: log in
    join_session(client, poll.meeting, households[1])
    assert client.get(url).status_code == 403  # a household reads it once the result is shown
    actions.reveal(poll)
    assert client.get(url).status_code == 200


def test_staff_create_a_poll(client, meeting, facilitator):
    client.force_login(facilitator)
    url = reverse("poll_new", kwargs={"meeting_id": meeting.pk})
    response = client.post(
        url, {"title": "自行车棚", "kind": "yes_no", "rule": "simple-majority", "scope": "attendees", "proxy_cap": 3}
    )
    assert response.status_code == 302 and Poll.objects.get().title == "自行车棚"
    bad = client.post(url, {"title": "电梯", "kind": "yes_no", "rule": "elevator", "scope": "compound", "proxy_cap": 3})
    assert bad.status_code == 200 and "one building unit" in bad.content.decode()


def test_a_phone_approves_several_micro_projects(client, meeting, facilitator, households):
    open_meeting(meeting)
    join_meeting(meeting, households[0])
    client.force_login(facilitator)
    client.post(
        reverse("poll_new", kwargs={"meeting_id": meeting.pk}),
        {
            "title": "选微项目",
            "kind": "approval",
            "rule": "simple-majority",
            "scope": "attendees",
            "proxy_cap": 3,
            "options": "自行车棚\n充电桩\n\n花园",
        },
    )
    poll = Poll.objects.get()
    assert poll.rule == "plurality" and [o.label for o in poll.options.all()] == ["自行车棚", "充电桩", "花园"]
    actions.open_poll(poll)
    client.logout()
    join_session(client, meeting, households[0])
    first, _, third = [str(o.pk) for o in poll.options.all()]
    response = client.post(vote_url(poll), {"choice": [first, third], "key": "k"}, HTTP_HX_REQUEST="true")
    assert "自行车棚、花园" in response.content.decode()
    page = client.get(reverse("join", kwargs={"code": meeting.code})).content.decode()
    assert 'type="checkbox" name="choice"' in page


def test_paper_ballots_for_options_use_the_printed_numbers(client, meeting, facilitator, households):
    from voting.models import PollOption

    open_meeting(meeting)
    poll = Poll.objects.create(meeting=meeting, title="选一个", kind="choice", rule="plurality", scope="compound")
    for n, label in enumerate(["甲", "乙"]):
        PollOption.objects.create(poll=poll, label=label, position=n)
    actions.open_poll(poll)
    client.force_login(facilitator)
    url = reverse("poll_ballots", kwargs={"meeting_id": meeting.pk, "poll_id": poll.pk})
    client.post(url, {"batch-lines": f"{households[0].label} 2\n{households[1].label} 1"})
    second = poll.options.get(label="乙")
    assert Ballot.objects.get(household=households[0]).choice == str(second.pk)
    bad = client.post(url, {"batch-lines": f"{households[2].label} 3"})
    assert "line 1" in bad.content.decode()


def test_creating_a_poll_advances_the_revision_so_no_screen_keeps_a_stale_list(client, meeting, facilitator):
    """Live pages serve a cached state per revision: a write others see must bump it."""
    before = meeting.revision
    client.force_login(facilitator)
    client.post(
        reverse("poll_new", kwargs={"meeting_id": meeting.pk}),
        {"title": "x", "kind": "yes_no", "rule": "simple-majority", "scope": "attendees", "proxy_cap": 3},
    )
    meeting.refresh_from_db()
    assert meeting.revision == before + 1


def test_a_poll_is_edited_until_it_opens(client, meeting, facilitator):
    """Issue 14: a poll could not be corrected once created."""
    from django.urls import reverse

    from voting import actions
    from voting.models import Poll

    poll = Poll.objects.create(meeting=meeting, title="错字的表决", kind="approval", rule="plurality", seats=1)
    poll.options.create(label="甲", position=0)
    poll.options.create(label="乙", position=1)
    client.force_login(facilitator)
    url = reverse("poll_edit", kwargs={"meeting_id": meeting.pk, "poll_id": poll.pk})
    form = client.get(url).context["form"]
    assert form.initial["options"] == "甲\n乙"
    data = {"title": "改正后的表决", "kind": "approval", "rule": "plurality", "scope": "attendees", "proxy_cap": 3}
    assert client.post(url, {**data, "options": "甲\n乙\n丙", "seats": 1}).status_code == 302
    poll.refresh_from_db()
    assert poll.title == "改正后的表决" and [o.label for o in poll.options.all()] == ["甲", "乙", "丙"]
    from meetings.actions import open_meeting

    open_meeting(meeting)
    actions.open_poll(poll)
    client.post(url, {**data, "title": "开始后再改", "options": "甲\n乙", "seats": 1})
    poll.refresh_from_db()
    assert poll.title == "改正后的表决"
