"""The electorate a poll froze when it opened, read once per process.

A poll of the whole compound (or of buildings, or a unit) fixes who votes
and with what weight when it opens (voting.actions.freeze_electorate): a row
per household, kept as JSON on the poll. Polls are read without it
(voting.models.PollManager); what needs it asks here.
"""

from voting.models import Poll

# (poll id, opened at, roster version) -> (rows, household ids) frozen at the
# opening. They never change once frozen; a vote batch or a count would
# otherwise read and decode the whole roster's JSON each time. The opening
# time is in the key because SQLite reuses a deleted poll's id.
_frozen = {}
FROZEN_KEPT = 32


def frozen_electorate(poll):
    """The electorate rows frozen when the poll opened, or None (the
    households present, or not open yet), read once per process."""
    if "electorate_frozen" in poll.__dict__:  # loaded with the poll, or just frozen
        return poll.electorate_frozen
    return _frozen_entry(poll)[0]


def frozen_ids(poll):
    """The household ids of that electorate, or None."""
    if "electorate_frozen" in poll.__dict__:
        return _ids(poll.electorate_frozen)
    return _frozen_entry(poll)[1]


def _ids(rows):
    return None if rows is None else frozenset(int(row["key"]) for row in rows)


def _frozen_entry(poll):
    if not poll.electorate_version:  # set with the rows (freeze_electorate), never without
        return None, None
    key = (poll.pk, poll.opened_at, poll.electorate_version)
    entry = _frozen.get(key)
    if entry is None:
        rows = Poll.objects.filter(pk=poll.pk).values_list("electorate_frozen", flat=True).first()
        entry = (rows, _ids(rows))
        if len(_frozen) >= FROZEN_KEPT:
            _frozen.pop(next(iter(_frozen)), None)
        _frozen[key] = entry
    return entry
