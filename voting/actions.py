"""Voting writes: open, cast, enter for others, close, reveal.

Each commits in one short transaction, then pushes after commit: ballots
mark the live turnout dirty (rendered at most every few hundred ms), the
rest push the poll panel at once.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from compounds.electorate import head_of
from compounds.models import Household
from deliberation.realtime import broadcast_on_commit, bump, mark_dirty, tell_sockets_on_commit, touch_on_commit
from deliberation.storage import forget_deleted_on_commit
from meetings import actions as meeting_actions
from proposals import actions as proposal_actions
from voting import options, tally
from voting.models import Ballot, BallotAudit, Participation, Poll, VoteReceipt

Channel = Ballot.Channel
STAFF_CHANNELS = (Channel.HAND, Channel.PAPER)


class VotingError(Exception):
    """A refused vote or poll action, with a translated message."""


class AlreadyVoted(VotingError):
    """Staff entry for a household that has a ballot: replacing it needs a reason."""

    def __init__(self, message, ballot):
        super().__init__(message)
        self.ballot = ballot


# --- Who votes ------------------------------------------------------------------


def electorate(poll):
    """The households that may vote in `poll`: the voting households, shops only if the poll includes them."""
    households = Household.objects.filter(compound_id=poll.meeting.compound_id).voting()
    if not poll.include_shops:
        households = households.exclude(kind=Household.Kind.SHOP)
    if poll.scope == Poll.Scope.ATTENDEES:
        households = households.filter(attendances__meeting_id=poll.meeting_id)
    elif poll.scope == Poll.Scope.BUILDINGS:
        households = households.filter(unit__building__in=poll.buildings.all())
    elif poll.scope == Poll.Scope.UNIT:
        households = households.filter(unit_id=poll.building_unit_id)
    return households


def units(households):
    """Counting units (voting.tally) for households, keyed by household id."""
    # Plain rows, not model instances: the live turnout counts the whole
    # electorate several times a second during a vote.
    rows = households.values_list("pk", "area", "owner_key", "developer_unsold", "unit__building__name", "unit__name")
    return [
        tally.PlacedUnit(
            key=str(pk),
            area=area,
            owner_key=owner_key,
            developer_unsold=developer_unsold,
            building=building,
            building_unit=building_unit,
        )
        for pk, area, owner_key, developer_unsold, building, building_unit in rows
    ]


def count_now(poll, voters=None):
    """The poll's result on the ballots cast so far (for the close and the live
    turnout). `voters`: the electorate's counting units, if already read."""
    voters = units(electorate(poll)) if voters is None else voters
    ballots = {str(k): v for k, v in Ballot.objects.filter(poll=poll).values_list("household_id", "choice")}
    if poll.has_options:
        option_ids = [str(pk) for pk in poll.options.values_list("pk", flat=True)]
        chosen = {key: choice.split(",") for key, choice in ballots.items()}
        approval = poll.kind == Poll.Kind.APPROVAL
        return options.count_options(voters, chosen, option_ids, approval, poll.seats, poll.tie_break)
    return tally.count(poll.rule, voters, ballots)


def normalize_choice(poll, choice, option_ids=None):
    """What a ballot stores, or VotingError: for/against/abstain, or option ids
    "3,7". `option_ids`: the poll's option ids as strings, if already read."""
    if not poll.has_options:
        choice = choice[0] if isinstance(choice, list | tuple) and len(choice) == 1 else choice
        if choice not in tally.YES_NO:
            raise VotingError(_("Choose for, against or abstain."))
        return choice
    chosen = choice if isinstance(choice, list | tuple) else [choice]
    known = option_ids if option_ids is not None else {str(pk) for pk in poll.options.values_list("pk", flat=True)}
    if not chosen or not set(chosen) <= known or len(set(chosen)) != len(chosen):
        raise VotingError(_("Choose among the options shown."))
    if poll.kind == Poll.Kind.CHOICE and len(chosen) != 1:
        raise VotingError(_("Choose one option."))
    return ",".join(sorted(chosen, key=int))


