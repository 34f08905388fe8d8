"""Writes to minutes: the secretary's narrative and notes, asking the parties
to sign, each party's sign-off or refusal, publishing (locked, with a
fingerprint) and corrections.

Minutes are read after the meeting, not live in the room: nothing here
pushes to a meeting's screens.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds import ledger
from meetings.actions import staff_name
from meetings.models import Meeting
from minutes import canonical
from minutes.models import (
    DEFAULT_PARTIES,
    MAX_NARRATIVE_CHARS,
    MAX_NOTE_CHARS,
    Annotation,
    Minutes,
    MinutesVersion,
    Party,
    SignOff,
)
from minutes.record import meeting_record
from proposals import markup

MAX_FOLLOWUPS = 50


class MinutesError(Exception):
    """A refused action, with a translated message for the user."""


def parties(compound):
    """The compound's signing parties, the three by default (三方)."""
    existing = list(compound.parties.all())
    if existing:
        return existing
    with transaction.atomic():
        for position, name in enumerate(DEFAULT_PARTIES):
            Party.objects.get_or_create(compound=compound, name=name, defaults={"position": position})
    return list(compound.parties.all())


def minutes_of(meeting):
    """The meeting's minutes, drafted once the meeting has ended."""
    if meeting.status != Meeting.Status.CLOSED:
        raise MinutesError(_("Minutes are drafted once the meeting has ended."))
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    return minutes


def _locked(minutes):
    return Minutes.objects.select_for_update().select_related("meeting__compound").get(pk=minutes.pk)


def _check_draft(minutes):
    if minutes.status == Minutes.Status.PUBLISHED:
        raise MinutesError(_("These minutes are published and locked. Start a correction to change them."))


def _line(text, limit):
    text = markup.one_line(text)
    if len(text) > limit:
        raise MinutesError(_("Keep it shorter."))
    return text


@transaction.atomic
def edit_narrative(minutes, user, summary, items, followups):
    """The secretary's words: a summary of the meeting, a summary per agenda
    item, and follow-ups (what, who, by when). Any signature given before is
    for the text as it was: the parties sign again."""
    minutes = _locked(minutes)
    _check_draft(minutes)
    summary = markup.normalize(summary or "")
    known = {str(pk) for pk in minutes.meeting.items.values_list("pk", flat=True)}
    items = {
        key: markup.normalize(text) for key, text in (items or {}).items() if key in known and (text or "").strip()
    }
    cleaned = []
    for row in followups or []:
        what = _line(row.get("what"), 200)
        if not what:
            continue
        due = (row.get("due") or "").strip()
        cleaned.append({"what": what, "who": _line(row.get("who"), 100), "due": due[:10]})
    if len(cleaned) > MAX_FOLLOWUPS:
        raise MinutesError(_("At most %(n)d follow-ups.") % {"n": MAX_FOLLOWUPS})
    if len(summary) + sum(len(t) for t in items.values()) > MAX_NARRATIVE_CHARS:
        raise MinutesError(_("The minutes' text is too long."))
    minutes.narrative = {"summary": summary, "items": items, "followups": cleaned}
    minutes.revision += 1
    minutes.status = Minutes.Status.DRAFT
    minutes.save(update_fields=["narrative", "revision", "status"])
    return minutes


@transaction.atomic
def annotate(minutes, user, section, text):
    """A note on the factual record, which itself cannot be edited."""
    minutes = _locked(minutes)
    _check_draft(minutes)
    text = _line(text, MAX_NOTE_CHARS)
    if not text:
        raise MinutesError(_("The note is empty."))
    if section not in sections(meeting_record(minutes.meeting)):
        raise MinutesError(_("That part of the record does not exist."))
    note = Annotation.objects.create(minutes=minutes, section=section, text=text, by=user, by_name=staff_name(user))
    minutes.revision += 1
    minutes.status = Minutes.Status.DRAFT
    minutes.save(update_fields=["revision", "status"])
    return note


def sections(record):
    """The parts of the record a note may be attached to."""
    names = {"meeting", "attendance"}
    names |= {f"item:{item['id']}" for item in record["items"]}
    names |= {f"poll:{poll['id']}" for poll in record["polls"]}
    return names


@transaction.atomic
def ask_to_sign(minutes, user):
    """The secretary sends the draft to the parties."""
    minutes = _locked(minutes)
    _check_draft(minutes)
    parties(minutes.meeting.compound)
    minutes.status = Minutes.Status.SIGNING
    minutes.save(update_fields=["status"])
    return minutes


