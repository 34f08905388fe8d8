"""In-person sign-in (签到): staff mark present the households without a phone."""

from decimal import Decimal

import pytest
from django.urls import reverse

from compounds.models import Building, BuildingUnit, Compound, Household
from meetings import actions, panels, signin
from meetings.models import Attendance, Meeting
from meetings.models.meeting import AttendanceLog
from tests.conftest import make_staff
from voting import actions as voting
from voting.models import Ballot, Poll


@pytest.fixture(autouse=True)
def in_english(english):
    """Messages in English for readable assertions (the Chinese default is in test_language.py)."""


@pytest.fixture
def worker(compound):
    return make_staff(compound, "wk", "worker")


@pytest.fixture
def live(meeting, facilitator):
    actions.open_meeting(meeting)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def poll(live):
    """An open poll of the households present (the default electorate)."""
    poll = Poll.objects.create(meeting=live, title="加装电梯")
    voting.open_poll(poll)
    poll.refresh_from_db()
    return poll


def page_url(meeting, q=None):
    url = reverse("signin", kwargs={"meeting_id": meeting.pk})
    return url if q is None else f"{url}?q={q}"


def action_url(meeting):
    return reverse("signin_action", kwargs={"meeting_id": meeting.pk})


def post(client, meeting, action, household, htmx=True):
    data = {"action": action, "household": household if isinstance(household, str) else household.pk}
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(action_url(meeting), data, **extra)


# --- The action -----------------------------------------------------------------------


def test_a_sign_in_is_attendance_with_who_and_when_and_a_log_entry(live, households, worker):
    attendance, created = actions.sign_in(live, households[0], worker)
    assert created and attendance.via == Attendance.Via.STAFF
    assert attendance.signed_in_by == worker and attendance.signed_in_at is not None
    entry = AttendanceLog.objects.get()
    assert (entry.household, entry.action, entry.by, entry.by_name) == (households[0], "sign_in", worker, "wk")
    # Twice is not an error and changes nothing.
    again, created = actions.sign_in(live, households[0], worker)
    assert not created and again.pk == attendance.pk and AttendanceLog.objects.count() == 1


def test_it_counts_where_a_joined_phone_counts(live, households, worker, facilitator):
    actions.join_meeting(live, households[0])
    actions.sign_in(live, households[1], worker)
    assert panels.joined_counts(live) == (2, 6)
    context = panels.attendance(live, "facilitator")
    assert {a.household_id for a in context["recent"]} == {households[0].pk, households[1].pk}
    assert sum(row["n"] for row in context["by_building"]) == 2
    poll = Poll.objects.create(meeting=live, title="加装电梯")
    assert set(voting.electorate(poll)) == {households[0], households[1]}


def test_a_signed_in_household_votes_by_paper_and_by_proxy(poll, households, worker):
    with pytest.raises(voting.VotingError, match="not among those who vote"):
        voting.cast(poll, households[0], "for", channel=Ballot.Channel.PAPER, user=worker)
    actions.sign_in(poll.meeting, households[0], worker)
    actions.sign_in(poll.meeting, households[1], worker)
    voting.cast(poll, households[0], "for", channel=Ballot.Channel.PAPER, user=worker)
    voting.cast(
        poll,
        households[1],
        "against",
        channel=Ballot.Channel.PROXY,
        user=worker,
        requested_by="女儿",
        proxy_holder="王红",
        proxy_reference="委托书 1",
    )
    ballots = dict(Ballot.objects.filter(poll=poll).values_list("household_id", "channel"))
    assert ballots == {households[0].pk: "paper", households[1].pk: "proxy"}
    assert voting.count_now(poll).electorate.households == 2


def test_the_live_turnout_counts_a_signed_in_household(poll, households, worker, django_capture_on_commit_callbacks):
    from voting.panels import turnout

    with django_capture_on_commit_callbacks(execute=True):
        actions.join_meeting(poll.meeting, households[0])
    poll.meeting.refresh_from_db()
    assert turnout(poll.meeting, "facilitator")["eligible"] == 1
    with django_capture_on_commit_callbacks(execute=True) as pushed:
        actions.sign_in(poll.meeting, households[1], worker)
    assert pushed  # the push after the commit (attendance and turnout panels)
    poll.meeting.refresh_from_db()
    assert turnout(poll.meeting, "facilitator")["eligible"] == 2


