"""Live panels of the meeting pages, and meetings as the realtime core's rooms.

Each context function reads what one audience sees; it is called once per
audience per push, never once per socket, so it must not depend on who looks.
The panels register themselves on import; MeetingsConfig.ready registers the
room functions at the end of this module (deliberation/realtime/rooms.py).
"""

from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models import Household
from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT, once_per_render, panel
from meetings import access, floor, notices, projector, queue, screen
from meetings.models import Attendance, FloorRequest, Meeting


@panel("status", "meetings/panels/status.html")
def status(meeting, audience):
    return {}


def joined_counts(meeting):
    """Households joined and households that may join (voting kinds, active)."""
    eligible = Household.objects.filter(compound_id=meeting.compound_id).voting()
    return meeting.attendances.count(), eligible.count()


@panel("attendance", "meetings/panels/attendance.html", audiences=(FACILITATOR, PROJECTOR, RESIDENT), coalesce=True)
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


@panel("agenda", "meetings/panels/agenda.html")
def agenda(meeting, audience):
    items = list(meeting.items.order_by("position", "id"))
    current = next((item for item in items if item.pk == meeting.current_item_id), None)
    position = items.index(current) if current else -1
    return {
        "items": items,
        "current": current,
        "current_number": position + 1,
        "upcoming": [item for item in items[position + 1 :] if not item.done],
        "now": timezone.now(),
    }


def item_floor(meeting):
    """The current item's requests for the floor (meetings/floor.py), read
    once for the speaker, the queue and the screen of all audiences of a push."""
    return once_per_render("floor", lambda: floor.floor_of(meeting.current_item))


@panel("speaker", "meetings/panels/speaker.html")
def speaker(meeting, audience):
    speech = item_floor(meeting).speech
    context = {"item": meeting.current_item, "speech": speech}
    if speech:
        context["elapsed"] = speech.spoken_seconds()
        context["remaining"] = speech.limit_seconds - context["elapsed"]
    return context


REASONS = {
    queue.R_ORDER: _("point of order first"),
    queue.R_PINNED: _("placed by the chair"),
    queue.R_FIRST_TIME: _("has not spoken yet"),
    queue.R_ALTERNATE: _("alternates for and against"),
    queue.R_ARRIVAL: _("first come"),
}


@panel("queue", "meetings/panels/queue.html")
def speaker_queue(meeting, audience):
    ordered = once_per_render("queue", lambda: item_floor(meeting).ordered(meeting))
    entries = [{"request": request, "reason": REASONS[reason]} for request, reason in ordered]
    context = {
        "item": meeting.current_item,
        "entries": entries[:3] if audience == PROJECTOR else entries,
        "waiting": len(entries),
        "stances": FloorRequest.Stance,
        "limit": meeting.speeches_per_item,
    }
    if audience == RESIDENT:
        # (value, label, limited): for and against count towards the limit.
        context["stance_buttons"] = [
            (value, label, value in queue.SIDES) for value, label in FloorRequest.Stance.choices
        ]
        context["spoken"] = spoken_marks(meeting)
    return context


def spoken_marks(meeting):
    """The current item's for/against speeches per household, as "seat:count"
    marks: the panel is the same for every phone, and each phone finds its own
    count by its seat (static/js/phone.js), to say how often it has spoken and
    to disable for and against once it reached the limit. Only the current
    item's speeches count, so a new item starts every household at zero."""
    item = meeting.current_item
    if item is None:
        return ""
    counts = item_floor(meeting).spoken_by_household
    return " ".join(f"{access.seat_token(meeting.pk, h)}:{n}" for h, n in sorted(counts.items()))


SHOWN = {
    Meeting.Screen.SPEAKER: _("the speaker"),
    Meeting.Screen.RESULT: _("the result"),
    Meeting.Screen.TEXT: _("the text under debate"),
    Meeting.Screen.AGENDA: _("the agenda"),
    screen.POLL: _("the vote"),
    screen.ENDED: _("what the meeting decided"),
}


# What the projector shows (meetings/screen.py): the projector's page lays
# itself out by it; the console has the facilitator's buttons. It depends on
# the speaker, the poll, the item and its text, so it is pushed with them.
@panel(
    "screen",
    "meetings/panels/screen.html",
    audiences=(FACILITATOR, PROJECTOR),
    follows=("status", "agenda", "speaker", "poll", "proposal"),
)
def projector_screen(meeting, audience):
    room = once_per_render("room", lambda: projector.room_of(meeting, item_floor(meeting)))
    shown = screen.resolve(meeting.screen, room)
    context = {"shown": shown, "beside": screen.beside_speaker(room)}
    if audience == FACILITATOR:
        available = screen.choices(room)
        context.update(
            {
                "choice": meeting.screen,
                "choices": [(value, label, value in available) for value, label in Meeting.Screen.choices],
                "shown_label": SHOWN[shown],
            }
        )
    return context


# The notice, the deadlines of the jurisdiction and how many were served: on
# the console, pushed when a notice or a service entry is written, and with
# the status and the poll (a close is a deadline met).
@panel("deadlines", "meetings/panels/deadlines.html", audiences=(FACILITATOR,), follows=("status", "poll"))
def deadlines(meeting, audience):
    notice = notices.meeting_notice(meeting)
    if notice is None and not notices.follows_the_book(meeting):
        return {"notice": None, "optional": True}
    joined, eligible = joined_counts(meeting)
    return {
        "notice": notice,
        "latest": notices.latest(meeting),
        "profile": notices.profile(meeting),
        "by_the_book": notices.follows_the_book(meeting),
        # The labels are meetings.deadlines' English, translated at render.
        "deadlines": [(deadline, _(deadline.label)) for deadline in notices.deadlines_of(meeting)],
        "served": len(notices.served_household_ids(meeting)),
        "eligible": eligible,
    }


# --- Meetings as the realtime core's rooms --------------------------------------


def load_meeting(meeting_id):
    """The meeting with what the panels read of it besides (its compound)."""
    return Meeting.objects.select_related("compound").get(pk=meeting_id)


def bump_revision(meeting_id, touch=False):
    if touch:
        Meeting.objects.filter(pk=meeting_id).update(revision=F("revision") + 1)
    else:
        Meeting.objects.filter(pk=meeting_id).update(revision=F("revision") + 1, pushed_revision=F("revision") + 1)


def revisions(meeting_ids):
    return dict(Meeting.objects.filter(pk__in=meeting_ids).values_list("pk", "revision"))
