"""Store: SQLite by default, any SQLAlchemy URL.

Reruns upsert by stable ids, so reviews survive new sources; a discrepancy that no longer appears
is kept (inactive) and shown as stale. A run is written in one transaction: a run killed half-way
leaves the previous results and every review intact. Reviews carry a version number, so two
reviewers saving the same item cannot silently overwrite each other; every change is audited.

Concurrent writers: a write transaction takes the store's write lock when it starts (SQLite:
``BEGIN IMMEDIATE`` in WAL mode, so readers never wait and a writer waits up to ``BUSY_TIMEOUT_S``
for another; PostgreSQL: row locks). A review that loses a race (a second first verdict, a version
saved meanwhile) or meets a store kept busy past the timeout raises ``ConflictError``: reload and
apply the change again. A run or cache write that meets a busy store raises a one-line
``StoreError``, its transaction rolled back. A store URL in a message shows its password as ***.
"""
from __future__ import annotations

import json
import logging
import random
import re
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Iterable, Iterator, Sequence

import numpy as np
from sqlalchemy import (Boolean, Column, Float, Integer, LargeBinary, MetaData, String, Table, Text, bindparam,
                        create_engine, delete, event, func, insert, select, update)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError

from .errors import ConflictError, StoreError
from .models import (Alignment, Answer, Claim, Discrepancy, Fact, FactCluster, Source, claim_from_dict, claim_to_dict,
                     source_from_dict)
from .stories import StoryIndex

log = logging.getLogger(__name__)

STATUSES = ("open", "confirmed", "dismissed", "needs follow-up")

meta = MetaData()
runs = Table(
    "runs", meta,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(40)), Column("finished_at", String(40)),
    Column("sources_dir", Text), Column("n_sources", Integer), Column("n_claims", Integer),
    Column("n_discrepancies", Integer),
)
sources = Table(
    "sources", meta,
    Column("source_id", String(32), primary_key=True), Column("name", Text), Column("outlet", Text),
    Column("title", Text), Column("url", Text), Column("published", String(10)),
    Column("language", String(8)), Column("kind", String(8)), Column("raw", Text),
    Column("also_outlets", Text), Column("active", Boolean, default=True),
)
claims = Table(
    "claims", meta,
    Column("claim_id", String(32), primary_key=True), Column("source_id", String(32), index=True),
    Column("sentence_index", Integer), Column("text", Text), Column("char_start", Integer),
    Column("char_end", Integer), Column("content", Text), Column("speaker", Text), Column("party", Text),
    Column("cue", Text), Column("stance", String(20)), Column("frame", String(20)),
    Column("entities", Text), Column("quantities", Text), Column("dates", Text),
    Column("check_worthiness", Float), Column("active", Boolean, default=True),
)
clusters = Table(
    "clusters", meta,
    Column("cluster_id", String(32), primary_key=True), Column("claim_id", String(32), primary_key=True),
    Column("story_id", String(32)),
)
alignments = Table(
    "alignments", meta,
    Column("claim_a", String(32), primary_key=True), Column("claim_b", String(32), primary_key=True),
    Column("score", Float), Column("cosine", Float),
)
discrepancies = Table(
    "discrepancies", meta,
    Column("discrepancy_id", String(32), primary_key=True), Column("kind", String(32), index=True),
    Column("severity", Float), Column("confidence", Float), Column("explanation", Text),
    Column("claim_a", String(32)), Column("claim_b", String(32)), Column("detail", Text),
    Column("rank", Integer), Column("active", Boolean, default=True),
    Column("first_seen", Integer), Column("last_seen", Integer),
)
reviews = Table(
    "reviews", meta,
    Column("discrepancy_id", String(32), primary_key=True), Column("status", String(20)),
    Column("note", Text), Column("reviewer", Text), Column("updated_at", String(40)),
    Column("version", Integer, nullable=False, default=0),
    Column("answer", Text),  # the value of the side the reviewer marked right ("" = none)
    Column("evidence", Text),  # where the reviewer checked it (a URL or a reference)
)
facts = Table(
    "facts", meta,
    Column("fact_id", String(32), primary_key=True), Column("story_id", String(32), index=True),
    Column("kind", String(20)), Column("question", Text), Column("answers", Text), Column("disputed", Boolean),
)
audit = Table(
    "audit", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("discrepancy_id", String(32), index=True), Column("reviewer", Text),
    Column("at", String(40)), Column("field", String(20)), Column("old", Text), Column("new", Text),
)
claim_cache = Table(
    "claim_cache", meta,
    Column("article_key", String(40), primary_key=True), Column("claims", Text),
)
article_cache = Table(
    "article_cache", meta,
    Column("file_key", String(40), primary_key=True), Column("article", Text),
)
# the latest grouping of articles into stories (stories.StoryIndex): as the last full run stored it,
# the articles added since, and the stories that changed since
story_index = Table(
    "story_index", meta,
    Column("name", String(16), primary_key=True), Column("payload", LargeBinary),
)
story_added = Table(
    "story_added", meta,
    Column("seq", Integer, primary_key=True, autoincrement=True), Column("source_id", String(32)),
    Column("terms", Text), Column("vector", LargeBinary),
)
story_labels = Table(
    "story_labels", meta,
    Column("source_id", String(32), primary_key=True), Column("story_id", String(32)),
)
embeddings = Table(
    "embeddings", meta,
    Column("model", String(64), primary_key=True), Column("text_key", String(40), primary_key=True),
    Column("vector", LargeBinary),
)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# How long a write waits for another writer's lock before giving up. Ten seconds, as the store has
# always waited: a reviewer's click should not hang longer, and a run that waits longer than this
# for another run is better told to try again.
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


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # SQLAlchemy, not the sqlite3 module, begins transactions (see _sqlite_begin): the module's own
    # BEGIN comes only before the first INSERT/UPDATE, so a read and the write that depends on it
    # were not one transaction, and a SAVEPOINT released early committed half a review
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # in WAL mode, NORMAL still commits atomically (a killed run leaves the previous results); it
    # skips a disk flush per commit, which was a third of the time of adding one article
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
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