def test_undo_removes_a_staff_sign_in_and_logs_it(poll, households, worker):
    actions.sign_in(poll.meeting, households[0], worker)
    assert actions.undo_sign_in(poll.meeting, households[0], worker) is True
    assert not Attendance.objects.exists()
    assert list(AttendanceLog.objects.order_by("id").values_list("action", flat=True)) == ["sign_in", "undo"]
    assert households[0] not in voting.electorate(poll)
    # Undone by someone else meanwhile: nothing to undo, no error, no log entry.
    assert actions.undo_sign_in(poll.meeting, households[0], worker) is False
    assert AttendanceLog.objects.count() == 2


def test_undo_leaves_a_household_that_joined_by_phone(live, households, worker):
    actions.join_meeting(live, households[0])
    actions.sign_in(live, households[0], worker)  # already present: not an error
    assert Attendance.objects.get().via == "phone" and not AttendanceLog.objects.exists()
    with pytest.raises(actions.ActionError, match="own phone"):
        actions.undo_sign_in(live, households[0], worker)
    assert Attendance.objects.filter(household=households[0]).exists()


def test_a_phone_joining_after_a_sign_in_makes_it_a_phone_attendance(live, households, worker):
    actions.sign_in(live, households[0], worker)
    actions.join_meeting(live, households[0])
    attendance = Attendance.objects.get()
    assert attendance.via == "phone" and attendance.signed_in_by == worker
    with pytest.raises(actions.ActionError, match="own phone"):
        actions.undo_sign_in(live, households[0], worker)


def test_undo_is_refused_once_the_household_voted_in_an_open_attendee_poll(poll, households, worker):
    actions.sign_in(poll.meeting, households[0], worker)
    voting.cast(poll, households[0], "for", channel=Ballot.Channel.PAPER, user=worker)
    with pytest.raises(actions.ActionError, match="already voted in the open poll"):
        actions.undo_sign_in(poll.meeting, households[0], worker)
    assert Attendance.objects.filter(household=households[0]).exists()
    voting.close_poll(poll)
    assert actions.undo_sign_in(poll.meeting, households[0], worker) is True


def test_undo_is_allowed_when_the_vote_is_not_of_the_attendees(live, households, worker):
    poll = Poll.objects.create(meeting=live, title="全体", scope=Poll.Scope.COMPOUND)
    voting.open_poll(poll)
    actions.sign_in(live, households[0], worker)
    voting.cast(poll, households[0], "for", channel=Ballot.Channel.PAPER, user=worker)
    assert actions.undo_sign_in(live, households[0], worker) is True


def test_refusals(meeting, compound, households, worker):
    with pytest.raises(actions.ActionError, match="announced or live"):
        actions.sign_in(Meeting.objects.create(compound=compound, title="草稿"), households[0], worker)
    parking = Household.objects.get(compound=compound, kind="parking")
    with pytest.raises(actions.ActionError, match="parking space"):
        actions.sign_in(meeting, parking, worker)
    retired = households[2]
    retired.is_active = False
    retired.save()
    with pytest.raises(actions.ActionError, match="retired"):
        actions.sign_in(meeting, retired, worker)
    other = other_household()
    with pytest.raises(actions.ActionError, match="not in this meeting's compound"):
        actions.sign_in(meeting, other, worker)
    actions.sign_in(meeting, households[0], worker)
    actions.close_meeting(meeting)
    meeting.refresh_from_db()
    with pytest.raises(actions.ActionError, match="closed"):
        actions.undo_sign_in(meeting, households[0], worker)
    assert Attendance.objects.count() == 1


def other_household():
    compound = Compound.objects.create(name="别的小区")
    unit = BuildingUnit.objects.create(building=Building.objects.create(compound=compound, name="1幢"), name="1单元")
    return Household.objects.create(compound=compound, unit=unit, room="101", area=Decimal("70"), owner_names="外人")


