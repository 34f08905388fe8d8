"""Certificate helpers: the stored ids as the reader's words."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext, gettext_lazy, ngettext

from voting import equal_shares, labels
from voting.models import RULE_CHOICES, Ballot, Poll

register = template.Library()


@register.filter
def rule_label(rule_id):
    return dict(RULE_CHOICES).get(rule_id, rule_id)


@register.filter
def outcome(result):
    """A stored result's outcome: "passed", "failed" or "no_valid_decision"
    (certificates older than the third outcome included); None for options."""
    return labels.outcome_of(result)


@register.filter
def outcome_label(result):
    """Adopted / Not adopted / No valid decision (通过 / 未通过 / 未产生有效决定)."""
    return labels.outcome_label(result)


@register.filter
def deciding(result):
    """The count the decision follows (voting.labels.deciding)."""
    return labels.deciding(result)


@register.filter
def other_tallies(result):
    """The tallies counted beside the strict one, in order: [(kind, result)]
    for "follow_majority" (随多数 ballots with the majority) and "silence"."""
    return [(kind, result[kind]) for kind in ("follow_majority", "silence") if (result or {}).get(kind)]


@register.filter
def choice_label(choice):
    return labels.choice_label(choice)


@register.filter
def channel_label(channel):
    return Ballot.Channel(channel).label if channel in Ballot.Channel.values else channel


@register.filter
def scope_label(scope):
    return Poll.Scope(scope).label if scope in Poll.Scope.values else scope


@register.filter
def tie_break_label(rule):
    return Poll.TieBreak(rule).label if rule in Poll.TieBreak.values else rule


@register.filter
def option_labels(labels, option_ids):
    """Several options' labels, joined as one writes a list: A、B、C."""
    return "、".join(str(labels.get(str(o), o)) for o in option_ids or ())


@register.filter
def condition_label(name):
    return labels.condition_label(name)


@register.filter
def iso_datetime(value):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if value else None


@register.filter
def option_label(labels, option_id):
    return labels.get(str(option_id), option_id)


# A threshold as words: "more than half", not "> 1/2".
SHARES = {"1/2": gettext_lazy("half"), "2/3": gettext_lazy("two thirds"), "3/4": gettext_lazy("three quarters")}


def _percent(part, whole):
    """part / whole as a percentage for reading: "100%", "66.67%"; "—" for nothing to divide."""
    try:
        part, whole = Decimal(str(part)), Decimal(str(whole))
    except InvalidOperation:
        return "—"
    if not whole:
        return "—"
    share = (part * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{share.normalize() if share == share.to_integral() else share:f}%"


@register.simple_tag
def condition_text(condition):
    """One condition of a certificate in words: "approval by households: 4 of
    4 households (100%), more than half required — met ✓"."""
    part, whole = condition["numerator"], condition["denominator"]
    numbers = {"part": part, "whole": whole, "percent": _percent(part, whole)}
    measure = condition.get("measure")
    if measure == "area":
        measured = gettext("%(part)s of %(whole)s m² of area (%(percent)s)") % numbers
    elif measure == "heads":
        measured = (
            ngettext(
                "%(part)s of %(whole)s owner (%(percent)s)", "%(part)s of %(whole)s owners (%(percent)s)", int(whole)
            )
            % numbers
        )
    else:
        measured = (
            ngettext(
                "%(part)s of %(whole)s household (%(percent)s)",
                "%(part)s of %(whole)s households (%(percent)s)",
                int(whole),
            )
            % numbers
        )
    share = SHARES.get(condition["threshold"], condition["threshold"])
    if condition["inclusive"]:
        required = gettext("at least %(share)s required") % {"share": share}
    else:
        required = gettext("more than %(share)s required") % {"share": share}
    verdict = gettext("met ✓") if condition["met"] else gettext("not met ✗")
    return gettext("%(condition)s: %(measured)s, %(required)s — %(verdict)s") % {
        "condition": labels.condition_label(condition["name"]),
        "measured": measured,
        "required": required,
        "verdict": verdict,
    }


@register.filter
def money(amount):
    """A stored amount ("12833.33") as the reader reads money (labels.money)."""
    return labels.money(amount)


@register.filter
def unfunded_reason(project):
    """Why a project of a participatory budget was not funded, with its numbers."""
    if project.get("reason") == equal_shares.NOBODY_APPROVED:
        return gettext("No household approved it.")
    return ngettext(
        "Its %(n)d supporter had %(available)s left of their share; it costs %(cost)s (%(short)s short).",
        "Its %(n)d supporters had %(available)s left of their shares; it costs %(cost)s (%(short)s short).",
        project["approvals"],
    ) % {
        "n": project["approvals"],
        "available": money(project["available"]),
        "cost": money(project["cost"]),
        "short": money(project["short_by"]),
    }


@register.filter
def payments_text(project):
    """How a funded project's cost was shared: equal payments, and those
    who paid less because it was all they had left."""
    groups = project.get("paid") or []
    parts = []
    for n, group in enumerate(groups):
        values = {"n": group["households"], "amount": money(group["amount"])}
        if n == 0:
            parts.append(
                ngettext(
                    "%(n)d household paid %(amount)s", "%(n)d households paid %(amount)s each", group["households"]
                )
                % values
            )
        else:
            parts.append(
                ngettext(
                    "%(n)d paid %(amount)s, all it had left",
                    "%(n)d paid %(amount)s each, all they had left",
                    group["households"],
                )
                % values
            )
    # The separator between the groups, as each language writes a list of clauses.
    return gettext("; ").join(parts)
