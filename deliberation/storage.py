"""Forgetting on disk what a transaction deleted (secret ballots).

Deleting a row removes it from the tables, not always from the files: on
SQLite the write-ahead log keeps older copies of every page written since its
last checkpoint. `forget_deleted_on_commit` truncates the log after the
commit (deliberation/sqlite). On PostgreSQL, deleted tuples stay in the data
files until VACUUM reclaims them and in WAL segments until they are recycled
or archived: docs/deploy.md says what to configure.
"""

import logging

from django.db import connections, transaction

log = logging.getLogger(__name__)


def forget_deleted_on_commit(using="default"):
    """After the surrounding transaction commits, leave no older copy on disk
    of the rows it deleted (as far as the database engine allows)."""
    transaction.on_commit(lambda: forget_deleted(using), using=using)


def forget_deleted(using="default"):
    connection = connections[using]
    truncate = getattr(connection, "truncate_wal", None)
    if truncate is None:
        return  # PostgreSQL: see docs/deploy.md
    if not truncate():
        log.error("could not truncate the SQLite write-ahead log: deleted secret ballots may remain in it")
