"""What happened in a meeting, read from its source: the factual part of the
minutes. Language-neutral data (ids, numbers, ISO times, stored texts), so one
record renders in either language and hashes the same.

Everything here may be published: households appear by building and unit
only, never by flat, name, phone or code; a person added to the queue by
name appears as "a person in the room"; polls appear with their counts as
their certificates state them, never with who chose what.
"""

from collections import Counter

from meetings.models import Attendance, FloorRequest
from proposals.models import Proposal
from proposals.record import amendment_ops, public_author
from voting import labels

SPOKE = (FloorRequest.Status.DONE, FloorRequest.Status.SPEAKING)


def _when(value):
    return value.isoformat() if value else None


def _speaker(request):
    if request.household_id:
        return {"kind": "household", "unit": public_author("", request.household)}
    return {"kind": "person", "unit": ""}


def meeting_record(meeting):
    """The factual record of `meeting` as plain data."""
    items = list(meeting.items.order_by("position", "id"))
    return {
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "kind": meeting.kind,
            "compound": meeting.compound.name,
            "place": meeting.place,
            "scheduled_start": _when(meeting.scheduled_start),
            "opened_at": _when(meeting.opened_at),
            "closed_at": _when(meeting.closed_at),
        },
        "staff": _staff(meeting),
        "attendance": _attendance(meeting),
        "items": [_item(item) for item in items],
        "polls": [_poll(poll) for poll in meeting.polls.order_by("opened_at", "id") if poll.certificate],
    }


def _staff(meeting):
    """Who ran it: the compound's facilitators and secretaries by name."""
    from compounds.models import StaffRole

    roles = StaffRole.objects.filter(
        compound=meeting.compound, role__in=[StaffRole.Role.FACILITATOR, StaffRole.Role.SECRETARY]
    ).select_related("user")
    names = {"facilitator": [], "secretary": []}
    for role in roles.order_by("user__username"):
        names[role.role].append(role.user.get_full_name() or role.user.get_username())
    return names


def _attendance(meeting):
    present = list(meeting.attendances.select_related("household__unit__building"))
    by_building = Counter(a.household.unit.building.name for a in present)
    sort_keys = {a.household.unit.building.name: a.household.unit.building.sort_key for a in present}
    return {
        "households": len(present),
        "by_phone": sum(1 for a in present if a.via == Attendance.Via.PHONE),
        "signed_in": sum(1 for a in present if a.via == Attendance.Via.STAFF),
        "by_building": [
            {"building": name, "households": count}
            for name, count in sorted(by_building.items(), key=lambda kv: sort_keys[kv[0]])
        ],
        "eligible": meeting.compound.households.voting().count(),
    }


def _item(item):
    speeches = (
        item.floor_requests.filter(status__in=SPOKE, started_at__isnull=False)
        .select_related("household__unit__building")
        .order_by("started_at", "id")
    )
    proposal = Proposal.objects.filter(item=item).first()
    return {
        "id": item.pk,
        "title": item.title,
        "planned_minutes": item.planned_minutes,
        "spent_seconds": round(item.elapsed().total_seconds()),
        "speakers": [{**_speaker(s), "stance": s.stance, "seconds": round(s.spoken_seconds())} for s in speeches],
        "proposal": _proposal(proposal) if proposal else None,
    }


def _proposal(proposal):
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "kind": proposal.kind,
        "status": proposal.status,
        "version": proposal.version,
        "amendments": [
            {
                "number": a.number,
                "op": a.op,
                "by": public_author(a.by_name, a.household),
                "reason": a.reason,
                "status": a.status,
                "seconds": a.seconds.count(),
                "decision_reason": a.decision_reason,
                "diff": [list(op) for op in amendment_ops(a)],
            }
            for a in proposal.amendments.select_related("household__unit__building").order_by("number")
        ],
        "decisions": [
            {
                "outcome": d.outcome,
                "version": d.version.number,
                "amendment": d.amendment.number if d.amendment_id else None,
                "poll": d.basis.get("poll"),
            }
            for d in proposal.decisions.select_related("version", "amendment")
        ],
    }


def _poll(poll):
    """A poll as its certificate states it: counts, rule, thresholds, outcome.
    Never who took part or how (not even for a named poll: the minutes are public)."""
    certificate = poll.certificate
    return {
        "id": poll.pk,
        "title": poll.title,
        "item": poll.item_id,
        "rule": poll.rule,
        "kind": poll.kind,
        "secret": poll.secret,
        "scope": poll.scope,
        "scope_label": certificate["poll"].get("scope_label", ""),
        "opened_at": certificate["poll"].get("opened_at"),
        "closed_at": certificate["poll"].get("closed_at"),
        "options": certificate.get("options", {}),
        "result": certificate["result"],
        "proposal": poll.proposal_id,
        "amendment": poll.amendment.number if poll.amendment_id else None,
    }


def decisions(record):
    """What the meeting decided, from its record: each poll's outcome, and
    each amendment accepted without a vote."""
    out = []
    for poll in record["polls"]:
        result = poll["result"]
        entry = {
            "kind": "poll",
            "title": poll["title"],
            "passed": bool(labels.deciding(result).get("passed")),
            # 通过 / 未通过 / 未产生有效决定 (None for a choice among options),
            # of the count the compound's rules make decisive.
            "outcome": labels.outcome_of(labels.deciding(result)),
            "poll": poll["id"],
        }
        if "winners" in result:
            # A choice among options chose some; a participatory budget funded some.
            names = poll["options"]
            entry["chosen"] = [names.get(str(option), option) for option in result["winners"]]
            entry["funded"] = result.get("kind") == "budget"
        out.append(entry)
    for item in record["items"]:
        proposal = item["proposal"]
        if not proposal:
            continue
        voted = {d["amendment"] for d in proposal["decisions"] if d["amendment"]}
        for amendment in proposal["amendments"]:
            if amendment["status"] == "accepted" and amendment["number"] not in voted:
                out.append(
                    {
                        "kind": "amendment",
                        "title": proposal["title"],
                        "amendment": amendment["number"],
                        "passed": True,
                        "poll": None,
                    }
                )
    return out