class _LostRace(Exception):
    """A review saved without ``expected_version`` met a concurrent save: read again and retry."""


class Store:
    """The project's state behind one SQLAlchemy engine."""

    def __init__(self, url: str = "sqlite:///factcheck.db"):
        self.shown_url = shown_url(url)
        try:
            self.engine: Engine = create_engine(url, future=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", _sqlite_begin)
            meta.create_all(self.engine)
            upgrade(self.engine)
        except ImportError as exc:  # postgresql:// without its driver
            raise StoreError(f"the database driver {exc.name!r} that {url.split(':', 1)[0]}:// needs is not installed — "
                             "run pip install -e \".[postgres]\" and write the URL as postgresql+psycopg2://…, "
                             "or use a sqlite:/// URL") from exc
        except DBAPIError as exc:
            if is_busy(exc):
                raise StoreError(self._busy("the store could not be opened")) from exc
            raise StoreError(f"cannot open the store at {self.shown_url!r} ({exc.__class__.__name__}) — "
                             "check the --db URL and that its folder is writable") from exc
        except (SQLAlchemyError, ValueError) as exc:
            raise StoreError(f"cannot open the store at {self.shown_url!r} ({exc.__class__.__name__}) — "
                             "check the --db URL and that its folder is writable") from exc
        self.url = url

    def __repr__(self) -> str:
        return f"Store({self.shown_url!r})"

    def _busy(self, what: str) -> str:
        return (f"the store {self.shown_url} was busy (another run or save held it over {BUSY_TIMEOUT_S:g} s) and "
                f"{what}; nothing half-written was kept — wait for the other run to finish, then try again")

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

    # ---------------------------------------------------------------- runs

    def save_run(self, *, sources_dir: str, source_records: Sequence[Source], claim_records: Sequence[Claim],
                 cluster_records: Sequence[FactCluster], pairs: Sequence[Alignment],
                 found: Sequence[Discrepancy], index: StoryIndex | None = None,
                 fact_records: Sequence[Fact] = ()) -> int:
        """Write a run's results in one transaction; earlier results are marked inactive, not lost.
        ``index`` is the run's story index (``stories.StoryIndex``), which ``add`` reads."""
        with self._writing("the run") as conn:
            run_id = conn.execute(insert(runs).values(
                started_at=now(), sources_dir=sources_dir, n_sources=len(source_records),
                n_claims=len(claim_records), n_discrepancies=len(found))).inserted_primary_key[0]
            conn.execute(update(sources).values(active=False))
            conn.execute(update(claims).values(active=False))
            conn.execute(update(discrepancies).values(active=False))
            self._upsert(conn, sources, "source_id", [source_row(s) for s in source_records])
            self._upsert(conn, claims, "claim_id", [claim_row(c) for c in claim_records])
            conn.execute(delete(clusters))
            conn.execute(delete(alignments))
            self._insert_alignment(conn, cluster_records, pairs)
            self._save_discrepancies(conn, found, run_id)
            conn.execute(delete(facts))
            self._save_facts(conn, fact_records)
            self._migrate_reviews(conn, found)
            self._save_story_index(conn, None if index is None else encode_story_index(index))
            conn.execute(update(runs).where(runs.c.run_id == run_id).values(finished_at=now()))
        return int(run_id)

    @staticmethod
    def _save_story_index(conn, payload: bytes | None) -> None:
        for table in (story_index, story_added, story_labels):
            conn.execute(delete(table))
        if payload is not None:
            conn.execute(insert(story_index).values(name="latest", payload=payload))

    @staticmethod
    def _add_to_story_index(conn, added: Sequence[tuple[str, str, bytes]], labels: dict[str, str]) -> None:
        if added:
            conn.execute(insert(story_added), [{"source_id": sid, "terms": t, "vector": v} for sid, t, v in added])
        ids = list(labels)
        for start in range(0, len(ids), 500):
            conn.execute(delete(story_labels).where(story_labels.c.source_id.in_(ids[start:start + 500])))
        if labels:
            conn.execute(insert(story_labels), [{"source_id": k, "story_id": v} for k, v in labels.items()])

    def has_story_index(self) -> bool:
        """Whether a run has stored its stories (what ``add`` needs)."""
        with self.engine.connect() as conn:
            return conn.execute(select(story_index.c.name).where(story_index.c.name == "latest")).first() is not None

    def load_story_index(self) -> StoryIndex | None:
        """The story index: the last full run's, with the articles added since and the stories
        changed since; None before the first run."""
        with self.engine.connect() as conn:
            payload = conn.execute(select(story_index.c.payload).where(story_index.c.name == "latest")).scalar()
            if payload is None:
                return None
            added = [tuple(r) for r in conn.execute(select(story_added.c.source_id, story_added.c.terms,
                                                           story_added.c.vector).order_by(story_added.c.seq))]
            labels = dict(conn.execute(select(story_labels.c.source_id, story_labels.c.story_id)).all())
        return decode_story_index(payload, added, labels)

    def save_addition(self, *, sources_dir: str, source_records: Sequence[Source], claim_records: Sequence[Claim],
                      story_claims: Iterable[str], cluster_records: Sequence[FactCluster],
                      pairs: Sequence[Alignment], found: Sequence[Discrepancy],
                      index: StoryIndex, added_ids: Sequence[str], story_labels: dict[str, str], rank_key,
                      fact_records: Sequence[Fact] = ()) -> int:
        """Write articles added to the latest run (``pipeline.add``) in one transaction: the new
        sources and claims, their story-index records and the stories that changed (see
        ``stories.StoryIndex``; ``added_ids`` the articles appended to ``index``), and for the stories they joined (``story_claims``: every claim of
        those stories) new clusters, alignments and discrepancies. Discrepancies of those stories
        that are no longer found become inactive; every other row is left as it is. All active
        discrepancies are then ranked again with ``rank_key`` (see ``rerank``)."""
        inside = set(story_claims)
        story_claims = sorted(inside)
        with self._writing("the added articles") as conn:
            run_id = conn.execute(insert(runs).values(started_at=now(),
                                                      sources_dir=sources_dir)).inserted_primary_key[0]
            self._replace(conn, sources, "source_id", [source_row(s) for s in source_records])
            self._replace(conn, claims, "claim_id", [claim_row(c) for c in claim_records])
            for start in range(0, len(story_claims), 500):
                part = story_claims[start:start + 500]
                conn.execute(delete(clusters).where(clusters.c.claim_id.in_(part)))
                conn.execute(delete(alignments).where(alignments.c.claim_a.in_(part)))
                stale = [r.discrepancy_id for r in conn.execute(
                    select(discrepancies.c.discrepancy_id, discrepancies.c.claim_b).where(
                        discrepancies.c.active.is_(True), discrepancies.c.claim_a.in_(part)))
                    if not r.claim_b or r.claim_b in inside]  # a name spelled two ways across stories stays
                if stale:
                    conn.execute(update(discrepancies).where(discrepancies.c.discrepancy_id.in_(stale))
                                 .values(active=False))
            self._insert_alignment(conn, cluster_records, pairs)
            ids = [d.discrepancy_id for d in found]
            first = {}
            for start in range(0, len(ids), 500):
                first.update(conn.execute(select(discrepancies.c.discrepancy_id, discrepancies.c.first_seen)
                                          .where(discrepancies.c.discrepancy_id.in_(ids[start:start + 500]))).all())
            self._replace(conn, discrepancies, "discrepancy_id",
                          [discrepancy_row(d, 0, first.get(d.discrepancy_id, run_id), run_id) for d in found])
            self._rerank(conn, rank_key)
            answered = [r.fact_id for r in conn.execute(select(facts.c.fact_id, facts.c.answers))
                        if any(a["claim_id"] in inside for a in json.loads(r.answers or "[]"))]
            for start in range(0, len(answered), 500):  # the facts of the stories compared again
                conn.execute(delete(facts).where(facts.c.fact_id.in_(answered[start:start + 500])))
            self._save_facts(conn, fact_records)
            self._migrate_reviews(conn, found)
            self._add_to_story_index(conn, [(sid, *story_record(index, sid)) for sid in added_ids],
                                     story_labels)
            n = {t.name: conn.execute(select(func.count()).select_from(t).where(t.c.active.is_(True))).scalar_one()
                 for t in (sources, claims, discrepancies)}
            conn.execute(update(runs).where(runs.c.run_id == run_id).values(
                finished_at=now(), n_sources=n["sources"], n_claims=n["claims"], n_discrepancies=n["discrepancies"]))
        return int(run_id)

    @staticmethod
    def _replace(conn, table: Table, key: str, rows: list[dict]) -> None:
        """Delete the rows with these keys, then insert them (a few rows: no read of the table)."""
        keys = [r[key] for r in rows]
        for start in range(0, len(keys), 500):
            conn.execute(delete(table).where(table.c[key].in_(keys[start:start + 500])))
        if rows:
            conn.execute(insert(table), rows)

    @staticmethod
    def _rerank(conn, rank_key) -> None:
        """Number the active discrepancies 1, 2, ... in ``rank_key`` order; ``rank_key`` gets each
        row's fields plus worth_a/worth_b and source_a/source_b of its claims (None without claim b)."""
        ca, cb = claims.alias("ca"), claims.alias("cb")
        q = (select(discrepancies.c.discrepancy_id, discrepancies.c.kind, discrepancies.c.severity,
                    discrepancies.c.confidence, discrepancies.c.rank, ca.c.check_worthiness.label("worth_a"),
                    cb.c.check_worthiness.label("worth_b"), ca.c.source_id.label("source_a"),
                    cb.c.source_id.label("source_b"))
             .join(ca, ca.c.claim_id == discrepancies.c.claim_a)
             .outerjoin(cb, cb.c.claim_id == discrepancies.c.claim_b)
             .where(discrepancies.c.active.is_(True)))
        rows = sorted((dict(r) for r in conn.execute(q).mappings()), key=rank_key)
        moved = [{"k_id": r["discrepancy_id"], "v_rank": n} for n, r in enumerate(rows, 1) if r["rank"] != n]
        if moved:
            conn.execute(update(discrepancies).where(discrepancies.c.discrepancy_id == bindparam("k_id"))
                         .values(rank=bindparam("v_rank")), moved)


    @staticmethod
    def _insert_alignment(conn, cluster_records: Sequence[FactCluster], pairs: Sequence[Alignment]) -> None:
        rows = [{"cluster_id": f.cluster_id, "claim_id": cid, "story_id": f.story_id}
                for f in cluster_records for cid in f.claim_ids]
        if rows:
            conn.execute(insert(clusters), rows)
        if pairs:
            conn.execute(insert(alignments), [_fields(p) for p in pairs])

    def _save_discrepancies(self, conn, found: Sequence[Discrepancy], run_id: int) -> None:
        existing = {r.discrepancy_id: r.first_seen for r in conn.execute(
            select(discrepancies.c.discrepancy_id, discrepancies.c.first_seen))}
        rows = [discrepancy_row(d, rank, existing.get(d.discrepancy_id, run_id), run_id)
                for rank, d in enumerate(found, 1)]
        self._upsert(conn, discrepancies, "discrepancy_id", rows)

    @staticmethod
    def _save_facts(conn, fact_records: Sequence[Fact]) -> None:
        rows = {f.fact_id: fact_row(f) for f in fact_records}
        if rows:
            conn.execute(delete(facts).where(facts.c.fact_id.in_(sorted(rows))))
            conn.execute(insert(facts), list(rows.values()))

    @staticmethod
    def _migrate_reviews(conn, found: Sequence[Discrepancy]) -> None:
        """A disputed fact that has no review yet takes the review of a pair it was gathered from
        (a store written when each pair of claims was its own discrepancy): the verdict, note and
        reviewer carry over, and the audit trail says where from. The old review stays readable."""
        folded = {d.discrepancy_id: d.detail.get("pairs") or [] for d in found}
        wanted = sorted({p for ps in folded.values() for p in ps})
        if not wanted:
            return
        have = {r["discrepancy_id"]: dict(r) for r in conn.execute(select(reviews)).mappings()}
        for fid, pairs in folded.items():
            given = [have[p] for p in pairs if p in have and p != fid and (have[p]["status"] != "open" or have[p]["note"])]
            if fid in have or not given:
                continue
            old = given[0]
            conn.execute(insert(reviews).values(
                discrepancy_id=fid, status=old["status"], note=old["note"], reviewer=old["reviewer"],
                updated_at=old["updated_at"], version=1, answer=old.get("answer") or "",
                evidence=old.get("evidence") or ""))
            conn.execute(insert(audit).values(discrepancy_id=fid, reviewer=old["reviewer"], at=now(),
                                              field="migrated", old=old["discrepancy_id"], new=old["status"]))
            have[fid] = old

    def fact_records(self, story_id: str | None = None) -> list[Fact]:
        q = select(facts).order_by(facts.c.story_id, facts.c.disputed.desc(), facts.c.question, facts.c.fact_id)
        if story_id is not None:
            q = q.where(facts.c.story_id == story_id)
        with self.engine.connect() as conn:
            return [fact_from_row(r) for r in conn.execute(q).mappings()]

    @staticmethod
    def _upsert(conn, table: Table, key: str, rows: list[dict]) -> None:
        """Insert new rows, rewrite changed ones, and only re-activate the unchanged (a re-run over
        750 articles rewrites nothing but flags)."""
        if not rows:
            return
        # one plain read of the table: statements with hundreds of bound ids cost more to compile
        # than the rows cost to read
        existing = {r[key]: r for r in conn.execute(select(*[table.c[c] for c in rows[0]])).mappings()}
        new, changed, same = [], [], []
        for r in rows:
            old = existing.get(r[key])
            if old is None:
                new.append(r)
            elif any(old[c] != v for c, v in r.items() if c != "active"):
                changed.append(r)
            else:
                same.append(r[key])
        if new:
            conn.execute(insert(table), new)
        if changed:  # one executemany, not one statement a row
            cols = {k: bindparam(f"v_{k}") for k in rows[0] if k != key}
            conn.execute(update(table).where(table.c[key] == bindparam("k_id")).values(**cols),
                         [{**{f"v_{k}": v for k, v in r.items()}, "k_id": r[key]} for r in changed])
        if same and "active" in table.c:
            conn.execute(update(table).where(table.c[key] == bindparam("k_id")).values(active=True),
                         [{"k_id": k} for k in same])

    def last_run(self) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).order_by(runs.c.run_id.desc()).limit(1)).mappings().first()
            return dict(row) if row else None

    # ---------------------------------------------------------------- embeddings cache

    def cached_embeddings(self, model: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        keys = list(set(keys))
        out: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                q = select(embeddings.c.text_key, embeddings.c.vector).where(
                    embeddings.c.model == model, embeddings.c.text_key.in_(part))
                out.update({k: np.frombuffer(v, dtype=np.float32) for k, v in conn.execute(q)})
        return out

    def save_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = [{"model": model, "text_key": k, "vector": np.asarray(v, dtype=np.float32).tobytes()}
                for k, v in vectors.items()]
        with self._writing("the sentence vectors") as conn:
            upsert = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}.get(conn.dialect.name)
            if upsert is not None:  # a text another run embedded meanwhile keeps its row
                conn.execute(upsert(embeddings).on_conflict_do_nothing(), rows)
                return
            keys = [r["text_key"] for r in rows]
            have: set[str] = set()
            for start in range(0, len(keys), 500):
                have.update(conn.execute(select(embeddings.c.text_key).where(
                    embeddings.c.model == model, embeddings.c.text_key.in_(keys[start:start + 500]))).scalars())
            rows = [r for r in rows if r["text_key"] not in have]
            if rows:
                conn.execute(insert(embeddings), rows)

    # ---------------------------------------------------------------- prepared-article cache

    def cached_articles(self, keys: Sequence[str] | None = None) -> dict[str, str]:
        """file key -> the stored source and cleaned body, as JSON (see pipeline.PreparedArticles):
        of these keys, or of every file."""
        q = select(article_cache.c.file_key, article_cache.c.article)
        if keys is not None:
            q = q.where(article_cache.c.file_key.in_(list(keys)))
        with self.engine.connect() as conn:
            return dict(conn.execute(q).all())

    def active_discrepancy_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(discrepancies.c.discrepancy_id).where(
                discrepancies.c.active.is_(True))).scalars())

    def save_articles(self, items: dict[str, dict]) -> None:
        if not items:
            return
        with self._writing("the prepared articles") as conn:
            conn.execute(delete(article_cache).where(article_cache.c.file_key.in_(list(items))))
            conn.execute(insert(article_cache), [{"file_key": k, "article": json.dumps(v, ensure_ascii=False)}
                                                 for k, v in items.items()])

    # ---------------------------------------------------------------- claims cache

    def cached_claims(self, keys: Iterable[str]) -> dict[str, list[Claim]]:
        """Per-article claims stored by earlier runs, by article key."""
        keys = list(set(keys))
        out: dict[str, list[Claim]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                q = select(claim_cache).where(claim_cache.c.article_key.in_(keys[start:start + 500]))
                for key, payload in conn.execute(q):
                    out[key] = [claim_from_dict(d) for d in json.loads(payload)]
        return out

    def save_claim_cache(self, items: dict[str, list[Claim]]) -> None:
        if not items:
            return
        rows = [{"article_key": k, "claims": json.dumps([claim_to_dict(c) for c in v], ensure_ascii=False)}
                for k, v in items.items()]
        with self._writing("the claims cache") as conn:
            conn.execute(delete(claim_cache).where(claim_cache.c.article_key.in_(list(items))))
            conn.execute(insert(claim_cache), rows)

    # ---------------------------------------------------------------- records back

    def _active(self, table: Table, source_ids: Iterable[str] | None) -> list:
        """Active rows of ``table`` (of these sources, or all)."""
        q = select(table).where(table.c.active.is_(True))
        if source_ids is None:
            with self.engine.connect() as conn:
                return list(conn.execute(q).mappings())
        ids, rows = list(source_ids), []
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                rows += conn.execute(q.where(table.c.source_id.in_(ids[start:start + 500]))).mappings()
        return rows

    def sources_of(self, source_ids: Iterable[str] | None = None) -> list[Source]:
        """Active sources (these ones, or all) as records."""
        return [source_from_row(r) for r in self._active(sources, source_ids)]

    def claims_of(self, source_ids: Iterable[str] | None = None) -> list[Claim]:
        """Active claims (of these sources, or all) as records, in source and sentence order."""
        rows = sorted(self._active(claims, source_ids),
                      key=lambda r: (r["source_id"], r["char_start"], r["sentence_index"], r["claim_id"]))
        return [claim_from_row(r) for r in rows]

    def alignment_records(self) -> tuple[list[Alignment], list[FactCluster]]:
        """The latest aligned pairs (best first) and fact clusters."""
        with self.engine.connect() as conn:
            pairs = [Alignment(r.claim_a, r.claim_b, r.score, r.cosine) for r in conn.execute(
                select(alignments).order_by(alignments.c.score.desc(), alignments.c.claim_a, alignments.c.claim_b))]
            members: dict[tuple[str, str], list[str]] = {}
            for r in conn.execute(select(clusters)):
                members.setdefault((r.cluster_id, r.story_id), []).append(r.claim_id)
        return pairs, [FactCluster(cid, tuple(sorted(ids)), story) for (cid, story), ids in sorted(members.items())]

    # ---------------------------------------------------------------- reads

    def claim_rows(self, *, active_only: bool = True) -> list[dict]:
        q = select(claims, sources.c.name.label("source"), sources.c.outlet).join(
            sources, sources.c.source_id == claims.c.source_id)
        if active_only:
            q = q.where(claims.c.active.is_(True))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q.order_by(sources.c.name, claims.c.sentence_index,
                                                             claims.c.claim_id)).mappings()]

    def source_rows(self, *, active_only: bool = True) -> list[dict]:
        q = select(sources)
        if active_only:
            q = q.where(sources.c.active.is_(True))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q.order_by(sources.c.name)).mappings()]

    def discrepancy_rows(self, *, include_stale: bool = False) -> list[dict]:
        """One dict per discrepancy, joined with both claims, their sources and the review."""
        with self.engine.connect() as conn:
            claim_map = {r["claim_id"]: dict(r) for r in conn.execute(select(claims)).mappings()}
            source_map = {r["source_id"]: dict(r) for r in conn.execute(select(sources)).mappings()}
            review_map = {r["discrepancy_id"]: dict(r) for r in conn.execute(select(reviews)).mappings()}
            q = select(discrepancies).order_by(discrepancies.c.active.desc(), discrepancies.c.rank)
            if not include_stale:
                q = q.where(discrepancies.c.active.is_(True))
            rows = [dict(r) for r in conn.execute(q).mappings()]
        return [joined(r, claim_map, source_map, review_map) for r in rows]

    # ---------------------------------------------------------------- reviews

    def review(self, discrepancy_id: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(select(reviews).where(reviews.c.discrepancy_id == discrepancy_id)).mappings().first()
        return dict(row) if row else {"discrepancy_id": discrepancy_id, "status": "open", "note": "",
                                      "reviewer": "", "updated_at": "", "version": 0, "answer": "", "evidence": ""}

    def set_review(self, discrepancy_id: str, *, status: str | None = None, note: str | None = None,
                   reviewer: str = "", expected_version: int | None = None, answer: str | None = None,
                   evidence: str | None = None) -> dict:
        """Save a verdict (status, note, the answer marked right and where it was checked); raise
        ConflictError if someone saved it since ``expected_version`` (or gave the first verdict at
        the same moment), or if the store stayed busy: either way the reviewer reloads the item and
        applies the change again, and nothing of this save was kept. Without ``expected_version`` the
        latest save wins, and a save that met a concurrent one is simply made again."""
        if status is not None and status not in STATUSES:
            raise StoreError(f"unknown status {status!r} — use one of: {', '.join(STATUSES)}")
        change = {"status": status, "note": note, "answer": answer, "evidence": evidence}
        began = time.monotonic()
        for attempt in range(REVIEW_TRIES):
            try:
                return self._save_review(discrepancy_id, change, reviewer, expected_version)
            except _LostRace as exc:
                why, cause = "someone saved a verdict on this item at the same moment", exc
            except DBAPIError as exc:
                if not is_busy(exc):
                    raise
                why, cause = (f"the store was busy with another save or a run for over {BUSY_TIMEOUT_S:g} s, "
                              "so this was not saved"), exc
                if time.monotonic() - began >= BUSY_TIMEOUT_S:
                    break
            if attempt + 1 < REVIEW_TRIES:
                time.sleep(RETRY_PAUSE_S * 2 ** attempt * random.uniform(0.5, 1.5))
        raise ConflictError(f"{discrepancy_id}: {why} — reload it and apply your change again") from cause

    def _save_review(self, discrepancy_id: str, change: dict, reviewer: str, expected_version: int | None) -> dict:
        """One attempt of ``set_review``, in one transaction with its audit rows."""
        with self._transaction() as conn:
            cur = conn.execute(select(reviews).where(reviews.c.discrepancy_id == discrepancy_id)).mappings().first()
            old = dict(cur) if cur else {"status": "open", "note": "", "version": 0, "answer": "", "evidence": ""}
            if expected_version is not None and old["version"] != expected_version:
                raise ConflictError(
                    f"{discrepancy_id}: {old.get('reviewer') or 'someone'} saved this item at "
                    f"{old.get('updated_at')} — reload it and apply your change again")
            values = {fld: (old.get(fld) or "") if v is None else v for fld, v in change.items()}
            values.update(reviewer=reviewer, updated_at=now(), version=old["version"] + 1)
            if cur:
                res = conn.execute(update(reviews).where(reviews.c.discrepancy_id == discrepancy_id,
                                                         reviews.c.version == old["version"]).values(**values))
                if res.rowcount != 1:
                    self._lost_race(discrepancy_id, expected_version, None)
            else:
                try:
                    with conn.begin_nested():  # two reviewers giving the first verdict at once
                        conn.execute(insert(reviews).values(discrepancy_id=discrepancy_id, **values))
                except IntegrityError as exc:
                    self._lost_race(discrepancy_id, expected_version, exc)
            for fld in change:
                if (values[fld] or "") != (old.get(fld) or ""):
                    conn.execute(insert(audit).values(discrepancy_id=discrepancy_id, reviewer=reviewer,
                                                      at=values["updated_at"], field=fld,
                                                      old=old.get(fld), new=values[fld]))
        return {"discrepancy_id": discrepancy_id, **values}

    @staticmethod
    def _lost_race(discrepancy_id: str, expected_version: int | None, cause: Exception | None) -> None:
        """Another save of this item committed between our read and our write."""
        if expected_version is None:
            raise _LostRace(discrepancy_id) from cause
        raise ConflictError(f"{discrepancy_id}: someone saved a verdict on this item just now — "
                            "reload it and apply your change again") from cause

    def audit_rows(self, discrepancy_id: str | None = None) -> list[dict]:
        q = select(audit).order_by(audit.c.id)
        if discrepancy_id:
            q = q.where(audit.c.discrepancy_id == discrepancy_id)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (sources, claims, discrepancies, reviews, audit)}

    # ---------------------------------------------------------------- reads for the dashboard

    def cluster_rows(self) -> list[dict]:
        """One dict per (fact cluster, claim) of the latest run: cluster_id, story_id, claim_id,
        text, source_id, source name and outlet — the coverage matrix's input."""
        q = (select(clusters.c.cluster_id, clusters.c.story_id, claims.c.claim_id, claims.c.text,
                    sources.c.source_id, sources.c.name.label("source"), sources.c.outlet)
             .join(claims, claims.c.claim_id == clusters.c.claim_id)
             .join(sources, sources.c.source_id == claims.c.source_id)
             .order_by(clusters.c.cluster_id, sources.c.name, claims.c.sentence_index))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def source_for_claim(self, claim_id: str) -> dict | None:
        """The source row (with its raw text) a claim was read from, or None."""
        q = select(sources).join(claims, claims.c.source_id == sources.c.source_id).where(
            claims.c.claim_id == claim_id)
        with self.engine.connect() as conn:
            row = conn.execute(q).mappings().first()
        return dict(row) if row else None


