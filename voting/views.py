"""Voting pages: a phone's vote, staff entry, poll controls, the certificate."""

import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from compounds.ratelimit import code_attempt_refusal, over_limit, record_code_failure, remember_code_client
from meetings import access
from meetings.models import Meeting
from meetings.responses import action_response, join_ended
from proposals.actions import MAX_PHOTO_BYTES
from voting import actions, budget_round, intake, labels, receipts
from voting.forms import BallotEntryForm, PaperBatchForm, PollForm, ReceiptForm
from voting.models import Ballot, BallotAudit, BallotPhoto, BallotReceipt, Poll, VoteReceipt, choice_text
from voting.panels import current_poll, small_secret_electorate

Role = access.Role
KEY_JUNK = re.compile(r"[^0-9A-Za-z_-]")
# Staff who enter votes for households (hand counts, paper, proxies) and who
# prepare polls: the facilitator and the community worker beside them. The
# secretary writes the minutes; the console shows her neither (issue 14).
ENTRY = (Role.FACILITATOR, Role.WORKER)
# Wrong receipt codes are counted under their own keys (compounds/ratelimit.py).
RECEIPT_TRIES = "receiptfail"
PREPARE = (Role.FACILITATOR, Role.WORKER)


def _my_vote(request, poll, ballot, error=None, status=200):
    """The phone's own line under the poll: what this household's vote is."""
    if _wants_json(request):
        if error:
            return JsonResponse({"recorded": False, "error": error}, status=status)
        return JsonResponse(
            {
                "recorded": True,
                "poll": poll.pk,
                "choice": ballot.choice if ballot else None,
                # Shown once, with the answer that recorded the ballot (voting/receipts.py).
                "receipt": getattr(ballot, "receipt", None),
            }
        )
    context = {**line_context(poll, ballot), "error": error}
    # htmx swaps 2xx only; a refusal still replaces the phone's own line.
    response = render(request, "voting/my_vote.html", context, status=200 if request.htmx else status)
    return response


def _wants_json(request):
    return request.headers.get("Accept", "").startswith("application/json")


def line_context(poll, ballot):
    """What the phone's own line shows (voting/my_vote.html): the household's
    vote, and when staff entered or replaced it, how and when."""
    context = {
        "poll": poll,
        "ballot": ballot,
        "choice_label": choice_text(poll, ballot.choice) if ballot else None,
        "vote_url": reverse("my_vote", kwargs={"code": poll.meeting.code, "poll_id": poll.pk}),
        "receipt": receipt_context(poll, ballot),
    }
    if poll.is_budget and ballot is not None:
        context.update(budget_line(poll, ballot))
    if ballot is not None and ballot.channel != Ballot.Channel.PHONE:
        last = BallotAudit.objects.filter(poll=poll, household_id=ballot.household_id).order_by("-at", "-id").first()
        context["entered_by_staff"] = True
        context["replaced_own"] = last is not None and last.replaced_channel == Ballot.Channel.PHONE
    return context


def budget_line(poll, ballot):
    """A participatory budget on the household's phone: what its ballot
    approved is worth, and once counted (a named poll: the certificate keeps
    it), what its share paid for."""
    costs = dict(poll.options.values_list("pk", "cost"))
    approved = budget_round.approved_ids(ballot.choice)
    line = {"worth": sum((costs.get(int(pk)) or 0 for pk in approved if pk.isdigit()), Decimal(0))}
    if poll.certificate:
        label = ballot.household.label
        mine = next((p for p in poll.certificate.get("participants") or () if p["household"] == label), None)
        if mine is not None and "paid" in mine:
            options = poll.certificate["options"]
            line["share"] = mine["share"]
            line["paid"] = _(", ").join(
                f"{options.get(option, option)} {labels.money(amount)}" for option, amount in mine["paid"].items()
            )
            line["paid_total"] = mine["paid_total"]
            result = poll.certificate["result"]
            # Raised by the completion: said for equal shares (with area
            # shares it is a price per m², which the result explains).
            if result.get("steps") and result.get("share_basis") == budget_round.EQUAL:
                line["virtual_share"] = result["virtual_share"]
    return line


