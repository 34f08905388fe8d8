"""What the minutes' template needs to word stored data in the reader's
language: labels of stored ids, durations, Markdown, and the notes and
narrative attached to a part of the record."""

from django import template
from django.utils.safestring import mark_safe

from meetings.models import FloorRequest, Meeting
from minutes.record import decisions
from proposals import markup
from proposals.models import Amendment, Proposal

register = template.Library()


def _label(choices, value):
    return choices(value).label if value in choices.values else value


@register.filter
def stance_label(value):
    return _label(FloorRequest.Stance, value)


@register.filter
def meeting_kind(value):
    return _label(Meeting.Kind, value)


@register.filter
def proposal_status(value):
    return _label(Proposal.Status, value)


@register.filter
def amendment_status(value):
    return _label(Amendment.Status, value)


@register.filter
def markdown(source):
    """What the secretary wrote, through the same parser and sanitiser as proposals."""
    return mark_safe(markup.render(source or ""))  # noqa: S308 - markup.render sanitises with nh3


@register.simple_tag
def narrative(doc, item_id):
    return (doc.get("narrative") or {}).get("items", {}).get(str(item_id), "")


@register.simple_tag
def decisions_of(doc):
    """What the meeting decided, from the record the document holds."""
    return decisions(doc["record"])


@register.inclusion_tag("minutes/includes/notes.html")
def notes(doc, section):
    return {"notes": [note for note in doc.get("annotations", []) if note["section"] == str(section)]}