# Columns added to tables of earlier stores, added in place when such a store is opened (the store
# keeps every row; a full migration tool is the next step, see issue 18).
ADDED_COLUMNS = {"reviews": ("answer", "evidence")}


def upgrade(engine: Engine) -> None:
    """Bring a store written by an earlier version up to today's tables without losing a row."""
    from sqlalchemy import inspect, text

    have = inspect(engine)
    with engine.begin() as conn:
        for table, columns in ADDED_COLUMNS.items():
            present = {c["name"] for c in have.get_columns(table)}
            for column in columns:
                if column not in present:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} TEXT"))


def fact_row(f: Fact) -> dict:
    return {"fact_id": f.fact_id, "story_id": f.story_id, "kind": f.kind, "question": f.question,
            "answers": json.dumps([_fields(a) for a in f.answers], ensure_ascii=False), "disputed": f.disputed}


def fact_from_row(r) -> Fact:
    return Fact(r["fact_id"], r["story_id"] or "", r["kind"], r["question"],
                tuple(Answer(**a) for a in json.loads(r["answers"] or "[]")), bool(r["disputed"]))


def source_row(s: Source) -> dict:
    return {"source_id": s.source_id, "name": s.name, "outlet": s.outlet, "title": s.title, "url": s.url,
            "published": s.published.isoformat() if isinstance(s.published, date) else "",
            "language": s.language, "kind": s.kind, "raw": s.raw,
            "also_outlets": json.dumps(list(s.also_outlets)), "active": True}


