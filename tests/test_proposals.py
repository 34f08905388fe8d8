"""Proposals (issue 12): versions, amendments and seconds, public notice and
comments, decisions by a vote, and what the pages make of what people type."""

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import actions as meeting_actions
from proposals import actions, markup
from proposals.models import Amendment, Decision, Proposal
from tests.conftest import join_session
from voting import actions as voting_actions
from voting.forms import PollForm

CONVENTION = (Path(__file__).parent / "data" / "convention-sample.md").read_text(encoding="utf-8")
ARTICLE_3 = "第三条"

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def proposal(compound, facilitator):
    return actions.create_proposal(
        compound, Proposal.Kind.CONVENTION, "青梧苑小区居民公约", CONVENTION, user=facilitator
    )


@pytest.fixture
def room(meeting, proposal):
    """A live meeting debating the convention on its current item."""
    meeting_actions.open_meeting(meeting)
    item = meeting_actions.add_item(meeting, "居民公约", 30)
    meeting_actions.start_item(meeting, item.pk)
    actions.place_on_item(proposal, item)
    meeting.refresh_from_db()
    return meeting


def article_3_paragraph(proposal):
    """Index and text of the paragraph of article 3 (the one after its heading)."""
    blocks = markup.blocks(proposal.current.body)
    return next((b.index, b.text) for b in blocks if b.article == ARTICLE_3 and b.kind == "paragraph")


def amend_article_3(proposal, household, seconds_required=1):
    index, text = article_3_paragraph(proposal)
    new = text.replace("严禁将电动自行车", "严禁将电动自行车、电动平衡车")
    return actions.propose_amendment(
        proposal, index, "replace", new, "平衡车也有火灾风险", household=household, seconds_required=seconds_required
    )


# --- Versions -------------------------------------------------------------------------


def test_a_proposal_starts_as_a_draft_with_version_1(proposal, facilitator):
    assert (proposal.status, proposal.version) == (Proposal.Status.DRAFT, 1)
    first = proposal.current
    assert (first.number, first.by_user, first.by_name, first.body) == (
        1,
        facilitator,
        "fac",
        CONVENTION.strip(),
    )


def test_every_saved_text_is_a_new_version_with_who_and_why(proposal, facilitator):
    body = proposal.current.body.replace("1.5米", "2米")
    version = actions.save_text(proposal, proposal.title, body, "按街道意见放宽", user=facilitator)
    proposal.refresh_from_db()
    assert (proposal.version, version.number, version.reason, version.by_name) == (2, 2, "按街道意见放宽", "fac")
    assert list(proposal.versions.values_list("number", flat=True)) == [1, 2]
    assert "1.5米" in proposal.versions.get(number=1).body  # the old text is kept as it was


def test_saving_the_same_text_makes_no_version_and_a_change_needs_a_reason(proposal, facilitator):
    actions.save_text(proposal, proposal.title, proposal.current.body, "", user=facilitator)
    assert proposal.versions.count() == 1
    with pytest.raises(actions.ProposalError, match="reason"):
        actions.save_text(proposal, proposal.title, proposal.current.body + "\n补充。", "", user=facilitator)


def test_only_the_sponsor_household_edits_a_micro_project_from_a_phone(compound, households):
    project = actions.create_proposal(
        compound, Proposal.Kind.MICRO_PROJECT, "车棚充电桩", "加装12个充电口。", sponsor_household=households[0]
    )
    actions.save_text(project, project.title, "加装16个充电口。", "需求更多", household=households[0])
    with pytest.raises(actions.ProposalError, match="sponsor"):
        actions.save_text(project, project.title, "加装20个充电口。", "我想改", household=households[1])
    assert project.versions.last().by_name == households[0].label


# --- Amendments and seconds -----------------------------------------------------------


