"""Writes to proposals that others see. Each locks the proposal, checks,
writes, and, when the proposal is on an agenda item of an open meeting,
advances that meeting's revision and pushes the proposal panels after commit.

Text changes always make a new version (never an edit in place): staff
saving the text, an accepted amendment, an amendment passed by a vote.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.realtime import broadcast_on_commit, bump
from meetings.actions import staff_name
from meetings.models import Meeting
from proposals import markup
from proposals.models import (
    MAX_REASON_CHARS,
    Amendment,
    Decision,
    NoticeComment,
    ProjectPhoto,
    Proposal,
    ProposalVersion,
    Second,
)

# The panels that show a proposal in the room (proposals/panels.py).
PROPOSAL_PANELS = ("proposal", "amendments")


class ProposalError(Exception):
    """A refused action, with a translated message for the user."""


def _author(user=None, household=None):
    return {"by_user": user, "by_household": household, "by_name": household.label if household else staff_name(user)}


def _locked(proposal):
    return Proposal.objects.select_for_update().select_related("compound").get(pk=proposal.pk)


def _changed(proposal, item_id=None):
    """Push the proposal panels of the open meeting that debates it (and of
    the one that did, when it moves to another item)."""
    item_ids = {i for i in (proposal.item_id, item_id) if i is not None}
    open_meetings = Meeting.objects.filter(
        items__in=item_ids, status__in=[Meeting.Status.ANNOUNCED, Meeting.Status.LIVE]
    ).values_list("pk", flat=True)
    for meeting_id in set(open_meetings):
        bump(meeting_id)
        broadcast_on_commit(meeting_id, PROPOSAL_PANELS)


def _check_open(proposal):
    if not proposal.is_open:
        raise ProposalError(
            _("This proposal is %(status)s: its text no longer changes.") % {"status": proposal.get_status_display()}
        )


def _check_line(text, limit, too_long):
    text = markup.one_line(text)
    if len(text) > limit:
        raise ProposalError(too_long)
    return text


def _check_text(title, body):
    title, body = markup.one_line(title), markup.normalize(body or "")
    if len(title) > Proposal._meta.get_field("title").max_length:
        raise ProposalError(_("The title is too long."))
    if not title:
        raise ProposalError(_("Give the proposal a title."))
    if not body:
        raise ProposalError(_("The text is empty."))
    if len(body) > ProposalVersion._meta.get_field("body").max_length:
        raise ProposalError(_("The text is too long."))
    return title, body


def _new_version(proposal, title, body, reason, amendment=None, **author):
    proposal.version += 1
    version = ProposalVersion.objects.create(
        proposal=proposal, number=proposal.version, title=title, body=body, reason=reason, amendment=amendment, **author
    )
    proposal.title = title
    proposal.save(update_fields=["version", "title"])
    return version


# --- Drafting ----------------------------------------------------------------------


@transaction.atomic
def create_proposal(compound, kind, title, body, user=None, household=None, **details):
    """A new proposal in draft, with its first version."""
    title, body = _check_text(title, body)
    proposal = Proposal.objects.create(compound=compound, kind=kind, title=title, **details)
    _new_version(proposal, title, body, _("first draft"), **_author(user, household))
    return proposal


@transaction.atomic
def save_text(proposal, title, body, reason, user=None, household=None):
    """Staff (or a micro-project's sponsor household) save a new text: a new
    version with who, when and why. Saving the same text again changes nothing."""
    proposal = _locked(proposal)
    _check_open(proposal)
    title, body = _check_text(title, body)
    reason = _check_line(reason, MAX_REASON_CHARS, _("Keep the reason to one line."))
    current = proposal.current
    if current is not None and current.title == title and current.body == body:
        return current
    if not reason:
        raise ProposalError(_("Say why the text changes: the reason is kept with the version."))
    if household is not None and proposal.sponsor_household_id != household.pk:
        raise ProposalError(_("Only the sponsor household may edit this proposal from a phone."))
    version = _new_version(proposal, title, body, reason, **_author(user, household))
    _changed(proposal)
    return version


@transaction.atomic
def save_details(form):
    """Staff save a proposal's details (a micro-project's budget, sponsor...)."""
    proposal = form.save()
    _changed(proposal)
    return proposal


@transaction.atomic
def place_on_item(proposal, item):
    """Debate the proposal on `item` (None: take it off the agenda). An item
    debates one proposal at most."""
    proposal = _locked(proposal)
    if item is not None:
        if item.meeting.compound_id != proposal.compound_id:
            raise ProposalError(_("That agenda item is in another compound's meeting."))
        Proposal.objects.filter(item=item).exclude(pk=proposal.pk).update(item=None)
    before = proposal.item_id
    proposal.item = item
    proposal.focus_block, proposal.shown_amendment = None, None
    if item is not None and proposal.status == Proposal.Status.DRAFT:
        proposal.status = Proposal.Status.FLOOR
    proposal.save(update_fields=["item", "focus_block", "shown_amendment", "status"])
    _changed(proposal, before)
    return proposal


@transaction.atomic
def withdraw_proposal(proposal, user):
    proposal = _locked(proposal)
    _check_open(proposal)
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    proposal.amendments.filter(status__in=PENDING).update(status=Amendment.Status.WITHDRAWN, decided_at=timezone.now())
    _changed(proposal)
    return proposal


@transaction.atomic
def revise(proposal, user):
    """Open an adopted convention for revision: a new draft of the same
    convention. The version adopted stays the compound's text of it until a
    revision is adopted (Proposal.adopted_version), and stays readable after."""
    proposal = _locked(proposal)
    if proposal.kind != Proposal.Kind.CONVENTION or proposal.status != Proposal.Status.ADOPTED:
        raise ProposalError(_("Only an adopted convention is revised."))
    proposal.status = Proposal.Status.DRAFT
    proposal.item, proposal.focus_block, proposal.shown_amendment = None, None, None
    proposal.notice_starts = proposal.notice_ends = None
    proposal.save(update_fields=["status", "item", "focus_block", "shown_amendment", "notice_starts", "notice_ends"])
    return proposal


# --- Public notice (公示) ------------------------------------------------------------


@transaction.atomic
def put_on_notice(proposal, days, user=None):
    """Post the proposal for public notice for `days` days from now."""
    proposal = _locked(proposal)
    _check_open(proposal)
    if not 1 <= days <= 90:
        raise ProposalError(_("A notice runs between 1 and 90 days."))
    now = timezone.now()
    proposal.notice_starts, proposal.notice_ends = now, now + timedelta(days=days)
    if proposal.status == Proposal.Status.DRAFT:
        proposal.status = Proposal.Status.NOTICE
    proposal.save(update_fields=["notice_starts", "notice_ends", "status"])
    _changed(proposal)
    return proposal


@transaction.atomic
def comment(proposal, household, text):
    """A household comments while the notice runs."""
    proposal = _locked(proposal)
    if not proposal.notice_running():
        raise ProposalError(_("Comments are taken only while the proposal is on public notice."))
    if household.compound_id != proposal.compound_id or not household.is_active:
        raise ProposalError(_("Only households of this compound may comment."))
    text = markup.normalize(text or "")
    if not text:
        raise ProposalError(_("The comment is empty."))
    if len(text) > NoticeComment._meta.get_field("text").max_length:
        raise ProposalError(_("The comment is too long."))
    return NoticeComment.objects.create(proposal=proposal, household=household, text=text)


@transaction.atomic
def hide_comment(comment, user, reason):
    reason = _check_line(reason, MAX_REASON_CHARS, _("Keep the reason to one line."))
    if not reason:
        raise ProposalError(_("Say why the comment is hidden: the reason is shown in its place."))
    comment = NoticeComment.objects.select_for_update().get(pk=comment.pk)
    if comment.hidden_at is None:
        comment.hidden_at, comment.hidden_by, comment.hidden_reason = timezone.now(), user, reason
        comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return comment


# --- Amendments (修正案) and seconds (附议) --------------------------------------------

PENDING = [Amendment.Status.SECONDING, Amendment.Status.FLOOR, Amendment.Status.VOTING]


@transaction.atomic
def propose_amendment(proposal, block_index, op, text, reason, household=None, user=None, seconds_required=None):
    """A household (from its phone) or staff (for someone in the room) propose
    to replace one block of the current text, insert a block after it, or
    delete it. It needs `seconds_required` seconds from other households
    (the meeting's setting; staff-entered amendments are on the floor at once)."""
    proposal = _locked(proposal)
    _check_open(proposal)
    current = proposal.current
    blocks = markup.blocks(current.body)
    if op not in Amendment.Op.values:
        raise ProposalError(_("Choose replace, insert after or delete."))
    try:
        block_index = int(block_index)
    except (TypeError, ValueError):
        block_index = None
    lowest = -1 if op == Amendment.Op.INSERT_AFTER else 0
    if block_index is None or not lowest <= block_index < len(blocks):
        raise ProposalError(_("That part of the text no longer exists. Reload and choose again."))
    original = blocks[block_index].text if block_index >= 0 else ""
    text = markup.normalize(text or "") if op != Amendment.Op.DELETE else ""
    if op != Amendment.Op.DELETE and not text:
        raise ProposalError(_("Write the new text."))
    if op == Amendment.Op.REPLACE and text == original:
        raise ProposalError(_("The new text is the same as the old one."))
    if op == Amendment.Op.INSERT_AFTER and text == original:
        raise ProposalError(_("Write the new paragraph to insert: it reads the same as the one it follows."))
    if len(text) > Amendment._meta.get_field("text").max_length:
        raise ProposalError(_("The new text is too long for one amendment."))
    reason = _check_line(reason, MAX_REASON_CHARS, _("Keep the reason to one line."))
    if not reason:
        raise ProposalError(_("Give a one-line reason for the amendment."))
    if household is not None and household.compound_id != proposal.compound_id:
        raise ProposalError(_("Only households of this compound may amend this proposal."))
    _splice(current.body, block_index, op, text)  # it must apply to the text it was written against
    needed = 0 if household is None else (1 if seconds_required is None else seconds_required)
    number = (proposal.amendments.aggregate(last=Max("number"))["last"] or 0) + 1
    amendment = Amendment.objects.create(
        proposal=proposal,
        number=number,
        base_version=current,
        block_index=block_index,
        op=op,
        original=original,
        text=text,
        reason=reason,
        household=household,
        by_user=user,
        by_name=household.label if household else staff_name(user),
        seconds_required=needed,
        status=Amendment.Status.FLOOR if needed == 0 else Amendment.Status.SECONDING,
    )
    _changed(proposal)
    return amendment


def _locked_amendment(amendment):
    amendment = Amendment.objects.select_related("proposal").get(pk=amendment.pk)
    proposal = _locked(amendment.proposal)
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    amendment.proposal = proposal
    return amendment


@transaction.atomic
def second(amendment, household):
    """A household seconds an amendment (once; not its own). Returns True if
    this second was new."""
    amendment = _locked_amendment(amendment)
    if amendment.status not in (Amendment.Status.SECONDING, Amendment.Status.FLOOR):
        raise ProposalError(_("This amendment is no longer open for seconds."))
    if household.compound_id != amendment.proposal.compound_id:
        raise ProposalError(_("Only households of this compound may second."))
    if amendment.household_id == household.pk:
        raise ProposalError(_("You proposed this amendment: another household must second it."))
    try:
        with transaction.atomic():
            Second.objects.create(amendment=amendment, household=household)
    except IntegrityError:
        return False  # seconded already: a double tap is not an error
    if amendment.status == Amendment.Status.SECONDING and amendment.seconds.count() >= amendment.seconds_required:
        amendment.status = Amendment.Status.FLOOR
        amendment.save(update_fields=["status"])
    _changed(amendment.proposal)
    return True


@transaction.atomic
def withdraw_amendment(amendment, household):
    """Its author takes it back, before the facilitator decides."""
    amendment = _locked_amendment(amendment)
    if amendment.household_id != household.pk:
        raise ProposalError(_("Only the household that proposed it may withdraw it."))
    if amendment.status not in (Amendment.Status.SECONDING, Amendment.Status.FLOOR):
        raise ProposalError(_("This amendment is no longer pending."))
    _decide(amendment, Amendment.Status.WITHDRAWN)
    _changed(amendment.proposal)
    return amendment


def _decide(amendment, status, reason="", version=None):
    amendment.status, amendment.decision_reason, amendment.decided_at = status, reason, timezone.now()
    amendment.result_version = version
    amendment.save(update_fields=["status", "decision_reason", "decided_at", "result_version"])
    proposal = amendment.proposal
    if proposal.shown_amendment_id == amendment.pk and status != Amendment.Status.ACCEPTED:
        proposal.shown_amendment = None
        proposal.save(update_fields=["shown_amendment"])


def apply(amendment, body):
    """`body` with the amendment applied. The amendment was written against
    its base version; if the text has changed since, it still applies where
    its block reads as it did (same place, or one unique identical block),
    else ProposalError: the author must propose again on the new text."""
    blocks = [block.text for block in markup.blocks(body)]
    index = amendment.block_index
    if amendment.op == Amendment.Op.INSERT_AFTER and index == -1:
        return _splice(body, -1, amendment.op, amendment.text)
    if not (0 <= index < len(blocks) and blocks[index] == amendment.original):
        matches = [i for i, text in enumerate(blocks) if text == amendment.original]
        if len(matches) != 1:
            raise ProposalError(
                _("The part this amendment changes has been changed since it was proposed: it cannot be applied.")
            )
        index = matches[0]
    return _splice(body, index, amendment.op, amendment.text)


def _splice(body, index, op, text):
    """markup.splice, its refusal worded for the user: a new text that would
    not stay one part of its own (an unclosed code block swallowing what
    follows, a list merging with the next one)."""
    try:
        return markup.splice(body, index, op, text)
    except ValueError:
        raise ProposalError(
            _("This change would merge with the text around it. Write it as one paragraph or one list.")
        ) from None


def _adopt_amendment(amendment, user=None, reason=""):
    proposal = amendment.proposal
    current = proposal.current
    body = apply(amendment, current.body)
    version = _new_version(
        proposal,
        current.title,
        body,
        reason or _("amendment %(number)s: %(reason)s") % {"number": amendment.number, "reason": amendment.reason},
        amendment=amendment,
        # The text is the amendment's: the record names its author; who
        # accepted it (a user) or that a vote did is in the reason.
        by_user=user,
        by_household=amendment.household,
        by_name=amendment.by_name,
    )
    _decide(amendment, Amendment.Status.ACCEPTED, version=version)
    return version


@transaction.atomic
def accept_amendment(amendment, user):
    """The facilitator accepts an amendment (the room agrees without a vote):
    the proposal gets a new version with it."""
    amendment = _locked_amendment(amendment)
    if amendment.status not in (Amendment.Status.SECONDING, Amendment.Status.FLOOR):
        raise ProposalError(_("This amendment has already been decided."))
    _check_open(amendment.proposal)
    version = _adopt_amendment(amendment, user)
    _changed(amendment.proposal)
    return version


@transaction.atomic
def reject_amendment(amendment, user, reason):
    """The facilitator rejects an amendment, with a reason its author sees."""
    reason = _check_line(reason, MAX_REASON_CHARS, _("Keep the reason to one line."))
    if not reason:
        raise ProposalError(_("Give the reason: the household that proposed it will see it."))
    amendment = _locked_amendment(amendment)
    if amendment.status not in (Amendment.Status.SECONDING, Amendment.Status.FLOOR):
        raise ProposalError(_("This amendment has already been decided."))
    _decide(amendment, Amendment.Status.REJECTED, reason)
    _changed(amendment.proposal)
    return amendment


# --- In the room ---------------------------------------------------------------------


@transaction.atomic
def focus(proposal, block_index=None, amendment=None):
    """What the projector and phones mark: the block under debate, and the
    amendment shown as a diff (None: none)."""
    proposal = _locked(proposal)
    count = len(markup.blocks(proposal.current.body))
    try:
        block_index = None if block_index in (None, "") else int(block_index)
    except (TypeError, ValueError):
        block_index = None
    if block_index is not None and not 0 <= block_index < count:
        block_index = None
    if amendment is not None:
        if amendment.proposal_id != proposal.pk:
            raise ProposalError(_("That amendment belongs to another proposal."))
        block_index = amendment.block_index if amendment.block_index >= 0 else block_index
    proposal.focus_block, proposal.shown_amendment = block_index, amendment
    proposal.save(update_fields=["focus_block", "shown_amendment"])
    _changed(proposal)
    return proposal


# --- Decided by a vote (called by voting when a poll opens and closes) -------------------


def amendment_put_to_vote(amendment):
    """A poll opened on the amendment (inside voting's transaction)."""
    amendment = _locked_amendment(amendment)
    if amendment.status not in (Amendment.Status.SECONDING, Amendment.Status.FLOOR):
        raise ProposalError(_("This amendment has already been decided."))
    amendment.status = Amendment.Status.VOTING
    amendment.save(update_fields=["status"])
    proposal = amendment.proposal
    proposal.focus_block, proposal.shown_amendment = amendment.block_index, amendment
    proposal.save(update_fields=["focus_block", "shown_amendment"])
    _changed(proposal)


def amendment_decided(amendment, passed, basis):
    """The poll on the amendment closed (inside voting's transaction): passed,
    the proposal gets the new version at once; failed, the amendment is
    marked so. Returns the new version, or None."""
    amendment = _locked_amendment(amendment)
    if amendment.status != Amendment.Status.VOTING:
        return None
    version = None
    if passed:
        version = _adopt_amendment(
            amendment, reason=_("amendment %(number)s, passed by a vote") % {"number": amendment.number}
        )
    else:
        _decide(amendment, Amendment.Status.FAILED, _("failed in the vote"))
    Decision.objects.create(
        proposal=amendment.proposal,
        version=version or amendment.proposal.current,
        amendment=amendment,
        outcome=Decision.Outcome.ADOPTED if passed else Decision.Outcome.REJECTED,
        basis=basis,
    )
    _changed(amendment.proposal)
    return version


def proposal_decided(proposal, passed, basis, valid=True):
    """The poll on the proposal as it stands closed (inside voting's
    transaction): adopted or rejected, with the version it concerned. For a
    convention, the adopted version is the compound's text of it from now on.
    Not `valid` (too few took part: 未产生有效决定): the record says so and the
    proposal stays as it was, to be put to the vote again."""
    proposal = _locked(proposal)
    version = proposal.current
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.NOTICE, Proposal.Status.FLOOR):
        return None
    if not valid:
        decision = Decision.objects.create(
            proposal=proposal, version=version, outcome=Decision.Outcome.NO_VALID, basis=basis
        )
        _changed(proposal)
        return decision
    proposal.status = Proposal.Status.ADOPTED if passed else Proposal.Status.REJECTED
    proposal.save(update_fields=["status"])
    proposal.amendments.filter(status__in=PENDING).update(
        status=Amendment.Status.WITHDRAWN, decided_at=timezone.now(), decision_reason=_("the proposal was decided")
    )
    decision = Decision.objects.create(
        proposal=proposal,
        version=version,
        outcome=Decision.Outcome.ADOPTED if passed else Decision.Outcome.REJECTED,
        basis=basis,
    )
    _changed(proposal)
    return decision