def discrepancy_row(d: Discrepancy, rank: int, first_seen: int, run_id: int) -> dict:
    return {"discrepancy_id": d.discrepancy_id, "kind": d.kind, "severity": d.severity,
            "confidence": d.confidence, "explanation": d.explanation, "claim_a": d.claim_a,
            "claim_b": d.claim_b, "detail": json.dumps(d.detail, default=str, sort_keys=True),
            "rank": rank, "active": True, "first_seen": first_seen, "last_seen": run_id}


def source_from_row(r) -> Source:
    return source_from_dict({"source_id": r["source_id"], "name": r["name"], "outlet": r["outlet"],
                             "title": r["title"] or "", "url": r["url"] or "", "published": r["published"] or None,
                             "language": r["language"] or "en", "raw": r["raw"] or "", "kind": r["kind"] or "txt",
                             "also_outlets": json.loads(r["also_outlets"] or "[]")})


def claim_from_row(r) -> Claim:
    """The inverse of ``claim_row``."""
    d = {k: r[k] for k in ("claim_id", "source_id", "sentence_index", "text", "char_start", "char_end", "content",
                           "speaker", "party", "cue", "stance", "frame", "check_worthiness")}
    d["entities"] = json.loads(r["entities"])
    d["quantities"] = json.loads(r["quantities"])
    d["dates"] = json.loads(r["dates"])
    return claim_from_dict(d)


