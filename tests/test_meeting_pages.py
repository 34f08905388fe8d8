"""Projector and console: who may open them, and what they show."""

import pytest
from django.urls import reverse

from meetings.models import Meeting


def projector_url(meeting, key=None):
    url = reverse("projector", kwargs={"code": meeting.code})
    return f"{url}?key={key}" if key is not None else url


def test_projector_opens_with_its_key_and_shows_the_join_qr(client, meeting):
    # The key becomes a session grant and the page reloads without it (test_projector_key.py).
    page = client.get(projector_url(meeting, meeting.projector_key), follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert meeting.title in html
    assert 'src="data:image/svg+xml' in html
    assert f"/m/{meeting.code}/" in html


def test_projector_without_key_needs_a_login(client, meeting):
    assert client.get(projector_url(meeting, "nope"))["Location"].startswith(reverse("login"))


def test_projector_for_staff_of_another_compound_is_forbidden(client, meeting, outsider):
    client.force_login(outsider)
    assert client.get(projector_url(meeting)).status_code == 403


def test_console_requires_a_role_in_the_compound(client, meeting, outsider, observer):
    url = reverse("console", kwargs={"meeting_id": meeting.pk})
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(observer)
    page = client.get(url)
    assert page.status_code == 200
    # Panels are rendered once for all staff; an observer's page hides the
    # controls (and the server refuses them: see the next test).
    assert 'data-can-run="0"' in page.content.decode()


def test_only_a_facilitator_opens_and_closes_the_meeting(client, meeting, observer, facilitator):
    url = reverse("meeting_status", kwargs={"meeting_id": meeting.pk})
    client.force_login(observer)
    assert client.post(url, {"action": "open"}).status_code == 403
    client.force_login(facilitator)
    client.post(url, {"action": "open"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.LIVE and meeting.opened_at is not None
    client.post(url, {"action": "close"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED
    response = client.post(url, {"action": "open"}, follow=True)
    assert "cannot be opened again" in response.content.decode()


def test_status_changes_bump_the_revision(meeting, facilitator):
    from meetings import actions

    before = meeting.revision
    actions.open_meeting(meeting)
    actions.open_meeting(meeting)  # already live: no change
    meeting.refresh_from_db()
    assert meeting.revision == before + 1


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_pages_send_a_content_security_policy(client, db, path):
    csp = client.get(path)["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_htmx_actions_answer_204_or_show_the_refusal_in_the_flash_area(client, meeting, facilitator):
    url = reverse("meeting_status", kwargs={"meeting_id": meeting.pk})
    client.force_login(facilitator)
    assert client.post(url, {"action": "open"}, HTTP_HX_REQUEST="true").status_code == 204
    client.post(url, {"action": "close"}, HTTP_HX_REQUEST="true")
    refused = client.post(url, {"action": "open"}, HTTP_HX_REQUEST="true")
    assert refused["HX-Retarget"] == "#flash"
    assert "cannot be opened again" in refused.content.decode()


def test_pushed_panels_carry_no_csrf_token(meeting):
    """Panels are rendered once for everyone: a per-user token cannot be in
    them (controls post through htmx with the page's token header)."""
    from deliberation.realtime import AUDIENCES, render_panels

    for audience in AUDIENCES:
        for html in render_panels(meeting, audience, "en").values():
            assert "csrfmiddlewaretoken" not in html


def test_the_projector_says_nobody_is_waiting_without_numbering_it(meeting):
    """An empty queue read "1. Nobody is waiting" on the projector (issue 14)."""
    from deliberation.realtime import PROJECTOR, render_panels
    from meetings import actions

    actions.open_meeting(meeting)
    item = actions.add_item(meeting, "议题", 10)
    actions.start_item(meeting, item.pk)
    meeting.refresh_from_db()
    html = render_panels(meeting, PROJECTOR, "en", {"queue"})["queue"]
    assert "Nobody is waiting" in html and "<ol" not in html


def test_the_new_poll_form_names_its_agenda_item_field_in_chinese(client, meeting, facilitator):
    """The poll form showed an English "Item" label in Chinese mode (issue 14)."""
    from django.urls import reverse

    client.force_login(facilitator)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("poll_new", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert ">议题<" in html and ">Item<" not in html
