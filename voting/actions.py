"""Voting writes: open, cast, enter for others, close, reveal.

Each commits in one short transaction, then pushes after commit: ballots
mark the live turnout dirty (rendered at most every few hundred ms), the
rest push the poll panel at once.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Count, DateTimeField, Max, Value, When
from django.db.models.functions import Trunc
from django.utils import formats, timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from compounds import canonical, ledger
from compounds.electorate import format_area, head_of
from compounds.models import Household
from deliberation.realtime import broadcast_on_commit, bump, mark_dirty, tell_sockets_on_commit, touch_on_commit
from deliberation.storage import forget_deleted_on_commit
from meetings import actions as meeting_actions
from meetings import notices, roster_check
from meetings.models import Attendance
from proposals import actions as proposal_actions
from voting import budget_round, equal_shares, labels, options, photos, tally
from voting import receipts as receipt_codes
from voting.frozen import frozen_electorate, frozen_ids
from voting.models import (
    Ballot,
    BallotAudit,
    BallotPhoto,
    BallotReceipt,
    CountingClause,
    Objection,
    OfficialResult,
    Participation,
    Poll,
    VoteReceipt,
)

Channel = Ballot.Channel
POLL_CLOSED = "voting.poll_closed"  # the audit chain's entry for a close
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


def voter_units(poll):
    """The electorate's counting units: as frozen when the poll opened, else
    (households present, or not yet open) as the roster stands."""
    frozen = frozen_electorate(poll)
    if frozen is None:
        return units(electorate(poll))
    return [
        tally.PlacedUnit(
            key=row["key"],
            area=Decimal(row["area"]),
            owner_key=row["owner_key"],
            developer_unsold=row["developer"],
            building=row["building"],
            building_unit=row["unit"],
        )
        for row in frozen
    ]


def freeze_electorate(poll):
    """Fix who votes and with what weight as the roster stands now: a roster
    correction during the vote does not move a vote already running, and
    the certificate names the version counted (meetings/roster_check.py)."""
    rows = list(
        electorate(poll)
        .select_related("unit__building")
        .order_by("unit__building__sort_key", "unit__sort_key", "sort_key", "pk")
    )
    poll.electorate_frozen = [
        {
            "key": str(h.pk),
            "label": h.label,
            "area": format_area(h.area),
            "owner_key": h.owner_key,
            "developer": h.developer_unsold,
            "building": h.unit.building.name,
            "unit": h.unit.name,
        }
        for h in rows
    ]
    poll.electorate_version = roster_check.version(rows)


def served_keys(poll):
    """The households served with the notice, as counting keys: whom the
    silence rule may count (tally.Silence)."""
    return frozenset(str(pk) for pk in notices.served_household_ids(poll.meeting))


def count_now(poll, voters=None, served=None):
    """The poll's result on the ballots cast so far (for the close and the live
    turnout). `voters`, `served`: the electorate's counting units and
    served_keys, if already read. The compound's counting clauses the poll
    opened under apply: 随多数 ballots, and the silence rule over the
    households served."""
    voters = voter_units(poll) if voters is None else voters
    ballots = {str(k): v for k, v in Ballot.objects.filter(poll=poll).values_list("household_id", "choice")}
    if poll.is_budget:
        return count_budget(poll, voters, ballots)
    if poll.has_options:
        option_ids = [str(pk) for pk in poll.options.values_list("pk", flat=True)]
        chosen = {key: choice.split(",") for key, choice in ballots.items()}
        approval = poll.kind == Poll.Kind.APPROVAL
        return options.count_options(voters, chosen, option_ids, approval, poll.seats, poll.tie_break)
    silence = None
    if CountingClause.Kind.SILENCE in poll.clauses:
        served = served_keys(poll) if served is None else served
        silence = tally.Silence(served=served, floor=bool(poll.clauses[CountingClause.Kind.SILENCE].get("floor")))
    follow = CountingClause.Kind.FOLLOW_MAJORITY in poll.clauses
    return tally.count(poll.rule, voters, ballots, follow_majority=follow, silence=silence)


def count_budget(poll, voters, ballots):
    """A participatory budget's round (voting/budget_round.py): the options
    are the projects, at their costs."""
    projects = [
        equal_shares.Project(str(pk), equal_shares.amount(cost), label)
        for pk, cost, label in poll.options.values_list("pk", "cost", "label")
    ]
    return budget_round.count_round(voters, ballots, projects, poll.budget, poll.share_basis, poll.fund)


def follow_offered(poll):
    """Does the ballot offer 随多数 (follow the majority)? Only where the
    compound's rules said so when the poll opened."""
    return poll.offers_follow


