"""A live page's state over HTTP, for pages that poll (meetings/views_live.py):
the socket's state message and its access rules, 304 without rendering when
the page is current, one render per revision however many phones poll."""

import gzip
import json
from unittest import mock

import pytest
from django.urls import reverse

from compounds.actions import revoke_code
from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, render_panels, states
from meetings import actions
from tests.conftest import join_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_state_cache")]


def url(meeting, audience, **query):
    from urllib.parse import urlencode

    path = reverse(f"live_{audience}", kwargs={"code": meeting.code})
    return path + ("?" + urlencode(query) if query else "")


def poll(client, meeting, audience, **query):
    headers = query.pop("headers", {})
    return client.get(url(meeting, audience, **query), headers=headers)


@pytest.fixture
def live(room, households):
    """A live meeting with a resident joined and the room's state moving."""
    actions.join_meeting(room, households[0])
    room.refresh_from_db()
    return room


def counting_renders():
    """Patch the state cache's renderer, counting its calls."""
    return mock.patch.object(states, "_render", wraps=states._render)


def test_each_audience_with_access_gets_the_sockets_state(client, live, households, facilitator):
    cases = [
        (RESIDENT, lambda: join_session(client, live, households[0]), {}),
        (FACILITATOR, lambda: client.force_login(facilitator), {}),
        (PROJECTOR, lambda: None, {"key": live.projector_key}),
    ]
    for audience, grant, query in cases:
        client.logout()
        grant()
        response = poll(client, live, audience, lang="en", **query)
        assert response.status_code == 200, audience
        assert response["Content-Type"] == "application/json"
        message = json.loads(response.content)
        # Exactly what a (re)connecting socket gets, less the clock it adds on sending.
        assert message == {"type": "state", "rev": live.revision, "panels": render_panels(live, audience, "en")}
        assert message["type"] == "state" and message["rev"] == live.revision
        assert "agenda" in message["panels"] and "加装电梯" in message["panels"]["agenda"]
        assert response["ETag"] == f'"{live.revision}-{audience}-en"'
        assert int(response["X-Server-Now"]) > 0
        assert "no-store" in response["Cache-Control"]


def test_the_language_asked_for_else_the_default(client, live, households):
    join_session(client, live, households[0])
    english = json.loads(poll(client, live, RESIDENT, lang="en").content)
    chinese = json.loads(poll(client, live, RESIDENT, lang="zh-hans").content)
    junk = poll(client, live, RESIDENT, lang="xx<script>")
    assert english["panels"]["status"] != chinese["panels"]["status"]
    assert json.loads(junk.content) == chinese
    assert junk["ETag"] == f'"{live.revision}-resident-zh-hans"'


def test_a_page_at_the_current_revision_gets_304_and_nothing_is_rendered(client, live, households):
    join_session(client, live, households[0])
    first = poll(client, live, RESIDENT, lang="en")
    with counting_renders() as render, mock.patch("deliberation.realtime.panels.render_to_string") as template:
        by_rev = poll(client, live, RESIDENT, lang="en", rev=live.revision)
        by_etag = poll(client, live, RESIDENT, lang="en", headers={"If-None-Match": first["ETag"]})
        ahead = poll(client, live, RESIDENT, lang="en", rev=live.revision + 5)
    assert [r.status_code for r in (by_rev, by_etag, ahead)] == [304, 304, 304]
    assert render.call_count == 0 and template.call_count == 0
    assert by_rev.content == b""
    assert by_rev["ETag"] == first["ETag"] and int(by_rev["X-Server-Now"]) > 0


def test_a_revision_in_other_scripts_digits_is_no_revision(client, live, households):
    """Found by the fuzzer: "²" passed str.isdigit() and int() raised (a 500)."""
    join_session(client, live, households[0])
    for junk in ("²", "①", "١٢"):
        assert poll(client, live, RESIDENT, lang="en", rev=junk).status_code == 200


def test_a_page_behind_gets_the_new_state(client, live, households):
    join_session(client, live, households[0])
    before = live.revision
    actions.request_floor(live, households[0], "for")
    live.refresh_from_db()
    assert live.revision > before
    stale_etag = f'"{before}-resident-en"'
    for response in (
        poll(client, live, RESIDENT, lang="en", rev=before),
        poll(client, live, RESIDENT, lang="en", headers={"If-None-Match": stale_etag}),
        poll(client, live, RESIDENT, lang="en", rev="junk"),
    ):
        assert response.status_code == 200
        message = json.loads(response.content)
        assert message["rev"] == live.revision
        assert households[0].unit.building.name in message["panels"]["queue"]


def test_many_phones_polling_one_revision_cost_one_render(client, live, households, facilitator):
    join_session(client, live, households[0])
    with counting_renders() as render:
        for _ in range(20):
            assert poll(client, live, RESIDENT, lang="en").status_code == 200
        assert render.call_count == 1
        poll(client, live, RESIDENT, lang="zh-hans")
        assert render.call_count == 2  # another language is another page
        actions.request_floor(live, households[0], "for")
        for _ in range(5):
            assert json.loads(poll(client, live, RESIDENT, lang="en").content)["rev"] == live.revision + 1
        assert render.call_count == 3  # once per revision


def test_the_state_is_gzipped_once_for_clients_that_accept_it(client, live, households):
    join_session(client, live, households[0])
    plain = poll(client, live, RESIDENT, lang="en")
    zipped = poll(client, live, RESIDENT, lang="en", headers={"Accept-Encoding": "gzip, deflate"})
    refused = poll(client, live, RESIDENT, lang="en", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in plain and "Content-Encoding" not in refused
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3


def test_without_access_the_answer_is_403_and_an_unknown_meeting_404(client, live, households, outsider):
    for audience in (RESIDENT, FACILITATOR, PROJECTOR):
        response = poll(client, live, audience, lang="en")
        assert response.status_code == 403, audience
        assert json.loads(response.content)["type"] == "refused"
    assert poll(client, live, PROJECTOR, key="wrong").status_code == 403
    client.force_login(outsider)
    assert poll(client, live, FACILITATOR).status_code == 403
    missing = client.get(reverse("live_resident", kwargs={"code": "NOPE9"}))
    assert missing.status_code == 404
    assert client.post(url(live, PROJECTOR, key=live.projector_key)).status_code == 405


def test_a_revoked_household_is_refused_as_its_socket_is(client, live, households, facilitator):
    join_session(client, live, households[0])
    assert poll(client, live, RESIDENT, rev=live.revision).status_code == 304
    revoke_code(households[0], facilitator)
    # Refused before the revision is even looked at: no 304 for a closed door.
    assert poll(client, live, RESIDENT, rev=live.revision + 100).status_code == 403
    assert poll(client, live, RESIDENT).status_code == 403


def test_a_meeting_that_takes_a_deleted_meetings_id_is_not_served_its_state(client, room, facilitator):
    client.force_login(facilitator)
    assert poll(client, room, FACILITATOR, lang="en").status_code == 200
    cached = states.state_at(room, FACILITATOR, "en")
    assert cached.revision == room.revision
    room.code = "OTHER"  # another meeting under the same id, at the same revision
    assert states.state_at(room, FACILITATOR, "en") is not cached
