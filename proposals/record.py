"""A proposal's record as data: what the JSON page serves and the minutes
will draw on. Only what is public (no household codes, no staff accounts
beyond the names the record prints)."""

from proposals import diff, markup
from proposals.models import Amendment


def public_author(name, household):
    """How pages anyone can read name an author: staff by name; a household
    by its building and unit only (3幢2单元), not its flat. The room and the
    staff pages, which know who is in the meeting, show the flat."""
    if household is None:
        return name
    return f"{household.unit.building.name}{household.unit.name}"


def without_title(version):
    """The version's blocks without a leading heading that repeats its title:
    pages print the title once, above the text."""
    blocks = markup.blocks(version.body)
    if blocks and blocks[0].kind == "heading" and markup.plain(blocks[0].text).strip() == version.title:
        return blocks[1:]
    return blocks


def rendered_text(version):
    """The version's text as safe HTML, without the repeated title."""
    return markup.render(markup.join([block.text for block in without_title(version)]))


def _when(value):
    return value.isoformat() if value else None


def amendment_ops(amendment):
    """The amendment as diff ops of the block it changes."""
    if amendment.op == Amendment.Op.DELETE:
        return [("-", amendment.original)]
    if amendment.op == Amendment.Op.INSERT_AFTER:
        return [("+", amendment.text)]
    return diff.diff(amendment.original, amendment.text)


def proposal_record(proposal, upto=None):
    """The record up to version `upto` (default: all of it; the public page
    of a convention whose revision is a draft stops at the text in force)."""
    versions = list(proposal.versions.select_related("by_household__unit__building", "amendment").order_by("number"))
    if upto is not None:
        versions = [v for v in versions if v.number <= upto.number]
    current = versions[-1] if versions else None
    comments = list(proposal.comments.all())
    return {
        "id": proposal.pk,
        "compound": proposal.compound.name,
        "kind": proposal.kind,
        "title": proposal.title,
        "status": proposal.status,
        "text": current.body if current else "",
        "text_plain": markup.plain(current.body) if current else "",
        "version": current.number if current else 0,
        "micro_project": (
            {
                "sponsor": proposal.sponsor_name or public_author("", proposal.sponsor_household),
                "budget_yuan": str(proposal.budget) if proposal.budget is not None else None,
                "funding": proposal.funding,
                "location": proposal.location,
                "timeline": proposal.timeline,
                "beneficiaries": proposal.beneficiaries,
            }
            if proposal.kind == proposal.Kind.MICRO_PROJECT
            else None
        ),
        "versions": [
            {
                "number": v.number,
                "title": v.title,
                "by": public_author(v.by_name, v.by_household),
                "at": _when(v.created_at),
                "reason": v.reason,
                "amendment": v.amendment.number if v.amendment_id else None,
                "diff": diff.flatten(
                    diff.block_diff(
                        [b.text for b in markup.blocks(previous.body)] if previous else [],
                        [b.text for b in markup.blocks(v.body)],
                    )
                ),
            }
            for previous, v in zip([None, *versions[:-1]], versions, strict=True)
        ],
        "amendments": [
            {
                "number": a.number,
                "op": a.op,
                "block": a.block_index,
                "base_version": a.base_version.number,
                "by": public_author(a.by_name, a.household),
                "at": _when(a.created_at),
                "reason": a.reason,
                "status": a.status,
                "seconds": a.seconds.count(),
                "seconds_required": a.seconds_required,
                "decision_reason": a.decision_reason,
                "decided_at": _when(a.decided_at),
                "result_version": a.result_version.number if a.result_version_id else None,
                "diff": [list(op) for op in amendment_ops(a)],
            }
            for a in proposal.amendments.select_related(
                "base_version", "result_version", "household__unit__building"
            ).order_by("number")
            if current is None or a.base_version.number <= current.number
        ],
        "notice": {
            "starts": _when(proposal.notice_starts),
            "ends": _when(proposal.notice_ends),
            "comments": len(comments),
            "hidden_comments": sum(1 for c in comments if c.hidden_at),
        },
        "decisions": [
            {
                "outcome": d.outcome,
                "version": d.version.number,
                "amendment": d.amendment.number if d.amendment_id else None,
                "at": _when(d.decided_at),
                "poll": d.basis,
            }
            for d in proposal.decisions.select_related("version", "amendment")
        ],
    }
