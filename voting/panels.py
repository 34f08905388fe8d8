"""Live panels of voting: the poll in front of the room, and its turnout."""

import time
from fractions import Fraction

from django.db.models import Count, Max

from deliberation.realtime import FACILITATOR, panel
from meetings.models import Attendance
from voting import actions, budget_round, equal_shares, labels, options, tally
from voting.models import Ballot, CountingClause, Poll


def current_poll(meeting):
    """The open poll, else the latest closed one (its result may be shown),
    with `meeting` as its meeting: not read again by what it is passed to."""
    polls = Poll.objects.filter(meeting=meeting)
    poll = (
        polls.filter(status=Poll.Status.OPEN).first()
        or polls.filter(status=Poll.Status.CLOSED).order_by("-closed_at").first()
    )
    if poll is not None:
        poll.meeting = meeting
    return poll


def screen_facts(meeting):
    """What the projector's automatic choice needs of the poll (meetings/screen.py)."""
    poll = current_poll(meeting)
    if poll is None:
        return {}
    if poll.status == Poll.Status.OPEN:
        return {"poll": "open", "poll_at": poll.opened_at}
    return {"poll": "revealed" if poll.revealed else "closed", "poll_at": poll.closed_at}


@panel("poll", "voting/panels/poll.html")
def poll_panel(meeting, audience):
    poll = current_poll(meeting)
    yes_no = poll.yes_no_choices if poll is not None else tally.YES_NO
    context = {"poll": poll, "choices": [(c, labels.choice_label(c)) for c in yes_no]}
    if poll is not None and poll.has_options:
        options = list(poll.options.all())
        context["choices"] = [(str(o.pk), o.label) for o in options]
        if poll.is_budget:
            context["budget_options"] = options
    if poll is not None and poll.certificate and poll.is_budget:
        context["result"] = poll.certificate["result"]
        context["option_labels"] = poll.certificate["options"]
    elif poll is not None and poll.certificate:
        context["result"] = poll.certificate["result"]
        context["bars"] = (option_bars if poll.has_options else result_bars)(poll.certificate)
        context["winners"] = [bar["label"] for bar in context["bars"] if bar.get("winner")]
        context["tied"] = [bar["label"] for bar in context["bars"] if bar.get("tied")]
        context["places_tied"] = poll.certificate["result"].get("places_tied", 0)
    if audience == FACILITATOR:
        polls = list(
            Poll.objects.filter(meeting=meeting)
            .select_related("item", "proposal", "amendment__proposal")
            .order_by("created_at")
        )
        for p in polls:
            p.small_secret = p.status == Poll.Status.DRAFT and small_secret_electorate(p)
            p.notice_warning = notice_warning(p) if p.status == Poll.Status.DRAFT else None
        context["polls"] = polls
    return context


def notice_warning(poll):
    """Why opening this poll may be premature: the proposal it decides (or
    amends) skipped public notice, or its notice is still running. The
    facilitator may still go ahead (a council meeting may). Data, worded by
    the template in each language (voting/includes/notice_warning.html)."""
    proposal = poll.proposal or (poll.amendment.proposal if poll.amendment_id else None)
    if proposal is None:
        return None
    if proposal.notice_starts is None:
        return {"kind": "skipped", "proposal": proposal.title}
    if proposal.notice_running():
        return {"kind": "running", "proposal": proposal.title, "end": proposal.notice_ends}
    return None


# With this few voters, a secret poll's per-choice totals (households, owner
# heads, area) can single out how a household voted: anyone in the room
# knows most neighbours' flats, and areas are rarely equal.
SMALL_SECRET_ELECTORATE = 10


def small_secret_electorate(poll):
    """For a secret poll, how many households may vote if that is so few
    that its totals could reveal a household's vote; else None."""
    if not poll.secret:
        return None
    size = actions.electorate(poll).count()
    return size if size < SMALL_SECRET_ELECTORATE else None


def option_bars(certificate):
    """Each option's support as a share of participating households, in rank order."""
    result, labels = certificate["result"], certificate["options"]
    total = result["participating"]["households"] or 1
    return [
        {
            "choice": "option",
            "label": labels.get(o["option"], o["option"]),
            "households": o["households"],
            "winner": o["option"] in result["winners"],
            "tied": o["option"] in result.get("tied", ()),
            "percent": round(Fraction(100 * o["households"], total)),
        }
        for o in result["options"]
    ]


