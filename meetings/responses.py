"""How a staff or resident action answers its request.

Live controls are htmx forms inside pushed panels: a success needs no body
(the push that follows the commit updates every screen, this one included);
a refusal shows its message in the page's flash area. Without htmx, the
classic redirect with a message.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render


def action_response(request, fallback_url, error=None, status=200):
    if request.htmx:
        if error is None:
            return HttpResponse(status=204)
        response = render(request, "includes/flash.html", {"error": error}, status=status)
        # htmx swaps 2xx only; point this one at the flash area.
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    if error is not None:
        messages.error(request, error)
    return redirect(fallback_url)
