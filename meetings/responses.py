"""How a staff or resident action answers its request.

Live controls are htmx forms inside pushed panels: a success needs no body
(the push that follows the commit updates every screen, this one included);
a refusal shows its message in the page's flash area. Without htmx, the
classic redirect with a message.

An htmx answer is never swapped into the page as content unless it is a
2xx (the htmx-config in templates/base.html says so): a refusal the page
must show is therefore a 200 aimed at #flash, and a request that can no
longer be answered on this page at all (the household's join has ended)
tells the page to reload itself.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _


def action_response(request, fallback_url, error=None, status=200):
    """204, or `error` in the flash area.

    A refusal the user should read answers 200 (the default): htmx swaps 2xx
    only. An error `status` (400 for a request no page of ours sends) is
    kept for what it says, and htmx shows nothing of it.
    """
    if request.htmx:
        if error is None:
            return HttpResponse(status=204)
        response = render(request, "includes/flash.html", {"error": error}, status=status)
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    if error is not None:
        messages.error(request, error)
    return redirect(fallback_url)


def join_ended(request, meeting):
    """The answer to a resident's action when this browser no longer acts
    for a household in `meeting` (the meeting closed, the code was revoked or
    re-issued, the household left or never joined): 403.

    Nothing on the page can be done any more, so htmx is told to reload it
    (HX-Refresh, which htmx follows whatever the status): the meeting's
    address then shows what is true now, the ended meeting and what it
    decided, or the join form saying the code is no longer valid. Without
    htmx, the same page through a redirect.
    """
    phone = reverse("join", kwargs={"code": meeting.code})
    if request.htmx:
        response = HttpResponse(_("Join the meeting first."), status=403, content_type="text/plain; charset=utf-8")
        response["HX-Refresh"] = "true"
        return response
    messages.error(request, _("Join the meeting first."))
    return redirect(phone)
