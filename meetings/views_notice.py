"""The notice of a meeting (公告) and its service (送达).

Staff publish the notice (topics and voting window, checked against the
compound's jurisdiction), extend the window by a notice of its own, and
record how each household was served; the public reads and prints the
notices with a QR code that brings a phone to the same page.
Plain forms, one view each, redirect after success (these pages are
used a few times a meeting, not in the room's rush).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compounds.qr import absolute_url, qr_data_uri
from meetings import access, actions, notices
from meetings.actions import ActionError
from meetings.forms import ExtensionForm, NoticeForm, PostingForm, ServiceBatchForm, ServiceForm
from meetings.models import Meeting, Notice

Role = access.Role
# Those who plan the meeting (meetings/views_room.py PLAN): the community
# worker drafts and posts notices as often as the secretary does.
NOTICE_ROLES = SERVICE_ROLES = (Role.FACILITATOR, Role.WORKER, Role.SECRETARY)


def _notice_url(meeting):
    return reverse("notice_page", kwargs={"meeting_id": meeting.pk})


def _service_url(meeting):
    return reverse("service_page", kwargs={"meeting_id": meeting.pk})


@access.staff_required(*NOTICE_ROLES)
def notice_page(request, meeting, compound):
    published = list(meeting.notices.order_by("number"))
    form = None if published else NoticeForm(meeting=meeting)
    extension = ExtensionForm() if published and meeting.status != Meeting.Status.CLOSED else None
    if request.method == "POST" and not published:
        form = NoticeForm(request.POST, meeting=meeting)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.publish_notice(
                    meeting,
                    title=data["title"],
                    body=data["body"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    item_ids=[int(pk) for pk in data["topics"]],
                    extraordinary=data["extraordinary"],
                    user=request.user,
                )
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The notice is published."))
                return redirect(_notice_url(meeting))
    return render(request, "meetings/notice_staff.html", _context(request, meeting, published, form, extension))


def _context(request, meeting, published, form=None, extension=None):
    profile = notices.profile(meeting)
    return {
        "meeting": meeting,
        "notices": published,
        "form": form,
        "extension": extension,
        "profile": profile,
        "by_the_book": notices.follows_the_book(meeting),
        "public_urls": {n.pk: reverse("notice_public", args=[meeting.compound_id, n.pk]) for n in published},
    }


@require_POST
@access.staff_required(*NOTICE_ROLES)
def notice_extend(request, meeting, compound):
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            actions.extend_window(
                meeting, closes_at=form.cleaned_data["closes_at"], reason=form.cleaned_data["reason"], user=request.user
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The extension notice is published."))
            return redirect(_notice_url(meeting))
    published = list(meeting.notices.order_by("number"))
    return render(request, "meetings/notice_staff.html", _context(request, meeting, published, None, form), status=400)


def notice_public(request, compound_id, notice_id):
    """A published notice, for anyone: readable on a phone, printable with
    a QR code of its own address to post up in the compound."""
    notice = get_object_or_404(
        Notice.objects.select_related("meeting__compound"), pk=notice_id, meeting__compound_id=compound_id
    )
    meeting = notice.meeting
    address = absolute_url(request, request.path)
    return render(
        request,
        "meetings/notice_public.html",
        {
            "notice": notice,
            "meeting": meeting,
            "compound": meeting.compound,
            "others": meeting.notices.exclude(pk=notice.pk).order_by("number"),
            "qr": qr_data_uri(address),
            "address": address,
            "join_url": absolute_url(request, reverse("join", args=[meeting.code])),
            "open_to_join": meeting.is_open_to_residents,
        },
    )


# --- Service (送达) --------------------------------------------------------------


def _service_forms(request, compound):
    """The page's three empty forms, filled in with today and who is entering."""
    today = timezone.localdate()
    initial = {"served_on": today, "served_by": actions.staff_name(request.user), "posted_on": today}
    return {
        "single": ServiceForm(compound=compound, initial=initial),
        "batch": ServiceBatchForm(compound=compound, initial=initial),
        "posting": PostingForm(initial={**initial, "posted_by": initial["served_by"]}),
    }


def _service_page(request, meeting, compound, status=200, **bound):
    """The service page; `bound`: the form that was posted and refused, shown
    with its errors in place of its empty twin."""
    return render(
        request,
        "meetings/service.html",
        {
            "meeting": meeting,
            **_service_forms(request, compound),
            **bound,
            "services": notices.standing_services(meeting),
            "postings": notices.postings(meeting),
            "served": len(notices.served_household_ids(meeting)),
            "eligible": compound.households.voting().count(),
        },
        status=status,
    )


@access.staff_required(*SERVICE_ROLES)
def service_page(request, meeting, compound):
    return _service_page(request, meeting, compound)


def _record_service(request, meeting, compound, form, name, households):
    """Record the deliveries `form` names, or show it again with the reason."""
    if form.is_valid():
        data = form.cleaned_data
        try:
            recorded = actions.record_service(
                meeting,
                households(data),
                method=data["method"],
                served_on=data["served_on"],
                served_by=data["served_by"],
                note=data.get("note", ""),
                user=request.user,
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(n)d deliveries recorded.") % {"n": len(recorded)})
            return redirect(_service_url(meeting))
    return _service_page(request, meeting, compound, status=400, **{name: form})


@require_POST
@access.staff_required(*SERVICE_ROLES)
def service_one(request, meeting, compound):
    form = ServiceForm(request.POST, compound=compound)
    return _record_service(request, meeting, compound, form, "single", lambda data: [data["household"]])


@require_POST
@access.staff_required(*SERVICE_ROLES)
def service_batch(request, meeting, compound):
    form = ServiceBatchForm(request.POST, compound=compound)
    return _record_service(request, meeting, compound, form, "batch", lambda data: data["labels"])


@require_POST
@access.staff_required(*SERVICE_ROLES)
def service_posting(request, meeting, compound):
    form = PostingForm(request.POST)
    if form.is_valid():
        try:
            actions.record_posting(meeting, user=request.user, **form.cleaned_data)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The posting is recorded."))
            return redirect(_service_url(meeting))
    return _service_page(request, meeting, compound, status=400, posting=form)


@require_POST
@access.staff_required(*SERVICE_ROLES)
def service_withdraw(request, meeting, compound):
    try:
        actions.withdraw_service(meeting, request.POST.get("service"), request.user)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The entry is withdrawn; the record keeps both."))
    return redirect(_service_url(meeting))