def test_an_amendment_reaches_the_floor_with_the_seconds_the_meeting_requires(room, proposal, households):
    amendment = amend_article_3(proposal, households[0], seconds_required=2)
    assert amendment.status == Amendment.Status.SECONDING
    assert actions.second(amendment, households[1]) is True
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.SECONDING
    assert actions.second(amendment, households[1]) is False  # a double tap counts once
    actions.second(amendment, households[2])
    amendment.refresh_from_db()
    assert (amendment.status, amendment.seconds.count()) == (Amendment.Status.FLOOR, 2)


def test_the_author_cannot_second_their_own_amendment(room, proposal, households):
    amendment = amend_article_3(proposal, households[0])
    with pytest.raises(actions.ProposalError, match="another household"):
        actions.second(amendment, households[0])


def test_accepting_an_amendment_makes_a_version_with_the_change(room, proposal, households, facilitator):
    amendment = amend_article_3(proposal, households[0])
    actions.second(amendment, households[1])
    version = actions.accept_amendment(amendment, facilitator)
    proposal.refresh_from_db()
    amendment.refresh_from_db()
    assert (proposal.version, version.number, version.amendment) == (2, 2, amendment)
    assert "电动平衡车" in version.body and "电动平衡车" not in proposal.versions.get(number=1).body
    assert (amendment.status, amendment.result_version) == (Amendment.Status.ACCEPTED, version)


def test_rejecting_needs_a_reason_that_the_author_is_shown(room, proposal, households, facilitator, client):
    amendment = amend_article_3(proposal, households[0])
    with pytest.raises(actions.ProposalError):
        actions.reject_amendment(amendment, facilitator, "  ")
    actions.reject_amendment(amendment, facilitator, "与第五条重复")
    amendment.refresh_from_db()
    assert (amendment.status, amendment.decision_reason) == (Amendment.Status.REJECTED, "与第五条重复")
    join_session(client, room, households[0])
    page = client.get(reverse("join", kwargs={"code": room.code})).content.decode()
    assert "与第五条重复" in page


def test_insert_after_and_delete(room, proposal, households, facilitator):
    index, text = article_3_paragraph(proposal)
    inserted = actions.propose_amendment(
        proposal, index, "insert_after", "充电车棚应配置灭火器。", "消防", user=facilitator
    )
    assert inserted.status == Amendment.Status.FLOOR  # staff enter it for someone in the room: no seconds needed
    actions.accept_amendment(inserted, facilitator)
    proposal.refresh_from_db()
    texts = [b.text for b in markup.blocks(proposal.current.body)]
    assert texts[index + 1] == "充电车棚应配置灭火器。"
    deleted = actions.propose_amendment(proposal, index + 1, "delete", "", "放到消防条款", user=facilitator)
    actions.accept_amendment(deleted, facilitator)
    proposal.refresh_from_db()
    assert "充电车棚应配置灭火器。" not in proposal.current.body and text in proposal.current.body


def test_an_amendment_still_applies_after_another_part_changed(room, proposal, households, facilitator):
    late = amend_article_3(proposal, households[0])
    first_block = markup.blocks(proposal.current.body)[1]
    earlier = actions.propose_amendment(proposal, 1, "replace", first_block.text + "（修订）", "措辞", user=facilitator)
    actions.accept_amendment(earlier, facilitator)
    version = actions.accept_amendment(late, facilitator)
    assert "（修订）" in version.body and "电动平衡车" in version.body


def test_an_amendment_to_a_part_changed_since_is_refused(room, proposal, households, facilitator):
    first = amend_article_3(proposal, households[0])
    index, text = article_3_paragraph(proposal)
    other = actions.propose_amendment(proposal, index, "replace", text + "另行规定。", "补充", user=facilitator)
    actions.accept_amendment(other, facilitator)
    with pytest.raises(actions.ProposalError, match="changed since"):
        actions.accept_amendment(first, facilitator)
    first.refresh_from_db()
    assert first.status == Amendment.Status.SECONDING  # nothing written


