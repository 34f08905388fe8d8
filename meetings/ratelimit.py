"""Rate limits on household-code attempts.

Two windows in the cache: per browser session (tight: a resident mistyping
gets a short pause) and per network address (generous: a whole meeting room
may share one Wi-Fi address, but a script trying codes from one address is
stopped long before it could guess one).
"""

from django.conf import settings
from django.core.cache import cache


def client_address(meta):
    """The client's address, trusting TRUSTED_PROXY_HOPS X-Forwarded-For entries."""
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return meta.get("REMOTE_ADDR", "") or "unknown"


def _keys(request):
    if not request.session.session_key:
        request.session.save()
    return (
        (f"codefail:s:{request.session.session_key}", settings.CODE_ATTEMPTS_PER_SESSION),
        (f"codefail:a:{client_address(request.META)}", settings.CODE_ATTEMPTS_PER_ADDRESS),
    )


def code_attempts_blocked(request):
    """True when this client has used up its wrong attempts for now."""
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(request))


def record_code_failure(request):
    window = settings.CODE_ATTEMPT_WINDOW
    for key, _limit in _keys(request):
        # add() starts the window; incr() counts within it without extending it.
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=window)