# --- Poll lifecycle -------------------------------------------------------------------


def _poll_changed(poll, panels=("poll", "turnout")):
    bump(poll.meeting_id)
    broadcast_on_commit(poll.meeting_id, panels, coalesce=False)


@transaction.atomic
def create_poll(form):
    """Save a new poll (and its options) from a valid PollForm; the console lists it."""
    from voting.models import PollOption

    poll = form.save()
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, proposal=proposal, position=n)
        for n, (label, proposal) in enumerate(form.cleaned_data["options"])
    )
    _poll_changed(poll, ("poll",))
    return poll


@transaction.atomic
def update_poll(form):
    """Save a draft poll's changes from a valid PollForm (its options
    replaced): a poll can be corrected until it opens, not after."""
    from voting.models import PollOption

    poll = Poll.objects.select_for_update(of=("self",)).get(pk=form.instance.pk)
    if poll.status != Poll.Status.DRAFT:
        raise VotingError(_("This poll has opened: it can no longer be changed."))
    poll = form.save()
    poll.options.all().delete()
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, proposal=proposal, position=n)
        for n, (label, proposal) in enumerate(form.cleaned_data["options"])
    )
    _poll_changed(poll, ("poll",))
    return poll


@transaction.atomic
def open_poll(poll):
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=poll.pk)
    if poll.status != Poll.Status.DRAFT:
        raise VotingError(_("This poll has already been opened."))
    if not poll.meeting.is_live:
        raise VotingError(_("Open the meeting first."))
    if Poll.objects.filter(meeting=poll.meeting, status=Poll.Status.OPEN).exists():
        raise VotingError(_("Another poll is open: close it first."))
    poll.status, poll.opened_at = Poll.Status.OPEN, timezone.now()
    poll.save(update_fields=["status", "opened_at"])
    if poll.amendment_id:
        try:
            proposal_actions.amendment_put_to_vote(poll.amendment)
        except proposal_actions.ProposalError as error:
            raise VotingError(str(error)) from None
    _poll_changed(poll)
    return poll


@transaction.atomic
def close_poll(poll):
    """Count, write the certificate, keep who took part; forget secret choices."""
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting__compound").get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN:
        raise VotingError(_("This poll is not open."))
    poll.status, poll.closed_at = Poll.Status.CLOSED, timezone.now()
    ballots = Ballot.objects.filter(poll=poll).select_related("household__unit__building")
    Participation.objects.bulk_create(
        Participation(poll=poll, household=b.household, channel=b.channel) for b in ballots
    )
    from voting.certificate import build_certificate

    poll.certificate = build_certificate(poll, count_now(poll), ballots)
    poll.save(update_fields=["status", "closed_at", "certificate"])
    _decided(poll)
    if poll.secret:
        ballots.delete()
        VoteReceipt.objects.filter(poll=poll).delete()
        # And from the files, not only the tables: no older copy of a page
        # that linked a household to its choice stays on disk.
        forget_deleted_on_commit()
    _poll_changed(poll)
    return poll


def _decided(poll):
    """A poll on a proposal or an amendment decides it, in the same transaction:
    the proposal is adopted or rejected, a passed amendment becomes a new
    version. The proposal keeps the decision with what the certificate says."""
    if not (poll.proposal_id or poll.amendment_id):
        return
    result = poll.certificate["result"]
    basis = {
        "poll": poll.pk,
        "title": poll.title,
        "rule": poll.rule,
        "meeting": poll.meeting.title,
        "closed_at": poll.closed_at.isoformat(),
        "result": result,
    }
    passed = bool(result.get("passed"))
    if poll.amendment_id:
        proposal_actions.amendment_decided(poll.amendment, passed, basis)
    else:
        proposal_actions.proposal_decided(poll.proposal, passed, basis)


