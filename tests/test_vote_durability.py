"""A vote acknowledged to a phone is never lost, and retries never count twice.

The real server (Daphne, tests/appserver.py) takes a burst of votes over
HTTP from many households; in the middle of it the server process is killed
with SIGKILL. After a restart, every acknowledged vote is in the database
exactly once. Then every phone retries with its same idempotency key, as
vote.js does after a network error: all votes are in, none twice.
"""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.appserver import LiveServer, Phone

HOUSEHOLDS = 120

SETUP = """
from compounds.models import Credential
from meetings.models import Meeting
from meetings.actions import open_meeting
from voting.models import Poll
from voting.actions import open_poll
# The demo's council meeting, not its owners' meeting nor its budget meeting.
meeting = Meeting.objects.get(kind=Meeting.Kind.COUNCIL, title__startswith="青梧苑小区议事会")
open_meeting(meeting)
poll = Poll.objects.get(meeting=meeting)
open_poll(poll)
codes = list(Credential.objects.filter(revoked_at__isnull=True, household__kind="residence")
             .order_by("household_id").values_list("code", flat=True)[:{n}])
print("SETUP", meeting.code, poll.pk, ",".join(codes))
"""

COUNT = """
from voting.models import Ballot
from django.db.models import Count
rows = Ballot.objects.values("household__credentials__code").filter(household__credentials__revoked_at__isnull=True)
print("BALLOTS", ",".join(sorted(r["household__credentials__code"] for r in rows)))
dups = Ballot.objects.values("poll", "household").annotate(n=Count("id")).filter(n__gt=1).count()
print("DUPS", dups)
"""


def ballots(server):
    out = server.manage("shell", "-c", COUNT)
    codes = re.search(r"^BALLOTS (.*)$", out, re.M).group(1)
    return [c for c in codes.split(",") if c], int(re.search(r"^DUPS (\d+)$", out, re.M).group(1))


@pytest.mark.server
def test_acknowledged_votes_survive_a_kill_9_mid_burst_and_retries_never_double(tmp_path_factory):
    server = LiveServer(tmp_path_factory)
    try:
        out = server.manage("shell", "-c", SETUP.replace("{n}", str(HOUSEHOLDS)))
        meeting, poll, codes = re.search(r"^SETUP (\w+) (\d+) (.*)$", out, re.M).groups()
        phones = [Phone(server.base, meeting, code) for code in codes.split(",")]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(Phone.join, phones))

        acked, lock = set(), threading.Lock()

        def vote(phone):
            if phone.vote(poll):
                with lock:
                    acked.add(phone.code)

        def killer():
            while len(acked) < HOUSEHOLDS // 3:
                time.sleep(0.005)
            server.stop(kill=True)

        watcher = threading.Thread(target=killer)
        watcher.start()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(vote, phones))
        watcher.join()
        assert HOUSEHOLDS // 3 <= len(acked) < HOUSEHOLDS, "the kill should land mid-burst"

        server.start()
        stored, dups = ballots(server)
        assert dups == 0
        assert acked <= set(stored), f"acknowledged but lost: {acked - set(stored)}"

        # Every phone retries with its same key: the unacknowledged get in, nobody twice.
        with ThreadPoolExecutor(16) as pool:
            assert all(pool.map(lambda phone: phone.vote(poll), phones))
        stored, dups = ballots(server)
        assert dups == 0 and sorted(stored) == sorted(codes.split(","))
    finally:
        server.close()