@pytest.mark.parametrize(
    ("block", "op", "text", "reason", "message"),
    [
        (999, "replace", "新", "理由", "no longer exists"),
        ("abc", "replace", "新", "理由", "no longer exists"),
        (2, "rewrite", "新", "理由", "Choose replace"),
        (2, "replace", "  ", "理由", "Write the new text"),
        (2, "replace", "新", "", "reason"),
        (2, "replace", "新", "很长" * 200, "one line"),
    ],
)
def test_a_bad_amendment_is_refused_with_a_clear_message(room, proposal, households, block, op, text, reason, message):
    with pytest.raises(actions.ProposalError, match=message):
        actions.propose_amendment(proposal, block, op, text, reason, household=households[0])
    assert not proposal.amendments.exists()


# --- Decided by a vote ------------------------------------------------------------------


def vote_on(meeting, households, facilitator, **link):
    form = PollForm(
        {
            "title": "表决",
            "kind": "yes_no",
            "rule": "simple-majority",
            "scope": "attendees",
            "proxy_cap": 3,
            **{k: v.pk for k, v in link.items()},
        },
        meeting=meeting,
    )
    assert form.is_valid(), form.errors
    poll = voting_actions.create_poll(form)
    for household in households[:3]:
        meeting_actions.join_meeting(meeting, household)
    voting_actions.open_poll(poll)
    return poll


def test_a_passed_vote_on_an_amendment_creates_the_new_version(room, proposal, households, facilitator):
    amendment = amend_article_3(proposal, households[0])
    actions.second(amendment, households[1])
    poll = vote_on(room, households, facilitator, amendment=amendment)
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.VOTING
    for household in households[:3]:
        voting_actions.cast(poll, household, "for")
    voting_actions.close_poll(poll)
    amendment.refresh_from_db()
    proposal.refresh_from_db()
    assert amendment.status == Amendment.Status.ACCEPTED and proposal.version == 2
    assert "电动平衡车" in proposal.current.body
    decision = Decision.objects.get(amendment=amendment)
    assert (decision.outcome, decision.basis["poll"], decision.basis["result"]["passed"]) == ("adopted", poll.pk, True)


def test_a_failed_vote_on_an_amendment_leaves_the_text(room, proposal, households, facilitator):
    amendment = amend_article_3(proposal, households[0])
    poll = vote_on(room, households, facilitator, amendment=amendment)
    voting_actions.cast(poll, households[0], "for")
    voting_actions.cast(poll, households[1], "against")
    voting_actions.cast(poll, households[2], "against")
    voting_actions.close_poll(poll)
    amendment.refresh_from_db()
    proposal.refresh_from_db()
    assert (amendment.status, proposal.version) == (Amendment.Status.FAILED, 1)


def test_a_passed_vote_on_the_proposal_adopts_it_with_its_version(room, proposal, households, facilitator):
    poll = vote_on(room, households, facilitator, proposal=proposal)
    for household in households[:3]:
        voting_actions.cast(poll, household, "for")
    voting_actions.close_poll(poll)
    proposal.refresh_from_db()
    decision = proposal.decisions.get()
    assert proposal.status == Proposal.Status.ADOPTED
    assert (decision.outcome, decision.version.number, decision.basis["title"]) == ("adopted", 1, "表决")
    with pytest.raises(actions.ProposalError):
        actions.save_text(proposal, proposal.title, "新的文本", "改", user=facilitator)


def test_micro_projects_are_options_linked_not_retyped(room, compound, households):
    a = actions.create_proposal(compound, Proposal.Kind.MICRO_PROJECT, "充电桩", "加装充电口。")
    b = actions.create_proposal(compound, Proposal.Kind.MICRO_PROJECT, "座椅", "新增座椅。")
    form = PollForm(
        {
            "title": "选项目",
            "kind": "approval",
            "rule": "plurality",
            "scope": "attendees",
            "proxy_cap": 3,
            "option_proposals": [a.pk, b.pk],
            "seats": 1,
        },
        meeting=room,
    )
    assert form.is_valid(), form.errors
    poll = voting_actions.create_poll(form)
    assert [(o.label, o.proposal) for o in poll.options.all()] == [("充电桩", a), ("座椅", b)]


