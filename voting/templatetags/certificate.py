"""Certificate helpers: the stored ids as the reader's words."""

from django import template

from voting import labels
from voting.models import RULE_CHOICES, Ballot, Poll

register = template.Library()


@register.filter
def rule_label(rule_id):
    return dict(RULE_CHOICES).get(rule_id, rule_id)


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
