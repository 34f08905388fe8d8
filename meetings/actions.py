"""Meeting writes that others see. Each checks, writes, bumps the meeting's
revision and broadcasts the panels it changed after commit.

Views and consumers call these; nothing else changes a meeting's live state
(tests/test_architecture.py checks that no other module calls the realtime
write API). Sections: the meeting, who is present, the agenda, the floor,
the projector, and what compounds' writes ask of open meetings.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliberation.realtime import broadcast_on_commit, bump, tell_sockets_on_commit, touch_on_commit
from meetings import deadlines, extensions, notices, projector, queue, screen
from meetings.floor import current_speech, floor_of, spoken_counts
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceLog,
    FloorRequest,
    Meeting,
    Notice,
    Posting,
    RosterCorrection,
    Service,
)

# A join, a sign-in or its undo changes who is present, and with it the
# electorate of a poll of the households present (its live turnout).
ATTENDANCE_PANELS = ("attendance", "turnout")


class ActionError(Exception):
    """A refused action, with a translated message for the user."""


def open_meeting(meeting):
    """Go live: the projector and phones switch to the meeting room."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CLOSED:
            raise ActionError(_("This meeting is closed and cannot be opened again."))
        if meeting.status == Meeting.Status.LIVE:
            return meeting
        if notices.follows_the_book(meeting):
            _check_opening_day(meeting)
        meeting.status = Meeting.Status.LIVE
        meeting.opened_at = meeting.opened_at or timezone.now()
        meeting.save(update_fields=["status", "opened_at"])
        bump(meeting.pk)
        broadcast_on_commit(meeting.pk)  # every panel depends on the status
    return meeting


def _check_opening_day(meeting):
    """An owners' meeting opens as its notice said: not without one, and not
    before the day it announced (its votes open no earlier than the hour)."""
    current = notices.window(meeting)
    if current is None:
        raise ActionError(_("An owners' meeting opens only after its notice is published."))
    if timezone.localdate() < timezone.localtime(current[0]).date():
        raise ActionError(
            _("The notice announced this meeting for %(date)s; it cannot open earlier.") % {"date": _date(current[0])}
        )


def close_meeting(meeting):
    """End the meeting: residents' joins end with it, and so do the current
    item's clock and speech (the record keeps the time it really took)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CLOSED:
            return meeting
        _leave_current(meeting)
        meeting.status = Meeting.Status.CLOSED
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["status", "closed_at"])
        bump(meeting.pk)
        broadcast_on_commit(meeting.pk)  # every panel depends on the status
    return meeting


def join_meeting(meeting, household, via=Attendance.Via.PHONE):
    """Record that a household joined; returns (attendance, created).

    Joining twice (a second phone of the same household, a reload) is not an
    error and changes nothing others see.
    """
    if not meeting.is_open_to_residents:
        raise ActionError(_("This meeting is not open for joining."))
    if household.compound_id != meeting.compound_id or not household.is_active or not household.votes:
        raise ActionError(_("This household cannot join this meeting."))
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                meeting=meeting, household=household, defaults={"via": via}
            )
            if created:
                touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
            elif via == Attendance.Via.PHONE and attendance.via == Attendance.Via.STAFF:
                # Signed in by staff, now here on its own phone too: it stays
                # present as a phone does (a staff undo no longer removes it).
                # The sign-in's who and when stay on the row and in the log.
                now = timezone.now()
                moved = Attendance.objects.filter(pk=attendance.pk).update(via=via, joined_at=now)
                if not moved:  # the sign-in was undone meanwhile: join afresh
                    attendance, created = Attendance.objects.get_or_create(
                        meeting=meeting, household=household, defaults={"via": via, "joined_at": now}
                    )
                else:
                    attendance.via, attendance.joined_at = via, now
                touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
    except IntegrityError:
        # Two phones of one household joining at the same instant.
        attendance, created = Attendance.objects.get(meeting=meeting, household=household), False
    return attendance, created


# --- In-person sign-in (签到) by staff ----------------------------------------------


def staff_name(user):
    """How the record names a staff member: full name, else the login name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _check_sign_in(meeting, household):
    if not meeting.is_open_to_residents:
        raise ActionError(_("Sign-in is possible only while the meeting is announced or live."))
    if household.compound_id != meeting.compound_id:
        raise ActionError(_("This household is not in this meeting's compound."))
    if not household.is_active:
        raise ActionError(
            _("%(household)s has left the roster (retired) and cannot be signed in.") % {"household": household}
        )
    if not household.votes:
        raise ActionError(
            _("%(household)s is a parking space: parking spaces do not vote and are not signed in.")
            % {"household": household}
        )