def clauses_in_force(compound):
    """{kind: CountingClause} of the compound's rules now: each kind's latest row, if it adopts."""
    latest = {}
    for clause in CountingClause.objects.filter(compound=compound).order_by("entered_at", "id"):
        latest[clause.kind] = clause
    return {kind: clause for kind, clause in latest.items() if clause.in_force}


def normalize_choice(poll, choice, option_ids=None):
    """What a ballot stores, or VotingError: for/against/abstain, or option ids
    "3,7". `option_ids`: the poll's option ids as strings, if already read."""
    if not poll.has_options:
        choice = choice[0] if isinstance(choice, list | tuple) and len(choice) == 1 else choice
        if choice == tally.FOLLOW and follow_offered(poll):
            return choice
        if choice not in tally.YES_NO:
            raise VotingError(_("Choose for, against or abstain."))
        return choice
    chosen = choice if isinstance(choice, list | tuple) else [choice]
    if poll.is_budget:
        # An empty ballot counts in a participatory budget: the household
        # approves none of the projects, and its share goes to none of them.
        chosen = [c for c in chosen if c not in ("", budget_round.NO_PROJECT)]
        if not chosen:
            return budget_round.NO_PROJECT
    known = option_ids if option_ids is not None else {str(pk) for pk in poll.options.values_list("pk", flat=True)}
    if not chosen or not set(chosen) <= known or len(set(chosen)) != len(chosen):
        raise VotingError(_("Choose among the options shown."))
    if poll.kind == Poll.Kind.CHOICE and len(chosen) != 1:
        raise VotingError(_("Choose one option."))
    if len(",".join(chosen)) > Ballot._meta.get_field("choice").max_length:
        raise VotingError(_("Too many options ticked for one ballot."))
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
        PollOption(poll=poll, label=label, proposal=proposal, cost=cost, position=n)
        for n, (label, proposal, cost) in enumerate(form.cleaned_data["options"])
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
        PollOption(poll=poll, label=label, proposal=proposal, cost=cost, position=n)
        for n, (label, proposal, cost) in enumerate(form.cleaned_data["options"])
    )
    _poll_changed(poll, ("poll",))
    return poll


def voting_closes_at(poll):
    """When votes stop being taken: the notice's window for an owners' meeting, else never (None)."""
    if not notices.follows_the_book(poll.meeting):
        return None
    window = notices.window(poll.meeting)
    return window[1] if window else None


def _check_announced(poll):
    """An owners' meeting votes only on its notice's topics, inside its
    window (Hangzhou Art. 19, Beijing Art. 35). Another meeting may vote on
    an unannounced topic: the certificate says so (build_certificate)."""
    meeting = poll.meeting
    if not notices.follows_the_book(meeting):
        return
    window = notices.window(meeting)
    if window is None:
        raise VotingError(_("Publish the meeting's notice first: an owners' meeting votes only on announced topics."))
    if poll.item_id is None or not notices.announced_topic(meeting, poll.item_id):
        raise VotingError(_("This topic was not in the meeting's notice, so an owners' meeting cannot vote on it."))
    now = timezone.now()
    if now < window[0]:
        raise VotingError(
            _("The notice opens voting at %(time)s.")
            % {"time": formats.date_format(timezone.localtime(window[0]), "SHORT_DATETIME_FORMAT")}
        )
    if now > window[1]:
        raise VotingError(_("Voting closed at the time the notice set."))