# --- A micro-project after adoption: carried out, then reported back -------------------------

# Photos: what a phone camera or a scan gives, checked by their first bytes.
PHOTO_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 12


def photo_type(data):
    """The image type of `data` by its signature, or None (WebP: RIFF....WEBP)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in PHOTO_TYPES.items() if data.startswith(magic)), None)


def _check_project(proposal, *statuses):
    if proposal.kind != Proposal.Kind.MICRO_PROJECT:
        raise ProposalError(_("Only a micro-project is carried out and reported back."))
    if proposal.status not in statuses:
        raise ProposalError(_("This micro-project is %(status)s.") % {"status": proposal.get_status_display()})


@transaction.atomic
def start_project(proposal, user):
    """An adopted micro-project is under way."""
    proposal = _locked(proposal)
    _check_project(proposal, Proposal.Status.ADOPTED)
    proposal.status, proposal.started_at = Proposal.Status.IN_PROGRESS, timezone.now()
    proposal.save(update_fields=["status", "started_at"])
    _changed(proposal)
    return proposal


@transaction.atomic
def complete_project(proposal, user, report, spent):
    """The project is done: what was done and what it cost, published on its page."""
    proposal = _locked(proposal)
    _check_project(proposal, Proposal.Status.IN_PROGRESS)
    report = markup.normalize(report or "")
    if not report:
        raise ProposalError(_("Say what was done: the report is published on the project's page."))
    if spent is None or spent < 0:
        raise ProposalError(_("Give the money spent, in yuan."))
    proposal.status, proposal.completed_at = Proposal.Status.COMPLETED, timezone.now()
    proposal.report, proposal.spent = report, spent
    proposal.save(update_fields=["status", "completed_at", "report", "spent"])
    _changed(proposal)
    return proposal


@transaction.atomic
def add_photo(proposal, user, data, caption=""):
    """A photo for the project's report (JPEG, PNG or WebP, up to 5 MB)."""
    proposal = _locked(proposal)
    _check_project(proposal, Proposal.Status.IN_PROGRESS, Proposal.Status.COMPLETED)
    if len(data) > MAX_PHOTO_BYTES:
        raise ProposalError(_("A photo may be at most 5 MB."))
    kind = photo_type(data)
    if kind is None:
        raise ProposalError(_("Upload a photo as JPEG, PNG or WebP."))
    if proposal.photos.count() >= MAX_PHOTOS:
        raise ProposalError(_("A project has at most %(n)d photos.") % {"n": MAX_PHOTOS})
    return ProjectPhoto.objects.create(
        proposal=proposal, content=data, content_type=kind, caption=markup.one_line(caption)[:200], uploaded_by=user
    )