def sign_in(meeting, household, user):
    """Staff mark a household present in the room (签到), for a household
    without a phone. It counts as attendance exactly as a phone's join does
    (turnout, the electorate of attendee polls). Returns (attendance, created).

    A household already present (its phone joined, or signed in before) is
    not an error: nothing changes and `created` is False.
    """
    _check_sign_in(meeting, household)
    now = timezone.now()
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                meeting=meeting,
                household=household,
                defaults={"via": Attendance.Via.STAFF, "joined_at": now, "signed_in_by": user, "signed_in_at": now},
            )
            if created:
                AttendanceLog.objects.create(
                    meeting=meeting,
                    household=household,
                    action=AttendanceLog.Action.SIGN_IN,
                    by=user,
                    by_name=staff_name(user),
                    at=now,
                )
                touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
    except IntegrityError:
        # Two staff members (or the household's phone) at the same instant.
        attendance, created = Attendance.objects.get(meeting=meeting, household=household), False
    return attendance, created


def undo_sign_in(meeting, household, user):
    """Take back a staff sign-in (a mistaken one). Returns True if removed,
    False if the household was not present (undone by someone else already).

    Refused for a household that joined by its own phone (it is present), and
    for one that has a ballot in an open poll of the households present:
    removing it would change that poll's electorate mid-vote.
    """
    if not meeting.is_open_to_residents:
        raise ActionError(_("This meeting is closed: who attended can no longer be changed."))
    if household.compound_id != meeting.compound_id:
        raise ActionError(_("This household is not in this meeting's compound."))
    with transaction.atomic():
        # First, as their own writes do, apps built on meetings lock what
        # attendance decides (voting: the open polls of the households
        # present), so nothing they checked changes before the delete.
        held = [reason for hold in extensions.attendance_holds if (reason := hold(meeting, household))]
        attendance = Attendance.objects.select_for_update().filter(meeting=meeting, household=household).first()
        if attendance is None:
            return False
        if attendance.via != Attendance.Via.STAFF:
            raise ActionError(
                _("%(household)s joined with its own phone and stays present: only a sign-in by staff can be undone.")
                % {"household": household}
            )
        if held:
            raise ActionError(held[0])
        attendance.delete()
        AttendanceLog.objects.create(
            meeting=meeting, household=household, action=AttendanceLog.Action.UNDO, by=user, by_name=staff_name(user)
        )
        touch_on_commit(meeting.pk, ATTENDANCE_PANELS)
    return True


def _changed(meeting, panels):
    """The meeting changed what `panels` show: a new revision, and after
    commit those panels pushed to every audience."""
    bump(meeting.pk)
    broadcast_on_commit(meeting.pk, panels)


# --- The agenda ------------------------------------------------------------------


AGENDA_PANELS = ("agenda",)
# Moving to another item changes every panel that follows the current item:
# who speaks, the queue, and what apps above show of it (the proposal debated
# on it), so all of them are pushed (None: every panel). It is rare.
ROOM_PANELS = None