def receipt_context(poll, ballot):
    """The receipt line under the household's vote: its code when the ballot
    was just recorded (only then is it known: voting/receipts.py), else the
    receipt's id, by which the phone finds the code it kept (static/js/vote.js)."""
    if ballot is None:
        return None
    code = getattr(ballot, "receipt", None)
    if code:
        # Just recorded: the receipt written with it (no query on a vote's answer).
        current = ballot.receipt_row.pk
    else:
        current = (
            BallotReceipt.objects.filter(poll=poll, household_id=ballot.household_id, replaced_at=None)
            .order_by("-recorded_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
    if current is None:
        return None  # a ballot from before receipts existed
    return {"code": code, "id": current, "check_url": reverse("receipt_check")}


def my_vote_context(meeting, household):
    """The phone's own line under the current poll (per household, so not a
    panel; added to the phone page through meetings.extensions)."""
    poll = current_poll(meeting)
    if poll is None:
        return {}
    return {"my_vote": line_context(poll, Ballot.objects.filter(poll=poll, household=household).first())}


@require_POST
def vote(request, code, poll_id):
    """A household votes from its phone: acknowledged only after the commit.

    The request reads only its session; the writer checks the rest for many
    votes at once (voting/intake.py). A household sending more than
    VOTE_CHANGES_PER_WINDOW votes on a poll in VOTE_CHANGE_WINDOW seconds is
    told to wait (one cache round trip per vote), before the writer: no
    ballot change, receipt or push."""
    code = code.upper()
    meeting_id = intake.poll_meeting(poll_id, code)
    if meeting_id is None:
        raise Http404
    joined = access.joined_household(request.session, meeting_id)
    household_id, credential_id = joined or (None, None)
    # vote.js sends 32 hex digits; anything else is kept to what a key may hold.
    key = KEY_JUNK.sub("", request.POST.get("key", ""))[:64]
    try:
        if joined is None:
            raise intake.NotJoined(_("Join the meeting first."))
        limit, window = settings.VOTE_CHANGES_PER_WINDOW, settings.VOTE_CHANGE_WINDOW
        if over_limit(f"rl:vote:{code}:{poll_id}:{household_id}", limit, window) and not (
            # A retry of a vote already recorded (its key has a receipt) is
            # never refused: the writer answers it from the receipt and
            # changes nothing. A retry of a refused vote is refused again.
            key and VoteReceipt.objects.filter(poll_id=poll_id, household_id=household_id, key=key).exists()
        ):
            poll = get_object_or_404(Poll.objects.select_related("meeting"), pk=poll_id)
            current = Ballot.objects.filter(poll=poll, household_id=household_id).first()
            error = _("You are changing your vote too often. Please wait a moment and try again.")
            response = _my_vote(request, poll, current, error=error, status=429)
            response["Retry-After"] = str(window)
            return response
        poll, ballot = intake.cast_phone_vote(poll_id, code, joined, request.POST.getlist("choice"), key)
    except actions.VotingError as error:
        # Refused (rare): read the poll and this household's vote for the answer.
        poll = get_object_or_404(Poll.objects.select_related("meeting"), pk=poll_id)
        if isinstance(error, intake.NotJoined):
            if request.htmx and not _wants_json(request):
                # The join has ended (the meeting closed, the code was
                # revoked): the phone reloads into what is true now.
                return join_ended(request, poll.meeting)
            return _my_vote(request, poll, None, error=str(error), status=403)
        if isinstance(error, intake.Busy):
            return _my_vote(request, poll, None, error=str(error), status=503)
        current = Ballot.objects.filter(poll=poll, household_id=household_id).first()
        return _my_vote(request, poll, current, error=str(error), status=409)
    return _my_vote(request, poll, ballot)


def my_vote(request, code, poll_id):
    """The phone's own line, fetched again when a new poll appears or on resync."""
    meeting = get_object_or_404(Meeting, code=code.upper())
    poll = get_object_or_404(Poll, pk=poll_id, meeting=meeting)
    household = access.resident_household(request.session, meeting)
    ballot = Ballot.objects.filter(poll=poll, household=household).first() if household else None
    return _my_vote(request, poll, ballot)


@require_POST
@access.staff_required(Role.FACILITATOR)
def poll_action(request, meeting, compound, poll_id):
    poll = get_object_or_404(Poll, pk=poll_id, meeting=meeting)
    act = {"open": actions.open_poll, "close": actions.close_poll, "reveal": actions.reveal}.get(
        request.POST.get("action")
    )
    console = reverse("console", kwargs={"meeting_id": poll.meeting_id})
    if act is None:
        return action_response(request, console, error=_("Unknown action."), status=400)
    try:
        act(poll)
    except actions.VotingError as error:
        return action_response(request, console, error=str(error))
    return action_response(request, console)


@access.staff_required(*PREPARE)
def poll_new(request, meeting, compound):
    form = PollForm(request.POST or None, meeting=meeting, initial=_poll_initial(request, meeting))
    if request.method == "POST" and form.is_valid():
        poll = actions.create_poll(form)
        small = small_secret_electorate(poll)
        if small:
            messages.warning(
                request,
                ngettext(
                    "Secret ballot with only %(n)d household able to vote: the totals may reveal its vote.",
                    "Secret ballot with only %(n)d households able to vote: the totals by area may reveal "
                    "how each voted. Consider a named vote or wait for more households.",
                    small,
                )
                % {"n": small},
            )
        messages.success(
            request,
            _("Vote saved: %(title)s. Open it from the console when the room is ready.") % {"title": poll.title},
        )
        return redirect("console", meeting_id=meeting.pk)
    return render(request, "voting/poll_form.html", {"form": form, "meeting": meeting})


@access.staff_required(*PREPARE)
def poll_edit(request, meeting, compound, poll_id):
    """Correct a poll until it opens (its question, rule, electorate, options)."""
    poll = get_object_or_404(Poll, pk=poll_id, meeting=meeting)
    if poll.status != Poll.Status.DRAFT:
        messages.error(request, _("This poll has opened: it can no longer be changed."))
        return redirect("console", meeting_id=meeting.pk)
    options = list(poll.options.all())
    initial = {
        # A participatory budget's typed projects as they were typed: "name | cost".
        "options": "\n".join(
            f"{o.label} | {o.cost}" if poll.is_budget else o.label for o in options if o.proposal_id is None
        ),
        "option_proposals": [o.proposal_id for o in options if o.proposal_id],
    }
    form = PollForm(request.POST or None, instance=poll, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_poll(form)
        except actions.VotingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Changes saved to the vote: %(title)s.") % {"title": poll.title})
        return redirect("console", meeting_id=meeting.pk)
    return render(request, "voting/poll_form.html", {"form": form, "meeting": meeting, "poll": poll})


def _poll_initial(request, meeting):
    """A vote on an amendment or a proposal, from the console's "Put to a
    vote": the form filled in for it, the rule left to the facilitator."""
    form = PollForm(meeting=meeting)
    initial = {"item": _item_now(meeting)}
    amendment = form.fields["amendment"].queryset.filter(pk=_int_or_none(request.GET.get("amendment"))).first()
    if amendment is not None:
        return {
            **initial,
            **_item_of(meeting, amendment.proposal),
            "amendment": amendment.pk,
            "title": _("Amendment %(number)s to “%(proposal)s”")
            % {
                "number": amendment.number,
                "proposal": amendment.proposal.title,
            },
            "text": "\n".join(
                [amendment.text or amendment.original, _("Reason: %(reason)s") % {"reason": amendment.reason}]
            ),
        }
    proposal = form.fields["proposal"].queryset.filter(pk=_int_or_none(request.GET.get("proposal"))).first()
    if proposal is not None:
        return {
            **initial,
            **_item_of(meeting, proposal),
            "proposal": proposal.pk,
            "title": _("Adopt “%(proposal)s”") % {"proposal": proposal.title},
        }
    return initial


def _item_now(meeting):
    """The agenda item a new vote most likely belongs to: the one under
    discussion, else (between items, or before the meeting starts) the next
    one not yet done. The form shows it, to change if it is not that."""
    if meeting.current_item_id:
        return meeting.current_item_id
    upcoming = meeting.items.filter(done=False).order_by("position", "id").first()
    return upcoming.pk if upcoming else None


def _item_of(meeting, proposal):
    """The item that debates `proposal`, when it is on this meeting's agenda."""
    if proposal.item_id and meeting.items.filter(pk=proposal.item_id).exists():
        return {"item": proposal.item_id}
    return {}


def _int_or_none(value):
    return int(value) if value and value.isascii() and value.isdigit() else None


@access.staff_required(*ENTRY)
def poll_ballots(request, meeting, compound, poll_id):
    poll = get_object_or_404(Poll, pk=poll_id, meeting=meeting)
    """Staff enter votes for households without phones: one at a time or a paper batch."""
    one = BallotEntryForm(compound=compound, poll=poll, prefix="one")
    batch = PaperBatchForm(compound=compound, poll=poll, prefix="batch")
    if request.method == "POST":
        if "batch-lines" in request.POST:
            batch = PaperBatchForm(request.POST, compound=compound, poll=poll, prefix="batch")
            if batch.is_valid():
                try:
                    issued = actions.enter_batch(
                        poll, batch.cleaned_data["lines"], request.user, replace_reason=batch.reason
                    )
                    return _entered(request, poll, issued)
                except actions.BatchError as error:
                    batch.confirm_replace = error.replacing
                    for problem in error.problems:
                        batch.add_error(None, problem)
                except actions.VotingError as error:
                    batch.add_error(None, str(error))
        else:
            one = BallotEntryForm(request.POST, request.FILES, compound=compound, poll=poll, prefix="one")
            if one.is_valid():
                data = one.cleaned_data
                photo = data["photo"].read(MAX_PHOTO_BYTES + 1) if data["photo"] else None
                try:
                    ballot = actions.cast(
                        poll,
                        data["household"],
                        data["choice"],
                        channel=data["channel"],
                        user=request.user,
                        requested_by=data["requested_by"],
                        proxy_holder=data["proxy_holder"],
                        proxy_reference=data["proxy_reference"],
                        replace_reason=one.reason,
                        photo=photo,
                    )
                    return _entered(request, poll, [(data["household"], ballot.receipt)])
                except actions.AlreadyVoted as error:
                    one.confirm_replace = True
                    one.add_error(None, str(error))
                except actions.VotingError as error:
                    one.add_error(None, str(error))
    audit = (
        BallotAudit.objects.filter(poll=poll)
        .select_related("household__unit__building", "entered_by")
        .annotate(has_photo=Exists(BallotPhoto.objects.filter(audit=OuterRef("pk"))))
    )
    context = {
        "poll": poll,
        "one": one,
        "batch": batch,
        "audit": audit.order_by("-at", "-id")[:200],
        "receipts": _entered_receipts(request, poll),
    }
    return render(request, "voting/ballots.html", context)


# The receipt codes of the ballots just entered, for the page the entry
# redirects to: kept in the cache (not the database, which holds only their
# hashes) for this user, for ENTERED_RECEIPTS_SECONDS.
ENTERED_RECEIPTS_SECONDS = 15 * 60


def _entered(request, poll, issued):
    n = len(issued)
    messages.success(request, ngettext("%(n)d ballot recorded.", "%(n)d ballots recorded.", n) % {"n": n})
    token = secrets.token_urlsafe(16)
    rows = [(household.label, code) for household, code in issued]
    cache.set(_receipts_key(request, poll, token), rows, ENTERED_RECEIPTS_SECONDS)
    url = reverse("poll_ballots", kwargs={"meeting_id": poll.meeting_id, "poll_id": poll.pk})
    return redirect(f"{url}?receipts={token}")


def _receipts_key(request, poll, token):
    return f"entered-receipts:{request.user.pk}:{poll.pk}:{token}"


def _entered_receipts(request, poll):
    token = request.GET.get("receipts", "")
    if not token or len(token) > 40 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return cache.get(_receipts_key(request, poll, token)) or []


@access.staff_required(*ENTRY)
def ballot_photo(request, meeting, compound, poll_id, audit_id):
    """A paper ballot's photo, to the staff who enter ballots (never public)."""
    photo = get_object_or_404(BallotPhoto, audit_id=audit_id, audit__poll_id=poll_id, audit__poll__meeting=meeting)
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    # Staff only: no shared cache, and no copy left in the browser's.
    response["Cache-Control"] = "private, no-store"
    return response


@remember_code_client
@require_http_methods(["GET", "POST"])
def receipt_check(request):
    """Anyone with a receipt code checks its ballot: recorded, counted as
    cast (a named poll's choice), counted (a secret poll), or replaced.
    Wrong codes are limited as household codes are (compounds/ratelimit.py),
    counted apart from them."""
    form = ReceiptForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        refusal = code_attempt_refusal(request, code, namespace=RECEIPT_TRIES)
        if refusal is not None:
            form.add_error(None, refusal.message)
            status = 429
        else:
            receipt = receipts.find(code)
            if receipt is None:
                record_code_failure(request, code, namespace=RECEIPT_TRIES)
                form.add_error(
                    "code",
                    _("No ballot has this receipt code. Check it against your phone or your paper slip."),
                )
                status = 404
            else:
                result = receipts.check(receipt)
    response = render(request, "voting/receipt.html", {"form": form, "result": result}, status=status)
    if status == 429:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def certificate(request, poll_id):
    """The result certificate: staff of the compound always; a household of
    the meeting once the result is revealed, a secret poll's without the list
    of who took part (with the roster's areas, per-choice area totals could
    then single a household's vote out)."""
    poll = get_object_or_404(Poll.objects.select_related("meeting__compound"), pk=poll_id)
    meeting = poll.meeting
    staff = access.has_role(request.user, meeting.compound, access.CONSOLE_ROLES)
    resident = not staff and access.household_of_session(request.session, meeting) is not None
    if not staff and not (resident and poll.revealed):
        if resident:
            context = {"poll": poll, "waiting_reveal": True}
            return render(request, "voting/certificate_pending.html", context, status=403)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return render(request, "403.html", status=403)
    if poll.certificate is None:
        return render(request, "voting/certificate_pending.html", {"poll": poll}, status=404)
    shown = dict(poll.certificate)
    if poll.secret and not staff:
        shown.pop("participants", None)
    if request.GET.get("format") == "json":
        return JsonResponse(shown, json_dumps_params={"ensure_ascii": False, "indent": 2})
    context = {"poll": poll, "c": shown, "staff": staff}
    return render(request, "voting/certificate.html", context)