def _fields(record) -> dict:
    """A flat record as a dict (``dataclasses.asdict`` deep-copies, ten times slower)."""
    return {f: getattr(record, f) for f in record.__dataclass_fields__}


def claim_row(c: Claim) -> dict:
    row = {k: getattr(c, k) for k in ("claim_id", "source_id", "sentence_index", "text", "char_start",
                                      "char_end", "content", "speaker", "party", "cue", "stance", "frame",
                                      "check_worthiness")}
    row["entities"] = json.dumps([_fields(e) for e in c.entities], ensure_ascii=False)
    row["quantities"] = json.dumps([_fields(q) for q in c.quantities], ensure_ascii=False)
    row["dates"] = json.dumps([_fields(d) for d in c.dates], default=str, ensure_ascii=False)
    row["active"] = True
    return row


def pair_sides(d: dict, detail: dict, claim_map: dict, source_map: dict) -> list[dict]:
    """The sides of a discrepancy stored before facts (a pair of claims): one claim a side, so a
    store written by an earlier version reads as today's."""
    out = []
    for name in ("a", "b"):
        c = claim_map.get(d[f"claim_{name}"])
        if not c:
            continue
        s = source_map.get(c["source_id"]) or {}
        value = detail.get(f"value_{name}") or detail.get(f"side_{name}") or detail.get(name) or f"as {s.get('outlet')}"
        out.append({"value": str(value), "claims": [c["claim_id"]], "sources": [c["source_id"]],
                    "outlets": [s.get("outlet", "")], "attributions": [x for x in (c.get("speaker") or c.get("party"),) if x],
                    "published": [s["published"]] if s.get("published") else []})
    return out


