"""Rate limits on what a phone can do without staff: household-code tries,
vote changes and floor requests.

Household codes: the threat model
---------------------------------
A code is 8 characters from a 25-letter alphabet: 25**8 ≈ 1.5e11 codes.
With some 3,000 active codes on one server, a random guess hits one with
probability 3,000 / 1.5e11 ≈ 2e-8, and an attacker needs about 5e7
guesses on average to find one (any one) household's code.

Wrong tries are counted in the cache (Redis when REDIS_URL is set, so across
processes) in windows of CODE_ATTEMPT_WINDOW (10 minutes), three ways:

- Per client (CODE_ATTEMPTS_PER_SESSION, 5): the phone's session when it has
  one, else a signed cookie holding a random id that the first wrong try
  sets (no session row: a script without cookies would make one per try).
  A blocked client is refused even a right code, so it learns nothing. This
  is the limit a resident who mistypes meets; a script simply drops its
  cookies, so it is not what bounds an attacker.
- Per code prefix (CODE_ATTEMPTS_PER_PREFIX, 10): the first 4 characters of
  the code tried. A code whose prefix is blocked is refused unlooked-up,
  right or wrong. A resident's typos rarely hit one prefix 10 times in 10
  minutes. Someone who knows the first half of a code (half a slip seen)
  can try only 10 of its 25**4 = 390,625 second halves per window, 1,440 a
  day however many addresses they use: about 4.5 months on average. A
  random guesser spreads over the 390,625 prefixes only by guessing, so
  this hardly slows one address; what it caps is everyone together: at most
  10 wrong tries per window on each of the ~3,000 prefixes that hold a
  code, so at best 0.077 expected hits per window (one code in ~2 hours),
  and only by sending some 3.9 million guesses per window (6,500 a second)
  spread evenly over every prefix.
- Per address (CODE_ATTEMPTS_PER_ADDRESS, 60) is only a threshold, not a
  refusal: a meeting room often shares one Wi-Fi address, and 60 typos in a
  room of hundreds must not lock the room out. Past it, codes from that
  address are looked up one at a time: one every CODE_SLOW_SECONDS (2 s),
  and a try that finds another one from its address within those seconds
  is asked to try again in a few seconds, right code or wrong, without a
  lookup. A resident with a right code joins as soon as it is its turn.

What one address gets: per window, 60 lookups before the threshold and one
per 2 s after it, at most 60 + 600 / 2 = 360 per 10 minutes, 2,160 an hour
(whether or not it keeps cookies: every try from the address goes through
the same turn). Expected time to hit one of 3,000 codes: 5e7 / 2,160 ≈
23,600 hours, 2.7 years per address (a 1% chance takes ~10 days). A botnet
divides that by its number of addresses, down to the per-prefix cap above.
A session gets 5 wrong tries per 10 minutes, 30 an hour.

What an attacker can make others suffer: sharing a resident's address, it
slows that room to one code lookup per 2 s; 10 wrong tries on a prefix (it
must first know or guess one that holds a code) make the household with that
prefix wait 10 minutes or ask staff for a new slip.

Resident actions
----------------
`over_limit` counts an action in a window that starts with the first one
(vote changes per household per poll, floor requests per household per
meeting): one cache round trip (Redis: SET NX EX and INCR in one pipeline).
"""

import functools
import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compounds.models import normalize_code
from deliberation.clients import client_address

# The signed cookie that identifies a client without a session (its wrong tries).
CLIENT_COOKIE = "yishi_tries"
_CLIENT_SALT = "compounds.ratelimit.client"
PREFIX_LENGTH = 4


def _digest(text):
    """Cache keys from client-chosen text (cookies, forwarded addresses): fixed length, plain characters."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


# --- Counting -------------------------------------------------------------------


def hit(key, window):
    """Count one event under `key` in a window of `window` seconds that starts
    with the first event (later ones do not extend it); the count so far."""
    window = max(1, int(window))
    redis = _redis_client()
    if redis is not None:
        client, full_key = redis(key)
        pipe = client.pipeline(transaction=False)
        pipe.set(full_key, 0, ex=window, nx=True)
        pipe.incr(full_key)
        return int(pipe.execute()[1])
    # Local memory: in process, so two calls cost nothing worth saving.
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=window)
        return 1


def _redis_client():
    """For Django's Redis cache: key -> (redis client, the cache's full key); else None.

    Django's own add() then incr() would be three round trips (its incr checks
    that the key exists first). The count is stored as Django's Redis
    serializer stores integers, so cache.get() reads it back."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None

    def lookup(key):
        full_key = backend.make_and_validate_key(key)
        return backend._cache.get_client(full_key, write=True), full_key

    return lookup


