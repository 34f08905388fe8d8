"""The result certificate (电子表决结果), written once when a poll closes.

It keeps what a court would ask for (DOMAIN.md, "Publication"): who could
vote, who did (for a secret poll, not how), the counts by heads and by area,
the rule and its thresholds as numbers, the outcome, and the times. Labels
are rendered in the reader's language from the stored ids.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.canonical import fingerprint
from meetings import notices
from voting import budget_round, labels
from voting.frozen import frozen_ids
from voting.models import Poll, choice_text


def build_certificate(poll, result, ballots):
    meeting = poll.meeting
    participants = sorted(
        (
            {
                "household": b.household.label,
                "channel": b.channel,
                **({} if poll.secret else {"choice": b.choice, "choice_text": choice_text(poll, b.choice)}),
                **(budget_paid(result, b.household_id) if poll.is_budget and not poll.secret else {}),
            }
            for b in ballots
        ),
        key=lambda p: p["household"],
    )
    return {
        "poll": {
            "id": poll.pk,
            "title": poll.title,
            "text": poll.text,
            "rule": poll.rule,
            "kind": poll.kind,
            "secret": poll.secret,
            "scope": poll.scope,
            "scope_label": scope_label(poll),
            "compound": meeting.compound.name,
            "meeting": meeting.title,
            "opened_at": poll.opened_at.isoformat() if poll.opened_at else None,
            "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
        },
        "result": result.as_json_dict(),
        "options": {str(o.pk): o.label for o in poll.options.all()},
        "participants": participants,
        "written_at": timezone.now().isoformat(),
        **procedure(poll, ballots, result),
    }


def budget_paid(result, household_id):
    """A named participatory budget: the household's share, and what it paid
    for ({option id: yuan}), which its phone shows after the count. Never
    for a secret one: what a share paid for tells what it approved."""
    key = str(household_id)
    share = result.share_of(key)
    if share is None:
        return {}  # area shares: a household without area holds none
    paid = result.paid_by(key)
    return {
        "share": budget_round.yuan(share),
        "paid": {option: budget_round.yuan(amount) for option, amount in paid.items()},
        "paid_total": budget_round.yuan(sum(paid.values())),
    }


def procedure(poll, ballots, result):
    """What the certificate says of the procedure around the count (issue 15):
    the electorate's frozen version, the counting clauses quoted, how the
    electorate was served, and whether the topic was announced."""
    meeting = poll.meeting
    out = {}
    voters = frozen_ids(poll)
    if voters is not None:
        out["electorate"] = {"version": poll.electorate_version, "households": len(voters)}
        served = notices.served_household_ids(meeting) & voters
        returned = {b.household_id for b in ballots} & voters
        out["service"] = {
            "households": len(voters),
            "served": len(served | returned),
            "returned": len(returned),
            "silent": len(served - returned),
            "unserved": len(voters - served - returned),
            "postings": notices.postings(meeting).count(),
        }
    if poll.clauses:
        out["clauses"] = poll.clauses
    if not poll.has_options:
        out["decided_by"] = labels.decided_by(result.as_json_dict())
    notice = notices.meeting_notice(meeting)
    if notice is not None:
        out["notice"] = {
            "title": notice.title,
            "published_at": notice.published_at.isoformat(),
            "announced": poll.item_id is not None and poll.item_id in notice.topic_ids,
        }
    return out


def scope_label(poll):
    if poll.scope == poll.Scope.BUILDINGS:
        return "、".join(b.name for b in poll.buildings.all())
    if poll.scope == poll.Scope.UNIT and poll.building_unit_id:
        return str(poll.building_unit)
    return ""


def unchanged_since_close(payload):
    """Verifying the audit chain: is the certificate of a "poll closed"
    entry still the one whose SHA-256 the entry holds? A problem (translated)
    or None."""
    stored = Poll.objects.filter(pk=payload.get("poll")).values_list("certificate", flat=True).first()
    if stored is None:
        return _("the poll it closed, or its certificate, no longer exists")
    if fingerprint(stored) != payload.get("certificate_sha256"):
        return _("the poll's certificate was changed after the close")
    return None
