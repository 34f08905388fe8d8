"""The counting rules' labels in the reader's language.

voting/tally.py is pure Python: its labels (choices, conditions, rules) are
plain English strings marked for makemessages. They are translated here, at
the edge, lazily, so a panel context can be rendered in every language.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy

from voting import tally


def choice_label(choice):
    """赞成 / 反对 / 弃权 for a yes/no choice; anything else as it is."""
    label = tally.CHOICE_LABELS.get(choice)
    return choice if label is None else gettext_lazy(label)


def condition_label(name):
    """How a certificate names a condition: 按面积的参与率, ..."""
    condition = tally.CONDITIONS.get(name)
    return name if condition is None else gettext_lazy(condition[2])


def rule_label(rule_id):
    rule = tally.RULES.get(rule_id)
    return rule_id if rule is None else gettext_lazy(rule.label)


def outcome_of(result):
    """tally.PASSED, FAILED or NO_VALID_DECISION of a stored yes/no result
    (certificate JSON); None for a choice among options, which has no such
    outcome. Results stored before the third outcome have no "outcome": it is
    what their quorum_met and passed say (too few taking part is no valid
    decision, 未产生有效决定, not a rejection)."""
    if not result or "passed" not in result:
        return None
    if result.get("outcome") in tally.OUTCOMES:
        return result["outcome"]
    return tally.outcome_of(result.get("quorum_met", True), bool(result["passed"]))


def deciding(result):
    """The count that decides a stored yes/no result: the silence count where
    the compound's rules adopt that rule (MOHURD 指导规则 Art. 26(2)), else the
    随多数 count where such ballots were cast, else the strict count. The
    certificate shows every count; this is the one the decision follows."""
    if not result:
        return result
    return result.get("silence") or result.get("follow_majority") or result


def decided_by(result):
    """ "silence", "follow_majority" or "strict": which count decides."""
    for kind in ("silence", "follow_majority"):
        if (result or {}).get(kind):
            return kind
    return "strict"


# The pages' words for an outcome (通过 / 未通过 / 未产生有效决定).
OUTCOME_PAGE_LABELS = {
    tally.PASSED: gettext_lazy("Adopted"),
    tally.FAILED: gettext_lazy("Not adopted"),
    tally.NO_VALID_DECISION: gettext_lazy("No valid decision"),
}


def outcome_label(result):
    """Adopted / Not adopted / No valid decision for a stored yes/no result; "" for options."""
    return OUTCOME_PAGE_LABELS.get(outcome_of(result), "")


def outcome_word(outcome):
    """passed / failed / no valid decision (通过 / 未通过 / 未产生有效决定)."""
    label = tally.OUTCOME_LABELS.get(outcome)
    return outcome if label is None else gettext_lazy(label)


def money(amount):
    """An amount in yuan ("12833.33", a Decimal) as the reader reads money:
    ¥12,833.33, whole yuan without the fen (¥38,000)."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError):
        return amount
    if not value.is_finite():
        return amount
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"¥{text}"