@transaction.atomic
def open_poll(poll):
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting__compound").get(pk=poll.pk)
    if poll.status != Poll.Status.DRAFT:
        raise VotingError(_("This poll has already been opened."))
    if not poll.meeting.is_live:
        raise VotingError(_("Open the meeting first."))
    _check_announced(poll)
    if Poll.objects.filter(meeting=poll.meeting, status=Poll.Status.OPEN).exists():
        raise VotingError(_("Another poll is open: close it first."))
    poll.status, poll.opened_at = Poll.Status.OPEN, timezone.now()
    fields = ["status", "opened_at"]
    if poll.scope != Poll.Scope.ATTENDEES:
        freeze_electorate(poll)
        fields += ["electorate_frozen", "electorate_version"]
    if poll.counts_owners:
        # Owners' decisions only: how the compound's rules count owners who do not vote.
        poll.clauses = {kind: clause.as_quoted() for kind, clause in clauses_in_force(poll.meeting.compound).items()}
        fields.append("clauses")
    poll.save(update_fields=fields)
    if poll.amendment_id:
        try:
            proposal_actions.amendment_put_to_vote(poll.amendment)
        except proposal_actions.ProposalError as error:
            raise VotingError(str(error)) from None
    _poll_changed(poll)
    return poll


def close_poll(poll):
    """Count, write the certificate, keep who took part; forget secret choices."""
    # A participatory budget's count can take a second or two (the
    # completion runs the method again for each yuan added to a share): it is
    # made before the transaction, which on SQLite holds the one write lock,
    # and used if no ballot (nor, for the households present, the
    # electorate) changed meanwhile.
    early = None
    if poll.is_budget and poll.status == Poll.Status.OPEN:
        stamp = _ballots_stamp(poll)
        result = count_now(poll)
        result.as_json_dict()  # the method and greedy, counted once (cached on the result)
        early = (stamp, result)
    with transaction.atomic():
        return _close(poll, early)


def _ballots_stamp(poll):
    """What changes when a ballot is cast or changed (each sets cast_at) or
    a household joins a poll of the households present. (Every other scope
    counts the electorate frozen at the opening.)"""
    stamp = tuple(
        Ballot.objects.filter(poll=poll).aggregate(n=Count("id"), last=Max("cast_at"), top=Max("id")).values()
    )
    if poll.scope == Poll.Scope.ATTENDEES:
        present = Attendance.objects.filter(meeting_id=poll.meeting_id)
        stamp += tuple(present.aggregate(n=Count("id"), top=Max("id")).values())
    return stamp


def _close(poll, early):
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting__compound").get(pk=poll.pk)
    if poll.status != Poll.Status.OPEN:
        raise VotingError(_("This poll is not open."))
    poll.status, poll.closed_at = Poll.Status.CLOSED, timezone.now()
    ballots = Ballot.objects.filter(poll=poll).select_related("household__unit__building")
    Participation.objects.bulk_create(
        Participation(poll=poll, household=b.household, channel=b.channel) for b in ballots
    )
    from voting.certificate import build_certificate

    result = early[1] if early is not None and early[0] == _ballots_stamp(poll) else count_now(poll)
    poll.certificate = build_certificate(poll, result, ballots)
    # What the poll decided first: proposals lock the proposal (and its
    # compound) before appending to the chain, so do we.
    _decided(poll)
    # The certificate names the audit chain as it stands at the close, the
    # decision included (read under the chain's lock, so nothing slips in
    # before the close's own entry).
    poll.certificate["audit_chain"] = ledger.head(poll.meeting.compound_id, lock=True)
    poll.save(update_fields=["status", "closed_at", "certificate"])
    _chain_close(poll)
    # No more retries once the poll is closed: the receipts forget which
    # request got them (a secret poll's keep the household's participation only).
    BallotReceipt.objects.filter(poll=poll).exclude(request_key="").update(request_key="")
    if poll.secret:
        # Receipt times only to the minute: a ballot's exact time (cast_at)
        # identifies that ballot, which goes now with its choice.
        BallotReceipt.objects.filter(poll=poll).update(
            recorded_at=Trunc("recorded_at", "minute"), replaced_at=Trunc("replaced_at", "minute")
        )
        ballots.delete()
        VoteReceipt.objects.filter(poll=poll).delete()
        # And from the files, not only the tables: no older copy of a page
        # that linked a household to its choice stays on disk.
        forget_deleted_on_commit()
    _poll_changed(poll)
    return poll


