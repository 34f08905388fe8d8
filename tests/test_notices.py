"""The notice of an owners' meeting and its deadlines (issue 15), by the
jurisdiction profile (Hangzhou by default, compounds/jurisdictions/):

- Hangzhou 物业管理条例 (2022) Art. 19: notice at least 15 days before the
  meeting (7 for an extraordinary one), voting open 5-60 days, no vote on a
  topic the notice did not list; Art. 29: results within 3 days.
- 物业管理条例 Art. 14 (the national default): 15 days' notice.
"""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compounds import jurisdiction
from meetings import actions, deadlines, notices
from meetings.actions import ActionError
from meetings.models import Attendance, Meeting, Notice, Service
from tests.conftest import make_staff
from voting import actions as voting_actions
from voting.models import Poll

HANGZHOU = jurisdiction.get("hangzhou")
NATIONAL = jurisdiction.get("national")
TZ = timezone.get_default_timezone()


def at(day, hour=9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture(autouse=True)
def messages_in_english(english):
    """Refusals read in English here (pages render in Chinese, the default)."""


# --- The profiles, as data --------------------------------------------------------


def test_hangzhou_is_the_default_profile_and_says_its_sources():
    assert jurisdiction.get(None) is HANGZHOU
    assert (HANGZHOU.notice_days, HANGZHOU.extraordinary_notice_days) == (15, 7)
    assert (HANGZHOU.window_min_days, HANGZHOU.window_max_days, HANGZHOU.results_within_days) == (5, 60, 3)
    assert any("第十九条" in source for source in HANGZHOU.sources)
    assert NATIONAL.notice_days == 15 and NATIONAL.window_max_days is None


def test_an_unknown_profile_is_an_error_not_a_silent_default():
    with pytest.raises(jurisdiction.UnknownJurisdiction):
        jurisdiction.get("atlantis")


# --- Deadlines, pure ---------------------------------------------------------------


def test_notice_due_counts_calendar_days_before_the_opening_day():
    # Hangzhou Art. 19: 15 days before a meeting opening on 1 December is 16 November.
    assert deadlines.notice_due(HANGZHOU, at(date(2026, 12, 1)), extraordinary=False) == date(2026, 11, 16)
    assert deadlines.notice_due(HANGZHOU, at(date(2026, 12, 1)), extraordinary=True) == date(2026, 11, 24)


@pytest.mark.parametrize(
    "length, allowed",
    [
        (timedelta(days=5), True),  # Hangzhou: at least 5 days
        (timedelta(days=5) - timedelta(minutes=1), False),
        (timedelta(days=60), True),  # at most 60
        (timedelta(days=60, hours=1), False),
        (timedelta(0), False),
    ],
)
def test_the_voting_window_must_last_5_to_60_days_in_hangzhou(length, allowed):
    opens = at(date(2026, 12, 1))
    assert (deadlines.window_problem(HANGZHOU, opens, opens + length) is None) is allowed


def test_deadlines_say_what_was_met_what_is_late_and_what_is_overdue():
    opens = at(date(2026, 12, 1))
    facts = deadlines.Facts(
        notice_published=date(2026, 11, 10),
        opens=opens,
        closes=opens + timedelta(days=7),
        voting_closed=opens + timedelta(days=7),
    )
    now = opens + timedelta(days=10)  # results are due 3 days after the close (Art. 29)
    found = {d.key: d for d in deadlines.deadlines(HANGZHOU, facts, now.date(), now)}
    assert found["notice"].state == deadlines.MET
    assert found["window"].state == deadlines.MET and found["window"].days == "7"
    assert found["close"].state == deadlines.MET
    assert found["results"].due == date(2026, 12, 11) and found["results"].state == deadlines.AHEAD
    later = now + timedelta(days=1)
    found = {d.key: d for d in deadlines.deadlines(HANGZHOU, facts, later.date(), later)}
    assert found["results"].state == deadlines.OVERDUE

    late_notice = deadlines.Facts(notice_published=date(2026, 11, 20), opens=opens)
    (notice,) = deadlines.deadlines(HANGZHOU, late_notice, now.date(), now)
    assert notice.state == deadlines.LATE


def test_a_result_made_final_before_the_objection_window_ended_is_flagged():
    until = at(date(2026, 12, 20))
    early = deadlines.Facts(objections_until=until, final=until - timedelta(days=1))
    (objections,) = deadlines.deadlines(NATIONAL, early, until.date(), until)
    assert objections.state == deadlines.EARLY
    on_time = deadlines.Facts(objections_until=until, final=until + timedelta(hours=1))
    assert deadlines.deadlines(NATIONAL, on_time, until.date(), until)[0].state == deadlines.MET


# --- Publishing a notice -----------------------------------------------------------


@pytest.fixture
def owners(compound):
    meeting = Meeting.objects.create(compound=compound, title="2027年第一次业主大会", kind=Meeting.Kind.OWNERS)
    for title in ("修订管理规约", "续聘物业服务企业"):
        actions.add_item(meeting, title, 20)
    return meeting


def publish(meeting, user, *, in_days=16, window_days=7, items=None, **extra):
    opens = at(timezone.localdate() + timedelta(days=in_days))
    return actions.publish_notice(
        meeting,
        title="关于召开业主大会的公告",
        body="请于表决期内投票。",
        opens_at=opens,
        closes_at=opens + timedelta(days=window_days),
        item_ids=[item.pk for item in meeting.items.all()] if items is None else items,
        user=user,
        **extra,
    )


def test_an_owners_meeting_notice_comes_15_days_ahead_or_is_refused(owners, facilitator):
    with pytest.raises(ActionError, match="15"):
        publish(owners, facilitator, in_days=14)
    assert not owners.notices.exists()
    notice = publish(owners, facilitator, in_days=15)
    owners.refresh_from_db()
    assert owners.status == Meeting.Status.ANNOUNCED and owners.scheduled_start == notice.opens_at
    assert [topic["title"] for topic in notice.topics] == ["修订管理规约", "续聘物业服务企业"]


def test_an_extraordinary_meeting_needs_7_days(owners, facilitator):
    with pytest.raises(ActionError):
        publish(owners, facilitator, in_days=6, extraordinary=True)
    assert publish(owners, facilitator, in_days=7, extraordinary=True).extraordinary


@pytest.mark.parametrize("window_days", [4, 61])
def test_a_window_outside_5_to_60_days_is_refused(owners, facilitator, window_days):
    with pytest.raises(ActionError, match="5"):
        publish(owners, facilitator, window_days=window_days)
    assert not owners.notices.exists()


def test_an_owners_meeting_notice_lists_its_topics_and_is_written_once(owners, facilitator):
    with pytest.raises(ActionError):
        publish(owners, facilitator, items=[])
    publish(owners, facilitator)
    with pytest.raises(ActionError, match="already"):
        publish(owners, facilitator)
    notice = owners.notices.get()
    notice.title = "改过的"
    with pytest.raises(ValidationError):
        notice.save()


def test_the_compound_can_follow_another_jurisdiction(owners, facilitator, compound):
    compound.jurisdiction = "national"
    compound.save()
    owners.refresh_from_db()
    # No window limits in the national profile: a 3-day vote is allowed.
    publish(owners, facilitator, window_days=3)
    assert notices.profile(owners) is NATIONAL


# --- The notice governs the meeting ------------------------------------------------


def test_an_owners_meeting_opens_only_with_a_notice_and_on_its_day(owners, facilitator):
    with pytest.raises(ActionError, match="notice"):
        actions.open_meeting(owners)
    publish(owners, facilitator)
    with pytest.raises(ActionError):
        actions.open_meeting(owners)
    owners.refresh_from_db()
    assert owners.status == Meeting.Status.ANNOUNCED


def opened(meeting, user, **extra):
    """A published notice whose window opened an hour ago (the clock moved)."""
    notice = publish(meeting, user, **extra)
    shift = notice.opens_at - (timezone.now() - timedelta(hours=1))
    Notice.objects.filter(pk=notice.pk).update(opens_at=notice.opens_at - shift, closes_at=notice.closes_at - shift)
    actions.open_meeting(meeting)
    meeting.refresh_from_db()
    return Notice.objects.get(pk=notice.pk)


def test_an_owners_meeting_votes_only_on_announced_topics(owners, facilitator, compound):
    first, second = owners.items.order_by("position")
    opened(owners, facilitator, items=[first.pk])
    unannounced = Poll.objects.create(
        meeting=owners, item=second, title="续聘", rule="civil-code-ordinary", scope=Poll.Scope.COMPOUND
    )
    with pytest.raises(voting_actions.VotingError, match="notice"):
        voting_actions.open_poll(unannounced)
    announced = Poll.objects.create(
        meeting=owners, item=first, title="规约", rule="civil-code-ordinary", scope=Poll.Scope.COMPOUND
    )
    voting_actions.open_poll(announced)
    assert Poll.objects.get(pk=announced.pk).status == Poll.Status.OPEN


def test_a_council_meeting_may_vote_on_an_unannounced_topic(meeting, facilitator):
    actions.open_meeting(meeting)
    poll = Poll.objects.create(meeting=meeting, title="临时动议")
    voting_actions.open_poll(poll)
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.OPEN


def test_no_vote_is_taken_after_the_window_closes(owners, facilitator, households):
    first = owners.items.order_by("position").first()
    notice = opened(owners, facilitator, items=[first.pk])
    poll = Poll.objects.create(
        meeting=owners, item=first, title="规约", rule="civil-code-ordinary", scope=Poll.Scope.COMPOUND
    )
    voting_actions.open_poll(poll)
    voting_actions.cast(poll, households[0], "for")
    Notice.objects.filter(pk=notice.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(voting_actions.VotingError, match="closed"):
        voting_actions.cast(poll, households[1], "for")
    assert poll.ballots.count() == 1


# --- Extending the window ----------------------------------------------------------


def test_an_extension_is_a_notice_of_its_own_within_the_limits(owners, facilitator):
    notice = opened(owners, facilitator)
    with pytest.raises(ActionError, match="after"):
        actions.extend_window(owners, closes_at=notice.closes_at, reason="补充送达", user=facilitator)
    with pytest.raises(ActionError, match="60"):
        actions.extend_window(
            owners, closes_at=notice.opens_at + timedelta(days=61), reason="补充送达", user=facilitator
        )
    with pytest.raises(ActionError):
        actions.extend_window(owners, closes_at=notice.closes_at + timedelta(days=3), reason="  ", user=facilitator)
    extension = actions.extend_window(
        owners, closes_at=notice.closes_at + timedelta(days=3), reason="参与率不足，补充送达", user=facilitator
    )
    assert (extension.kind, extension.number, extension.topics) == (Notice.Kind.EXTENSION, 2, notice.topics)
    assert notices.window(owners) == (notice.opens_at, notice.closes_at + timedelta(days=3))


def test_a_closed_window_cannot_be_extended(owners, facilitator):
    notice = opened(owners, facilitator)
    Notice.objects.filter(pk=notice.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionError, match="closed"):
        actions.extend_window(owners, closes_at=timezone.now() + timedelta(days=1), reason="晚了", user=facilitator)


# --- Service (送达) ----------------------------------------------------------------


def test_served_households_are_those_delivered_to_or_present(owners, facilitator, households):
    publish(owners, facilitator)
    today = timezone.localdate()
    actions.record_service(
        owners, households[:2], method=Service.Method.IN_PERSON, served_on=today, served_by="楼长张", user=facilitator
    )
    Attendance.objects.create(meeting=owners, household=households[2])
    assert notices.served_household_ids(owners) == {h.pk for h in households[:3]}
    mistaken = owners.services.get(household=households[1])
    actions.withdraw_service(owners, mistaken.pk, facilitator)
    assert notices.served_household_ids(owners) == {households[0].pk, households[2].pk}
    with pytest.raises(ActionError):
        actions.withdraw_service(owners, mistaken.pk, facilitator)
    assert Service.objects.filter(pk=mistaken.pk).exists()  # the record keeps both


def test_a_delivery_needs_who_and_cannot_be_in_the_future(owners, facilitator, households):
    with pytest.raises(ActionError):
        actions.record_service(
            owners, households[:1], method="in_person", served_on=timezone.localdate(), served_by=" ", user=facilitator
        )
    with pytest.raises(ActionError):
        actions.record_service(
            owners,
            households[:1],
            method="in_person",
            served_on=timezone.localdate() + timedelta(days=1),
            served_by="张",
            user=facilitator,
        )
    assert not owners.services.exists()


# --- Pages -------------------------------------------------------------------------


def test_staff_publish_a_notice_from_its_page_and_the_public_reads_it(client, owners, facilitator, compound):
    client.force_login(facilitator)
    url = reverse("notice_page", kwargs={"meeting_id": owners.pk})
    page = client.get(url)
    assert page.status_code == 200 and "修订管理规约" in page.text
    opens = timezone.localtime() + timedelta(days=20)
    form = {
        "title": "关于召开业主大会的公告",
        "body": "<script>alert(1)</script>",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "topics": [str(owners.items.first().pk)],
    }
    early = client.post(url, {**form, "opens_at": (opens - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")})
    assert early.status_code == 200 and "15" in early.text and not owners.notices.exists()
    assert client.post(url, form).status_code == 302
    notice = owners.notices.get()
    client.logout()
    public = client.get(reverse("notice_public", args=[compound.pk, notice.pk]))
    assert public.status_code == 200
    assert "修订管理规约" in public.text and "续聘物业服务企业" not in public.text
    assert "<script>alert(1)</script>" not in public.text and "&lt;script&gt;" in public.text
    assert 'src="data:image/svg+xml' in public.text  # the QR code to post up
    assert client.get(reverse("notice_public", args=[compound.pk + 1, notice.pk])).status_code == 404
    assert notice.title in client.get(reverse("compound_page", args=[compound.pk])).text


def test_those_who_plan_the_meeting_publish_notices_observers_do_not(client, owners, compound):
    client.force_login(make_staff(compound, "worker", "worker"))
    assert client.get(reverse("notice_page", kwargs={"meeting_id": owners.pk})).status_code == 200
    client.force_login(make_staff(compound, "observer", "observer"))
    assert client.get(reverse("notice_page", kwargs={"meeting_id": owners.pk})).status_code == 403
    assert client.get(reverse("service_page", kwargs={"meeting_id": owners.pk})).status_code == 403


def test_a_list_of_deliveries_with_one_wrong_label_records_nothing(client, owners, facilitator, households):
    client.force_login(facilitator)
    url = reverse("service_batch", kwargs={"meeting_id": owners.pk})
    form = {"method": "at_door", "served_on": timezone.localdate().isoformat(), "served_by": "楼长张"}
    bad = client.post(url, {**form, "labels": "1幢1单元101\n9幢9单元909\n"})
    assert bad.status_code == 400 and "9幢9单元909" in bad.text
    assert not owners.services.exists()
    good = client.post(url, {**form, "labels": "1幢1单元101\n1幢1单元102\n\n1幢1单元101"})
    assert good.status_code == 302
    assert owners.services.count() == 2


def test_one_delivery_and_a_posting_are_each_refused_with_their_reason_or_recorded(client, owners, facilitator):
    client.force_login(facilitator)
    today = timezone.localdate().isoformat()
    one = reverse("service_one", kwargs={"meeting_id": owners.pk})
    delivery = {"method": "at_door", "served_on": today, "served_by": "楼长张"}
    bad = client.post(one, {**delivery, "household": "9幢9单元909"})
    assert bad.status_code == 400 and 'value="9幢9单元909"' in bad.text  # what was typed stays in its form
    assert not owners.services.exists()
    assert client.post(one, {**delivery, "household": "1幢1单元101"}).status_code == 302
    assert owners.services.count() == 1

    posting = reverse("service_posting", kwargs={"meeting_id": owners.pk})
    bad = client.post(posting, {"place": "", "posted_on": today, "posted_by": "楼长张"})
    assert bad.status_code == 400 and not owners.postings.exists()
    assert client.post(posting, {"place": "1幢大堂", "posted_on": today, "posted_by": "楼长张"}).status_code == 302
    assert owners.postings.count() == 1


def test_the_console_shows_the_deadlines_of_an_owners_meeting(client, owners, facilitator):
    publish(owners, facilitator)
    client.force_login(facilitator)
    page = client.get(reverse("console", kwargs={"meeting_id": owners.pk}))
    assert 'id="panel-deadlines"' in page.text
    assert 'data-deadline="notice"' in page.text and 'data-deadline="close"' in page.text


# --- The roster published for checking -------------------------------------------


def test_the_roster_is_published_without_names_and_households_ask_for_corrections(
    client, owners, facilitator, households, compound
):
    from tests.conftest import join_session

    public = reverse("roster_public", args=[compound.pk, owners.pk])
    assert client.get(public).status_code == 404  # not before it is published
    publish(owners, facilitator)
    actions.publish_roster(owners, facilitator)
    page = client.get(public)
    assert page.status_code == 200
    assert "1幢" in page.text and "80.50" in page.text
    assert "业主" + "1幢101" not in page.text  # the fixture's owner names never show
    assert "车位001" not in page.text  # parking does not vote

    join_session(client, owners, households[0])
    phone = reverse("roster_phone", args=[owners.code])
    assert "80.50" in client.get(phone).text
    assert client.post(phone, {"text": "   "}).status_code == 302
    assert not owners.roster_corrections.exists()  # a blank request is refused, with a message
    client.post(phone, {"text": "面积应为 89.20 平方米（见产权证）"})
    request = owners.roster_corrections.get()
    assert request.household == households[0]

    client.force_login(facilitator)
    staff = reverse("roster_check_page", kwargs={"meeting_id": owners.pk})
    assert "89.20" in client.get(staff).text
    client.post(staff, {"action": "answer", "request": request.pk, "answer": "已按产权证更正"})
    request.refresh_from_db()
    assert request.answer == "已按产权证更正" and request.answered_by == facilitator
    with pytest.raises(ActionError):
        actions.answer_correction(owners, request.pk, "再答一次", facilitator)


def test_the_roster_version_changes_when_an_area_changes(compound, households):
    from meetings import roster_check

    before = roster_check.published(compound)[2]
    households[0].area = households[0].area + 1
    households[0].save()
    assert roster_check.published(compound)[2] != before
