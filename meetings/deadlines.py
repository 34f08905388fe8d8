"""The deadlines of an owners' meeting, from its jurisdiction profile.

Pure Python (no Django): given the profile's figures and what has happened
(the notice published, the window, the close, results posted), each deadline
says when it falls due and whether it was met, is still ahead, or is overdue.
The console lists them; a court asks exactly these questions.

Days are calendar days counted on local dates: "十五日前" notice for a meeting
opening on 1 December is a notice published on 16 November or earlier.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from compounds.jurisdiction import Profile


def _(text):
    """Marks a label for translation (makemessages) without importing Django."""
    return text


NOTICE, WINDOW, CLOSE, RESULTS, OBJECTIONS = "notice", "window", "close", "results", "objections"
LABELS = {
    NOTICE: _("Notice published"),
    WINDOW: _("Voting window"),
    CLOSE: _("Voting closes"),
    RESULTS: _("Results posted"),
    OBJECTIONS: _("Objection window ends"),
}
# How a deadline stands.
MET, LATE, AHEAD, OVERDUE, INVALID, EARLY = "met", "late", "ahead", "overdue", "invalid", "early"


@dataclass(frozen=True)
class Deadline:
    key: str
    due: date | datetime | None  # None: nothing to count from yet
    done: date | datetime | None
    state: str
    # For the window: its length in days and the allowed range.
    days: str | None = None
    allowed: tuple[int | None, int | None] | None = None

    @property
    def label(self):
        return LABELS[self.key]


@dataclass(frozen=True)
class Facts:
    """What has happened, as local dates and times (None: not yet)."""

    extraordinary: bool = False
    notice_published: date | None = None
    opens: datetime | None = None
    closes: datetime | None = None
    voting_closed: datetime | None = None
    results_posted: datetime | None = None
    objections_until: datetime | None = None
    final: datetime | None = None


def notice_due(profile: Profile, opens: datetime, extraordinary=False) -> date:
    """The last day a notice may be published for a meeting opening at `opens`."""
    return opens.date() - timedelta(days=profile.notice_days_for(extraordinary))


def window_problem(profile: Profile, opens: datetime, closes: datetime):
    """None, or (length, min days, max days) when the window breaks the profile's range."""
    length = closes - opens
    low, high = profile.window_min_days, profile.window_max_days
    too_short = length <= timedelta(0) or (low is not None and length < timedelta(days=low))
    too_long = high is not None and length > timedelta(days=high)
    return (length, low, high) if too_short or too_long else None


def window_days(opens: datetime, closes: datetime) -> str:
    """The window's length in days, as a person says it: "7", or "6.5"."""
    tenths = round((closes - opens) / timedelta(days=1) * 10)  # display only: the check above is exact
    days, tenth = divmod(tenths, 10)
    return f"{days}.{tenth}" if tenth else str(days)


def deadlines(profile: Profile, facts: Facts, today: date, now: datetime) -> list[Deadline]:
    """Every deadline of the meeting, in the order they fall."""
    found = []
    if facts.opens is not None:
        due = notice_due(profile, facts.opens, facts.extraordinary)
        found.append(Deadline(NOTICE, due, facts.notice_published, _state(due, facts.notice_published, today)))
    if facts.opens is not None and facts.closes is not None:
        bad = window_problem(profile, facts.opens, facts.closes)
        found.append(
            Deadline(
                WINDOW,
                None,
                None,
                INVALID if bad else MET,
                days=window_days(facts.opens, facts.closes),
                allowed=(profile.window_min_days, profile.window_max_days),
            )
        )
        found.append(Deadline(CLOSE, facts.closes, facts.voting_closed, _state(facts.closes, facts.voting_closed, now)))
    if profile.results_within_days is not None and (facts.voting_closed or facts.closes):
        counted_from = facts.voting_closed or facts.closes
        due = counted_from.date() + timedelta(days=profile.results_within_days)
        posted = facts.results_posted.date() if facts.results_posted else None
        found.append(Deadline(RESULTS, due, posted, _state(due, posted, today)))
    if facts.objections_until is not None:
        # The result may become final only once the window has ended.
        until, final = facts.objections_until, facts.final
        state = (EARLY if final < until else MET) if final else (AHEAD if now <= until else OVERDUE)
        found.append(Deadline(OBJECTIONS, until, final, state))
    return found


def _state(due, done, now):
    if done is not None:
        return MET if done <= due else LATE
    return AHEAD if now <= due else OVERDUE