# --- Finding a household -------------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ("3幢2单元502", (3, 2, 502, "")),
        ("3栋2单元502室", (3, 2, 502, "")),
        ("３号楼２单元５０２", (3, 2, 502, "")),
        ("3-2-502", (3, 2, 502, "")),
        ("3 2 502", (3, 2, 502, "")),
        ("3-502", (3, None, 502, "")),
        ("2单元502", (None, 2, 502, "")),
        ("502", (None, None, 502, "")),
        ("商铺2", (None, None, 2, "商铺")),
        ("王红", (None, None, None, "王红")),
        ("", (None, None, None, "")),
    ],
)
def test_queries_are_read_forgivingly(query, expected):
    assert signin.parse(query) == expected


def test_search_by_room_or_owner_name(compound, households):
    labels = lambda found: [h.label for h in found[0]]  # noqa: E731
    assert labels(signin.search(compound, "2幢1单元102")) == ["2幢1单元102"]
    assert labels(signin.search(compound, "2-1-102")) == ["2幢1单元102"]
    assert labels(signin.search(compound, "102")) == ["1幢1单元102", "2幢1单元102"]
    assert labels(signin.search(compound, "2-102")) == ["2幢1单元102"]
    assert labels(signin.search(compound, "业主2幢201")) == ["2幢1单元201"]
    assert labels(signin.search(compound, "车位001")) == ["地下车库车位001"]
    assert labels(signin.search(compound, "1幢")) == ["1幢1单元101", "1幢1单元102", "1幢1单元201"]
    assert labels(signin.search(compound, "1")) == ["地下车库车位001"]  # room 1, not every room with a 1
    assert signin.search(compound, "9-9-999") == ([], False)
    found, more = signin.search(compound, "业主", limit=4)
    assert len(found) == 4 and more


def test_a_household_of_another_compound_cannot_be_found(compound, households):
    other_household()
    assert signin.search(compound, "外人") == ([], False)
    assert [h.label for h in signin.search(compound, "1-1-101")[0]] == ["1幢1单元101"]


# --- The page and its buttons ----------------------------------------------------------