def _locked(meeting):
    """The meeting row, locked: agenda and queue changes of one meeting queue up."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _check_open(meeting):
    if meeting.status == Meeting.Status.CLOSED:
        raise ActionError(_("This meeting is closed."))


@transaction.atomic
def add_item(meeting, title, planned_minutes, description=""):
    meeting = _locked(meeting)
    _check_open(meeting)
    last = meeting.items.aggregate(last=Max("position"))["last"]
    item = AgendaItem.objects.create(
        meeting=meeting,
        title=title,
        planned_minutes=planned_minutes,
        description=description,
        position=0 if last is None else last + 1,
    )
    _changed(meeting, AGENDA_PANELS)
    return item


@transaction.atomic
def update_item(meeting, item_id, title, planned_minutes, description=""):
    meeting = _locked(meeting)
    _check_open(meeting)
    item = _item(meeting, item_id)
    item.title, item.planned_minutes, item.description = title, planned_minutes, description
    item.save(update_fields=["title", "planned_minutes", "description"])
    _changed(meeting, AGENDA_PANELS)
    return item


@transaction.atomic
def move_item(meeting, item_id, delta):
    """Move an item up (delta -1) or down (+1) the agenda."""
    meeting = _locked(meeting)
    _check_open(meeting)
    items = list(meeting.items.order_by("position", "id"))
    item_pk = _pk(item_id)
    index = next((i for i, item in enumerate(items) if item.pk == item_pk), None)
    if index is None:
        raise ActionError(_("That agenda item no longer exists."))
    target = max(0, min(len(items) - 1, index + delta))
    items.insert(target, items.pop(index))
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _changed(meeting, AGENDA_PANELS)


@transaction.atomic
def delete_item(meeting, item_id):
    meeting = _locked(meeting)
    _check_open(meeting)
    item = _item(meeting, item_id)
    if meeting.current_item_id == item.pk or item.started_at or item.elapsed_before:
        raise ActionError(_("An item that has been discussed stays on the agenda (it is part of the record)."))
    if item.floor_requests.exists():
        raise ActionError(_("Someone has asked for the floor on this item; it stays on the agenda."))
    item.delete()
    _changed(meeting, AGENDA_PANELS)


@transaction.atomic
def start_item(meeting, item_id):
    """Make an item the one under discussion (also to go back to one)."""
    meeting = _locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("Open the meeting first."))
    item = _item(meeting, item_id)
    if meeting.current_item_id != item.pk:
        _leave_current(meeting)
        item.started_at, item.done = timezone.now(), False
        item.save(update_fields=["started_at", "done"])
        meeting.current_item = item
        _new_item_on_screen(meeting)
        meeting.save(update_fields=["current_item", "screen", "result_shown_at"])
        _changed(meeting, ROOM_PANELS)
    return item


@transaction.atomic
def next_item(meeting):
    """Close the current item and open the next one not yet done."""
    meeting = _locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("Open the meeting first."))
    items = list(meeting.items.order_by("position", "id"))
    current = next((i for i, item in enumerate(items) if item.pk == meeting.current_item_id), -1)
    upcoming = [item for item in items[current + 1 :] if not item.done]
    _leave_current(meeting)
    if upcoming:
        item = upcoming[0]
        item.started_at, item.done = timezone.now(), False
        item.save(update_fields=["started_at", "done"])
        meeting.current_item = item
    else:
        meeting.current_item = None
    _new_item_on_screen(meeting)
    meeting.save(update_fields=["current_item", "screen", "result_shown_at"])
    _changed(meeting, ROOM_PANELS)
    return meeting.current_item


def _new_item_on_screen(meeting):
    """Another item takes the projector: back to Auto, and the result
    revealed on the last one is no longer the news."""
    meeting.screen, meeting.result_shown_at = Meeting.Screen.AUTO, None


def _leave_current(meeting):
    """Stop the clock of the current item and end its speech, if any."""
    item = meeting.current_item
    if item is None:
        return
    now = timezone.now()
    if item.started_at:
        item.elapsed_before += now - item.started_at
        item.started_at = None
    item.done = True
    item.save(update_fields=["elapsed_before", "started_at", "done"])
    speaking = item.floor_requests.filter(status=FloorRequest.Status.SPEAKING).first()
    if speaking:
        speaking.finish(now)


def _pk(value):
    """A posted id as an int, or None for anything else (junk never reaches a query)."""
    try:
        return int(value)
    except (ValueError, TypeError):
        return None


def _item(meeting, item_id):
    try:
        return meeting.items.get(pk=_pk(item_id))
    except AgendaItem.DoesNotExist:
        raise ActionError(_("That agenda item no longer exists.")) from None


@transaction.atomic
def save_meeting(form):
    """Save the meeting's details and procedure; screens show the new title."""
    meeting = form.save()
    _changed(meeting, ("status", "agenda", "queue"))
    return meeting


# --- The floor: asking for it, the chair's overrides, the timer -------------------

FLOOR_PANELS = ("speaker", "queue")
Stance = FloorRequest.Stance
Status = FloorRequest.Status


def _locked_live(meeting):
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("current_item").get(pk=meeting.pk)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    if meeting.current_item is None:
        raise ActionError(_("No agenda item is under discussion right now."))
    return meeting


