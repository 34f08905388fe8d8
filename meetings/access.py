"""Who may see and do what in a meeting: every meeting view and consumer asks here.

Staff hold roles per compound (compounds.access, re-exported here).
Residents hold no account: their phone's session carries the household they
joined a meeting as (set by join_meeting, checked by resident_household).
"""

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.utils.crypto import salted_hmac

from compounds.access import CONSOLE_ROLES, ROSTER_ROLES, Role, compounds_for, has_role, staff_roles, staff_view
from compounds.models import Compound, Credential, Household
from meetings.models import Meeting

__all__ = [
    "CONSOLE_ROLES",
    "ROSTER_ROLES",
    "Role",
    "compounds_for",
    "has_role",
    "staff_roles",
]


def _compound_or_meeting_from_url(kwargs):
    meeting_id = kwargs.pop("meeting_id", None)
    if meeting_id is None:
        return get_object_or_404(Compound, pk=kwargs.pop("compound_id")), {}
    meeting = get_object_or_404(Meeting.objects.select_related("compound"), pk=meeting_id)
    return meeting.compound, {"meeting": meeting}


def staff_required(*roles):
    """View decorator: the URL's `compound_id` or `meeting_id` names the compound.

    Anonymous users go to the login page; logged-in users without one of
    `roles` get 403. The view receives `compound` (and `meeting`) objects.
    """
    return staff_view(_compound_or_meeting_from_url, roles)


def join_key(meeting_id):
    """Where a session keeps the household it joined meeting `meeting_id` as
    (the one place this key is spelled)."""
    return f"joined:{meeting_id}"


def remember_household(request, meeting, credential):
    """This browser joined `meeting` with `credential` (a household's code):
    keep_join, under a session key nobody knew before (no fixation of a
    joined session).

    A browser that had no session gets a new key when the response saves it,
    so only an existing session is cycled: cycling a new one would write it
    twice, and a room joining at once pays for every write.
    """
    keep_join(request.session, meeting, credential)
    if request.session.session_key is not None:
        request.session.cycle_key()


def keep_join(session, meeting, credential):
    """Write into `session` that it joined `meeting` with `credential`.

    The session keeps the credential, not only the household: revoking or
    re-issuing the code ends every session that joined with it.
    """
    session[join_key(meeting.pk)] = [credential.household_id, credential.pk]


def forget_household(session, meeting):
    """Leave: this browser no longer acts for a household in `meeting`."""
    session.pop(join_key(meeting.pk), None)


def resident_household(session, meeting):
    """The household this browser joined `meeting` as, or None.

    A join ends when the meeting closes, the household is retired, or the
    code it joined with is revoked or re-issued.
    `session` is a Django session (request.session or scope["session"]).
    """
    if not meeting.is_open_to_residents:
        return None
    return household_of_session(session, meeting)


def household_of_session(session, meeting):
    """Like `resident_household`, also after the meeting closed: for reading
    what the meeting decided (a revealed result). The household must still be
    active and its code the one it joined with."""
    joined = joined_household(session, meeting.pk)
    if joined is None:
        return None
    household_id, credential_id = joined
    return (
        _resident_households(meeting, [household_id])
        .filter(Exists(active_credentials(credential_ids=[credential_id]).filter(household=OuterRef("pk"))))
        .select_related("unit__building")
        .first()
    )


def joined_household(session, meeting_id):
    """(household id, credential id) `session` joined meeting `meeting_id`
    with, not yet checked: only `residents` says whether it may still act.
    For a request that hands the check to a batch (voting/intake.py); others
    use `resident_household`."""
    value = session.get(join_key(meeting_id))
    # Anything else (a session from before credentials were kept) is no join.
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


def residents(meeting, joins):
    """Of `joins` [(household id, credential id)], those that may act as
    residents of `meeting` now: the meeting is open to residents, the
    household is active in its compound and the credential is still its
    active one. One query for many (a batch of votes)."""
    joins = {(h, c) for h, c in joins}
    if not meeting.is_open_to_residents or not joins:
        return set()
    active = active_credentials(credential_ids=[c for _h, c in joins]).filter(
        household__in=_resident_households(meeting, [h for h, _c in joins])
    )
    return set(active.values_list("household_id", "pk")) & joins


def seat_token(meeting_id, household_id):
    """How a live page tells a household's own place (in the queue, at the
    microphone) without database ids: pages shared by the whole room carry
    this opaque mark instead, the same for one household within a meeting
    and unlinkable across meetings; the phone knows its own."""
    if household_id is None:
        return ""
    return salted_hmac("yishi.seat", f"{meeting_id}:{household_id}").hexdigest()[:16]


def _resident_households(meeting, household_ids):
    return Household.objects.filter(pk__in=household_ids, compound_id=meeting.compound_id, is_active=True)


def active_credentials(credential_ids):
    return Credential.objects.filter(pk__in=credential_ids, revoked_at__isnull=True)


def can_open_projector(request_or_scope_user, meeting, key, session=None, remember=False):
    """The projector page opens with the meeting's projector key, a grant
    that key left in this browser's session, or a staff login.

    With `remember`, a valid key is kept in `session` (the key itself, so a
    new projector key ends old grants); the page then drops the key from its
    address, and its websocket needs none: the key travels once, not with
    every reload and socket, and so stays out of access logs.
    """
    from django.utils.crypto import constant_time_compare

    grant = f"projector:{meeting.pk}"
    if key and constant_time_compare(key, meeting.projector_key):
        if remember and session is not None:
            session[grant] = meeting.projector_key
        return True
    granted = session.get(grant) if session is not None else None
    if granted and constant_time_compare(granted, meeting.projector_key):
        return True
    user = request_or_scope_user
    return user is not None and has_role(user, meeting.compound, CONSOLE_ROLES)


def can_watch(scope, meeting, audience, key=""):
    """May this websocket (its scope's user and session) follow `audience`?"""
    from deliberation.realtime import FACILITATOR, PROJECTOR, RESIDENT
    from deliberation.staff_login import staff_session_expired

    user = scope.get("user")
    if user is not None and staff_session_expired(scope.get("session")):
        user = None  # the staff login is past STAFF_SESSION_MAX_AGE
    if audience == FACILITATOR:
        return user is not None and has_role(user, meeting.compound, CONSOLE_ROLES)
    if audience == PROJECTOR:
        return can_open_projector(user, meeting, key, session=scope.get("session"))
    if audience == RESIDENT:
        session = scope.get("session")
        if session is not None and resident_household(session, meeting) is not None:
            return True
        # Staff may look at what phones see.
        return user is not None and has_role(user, meeting.compound, CONSOLE_ROLES)
    return False