def test_the_page_shows_each_households_state(client, live, households, worker, facilitator):
    actions.join_meeting(live, households[0])
    actions.sign_in(live, households[1], facilitator)
    client.force_login(worker)
    html = client.get(page_url(live, "1幢")).content.decode()
    assert "1幢1单元101" in html and "业主1幢101" in html and "Joined by phone at" in html
    assert "stays present" in html
    assert "Signed in by fac at" in html and "Undo sign-in" in html
    assert "Not present" in html and 'value="sign_in"' in html
    assert "Households present: <strong>2</strong>" in html
    # Without a query: who staff signed in, to undo quickly; and the record.
    html = client.get(page_url(live)).content.decode()
    assert "1幢1单元102" in html and "1幢1单元201" not in html and "signed in by staff" in html
    # htmx asks for the results only.
    part = client.get(page_url(live, "201"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="signin-results")
    assert "<html" not in part.content.decode() and "2幢1单元201" in part.content.decode()


def test_parking_and_retired_show_why_without_a_button(client, live, compound, households, worker):
    retired = households[0]
    retired.is_active = False
    retired.save()
    client.force_login(worker)
    html = client.get(page_url(live, "101")).content.decode()
    assert "Left the roster" in html
    html = client.get(page_url(live, "车位")).content.decode()
    assert "Parking spaces do not vote" in html and 'value="sign_in"' not in html


def test_sign_in_and_undo_through_the_page(client, live, households, worker):
    client.force_login(worker)
    response = post(client, live, "sign_in", households[0])
    html = response.content.decode()
    assert response.status_code == 200 and "is signed in" in html and "Undo sign-in" in html
    assert 'id="signin-counts"' in html and 'hx-swap-oob="true"' in html
    assert Attendance.objects.get().signed_in_by == worker
    again = post(client, live, "sign_in", households[0]).content.decode()
    assert "was already signed in by wk at" in again and Attendance.objects.count() == 1
    undone = post(client, live, "undo", households[0]).content.decode()
    assert "Sign-in undone" in undone and not Attendance.objects.exists()
    stale = post(client, live, "undo", households[0])
    assert stale.status_code == 200 and "nothing to undo" in stale.content.decode()
    # Without htmx: a redirect back with the message.
    plain = post(client, live, "sign_in", households[1], htmx=False)
    assert plain.status_code == 302 and plain["Location"].startswith(page_url(live))
    assert "is signed in" in client.get(plain["Location"]).content.decode()


def test_refusals_through_the_page(client, live, compound, households, worker):
    client.force_login(worker)
    actions.join_meeting(live, households[0])
    html = post(client, live, "undo", households[0]).content.decode()
    assert "joined with its own phone and stays present" in html
    parking = Household.objects.get(compound=compound, kind="parking")
    html = post(client, live, "sign_in", parking).content.decode()
    assert "parking spaces do not vote" in html and not Attendance.objects.filter(household=parking).exists()


def test_undo_through_the_page_is_refused_mid_vote(client, poll, households, worker):
    client.force_login(worker)
    post(client, poll.meeting, "sign_in", households[0])
    voting.cast(poll, households[0], "abstain", channel=Ballot.Channel.HAND, user=worker)
    html = post(client, poll.meeting, "undo", households[0]).content.decode()
    assert "change that poll mid-vote" in html and Attendance.objects.exists()


@pytest.mark.parametrize("value", ["", "abc", "-1", "1.5", "99999999999999999999999", "0", "³", "١", "1\x00"])
def test_bad_household_ids_are_refused_with_a_message(client, live, worker, value):
    client.force_login(worker)
    response = client.post(action_url(live), {"action": "sign_in", "household": value}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Retarget"] == "#flash"
    assert "No such household" in response.content.decode()
    plain = client.post(action_url(live), {"action": "sign_in", "household": value})
    assert plain.status_code == 302
    assert not Attendance.objects.exists()


def test_unknown_actions_and_missing_fields_do_not_500(client, live, households, worker):
    client.force_login(worker)
    response = client.post(
        action_url(live), {"action": "delete", "household": households[0].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Unknown action" in response.content.decode()
    assert client.post(action_url(live), {}, HTTP_HX_REQUEST="true").status_code == 200
    assert client.get(action_url(live)).status_code == 405
    assert client.get(page_url(live, "x" * 500)).status_code == 200
    assert client.get(page_url(live, "%00")).status_code == 200
    assert client.get(page_url(live, "1%001")).status_code == 200
    assert client.get(page_url(live, "³-²-５０２")).status_code == 200
    assert not Attendance.objects.exists()


def test_a_household_of_another_compound_is_not_found_through_the_page(client, live, worker):
    other = other_household()
    client.force_login(worker)
    html = post(client, live, "sign_in", other).content.decode()
    assert "No such household" in html and not Attendance.objects.exists()
    html = client.get(page_url(live, "外人")).content.decode()
    assert "No household of this compound matches" in html and "1幢1单元101" not in html


def test_a_closed_meeting_offers_no_buttons(client, live, households, worker):
    actions.close_meeting(live)
    client.force_login(worker)
    html = client.get(page_url(live, "101")).content.decode()
    assert "only while the meeting is announced or live" in html and 'value="sign_in"' not in html
    html = post(client, live, "sign_in", households[0]).content.decode()
    assert "only while the meeting is announced or live" in html and not Attendance.objects.exists()


def test_who_may_sign_in(client, live, compound, households, facilitator, observer, outsider):
    secretary = make_staff(compound, "sec", "secretary")
    for user in (observer, secretary, outsider):
        client.force_login(user)
        assert client.get(page_url(live)).status_code == 403
        assert post(client, live, "sign_in", households[0]).status_code == 403
    assert not Attendance.objects.exists()
    client.logout()
    assert client.get(page_url(live)).status_code == 302
    assert post(client, live, "sign_in", households[0]).status_code == 302
    client.force_login(facilitator)
    assert client.get(page_url(live)).status_code == 200
    assert post(client, live, "sign_in", households[0]).status_code == 200
    assert Attendance.objects.get().via == "staff"


def test_the_console_links_to_the_sign_in_page_for_who_may_use_it(client, live, facilitator, observer):
    client.force_login(facilitator)
    assert page_url(live) in client.get(reverse("console", kwargs={"meeting_id": live.pk})).content.decode()
    client.force_login(observer)
    assert page_url(live) not in client.get(reverse("console", kwargs={"meeting_id": live.pk})).content.decode()