def _chain_close(poll):
    """The close in the audit chain, with the SHA-256 of the certificate as
    stored (voting/certificate.py checks it again when the chain is verified)."""
    stored = Poll.objects.values_list("certificate", flat=True).get(pk=poll.pk)
    ledger.record(
        poll.meeting.compound_id,
        POLL_CLOSED,
        {"poll": poll.pk, "title": poll.title, "certificate_sha256": canonical.fingerprint(stored)},
    )


def _decided(poll):
    """A poll on a proposal or an amendment decides it, in the same transaction:
    the proposal is adopted or rejected, a passed amendment becomes a new
    version. The proposal keeps the decision with what the certificate says."""
    if poll.is_budget:
        _funded(poll)
        return
    if not (poll.proposal_id or poll.amendment_id):
        return
    result = poll.certificate["result"]
    basis = _basis(poll, result=result)
    # The count the compound's rules make decisive (the strict one, unless
    # they adopt the silence rule or 随多数 ballots were cast).
    decisive = labels.deciding(result)
    passed = bool(decisive.get("passed"))
    if poll.amendment_id:
        proposal_actions.amendment_decided(poll.amendment, passed, basis)
    else:
        valid = labels.outcome_of(decisive) != tally.NO_VALID_DECISION
        proposal_actions.proposal_decided(poll.proposal, passed, basis, valid=valid)


def _funded(poll):
    """A participatory budget adopts the micro-projects it funded, each with
    the round as its decision (what it cost, what the round spent). Those it
    did not fund stay as they were: a later round may fund them."""
    result = poll.certificate["result"]
    funded = set(result["funded"])
    for option in poll.options.select_related("proposal").order_by("position", "pk"):
        if option.proposal is None or str(option.pk) not in funded:
            continue
        budget = {
            "fund": result["fund"],
            "amount": result["budget"],
            "spent": result["spent"],
            "cost": budget_round.yuan(option.cost),
        }
        proposal_actions.proposal_decided(option.proposal, True, _basis(poll, budget=budget))


def _basis(poll, **what):
    """What a proposal's decision keeps of the poll that made it, with `what` it decided."""
    return {
        "poll": poll.pk,
        "title": poll.title,
        "rule": poll.rule,
        "meeting": poll.meeting.title,
        "closed_at": poll.closed_at.isoformat(),
        **what,
    }


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