def joined(d: dict, claim_map: dict, source_map: dict, review_map: dict) -> dict:
    out = dict(d)
    out["detail"] = json.loads(d["detail"] or "{}")
    for side in ("a", "b"):
        c = claim_map.get(d[f"claim_{side}"]) or {}
        s = source_map.get(c.get("source_id", "")) or {}
        out[f"claim_{side}_id"] = d[f"claim_{side}"]
        out[f"claim_{side}"] = c.get("text", "")
        out[f"source_{side}"] = s.get("name", "")
        out[f"outlet_{side}"] = s.get("outlet", "")
        out[f"title_{side}"] = s.get("title", "")
        out[f"published_{side}"] = s.get("published", "")
        out[f"url_{side}"] = s.get("url", "")
        out[f"span_{side}"] = (c.get("char_start"), c.get("char_end"))
    sides = out["detail"].get("sides") or pair_sides(d, out["detail"], claim_map, source_map)
    out["question"] = out["detail"].get("question_text", "")
    out["sides"] = [{**side, "texts": [(claim_map.get(cid) or {}).get("text", "") for cid in side.get("claims", ())],
                     "spans": [((claim_map.get(cid) or {}).get("char_start"), (claim_map.get(cid) or {}).get("char_end"))
                               for cid in side.get("claims", ())],
                     "claim_sources": [(claim_map.get(cid) or {}).get("source_id", "") for cid in side.get("claims", ())]}
                    for side in sides]
    out["change_over_time"] = "yes" if out["detail"].get("change_over_time") else ""
    out["all_outlets"] = sorted({(source_map.get(sid) or {}).get("outlet", "") for side in out["sides"]
                                 for sid in side.get("sources", ())} - {""})
    for name, side in zip(("a", "b"), out["sides"]):
        out[f"value_{name}"] = side.get("value", "")
        out[f"outlets_{name}"] = "; ".join(side.get("outlets", ()))
        out[f"attributed_{name}"] = "; ".join(side.get("attributions", ()))
        out[f"claim_ids_{name}"] = " ".join(side.get("claims", ()))
    out["more_sides"] = " || ".join(f"{s.get('value')}: {'; '.join(s.get('outlets', ()))}" for s in out["sides"][2:])
    out["other_answers"] = " || ".join(f"{s.get('value')}: {'; '.join(s.get('outlets', ()))}"
                                       for s in out["detail"].get("other_answers") or [])
    r = review_map.get(d["discrepancy_id"]) or {}
    out["status"] = r.get("status") or "open"
    out["note"] = r.get("note") or ""
    out["reviewer"] = r.get("reviewer") or ""
    out["reviewed_at"] = r.get("updated_at") or ""
    out["answer"] = r.get("answer") or ""
    out["evidence"] = r.get("evidence") or ""
    out["version"] = r.get("version") or 0
    out["stale"] = not d["active"]
    return out