def result_bars(certificate):
    """for/against/abstain as shares of participating households (for the bars)."""
    result = certificate["result"]
    total = result["participating"]["households"] or 1
    return [
        {
            "choice": c,
            "label": labels.choice_label(c),
            "households": result[c]["households"],
            "heads": result[c]["heads"],
            "area": result[c]["area"],
            "percent": round(Fraction(100 * result[c]["households"], total)),
        }
        for c in tally.YES_NO
    ]


_counted = {}  # poll id -> (meeting revision, result): one count per revision
_voters = {}  # poll id -> (stamp, read at, (counting units, served keys or None))
# How long the live count may reuse the electorate it read (households' areas
# and owners, and who was served the notice) when nothing says it changed;
# the closing count reads it anew.
VOTERS_FRESH_SECONDS = 10


def counted(poll, revision):
    """The running count, computed once per revision for all audiences and
    languages rendered at that revision."""
    cached = _counted.get(poll.pk)
    if cached is None or cached[0] != revision:
        try:
            result = actions.count_now(poll, *live_electorate(poll))
        except (tally.TallyError, options.OptionsError, budget_round.RoundError, equal_shares.BudgetError):
            result = None
        cached = _counted[poll.pk] = (revision, result)
    return cached[1]


def live_electorate(poll):
    """The electorate's counting units for the live count, and the keys of
    the households served when the silence rule applies (else None).

    Reading every household is most of a count's cost, and during a vote only
    the ballots change from one render to the next. A household joining
    (attendee polls) changes the stamp; other roster changes, and households
    served or signed in meanwhile, show within VOTERS_FRESH_SECONDS.
    """
    stamp = None
    if poll.scope == Poll.Scope.ATTENDEES:
        # How many, and the newest: an undone sign-in followed by another
        # keeps the count but not the newest row.
        present = Attendance.objects.filter(meeting_id=poll.meeting_id)
        stamp = tuple(present.aggregate(n=Count("id"), newest=Max("id")).values())
    cached = _voters.get(poll.pk)
    if cached and cached[0] == stamp and time.monotonic() - cached[1] < VOTERS_FRESH_SECONDS:
        return cached[2]
    silence = CountingClause.Kind.SILENCE in poll.clauses
    read = (actions.voter_units(poll), actions.served_keys(poll) if silence else None)
    _voters[poll.pk] = (stamp, time.monotonic(), read)
    return read


@panel("turnout", "voting/panels/turnout.html", coalesce=True)
def turnout(meeting, audience):
    poll = Poll.objects.filter(meeting=meeting, status=Poll.Status.OPEN).first()
    if poll is None:
        return {"poll": None}
    poll.meeting = meeting  # rendered with every vote burst's window: no second read
    voters = actions.electorate(poll)
    result = counted(poll, meeting.revision)
    cast = Ballot.objects.filter(poll=poll).count()
    context = {"poll": poll, "cast": cast, "eligible": result.electorate.households if result else voters.count()}
    if result is not None:
        conditions = getattr(result, "conditions", ())  # a choice among options has none
        context["participation"] = [condition_row(c) for c in conditions if c.stage == tally.QUORUM]
        context["participating"] = result.participating
        context["electorate"] = result.electorate
    if audience == FACILITATOR:
        # Where to knock: per building, how many have voted (never how).
        voted = dict(
            Ballot.objects.filter(poll=poll).values_list("household__unit__building__name").annotate(n=Count("id"))
        )
        context["by_building"] = [
            {
                "building": row["unit__building__name"],
                "eligible": row["n"],
                "voted": voted.get(row["unit__building__name"], 0),
            }
            for row in voters.values("unit__building__name", "unit__building__sort_key")
            .annotate(n=Count("id"))
            .order_by("unit__building__sort_key")
        ]
    return context


def condition_row(condition):
    """A condition as a certificate line: measured / of = percent, against the threshold."""
    ratio = condition.ratio
    return {
        "label": labels.condition_label(condition.name),
        "measure": condition.measure,
        "numerator": condition.numerator,
        "denominator": condition.denominator,
        "percent": None if ratio is None else percent(ratio),
        "threshold": condition.threshold,
        "threshold_percent": percent(condition.threshold),
        "inclusive": condition.inclusive,
        "met": condition.met,
    }


def percent(ratio):
    """A Fraction as a percentage with two places, rounded half up (display only)."""
    from decimal import ROUND_HALF_UP, Decimal

    return (Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