def cast(poll, household, choice, *, key="", photo=None, **entry):
    """Record a household's vote in a transaction of its own; returns its ballot.

    `key` is the client's idempotency key: a request already handled (a retry
    after a network error) returns the ballot as it is and changes nothing.
    `entry`: how and by whom it was entered (`Recorder.add`'s keywords).
    `photo`: an upload's bytes, a photo of a paper ballot, kept with its
    audit entry once voting.photos has stripped and downscaled it.
    The ballot's `receipt` is its receipt code (voting/receipts.py), shown
    to whoever recorded it and never again.
    Phones' votes come through voting/intake.py, which records many of them
    in one transaction with a `Recorder`.
    """
    if photo is not None:
        # Refused early when it cannot be kept (decoding costs time), and
        # prepared before the transaction takes the poll's lock.
        check_photo(poll, entry.get("channel", Channel.PHONE))
        try:
            photo = photos.prepare(photo)
        except photos.PhotoError as error:
            raise VotingError(str(error)) from None
    with transaction.atomic():
        poll = locked_poll(poll.pk)
        recorder = Recorder(poll, [household.pk], keys=[key])
        ballot, changed = recorder.add(household.pk, choice, key=key, photo=photo, **entry)
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
        frozen = frozen_ids(poll)
        if frozen is not None:
            voters = Household.objects.filter(pk__in=ids & frozen)
        else:
            voters = electorate(poll).filter(pk__in=ids)
        self.households = {h.pk: h for h in voters}
        # Art. 278 polls: the owner head of each voter here, read once.
        self.heads = {pk: head_of(_unit(h)) for pk, h in self.households.items()} if poll.counts_owners else {}
        self.ballots = {b.household_id: b for b in Ballot.objects.filter(poll=poll, household_id__in=ids)}
        keys = {key[:64] for key in keys if key}
        receipts = VoteReceipt.objects.filter(poll=poll, key__in=keys) if keys else VoteReceipt.objects.none()
        # A key is handled for the household that sent it, never for another.
        self.handled = set(receipts.filter(household_id__in=ids).values_list("household_id", "key"))
        self.option_ids = None
        # An owners' meeting takes votes until its notice's window closes.
        self.closes_at = voting_closes_at(poll)
        self._receipts, self._new, self._changed, self._audits, self._owners = [], [], {}, [], {}
        # Ballot receipts planned (by household), stored ones to mark replaced
        # (household: when), receipts given a fresh code, and paper ballot photos.
        self._issued, self._superseded, self._rekeyed, self._photos = {}, {}, [], []

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
        photo=None,
    ):
        """One household's vote: returns (ballot, changed), or raises VotingError.

        A key already handled for this household returns its ballot as it is.
        Staff replacing a ballot the household already has must give
        `replace_reason` (AlreadyVoted otherwise); the audit keeps both.
        """
        poll, key = self.poll, key[:64]
        if key and (household_id, key) in self.handled:
            ballot = self.ballots.get(household_id)
            if ballot is not None:
                self._reissue(ballot, key)
            return ballot, False
        if not poll.is_open:
            raise VotingError(_("This poll is not open for voting."))
        if self.closes_at is not None and timezone.now() > self.closes_at:
            raise VotingError(_("Voting closed at the time the notice set."))
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

        if photo is not None:
            check_photo(poll, channel)
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
        self._issue(household, ballot, key, replacing=existing is not None)
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
        if photo is not None:
            self._photos.append((self._audits[-1], photo))  # a paper ballot always has its audit entry
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
            # Their receipts too: the owner's latest ballot took their place.
            replaced_at = self.ballots[household.pk].cast_at
            BallotReceipt.objects.filter(poll=self.poll, household__in=same_owner, replaced_at=None).update(
                replaced_at=replaced_at
            )
        BallotAudit.objects.bulk_create(self._audits)
        # bulk_create skips AppendOnly.save(): chain them here. A phone's own
        # vote has an audit row only when it replaces a staff or proxy entry,
        # so a room voting by phone appends nothing.
        ledger.append_rows(self._audits)
        self._write_receipts_and_photos()
        self._receipts, self._new, self._changed, self._audits, self._owners = [], [], {}, [], {}

    def _issue(self, household, ballot, key, replacing):
        """A receipt for the ballot just accepted (its code on `ballot.receipt`,
        only its hash kept); the household's receipt before it is replaced."""
        code = receipt_codes.new_code()
        if household.pk not in self._issued and replacing:
            # Its stored receipt: marked replaced by write(). One planned in
            # this batch is simply not written: its code is never shown (the
            # answers of the batch show the ballot, whose receipt is this one).
            self._superseded[household.pk] = ballot.cast_at
        receipt = BallotReceipt(
            poll=self.poll,
            household=household,
            code_hash=receipt_codes.digest(code),
            channel=ballot.channel,
            recorded_at=ballot.cast_at,
            request_key=key,
        )
        self._issued[household.pk] = receipt
        ballot.receipt, ballot.receipt_row = receipt_codes.format_code(code), receipt

    def _reissue(self, ballot, key):
        """A retry of a request already handled: its answer, and so its receipt
        code, may never have reached the phone. If that request's receipt is
        still the household's current one, it gets a fresh code (the lost one
        stops working); a retry of an older vote gets no code."""
        household_id = ballot.household_id
        if household_id in self._issued:
            return  # planned in this batch: ballot.receipt is that receipt's code
        receipt = BallotReceipt.objects.filter(
            poll=self.poll, household_id=household_id, request_key=key, replaced_at=None
        ).first()
        if receipt is None:
            return
        code = receipt_codes.new_code()
        receipt.code_hash = receipt_codes.digest(code)
        self._rekeyed.append(receipt)
        ballot.receipt, ballot.receipt_row = receipt_codes.format_code(code), receipt

    def _write_receipts_and_photos(self):
        if self._superseded:
            # Each replaced receipt gets the time of the ballot that replaced it; before
            # the new receipts are saved, so none of those is caught.
            times = [When(household_id=pk, then=Value(at)) for pk, at in self._superseded.items()]
            BallotReceipt.objects.filter(poll=self.poll, household_id__in=self._superseded, replaced_at=None).update(
                replaced_at=Case(*times, output_field=DateTimeField())
            )
        BallotReceipt.objects.bulk_create(self._issued.values())
        BallotReceipt.objects.bulk_update(self._rekeyed, ["code_hash"])
        # After the audit entries: a photo points at its entry's id.
        BallotPhoto.objects.bulk_create(
            BallotPhoto(audit=audit, content=content, width=width, height=height)
            for audit, (content, width, height) in self._photos
        )
        self._issued, self._superseded, self._rekeyed, self._photos = {}, {}, [], []

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
                pending = self._issued.get(other_id)
                if pending is not None and pending.replaced_at is None:
                    pending.replaced_at = self.ballots[household.pk].cast_at