# --- Public notice -------------------------------------------------------------------------


def test_notice_dates_and_comments_while_it_runs(proposal, households, facilitator):
    actions.put_on_notice(proposal, 7, facilitator)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.NOTICE
    assert proposal.notice_ends - proposal.notice_starts == timedelta(days=7)
    comment = actions.comment(proposal, households[0], "建议增加电动平衡车")
    hidden = actions.hide_comment(comment, facilitator, "含个人信息")
    assert (hidden.hidden_reason, hidden.hidden_by) == ("含个人信息", facilitator)
    Proposal.objects.filter(pk=proposal.pk).update(notice_ends=timezone.now() - timedelta(seconds=1))
    with pytest.raises(actions.ProposalError, match="public notice"):
        actions.comment(proposal, households[1], "晚了")


def test_a_household_comments_on_the_public_page_with_its_code(client, proposal, households, codes, facilitator):
    actions.put_on_notice(proposal, 7, facilitator)
    url = reverse("proposal_page", kwargs={"proposal_id": proposal.pk})
    wrong = client.post(url, {"code": "AAAA-AAAA", "text": "赞成"})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    response = client.post(url, {"code": codes[households[0]], "text": "赞成<script>alert(1)</script>"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "赞成&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_a_draft_is_not_public(client, proposal):
    assert client.get(reverse("proposal_page", kwargs={"proposal_id": proposal.pk})).status_code == 404
    assert client.get(reverse("proposal_json", kwargs={"proposal_id": proposal.pk})).status_code == 404


def test_the_poll_panel_flags_a_proposal_voted_before_its_notice_ends(room, proposal, households, facilitator):
    actions.put_on_notice(proposal, 7, facilitator)
    form = PollForm(
        {
            "title": "表决",
            "kind": "yes_no",
            "rule": "simple-majority",
            "scope": "attendees",
            "proxy_cap": 3,
            "proposal": proposal.pk,
        },
        meeting=room,
    )
    assert form.is_valid(), form.errors
    voting_actions.create_poll(form)
    from deliberation.realtime import render_panels

    html = render_panels(room, "facilitator", "en", {"poll"})["poll"]
    assert "public notice" in html


# --- What people type never reaches a page as HTML -------------------------------------------

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))"


