"""The result certificate (电子表决结果), written once when a poll closes.

It keeps what a court would ask for (DOMAIN.md, "Publication"): who could
vote, who did (for a secret poll, not how), the counts by heads and by area,
the rule and its thresholds as numbers, the outcome, and the times. Labels
are rendered in the reader's language from the stored ids.
"""

from django.utils import timezone

from voting.models import choice_text


def build_certificate(poll, result, ballots):
    meeting = poll.meeting
    participants = sorted(
        (
            {
                "household": b.household.label,
                "channel": b.channel,
                **({} if poll.secret else {"choice": b.choice, "choice_text": choice_text(poll, b.choice)}),
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
    }


def scope_label(poll):
    if poll.scope == poll.Scope.BUILDINGS:
        return "、".join(b.name for b in poll.buildings.all())
    if poll.scope == poll.Scope.UNIT and poll.building_unit_id:
        return str(poll.building_unit)
    return ""
