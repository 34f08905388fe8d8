"""A household code typed by a resident: the rate limits first, then the
lookup, and a wrong code counted. Joining a meeting, commenting on a public
proposal and objecting to a posted result all take a code this way, so a
guesser meets the same limits wherever they type.
"""

from django.utils.translation import gettext_lazy as _

from compounds.credentials import credential_for_code
from compounds.ratelimit import code_attempt_refusal, record_code_failure

WRONG_FOR_COMPOUND = _("This code is not valid for this compound. Check it against your slip.")


class CodeRefused(Exception):
    """The code was not accepted; `message` says why, in the resident's
    language. `wrong_code`: the code itself was wrong (not a rate limit)."""

    def __init__(self, message, wrong_code):
        super().__init__(str(message))
        self.message = message
        self.wrong_code = wrong_code


def credential_typed(request, code, compound_id, wrong_message=WRONG_FOR_COMPOUND):
    """The active credential of the compound's voting household whose code
    was typed, or CodeRefused. A code of another compound counts as wrong.
    Views that call this are decorated with ratelimit.remember_code_client."""
    refusal = code_attempt_refusal(request, code)
    if refusal is not None:
        raise CodeRefused(refusal.message, wrong_code=False)
    credential = credential_for_code(code)
    if credential is None or credential.household.compound_id != compound_id:
        record_code_failure(request, code)
        raise CodeRefused(wrong_message, wrong_code=True)
    return credential