def check_photo(poll, channel):
    """A photo is kept only with a paper ballot, and never in a secret poll."""
    if channel != Channel.PAPER:
        raise VotingError(_("A photo can be kept only with a paper ballot."))
    if poll.secret:
        raise VotingError(
            _(
                "This is a secret ballot: a photo of the paper would show how the household voted, "
                "so no photo is kept. Record the vote without it."
            )
        )


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
    Returns [(household, receipt code)] for the slips, in the lines' order.
    """
    poll = locked_poll(poll.pk)
    recorder = Recorder(poll, [household.pk for _n, household, _choice in entries])
    problems, replacing, recorded = [], False, []
    for number, household, choice in entries:
        try:
            ballot, _changed = recorder.add(
                household.pk, choice, channel=channel, user=user, replace_reason=replace_reason
            )
            recorded.append((household, ballot))
        except VotingError as error:
            replacing = replacing or isinstance(error, AlreadyVoted)
            line = {"n": number, "household": household.label, "error": error}
            problems.append(_("line %(n)d (%(household)s): %(error)s") % line)
    if problems:
        raise BatchError(problems, replacing)
    recorder.write()
    if entries:
        touch_on_commit(poll.meeting_id, ("turnout",))
    return [(household, ballot.receipt) for household, ballot in recorded]


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
    one new revision for the whole batch (a touch: only the coalesced
    turnout changes)."""
    for meeting_id in meeting_ids:
        bump(meeting_id, touch=True)


def turnout_changed(meeting_id):
    """After the batch's commit: the meeting's turnout is marked dirty, and
    each process's hub renders it within its coalescing window."""
    mark_dirty(meeting_id, {"turnout"})


# --- After the close: provisional results, objections (询异), final ------------------

MAX_OBJECTIONS = 3


def _locked_closed(poll):
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting__compound").get(pk=poll.pk)
    if poll.status != Poll.Status.CLOSED:
        raise VotingError(_("Close the poll first."))
    return poll