def _check_limit(meeting, request):
    """At most `speeches_per_item` for/against speeches per person per item (rule 5)."""
    if request.stance not in queue.SIDES:
        return
    limit = meeting.speeches_per_item
    if spoken_counts(request.item)[request.person] < limit:
        return
    if request.added_by is None:
        message = ngettext(
            "You have spoken once on this item, the limit for each person.",
            "You have spoken %(count)d times on this item, the limit for each person.",
            limit,
        )
    else:
        message = ngettext(
            "%(who)s has spoken once on this item, the limit for each person.",
            "%(who)s has spoken %(count)d times on this item, the limit for each person.",
            limit,
        )
    raise ActionError(message % {"count": limit, "who": request.speaker_label})


def _add(meeting, *, household=None, name="", stance, user=None):
    if stance not in Stance.values:
        raise ActionError(_("Choose for, against, question or point of order."))
    item = meeting.current_item
    request = FloorRequest(item=item, household=household, name=name.strip(), stance=stance, added_by=user)
    open_now = item.floor_requests.filter(status__in=[Status.WAITING, Status.SPEAKING])
    if household is not None:
        open_now = open_now.filter(household=household)
    else:
        open_now = open_now.filter(household__isnull=True, name=request.name)
    if open_now.filter(status=Status.SPEAKING).exists():
        raise ActionError(_("You have the floor now."))
    if open_now.exists():
        raise ActionError(_("Already in the queue for this item."))
    _check_limit(meeting, request)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The same phone tapping twice at once: the first request stands.
        raise ActionError(_("Already in the queue for this item.")) from None
    _changed(meeting, FLOOR_PANELS)
    return request


@transaction.atomic
def request_floor(meeting, household, stance):
    """A resident asks for the floor from their phone."""
    meeting = _locked_live(meeting)
    return _add(meeting, household=household, stance=stance)


@transaction.atomic
def add_speaker(meeting, *, stance, user, household=None, name=""):
    """Staff add someone who raised a hand in the room (a household or a name)."""
    meeting = _locked_live(meeting)
    if household is None and not name.strip():
        raise ActionError(_("Give a household (building-unit-room) or a name."))
    return _add(meeting, household=household, name=name, stance=stance, user=user)


@transaction.atomic
def withdraw(meeting, household):
    """A resident leaves the queue."""
    meeting = _locked_live(meeting)
    request = meeting.current_item.floor_requests.filter(household=household, status=Status.WAITING).first()
    if request is None:
        raise ActionError(_("You are not in the queue."))
    request.status = Status.WITHDRAWN
    request.save(update_fields=["status"])
    _changed(meeting, FLOOR_PANELS)


@transaction.atomic
def remove_request(meeting, request_id):
    meeting = _locked_live(meeting)
    request = _waiting(meeting, request_id)
    request.status = Status.REMOVED
    request.save(update_fields=["status"])
    _changed(meeting, FLOOR_PANELS)


@transaction.atomic
def move_request(meeting, request_id, position):
    """The chair's override: put a waiting request at `position` (0 = next).

    A position past the end of the queue means last: the pin is clamped to
    the queue's length, so no stored pin is ever out of the field's range.
    """
    meeting = _locked_live(meeting)
    request = _waiting(meeting, request_id)
    waiting = meeting.current_item.floor_requests.filter(status=Status.WAITING).count()
    request.pin = max(0, min(int(position), waiting - 1))
    request.save(update_fields=["pin"])
    _changed(meeting, FLOOR_PANELS)


@transaction.atomic
def call_next(meeting):
    """End the current speech, give the floor to the head of the queue."""
    meeting = _locked_live(meeting)
    item, now = meeting.current_item, timezone.now()
    # One read for both: finishing the speech keeps it among those spoken,
    # so the queue's order is the same before and after.
    item_floor = floor_of(item)
    speaking = item_floor.speech
    if speaking:
        speaking.finish(now)
    ordered = item_floor.ordered(meeting)
    called = None
    if ordered:
        called = ordered[0][0]
        called.status, called.started_at = Status.SPEAKING, now
        called.limit_seconds, called.pin = meeting.speech_limit_seconds, None
        called.save(update_fields=["status", "started_at", "limit_seconds", "pin"])
        # Pins are places counted from the head of the queue: everyone moves up one.
        for request, _reason in ordered[1:]:
            if request.pin:
                request.pin -= 1
                request.save(update_fields=["pin"])
        # A speaker who gets the floor takes the projector (meetings/screen.py).
        if meeting.screen != Meeting.Screen.AUTO:
            meeting.screen = Meeting.Screen.AUTO
            meeting.save(update_fields=["screen"])
    if speaking or called:
        _changed(meeting, FLOOR_PANELS)
    return called


