"""Staff logins: how long their session lasts, and the address login
throttling (django-axes, configured in settings) counts failures by.

A staff session is a browser-session cookie, and the server ends it
STAFF_SESSION_MAX_AGE after the login even if the browser never closes (a
laptop left open in a community office). Residents' phones have no login
and keep SESSION_COOKIE_AGE (settings say why).
"""

import math
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import render

from deliberation.clients import client_address

# When this session's staff login happened (seconds since the epoch).
LOGIN_AT = "staff_login_at"


def lockout_response(request, original_response, credentials):
    """django-axes' answer to a locked-out login: a page, not its bare text."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def client_username(request, credentials=None):
    """The username django-axes records a failure under: what was typed, cut
    to the longest a username can be (its column refuses more on PostgreSQL;
    a longer one matches no account anyway)."""
    from django.contrib.auth import get_user_model

    field = get_user_model().USERNAME_FIELD
    username = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(username).replace("\x00", "")[:150] or None


def client_ip(request):
    """The client's address for django-axes, as the wrong-code limits see it,
    or None when there is no valid one (a request built by a test client's
    force_login, say): axes stores it in an address column, which refuses
    anything else on PostgreSQL."""
    import ipaddress

    address = client_address(request.META)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class StaffSessionMiddleware:
    """After AuthenticationMiddleware, before the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if staff_session_expired(request.session):
            # Past the cap: log out (this also forgets the session's data).
            logout(request)
        response = self.get_response(request)
        self._mark_staff_session(request)
        return response

    @staticmethod
    def _mark_staff_session(request):
        """A session holding a login from before this rule (or from a test
        client's force_login) gets the same treatment from now on."""
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None and session.get(LOGIN_AT) is None:
            start_staff_session(session)


def staff_session_expired(session):
    """True when `session` holds a staff login older than STAFF_SESSION_MAX_AGE
    (also asked by websockets, which do not pass through the middleware)."""
    if session is None or session.get(SESSION_KEY) is None:
        return False
    logged_in_at = session.get(LOGIN_AT)
    return logged_in_at is not None and time.time() - logged_in_at > settings.STAFF_SESSION_MAX_AGE


def start_staff_session(session):
    session[LOGIN_AT] = int(time.time())
    session.set_expiry(0)


@receiver(user_logged_in, dispatch_uid="yishi-staff-session")
def _on_login(sender, request, user, **kwargs):
    """Every login (the staff login page, the admin's) restarts the clock."""
    if request is not None and hasattr(request, "session"):
        start_staff_session(request.session)