@transaction.atomic
def post_results(poll):
    """Post the result as provisional: on the public page, with an objection
    window (询异) of the jurisdiction's days, after which it can be made final."""
    poll = _locked_closed(poll)
    if poll.results_posted_at is not None:
        raise VotingError(_("The result is already posted."))
    now = timezone.now()
    poll.results_posted_at = now
    poll.objections_until = now + timezone.timedelta(days=notices.profile(poll.meeting).objection_days)
    poll.save(update_fields=["results_posted_at", "objections_until"])
    _poll_changed(poll, ("poll",))
    return poll


@transaction.atomic
def file_objection(poll, household, text, user=None):
    """A household objects to the provisional result, inside the window.
    `user`: the staff member who typed in an objection handed in on paper."""
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=poll.pk)
    text = " ".join(text.split())
    now = timezone.now()
    if poll.results_posted_at is None:
        raise VotingError(_("The result is not posted yet."))
    if poll.final_at is not None or now > poll.objections_until:
        raise VotingError(_("The objection window has closed."))
    if household.compound_id != poll.meeting.compound_id:
        raise VotingError(_("This household is not in this compound."))
    if not text:
        raise VotingError(_("Write what the objection is."))
    if Objection.objects.filter(poll=poll, household=household).count() >= MAX_OBJECTIONS:
        raise VotingError(_("This household has filed as many objections as it may; staff answer them first."))
    objection = Objection.objects.create(poll=poll, household=household, text=text[:1000], entered_by=user)
    _poll_changed(poll, ("poll",))
    return objection


@transaction.atomic
def answer_objection(poll, objection_id, answer, user):
    """Staff answer an objection on the record (the public page shows it)."""
    answer = answer.strip()
    if not answer:
        raise VotingError(_("Write the answer: it is published with the objection."))
    try:
        objection = Objection.objects.select_for_update().get(pk=int(objection_id), poll=poll)
    except (Objection.DoesNotExist, TypeError, ValueError):
        raise VotingError(_("That objection no longer exists.")) from None
    if objection.is_answered:
        raise VotingError(_("That objection is already answered."))
    objection.record_answer(answer, user)
    _poll_changed(poll, ("poll",))
    return objection


@transaction.atomic
def make_final(poll):
    """The result becomes final: the objection window is over and every
    objection has its answer on the record."""
    poll = _locked_closed(poll)
    if poll.results_posted_at is None:
        raise VotingError(_("Post the result first."))
    if poll.final_at is not None:
        raise VotingError(_("The result is already final."))
    if timezone.now() <= poll.objections_until:
        raise VotingError(
            _("Objections may be filed until %(time)s.")
            % {"time": formats.date_format(timezone.localtime(poll.objections_until), "SHORT_DATETIME_FORMAT")}
        )
    if Objection.objects.filter(poll=poll, answered_at__isnull=True).exists():
        raise VotingError(_("Answer every objection first."))
    poll.final_at = timezone.now()
    poll.save(update_fields=["final_at"])
    _poll_changed(poll, ("poll",))
    return poll


def deadline_facts(meeting):
    """What voting adds to the meeting's deadlines (meetings.extensions):
    when voting closed, results were posted, objections end, all final."""
    polls = list(meeting.polls.exclude(status=Poll.Status.DRAFT))
    if not polls or any(p.status == Poll.Status.OPEN for p in polls):
        return {}
    facts = {"voting_closed": max(p.closed_at for p in polls)}
    if all(p.results_posted_at for p in polls):
        facts["results_posted"] = max(p.results_posted_at for p in polls)
        facts["objections_until"] = max(p.objections_until for p in polls)
        if all(p.final_at for p in polls):
            facts["final"] = max(p.final_at for p in polls)
    return facts


# --- The compound's counting clauses (议事规则 / 管理规约) -----------------------------


