"""Where apps built on meetings plug in, at start-up (their AppConfig.ready).

meetings imports no app above it (voting, minutes, and those to come), yet
some things it does depend on them: whether a sign-in may be undone (not
once the household voted in an open poll of the households present), what a
phone's page shows of its own household besides the panels (its vote),
what the page of an ended meeting shows (what it decided, its minutes),
and what the projector shows by itself (the poll, the text under debate).
"""

# hold(meeting, household) -> a translated reason or None. Called first in
# the transaction of undo_sign_in: it locks what its own writes lock (voting:
# the open polls of the households present), so nothing it checked changes
# before the undo commits, and says why the sign-in must stand.
attendance_holds = []

# context(meeting, household) -> dict, added to the phone page's context
# (voting: the household's own line under the current poll).
phone_contexts = []


# section(meeting) -> {"template": ..., **context}, shown on the page a phone
# gets once the meeting has ended (minutes: what it decided, and the minutes).
closed_sections = []


# facts(meeting) -> dict, what the projector's automatic choice depends on
# beyond meetings (meetings/screen.py): voting tells the latest poll
# ("poll": "open", "closed" or "revealed"; "poll_at": when it opened or
# closed), proposals whether a proposal is debated on the current item
# ("proposal": True).
screen_facts = []

# facts(meeting) -> dict of meetings.notices.facts' keywords, what the
# deadlines depend on beyond meetings (voting: when voting closed, when the
# results were posted, the objection window, when they became final).
deadline_facts = []


def hold_attendance(hold):
    """Register an attendance hold (see attendance_holds)."""
    if hold not in attendance_holds:
        attendance_holds.append(hold)
    return hold


def add_to_phone_page(context):
    """Register a phone page context function (see phone_contexts)."""
    if context not in phone_contexts:
        phone_contexts.append(context)
    return context


def add_to_closed_page(section):
    """Register a section of the ended meeting's page (see closed_sections)."""
    if section not in closed_sections:
        closed_sections.append(section)
    return section


def tell_the_screen(facts):
    """Register a projector facts function (see screen_facts)."""
    if facts not in screen_facts:
        screen_facts.append(facts)
    return facts


def tell_the_deadlines(facts):
    """Register a deadline facts function (see deadline_facts)."""
    if facts not in deadline_facts:
        deadline_facts.append(facts)
    return facts
