"""Joining a meeting from a phone: by meeting code + household code, or a slip's link."""

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.urls import reverse

from compounds.models import Credential
from meetings.models import Attendance, Meeting
from tests.conftest import join_url

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def test_home_sends_a_typed_meeting_code_to_the_meeting(client, meeting):
    response = client.get(reverse("home"), {"code": meeting.code.lower()})
    assert response.status_code == 302 and response["Location"] == join_url(meeting)


def test_unknown_meeting_code_is_a_friendly_404(client, db):
    response = client.get(reverse("join", kwargs={"code": "ZZZZZ"}))
    assert response.status_code == 404


def test_household_code_joins_and_the_phone_stays_joined(client, meeting, households, codes):
    household = households[0]
    code = codes[household]
    typed = f" {code[:4].lower()}-{code[4:]} "  # as people type it
    response = client.post(join_url(meeting), {"code": typed})
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=meeting, household=household).count() == 1
    page = client.get(join_url(meeting))
    assert "meetings/phone.html" in [t.name for t in page.templates]
    assert household.label in page.content.decode()
    # A reload or a second join is not a second attendance.
    client.post(join_url(meeting), {"code": code})
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_a_join_moves_an_existing_session_to_a_key_nobody_knew(client, meeting, households, codes):
    # A session someone could have planted in this browser (session fixation).
    planted = client.session
    planted["seen"] = True
    planted.save()
    client.cookies["sessionid"] = planted.session_key
    client.post(join_url(meeting), {"code": codes[households[0]]})
    joined = client.cookies["sessionid"].value
    assert joined != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    assert households[0].label in client.get(join_url(meeting)).content.decode()


def test_a_fresh_browser_joins_under_a_new_session(client, meeting, households, codes):
    assert "sessionid" not in client.cookies
    client.post(join_url(meeting), {"code": codes[households[0]]})
    assert SessionStore().exists(client.cookies["sessionid"].value)
    assert households[0].label in client.get(join_url(meeting)).content.decode()


def test_wrong_code_is_refused_with_a_translated_message(client, meeting, codes):
    response = client.post(join_url(meeting), {"code": "3333-3333"})
    assert response.status_code == 200
    assert "not valid for this meeting" in response.content.decode()
    assert not Attendance.objects.exists()


def test_malformed_code_is_refused_before_lookup(client, meeting, codes):
    response = client.post(join_url(meeting), {"code": "12"})
    assert "8 letters and digits" in response.content.decode()


def test_another_compounds_code_does_not_join(client, meeting, outsider):
    from tests.conftest import Compound

    other = Compound.objects.exclude(pk=meeting.compound_id).get()
    from compounds.models import Building, BuildingUnit, Household

    unit = BuildingUnit.objects.create(building=Building.objects.create(compound=other, name="9幢"), name="1单元")
    stranger = Household.objects.create(compound=other, unit=unit, room="101", area="50")
    code = Credential.objects.create(household=stranger).code
    client.post(join_url(meeting), {"code": code})
    assert not Attendance.objects.exists()


def test_revoked_code_no_longer_joins(client, meeting, households, codes):
    from django.utils import timezone

    Credential.objects.filter(household=households[0]).update(revoked_at=timezone.now())
    client.post(join_url(meeting), {"code": codes[households[0]]})
    assert not Attendance.objects.exists()


def test_wrong_codes_are_rate_limited_per_session(client, meeting, households, codes, settings):
    settings.CODE_ATTEMPTS_PER_SESSION = 3
    for _ in range(3):
        client.post(join_url(meeting), {"code": "3333-3333"})
    # Even the right code waits now: a guesser learns nothing from it.
    response = client.post(join_url(meeting), {"code": codes[households[0]]})
    assert "Too many wrong codes" in response.content.decode()
    assert not Attendance.objects.exists()


def test_rate_limit_per_address_slows_but_never_locks_out_a_right_code(meeting, households, codes, settings):
    from django.test import Client

    settings.CODE_ATTEMPTS_PER_ADDRESS = 4
    for _ in range(4):
        Client().post(join_url(meeting), {"code": "3333-3333"})  # cookies dropped each time
    assert Client().post(join_url(meeting), {"code": codes[households[0]]}).status_code == 302
    # Past the threshold the address gets one lookup per CODE_SLOW_SECONDS:
    # the next code right after is asked to wait a few seconds.
    english = Client()
    english.cookies["django_language"] = "en"
    response = english.post(join_url(meeting), {"code": codes[households[1]]})
    assert "try again in a few seconds" in response.content.decode()


def test_closed_meeting_cannot_be_joined_and_ends_the_phones_join(client, meeting, households, codes):
    client.post(join_url(meeting), {"code": codes[households[0]]})
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    response = client.get(join_url(meeting))
    assert "meetings/not_open.html" in [t.name for t in response.templates]
    client.post(join_url(meeting), {"code": codes[households[1]]})
    assert Attendance.objects.count() == 1


def test_draft_meeting_is_not_open_for_joining(client, meeting, codes, households):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.DRAFT)
    client.post(join_url(meeting), {"code": codes[households[0]]})
    assert not Attendance.objects.exists()


def test_slip_link_shows_a_button_and_only_a_post_joins(client, meeting, households, codes):
    household = households[2]
    link = reverse("household_link", kwargs={"code": codes[household]})
    page = client.get(link)
    assert page.status_code == 200 and meeting.title in page.content.decode()
    assert not Attendance.objects.exists()  # a link preview joins nobody
    response = client.post(link, {"meeting": meeting.pk})
    assert response["Location"] == join_url(meeting)
    assert Attendance.objects.get().household == household


def test_slip_link_with_unknown_code_is_404_and_counts_as_a_wrong_attempt(client, db, settings):
    settings.CODE_ATTEMPTS_PER_SESSION = 2
    for _ in range(2):
        assert client.get(reverse("household_link", kwargs={"code": "AAAAAAAA"})).status_code == 404
    assert client.get(reverse("household_link", kwargs={"code": "AAAAAAAA"})).status_code == 429


def test_stale_slip_form_for_a_meeting_that_closed_says_so(client, meeting, households, codes):
    link = reverse("household_link", kwargs={"code": codes[households[0]]})
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    response = client.post(link, {"meeting": meeting.pk}, follow=True)
    assert "no longer open" in response.content.decode()
    assert not Attendance.objects.exists()


def test_leave_forgets_the_household(client, meeting, households, codes):
    client.post(join_url(meeting), {"code": codes[households[0]]})
    client.post(reverse("leave", kwargs={"code": meeting.code}))
    assert "meetings/join.html" in [t.name for t in client.get(join_url(meeting)).templates]
