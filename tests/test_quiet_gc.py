"""deliberation/quiet_gc.py: full collections only when the process is quiet,
and never less often than MAX_GAP."""

import pytest

from deliberation import quiet_gc


@pytest.fixture
def collections(monkeypatch):
    done = []
    monkeypatch.setattr(quiet_gc.gc, "collect", lambda: done.append(1))
    monkeypatch.setattr(quiet_gc, "_last", 1000.0)
    return done


def test_no_full_collection_while_pushes_go_out(collections):
    assert not quiet_gc.collect_if_quiet(last_push=1100.0, now=1101.0)  # pushed a second ago
    assert collections == []


def test_a_quiet_moment_collects_at_most_once_a_minute(collections):
    assert not quiet_gc.collect_if_quiet(last_push=1000.0, now=1030.0)  # quiet, but 30 s since the last
    assert quiet_gc.collect_if_quiet(last_push=1000.0, now=1061.0)
    assert len(collections) == 1


def test_a_busy_process_still_collects_every_ten_minutes(collections):
    assert quiet_gc.collect_if_quiet(last_push=1000.0 + quiet_gc.MAX_GAP, now=1000.0 + quiet_gc.MAX_GAP + 1)
    assert len(collections) == 1
