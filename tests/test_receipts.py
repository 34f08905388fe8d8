"""Ballot receipts (issue 15, "Proof"): every recorded ballot gets a code the
household checks on the public receipt page. Named polls: recorded while
open, then counted as cast with the choice; secret polls: participation
only, never the choice; a changed vote's old receipt says it was replaced.
Only a keyed hash of a code is stored; wrong codes are rate-limited as
household codes are (compounds/ratelimit.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from compounds.models import CODE_ALPHABET
from tests.access_world import fresh_address
from tests.conftest import join_session, make_staff
from voting import actions, receipts
from voting.models import BallotReceipt, Poll

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")

CODE = re.compile(r"\b[" + CODE_ALPHABET + r"]{5}-[" + CODE_ALPHABET + r"]{5}\b")
CHECK = reverse("receipt_check")


def public():
    """Anyone, on a network address of their own (the per-address limit)."""
    client = Client(REMOTE_ADDR=fresh_address())
    client.cookies["django_language"] = "en"
    return client


def phone_vote(client, poll, household, choice, key):
    join_session(client, poll.meeting, household)
    url = reverse("vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})
    return client.post(url, {"choice": choice, "key": key}, HTTP_ACCEPT="application/json")


def check(code, client=None):
    response = (client or public()).post(CHECK, {"code": code})
    return response.status_code, response.content.decode()


def secret_poll(meeting):
    poll = Poll.objects.create(meeting=meeting, title="选举业委会", secret=True)
    actions.open_poll(poll)
    poll.refresh_from_db()
    return poll


# --- Phones ---------------------------------------------------------------------


def test_a_phone_vote_returns_a_receipt_and_the_database_keeps_only_its_hash(client, poll, households):
    answer = phone_vote(client, poll, households[0], "for", "k1").json()
    code = answer["receipt"]
    assert CODE.fullmatch(code)
    stored = BallotReceipt.objects.get(poll=poll, household=households[0])
    assert stored.code_hash == receipts.digest(receipts.normalize(code))
    assert receipts.normalize(code) not in stored.code_hash and stored.channel == "phone"


def test_the_phone_line_shows_the_receipt_and_what_it_is_for(client, poll, households):
    join_session(client, poll.meeting, households[0])
    url = reverse("vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})
    line = client.post(url, {"choice": "for", "key": "k1"}, HTTP_HX_REQUEST="true").content.decode()
    code = CODE.search(line).group()
    receipt = BallotReceipt.objects.get(poll=poll, household=households[0])
    assert f'data-receipt="{receipt.pk}"' in line and f'data-code="{code}"' in line
    assert "check that your ballot was counted as cast" in line and CHECK in line
    # Fetched again later, the server no longer knows the code: the id lets the phone show the one it kept.
    again = client.get(reverse("my_vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk})).content.decode()
    assert f'data-receipt="{receipt.pk}"' in again and code not in again


def test_named_poll_recorded_while_open_then_counted_as_cast_with_the_choice(client, poll, households):
    code = phone_vote(client, poll, households[0], "against", "k1").json()["receipt"]
    status, page = check(code)
    assert status == 200 and "Recorded. Voting is still open" in page
    assert poll.title in page and poll.meeting.title in page and poll.meeting.compound.name in page
    assert "Counted as cast" not in page

    actions.close_poll(poll)
    status, page = check(code.lower().replace("-", " "))  # as someone may type it
    assert status == 200 and "Counted as cast: Against" in page
    assert re.search(r"<dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d · ", page)


def test_secret_poll_says_participation_only_never_the_choice(client, meeting, poll, households):
    actions.close_poll(poll)  # one poll open at a time
    secret = secret_poll(meeting)
    code = phone_vote(client, secret, households[1], "against", "s1").json()["receipt"]
    status, page = check(code)
    assert status == 200 and "Recorded. Voting is still open" in page
    assert "Against" not in page and "against" not in page

    actions.close_poll(secret)
    status, page = check(code)
    assert status == 200 and "A ballot from your household was counted." in page
    assert "Against" not in page and "against" not in page and "Counted as cast" not in page
    # Its time to the minute only: a ballot's exact time identified that (deleted) ballot.
    assert re.search(r"<dd>\d{4}-\d\d-\d\d \d\d:\d\d · ", page)
    # What is left of the receipt links the household to its participation, nothing more.
    stored = BallotReceipt.objects.get(poll=secret)
    assert stored.request_key == ""
    assert {f.name for f in BallotReceipt._meta.concrete_fields} == {
        "id", "poll", "household", "code_hash", "channel", "recorded_at", "replaced_at", "request_key"
    }  # fmt: skip


def test_a_changed_vote_replaces_the_old_receipt_and_the_new_one_counts(client, poll, households):
    first = phone_vote(client, poll, households[0], "for", "k1").json()["receipt"]
    second = phone_vote(client, poll, households[0], "against", "k2").json()["receipt"]
    assert first != second
    replaced = BallotReceipt.objects.get(poll=poll, household=households[0], replaced_at__isnull=False)
    current = BallotReceipt.objects.get(poll=poll, household=households[0], replaced_at=None)
    assert replaced.replaced_at == current.recorded_at

    actions.close_poll(poll)
    status, page = check(first)
    assert status == 200 and "Replaced by a later ballot at" in page and "Counted as cast" not in page
    status, page = check(second)
    assert "Counted as cast: Against" in page


def test_a_retry_whose_answer_was_lost_gets_a_fresh_code_for_the_same_ballot(client, poll, households):
    lost = phone_vote(client, poll, households[0], "for", "k1").json()["receipt"]
    retry = phone_vote(client, poll, households[0], "for", "k1").json()
    assert retry["recorded"] and CODE.fullmatch(retry["receipt"]) and retry["receipt"] != lost
    assert BallotReceipt.objects.filter(poll=poll).count() == 1  # one ballot, one receipt
    assert check(lost)[0] == 404 and "Recorded" in check(retry["receipt"])[1]


def test_a_late_retry_of_an_older_vote_gets_no_code(client, poll, households):
    phone_vote(client, poll, households[0], "for", "k1")
    phone_vote(client, poll, households[0], "against", "k2")
    late = phone_vote(client, poll, households[0], "for", "k1").json()
    assert late["receipt"] is None and late["choice"] == "against"


def test_a_proxy_replaced_by_the_households_own_vote(client, poll, households, facilitator):
    proxy = actions.cast(
        poll, households[2], "for", channel="proxy", user=facilitator, proxy_holder="王五", proxy_reference="W-1"
    ).receipt
    own = phone_vote(client, poll, households[2], "abstain", "k1").json()["receipt"]
    assert "Replaced by a later ballot" in check(proxy)[1] and "Recorded." in check(own)[1]


def test_an_owners_latest_vote_replaces_the_receipts_of_their_other_units(meeting, poll, households, facilitator):
    """SPC interpretation Art. 9: one owner, one vote; an owner's latest vote
    stands for all their units (voting.actions.Recorder._align_owner), so the
    receipt of the unit voted first is replaced by the later ballot."""
    actions.close_poll(poll)
    for household in households[:2]:
        household.owner_key = "same-owner"
        household.save()
    art278 = Poll.objects.create(meeting=meeting, title="续聘物业", rule="civil-code-ordinary", scope="compound")
    actions.open_poll(art278)
    first = actions.cast(art278, households[0], "for", channel="paper", user=facilitator).receipt
    second = actions.cast(art278, households[1], "against", channel="paper", user=facilitator).receipt
    assert "Replaced by a later ballot" in check(first)[1]
    actions.close_poll(art278)
    assert "Counted as cast: Against" in check(second)[1]


# --- Staff entries ----------------------------------------------------------------


def test_a_staff_paper_entry_gets_a_receipt_and_its_entering_staff_member(client, poll, households, facilitator):
    client.force_login(facilitator)
    url = reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    data = {"one-household": households[1].label, "one-choice": "for", "one-channel": "paper"}
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Receipts of the ballots just entered" in page
    code = CODE.search(page.split("Receipts of the ballots just entered")[1]).group()
    assert households[1].label in page
    receipt = BallotReceipt.objects.get(poll=poll, household=households[1])
    assert receipt.channel == "paper" and receipt.code_hash == receipts.digest(receipts.normalize(code))
    assert poll.audit.get(household=households[1]).entered_by == facilitator
    assert ">fac<" in page.split("Audit log")[1]  # the list shows who entered it
    # The code is shown to the staff member who entered it only.
    other = make_staff(poll.meeting.compound, "worker2", "worker")
    client.force_login(other)
    assert code not in client.get(response["Location"]).content.decode()
    actions.close_poll(poll)
    assert "Counted as cast: For" in check(code)[1]


def test_a_paper_batch_lists_each_households_receipt(client, poll, households, facilitator):
    client.force_login(facilitator)
    url = reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    lines = f"{households[0].label} 同意\n{households[1].label} 反对"
    response = client.post(url, {"batch-lines": lines})
    page = client.get(response["Location"]).content.decode().split("Receipts of the ballots just entered")[1]
    codes = CODE.findall(page.split("</table>")[0])
    assert len(codes) == 2 and BallotReceipt.objects.filter(poll=poll, channel="paper").count() == 2
    assert households[0].label in page and households[1].label in page
    actions.close_poll(poll)
    assert "Counted as cast: For" in check(codes[0])[1] and "Counted as cast: Against" in check(codes[1])[1]


def test_receipts_in_the_other_channels(meeting, poll, households, facilitator):
    actions.close_poll(poll)
    secret = secret_poll(meeting)
    hand = actions.cast(secret, households[0], "for", channel="hand", user=facilitator).receipt
    actions.close_poll(secret)
    page = check(hand)[1]
    assert "A ballot from your household was counted." in page and "For" not in page.split("Ballot recorded")[1]


# --- Bad input and guessing ---------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["", "abc", "ACDEF-GHJK", "ACDEF-GHJKMN", "00000-00000", "ACDEF-GHJKÉ", "🙂" * 10, "x" * 500, "ACDEF\x00GHJKM"],
)
def test_a_malformed_code_is_told_so_never_a_500(typed, db):
    status, page = check(typed)
    said = ("This is not a receipt code", "This field is required", "at most 40 characters", "Null characters")
    assert status == 200 and any(words in page for words in said)


def test_an_unknown_code_is_a_clear_404_and_full_width_input_is_read(db):
    status, page = check("ＡＣＤＥＦ－ＧＨＪＫＭ")  # typed with a Chinese input method
    assert status == 404 and "No ballot has this receipt code" in page


def test_the_check_page_is_a_csrf_protected_form():
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    page = strict.get(CHECK)
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    assert strict.post(CHECK, {"code": "ACDEF-GHJKM"}).status_code == 403


def test_guessing_is_rate_limited_even_for_a_right_code(client, poll, households, settings):
    settings.CODE_ATTEMPTS_PER_SESSION = 5
    code = phone_vote(client, poll, households[0], "for", "k1").json()["receipt"]
    guesser = public()
    for n in range(5):
        status, _page = check(f"ACDE{CODE_ALPHABET[n]}-GHJKM", guesser)
        assert status == 404
    status, page = check(code, guesser)
    assert status == 429 and "Too many wrong codes" in page and "Recorded" not in page
    assert check(code)[0] == 200  # anyone else is not blocked


def test_wrong_receipts_do_not_block_household_codes(client, meeting, poll, households, codes, settings):
    settings.CODE_ATTEMPTS_PER_PREFIX = 3
    prefix = codes[households[5]][:4]
    guesser = public()
    for n in range(3):
        check(f"{prefix}{CODE_ALPHABET[n]}-GHJKM", guesser)
    # The household whose code has that prefix still joins with it.
    joiner = public()
    response = joiner.post(reverse("join", kwargs={"code": meeting.code}), {"code": codes[households[5]]})
    assert response.status_code == 302
