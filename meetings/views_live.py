"""A live page's state over plain HTTP: the socket's twin for pages that poll.

Some phones cannot keep a websocket (WeChat's and other in-app browsers,
networks that drop long connections): static/js/live.js then asks here every
few seconds. `GET /live/m/<code>/<audience>/?rev=N&lang=xx` (the socket's
address with /live/ for /ws/) answers:

- 200 with the socket's full-state message, {"type": "state", "rev",
  "panels": {name: html}}, which live.js applies as it applies the socket's
  (gzipped when the client accepts it: compressed once per revision);
- 304, rendering nothing, when the page already shows the meeting's
  revision: `rev` (the revision of the last full state the page applied)
  is the current one, or If-None-Match names the current ETag; and when
  the state this process serves now (realtime/states.py: during a burst of
  votes or joins, one a little behind the counts) is the one the page has;
- 403 where the socket would close with 4403 (the same check,
  `access.can_watch`: a revoked household code is refused at once), 404
  for an unknown meeting or audience.

The state is rendered once per audience and language in each process for
many phones and revisions (deliberation/realtime/states.py).
Every answer carries the server's clock (X-Server-Now, in ms: the socket
puts it in the message as "now") so the countdowns of a polling phone agree
with the room's. Nothing is cached on the way (no-store): the page itself
says which revision it has.
"""

import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from deliberation.realtime.states import state_at
from meetings import access
from meetings.models import Meeting


@require_GET
def live_state(request, code, audience):
    meeting = Meeting.objects.select_related("compound").filter(code=code).first()
    if meeting is None:
        return _refusal(404, _("There is no such meeting."))
    # The socket's check, with this request's user and session for its scope's.
    scope = {"user": request.user, "session": request.session}
    if not access.can_watch(scope, meeting, audience, request.GET.get("key", "")):
        return _refusal(403, _("This page may no longer follow the meeting. Reload it."))
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if _page_has(request, meeting.revision, _etag(meeting.revision, audience, language)):
        return _fresh(HttpResponseNotModified(), meeting.revision, audience, language)
    state = state_at(meeting, audience, language)
    if _page_has(request, state.revision, _etag(state.revision, audience, language)):
        return _fresh(HttpResponseNotModified(), state.revision, audience, language)
    if _accepts_gzip(request):
        response = HttpResponse(state.gzipped, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(state.text, content_type="application/json")
    patch_vary_headers(response, ["Accept-Encoding"])
    return _fresh(response, state.revision, audience, language)


def _etag(revision, audience, language):
    return f'"{revision}-{audience}-{language}"'


def _page_has(request, revision, etag):
    """Does the page already show `revision`? Its `rev` says which full
    state it applied last; a client that keeps the ETag may send that."""
    rev = request.GET.get("rev", "")
    # isascii: str.isdigit() also passes "²" and "①", which int() refuses.
    if rev.isascii() and rev.isdigit() and int(rev) >= revision:
        return True
    return etag in parse_etags(request.headers.get("If-None-Match", ""))


def _accepts_gzip(request):
    for coding in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _semicolon, weight = coding.partition(";")
        if name.strip() == "gzip":
            weight = weight.strip().removeprefix("q=")
            try:
                return not weight or float(weight) > 0
            except ValueError:
                return False
    return False


def _fresh(response, revision, audience, language):
    response["ETag"] = _etag(revision, audience, language)
    response["X-Server-Now"] = str(int(time.time() * 1000))
    # Per session (the access check), and stale the moment the meeting moves.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _refusal(status, message):
    response = JsonResponse(
        {"type": "refused", "error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
