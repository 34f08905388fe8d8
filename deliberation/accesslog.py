"""Daphne's access log without query strings.

Daphne writes one line per HTTP request with its full address, query string
included, straight to a stream (daphne/access.py, not through `logging`, so
no logging filter can reach it). Query strings here can carry secrets: the
projector's `?key=` (meetings/views.py `projector` turns it into a session
grant on the first request, but that request is still logged). So every
entry is written with the path only. Websocket entries already are.

This wraps Daphne's AccessLogGenerator, whatever command line started it
(`make run`, the systemd units of docs/deploy.md); deliberation/asgi.py,
which Daphne imports before it serves, calls `install()`.
"""

import re
from functools import wraps

# A slip's link carries the household code in its path: /h/K7PM3XQA/.
HOUSEHOLD_LINK = re.compile(r"^/h/[^/]+/")


def without_query(path):
    """The path as logged: no query string, no household code."""
    if not isinstance(path, str):
        return path
    return HOUSEHOLD_LINK.sub("/h/…/", path.split("?", 1)[0])


def install():
    try:
        from daphne.access import AccessLogGenerator
    except ImportError:  # another ASGI server
        return
    original = AccessLogGenerator.__call__
    if getattr(original, "drops_query_strings", False):
        return

    @wraps(original)
    def __call__(self, protocol, action, details):
        if "path" in details:
            details = {**details, "path": without_query(details["path"])}
        return original(self, protocol, action, details)

    __call__.drops_query_strings = True
    AccessLogGenerator.__call__ = __call__
