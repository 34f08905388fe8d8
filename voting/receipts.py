"""Ballot receipts (回执): a code a household keeps to check its ballot.

Every recorded ballot, from a phone or entered by staff, gets a receipt
code: 10 characters of the household codes' alphabet (no 0/O, 1/I/L, 2/Z,
5/S, 8/B to misread), shown as ABCDE-FGHJK to copy from a phone or a paper
slip. 25**10 ≈ 9.5e13 codes: with a million receipts issued, a random guess
hits one with probability ~1e-8, and the public check page counts wrong
codes as the join page counts household codes (compounds/ratelimit.py).

Only an HMAC of the code under settings.RECEIPT_KEY is stored, never the
code: a copy of the database alone cannot tell which code is whose, and a
typed code is still found by its hash. So a code is shown once, when its
ballot is recorded (the phone keeps it in its own storage, static/js/vote.js;
staff write it on the household's paper slip).

What the check tells (`state`):

- replaced: a later ballot of the household (or of the same owner, where an
  owner's latest vote stands for all their units) took this one's place;
- recorded: the poll is still open;
- counted: the poll closed with this ballot in its count; a named poll says
  the choice (read from the ballot row, as the certificate lists it), a
  secret poll only that a ballot from the household was counted. A secret
  poll's receipt never holds a choice, before or after the close: it links
  the household to its participation, as Participation does.
"""

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings

from compounds.models import CODE_ALPHABET

RECEIPT_LENGTH = 10
GROUP = 5


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECEIPT_LENGTH))


def format_code(code):
    """Shown and printed in two groups of five: ABCDE-FGHJK."""
    return f"{code[:GROUP]}-{code[GROUP:]}" if len(code) == RECEIPT_LENGTH else code


def normalize(text):
    """What someone typed, as a code: upper case, no spaces or dashes; full-width
    letters and digits (a Chinese input method's) as ASCII."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def well_formed(code):
    return len(code) == RECEIPT_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def digest(code):
    """What is stored of a code: its HMAC-SHA256 under RECEIPT_KEY."""
    return hmac.new(settings.RECEIPT_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def find(code):
    """The receipt with this (normalized, well-formed) code, or None."""
    from voting.models import BallotReceipt

    return (
        BallotReceipt.objects.select_related("poll__meeting__compound", "household__unit__building")
        .filter(code_hash=digest(code))
        .first()
    )


@dataclass(frozen=True)
class Check:
    """What the public check page says about one receipt."""

    receipt: object
    # "replaced", "recorded" (poll open), "counted", or "missing": the poll
    # closed without this ballot in its count (never expected: staff look).
    state: str
    choice: str = ""  # a named poll's counted choice, in words

    @property
    def poll(self):
        return self.receipt.poll


def check(receipt):
    """The receipt's state now (see the module's doc)."""
    from voting.models import Ballot, Participation, Poll, choice_text

    poll = receipt.poll
    if receipt.replaced_at is not None:
        return Check(receipt, "replaced")
    if poll.status != Poll.Status.CLOSED:
        return Check(receipt, "recorded")
    if poll.secret:
        # The ballot rows are gone; who took part is kept, not how.
        counted = Participation.objects.filter(poll=poll, household_id=receipt.household_id).exists()
        return Check(receipt, "counted" if counted else "missing")
    ballot = Ballot.objects.filter(poll=poll, household_id=receipt.household_id).first()
    if ballot is not None:
        return Check(receipt, "counted", choice_text(poll, ballot.choice))
    # No row (should not happen for a named poll): the certificate's list.
    label = receipt.household.label
    for participant in (poll.certificate or {}).get("participants", []):
        if participant.get("household") == label:
            return Check(receipt, "counted", participant.get("choice_text") or participant.get("choice", ""))
    return Check(receipt, "missing")
