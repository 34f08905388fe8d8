"""Staff screens for the compound roster: the list, upload -> preview ->
confirm, and (superusers) a new compound from its first roster file.

The uploaded bytes are kept (RosterUpload) between the preview and the
confirmation, so confirming applies exactly the file that was previewed.
GET pages never change anything.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from compounds import listing
from compounds.access import ROSTER_ROLES, staff_required
from compounds.actions import import_roster
from compounds.models import Compound, RosterUpload
from compounds.roster_import import RosterError, compound_summary, parse_roster

# A 3,000-household roster is about 300 KB as CSV; 5 MB leaves room for a
# formatted .xlsx and stops a wrong file early.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An unconfirmed upload keeps ID tails on the server: not for long.
UPLOAD_TTL = timedelta(days=1)


def purge_expired_uploads():
    """Forget the content of every unconfirmed upload past UPLOAD_TTL (it
    holds ID-number tails); the row and its hash stay as the record.

    There is no scheduler, so three things call this, and any one suffices:
    every roster and credential page (the staff who uploaded come back
    there), the server itself at most every ROSTER_PURGE_SECONDS while it
    answers requests (deliberation/housekeeping.py), and
    `manage.py purge_roster_uploads` for cron on a server that may sit idle
    for days. Cheap when there is nothing to do: one read of a small table, and a
    write only when some upload has expired. Returns how many were purged.
    """
    expired = RosterUpload.objects.filter(applied_at__isnull=True, created_at__lt=timezone.now() - UPLOAD_TTL).exclude(
        content=b""
    )
    if not expired.exists():
        return 0
    return expired.update(content=b"")


@dataclass(frozen=True)
class RosterFile:
    name: str
    data: bytes

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


class RosterFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB. A roster needs far less: check that it is the right file.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return RosterFile(name=upload.name, data=upload.read())


class NewCompoundForm(RosterFileForm):
    name = forms.CharField(label=gettext_lazy("Compound name"), max_length=Compound._meta.get_field("name").max_length)
    check_only = forms.BooleanField(label=gettext_lazy("Only check the file, create nothing"), required=False)
    field_order = ["name", "file", "check_only"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Compound.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A compound with this name exists. Import the roster from its roster page."))
        return name


def _active_households(compound):
    return compound.households.filter(is_active=True).select_related("unit__building")


def _roster_page(request, compound, form, errors=()):
    query = listing.query_of(request)
    page = listing.page_of(request, listing.matching(_active_households(compound), query))
    context = {
        "compound": compound,
        "summary": compound_summary(compound),
        "households": page.object_list,
        "page": page,
        "query": query,
        "retired": compound.households.filter(is_active=False).count(),
        "last_import": compound.roster_uploads.filter(applied_at__isnull=False).order_by("-applied_at").first(),
        "form": form,
        "errors": errors,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "roster/roster.html", context)


@staff_required(*ROSTER_ROLES)
@require_http_methods(["GET", "POST"])
def roster(request, compound):
    """GET: the roster. POST: upload a file; a good one goes to its preview."""
    purge_expired_uploads()
    if request.method != "POST":
        return _roster_page(request, compound, RosterFileForm())
    form = RosterFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _roster_page(request, compound, form)
    roster_file = form.cleaned_data["file"]
    try:
        parse_roster(roster_file.data, roster_file.name)
    except RosterError as error:
        # Nothing is stored for a bad file.
        return _roster_page(request, compound, form, error.errors)
    upload = _store_upload(compound, request.user, roster_file)
    return redirect("roster_preview", compound_id=compound.pk, upload_id=upload.pk)


def _store_upload(compound, user, roster_file):
    return RosterUpload.objects.create(
        compound=compound,
        uploaded_by=user,
        filename=roster_file.name[:255],
        content=roster_file.data,
        sha256=roster_file.sha256,
    )


def _upload_problem(upload):
    """Why this upload can no longer be confirmed, or None."""
    if upload.applied_at is not None:
        return _("This file was already imported (%(when)s). Nothing was changed again.") % {
            "when": date_format(timezone.localtime(upload.applied_at), "DATETIME_FORMAT")
        }
    newer = RosterUpload.objects.filter(compound=upload.compound, applied_at__isnull=False, pk__gt=upload.pk)
    if newer.exists():
        return _(
            "A newer roster file was imported after this one was uploaded, so this preview is out of date. "
            "Nothing was changed. Upload the file again if it is still the right one."
        )
    if not upload.content or upload.created_at < timezone.now() - UPLOAD_TTL:
        return _("This upload has expired. Nothing was changed. Upload the file again.")
    return None


@staff_required(*ROSTER_ROLES)
@require_http_methods(["GET"])
def roster_preview(request, compound, upload_id):
    """What confirming the upload will do: computed by a rolled-back import."""
    purge_expired_uploads()
    upload = get_object_or_404(RosterUpload.objects.select_related("uploaded_by"), pk=upload_id, compound=compound)
    problem = _upload_problem(upload)
    report, errors = None, ()
    if problem is None:
        try:
            report = import_roster(compound.name, bytes(upload.content), upload.filename, dry_run=True)
        except RosterError as error:
            errors = error.errors
    context = {"compound": compound, "upload": upload, "problem": problem, "report": report, "errors": errors}
    return render(request, "roster/preview.html", context)


@staff_required(*ROSTER_ROLES)
@require_POST
def roster_confirm(request, compound, upload_id):
    """Apply the previewed upload, once, unless a newer one was applied."""
    purge_expired_uploads()
    with transaction.atomic():
        # One roster change per compound at a time: a second confirmation
        # (double click, a second tab) waits here, then sees applied_at set.
        Compound.objects.select_for_update().filter(pk=compound.pk).first()
        upload = get_object_or_404(RosterUpload.objects.select_for_update(), pk=upload_id, compound=compound)
        problem = _upload_problem(upload)
        if problem is None and request.POST.get("sha256") != upload.sha256:
            problem = _("The confirmed file is not the one that was previewed. Nothing was changed.")
        if problem is not None:
            messages.error(request, problem)
            return redirect("roster", compound_id=compound.pk)
        try:
            report = import_roster(compound.name, bytes(upload.content), upload.filename, user=request.user)
        except RosterError:
            # The file passed the preview; only a change of the rules can get here.
            messages.error(request, _("The file no longer passes the checks. Nothing was changed."))
            return redirect("roster_preview", compound_id=compound.pk, upload_id=upload.pk)
        upload.applied_at = timezone.now()
        upload.content = b""  # the ID tails are no longer needed; the hash records the file
        upload.save(update_fields=["applied_at", "content"])
    messages.success(request, _counts_message(report))
    return redirect("roster", compound_id=compound.pk)


def _counts_message(report):
    return _(
        "Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(retired)d retired."
    ) % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged, "retired": report.retired}


@require_http_methods(["GET", "POST"])
def roster_new(request):
    """Superusers: create a compound by importing its first roster."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_superuser:
        raise PermissionDenied
    purge_expired_uploads()
    form = NewCompoundForm(request.POST, request.FILES) if request.method == "POST" else NewCompoundForm()
    errors, report = (), None
    if form.is_valid():
        name, roster_file = form.cleaned_data["name"], form.cleaned_data["file"]
        check_only = form.cleaned_data["check_only"]
        try:
            report = _create_compound(name, roster_file, request.user, check_only)
        except RosterError as error:
            errors = error.errors
        else:
            if not check_only:
                messages.success(request, _counts_message(report))
                return redirect("roster", compound_id=report.compound.pk)
    return render(request, "roster/new.html", {"form": form, "errors": errors, "report": report})


def _create_compound(name, roster_file, user, check_only):
    with transaction.atomic():
        report = import_roster(name, roster_file.data, roster_file.name, dry_run=check_only, user=user)
        if not check_only:
            RosterUpload.objects.create(
                compound=report.compound,
                uploaded_by=user,
                filename=roster_file.name[:255],
                content=b"",
                sha256=roster_file.sha256,
                applied_at=timezone.now(),
            )
    return report
