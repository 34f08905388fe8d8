"""Junk from staff forms and buttons: a clear refusal, never a 500; `next`
stays on the site; the room's texts have sane sizes."""

import pytest
from django.urls import reverse

from meetings import actions
from meetings.actions import open_meeting
from meetings.models import AgendaItem, FloorRequest
from tests.conftest import join_session


@pytest.fixture
def room(meeting, facilitator):
    open_meeting(meeting)
    actions.add_item(meeting, "加装电梯", 20)
    actions.add_item(meeting, "停车", 10)
    actions.next_item(meeting)
    meeting.refresh_from_db()
    return meeting


def htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("item", ["abc", "", "1.5", "9" * 40, None])
@pytest.mark.parametrize("action", ["up", "down", "start"])
def test_agenda_buttons_with_a_bad_item_are_refused_with_a_message(client, room, facilitator, action, item):
    client.force_login(facilitator)
    data = {"action": action} if item is None else {"action": action, "item": item}
    response = htmx_post(client, reverse("agenda_action", kwargs={"meeting_id": room.pk}), data)
    assert response.status_code < 500
    assert response["HX-Retarget"] == "#flash"
    assert "That agenda item no longer exists." in response.content.decode()


def test_agenda_move_without_htmx_redirects_with_the_message(client, room, facilitator):
    client.force_login(facilitator)
    response = client.post(reverse("agenda_action", kwargs={"meeting_id": room.pk}), {"action": "up"}, follow=True)
    assert response.status_code == 200
    assert "That agenda item no longer exists." in response.content.decode()


@pytest.fixture
def queue(client, room, households, facilitator):
    """Three residents waiting for the floor."""
    for household in households[:3]:
        join_session(client, room, household)
        assert htmx_post(client, reverse("floor_request", kwargs={"code": room.code}), {"stance": "for"}).status_code
    client.force_login(facilitator)
    return list(FloorRequest.objects.order_by("id"))


@pytest.mark.parametrize("position", [2**63, 2**31, 10**30, 3, 99])
def test_a_move_past_the_end_of_the_queue_puts_the_request_last(client, room, queue, position):
    url = reverse("floor_action", kwargs={"meeting_id": room.pk})
    response = htmx_post(client, url, {"action": "move", "request": queue[0].pk, "position": str(position)})
    assert response.status_code == 204
    queue[0].refresh_from_db()
    assert queue[0].pin == 2  # last of three


@pytest.mark.parametrize("position", ["", "x", "1e3", "9" * 5000])
def test_a_move_to_no_number_is_refused_with_a_message(client, room, queue, position):
    url = reverse("floor_action", kwargs={"meeting_id": room.pk})
    response = htmx_post(client, url, {"action": "move", "request": queue[0].pk, "position": position})
    assert response.status_code == 400
    assert "Choose a place in the queue." in response.content.decode()


@pytest.mark.parametrize("target", ["", "x", "9" * 40])
def test_floor_buttons_with_a_bad_request_id_are_refused(client, room, queue, target):
    url = reverse("floor_action", kwargs={"meeting_id": room.pk})
    for data in ({"action": "remove", "request": target}, {"action": "move", "request": target, "position": "0"}):
        response = htmx_post(client, url, data)
        assert response.status_code < 500
        assert "That request is no longer in the queue." in response.content.decode()
    assert htmx_post(client, url, {"action": "remove"}).status_code < 500


@pytest.mark.parametrize("action", [None, "", "explode"])
def test_meeting_status_with_a_bad_action_is_refused(client, room, facilitator, action):
    client.force_login(facilitator)
    data = {} if action is None else {"action": action}
    response = htmx_post(client, reverse("meeting_status", kwargs={"meeting_id": room.pk}), data)
    assert response.status_code == 400 and "Unknown action." in response.content.decode()
    room.refresh_from_db()
    assert room.status == "live"