@transaction.atomic
def adopt_clause(compound, *, kind, text, reference, adopted_on, user, decision=None, majority_floor=False):
    """Record a clause of the compound's rules on owners who do not vote the
    ordinary way, as adopted (its text, and the decision that adopted it).
    Polls opened from now on apply it; polls already open keep theirs."""
    if kind not in CountingClause.Kind.values:
        raise VotingError(_("Choose the clause."))
    text = text.strip()
    if not text:
        raise VotingError(_("Copy the clause's text as it was adopted: certificates quote it."))
    if not reference.strip() and decision is None:
        raise VotingError(_("Name the decision that adopted it."))
    if adopted_on > timezone.localdate():
        raise VotingError(_("A clause cannot be adopted in the future."))
    if decision is not None and decision.proposal.compound_id != compound.pk:
        raise VotingError(_("That decision is not this compound's."))
    return CountingClause.objects.create(
        compound=compound,
        kind=kind,
        in_force=True,
        text=text,
        reference=reference.strip(),
        decision=decision,
        adopted_on=adopted_on,
        majority_floor=bool(majority_floor) and kind == CountingClause.Kind.SILENCE,
        entered_by=user,
    )


@transaction.atomic
def repeal_clause(compound, *, kind, reference, adopted_on, user):
    """Record that the compound's rules no longer have the clause."""
    if kind not in clauses_in_force(compound):
        raise VotingError(_("That clause is not in force."))
    if not reference.strip():
        raise VotingError(_("Name the decision that repealed it."))
    return CountingClause.objects.create(
        compound=compound,
        kind=kind,
        in_force=False,
        reference=reference.strip(),
        adopted_on=adopted_on,
        entered_by=user,
    )


# --- A result the city's system counted (Beijing, Weifang, Qingyuan; Guangzhou) --------


@transaction.atomic
def record_official_result(poll, *, source, reference, totals, user, document=None):
    """Enter the official result of an online owners' vote run by the city's
    system: the totals by households, heads and area (`totals`: {"electorate",
    "participating", "for", "against", "abstain"} of compounds.electorate
    Summary), the system and the document it published. The poll, never
    opened here, is closed with a certificate that says where its numbers
    came from; what it decides follows as for any close.
    `document`: (bytes, file name, content type) or None."""
    poll = Poll.objects.select_for_update(of=("self",)).select_related("meeting__compound").get(pk=poll.pk)
    if poll.status != Poll.Status.DRAFT:
        raise VotingError(_("Only a vote not opened here can take an official result."))
    if poll.has_options:
        raise VotingError(_("An official result is entered for a yes/no question."))
    if not source.strip() or not reference.strip():
        raise VotingError(_("Name the system that ran the vote and the document that gives its result."))
    votes = {choice: totals[choice] for choice in tally.YES_NO}
    try:
        result = tally.decide(poll.rule, totals["electorate"], totals["participating"], votes)
    except tally.TallyError:
        raise VotingError(
            _("These totals cannot be: check that no more took part than may vote, and no more voted than took part.")
        ) from None
    now = timezone.now()
    official = OfficialResult.objects.create(
        poll=poll,
        source=source.strip(),
        reference=reference.strip(),
        document=document[0] if document else None,
        document_name=document[1][:200] if document else "",
        document_type=document[2][:40] if document else "",
        counts=result.as_json_dict(),
        entered_by=user,
        entered_at=now,
    )
    from voting.certificate import build_certificate

    poll.status, poll.closed_at = Poll.Status.CLOSED, now
    certificate = build_certificate(poll, result, [])
    certificate["participants"] = None  # the city's system keeps who voted
    certificate["official"] = {
        "source": official.source,
        "reference": official.reference,
        "document": official.document_name,
        "entered_by": meeting_actions.staff_name(user),
        "entered_at": now.isoformat(),
    }
    poll.certificate = certificate
    _decided(poll)
    poll.certificate["audit_chain"] = ledger.head(poll.meeting.compound_id, lock=True)
    poll.save(update_fields=["status", "closed_at", "certificate"])
    _chain_close(poll)
    _poll_changed(poll)
    return poll
