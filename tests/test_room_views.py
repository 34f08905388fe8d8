"""The meeting room's endpoints: who may do what, and how answers look."""

from django.urls import reverse

from meetings import actions
from meetings.models import FloorRequest, Meeting
from tests.conftest import join_session, make_staff


def htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_a_joined_resident_asks_and_withdraws(client, room, households):
    join_session(client, room, households[0])
    url = reverse("floor_request", kwargs={"code": room.code})
    assert htmx_post(client, url, {"stance": "against"}).status_code == 204
    assert FloorRequest.objects.get().stance == "against"
    again = htmx_post(client, url, {"stance": "for"})
    assert again["HX-Retarget"] == "#flash" and "Already in the queue" in again.content.decode()
    assert htmx_post(client, reverse("floor_withdraw", kwargs={"code": room.code}), {}).status_code == 204
    assert FloorRequest.objects.get().status == "withdrawn"


def test_a_resident_who_has_not_joined_cannot_ask(client, room):
    response = htmx_post(client, reverse("floor_request", kwargs={"code": room.code}), {"stance": "for"})
    assert response.status_code == 403 and "Join the meeting first" in response.content.decode()
    assert not FloorRequest.objects.exists()


def test_only_the_facilitator_calls_speakers(client, room, households, observer):
    join_session(client, room, households[0])
    htmx_post(client, reverse("floor_request", kwargs={"code": room.code}), {"stance": "for"})
    url = reverse("floor_action", kwargs={"meeting_id": room.pk})
    worker = make_staff(room.compound, "wk", "worker")
    for user in (observer, worker):
        client.force_login(user)
        assert htmx_post(client, url, {"action": "next"}).status_code == 403
    client.force_login(room.compound.staff_roles.get(role="facilitator").user)
    assert htmx_post(client, url, {"action": "next"}).status_code == 204
    assert FloorRequest.objects.get().status == "speaking"


def test_unknown_or_malformed_actions_are_refused_not_500(client, room, facilitator):
    client.force_login(facilitator)
    url = reverse("floor_action", kwargs={"meeting_id": room.pk})
    assert htmx_post(client, url, {"action": "explode"}).status_code == 400
    assert htmx_post(client, url, {"action": "move", "request": "x", "position": "y"}).status_code == 400
    response = htmx_post(client, url, {"action": "remove", "request": "999"})
    assert "no longer in the queue" in response.content.decode()
    response = htmx_post(client, reverse("agenda_action", kwargs={"meeting_id": room.pk}), {"action": "start"})
    assert "no longer exists" in response.content.decode()


def test_a_worker_adds_a_raised_hand_by_household_label_or_name(client, room, households):
    client.force_login(make_staff(room.compound, "wk", "worker"))
    url = reverse("floor_add", kwargs={"meeting_id": room.pk})
    assert htmx_post(client, url, {"who": " 1幢1单元102 ", "stance": "for"}).status_code == 204
    assert htmx_post(client, url, {"who": "李师傅", "stance": "question"}).status_code == 204
    requests = list(FloorRequest.objects.order_by("id"))
    assert requests[0].household == households[1] and requests[0].added_by.username == "wk"
    assert requests[1].household is None and requests[1].name == "李师傅"
    missing = htmx_post(client, url, {"who": "", "stance": "for"})
    assert missing["HX-Retarget"] == "#flash"


def test_meetings_are_created_and_edited_by_staff(client, compound, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("meeting_new", kwargs={"compound_id": compound.pk}),
        {
            "title": "四季度议事会",
            "kind": "council",
            "place": "议事厅",
            "status": "announced",
            "speech_limit_seconds": 180,
            "speeches_per_item": 2,
            "alternate_stances": "on",
            "seconds_required": 2,
        },
    )
    meeting = Meeting.objects.get(title="四季度议事会")
    assert response["Location"] == reverse("meeting_edit", kwargs={"meeting_id": meeting.pk})
    assert meeting.speech_limit_seconds == 180 and not meeting.first_timers_first
    assert meeting.seconds_required == 2
    bad = client.post(
        reverse("meeting_edit", kwargs={"meeting_id": meeting.pk}), {"title": "", "speech_limit_seconds": 5}
    )
    assert bad.status_code == 200 and bad.context["form"].errors


def test_a_live_meeting_cannot_be_set_back_to_draft_by_the_form(client, room, facilitator):
    client.force_login(facilitator)
    assert "status" not in client.get(reverse("meeting_edit", kwargs={"meeting_id": room.pk})).context["form"].fields


def test_agenda_item_edit_and_delete_pages(client, room, facilitator):
    client.force_login(facilitator)
    actions.add_item(room, "绿化", 10)
    item = room.items.get(title="绿化")
    url = reverse("agenda_item_edit", kwargs={"meeting_id": room.pk, "item_id": item.pk})
    client.post(url, {"title": "小区绿化", "planned_minutes": 12, "description": ""})
    item.refresh_from_db()
    assert (item.title, item.planned_minutes) == ("小区绿化", 12)
    client.post(url, {"delete": "1"})
    assert not room.items.filter(pk=item.pk).exists()
    current = room.current_item
    page = client.post(
        reverse("agenda_item_edit", kwargs={"meeting_id": room.pk, "item_id": current.pk}), {"delete": "1"}
    )
    assert "stays on the agenda" in page.content.decode()


def test_typed_names_are_escaped_in_every_pushed_panel(client, room, facilitator):
    from deliberation.realtime import AUDIENCES, render_panels

    client.force_login(facilitator)
    htmx_post(
        client,
        reverse("floor_add", kwargs={"meeting_id": room.pk}),
        {"who": "<script>alert(1)</script>", "stance": "for"},
    )
    room.refresh_from_db()
    for audience in AUDIENCES:
        html = "".join(render_panels(room, audience, "en").values())
        assert "<script>" not in html
    assert "&lt;script&gt;" in render_panels(room, "projector", "en", {"queue"})["queue"]
