"""Minutes (issue 13): drafted from a scripted meeting, annotated but not
altered, signed off by the parties (or sent back), published locked with a
fingerprint, corrected as a new version; what the public pages show."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from compounds.models import StaffRole
from meetings import actions as meeting_actions
from minutes import actions, canonical
from minutes.models import Minutes
from minutes.record import decisions, meeting_record
from proposals import actions as proposal_actions
from tests.conftest import make_staff
from voting import actions as voting_actions
from voting.models import Poll

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def secretary(compound):
    return make_staff(compound, "sec", StaffRole.Role.SECRETARY)


@pytest.fixture
def ended(meeting, households, facilitator):
    """A meeting run to its end: three households (two by phone, one signed
    in), an item with two speeches and an amendment accepted, a poll passed."""
    meeting_actions.open_meeting(meeting)
    for household in households[:2]:
        meeting_actions.join_meeting(meeting, household)
    meeting_actions.sign_in(meeting, households[2], facilitator)
    item = meeting_actions.add_item(meeting, "居民公约", 30)
    meeting_actions.start_item(meeting, item.pk)
    proposal = proposal_actions.create_proposal(
        meeting.compound, "convention", "公约", "## 第一条\n\n束犬绳，长度不超过1.5米。\n", user=facilitator
    )
    proposal_actions.place_on_item(proposal, item)
    meeting_actions.request_floor(meeting, households[0], "for")
    meeting_actions.add_speaker(meeting, stance="against", user=facilitator, name="王阿姨")
    meeting_actions.call_next(meeting)
    meeting_actions.call_next(meeting)
    meeting_actions.end_speech(meeting)
    amendment = proposal_actions.propose_amendment(
        proposal, 1, "replace", "束犬绳，长度不超过2米。", "放宽", household=households[1], seconds_required=0
    )
    proposal_actions.accept_amendment(amendment, facilitator)
    poll = Poll.objects.create(meeting=meeting, item=item, title="通过公约", proposal=proposal)
    voting_actions.open_poll(poll)
    for household in households[:3]:
        voting_actions.cast(poll, household, "for")
    voting_actions.close_poll(poll)
    meeting_actions.close_meeting(meeting)
    meeting.refresh_from_db()
    return meeting


def signers(compound):
    """A staff account per default party, members of it."""
    users = []
    for n, party in enumerate(actions.parties(compound)):
        user = make_staff(compound, f"party{n}", None)
        party.members.add(user)
        users.append((party, user))
    return users


def test_minutes_wait_for_the_end_of_the_meeting(meeting):
    with pytest.raises(actions.MinutesError, match="ended"):
        actions.minutes_of(meeting)


def test_the_draft_has_every_part_of_the_record(ended, households):
    record = meeting_record(ended)
    assert record["meeting"]["title"] == ended.title and record["meeting"]["closed_at"]
    attendance = record["attendance"]
    assert (attendance["households"], attendance["by_phone"], attendance["signed_in"]) == (3, 2, 1)
    assert sum(row["households"] for row in attendance["by_building"]) == 3
    item = record["items"][0]
    assert item["title"] == "居民公约" and item["planned_minutes"] == 30
    assert [(s["kind"], s["stance"]) for s in item["speakers"]] == [("household", "for"), ("person", "against")]
    assert item["speakers"][0]["unit"] == "1幢1单元"  # by building and unit, never the flat
    proposal = item["proposal"]
    assert proposal["amendments"][0]["status"] == "accepted"
    assert ["-", "1.5"] in proposal["amendments"][0]["diff"] and ["+", "2"] in proposal["amendments"][0]["diff"]
    poll = record["polls"][0]
    assert poll["result"]["passed"] is True and poll["result"]["for"]["households"] == 3
    assert "participants" not in json.dumps(record)
    assert [d["kind"] for d in decisions(record)] == ["poll", "amendment"]


def test_nothing_private_is_in_the_record(ended, households):
    text = json.dumps(meeting_record(ended), ensure_ascii=False)
    for household in households:
        assert household.label not in text and household.owner_names not in text
    assert "王阿姨" not in text  # a name added to the queue stays in the room


def test_the_secretary_writes_and_annotates_but_cannot_alter_the_record(ended, secretary):
    minutes = actions.minutes_of(ended)
    item = ended.items.get()
    actions.edit_narrative(
        minutes,
        secretary,
        "会议顺利。",
        {str(item.pk): "讨论了养犬。", "999": "x"},
        [
            {"what": "更新公告栏", "who": "物业", "due": "2026-12-20"},
            {"what": "  ", "who": "", "due": ""},
        ],
    )
    minutes.refresh_from_db()
    assert minutes.narrative == {
        "summary": "会议顺利。",
        "items": {str(item.pk): "讨论了养犬。"},
        "followups": [{"what": "更新公告栏", "who": "物业", "due": "2026-12-20"}],
    }
    actions.annotate(minutes, secretary, "attendance", "另有2位租户列席。")
    with pytest.raises(actions.MinutesError):
        actions.annotate(minutes, secretary, "poll:99999", "?")
    doc = actions.content(minutes, None, ended.closed_at)
    assert doc["record"] == meeting_record(ended)  # read from its source, not from anything typed
    assert doc["annotations"][0]["text"] == "另有2位租户列席。"


def test_signing_declining_publishing_and_correcting(ended, secretary, client):
    minutes = actions.minutes_of(ended)
    actions.edit_narrative(minutes, secretary, "第一稿", {}, [])
    (a, alice), (b, bob), (c, carol) = signers(ended.compound)
    with pytest.raises(actions.MinutesError, match="not waiting"):
        actions.sign(minutes, a, alice)
    actions.ask_to_sign(minutes, secretary)
    with pytest.raises(actions.MinutesError, match="does not sign"):
        actions.sign(minutes, a, bob)
    actions.sign(minutes, a, alice)
    actions.decline(minutes, b, bob, "缺少跟进事项")
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    actions.edit_narrative(minutes, secretary, "第二稿", {}, [{"what": "公示决定", "who": "居委会", "due": ""}])
    actions.ask_to_sign(minutes, secretary)
    assert actions.sign(minutes, a, alice) is None  # the first signature was for the declined draft
    assert actions.sign(minutes, b, bob) is None
    version = actions.sign(minutes, c, carol)
    assert version.number == 1 and version.fingerprint == canonical.fingerprint(version.content)
    assert [s["party"] for s in version.content["signoffs"]] == [p.name for p in actions.parties(ended.compound)]
    with pytest.raises(actions.MinutesError, match="locked"):
        actions.edit_narrative(minutes, secretary, "偷改", {}, [])

    actions.correct(minutes, secretary, "更正出席人数")
    actions.ask_to_sign(minutes, secretary)
    for party, user in ((a, alice), (b, bob), (c, carol)):
        second = actions.sign(minutes, party, user)
    assert (second.number, second.reason) == (2, "更正出席人数")
    assert second.fingerprint != version.fingerprint
    old = client.get(reverse("minutes_version", args=[ended.compound_id, ended.pk, 1])).content.decode()
    assert "superseded" in old and "第二稿" in old


def test_the_fingerprint_verifies_an_export_and_not_an_altered_one(ended, secretary, client):
    minutes = actions.minutes_of(ended)
    actions.ask_to_sign(minutes, secretary)
    for party, user in signers(ended.compound):
        version = actions.sign(minutes, party, user)
    export = client.get(reverse("minutes_json", args=[ended.compound_id, ended.pk, version.number])).content
    data = json.loads(export)
    assert data["fingerprint"] == version.fingerprint == canonical.fingerprint(data["content"])
    match = client.post(reverse("verify"), {"export": export.decode()})
    assert match.context["outcome"]["state"] == "match"
    data["content"]["record"]["attendance"]["households"] = 300
    altered = client.post(reverse("verify"), {"export": json.dumps(data, ensure_ascii=False)})
    assert altered.context["outcome"]["state"] == "nomatch"
    assert client.post(reverse("verify"), {"export": "[[[" * 10000}).context["outcome"]["state"] == "unreadable"


def test_an_ended_meetings_page_shows_its_decisions_and_then_its_minutes(ended, secretary, client):
    page = client.get(reverse("join", kwargs={"code": ended.code})).content.decode()
    assert "通过公约" in page and "adopted" in page and "minutes will be published" in page
    minutes = actions.minutes_of(ended)
    actions.ask_to_sign(minutes, secretary)
    for party, user in signers(ended.compound):
        actions.sign(minutes, party, user)
    page = client.get(reverse("join", kwargs={"code": ended.code})).content.decode()
    assert reverse("minutes_public", args=[ended.compound_id, ended.pk]) in page


def test_the_registry_shows_the_convention_in_force_and_its_history(ended, client):
    proposal = ended.items.get().proposal
    page = client.get(reverse("convention", args=[ended.compound_id, proposal.pk])).content.decode()
    assert "2米" in page and "1.5米" not in page.split("History")[0]
    compound = client.get(reverse("compound_page", args=[ended.compound_id])).content.decode()
    assert reverse("convention", args=[ended.compound_id, proposal.pk]) in compound


def test_published_minutes_render_the_secretarys_markdown_safely(ended, secretary, client):
    minutes = actions.minutes_of(ended)
    actions.edit_narrative(minutes, secretary, "**要点**<script>alert(1)</script>", {}, [])
    actions.ask_to_sign(minutes, secretary)
    for party, user in signers(ended.compound):
        actions.sign(minutes, party, user)
    html = client.get(reverse("minutes_public", args=[ended.compound_id, ended.pk])).content.decode()
    assert "<strong>要点</strong>" in html and "<script>alert(1)" not in html


def test_minutes_list_a_decimal_area_as_the_certificate_does(ended):
    poll = meeting_record(ended)["polls"][0]
    assert Decimal(poll["result"]["for"]["area"]) == Decimal("241.50")


def test_the_projector_shows_what_was_decided_once_the_meeting_ends(ended, meeting):
    from deliberation.realtime import PROJECTOR, render_panels

    html = render_panels(ended, PROJECTOR, "en", {"decided"})["decided"]
    assert "Decided today" in html and "通过公约: adopted" in html


def test_the_decision_notice_lists_the_decisions_with_a_qr_code(ended, secretary, client):
    url = reverse("decision_notice", args=[ended.compound_id, ended.pk])
    html = client.get(url).content.decode()
    assert "通过公约: adopted" in html and "data:image/svg+xml" in html and "Posted on: ____" in html
    actions.mark_notice_posted(actions.minutes_of(ended), secretary)
    assert "Posted on: ____" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/c/9223372036854775808/minutes/3/",
        "/c/1/minutes/9223372036854775808/",
        "/c/9223372036854775808/meetings/1/decisions/",
        "/c/9223372036854775808/conventions/1/",
    ],
)
def test_an_id_past_64_bits_is_not_found_not_an_error(db, client, url):
    """Found by the fuzz tests: a lookup through a foreign key with such a
    value overflowed SQLite; such ids no longer match these URLs."""
    assert client.get(url).status_code == 404


def test_a_markdown_copy_verifies_and_an_altered_one_does_not(ended, secretary, client):
    minutes = actions.minutes_of(ended)
    actions.edit_narrative(minutes, secretary, "会议顺利。", {}, [])
    actions.ask_to_sign(minutes, secretary)
    for party, user in signers(ended.compound):
        version = actions.sign(minutes, party, user)
    copy = client.get(reverse("minutes_markdown", args=[ended.compound_id, ended.pk, version.number])).content.decode()
    assert copy.startswith("# ") and "会议顺利。" in copy and version.fingerprint in copy
    assert "| 赞成 | 3 |" in copy or "| for | 3 |" in copy
    assert client.post(reverse("verify"), {"export": copy}).context["outcome"]["state"] == "match"
    altered = copy.replace("会议顺利。", "会议不顺利。")
    assert client.post(reverse("verify"), {"export": altered}).context["outcome"]["state"] == "nomatch"


def test_the_console_reminds_of_the_decision_notice_until_it_is_posted(ended, secretary):
    from deliberation.realtime import FACILITATOR, render_panels

    assert "Post the decision notice" in render_panels(ended, FACILITATOR, "en", {"decided"})["decided"]
    actions.mark_notice_posted(actions.minutes_of(ended), secretary)
    html = render_panels(ended, FACILITATOR, "en", {"decided"})["decided"]
    assert "Post the decision notice" not in html and "Decision notice posted" in html


def test_the_minutes_print_as_a_pdf_with_their_chinese_text_and_fingerprint(ended, secretary, client, tmp_path):
    from minutes import pdf

    minutes = actions.minutes_of(ended)
    actions.edit_narrative(minutes, secretary, "会议逐条讨论了居民公约草案。", {}, [])
    actions.ask_to_sign(minutes, secretary)
    for party, user in signers(ended.compound):
        version = actions.sign(minutes, party, user)
    response = client.get(reverse("minutes_pdf", args=[ended.compound_id, ended.pk, version.number]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(pdf.pdf_text(response.content).split())
    assert "会议逐条讨论了居民公约草案。" in text and "通过公约" in text
    assert version.fingerprint in text


def test_export_record_writes_the_whole_record_of_a_meeting(ended, secretary, tmp_path):
    from django.core.management import call_command

    minutes = actions.minutes_of(ended)
    actions.ask_to_sign(minutes, secretary)
    for party, user in signers(ended.compound):
        actions.sign(minutes, party, user)
    call_command("export_record", str(ended.pk), "--out", str(tmp_path))
    names = {path.name for path in tmp_path.iterdir()}
    poll = ended.polls.get()
    assert {"minutes-v1.json", "minutes-v1.md", "minutes-v1.pdf", "decision-notice.html", "README.txt"} <= names
    assert f"certificate-poll-{poll.pk}.json" in names
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    listed = {line.split("  ")[1] for line in readme.splitlines() if "  " in line}
    assert listed == names - {"README.txt"}


def test_a_pdf_copy_verifies_by_its_text(ended, secretary, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    minutes = actions.minutes_of(ended)
    actions.edit_narrative(minutes, secretary, "会议顺利。", {}, [])
    actions.ask_to_sign(minutes, secretary)
    for party, user in signers(ended.compound):
        version = actions.sign(minutes, party, user)
    copy = client.get(reverse("minutes_pdf", args=[ended.compound_id, ended.pk, version.number])).content
    outcome = client.post(reverse("verify"), {"file": SimpleUploadedFile("m.pdf", copy)}).context["outcome"]
    assert outcome["state"] == "match" and outcome["version"] == version
    junk = client.post(reverse("verify"), {"file": SimpleUploadedFile("m.pdf", b"%PDF-1.7 junk")}).context["outcome"]
    assert junk["state"] == "unreadable"


def test_phones_open_on_the_meeting_see_what_it_decided_when_it_ends(ended):
    from deliberation.realtime import RESIDENT, render_panels

    html = render_panels(ended, RESIDENT, "en", {"decided"})["decided"]
    assert "Decided today" in html and "通过公约: adopted" in html


def test_a_convention_in_force_downloads_as_its_markdown(ended, client):
    proposal = ended.items.get().proposal
    response = client.get(reverse("convention_markdown", args=[ended.compound_id, proposal.pk]))
    assert response["Content-Type"].startswith("text/markdown") and "2米" in response.content.decode()
