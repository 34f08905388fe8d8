"""Template helpers for live pages: clocks the browser runs from server times."""

from django import template
from django.utils import timezone

from meetings.access import seat_token

register = template.Library()


@register.filter
def epoch_ms(value):
    """A datetime as milliseconds since the epoch (what JavaScript counts in)."""
    return int(value.timestamp() * 1000) if value else ""


@register.filter
def seconds(value):
    """A timedelta as whole seconds."""
    return int(value.total_seconds()) if value is not None else 0


@register.filter
def clock(total_seconds):
    """Seconds as m:ss, or -m:ss past zero (the server's first rendering of a
    clock; the browser takes over from there)."""
    total = int(total_seconds)
    sign, total = ("-" if total < 0 else ""), abs(total)
    return f"{sign}{total // 60}:{total % 60:02d}"


@register.filter
def seat(household_id, meeting):
    """A household's opaque mark on pages the room shares (access.seat_token)."""
    return seat_token(meeting.pk, household_id)


@register.simple_tag
def server_now_ms():
    return int(timezone.now().timestamp() * 1000)
