"""The store's schema version, kept by Alembic (``migrations/``, used from code: no alembic.ini).

Opening a store brings its tables to this version's head, in one write transaction, without
losing a row:
- a store at head is only read (opening never waits for another writer);
- a new, empty store gets today's tables (``schema.meta``) and is stamped head;
- a store without a version (written before the schema was versioned) is recognised by its
  tables: each revision names what it adds (``recognised_by``), the newest revision whose tables
  and columns are all there is stamped, then the later ones run. A store older than the baseline
  (written before the caches or the story index existed) runs the baseline, which creates the
  tables it lacks;
- a store stamped with a revision this version does not know was written by a newer factcheck,
  and is refused with one line.

A change of ``schema.py`` is a new file in ``migrations/versions`` (``down_revision`` the current
head, ``recognised_by`` what it adds); ``tests/test_store_migrations.py`` checks that the
revisions and ``schema.meta`` agree on SQLite and PostgreSQL.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from ..errors import StoreError
from .locking import WRITE
from .schema import meta

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
# PostgreSQL has no store-wide write lock: two processes opening one old store take turns on this
# advisory lock (any number fixed for factcheck; it is released with the transaction)
PG_MIGRATION_LOCK = 0x66AC7C4E


def config(conn: Connection | None = None) -> Config:
    """Alembic's configuration for the store's migrations, on ``conn`` (read by migrations/env.py)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    cfg.attributes["connection"] = conn
    return cfg


@lru_cache(maxsize=1)
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    return scripts().get_current_head()


def revision_of(conn: Connection) -> str | None:
    """The revision the store is stamped with (None: unversioned or empty)."""
    return MigrationContext.configure(conn).get_current_revision()


def known(revision: str) -> bool:
    return any(s.revision == revision for s in scripts().walk_revisions())


def recognise(conn: Connection) -> str | None:
    """The newest revision whose tables and columns an unversioned store has, or None."""
    have = inspect(conn)
    tables = set(have.get_table_names())
    for script in scripts().walk_revisions():  # head first
        wanted = script.module.recognised_by
        if set(wanted) <= tables and all(set(cols) <= {c["name"] for c in have.get_columns(t)}
                                         for t, cols in wanted.items() if cols):
            return script.revision
    return None


def newer(shown_url: str, revision: str) -> StoreError:
    return StoreError(f"the store at {shown_url!r} was written by a newer factcheck (schema {revision}; this one "
                      f"knows up to {head()}) — upgrade factcheck to open it")


def prepare(engine: Engine, shown_url: str) -> None:
    """Bring the store's tables to this version's head (see the module's docstring)."""
    with engine.connect() as conn:
        current = revision_of(conn)
    if current == head():
        return
    if current is not None and not known(current):
        raise newer(shown_url, current)
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
            upgrade(conn, shown_url)


def upgrade(conn: Connection, shown_url: str) -> None:
    """In ``conn``'s transaction: stamp or recognise the store's revision, then upgrade to head."""
    current = revision_of(conn)  # again: another process may have upgraded it meanwhile
    cfg = config(conn)
    if current is None and not set(inspect(conn).get_table_names()) & set(meta.tables):
        meta.create_all(conn)
        command.stamp(cfg, "head")
        return
    if current is None:
        current = recognise(conn)
        log.info("%s has no schema version; its tables are those of %s", shown_url,
                 current or "a version before the baseline")
        if current is not None:
            command.stamp(cfg, current)
    elif not known(current):
        raise newer(shown_url, current)
    if current != head():
        log.info("upgrading the store %s from %s to %s", shown_url, current or "before the baseline", head())
        command.upgrade(cfg, "head")
