"""In-person sign-in (签到): staff mark present the households without a phone.

One page per meeting, for the facilitator and the community worker, on a
laptop or the worker's phone: search by room or owner name, sign in, undo.
It is live: a household joining by phone, or signed in on another device,
shows without a reload.
Each button is an htmx POST that answers with its household's row redrawn
(and the counts out of band); without htmx, a redirect with a message.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compounds.models import Household
from deliberation.realtime import FACILITATOR
from meetings import access, actions, signin
from meetings.models import Attendance
from meetings.models.meeting import AttendanceLog
from meetings.routing import live_path

Role = access.Role
SIGN_IN_ROLES = (Role.FACILITATOR, Role.WORKER)
QUERY_MAX = 60
LOG_SHOWN = 30


def _query(data):
    # Printable characters only: PostgreSQL refuses a NUL in a query.
    query = "".join(ch for ch in (data.get("q") or "")[: QUERY_MAX * 2] if ch.isprintable())
    return query.strip()[:QUERY_MAX]


def _page_url(meeting, query=""):
    url = reverse("signin", kwargs={"meeting_id": meeting.pk})
    return f"{url}?{urlencode({'q': query})}" if query else url


def _counts(meeting):
    present = Attendance.objects.filter(meeting=meeting)
    return {"present": present.count(), "by_staff": present.filter(via=Attendance.Via.STAFF).count()}


def _context(meeting, query, rows, **extra):
    return {
        "meeting": meeting,
        "query": query,
        "rows": rows,
        "can_sign_in": meeting.is_open_to_residents,
        **_counts(meeting),
        **extra,
    }


@access.staff_required(*SIGN_IN_ROLES)
def signin_page(request, meeting, compound):
    query = _query(request.GET)
    if query:
        households, more = signin.search(compound, query)
    else:
        households, more = signin.staff_signed_in(meeting)
    context = _context(meeting, query, signin.rows(meeting, households), more=more, log=_log(meeting))
    if request.htmx and request.htmx.target == "signin-results":
        # The list for a search, or redrawn because the room changed
        # (static/js/signin.js): with the counts and the record out of band.
        return render(request, "meetings/includes/signin_refresh.html", context)
    # The page follows the room: it listens to the facilitator's audience
    # (which the facilitator and the worker may watch) and, when attendance
    # changes anywhere (a phone joins, a colleague signs someone in), asks
    # for its list again.
    context.update(
        {
            "rev": meeting.revision,
            "live_url": live_path(meeting, FACILITATOR),
            "live_language": request.LANGUAGE_CODE,
        }
    )
    return render(request, "meetings/signin.html", context)


def _log(meeting):
    log = AttendanceLog.objects.filter(meeting=meeting).select_related("household__unit__building")
    return log[:LOG_SHOWN]


def _household(compound, value):
    """The compound's household with id `value`, or None (a bad or foreign id)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 18:  # not an id, or beyond any integer column
        return None
    return Household.objects.filter(compound=compound, pk=int(value)).select_related("unit__building").first()


def _hhmm(moment):
    return timezone.localtime(moment).strftime("%H:%M")


def _signed_in_note(household, attendance, created):
    if created:
        return _("%(household)s is signed in.") % {"household": household}
    if attendance.via == Attendance.Via.PHONE:
        return _("%(household)s is already present: it joined with its own phone at %(time)s.") % {
            "household": household,
            "time": _hhmm(attendance.joined_at),
        }
    return _("%(household)s was already signed in by %(name)s at %(time)s.") % {
        "household": household,
        "name": actions.staff_name(attendance.signed_in_by) or "—",
        "time": _hhmm(attendance.signed_in_at or attendance.joined_at),
    }


@require_POST
@access.staff_required(*SIGN_IN_ROLES)
def signin_action(request, meeting, compound):
    query = _query(request.POST)
    back = _page_url(meeting, query)
    action = request.POST.get("action")
    household = _household(compound, request.POST.get("household"))
    if action not in ("sign_in", "undo"):
        return _answer(request, meeting, back, query, None, error=_("Unknown action."))
    if household is None:
        return _answer(
            request, meeting, back, query, None, error=_("No such household in this compound. Please search again.")
        )
    note = error = None
    try:
        if action == "sign_in":
            attendance, created = actions.sign_in(meeting, household, request.user)
            note = _signed_in_note(household, attendance, created)
        elif actions.undo_sign_in(meeting, household, request.user):
            note = _("Sign-in undone: %(household)s is no longer present.") % {"household": household}
        else:
            note = _("%(household)s is not present: nothing to undo (someone may have undone it already).") % {
                "household": household
            }
    except actions.ActionError as refusal:
        error = str(refusal)
    return _answer(request, meeting, back, query, household, note=note, error=error)


def _answer(request, meeting, back, query, household, note=None, error=None):
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, note)
        return redirect(back)
    if household is None:
        # No row to redraw: the message goes to the page's flash area.
        response = render(request, "includes/flash.html", {"error": error})
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    row = signin.rows(meeting, [household])[0]
    context = _context(meeting, query, [row], row=row, note=note, error=error, oob=True, log=_log(meeting))
    # 200 even for a refusal: htmx swaps only 2xx, and the message belongs in the row.
    return render(request, "meetings/includes/signin_row.html", context)
