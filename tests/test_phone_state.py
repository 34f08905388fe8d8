"""A resident's phone after the meeting moved on (issue 14): what its taps are
answered, and what its panels offer in each state.

A tap whose household join has ended (the meeting closed, the code revoked)
is answered 403 with HX-Refresh: the page reloads into what is true now, and
nothing of the answer is ever swapped into it. Panels offer only what can be
done now, with the reason when a control is disabled.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from compounds import actions as compound_actions
from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, render_panels
from meetings import actions
from meetings.access import seat_token
from meetings.actions import join_meeting
from meetings.models import FloorRequest
from proposals import actions as proposal_actions
from proposals.models import Proposal
from tests.conftest import join_session
from voting import actions as voting_actions
from voting.models import Ballot, Poll

HTMX = {"HTTP_HX_REQUEST": "true"}
ROOT = Path(__file__).resolve().parents[1]


def floor_url(meeting, name="floor_request"):
    return reverse(name, kwargs={"code": meeting.code})


def vote_url(poll):
    return reverse("vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})


def assert_reload_not_fragment(response):
    """The page is told to reload; the body is nothing a page could show as itself."""
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert "HX-Retarget" not in response
    assert not response["Content-Type"].startswith("text/html")
    assert b"<" not in response.content


@pytest.fixture
def amendment(room, compound, facilitator, households):
    """A convention debated on the current item, with a resident's amendment."""
    proposal = proposal_actions.create_proposal(
        compound, Proposal.Kind.CONVENTION, "公约", "# 第一条\n\n不得高空抛物。\n", user=facilitator
    )
    proposal_actions.place_on_item(proposal, room.current_item)
    return proposal_actions.propose_amendment(
        proposal, 1, "replace", "严禁高空抛物。", "语气", household=households[0], seconds_required=1
    )


# --- Taps after the join has ended --------------------------------------------------------


def test_every_resident_tap_after_the_meeting_closed_reloads_the_page(client, room, households, amendment):
    join_meeting(room, households[1])
    join_session(client, room, households[1])
    poll = Poll.objects.create(meeting=room, title="加装电梯")
    voting_actions.open_poll(poll)
    actions.close_meeting(room)

    taps = [
        (floor_url(room), {"stance": "for"}),
        (floor_url(room, "floor_withdraw"), {}),
        (reverse("second", kwargs={"code": room.code, "amendment_id": amendment.pk}), {}),
        (reverse("withdraw_amendment", kwargs={"code": room.code, "amendment_id": amendment.pk}), {}),
        (vote_url(poll), {"choice": "for", "key": "k1"}),
    ]
    for url, data in taps:
        assert_reload_not_fragment(client.post(url, data, **HTMX))
    assert not FloorRequest.objects.exists()
    assert not Ballot.objects.exists()
    # The reload shows the ended meeting as a whole page, not the live one.
    page = client.get(reverse("join", kwargs={"code": room.code}))
    assert page.status_code == 200
    assert b"<html" in page.content and b"has ended" in page.content
    assert b"stance-button" not in page.content


def test_a_revoked_code_reloads_the_phone_into_the_join_form(client, room, households, facilitator):
    join_meeting(room, households[0])
    join_session(client, room, households[0])
    assert client.post(floor_url(room), {"stance": "for"}, **HTMX).status_code == 204
    compound_actions.revoke_code(households[0], facilitator)
    assert_reload_not_fragment(client.post(floor_url(room, "floor_withdraw"), **HTMX))
    page = client.get(reverse("join", kwargs={"code": room.code})).content.decode()
    assert "no longer valid" in page and 'name="code"' in page


def test_without_htmx_a_tap_after_the_end_goes_to_the_meeting_page(client, room, households):
    join_session(client, room, households[0])
    actions.close_meeting(room)
    response = client.post(floor_url(room), {"stance": "for"})
    assert response.status_code == 302
    assert response["Location"] == reverse("join", kwargs={"code": room.code})


def test_a_vote_script_still_gets_its_json_refusal(client, poll, households):
    join_session(client, poll.meeting, households[0])
    actions.close_meeting(poll.meeting)
    refused = client.post(vote_url(poll), {"choice": "for", "key": "k"}, HTTP_ACCEPT="application/json", **HTMX)
    assert refused.status_code == 403 and refused.json()["recorded"] is False


