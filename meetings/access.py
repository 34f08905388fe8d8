"""Who may see and do what: every view and consumer asks here.

Staff hold roles per compound (StaffRole); superusers hold every role.
Residents hold no account: their phone's session carries the household they
joined a meeting as (set by join_meeting, checked by resident_household).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from meetings.models import Compound, Household, Meeting, StaffRole

Role = StaffRole.Role
# Who may run a meeting's room and see the console.
CONSOLE_ROLES = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY, Role.OBSERVER)
# Who may change the roster and issue credentials.
ROSTER_ROLES = (Role.WORKER, Role.FACILITATOR)


def staff_roles(user, compound):
    """The roles a user holds in a compound (every role for a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(Role.values)
    return set(StaffRole.objects.filter(user=user, compound=compound).values_list("role", flat=True))


def has_role(user, compound, roles):
    return bool(staff_roles(user, compound) & set(roles))


def compounds_for(user):
    if user.is_superuser:
        return Compound.objects.all()
    return Compound.objects.filter(staff_roles__user=user).distinct()


def staff_required(*roles):
    """View decorator: the URL's `compound_id` or `meeting_id` names the compound.

    Anonymous users go to the login page; logged-in users without one of
    `roles` get 403. The view receives `compound` (and `meeting`) objects.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, compound_id=None, meeting_id=None, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if meeting_id is not None:
                meeting = get_object_or_404(Meeting.objects.select_related("compound"), pk=meeting_id)
                kwargs["meeting"] = meeting
                compound = meeting.compound
            else:
                compound = get_object_or_404(Compound, pk=compound_id)
            if not has_role(request.user, compound, roles):
                raise PermissionDenied
            return view(request, *args, compound=compound, **kwargs)

        return wrapper

    return decorator


def _session_key(meeting_id):
    return f"joined:{meeting_id}"


def remember_household(request, meeting, household):
    request.session[_session_key(meeting.pk)] = household.pk
    request.session.cycle_key()


def resident_household(session, meeting):
    """The household this browser joined `meeting` as, or None.

    A join ends when the meeting closes or the household is retired.
    `session` is a Django session (request.session or scope["session"]).
    """
    pk = joined_household_id(session, meeting.pk)
    if pk is None or not meeting.is_open_to_residents:
        return None
    return _resident_households(meeting, [pk]).first()


def joined_household_id(session, meeting_id):
    """The household id `session` joined meeting `meeting_id` as, not yet
    checked: only `residents` says whether it may still act. For a request
    that hands the check to a batch (voting/intake.py); others use
    `resident_household`."""
    return session.get(_session_key(meeting_id))


def residents(meeting, household_ids):
    """Of `household_ids`, those that may act as residents of `meeting` now:
    the meeting is open to residents and the household is active in its
    compound. One query for many (a batch of votes)."""
    if not meeting.is_open_to_residents or not household_ids:
        return set()
    return set(_resident_households(meeting, household_ids).values_list("pk", flat=True))


def _resident_households(meeting, household_ids):
    return Household.objects.filter(pk__in=household_ids, compound_id=meeting.compound_id, is_active=True)


def can_open_projector(request_or_scope_user, meeting, key):
    """The projector page opens with the meeting's projector key or a staff login."""
    from django.utils.crypto import constant_time_compare

    if key and constant_time_compare(key, meeting.projector_key):
        return True
    user = request_or_scope_user
    return user is not None and has_role(user, meeting.compound, CONSOLE_ROLES)


def can_watch(scope, meeting, audience, key=""):
    """May this websocket (its scope's user and session) follow `audience`?"""
    from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT

    user = scope.get("user")
    if audience == FACILITATOR:
        return user is not None and has_role(user, meeting.compound, CONSOLE_ROLES)
    if audience == PROJECTOR:
        return can_open_projector(user, meeting, key)
    if audience == RESIDENT:
        session = scope.get("session")
        if session is not None and resident_household(session, meeting) is not None:
            return True
        # Staff may look at what phones see.
        return user is not None and has_role(user, meeting.compound, CONSOLE_ROLES)
    return False