@transaction.atomic
def end_speech(meeting):
    meeting = _locked_live(meeting)
    speaking = _speaking(meeting)
    speaking.finish()
    _changed(meeting, FLOOR_PANELS)


@transaction.atomic
def toggle_pause(meeting):
    """Pause the speech clock, or resume it."""
    meeting = _locked_live(meeting)
    speaking = _speaking(meeting)
    now = timezone.now()
    if speaking.paused_at:
        speaking.paused_for += now - speaking.paused_at
        speaking.paused_at = None
    else:
        speaking.paused_at = now
    speaking.save(update_fields=["paused_at", "paused_for"])
    _changed(meeting, FLOOR_PANELS)
    return speaking


def _waiting(meeting, request_id):
    try:
        return meeting.current_item.floor_requests.get(pk=int(request_id), status=Status.WAITING)
    except (FloorRequest.DoesNotExist, ValueError, TypeError):
        raise ActionError(_("That request is no longer in the queue.")) from None


def _speaking(meeting):
    speaking = current_speech(meeting.current_item)
    if speaking is None:
        raise ActionError(_("Nobody has the floor."))
    return speaking


# --- The projector ------------------------------------------------------------

SCREEN_PANELS = ("screen",)


@transaction.atomic
def show_on_projector(meeting, choice):
    """The facilitator chooses what the projector shows: Auto (what the room
    is doing, meetings/screen.py), the speaker, the result, the text under
    debate or the agenda."""
    if choice not in Meeting.Screen.values:
        raise ActionError(_("Choose what the projector shows."))
    meeting = _locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("Open the meeting first."))
    if choice not in screen.choices(projector.room_of(meeting)):
        raise ActionError(
            {
                Meeting.Screen.SPEAKER: _("No agenda item is under discussion right now."),
                Meeting.Screen.RESULT: _("No result has been shown yet."),
                Meeting.Screen.TEXT: _("This item has no text or description to show."),
            }[choice]
        )
    if meeting.screen != choice:
        meeting.screen = choice
        meeting.save(update_fields=["screen"])
        _changed(meeting, SCREEN_PANELS)
    return meeting


def result_revealed(meeting_id):
    """A poll's result was revealed (voting.actions.reveal calls this in its
    transaction, and pushes the poll panel, which the screen follows): it
    takes the projector, as the room's latest news."""
    Meeting.objects.filter(pk=meeting_id).update(screen=Meeting.Screen.AUTO, result_shown_at=timezone.now())


# --- What compounds' writes ask of open meetings (compounds/signals.py) -----------


# --- Notices (公告) and service (送达) ------------------------------------------------

NOTICE_PANELS = ("status", "deadlines")


def _date(value):
    return formats.date_format(timezone.localtime(value) if hasattr(value, "hour") else value, "SHORT_DATE_FORMAT")