def over_limit(key, limit, window):
    """Count one action; True when it is beyond `limit` in its window."""
    return hit(key, window) > limit


# --- Household codes ------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a code is not looked up now, and when to try again."""

    message: str
    retry_after: int  # seconds


def _prefix(code):
    return "".join(ch for ch in normalize_code(code) if ch.isascii())[:PREFIX_LENGTH]


def _client_id(request):
    """The client's identity for its own wrong tries: its session, its signed
    cookie, or None (counted by its address only)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        return "s" + _digest(session_key)
    value = getattr(request, "_code_client", None) or request.get_signed_cookie(
        CLIENT_COOKIE, default=None, salt=_CLIENT_SALT, max_age=settings.CODE_ATTEMPT_WINDOW
    )
    return "c" + _digest(value) if value else None


def _address_key(request, namespace="codefail"):
    return f"{namespace}:a:{_digest(client_address(request.META))}"


def wait_minutes(seconds):
    """How many whole minutes to tell someone to wait `seconds` (rounded up:
    after that long the count has surely expired)."""
    return max(1, math.ceil(seconds / 60))


def code_attempt_refusal(request, code, namespace="codefail"):
    """None when `code` may be looked up now, else a Refusal.

    Refused for minutes: this client, or codes with this prefix, used up their
    wrong tries. Refused for seconds: this address is past its threshold and
    another code from it was looked up within CODE_SLOW_SECONDS.

    `namespace` keeps another kind of code's tries apart (ballot receipts,
    voting/receipts.py): the same limits, counted on their own, so guessing
    receipts never blocks a household's code or the reverse.
    """
    client = _client_id(request)
    keys = {f"{namespace}:p:{_prefix(code)}": settings.CODE_ATTEMPTS_PER_PREFIX}
    if client:
        keys[f"{namespace}:c:{client}"] = settings.CODE_ATTEMPTS_PER_SESSION
    address = _address_key(request, namespace)
    keys[address] = settings.CODE_ATTEMPTS_PER_ADDRESS
    counts = cache.get_many(list(keys))
    window = settings.CODE_ATTEMPT_WINDOW
    for key, limit in keys.items():
        if key != address and (counts.get(key) or 0) >= limit:
            minutes = wait_minutes(window)
            message = ngettext(
                "Too many wrong codes. Please wait %(minutes)d minute, or ask a staff member.",
                "Too many wrong codes. Please wait %(minutes)d minutes, or ask a staff member.",
                minutes,
            ) % {"minutes": minutes}
            return Refusal(message, window)
    if (counts.get(address) or 0) >= settings.CODE_ATTEMPTS_PER_ADDRESS:
        slow = max(1, int(settings.CODE_SLOW_SECONDS))
        if not cache.add(f"codeturn:{address}", 1, timeout=slow):
            message = _("Many wrong codes have come from this network. Please try again in a few seconds.")
            return Refusal(message, slow)
    return None


def record_code_failure(request, code, namespace="codefail"):
    """Count a wrong code against this client, its prefix and its address."""
    window = settings.CODE_ATTEMPT_WINDOW
    client = _client_id(request)
    if client is None:
        # A cookie instead of a session: no database row per cookieless try.
        request._code_client = secrets.token_hex(16)
        client = _client_id(request)
    hit(f"{namespace}:c:{client}", window)
    hit(f"{namespace}:p:{_prefix(code)}", window)
    hit(_address_key(request, namespace), window)


def remember_code_client(view):
    """Decorate a view that records wrong codes: hands a client that got its
    id from this request the signed cookie that carries it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        minted = getattr(request, "_code_client", None)
        if minted:
            response.set_signed_cookie(
                CLIENT_COOKIE,
                minted,
                salt=_CLIENT_SALT,
                max_age=settings.CODE_ATTEMPT_WINDOW,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    return wrapper