# ---------------------------------------------------------------- the story index's encoding

def encode_story_index(index: StoryIndex) -> bytes:
    """The whole index, as a full run stores it (a NumPy .npz archive: texts as UTF-8 lines, the
    sparse count matrices by their parts, the embeddings as float32)."""
    import io

    def text(items) -> np.ndarray:
        return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)

    buf = io.BytesIO()
    np.savez(buf, source_ids=text(index.source_ids), stories=text(index.stories), pins=text(index.pins),
             words=text(sorted(index.vocab, key=index.vocab.__getitem__)), data=index.counts.data,
             indices=index.counts.indices, indptr=index.counts.indptr,
             name_words=text(sorted(index.name_vocab, key=index.name_vocab.__getitem__)),
             name_data=index.names.data, name_indices=index.names.indices, name_indptr=index.names.indptr,
             embeds=index.embeds.astype(np.float32))
    return buf.getvalue()


def story_record(index: StoryIndex, source_id: str) -> tuple[str, bytes]:
    """An article appended since the index was stored: (its word and name counts and its pin as
    JSON, its embedding)."""
    import json

    words, names = index.words[source_id]
    pin = index.pins[index.source_ids.index(source_id)]
    return (json.dumps({"words": words, "names": names, **({"pin": pin} if pin else {})}),
            index.embeds[index.source_ids.index(source_id)].tobytes())


