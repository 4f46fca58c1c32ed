"""How the store shares itself between writers: SQLite's write lock taken at BEGIN, what a busy
store looks like on SQLite and PostgreSQL, and a store URL fit to be shown.

A write transaction takes the store's write lock when it starts (SQLite: ``BEGIN IMMEDIATE`` in
WAL mode, so readers never wait and a writer waits up to ``BUSY_TIMEOUT_S`` for another;
PostgreSQL: row locks).
"""
from __future__ import annotations

import re
from typing import Callable

from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

# How long a write waits for another writer's lock before giving up. Ten seconds, as the store has
# always waited: a reviewer's click should not hang longer, and a run that waits longer than this
# for another run is better told to try again. Read when a store is opened (``Store.busy_timeout_s``).
BUSY_TIMEOUT_S = 10.0
# A review that fails fast on a busy store (PostgreSQL's deadlock victim or serialization failure;
# SQLite refuses at once in a few recovery states) is tried again this many times in all, after a
# pause of RETRY_PAUSE_S, doubled each time and jittered; one that already waited out
# BUSY_TIMEOUT_S is not (a lock held that long is a run being written).
REVIEW_TRIES = 3
RETRY_PAUSE_S = 0.05
# PostgreSQL SQLSTATEs meaning another transaction held what this one needed: serialization
# failure, deadlock detected, lock not available (lock_timeout / NOWAIT)
PG_BUSY = {"40001", "40P01", "55P03"}
SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # primary result codes; extended ones (BUSY_SNAPSHOT …) keep them in the low byte
WRITE = "factcheck_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)


def sqlite_pragmas(busy_timeout_s: float) -> Callable:
    """The ``connect`` listener of a SQLite store: WAL, NORMAL sync, the busy timeout."""
    def on_connect(dbapi_conn, _record) -> None:
        # SQLAlchemy, not the sqlite3 module, begins transactions (see sqlite_begin): the module's own
        # BEGIN comes only before the first INSERT/UPDATE, so a read and the write that depends on it
        # were not one transaction, and a SAVEPOINT released early committed half a review
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # in WAL mode, NORMAL still commits atomically (a killed run leaves the previous results); it
        # skips a disk flush per commit, which was a third of the time of adding one article
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.close()
    return on_connect


def sqlite_begin(conn: Connection) -> None:
    """A write takes the write lock at BEGIN, waiting for it up to the busy timeout; a deferred
    transaction that read first would fail at once when another writer committed meanwhile."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def is_busy(exc: DBAPIError) -> bool:
    """Whether a database error means another transaction held the lock this one needed (SQLite's
    "database is locked", PostgreSQL's deadlock, serialization failure or lock timeout)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "pgcode", None) in PG_BUSY:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text


def shown_url(url) -> str:
    """A store URL fit for a message or a log: its password, in the URL or its query, as ***."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):  # not a URL SQLAlchemy reads: mask user:password@
        return re.sub(r"(://[^/:@]*:)[^@]*@", r"\1***@", str(url))
    return re.sub(r"([?&]password=)[^&]*", r"\1***", parsed.render_as_string(hide_password=True))