@transaction.atomic
def publish_notice(meeting, *, title, body, opens_at, closes_at, item_ids, user, extraordinary=False):
    """Publish the meeting's notice: its topics and voting window, written once.

    An owners' meeting follows its jurisdiction's figures (compounds/
    jurisdictions/): the notice comes at least N days before the meeting
    opens (fewer for an extraordinary one) and the window lasts as long as
    the law allows; it must list the topics to be voted on. The meeting is
    then announced: residents may join, and the public page shows the notice.
    """
    meeting = _locked(meeting)
    if meeting.status in (Meeting.Status.LIVE, Meeting.Status.CLOSED):
        raise ActionError(_("A notice is published before the meeting opens."))
    if meeting.notices.exists():
        raise ActionError(_("This meeting's notice is already published; it cannot be changed."))
    if closes_at <= opens_at:
        raise ActionError(_("Voting must close after the meeting opens."))
    items = {item.pk: item for item in meeting.items.filter(pk__in=[_pk(pk) for pk in item_ids])}
    if len(items) != len(set(item_ids)):
        raise ActionError(_("Choose topics from this meeting's agenda."))
    if notices.follows_the_book(meeting):
        profile = notices.profile(meeting)
        if not items:
            raise ActionError(_("An owners' meeting votes only on the topics of its notice: choose at least one."))
        earliest = timezone.localdate() + timezone.timedelta(days=profile.notice_days_for(extraordinary))
        if timezone.localtime(opens_at).date() < earliest:
            raise ActionError(
                _(
                    "%(place)s rules: the notice comes at least %(days)d days before the meeting opens. "
                    "With a notice today, it can open on %(date)s at the earliest."
                )
                % {"place": profile.name(), "days": profile.notice_days_for(extraordinary), "date": _date(earliest)}
            )
        _check_window(profile, opens_at, closes_at)
    elif opens_at < timezone.now():
        raise ActionError(_("The meeting cannot open before the notice is published."))
    ordered = sorted(items.values(), key=lambda item: (item.position, item.pk))
    notice = Notice.objects.create(
        meeting=meeting,
        kind=Notice.Kind.MEETING,
        number=1,
        title=title,
        body=body,
        extraordinary=extraordinary,
        opens_at=opens_at,
        closes_at=closes_at,
        topics=[{"item": item.pk, "title": item.title} for item in ordered],
        published_by=user,
    )
    meeting.status = Meeting.Status.ANNOUNCED
    meeting.scheduled_start = opens_at
    meeting.save(update_fields=["status", "scheduled_start"])
    _changed(meeting, NOTICE_PANELS)
    return notice


def _check_window(profile, opens_at, closes_at):
    problem = deadlines.window_problem(profile, opens_at, closes_at)
    if problem:
        _length, low, high = problem
        raise ActionError(
            _("%(place)s rules: voting stays open at least %(low)s and at most %(high)s days.")
            % {"place": profile.name(), "low": low if low is not None else 0, "high": high if high is not None else "∞"}
        )


@transaction.atomic
def extend_window(meeting, *, closes_at, reason, user):
    """Extend the voting window by a notice of its own (延期公告), published
    before the window closes; the topics stay those of the meeting notice."""
    meeting = _locked(meeting)
    current = notices.latest(meeting)
    if current is None:
        raise ActionError(_("Publish the meeting's notice first."))
    if meeting.status == Meeting.Status.CLOSED:
        raise ActionError(_("This meeting is closed."))
    if timezone.now() > current.closes_at:
        raise ActionError(_("Voting has closed; a closed window cannot be extended."))
    if closes_at <= current.closes_at:
        raise ActionError(_("The new close must come after the current one."))
    if not reason.strip():
        raise ActionError(_("Say why voting is extended: the notice tells the owners."))
    if notices.follows_the_book(meeting):
        _check_window(notices.profile(meeting), current.opens_at, closes_at)
    first = notices.meeting_notice(meeting)
    notice = Notice.objects.create(
        meeting=meeting,
        kind=Notice.Kind.EXTENSION,
        number=current.number + 1,
        title=_("Extension of voting: %(title)s") % {"title": meeting.title},
        body="",
        extraordinary=first.extraordinary,
        opens_at=current.opens_at,
        closes_at=closes_at,
        topics=first.topics,
        reason=reason.strip(),
        published_by=user,
    )
    _changed(meeting, NOTICE_PANELS)
    return notice


def _check_household(meeting, household):
    if household.compound_id != meeting.compound_id or not household.votes:
        raise ActionError(_("This household cannot vote in this meeting."))


@transaction.atomic
def record_service(meeting, households, *, method, served_on, served_by, user, note=""):
    """Record that households were served with the notice and ballot, one
    way, on one day, by one person (a volunteer's list for a building): all
    of them, or none when one cannot be."""
    for household in households:
        _check_household(meeting, household)
    if method not in Service.Method.values or method == Service.Method.WITHDRAWN:
        raise ActionError(_("Choose how the notice was delivered."))
    if not served_by.strip():
        raise ActionError(_("Say who delivered it."))
    if served_on > timezone.localdate():
        raise ActionError(_("A delivery cannot be dated in the future."))
    services = [
        Service.objects.create(
            meeting=meeting,
            household=household,
            method=method,
            served_on=served_on,
            served_by=served_by.strip(),
            note=note.strip(),
            entered_by=user,
        )
        for household in households
    ]
    _changed(meeting, ("deadlines",))
    return services