# --- `next` ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    [
        "not a url",
        "console",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:evil",
        "javascript:x",
    ],
)
def test_agenda_add_never_redirects_off_site_or_to_junk(client, meeting, facilitator, next_url):
    client.force_login(facilitator)
    url = reverse("agenda_item_add", kwargs={"meeting_id": meeting.pk})
    response = client.post(url, {"title": "绿化", "planned_minutes": 10, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("console", kwargs={"meeting_id": meeting.pk})
    assert AgendaItem.objects.filter(title="绿化").exists()
    # A refusal goes to the same safe place.
    response = client.post(url, {"title": "", "planned_minutes": 10, "next": next_url})
    assert response["Location"] == reverse("console", kwargs={"meeting_id": meeting.pk})


def test_agenda_add_goes_back_to_the_page_it_came_from(client, meeting, facilitator):
    client.force_login(facilitator)
    back = reverse("meeting_edit", kwargs={"meeting_id": meeting.pk}) + "?tab=agenda"
    url = reverse("agenda_item_add", kwargs={"meeting_id": meeting.pk})
    response = client.post(url, {"title": "绿化", "planned_minutes": 10, "next": back})
    assert response["Location"] == back


# --- Sizes ------------------------------------------------------------------------


def test_an_agenda_description_has_a_size_limit(client, meeting, facilitator):
    client.force_login(facilitator)
    url = reverse("agenda_item_add", kwargs={"meeting_id": meeting.pk})
    response = htmx_post(client, url, {"title": "长文", "planned_minutes": 10, "description": "x" * 1_000_000})
    assert response["HX-Retarget"] == "#flash"
    assert "at most 2000 characters" in response.content.decode()
    assert not AgendaItem.objects.filter(title="长文").exists()
    ok = htmx_post(client, url, {"title": "长文", "planned_minutes": 10, "description": "字" * 2000})
    assert ok.status_code == 204


def test_editing_an_item_keeps_the_limits(client, room, facilitator):
    client.force_login(facilitator)
    item = room.items.first()
    url = reverse("agenda_item_edit", kwargs={"meeting_id": room.pk, "item_id": item.pk})
    page = client.post(url, {"title": "x" * 201, "planned_minutes": 99999, "description": "y" * 2001})
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert set(errors) == {"title", "planned_minutes", "description"}
    item.refresh_from_db()
    assert item.title == "加装电梯"


def test_meeting_details_have_size_limits(client, meeting, facilitator):
    client.force_login(facilitator)
    url = reverse("meeting_edit", kwargs={"meeting_id": meeting.pk})
    page = client.post(
        url,
        {
            "title": "t" * 201,
            "kind": meeting.kind,
            "place": "p" * 201,
            "status": "announced",
            "speech_limit_seconds": 10**12,
            "speeches_per_item": 2**40,
            "scheduled_start": "not a date",
        },
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert {"title", "place", "speech_limit_seconds", "speeches_per_item", "scheduled_start"} <= set(errors)


JUNK = [{}, {"action": "x"}, {"item": "x", "request": "x", "position": "x", "who": "x" * 500, "stance": "x"}]


def test_other_staff_endpoints_answer_junk_without_a_500(client, room, facilitator, households):
    """Every staff POST of the room, credentials and roster, with junk fields."""
    from compounds.models import RosterUpload

    client.raise_request_exception = False
    client.force_login(facilitator)
    compound = room.compound
    upload = RosterUpload.objects.create(compound=compound, filename="r.csv", content=b"x", sha256="y")
    item = room.items.first()
    urls = [
        reverse("agenda_action", kwargs={"meeting_id": room.pk}),
        reverse("floor_action", kwargs={"meeting_id": room.pk}),
        reverse("floor_add", kwargs={"meeting_id": room.pk}),
        reverse("agenda_item_add", kwargs={"meeting_id": room.pk}),
        reverse("agenda_item_edit", kwargs={"meeting_id": room.pk, "item_id": item.pk}),
        reverse("meeting_edit", kwargs={"meeting_id": room.pk}),
        reverse("meeting_new", kwargs={"compound_id": compound.pk}),
        reverse("meeting_status", kwargs={"meeting_id": room.pk}),
        reverse("credential_issue_missing", kwargs={"compound_id": compound.pk}),
        reverse("credential_reissue", kwargs={"compound_id": compound.pk, "household_id": households[0].pk}),
        reverse("credential_revoke", kwargs={"compound_id": compound.pk, "household_id": households[1].pk}),
        reverse("roster", kwargs={"compound_id": compound.pk}),
        reverse("roster_confirm", kwargs={"compound_id": compound.pk, "upload_id": upload.pk}),
        reverse("roster_new"),
    ]
    for url in urls:
        for data in JUNK:
            for htmx in (False, True):
                extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
                response = client.post(url, data, **extra)
                assert response.status_code < 500, (url, data, htmx)
    for url in (
        reverse("credential_slips", kwargs={"compound_id": compound.pk}) + "?building=x&household=" + "9" * 30,
        reverse("credential_reissue", kwargs={"compound_id": compound.pk, "household_id": 10**30}),
        reverse("roster_preview", kwargs={"compound_id": compound.pk, "upload_id": 10**30}),
    ):
        assert client.get(url).status_code < 500, url