def test_a_refusal_while_joined_is_a_message_in_the_flash_area(client, room, households):
    join_meeting(room, households[0])
    join_session(client, room, households[0])
    client.post(floor_url(room), {"stance": "for"}, **HTMX)
    again = client.post(floor_url(room), {"stance": "against"}, **HTMX)
    assert again.status_code == 200
    assert again["HX-Retarget"] == "#flash"
    assert "Already in the queue" in again.content.decode()


def test_htmx_never_swaps_an_error_status_into_a_page(client):
    """templates/base.html configures it: 4xx and 5xx answers are never content."""
    page = client.get(reverse("home")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'", page).group(1)
    import json

    handling = json.loads(config)["responseHandling"]
    first_match = {}
    for status in ("204", "200", "302", "400", "403", "404", "429", "500", "503"):
        rule = next(r for r in handling if re.fullmatch(r["code"], status))
        first_match[status] = rule["swap"]
    assert first_match == {
        "204": False,
        "200": True,
        "302": False,
        "400": False,
        "403": False,
        "404": False,
        "429": False,
        "500": False,
        "503": False,
    }


# --- What the phone's panels offer -----------------------------------------------------------


def resident(meeting, name, language="en"):
    meeting.refresh_from_db()
    return render_panels(meeting, RESIDENT, language, [name])[name]


def stance_buttons(html):
    return re.findall(r"<button[^>]*class=\"stance-button[^>]*>", html)


def test_floor_buttons_are_disabled_with_the_reason_before_the_meeting_and_between_items(meeting):
    queue = resident(meeting, "queue")
    assert len(stance_buttons(queue)) == 4 and all("disabled" in b for b in stance_buttons(queue))
    assert "once the meeting is in session" in queue
    actions.open_meeting(meeting)
    queue = resident(meeting, "queue")
    assert all("disabled" in b for b in stance_buttons(queue))
    assert "once an agenda item is under discussion" in queue
    actions.add_item(meeting, "加装电梯", 20)
    actions.next_item(meeting)
    queue = resident(meeting, "queue")
    assert stance_buttons(queue) and not any("disabled" in b for b in stance_buttons(queue))
    assert "Ask for the floor on “加装电梯”" in queue


def test_after_the_end_the_phone_has_no_floor_or_vote_controls(poll, households):
    meeting = poll.meeting
    actions.add_item(meeting, "加装电梯", 20)
    actions.next_item(meeting)
    actions.close_meeting(meeting)
    for name in ("queue", "poll", "speaker", "status"):
        html = resident(meeting, name)
        assert "<button" not in html and "<input" not in html, name
    assert "has ended" in resident(meeting, "status")
    # The projector still says the poll is open (it is the facilitator's to close).
    meeting.refresh_from_db()
    assert "Voting is open" in render_panels(meeting, PROJECTOR, "en", ["poll"])["poll"]


def test_the_poll_controls_go_when_it_closes_and_come_disabled_until_the_script(poll):
    html = resident(poll.meeting, "poll")
    buttons = re.findall(r"<button[^>]*vote-button[^>]*>", html)
    assert len(buttons) == 3 and all(" disabled" in b for b in buttons)
    voting_actions.close_poll(poll)
    html = resident(poll.meeting, "poll")
    assert "vote-button" not in html and "<button" not in html
    assert "the result will be shown shortly" in html


def test_an_empty_poll_panel_is_marked_for_the_phone_to_hide(meeting):
    html = resident(meeting, "poll")
    assert 'data-poll=""' in html
    assert not re.sub(r"<[^>]+>", "", html).strip()
    assert '.panel-poll[data-poll=""]' in (ROOT / "static/css/phone.css").read_text()


def test_speeches_are_counted_per_household_on_the_current_item_only(room, households, facilitator):
    for household in households[:2]:
        join_meeting(room, household)
    mark = seat_token(room.pk, households[0].pk)
    for stance in ("for", "against"):
        actions.request_floor(room, households[0], stance)
        actions.call_next(room)
        actions.end_speech(room)
    actions.request_floor(room, households[1], "question")  # questions do not count
    actions.call_next(room)
    controls = re.search(r"<div class=\"floor-controls[^>]*>", resident(room, "queue")).group(0)
    assert f'data-spoken="{mark}:2"' in controls and 'data-limit="2"' in controls
    limited = [b for b in stance_buttons(resident(room, "queue")) if "data-limited" in b]
    assert len(limited) == 2 and all(re.search(r"stance-(for|against)", b) for b in limited)
    assert "You can still ask a question or raise a point of order." in resident(room, "queue")

    actions.add_item(room, "停车", 10)
    actions.next_item(room)
    assert 'data-spoken=""' in resident(room, "queue")


def test_the_limit_is_enforced_by_the_server_too(room, households):
    join_meeting(room, households[0])
    for stance in ("for", "against"):
        actions.request_floor(room, households[0], stance)
        actions.call_next(room)
        actions.end_speech(room)
    with pytest.raises(actions.ActionError, match="spoken 2 times"):
        actions.request_floor(room, households[0], "for")
    actions.request_floor(room, households[0], "question")


@pytest.mark.parametrize(
    "stance, said",
    [
        ("for", "speaking in favour"),
        ("against", "speaking against"),
        ("question", "for a question"),
        ("order", "on a point of order"),
    ],
)
def test_the_speaker_is_told_what_to_do_by_the_stance_they_asked_with(room, households, stance, said):
    join_meeting(room, households[0])
    actions.request_floor(room, households[0], stance)
    actions.call_next(room)
    line = re.search(r'<p class="you-have-the-floor"[^>]*>(.*?)</p>', resident(room, "speaker")).group(1)
    assert said in line
    if stance in ("question", "order"):
        assert "for or against" not in line


def test_stances_and_vote_buttons_read_capitalised_in_english(room, households, poll):
    join_meeting(room, households[0])
    join_meeting(room, households[1])
    actions.request_floor(room, households[0], "order")
    actions.call_next(room)
    actions.request_floor(room, households[1], "against")
    room.refresh_from_db()
    queue = resident(room, "queue")
    assert [re.sub(r"<[^>]+>", "", b) for b in re.findall(r"<button[^>]*stance-button.*?</button>", queue)] == [
        "For",
        "Against",
        "Question",
        "Point of order",
    ]
    for audience in (RESIDENT, PROJECTOR, FACILITATOR):
        html = "".join(render_panels(room, audience, "en", ["queue", "speaker"]).values())
        tags = re.findall(r'<span class="stance stance-\w+">([^<]+)</span>', html)
        assert tags and all(tag[0].isupper() for tag in tags), (audience, tags)
    votes = re.findall(r"<button[^>]*vote-button[^>]*>([^<]+)</button>", resident(room, "poll"))
    assert votes == ["For", "Against", "Abstain"]
    assert re.findall(r"<button[^>]*vote-button[^>]*>([^<]+)</button>", resident(room, "poll", "zh-hans")) == [
        "赞成",
        "反对",
        "弃权",
    ]


# --- The slip's link and the wait after wrong codes -----------------------------------------


def test_the_slip_link_button_says_join_the_meeting(client, meeting, codes, households):
    page = client.get(reverse("household_link", kwargs={"code": codes[households[0]]})).content.decode()
    button = re.search(r"<button[^>]*join-button[^>]*>(.*?)</button>", page, re.S).group(1)
    assert "Join the meeting" in button and meeting.title in button


@pytest.mark.usefixtures("fresh_rate_limits")
def test_too_many_wrong_codes_says_how_many_minutes(client, meeting, settings):
    settings.CODE_ATTEMPT_WINDOW = 600
    settings.CODE_ATTEMPTS_PER_SESSION = 2
    url = reverse("join", kwargs={"code": meeting.code})
    client.get(url)
    for _ in range(2):
        client.post(url, {"code": "ZZZZ-ZZZZ"})
    refused = client.post(url, {"code": "ZZZZ-ZZZY"}).content.decode()
    assert "Please wait 10 minutes" in refused
    assert "few minutes" not in refused


def test_meeting_status_is_on_the_phone_page_for_its_script(client, meeting, households):
    join_meeting(meeting, households[0])
    join_session(client, meeting, households[0])
    page = client.get(reverse("join", kwargs={"code": meeting.code})).content.decode()
    assert re.search(r'<body[^>]*data-meeting="announced"', page)