class Tags(HTMLParser):
    """Every start tag a browser would build from the page, with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def executable(html):
    """What in a page could run: inline scripts, event handler attributes,
    javascript: links (the pages' own scripts come from static files)."""
    parser = Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag == "script" and "src" not in attrs:
            found.append("inline script")
        found += [f"{tag} {name}" for name in attrs if name.startswith("on")]
        found += [
            f"{tag} {name}"
            for name in ("href", "src", "action", "formaction")
            if (attrs.get(name) or "").strip().lower().startswith(("javascript:", "vbscript:", "data:text"))
        ]
    return found


def test_hostile_text_in_every_field_is_inert_everywhere(room, compound, households, facilitator, client):
    proposal = actions.create_proposal(compound, Proposal.Kind.MOTION, HOSTILE[:200], HOSTILE, user=facilitator)
    actions.place_on_item(proposal, room.current_item)
    actions.put_on_notice(proposal, 3, facilitator)
    actions.comment(proposal, households[0], HOSTILE)
    amendment = actions.propose_amendment(proposal, 0, "replace", HOSTILE + "!", HOSTILE[:200], household=households[0])
    actions.focus(proposal, amendment=amendment)
    client.force_login(facilitator)
    pages = [
        client.get(reverse("console", kwargs={"meeting_id": room.pk})),
        client.get(reverse("proposal_detail", kwargs={"proposal_id": proposal.pk})),
        client.get(reverse("proposal_page", kwargs={"proposal_id": proposal.pk})),
        client.get(reverse("notice_print", kwargs={"proposal_id": proposal.pk})),
    ]
    join_session(client, room, households[1])
    pages.append(client.get(reverse("join", kwargs={"code": room.code})))
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert not executable(html), response.request["PATH_INFO"]


# --- The record as JSON ----------------------------------------------------------------------------


def test_the_json_record_lists_versions_amendments_notice_and_decisions(
    room, proposal, households, facilitator, client
):
    actions.put_on_notice(proposal, 7, facilitator)
    actions.comment(proposal, households[2], "好")
    amendment = amend_article_3(proposal, households[0])
    actions.second(amendment, households[1])
    actions.accept_amendment(amendment, facilitator)
    data = client.get(reverse("proposal_json", kwargs={"proposal_id": proposal.pk})).json()
    assert [v["number"] for v in data["versions"]] == [1, 2]
    assert data["versions"][1]["amendment"] == 1
    diff = data["amendments"][0]["diff"]
    assert ["-", ""] not in diff and ["+", "、电动平衡车"] in diff and all(op in "=-+" for op, _text in diff)
    assert (data["amendments"][0]["seconds"], data["amendments"][0]["status"]) == (1, "accepted")
    assert data["notice"]["comments"] == 1 and data["notice"]["ends"]
    assert "电动平衡车" in data["text"]


# --- From phones: withdrawing one's own amendment, a sponsor's edits ---------------------------


def test_only_its_author_withdraws_an_amendment(room, proposal, households, client):
    amendment = amend_article_3(proposal, households[0])
    join_session(client, room, households[1])
    url = reverse("withdraw_amendment", kwargs={"code": room.code, "amendment_id": amendment.pk})
    refused = client.post(url, HTTP_HX_REQUEST="true")
    assert "Only the household that proposed it" in refused.content.decode()
    join_session(client, room, households[0])
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 204
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.WITHDRAWN


def test_the_phone_marks_its_own_amendment_for_its_withdraw_button(room, proposal, households, client):
    """The amendments panel is the same for every phone: each item carries its
    author's seat token, which only that phone's page matches (phone.js)."""
    from meetings.access import seat_token

    amend_article_3(proposal, households[0])
    join_session(client, room, households[1])
    page = client.get(reverse("join", kwargs={"code": room.code})).content.decode()
    assert f'data-owner="{seat_token(room.pk, households[0].pk)}"' in page
    assert f'data-household="{seat_token(room.pk, households[1].pk)}"' in page


def test_a_sponsor_household_edits_its_micro_project_from_the_phone(room, compound, households, client):
    project = actions.create_proposal(
        compound, Proposal.Kind.MICRO_PROJECT, "车棚充电桩", "加装12个充电口。", sponsor_household=households[0]
    )
    url = reverse("sponsor_edit", kwargs={"code": room.code, "proposal_id": project.pk})
    join_session(client, room, households[1])
    assert client.get(url).status_code == 302  # not the sponsor: back to the meeting, with a message
    join_session(client, room, households[0])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "车棚充电桩", "body": "加装16个充电口。", "reason": "需求更多"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.version, project.current.by_name) == (2, households[0].label)


def test_any_two_versions_compare(proposal, facilitator, client):
    body = proposal.current.body
    actions.save_text(proposal, proposal.title, body.replace("1.5米", "2米"), "放宽", user=facilitator)
    actions.save_text(proposal, proposal.title, body.replace("1.5米", "3米"), "再放宽", user=facilitator)
    client.force_login(facilitator)
    compare = reverse("version_compare", kwargs={"proposal_id": proposal.pk})
    response = client.get(compare, {"old": "3", "new": "1"})
    assert response["Location"] == reverse("version_diff", kwargs={"proposal_id": proposal.pk, "old": 1, "new": 3})
    html = client.get(response["Location"]).content.decode()
    assert "<del>1.5</del><ins>3</ins>" in html
    assert client.get(compare, {"old": "2", "new": "2"})["Location"].endswith(f"/staff/proposals/{proposal.pk}/")


