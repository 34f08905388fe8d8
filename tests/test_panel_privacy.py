"""Pages the whole room shares carry no database ids of households (issue 10):
a phone finds its own place in the queue and at the microphone by an opaque
mark only it knows to be its own."""

import re

from django.urls import reverse

from deliberation.realtime import PROJECTOR, RESIDENT, render_panels
from meetings import actions
from meetings.actions import join_meeting, open_meeting
from meetings.models import Meeting
from tests.conftest import join_session


def test_queue_and_speaker_panels_mark_households_without_their_ids(client, meeting, facilitator, households):
    open_meeting(meeting)
    actions.add_item(meeting, "加装电梯", 20)
    actions.next_item(meeting)
    for household in households[:3]:
        join_meeting(meeting, household)
    actions.request_floor(meeting, households[0], "for")
    actions.call_next(meeting)
    actions.request_floor(meeting, households[1], "against")
    meeting.refresh_from_db()

    for audience in (RESIDENT, PROJECTOR):
        html = "".join(render_panels(meeting, audience, "en").values())
        marks = re.findall(r'data-(?:speaker-)?household="([^"]*)"', html)
        assert not {str(h.pk) for h in households} & set(marks)

    join_session(client, meeting, households[1])
    page = client.get(reverse("join", kwargs={"code": meeting.code})).content.decode()
    mine = re.search(r'<body[^>]*data-household="([^"]+)"', page).group(1)
    queue = render_panels(meeting, RESIDENT, "en", ["queue"])["queue"]
    assert f'data-household="{mine}"' in queue  # the phone still finds its own place
    speaker = render_panels(meeting, RESIDENT, "en", ["speaker"])["speaker"]
    assert f'data-speaker-household="{mine}"' not in speaker

    other = Meeting.objects.create(compound=meeting.compound, title="下一次", status=Meeting.Status.ANNOUNCED)
    join_session(client, other, households[1])
    later = client.get(reverse("join", kwargs={"code": other.code})).content.decode()
    assert re.search(r'<body[^>]*data-household="([^"]+)"', later).group(1) != mine  # unlinkable across meetings
