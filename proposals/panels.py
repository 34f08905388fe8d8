"""Live panels of proposals: the text under debate and its amendments.

The proposal on the floor is the one placed on the meeting's current agenda
item. Its text is rendered block by block (each block from Markdown through
markdown-it and nh3, never raw HTML), the block under debate marked; an
amendment is shown as an inline diff.
"""

from django.db.models import Count

from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, once_per_render, panel
from proposals import diff, markup
from proposals.models import Amendment, Proposal
from proposals.record import amendment_ops, without_title

# Decided amendments stay listed a while, so a phone sees what became of its own.
RECENT_DECIDED = 5


def on_the_floor(meeting):
    """The proposal debated on the meeting's current item, or None."""
    if meeting.current_item_id is None:
        return None
    return (
        Proposal.objects.select_related("shown_amendment__result_version", "sponsor_household__unit__building")
        .filter(item_id=meeting.current_item_id)
        .first()
    )


def amendment_view(amendment):
    seconds = getattr(amendment, "n_seconds", None)
    if seconds is None:
        seconds = amendment.seconds.count()
    return {
        "amendment": amendment,
        # Who seconded, as the phones' seat tokens mark them (phone.js shows
        # "seconded" on a phone that has): only in the amendments list.
        "seconders": [s.household_id for s in amendment.seconds.all()] if seconds else [],
        "diff": diff.html(amendment_ops(amendment)),
        "seconds": seconds,
        "needed": max(0, amendment.seconds_required - seconds),
    }


def _floor(meeting):
    """The proposal on the floor, read once for all audiences and both panels of a push."""
    return once_per_render("proposal", lambda: on_the_floor(meeting))


def screen_facts(meeting):
    """What the projector's automatic choice needs (meetings/screen.py): a text under debate."""
    return {"proposal": _floor(meeting) is not None}


@panel("proposal", "proposals/panels/proposal.html")
def proposal_panel(meeting, audience):
    proposal = _floor(meeting)
    if proposal is None:
        return {"proposal": None}
    version, parts, blocks = once_per_render("proposal_text", lambda: _text(proposal))
    context = {"proposal": proposal, "version": version, "blocks": blocks}
    shown = proposal.shown_amendment
    if shown is not None:
        context.update(_where_shown(shown, proposal, parts))
    return context


def _text(proposal):
    """The current version, its blocks, and each shown block rendered (the
    same for every audience and language: rendered once per push)."""
    version = proposal.current
    parts = markup.blocks(version.body)
    blocks = [
        {
            "index": block.index,
            "kind": block.kind,
            "article": block.article,
            "html": markup.render(block.text),
            "focus": block.index == proposal.focus_block,
        }
        for block in without_title(version)
    ]
    return version, parts, blocks


def _where_shown(amendment, proposal, parts):
    """Where the amendment the facilitator shows goes in the text: `diff_at`
    (the diff replaces that block) or `diff_after` (the diff follows that
    block; -1: before the first). A pending amendment shows where it would
    change the text; an accepted one (just passed, say) shows its change in
    the new text, until the text changes again."""
    view = {"shown": amendment_view(amendment), "diff_at": None, "diff_after": None}
    if amendment.is_pending:
        if amendment.op == Amendment.Op.INSERT_AFTER:
            view["diff_after"] = amendment.block_index
        else:
            view["diff_at"] = amendment.block_index
        return view
    if amendment.status != Amendment.Status.ACCEPTED or amendment.result_version.number != proposal.version:
        return {}
    view["accepted"] = True
    if amendment.op == Amendment.Op.DELETE:
        view["diff_after"] = min(amendment.block_index, len(parts)) - 1
    else:
        at = next((block.index for block in parts if block.text == amendment.text), None)
        if at is None:
            return {}
        view["diff_at"] = at
    return view


@panel("amendments", "proposals/panels/amendments.html", audiences=(FACILITATOR, PROJECTOR, RESIDENT))
def amendments_panel(meeting, audience):
    proposal = _floor(meeting)
    if proposal is None:
        return {"proposal": None}
    pending, decided = once_per_render("amendments", lambda: _amendments(proposal))
    return {
        "proposal": proposal,
        "pending": pending,
        "decided": decided,
        "on_the_floor": sum(1 for a in pending if a["amendment"].status == Amendment.Status.FLOOR),
    }


def _amendments(proposal):
    """Pending amendments, and the latest decided ones, with their seconds and diffs."""
    amendments = list(
        proposal.amendments.annotate(n_seconds=Count("seconds")).prefetch_related("seconds").order_by("number")
    )
    pending = [amendment_view(a) for a in amendments if a.is_pending]
    decided = [amendment_view(a) for a in amendments if not a.is_pending][-RECENT_DECIDED:]
    return pending, decided