def _party_of(minutes, party, user):
    if party.compound_id != minutes.meeting.compound_id:
        raise MinutesError(_("That party does not sign for this compound."))
    if not party.members.filter(pk=user.pk).exists():
        raise MinutesError(_("Your account does not sign for %(party)s.") % {"party": party.name})


def signatures(minutes):
    """{party id: the sign-off for the current revision}."""
    return {s.party_id: s for s in minutes.signoffs.filter(revision=minutes.revision)}


@transaction.atomic
def sign(minutes, party, user):
    """A party signs the draft as it reads now; when every party has, the
    minutes are published."""
    minutes = _locked(minutes)
    if minutes.status != Minutes.Status.SIGNING:
        raise MinutesError(_("These minutes are not waiting for signatures."))
    _party_of(minutes, party, user)
    if party.pk in signatures(minutes):
        raise MinutesError(_("%(party)s has already signed this draft.") % {"party": party.name})
    SignOff.objects.create(
        minutes=minutes,
        revision=minutes.revision,
        party=party,
        decision=SignOff.Decision.SIGNED,
        by=user,
        by_name=staff_name(user),
    )
    if all(p.pk in signatures(minutes) for p in parties(minutes.meeting.compound)):
        return _publish(minutes, user)
    return None


@transaction.atomic
def decline(minutes, party, user, reason):
    """A party refuses to sign, with a reason: the draft goes back to the secretary."""
    minutes = _locked(minutes)
    if minutes.status != Minutes.Status.SIGNING:
        raise MinutesError(_("These minutes are not waiting for signatures."))
    _party_of(minutes, party, user)
    reason = _line(reason, 200)
    if not reason:
        raise MinutesError(_("Say why: the secretary sees the reason."))
    SignOff.objects.create(
        minutes=minutes,
        revision=minutes.revision,
        party=party,
        decision=SignOff.Decision.DECLINED,
        reason=reason,
        by=user,
        by_name=staff_name(user),
    )
    minutes.status = Minutes.Status.DRAFT
    minutes.revision += 1  # the signatures given so far were for the draft declined
    minutes.save(update_fields=["status", "revision"])
    return minutes


def content(minutes, number, published_at):
    """The canonical content of a version: the record read from its source
    now, the secretary's words and notes, and the parties' signatures."""
    record = meeting_record(minutes.meeting)
    signed = [
        {"party": s.party.name, "by": s.by_name, "at": s.at.isoformat()}
        for s in minutes.signoffs.filter(revision=minutes.revision, decision=SignOff.Decision.SIGNED).select_related(
            "party"
        )
    ]
    return {
        "version": number,
        "published_at": published_at.isoformat(),
        "correction": minutes.correction_reason,
        "record": record,
        "narrative": minutes.narrative,
        "annotations": [
            {"section": a.section, "text": a.text, "by": a.by_name, "at": a.at.isoformat()}
            for a in minutes.annotations.all()
        ],
        "signoffs": signed,
    }


def _publish(minutes, user):
    number = (minutes.latest.number if minutes.latest else 0) + 1
    now = timezone.now()
    body = content(minutes, number, now)
    # The audit chain as it stands at publication (the last sign-off is in
    # it), read under the chain's lock: printed with the minutes and covered
    # by their fingerprint, it pins every earlier entry.
    body["audit_chain"] = ledger.head(minutes.meeting.compound_id, lock=True)
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=number,
        content=body,
        fingerprint=canonical.fingerprint(body),
        reason=minutes.correction_reason,
        published_at=now,
        published_by=user,
    )
    minutes.status = Minutes.Status.PUBLISHED
    minutes.save(update_fields=["status"])
    return version


@transaction.atomic
def correct(minutes, user, reason):
    """Start a correction of published minutes: a new draft, which becomes a
    new version once signed; the published one stays readable, marked as
    superseded then."""
    minutes = _locked(minutes)
    if minutes.status != Minutes.Status.PUBLISHED:
        raise MinutesError(_("Only published minutes are corrected; this draft can simply be edited."))
    reason = _line(reason, 200)
    if not reason:
        raise MinutesError(_("Say what the correction is for: it is published with it."))
    minutes.status, minutes.correction_reason = Minutes.Status.DRAFT, reason
    minutes.revision += 1
    minutes.save(update_fields=["status", "correction_reason", "revision"])
    return minutes


@transaction.atomic
def mark_notice_posted(minutes, user):
    """The decision notice (决定公告) is up at the gate."""
    minutes = _locked(minutes)
    if minutes.notice_posted_at is None:
        minutes.notice_posted_at = timezone.now()
        minutes.save(update_fields=["notice_posted_at"])
    return minutes