@transaction.atomic
def withdraw_service(meeting, service_id, user):
    """Withdraw a mistaken service entry: a row that names it, kept beside it."""
    try:
        service = meeting.services.get(pk=_pk(service_id))
    except Service.DoesNotExist:
        raise ActionError(_("That service entry no longer exists.")) from None
    if service.method == Service.Method.WITHDRAWN or meeting.services.filter(withdraws=service).exists():
        raise ActionError(_("That entry is already withdrawn."))
    withdrawal = Service.objects.create(
        meeting=meeting,
        household=service.household,
        method=Service.Method.WITHDRAWN,
        served_on=timezone.localdate(),
        served_by=staff_name(user),
        withdraws=service,
        entered_by=user,
    )
    _changed(meeting, ("deadlines",))
    return withdrawal


@transaction.atomic
def record_posting(meeting, *, place, posted_on, posted_by, user):
    if not place.strip() or not posted_by.strip():
        raise ActionError(_("Say where the notice was posted and by whom."))
    if posted_on > timezone.localdate():
        raise ActionError(_("A posting cannot be dated in the future."))
    return Posting.objects.create(
        meeting=meeting, place=place.strip(), posted_on=posted_on, posted_by=posted_by.strip(), entered_by=user
    )


# --- The roster published for checking (名册核对) ------------------------------------


@transaction.atomic
def publish_roster(meeting, user):
    """Publish the roster (unit and area, no names) for households to check
    before the vote; it stays published, and follows the roster as corrected."""
    meeting = _locked(meeting)
    if meeting.status == Meeting.Status.CLOSED:
        raise ActionError(_("This meeting is closed."))
    if meeting.roster_published_at is None:
        meeting.roster_published_at = timezone.now()
        meeting.save(update_fields=["roster_published_at"])
    return meeting


MAX_CORRECTIONS_OPEN = 3


@transaction.atomic
def ask_correction(meeting, household, text):
    """A household asks for its roster entry to be corrected."""
    text = " ".join(text.split())
    if meeting.roster_published_at is None or meeting.status == Meeting.Status.CLOSED:
        raise ActionError(_("The roster is not published for checking."))
    if not text:
        raise ActionError(_("Say what is wrong with the entry."))
    unanswered = meeting.roster_corrections.filter(household=household, answered_at__isnull=True).count()
    if unanswered >= MAX_CORRECTIONS_OPEN:
        raise ActionError(_("Your earlier requests have not been answered yet; staff will answer them first."))
    return RosterCorrection.objects.create(meeting=meeting, household=household, text=text[:500])


@transaction.atomic
def answer_correction(meeting, correction_id, answer, user):
    """Staff answer a correction request, on the record. Correcting the
    roster itself is a roster upload (compounds), which the answer can say."""
    answer = answer.strip()
    if not answer:
        raise ActionError(_("Write the answer: the household and the record keep it."))
    try:
        correction = meeting.roster_corrections.select_for_update().get(pk=_pk(correction_id))
    except RosterCorrection.DoesNotExist:
        raise ActionError(_("That request no longer exists.")) from None
    if correction.is_answered:
        raise ActionError(_("That request is already answered."))
    correction.record_answer(answer, user)
    return correction


# Close code of a live page whose household code was revoked or whose
# household left the roster: the page reloads once onto the join form
# (static/js/live.js), as for any refused socket (consumers.CLOSE_FORBIDDEN).
CLOSE_REVOKED = 4403


def _open_meeting_ids(compound_id):
    return list(
        Meeting.objects.filter(
            compound_id=compound_id, status__in=[Meeting.Status.ANNOUNCED, Meeting.Status.LIVE]
        ).values_list("pk", flat=True)
    )


def close_ended_sessions(sender, compound_id, tags, **kwargs):
    """compounds.signals.sessions_ended: after the commit, close the live
    pages of phones tagged so in every open meeting of the compound (their
    requests are already refused: meetings.access checks the code)."""
    open_meetings = _open_meeting_ids(compound_id)
    for tag in tags if open_meetings else ():
        tell_sockets_on_commit(open_meetings, tag, close_code=CLOSE_REVOKED)


def refresh_after_roster_change(sender, compound, **kwargs):
    """compounds.signals.roster_changed: household counts on live screens
    follow the new roster."""
    for meeting_id in _open_meeting_ids(compound.pk):
        bump(meeting_id)
        broadcast_on_commit(meeting_id)