def decode_story_index(payload: bytes, added: Sequence[tuple[str, str, bytes]] = (),
                       stories: dict[str, str] | None = None) -> StoryIndex:
    """The index stored by a full run, the articles ``added`` since ((source_id, word counts,
    embedding), in order) and the stories that changed (source_id -> story). An index stored
    before names were kept has none: its articles join stories on their words alone (and one
    stored before pins were kept has no pins)."""
    import io
    import json

    from scipy import sparse

    z = np.load(io.BytesIO(payload), allow_pickle=False)

    def lines(key: str) -> list[str]:
        text = z[key].tobytes().decode("utf-8") if key in z.files else ""
        return text.split("\n") if text else []

    words, ids, name_words = lines("words"), lines("source_ids"), lines("name_words")
    counts = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=(len(ids), len(words)))
    names = (sparse.csr_matrix((z["name_data"], z["name_indices"], z["name_indptr"]),
                               shape=(len(ids), len(name_words)))
             if "name_indptr" in z.files else None)
    index = StoryIndex(ids, counts, dict(zip(words, range(len(words)))), z["embeds"].reshape(len(ids), -1),
                       lines("stories"), names=names, name_vocab=dict(zip(name_words, range(len(name_words)))),
                       pins=lines("pins") or None)  # none stored, or one article with none: no pins
    for sid, terms, vector in added:
        record = json.loads(terms)
        pin = ""
        if isinstance(record.get("words"), dict):
            word_counts, name_counts_ = Counter(record["words"]), Counter(record.get("names", {}))
            pin = record.get("pin", "")
        else:  # a record written before names were kept: its word counts alone
            word_counts, name_counts_ = Counter(record), Counter()
        index.append(sid, word_counts, np.frombuffer(vector, dtype=np.float32), names=name_counts_, pin=pin)
    if stories:
        index.stories = [stories.get(sid, st) for sid, st in zip(index.source_ids, index.stories)]
    return index
