"""Staff screens for household credentials: the list, bulk issue, re-issue,
revoke, and the printable A4 sheet of slips.

Every change is a POST (CSRF-protected); GET pages never change anything.
"""

from itertools import groupby

from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from compounds import credentials, listing
from compounds.access import ROSTER_ROLES, staff_required
from compounds.actions import issue_missing_codes, reissue_code, revoke_code
from compounds.models import Building, Household
from compounds.qr import absolute_url, qr_data_uri

# 2 columns x 5 rows on an A4 page (static/css/print.css sizes the slips).
SLIPS_PER_PAGE = 10


def _with_codes(households):
    """`households` (a queryset) in roster order, each with `.credential` (active or None)."""
    return households.select_related("unit__building").prefetch_related(
        Prefetch("credentials", queryset=credentials.active_credentials(), to_attr="active_credentials")
    )


def _has_code():
    """Households that hold an active code (for Exists/filters)."""
    return Exists(credentials.active_credentials().filter(household=OuterRef("pk")))


def _int_param(request, name):
    value = request.GET.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@staff_required(*ROSTER_ROLES)
def credential_list(request, compound):
    from compounds.views_roster import purge_expired_uploads

    purge_expired_uploads()  # staff are back in the compound's pages (views_roster says why)
    voting = compound.households.voting()
    query = listing.query_of(request)
    page = listing.page_of(request, _with_codes(listing.matching(voting, query)))
    households = list(page.object_list)
    for household in households:
        household.credential = household.active_credentials[0] if household.active_credentials else None
    buildings = [
        {"building": building, "households": list(group)}
        for building, group in groupby(households, key=lambda h: h.unit.building)
    ]
    return render(
        request,
        "credentials/list.html",
        {
            "compound": compound,
            "buildings": buildings,
            "page": page,
            "query": query,
            "total": voting.count(),
            "missing": voting.exclude(_has_code()).count(),
        },
    )


@staff_required(*ROSTER_ROLES)
@require_POST
def credential_issue_missing(request, compound):
    count = issue_missing_codes(compound, request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "Issued %(count)d new code. Print the slips for the households that got one.",
                "Issued %(count)d new codes. Print the slips for the households that got one.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Every voting household already has a code."))
    return redirect("credential_list", compound_id=compound.pk)


def _household(compound, household_id):
    return get_object_or_404(Household.objects.select_related("unit__building"), pk=household_id, compound=compound)


@staff_required(*ROSTER_ROLES)
@require_http_methods(["GET", "POST"])
def credential_reissue(request, compound, household_id):
    """GET: the confirm page (changes nothing). POST: revoke and issue a new code."""
    household = _household(compound, household_id)
    if request.method == "POST":
        try:
            credential = reissue_code(household, request.user)
        except credentials.CredentialError:
            messages.error(
                request,
                _("%(household)s cannot get a code: it is retired or a parking space.")
                % {"household": household.label},
            )
        else:
            messages.success(
                request,
                _("New code for %(household)s: %(code)s. The old slip no longer works; print the new one.")
                % {"household": household.label, "code": credential.display_code},
            )
        return redirect("credential_list", compound_id=compound.pk)
    return _confirm(request, compound, household, "reissue")


@staff_required(*ROSTER_ROLES)
@require_http_methods(["GET", "POST"])
def credential_revoke(request, compound, household_id):
    """GET: the confirm page (changes nothing). POST: revoke without a new code."""
    household = _household(compound, household_id)
    if request.method == "POST":
        revoked = revoke_code(household, request.user)
        if revoked is None:
            messages.info(request, _("%(household)s had no active code.") % {"household": household.label})
        else:
            messages.success(
                request,
                _("Code %(code)s of %(household)s is revoked; its slip no longer works.")
                % {"household": household.label, "code": revoked.display_code},
            )
        return redirect("credential_list", compound_id=compound.pk)
    return _confirm(request, compound, household, "revoke")


def _confirm(request, compound, household, action):
    """The page that asks before a slip stops working (a GET changes nothing)."""
    context = {
        "compound": compound,
        "household": household,
        "credential": credentials.active_credential(household),
        "action": action,
    }
    return render(request, "credentials/confirm.html", context)


@staff_required(*ROSTER_ROLES)
def credential_slips(request, compound):
    """An A4 sheet of slips: every voting household with an active code.

    ?building=<id> limits it to one building, ?household=<id> to one slip.
    """
    building_id = _int_param(request, "building")
    household_id = _int_param(request, "household")
    building = None
    households = compound.households.voting()
    if building_id is not None:
        building = get_object_or_404(Building, pk=building_id, compound=compound)
        households = households.filter(unit__building=building)
    if household_id is not None:
        households = households.filter(pk=household_id)
    households = households.select_related("unit__building").prefetch_related(
        Prefetch("credentials", queryset=credentials.active_credentials(), to_attr="active_credentials")
    )

    slips, missing = [], 0
    for household in households:
        if not household.active_credentials:
            missing += 1
            continue
        credential = household.active_credentials[0]
        # PUBLIC_BASE_URL when set: staff may print from a laptop on localhost.
        link = absolute_url(request, reverse("household_link", kwargs={"code": credential.code}))
        slips.append({"household": household, "credential": credential, "link": link, "qr": qr_data_uri(link)})
    pages = [slips[i : i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    coded = compound.households.voting().filter(_has_code())
    return render(
        request,
        "credentials/slips.html",
        {
            "compound": compound,
            "building": building,
            "single": household_id is not None,
            "pages": pages,
            "count": len(slips),
            "missing": missing,
            # Only buildings with a slip to print (a garage's parking spaces get no code).
            "buildings": compound.buildings.filter(Exists(coded.filter(unit__building=OuterRef("pk")))),
        },
    )
