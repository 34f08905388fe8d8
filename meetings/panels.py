"""Live panels of the meeting pages, registered with the realtime core.

Each context function reads what one audience sees; it is called once per
audience per push, never once per socket, so it must not depend on who looks.
"""

from django.db.models import Count

from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, panel
from meetings.models import Attendance, Household


@panel("status", "meetings/panels/status.html")
def status(meeting, audience):
    return {}


def joined_counts(meeting):
    """Households joined and households that may join (voting kinds, active)."""
    eligible = Household.objects.filter(compound_id=meeting.compound_id, is_active=True).exclude(
        kind=Household.Kind.PARKING
    )
    return meeting.attendances.count(), eligible.count()


@panel("attendance", "meetings/panels/attendance.html", audiences=(FACILITATOR, PROJECTOR, RESIDENT))
def attendance(meeting, audience):
    joined, eligible = joined_counts(meeting)
    context = {"joined": joined, "eligible": eligible}
    if audience == FACILITATOR:
        context["by_building"] = (
            Attendance.objects.filter(meeting=meeting)
            .values("household__unit__building__name", "household__unit__building__sort_key")
            .annotate(n=Count("id"))
            .order_by("household__unit__building__sort_key")
        )
        context["recent"] = (
            Attendance.objects.filter(meeting=meeting)
            .select_related("household__unit__building")
            .order_by("-joined_at", "-id")[:12]
        )
    return context
