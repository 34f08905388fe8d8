"""Secret ballots stay secret on disk (issue 10): after a secret poll closes,
nothing in the database files links a household to a choice, including the
SQLite write-ahead log's older copies of the ballot table's pages."""

from pathlib import Path

import pytest
from django.db import connection

from meetings.actions import join_meeting, open_meeting
from voting import actions
from voting.models import Ballot, Poll

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: VACUUM and WAL retention, docs/deploy.md"),
]


def on_disk():
    """Every byte of the database's files: the database, its WAL and index."""
    name = Path(connection.settings_dict["NAME"])
    return b"".join(path.read_bytes() for path in name.parent.glob(name.name + "*"))


def ballot_rows():
    """What identifies each ballot row's version: its cast_at, as SQLite stores it."""
    return {b.cast_at.strftime("%Y-%m-%d %H:%M:%S.%f").encode() for b in Ballot.objects.all()}


def test_closing_a_secret_poll_leaves_no_ballot_in_the_files(meeting, facilitator, households):
    open_meeting(meeting)
    for household in households:
        join_meeting(meeting, household)
    poll = Poll.objects.create(meeting=meeting, title="选举", secret=True)
    actions.open_poll(poll)
    versions = set()
    for round_, choices in enumerate([["for", "against", "abstain"], ["against", "for", "for"]]):
        for household, choice in zip(households, choices, strict=False):
            actions.cast(poll, household, choice, key=f"{household.pk}-{round_}")
        versions |= ballot_rows()
    assert len(versions) == 6
    before = on_disk()
    assert all(version in before for version in versions)  # the probe finds ballots while voting runs

    actions.close_poll(poll)
    after = on_disk()
    assert not Ballot.objects.filter(poll=poll).exists()
    assert [version for version in versions if version in after] == []
