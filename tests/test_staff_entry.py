"""Staff never overwrite a household's vote silently, and idempotency keys
belong to the household that sent them (issue 10)."""

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from meetings.actions import join_meeting, open_meeting
from tests.conftest import join_session
from tests.live import next_message, open_socket, resident_cookie
from voting import actions
from voting.models import Ballot, BallotAudit, Poll


def phone_vote(client, poll, household, choice, key):
    join_session(client, poll.meeting, household)
    url = reverse("vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})
    return client.post(url, {"choice": choice, "key": key}, HTTP_ACCEPT="application/json")


def enter_one(client, poll, household, choice, **extra):
    url = reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    data = {"one-household": household.label, "one-choice": choice, "one-channel": "paper", **extra}
    return client.post(url, data)


def test_a_paper_ballot_over_a_phone_vote_needs_a_confirmation_and_a_reason(client, poll, households, facilitator):
    household = households[0]
    assert phone_vote(client, poll, household, "for", "k1").status_code == 200
    client.force_login(facilitator)

    shown = enter_one(client, poll, household, "against")
    page = shown.content.decode()
    assert shown.status_code == 200 and "has already voted (own phone" in page
    assert 'name="one-replace"' in page  # the confirmation appears with the warning
    assert Ballot.objects.get(household=household).choice == "for"

    no_reason = enter_one(client, poll, household, "against", **{"one-replace": "on"})
    assert "Give the reason for replacing the vote." in no_reason.content.decode()
    assert Ballot.objects.get(household=household).choice == "for"

    done = enter_one(
        client, poll, household, "against", **{"one-replace": "on", "one-replace_reason": "业主到场改为纸质票"}
    )
    assert done.status_code == 302
    ballot = Ballot.objects.get(household=household)
    assert (ballot.choice, ballot.channel) == ("against", "paper")
    entry = BallotAudit.objects.get(poll=poll, household=household)
    assert entry.event == BallotAudit.Event.STAFF_REPLACED
    assert (entry.choice, entry.replaced_channel, entry.replaced_choice) == ("against", "phone", "for")
    assert entry.reason == "业主到场改为纸质票" and entry.replaced_at is not None


def test_the_phone_line_says_staff_replaced_the_vote(client, poll, households, facilitator):
    household = households[0]
    phone_vote(client, poll, household, "for", "k1")
    actions.cast(poll, household, "against", channel="paper", user=facilitator, replace_reason="到场改票")
    join_session(client, poll.meeting, household)
    line = client.get(reverse("my_vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})).content.decode()
    assert "Your vote was replaced by a paper ballot entered by staff at" in line
    assert 'data-choice="against"' in line


def test_a_paper_batch_over_phone_votes_names_the_lines_and_records_nothing(client, poll, households, facilitator):
    phone_vote(client, poll, households[1], "for", "k1")
    client.force_login(facilitator)
    url = reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    lines = f"{households[0].label} 同意\n{households[1].label} 反对\n{households[5].label} 同意"
    page = client.post(url, {"batch-lines": lines}).content.decode()
    assert f"line 2 ({households[1].label}): {households[1].label} has already voted" in page
    assert f"line 3 ({households[5].label}): This household is not among those who vote" in page
    assert 'name="batch-replace"' in page
    assert Ballot.objects.count() == 1 and not BallotAudit.objects.exists()


def test_a_staff_entry_over_a_staff_entry_also_asks(poll, households, facilitator):
    actions.cast(poll, households[0], "for", channel="hand", user=facilitator)
    with pytest.raises(actions.AlreadyVoted):
        actions.cast(poll, households[0], "against", channel="paper", user=facilitator)
    assert Ballot.objects.get().choice == "for"


@pytest.mark.django_db(transaction=True)
async def test_the_households_phone_hears_of_a_staff_entry_and_no_other(meeting, households, facilitator):
    await database_sync_to_async(open_meeting)(meeting)
    for household in households[:2]:
        await database_sync_to_async(join_meeting)(meeting, household)
    poll = await database_sync_to_async(Poll.objects.create)(meeting=meeting, title="议题")
    await database_sync_to_async(actions.open_poll)(poll)
    mine, _, _ = await open_socket(meeting, "resident", session=await resident_cookie(meeting, households[0]))
    other, _, _ = await open_socket(meeting, "resident", session=await resident_cookie(meeting, households[1]))
    assert (await next_message(mine))["type"] == "state" and (await next_message(other))["type"] == "state"

    await database_sync_to_async(actions.cast)(poll, households[0], "for", channel="paper", user=facilitator)
    seen = [await next_message(mine) for _ in range(2)]
    assert "mine" in [m["type"] for m in seen]
    others = []
    while not await other.receive_nothing(timeout=0.3):
        others.append(await next_message(other))
    assert "mine" not in [m["type"] for m in others]
    await mine.disconnect()
    await other.disconnect()


# --- Idempotency keys ---------------------------------------------------------------


def test_another_households_key_records_that_households_own_vote(client, poll, households):
    assert phone_vote(client, poll, households[0], "for", "shared-key").json()["choice"] == "for"
    answer = phone_vote(client, poll, households[1], "against", "shared-key")
    body = answer.json()
    assert body.pop("receipt")  # its own receipt (tests/test_receipts.py)
    assert answer.status_code == 200 and body == {"recorded": True, "poll": poll.pk, "choice": "against"}
    assert dict(Ballot.objects.values_list("household_id", "choice")) == {
        households[0].pk: "for",
        households[1].pk: "against",
    }
    # Each household's retry with the key is still a retry.
    assert phone_vote(client, poll, households[1], "abstain", "shared-key").json()["choice"] == "against"