@transaction.atomic
def reveal(poll):
    """Show the result on the projector and phones."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != Poll.Status.CLOSED:
        raise VotingError(_("Close the poll before showing its result."))
    poll.revealed = True
    poll.save(update_fields=["revealed"])
    meeting_actions.result_revealed(poll.meeting_id)  # the result takes the projector
    _poll_changed(poll, ("poll",))
    return poll


# --- Casting --------------------------------------------------------------------


def cast(poll, household, choice, *, key="", **entry):
    """Record a household's vote in a transaction of its own; returns its ballot.

    `key` is the client's idempotency key: a request already handled (a retry
    after a network error) returns the ballot as it is and changes nothing.
    `entry`: how and by whom it was entered (`Recorder.add`'s keywords).
    Phones' votes come through voting/intake.py, which records many of them
    in one transaction with a `Recorder`.
    """
    with transaction.atomic():
        poll = locked_poll(poll.pk)
        recorder = Recorder(poll, [household.pk], keys=[key])
        ballot, changed = recorder.add(household.pk, choice, key=key, **entry)
        recorder.write()
        if changed:
            touch_on_commit(poll.meeting_id, ("turnout",))
    return ballot


def locked_poll(poll_id):
    """The poll as it is now, locked against a concurrent close (PostgreSQL;
    SQLite's write transaction locks everything anyway): a vote recorded
    while the poll is open is in the count that closes it. Every write of
    ballots holds this lock, so what a Recorder reads stays true until the
    commit."""
    return Poll.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=poll_id)


class Recorder:
    """Votes in one poll, inside the caller's transaction, the poll read by
    `locked_poll`: each vote is checked in Python against what was read for
    all of them at once (voters, ballots, handled keys), and `write()` saves
    them with a few bulk statements. A room voting at once costs a handful
    of queries per batch instead of several per vote.

    `add` raises VotingError for a refused vote and plans nothing for it, so
    a refusal changes nothing for the other votes of the batch.
    """

    def __init__(self, poll, household_ids, keys=()):
        self.poll = poll
        ids = set(household_ids)
        self.households = {h.pk: h for h in electorate(poll).filter(pk__in=ids)}
        # Art. 278 polls: the owner head of each voter here, read once.
        self.heads = {pk: head_of(_unit(h)) for pk, h in self.households.items()} if poll.counts_owners else {}
        self.ballots = {b.household_id: b for b in Ballot.objects.filter(poll=poll, household_id__in=ids)}
        keys = {key[:64] for key in keys if key}
        receipts = VoteReceipt.objects.filter(poll=poll, key__in=keys) if keys else VoteReceipt.objects.none()
        # A key is handled for the household that sent it, never for another.
        self.handled = set(receipts.filter(household_id__in=ids).values_list("household_id", "key"))
        self.option_ids = None
        self._receipts, self._new, self._changed, self._audits, self._owners = [], [], {}, [], {}

    def add(
        self,
        household_id,
        choice,
        *,
        key="",
        channel=Channel.PHONE,
        user=None,
        requested_by="",
        proxy_holder="",
        proxy_reference="",
        replace_reason="",
    ):
        """One household's vote: returns (ballot, changed), or raises VotingError.

        A key already handled for this household returns its ballot as it is.
        Staff replacing a ballot the household already has must give
        `replace_reason` (AlreadyVoted otherwise); the audit keeps both.
        """
        poll, key = self.poll, key[:64]
        if key and (household_id, key) in self.handled:
            return self.ballots.get(household_id), False
        if not poll.is_open:
            raise VotingError(_("This poll is not open for voting."))
        choice = self._normalize(choice)
        household = self.households.get(household_id)
        if household is None:
            if (
                poll.scope == Poll.Scope.ATTENDEES
                and Household.objects.filter(pk=household_id, compound_id=poll.meeting.compound_id).voting().exists()
            ):
                # Only households signed in to the meeting vote in this poll:
                # say how to bring in one whose proxy or paper ballot is here.
                raise VotingError(
                    _(
                        "This household is not among those who vote in this poll: only households signed in to "
                        "the meeting vote in it. Sign the household in at the sign-in desk first."
                    )
                )
            raise VotingError(_("This household is not among those who vote in this poll."))
        existing = self.ballots.get(household_id)

        event = None
        if channel == Channel.PROXY:
            proxy_holder = " ".join(proxy_holder.split())
            self._check_proxy(household, existing, proxy_holder)
            event = BallotAudit.Event.PROXY
        elif channel in STAFF_CHANNELS:
            event = BallotAudit.Event.STAFF_REPLACED if existing else BallotAudit.Event.ENTERED
        elif existing and existing.channel == Channel.PROXY:
            event = BallotAudit.Event.REPLACED_PROXY
        elif existing and existing.channel in STAFF_CHANNELS:
            event = BallotAudit.Event.REPLACED_STAFF
        if existing and poll.final_on_cast:
            raise VotingError(_("This household has voted; in this poll a vote cannot be changed."))
        replace_reason = " ".join(replace_reason.split())[:200]
        if existing and channel != Channel.PHONE and not replace_reason:
            raise AlreadyVoted(already_voted_message(household, existing), existing)
        replaced = (existing.channel, existing.choice, existing.cast_at) if existing else ("", "", None)

        # Accepted: from here on nothing refuses.
        if key:
            self.handled.add((household_id, key))
            self._receipts.append(VoteReceipt(poll=poll, key=key, household=household))
        ballot = existing or Ballot(poll=poll, household=household)
        ballot.choice, ballot.channel, ballot.cast_at = choice, channel, timezone.now()
        ballot.proxy_holder = proxy_holder if channel == Channel.PROXY else ""
        ballot.entered_by = user if channel != Channel.PHONE else None
        if ballot.pk is None:
            if existing is None:
                self._new.append(ballot)
        else:
            self._changed[ballot.pk] = ballot
        self.ballots[household_id] = ballot
        if poll.counts_owners:
            self._align_owner(household, choice)
        if event:
            self._audits.append(
                BallotAudit(
                    poll=poll,
                    household=household,
                    event=event,
                    channel=channel,
                    choice="" if poll.secret else choice,
                    requested_by=requested_by.strip()[:100],
                    proxy_holder=proxy_holder[:60],
                    proxy_reference=proxy_reference.strip()[:100],
                    replaced_channel=replaced[0] if channel != Channel.PHONE else "",
                    replaced_choice="" if poll.secret or channel == Channel.PHONE else replaced[1],
                    replaced_at=replaced[2] if channel != Channel.PHONE else None,
                    reason=replace_reason if channel != Channel.PHONE else "",
                    entered_by=user,
                )
            )
        if channel != Channel.PHONE:
            # That household's phone, if it is in the room, shows its vote anew.
            tell_sockets_on_commit([poll.meeting_id], f"household:{household_id}", {"type": "mine"})
        return ballot, True

    def write(self):
        """Save what `add` accepted since the last write (in the caller's transaction)."""
        VoteReceipt.objects.bulk_create(self._receipts)
        Ballot.objects.bulk_create(self._new)
        Ballot.objects.bulk_update(
            self._changed.values(), ["choice", "channel", "cast_at", "proxy_holder", "entered_by"]
        )
        # After the ballots: the owner's latest vote here sets all their units.
        for household, choice in self._owners.values():
            same_owner = Household.objects.filter(compound_id=household.compound_id).exclude(pk=household.pk)
            if household.developer_unsold:
                same_owner = same_owner.filter(developer_unsold=True)
            else:
                same_owner = same_owner.filter(owner_key=household.owner_key, developer_unsold=False)
            Ballot.objects.filter(poll=self.poll, household__in=same_owner).exclude(choice=choice).update(choice=choice)
        BallotAudit.objects.bulk_create(self._audits)
        self._receipts, self._new, self._changed, self._audits, self._owners = [], [], {}, [], {}

    def _normalize(self, choice):
        if self.poll.has_options and self.option_ids is None:
            self.option_ids = {str(pk) for pk in self.poll.options.values_list("pk", flat=True)}
        return normalize_choice(self.poll, choice, self.option_ids)

    def _check_proxy(self, household, existing, holder):
        if not holder:
            raise VotingError(_("Name the proxy holder."))
        if existing and existing.channel == Channel.PHONE:
            raise VotingError(_("This household has voted itself; its own vote stands."))
        self.write()  # the count below reads the database: nothing may be pending
        principals = (
            Ballot.objects.filter(poll=self.poll, channel=Channel.PROXY, proxy_holder=holder)
            .exclude(household_id=household.pk)
            .count()
        )
        if principals >= self.poll.proxy_cap:
            raise VotingError(
                _("%(holder)s already votes for %(count)d households, the most one proxy holder may.")
                % {"holder": holder, "count": self.poll.proxy_cap}
            )

    def _align_owner(self, household, choice):
        """Art. 278 polls count an owner once: their latest vote is the vote
        of all their units (written by `write`, mirrored here for this batch)."""
        head = self.heads[household.pk]
        if head.startswith("unit:"):
            return
        self._owners[head] = (household, choice)
        for other_id, ballot in self.ballots.items():
            if other_id != household.pk and self.heads.get(other_id) == head:
                ballot.choice = choice


def already_voted_message(household, ballot):
    """What staff read before replacing a ballot: whose, how and when it came in."""
    when = time_format(timezone.localtime(ballot.cast_at), "H:i")
    return _(
        "%(household)s has already voted (%(channel)s, %(time)s). To replace that vote, "
        "confirm and give the reason; both are kept in the audit log."
    ) % {"household": household.label, "channel": ballot.get_channel_display(), "time": when}


def _unit(household):
    return tally.Unit(str(household.pk), household.area, household.owner_key, household.developer_unsold)


class BatchError(VotingError):
    """A paper batch refused as a whole; `problems` names each failed line."""

    def __init__(self, problems, replacing=False):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.replacing = replacing  # some lines would replace a vote already cast


@transaction.atomic
def enter_batch(poll, entries, user, channel=Channel.PAPER, replace_reason=""):
    """Paper ballots in one go, all or nothing: [(line number, household, choice)].

    Every line is checked; if any is refused, nothing is recorded and
    BatchError lists each refused line with its number and the reason.
    """
    poll = locked_poll(poll.pk)
    recorder = Recorder(poll, [household.pk for _n, household, _choice in entries])
    problems, replacing = [], False
    for number, household, choice in entries:
        try:
            recorder.add(household.pk, choice, channel=channel, user=user, replace_reason=replace_reason)
        except VotingError as error:
            replacing = replacing or isinstance(error, AlreadyVoted)
            line = {"n": number, "household": household.label, "error": error}
            problems.append(_("line %(n)d (%(household)s): %(error)s") % line)
    if problems:
        raise BatchError(problems, replacing)
    recorder.write()
    if entries:
        touch_on_commit(poll.meeting_id, ("turnout",))


def attendance_hold(meeting, household):
    """Why a staff sign-in must stand (meetings.extensions.attendance_holds):
    the household voted in an open poll of the households present, and
    removing it would change that poll's electorate mid-vote. Locks those
    polls as a vote does (locked_poll), so no ballot lands before the undo."""
    polls = list(
        Poll.objects.select_for_update()
        .filter(meeting=meeting, status=Poll.Status.OPEN, scope=Poll.Scope.ATTENDEES)
        .order_by("pk")
    )
    voted = next((p for p in polls if Ballot.objects.filter(poll=p, household=household).exists()), None)
    if voted is None:
        return None
    return _(
        "%(household)s has already voted in the open poll “%(poll)s”, whose voters are the households "
        "present: undoing the sign-in now would change that poll mid-vote. Undo it after the poll closes."
    ) % {"household": household, "poll": voted.title}


# --- Phones' votes, written in batches by voting/intake.py ----------------------


def votes_written(meeting_ids):
    """Inside a batch's transaction: each meeting whose ballots changed gets
    one new revision for the whole batch."""
    for meeting_id in meeting_ids:
        bump(meeting_id)


def turnout_changed(meeting_id):
    """After the batch's commit: the meeting's turnout is marked dirty, and
    each process's hub renders it within its coalescing window."""
    mark_dirty(meeting_id, {"turnout"})
