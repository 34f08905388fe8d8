"""Chores a server process does while it answers requests, at most every
ROSTER_PURGE_SECONDS: there is no scheduler (and no background thread that
would hold a database connection of its own). Today one chore: forgetting
the content of expired, unconfirmed roster uploads (they hold ID-number
tails; meetings/views_roster.py). A server with no requests at all does
nothing here; `manage.py purge_roster_uploads` from cron covers that.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_last_run = None  # time.monotonic() of this process's last run


def due():
    """True for one caller when the chores are due (then they are not, for a while)."""
    global _last_run
    interval = settings.ROSTER_PURGE_SECONDS
    if interval <= 0:
        return False
    now = time.monotonic()
    with _lock:
        if _last_run is not None and now - _last_run < interval:
            return False
        _last_run = now
        return True


def run_chores():
    from compounds.views_roster import purge_expired_uploads

    try:
        purged = purge_expired_uploads()
    except Exception:
        # A chore never breaks the request that happened to run it.
        logger.exception("Purging expired roster uploads failed")
        return
    if purged:
        logger.info("Purged %d expired roster upload(s)", purged)


class HousekeepingMiddleware:
    """Runs the chores after a response, when they are due."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if due():
            run_chores()
        return response
