"""The counting rules' labels in the reader's language.

voting/tally.py is pure Python: its labels (choices, conditions, rules) are
plain English strings marked for makemessages. They are translated here, at
the edge, lazily, so a panel context can be rendered in every language.
"""

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
