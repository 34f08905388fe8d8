"""What the projector shows (issue 14): the rule for Auto, the facilitator's
choice and the actions that give the screen to the news (a speaker called,
a result revealed, another item)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from deliberation.realtime import FACILITATOR, PROJECTOR, render_panels
from meetings import actions, projector, screen
from meetings.models import AgendaItem, Meeting
from voting import actions as voting_actions
from voting.models import Poll

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


# --- The rule, pure -------------------------------------------------------------

ITEM = {"item": True, "item_at": at(0)}
SPEECH = {"speaking": True, "speech_at": at(10)}


@pytest.mark.parametrize(
    ("room", "expected"),
    [
        # Before the meeting opens: its title, agenda and join code; after it: what it decided.
        ({"status": "announced"}, screen.AGENDA),
        ({"status": "draft", **ITEM, **SPEECH}, screen.AGENDA),
        ({"status": "closed", **ITEM, "poll": "revealed", "result_at": at(5)}, screen.ENDED),
        # Live, nothing under discussion: the agenda.
        ({}, screen.AGENDA),
        # An item without text: the speaker panel ("nobody has the floor"); with text: the text.
        (ITEM, screen.SPEAKER),
        ({**ITEM, "text": True}, screen.TEXT),
        # Someone has the floor: the speaker, text or not (the text goes beside).
        ({**ITEM, "text": True, **SPEECH}, screen.SPEAKER),
        # An open poll shows the poll and turnout, even while someone speaks.
        ({**ITEM, **SPEECH, "poll": "open", "poll_at": at(5)}, screen.POLL),
        ({"poll": "open", "poll_at": at(5)}, screen.POLL),
        # Closed, not yet revealed: "the result will be shown shortly" ...
        ({**ITEM, "text": True, "poll": "closed", "poll_at": at(5)}, screen.POLL),
        ({"poll": "closed", "poll_at": at(5)}, screen.POLL),
        # ... unless a speaker got the floor since, or it belongs to an earlier item.
        ({**ITEM, **SPEECH, "poll": "closed", "poll_at": at(5)}, screen.SPEAKER),
        ({**ITEM, "text": True, "poll": "closed", "poll_at": at(-5)}, screen.TEXT),
        # A revealed result shows while it is the news: a speech running from before still yields to it ...
        ({**ITEM, **SPEECH, "poll": "revealed", "poll_at": at(5), "result_at": at(12)}, screen.RESULT),
        ({**ITEM, "poll": "revealed", "poll_at": at(5), "result_at": at(6)}, screen.RESULT),
        ({"poll": "revealed", "poll_at": at(5), "result_at": at(6)}, screen.RESULT),
        # ... a speaker called after the reveal takes the screen back ...
        ({**ITEM, **SPEECH, "poll": "revealed", "poll_at": at(5), "result_at": at(6)}, screen.SPEAKER),
        # ... and stays gone when that speech ends (the result does not come back).
        ({**ITEM, "text": True, "speech_at": at(10), "poll": "revealed", "result_at": at(6)}, screen.TEXT),
        # Another item cleared result_at: the item, not the old result.
        ({**ITEM, "poll": "revealed", "poll_at": at(-5), "result_at": None}, screen.SPEAKER),
    ],
)
def test_what_auto_shows(room, expected):
    assert screen.resolve(screen.AUTO, screen.Room(**room)) == expected


@pytest.mark.parametrize(
    ("choice", "room", "expected"),
    [
        # The facilitator's choice wins over Auto when it can be shown ...
        (screen.RESULT, {**ITEM, **SPEECH, "poll": "revealed", "result_at": at(6)}, screen.RESULT),
        (screen.TEXT, {**ITEM, **SPEECH, "text": True}, screen.TEXT),
        (screen.AGENDA, {**ITEM, **SPEECH}, screen.AGENDA),
        (screen.SPEAKER, {**ITEM, "text": True, "poll": "open"}, screen.SPEAKER),
        # ... and falls back to Auto when it cannot (no result, no text, no item).
        (screen.RESULT, {**ITEM, **SPEECH, "poll": "closed", "poll_at": at(5)}, screen.SPEAKER),
        (screen.RESULT, {**ITEM, "poll": "open"}, screen.POLL),
        (screen.TEXT, {**ITEM, **SPEECH}, screen.SPEAKER),
        (screen.SPEAKER, {}, screen.AGENDA),
        # Nobody chooses for a meeting that is not live.
        (screen.TEXT, {"status": "closed", **ITEM, "text": True}, screen.ENDED),
        (screen.RESULT, {"status": "announced", "poll": "revealed"}, screen.AGENDA),
    ],
)
def test_the_facilitators_choice(choice, room, expected):
    assert screen.resolve(choice, screen.Room(**room)) == expected


def test_which_choices_can_be_made():
    assert screen.choices(screen.Room(status="announced")) == set()
    assert screen.choices(screen.Room(status="closed", **ITEM)) == set()
    assert screen.choices(screen.Room()) == {screen.AUTO, screen.AGENDA}
    full = screen.Room(**ITEM, text=True, poll="revealed")
    assert screen.choices(full) == {screen.AUTO, screen.AGENDA, screen.SPEAKER, screen.TEXT, screen.RESULT}
    assert screen.RESULT not in screen.choices(screen.Room(**ITEM, poll="closed"))


def test_beside_the_speaker():
    assert screen.beside_speaker(screen.Room(**ITEM, text=True, proposal=True)) == "proposal"
    assert screen.beside_speaker(screen.Room(**ITEM, text=True)) == "description"
    assert screen.beside_speaker(screen.Room(**ITEM)) == ""


def test_the_models_choices_are_the_rules_names():
    assert set(Meeting.Screen.values) == {screen.AUTO, screen.SPEAKER, screen.RESULT, screen.TEXT, screen.AGENDA}
    assert Meeting().screen == screen.AUTO


# --- The actions, on a real meeting -----------------------------------------------


def shown(meeting):
    return projector.shown(Meeting.objects.get(pk=meeting.pk))


@pytest.fixture
def debate(room, households):
    """A live meeting, its item under discussion, two households in the queue."""
    for household in households[:2]:
        actions.join_meeting(room, household)
    actions.request_floor(room, households[0], "for")
    actions.request_floor(room, households[1], "against")
    return room


def revealed_poll(meeting, title="加装电梯"):
    poll = Poll.objects.create(meeting=meeting, title=title, item=meeting.current_item)
    voting_actions.open_poll(poll)
    voting_actions.close_poll(poll)
    voting_actions.reveal(poll)
    return poll


def test_a_result_then_the_next_speaker_takes_the_screen(debate, households):
    actions.call_next(debate)
    assert shown(debate) == screen.SPEAKER
    poll = Poll.objects.create(meeting=debate, title="加装电梯", item=debate.current_item)
    voting_actions.open_poll(poll)
    assert shown(debate) == screen.POLL
    voting_actions.close_poll(poll)
    assert shown(debate) == screen.POLL  # the result will be shown shortly
    voting_actions.reveal(poll)
    debate.refresh_from_db()
    assert debate.result_shown_at is not None
    assert shown(debate) == screen.RESULT  # although the first speech still runs
    actions.call_next(debate)
    assert shown(debate) == screen.SPEAKER


def test_calling_a_speaker_ends_a_manual_choice(debate):
    revealed_poll(debate)
    actions.show_on_projector(debate, "agenda")
    assert Meeting.objects.get(pk=debate.pk).screen == "agenda"
    assert shown(debate) == screen.AGENDA
    actions.call_next(debate)
    assert Meeting.objects.get(pk=debate.pk).screen == "auto"
    assert shown(debate) == screen.SPEAKER
    actions.show_on_projector(debate, "result")
    assert shown(debate) == screen.RESULT
    actions.call_next(debate)
    assert shown(debate) == screen.SPEAKER


def test_revealing_a_result_ends_a_manual_choice(debate):
    actions.call_next(debate)
    actions.show_on_projector(debate, "agenda")
    revealed_poll(debate)
    assert Meeting.objects.get(pk=debate.pk).screen == "auto"
    assert shown(debate) == screen.RESULT


def test_another_item_ends_the_result_and_the_choice(debate):
    actions.add_item(debate, "自行车棚", 10, "车棚改造的方案说明")
    revealed_poll(debate)
    actions.show_on_projector(debate, "result")
    actions.next_item(debate)
    meeting = Meeting.objects.get(pk=debate.pk)
    assert (meeting.screen, meeting.result_shown_at) == ("auto", None)
    assert shown(debate) == screen.TEXT  # the new item has a description
    actions.show_on_projector(debate, "result")  # the old result can still be shown on purpose
    assert shown(debate) == screen.RESULT


@pytest.mark.usefixtures("english")
def test_a_choice_that_cannot_be_shown_is_refused_in_words(room, meeting):
    with pytest.raises(actions.ActionError, match="No result has been shown yet"):
        actions.show_on_projector(room, "result")
    with pytest.raises(actions.ActionError, match="no text or description"):
        actions.show_on_projector(room, "text")
    with pytest.raises(actions.ActionError, match="Choose what the projector shows"):
        actions.show_on_projector(room, "everything")
    assert Meeting.objects.get(pk=room.pk).screen == "auto"
    actions.close_meeting(room)
    with pytest.raises(actions.ActionError, match="Open the meeting first"):
        actions.show_on_projector(room, "agenda")


def test_closing_the_meeting_stops_the_item_clock_and_the_speech(debate):
    actions.call_next(debate)
    actions.close_meeting(debate)
    item = AgendaItem.objects.get(pk=debate.current_item_id)
    assert item.started_at is None and item.elapsed_before > timedelta(0)
    assert not item.floor_requests.filter(status="speaking").exists()
    assert shown(debate) == screen.ENDED
    meeting = Meeting.objects.get(pk=debate.pk)
    html = render_panels(meeting, PROJECTOR, "en", {"agenda", "screen"})
    assert "data-start" not in html["agenda"]  # the clock is stopped
    assert 'data-screen="ended"' in html["screen"]


def test_no_item_clock_runs_once_the_meeting_has_ended(room):
    """Also for a meeting ended before close_meeting stopped the clock (its item still started)."""
    from django.utils import timezone

    Meeting.objects.filter(pk=room.pk).update(status=Meeting.Status.CLOSED, closed_at=timezone.now())
    assert AgendaItem.objects.get(pk=room.current_item_id).started_at is not None
    meeting = Meeting.objects.get(pk=room.pk)
    for audience in (PROJECTOR, FACILITATOR):
        assert "data-start" not in render_panels(meeting, audience, "en", {"agenda"})["agenda"]


# --- The panel and the route ------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_the_panel_tells_the_projector_and_offers_the_console_what_can_be_shown(debate):
    actions.call_next(debate)
    meeting = Meeting.objects.get(pk=debate.pk)
    html = render_panels(meeting, PROJECTOR, "en", {"screen"})["screen"]
    assert 'data-screen="speaker"' in html and 'data-beside=""' in html and "<button" not in html
    console = render_panels(meeting, FACILITATOR, "en", {"screen"})["screen"]
    assert 'data-screen-choice="auto" hx-post' in console
    pressed = [chunk for chunk in console.split("<button")[1:] if 'aria-pressed="true"' in chunk]
    assert len(pressed) == 1 and 'data-screen-choice="auto"' in pressed[0]
    disabled = {
        c.split('data-screen-choice="')[1].split('"')[0] for c in console.split("<button")[1:] if " disabled" in c
    }
    assert disabled == {"result", "text"}  # no result yet, no text on this item
    assert "On the projector now: the speaker" in console


def test_the_route_sets_the_screen_for_the_facilitator_only(client, debate, facilitator, observer):
    url = reverse("projector_screen", kwargs={"meeting_id": debate.pk})
    client.force_login(observer)
    assert client.post(url, {"screen": "agenda"}, HTTP_HX_REQUEST="true").status_code == 403
    client.force_login(facilitator)
    assert client.post(url, {"screen": "agenda"}, HTTP_HX_REQUEST="true").status_code == 204
    assert Meeting.objects.get(pk=debate.pk).screen == "agenda"
    refused = client.post(url, {"screen": "<script>"}, HTTP_HX_REQUEST="true")
    assert refused.status_code < 500 and "Choose what the projector shows" in refused.content.decode()
    assert "<script>" not in refused.content.decode()
    assert Meeting.objects.get(pk=debate.pk).screen == "agenda"


def test_the_projector_page_is_laid_out_from_the_first_paint(client, debate):
    revealed_poll(debate)
    response = client.get(reverse("projector", kwargs={"code": debate.code}) + f"?key={debate.projector_key}")
    page = client.get(response["Location"]).content.decode()
    assert 'data-screen="result"' in page.split("<body", 1)[1].split(">", 1)[0]
    assert "projector.js" in page