# --- A micro-project carried out and reported back ------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def adopted_project(compound):
    project = actions.create_proposal(
        compound, Proposal.Kind.MICRO_PROJECT, "车棚充电桩", "加装12个充电口。", budget=Decimal("38000.00")
    )
    Proposal.objects.filter(pk=project.pk).update(status=Proposal.Status.ADOPTED)
    project.refresh_from_db()
    return project


def test_an_adopted_micro_project_starts_completes_and_publishes_its_report(compound, facilitator, client):
    project = adopted_project(compound)
    with pytest.raises(actions.ProposalError):
        actions.complete_project(project, facilitator, "done", Decimal("1"))  # not started yet
    actions.start_project(project, facilitator)
    photo = actions.add_photo(project, facilitator, PNG, "完工照片")
    with pytest.raises(actions.ProposalError, match="report"):
        actions.complete_project(project, facilitator, "  ", Decimal("36500"))
    actions.complete_project(project, facilitator, "已安装**12个**充电口。", Decimal("36500.00"))
    project.refresh_from_db()
    assert (project.status, project.spent) == (Proposal.Status.COMPLETED, Decimal("36500.00"))
    page = client.get(reverse("proposal_page", kwargs={"proposal_id": project.pk})).content.decode()
    assert "<strong>12个</strong>" in page and "36500.00" in page and "38000.00" in page
    image = client.get(reverse("project_photo_file", kwargs={"proposal_id": project.pk, "photo_id": photo.pk}))
    assert (image["Content-Type"], image["X-Content-Type-Options"], image.content) == ("image/png", "nosniff", PNG)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg onload=alert(1)>", "JPEG, PNG or WebP"),
        (b"GIF89a" + b"\x00" * 10, "JPEG, PNG or WebP"),
        (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "5 MB"),
    ],
)
def test_a_photo_that_is_not_a_small_image_is_refused(compound, facilitator, data, message):
    project = adopted_project(compound)
    actions.start_project(project, facilitator)
    with pytest.raises(actions.ProposalError, match=message):
        actions.add_photo(project, facilitator, data)
    assert not project.photos.exists()


def test_staff_upload_a_photo_through_the_page(compound, facilitator, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = adopted_project(compound)
    actions.start_project(project, facilitator)
    client.force_login(facilitator)
    url = reverse("project_photo", kwargs={"proposal_id": project.pk})
    client.post(url, {"photo": SimpleUploadedFile("a.png", PNG), "caption": "开工"})
    client.post(url, {"photo": SimpleUploadedFile("a.html", b"<html><script>alert(1)</script>"), "caption": "x"})
    assert [p.caption for p in project.photos.all()] == ["开工"]


def test_an_adopted_convention_is_revised_and_its_adopted_text_stays_in_force(
    room, proposal, households, facilitator, client
):
    poll = vote_on(room, households, facilitator, proposal=proposal)
    for household in households[:3]:
        voting_actions.cast(poll, household, "for")
    voting_actions.close_poll(poll)
    proposal.refresh_from_db()
    actions.revise(proposal, facilitator)
    actions.save_text(proposal, proposal.title, proposal.current.body.replace("1.5米", "2米"), "修订", user=facilitator)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version, proposal.adopted_version.number) == (Proposal.Status.DRAFT, 2, 1)
    actions.put_on_notice(proposal, 7, facilitator)
    page = client.get(reverse("proposal_page", kwargs={"proposal_id": proposal.pk})).content.decode()
    assert "2米" in page and "1.5米" in page  # the draft, and the text in force below it
    with pytest.raises(actions.ProposalError):
        actions.revise(proposal, facilitator)  # not adopted now: a draft


