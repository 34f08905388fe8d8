"""The projector key travels once: it becomes a grant in the projector's
session, the page reloads without it, and no access-log line carries it."""

import io

import pytest
from daphne.access import AccessLogGenerator
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from deliberation import accesslog
from tests.live import next_message, open_socket


def projector_url(meeting, key=None):
    url = reverse("projector", kwargs={"code": meeting.code})
    return f"{url}?key={key}" if key is not None else url


def test_a_valid_key_becomes_a_session_grant_and_leaves_the_address(client, meeting):
    response = client.get(projector_url(meeting, meeting.projector_key))
    assert response.status_code == 302
    assert response["Location"] == projector_url(meeting)
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert meeting.projector_key not in html  # neither in the page nor in its websocket address
    assert meeting.title in html


def test_without_the_grant_the_clean_address_needs_a_login(client, meeting):
    response = client.get(projector_url(meeting))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_wrong_key_is_not_carried_into_the_login_redirect(client, meeting):
    response = client.get(projector_url(meeting, "wrong-key"))
    assert response["Location"].startswith(reverse("login"))
    assert "wrong-key" not in response["Location"]


def test_a_new_projector_key_ends_old_grants(client, meeting):
    client.get(projector_url(meeting, meeting.projector_key))
    meeting.projector_key = "a-new-key"
    meeting.save()
    assert client.get(projector_url(meeting))["Location"].startswith(reverse("login"))


def test_the_console_s_projector_link_still_opens_the_projector(client, meeting, facilitator):
    client.force_login(facilitator)
    console = client.get(reverse("console", kwargs={"meeting_id": meeting.pk}))
    link = console.context["projector_url"]
    other = type(client)()  # the projector laptop: no login
    response = other.get(link.split("testserver", 1)[-1], follow=True)
    assert response.status_code == 200 and meeting.title in response.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_projector_socket_is_authorized_by_the_session_grant(meeting):
    from asgiref.sync import sync_to_async

    @sync_to_async
    def granted_session():
        session = SessionStore()
        session[f"projector:{meeting.pk}"] = meeting.projector_key
        session.create()
        return session.session_key

    socket, connected, _ = await open_socket(meeting, "projector", session=await granted_session())
    assert connected
    assert (await next_message(socket))["type"] == "state"
    await socket.disconnect()


def test_daphne_s_access_log_writes_paths_without_query_strings(meeting):
    import deliberation.asgi  # noqa: F401  (installs the filter, as Daphne's import does)

    stream = io.StringIO()
    log = AccessLogGenerator(stream)
    path = projector_url(meeting, meeting.projector_key)
    log("http", "complete", {"path": path, "status": 302, "method": "GET", "client": "1.2.3.4:5", "size": 0})
    log("websocket", "connected", {"path": f"/ws/m/{meeting.code}/projector/?key=x", "client": "1.2.3.4:5"})
    written = stream.getvalue()
    assert meeting.projector_key not in written and "key=" not in written
    assert f'"GET {projector_url(meeting)}" 302' in written
    accesslog.install()  # twice is harmless
    assert AccessLogGenerator.__call__.drops_query_strings


def test_the_access_log_keeps_no_household_code_of_a_slips_link():
    from deliberation.accesslog import without_query

    assert without_query("/h/K7PM3XQA/") == "/h/…/"
    assert without_query("/h/K7PM3XQA/?x=1") == "/h/…/"
    assert without_query("/m/K7PMQ/projector/") == "/m/K7PMQ/projector/"
