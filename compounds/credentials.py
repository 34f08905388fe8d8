"""Household voting credentials: what a code is and which are valid.

Issuing, re-issuing and revoking are writes others see (compounds/actions.py).
A household (户) that votes holds at most one active credential (enforced by
the database: Credential's partial unique constraint "credential_one_active").
Its code is printed on a slip with a QR code of the join link /h/<code>/.
Parking spaces do not vote and get no code; retired households get none and
their codes stop resolving.
"""

from compounds.models import CODE_ALPHABET, CODE_LENGTH, Credential, Household, normalize_code


class CredentialError(ValueError):
    """A credential cannot be issued for this household (retired, or a parking space)."""


def active_credentials():
    return Credential.objects.filter(revoked_at__isnull=True)


def active_credential(household):
    """The household's active credential, or None."""
    return active_credentials().filter(household=household).first()


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
