"""deliberation/cache.py and deliberation/sqlite: what they read of Django's
insides is checked once; without it they fall back to Django's own behaviour
with one WARNING, and still work."""

import logging

import pytest
from django.db import connection

from deliberation import cache as shared_cache
from deliberation.sqlite import base as sqlite_base


@pytest.fixture
def recheck_cache(monkeypatch):
    monkeypatch.setattr(shared_cache, "_shared", None)
    monkeypatch.setattr(shared_cache, "_clients", {})


def test_the_installed_django_keeps_what_the_shared_cache_reads(recheck_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="deliberation.cache"):
        a = shared_cache.SharedRedisCache("redis://127.0.0.1:6379/5", {})
    assert caplog.records == [] and a._client_key is not None


def test_a_redis_cache_without_what_sharing_reads_keeps_a_client_of_its_own(recheck_cache, monkeypatch, caplog):
    monkeypatch.setattr(shared_cache, "NEEDS", ("_servers", "_options", "_client_class_renamed"))
    with caplog.at_level(logging.WARNING, logger="deliberation.cache"):
        a = shared_cache.SharedRedisCache("redis://127.0.0.1:6379/5", {})
        b = shared_cache.SharedRedisCache("redis://127.0.0.1:6379/5", {})
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "_client_class_renamed" in warnings[0].getMessage()
    assert a._cache is a._cache  # made once per cache object, as Django's cached_property
    assert a._cache is not b._cache  # Django's behaviour: a client each
    assert shared_cache._clients == {}


def test_the_installed_django_has_the_hooks_the_sqlite_write_queue_uses():
    assert sqlite_base.hooks_missing() == []


def test_a_django_without_the_hooks_is_noticed():
    class Renamed:
        def _start_transaction_under_autocommit(self):
            pass

        def _commit(self):
            pass

        def _do_rollback(self):
            pass

        def _close(self):
            pass

    assert sqlite_base.hooks_missing(Renamed) == ["_rollback"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")
@pytest.mark.django_db(transaction=True)
def test_without_the_hooks_writes_go_on_without_the_process_lock(monkeypatch, caplog):
    from django.db import connections

    monkeypatch.setattr(sqlite_base.DatabaseWrapper, "queue_writers", None)
    monkeypatch.setattr(sqlite_base, "hooks_missing", lambda: ["_commit"])
    with caplog.at_level(logging.WARNING, logger="deliberation.sqlite.base"):
        wrapper = connections.create_connection("default")
        connections.create_connection("default")
    try:
        assert [r.levelno for r in caplog.records] == [logging.WARNING]
        assert wrapper.queue_writers is False
        wrapper.ensure_connection()
        with sqlite_base._write_lock:  # held elsewhere: this writer does not wait for it
            wrapper._start_transaction_under_autocommit()  # BEGIN IMMEDIATE, SQLite's own lock
            assert not wrapper._holds_write_lock
            wrapper._rollback()
    finally:
        wrapper.close()
