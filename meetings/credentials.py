"""Household voting credentials: issue, re-issue, revoke, look up.

A household (户) that votes holds at most one active credential (enforced by
the database: Credential's partial unique constraint "credential_one_active").
Its code is printed on a slip with a QR code of the join link /h/<code>/.
Parking spaces do not vote and get no code; retired households get none and
their codes stop resolving.

Every change runs in one transaction. Each insert runs in its own savepoint,
so a (very unlikely) code collision is retried with a fresh code without
losing the rest of the batch.
"""

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from deliberation.realtime import tell_sockets_on_commit
from meetings.models import CODE_ALPHABET, CODE_LENGTH, Credential, Household, Meeting, new_code, normalize_code

# Close code of a live page whose household code was revoked (the page
# reloads and asks for a code again; see static/js/live.js).
CLOSE_REVOKED = 4403

# 25**8 codes: a collision is astronomically rare; a handful of retries is
# plenty, and a persistent failure means something else is wrong.
MAX_CODE_ATTEMPTS = 10


class CredentialError(ValueError):
    """A credential cannot be issued for this household (retired, or a parking space)."""


def active_credentials():
    return Credential.objects.filter(revoked_at__isnull=True)


def active_credential(household):
    """The household's active credential, or None."""
    return active_credentials().filter(household=household).first()


def _has_active(household):
    return active_credentials().filter(household=household).exists()


def _issue(household, user, now):
    """Insert an active credential; None if the household already holds one.

    Call inside a transaction. A code collision is retried with a new code;
    a concurrent issue for the same household (the one-active constraint)
    is not an error: that household has its code.
    """
    for _attempt in range(MAX_CODE_ATTEMPTS):
        try:
            with transaction.atomic():  # savepoint
                return Credential.objects.create(household=household, code=new_code(), issued_by=user, issued_at=now)
        except IntegrityError:
            if _has_active(household):
                return None
            # Otherwise the code collided with an existing one: draw again.
    raise IntegrityError(f"could not draw a unique credential code for household {household.pk}")


def _check_votes(household):
    if not household.is_active:
        raise CredentialError("household is retired")
    if not household.votes:
        raise CredentialError("parking spaces do not vote")


def issue_missing(compound, user):
    """Issue a code to every voting household of `compound` without one.

    Returns how many were issued; a second call issues 0.
    """
    now = timezone.now()
    issued = 0
    with transaction.atomic():
        missing = (
            compound.households.voting()
            .exclude(Exists(active_credentials().filter(household=OuterRef("pk"))))
            .select_for_update()
            .order_by("pk")
        )
        for household in missing:
            if _issue(household, user, now) is not None:
                issued += 1
    return issued


def reissue(household, user):
    """Revoke the household's active code (if any) and issue a new one.

    The old code stops resolving as soon as the transaction commits.
    Raises CredentialError for a retired household or a parking space.
    """
    with transaction.atomic():
        # Lock the household: two staff re-issuing at once get one code each,
        # in turn, instead of a constraint error.
        household = (
            Household.objects.select_for_update(of=("self",)).select_related("unit__building").get(pk=household.pk)
        )
        _check_votes(household)
        now = timezone.now()
        for old in active_credentials().filter(household=household):
            end_sessions_on_commit(household.compound_id, f"credential:{old.pk}")
        active_credentials().filter(household=household).update(revoked_at=now, revoked_by=user)
        credential = _issue(household, user, now)
        if credential is None:  # pragma: no cover - only if the lock did not hold
            raise IntegrityError(f"household {household.pk} got a code concurrently")
        return credential


def revoke(household, user):
    """Revoke the household's active code without issuing a new one.

    Returns the revoked credential, or None if there was none.
    """
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        credential = active_credentials().select_for_update().filter(household=household).first()
        if credential is None:
            return None
        credential.revoked_at = timezone.now()
        credential.revoked_by = user
        credential.save(update_fields=["revoked_at", "revoked_by"])
        end_sessions_on_commit(household.compound_id, f"credential:{credential.pk}")
        return credential


def end_sessions_on_commit(compound_id, *tags):
    """Phones tagged so (a revoked code "credential:<id>", a retired household
    "household:<id>") stop acting for their household: their requests are
    refused from the commit on (meetings.access checks the code a session
    joined with and the household), and after the commit their live pages
    are closed in every open meeting of the compound."""
    if not tags:
        return
    open_meetings = list(
        Meeting.objects.filter(
            compound_id=compound_id, status__in=[Meeting.Status.ANNOUNCED, Meeting.Status.LIVE]
        ).values_list("pk", flat=True)
    )
    if not open_meetings:
        return
    for tag in tags:
        tell_sockets_on_commit(open_meetings, tag, close_code=CLOSE_REVOKED)


def credential_for_code(code_text):
    """The active credential of an active, voting household for what a resident typed.

    Accepts lower case, spaces and dashes ("k7pm-3xqa"). Returns None for
    anything else, including revoked codes and codes of retired households.
    """
    code = normalize_code(code_text)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return (
        active_credentials()
        .select_related("household__unit__building", "household__compound")
        # Household.objects.voting(), spelled across the join.
        .filter(code=code, household__is_active=True)
        .exclude(household__kind=Household.Kind.PARKING)
        .first()
    )
