"""Store: SQLite by default, any SQLAlchemy URL.

Reruns upsert by stable ids, so reviews survive new sources; a discrepancy that no longer appears
is kept (inactive) and shown as stale. A run is written in one transaction: a run killed half-way
leaves the previous results and every review intact. Reviews carry a version number, so two
reviewers saving the same item cannot silently overwrite each other; every change is audited.
The schema is versioned: opening a store written by an earlier version upgrades it in place
(``migrate``, Alembic); one written by a newer version is refused.

Concurrent writers: a write transaction takes the store's write lock when it starts (SQLite:
``BEGIN IMMEDIATE`` in WAL mode, so readers never wait and a writer waits up to ``BUSY_TIMEOUT_S``
for another; PostgreSQL: row locks). A review that loses a race (a second first verdict, a version
saved meanwhile) or meets a store kept busy past the timeout raises ``ConflictError``: reload and
apply the change again. A run or cache write that meets a busy store raises a one-line
``StoreError``, its transaction rolled back. A store URL in a message shows its password as ***.

The package: ``schema`` (the tables), ``migrate`` and ``migrations/`` (their versions), ``codec``
(records <-> rows, the story index's encoding), ``rows`` (the typed rows the dashboard and the
export read), ``locking`` (writers and busy stores), and the store's concerns as mixins of
``Store``: ``writes`` (runs and additions), ``caches``, ``reviewing``, ``reads``.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from alembic.util import CommandError
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..errors import ConflictError, StoreError
from . import migrate
from .caches import Caches
from .codec import (ALIGNMENT, CLAIM, DISCREPANCY, FACT, SOURCE, Codec, Encoding, claim_from_row, claim_row,
                    decode_story_index, discrepancy_from_row, discrepancy_row, encode_story_index, fact_from_row,
                    fact_row, source_from_row, source_row, story_record)
from .locking import (BUSY_TIMEOUT_S, PG_BUSY, RETRY_PAUSE_S, REVIEW_TRIES, SQLITE_BUSY, SQLITE_LOCKED, WRITE, is_busy,
                      shown_url, sqlite_begin, sqlite_pragmas)
from .reads import Reads
from .reviewing import STATUSES, Reviews
from .rows import Quote, ReviewRow, Side, Verdict, joined, pair_sides
from .schema import (alignments, article_cache, audit, claim_cache, claims, clusters, discrepancies, embeddings, facts,
                     meta, reviews, runs, sources, story_added, story_index, story_labels)
from .writes import RunWrites, now

__all__ = [  # what other modules and tests import from factcheck.store
    "ALIGNMENT", "BUSY_TIMEOUT_S", "CLAIM", "DISCREPANCY", "FACT", "PG_BUSY", "RETRY_PAUSE_S", "REVIEW_TRIES",
    "SOURCE", "SQLITE_BUSY", "SQLITE_LOCKED", "STATUSES", "WRITE", "Codec", "ConflictError", "Encoding", "Quote",
    "ReviewRow", "Side", "Store", "StoreError", "Verdict", "alignments", "article_cache", "audit", "claim_cache",
    "claim_from_row", "claim_row", "claims", "clusters", "decode_story_index", "discrepancies",
    "discrepancy_from_row", "discrepancy_row", "embeddings", "encode_story_index", "fact_from_row", "fact_row",
    "facts", "is_busy", "joined", "meta", "migrate", "now", "pair_sides", "reviews", "runs", "shown_url",
    "source_from_row", "source_row", "sources", "sqlite_begin", "sqlite_pragmas", "story_added", "story_index",
    "story_labels", "story_record",
]


class Store(RunWrites, Caches, Reviews, Reads):
    """The project's state behind one SQLAlchemy engine."""

    def __init__(self, url: str = "sqlite:///factcheck.db"):
        self.shown_url = shown_url(url)
        self.busy_timeout_s = BUSY_TIMEOUT_S
        try:
            self.engine: Engine = create_engine(url, future=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", sqlite_pragmas(self.busy_timeout_s))
                event.listen(self.engine, "begin", sqlite_begin)
            migrate.prepare(self.engine, self.shown_url)
        except ImportError as exc:  # postgresql:// without its driver
            raise StoreError(f"the database driver {exc.name!r} that {url.split(':', 1)[0]}:// needs is not installed — "
                             "run pip install -e \".[postgres]\" and write the URL as postgresql+psycopg2://…, "
                             "or use a sqlite:/// URL") from exc
        except DBAPIError as exc:
            if is_busy(exc):
                raise StoreError(self._busy("the store could not be opened")) from exc
            raise StoreError(f"cannot open the store at {self.shown_url!r} ({exc.__class__.__name__}) — "
                             "check the --db URL and that its folder is writable") from exc
        except (SQLAlchemyError, CommandError, ValueError) as exc:
            raise StoreError(f"cannot open the store at {self.shown_url!r} ({exc.__class__.__name__}) — "
                             "check the --db URL and that its folder is writable") from exc
        self.url = url

    def __repr__(self) -> str:
        return f"Store({self.shown_url!r})"

    def _busy(self, what: str) -> str:
        return (f"the store {self.shown_url} was busy (another run or save held it over {self.busy_timeout_s:g} s) "
                f"and {what}; nothing half-written was kept — wait for the other run to finish, then try again")

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A write transaction (on SQLite it holds the write lock from its start)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _writing(self, what: str) -> Iterator[Connection]:
        """A write transaction whose failure on a busy store is one line saying what to do."""
        try:
            with self._transaction() as conn:
                yield conn
        except DBAPIError as exc:
            if not is_busy(exc):
                raise
            raise StoreError(self._busy(f"{what} was not saved")) from exc