def test_while_a_revision_is_drafted_the_public_sees_the_text_in_force(room, proposal, households, facilitator, client):
    poll = vote_on(room, households, facilitator, proposal=proposal)
    for household in households[:3]:
        voting_actions.cast(poll, household, "for")
    voting_actions.close_poll(poll)
    actions.revise(proposal, facilitator)
    actions.save_text(proposal, proposal.title, proposal.current.body.replace("1.5米", "2米"), "修订", user=facilitator)
    page = client.get(reverse("proposal_page", kwargs={"proposal_id": proposal.pk})).content.decode()
    assert "1.5米" in page and "2米" not in page
    record = client.get(reverse("proposal_json", kwargs={"proposal_id": proposal.pk})).json()
    assert (record["version"], len(record["versions"]), "2米" in record["text"]) == (1, 1, False)


def test_hostile_text_in_a_micro_projects_fields_and_report_is_inert(room, compound, households, facilitator, client):
    fields = {f: HOSTILE[:100] for f in ("sponsor_name", "location", "timeline", "beneficiaries")}
    project = actions.create_proposal(compound, Proposal.Kind.MICRO_PROJECT, "项目", "说明", **fields)
    actions.place_on_item(project, room.current_item)
    Proposal.objects.filter(pk=project.pk).update(status=Proposal.Status.ADOPTED)
    actions.start_project(project, facilitator)
    actions.complete_project(project, facilitator, HOSTILE, Decimal("1"))
    actions.add_photo(project, facilitator, PNG, HOSTILE[:200])
    client.force_login(facilitator)
    for url in (
        reverse("proposal_detail", kwargs={"proposal_id": project.pk}),
        reverse("proposal_page", kwargs={"proposal_id": project.pk}),
        reverse("console", kwargs={"meeting_id": room.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200 and not executable(response.content.decode()), url


def test_a_push_renders_the_text_once_for_every_audience_and_language(room, proposal, monkeypatch, every_page_open):
    from deliberation.realtime import writes

    calls, sent = [], []
    real_render = markup.render
    monkeypatch.setattr(markup, "render", lambda source: calls.append(1) or real_render(source))
    monkeypatch.setattr(writes, "_send", lambda group, message: sent.append(message))
    writes.push(room.pk, {"proposal", "amendments"})
    shown_blocks = len(markup.blocks(proposal.current.body)) - 1  # the title heading is shown once, above
    assert shown_blocks <= len(calls) <= shown_blocks + 1  # (+1: the title, compared as plain text)
    (message,) = sent
    assert sum("proposal" in panels for panels in message["panels"].values()) == 6  # 3 audiences x 2 languages


def test_the_console_puts_the_proposal_to_a_vote_with_the_form_filled_in(room, proposal, facilitator, client):
    client.force_login(facilitator)
    console = client.get(reverse("console", kwargs={"meeting_id": room.pk})).content.decode()
    link = reverse("poll_new", kwargs={"meeting_id": room.pk}) + f"?proposal={proposal.pk}"
    assert link in console
    form = client.get(link).context["form"]
    assert (form.initial["proposal"], form.initial["item"]) == (proposal.pk, room.current_item_id)
    assert proposal.title in form.initial["title"]


def test_public_pages_name_a_household_by_its_unit_not_its_flat(room, proposal, households, facilitator, client):
    actions.put_on_notice(proposal, 7, facilitator)
    actions.comment(proposal, households[1], "赞成")
    amend_article_3(proposal, households[0])
    flat, unit = households[0].label, households[0].label.removesuffix(households[0].room)
    page = client.get(reverse("proposal_page", kwargs={"proposal_id": proposal.pk})).content.decode()
    record = client.get(reverse("proposal_json", kwargs={"proposal_id": proposal.pk})).json()
    assert unit in page and flat not in page and households[1].label not in page
    assert record["amendments"][0]["by"] == unit
