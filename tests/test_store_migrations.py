"""The store's schema is versioned (Alembic): a store written by an earlier factcheck opens with
every row it had, a new store is at the latest revision, a store from a newer factcheck is
refused in one line, and the migrations build exactly the tables ``schema.meta`` declares, on
SQLite and PostgreSQL. Records go through the store and come back equal (``Source.story`` too).

``tests/data/store_before_facts.db``: written by the pairwise version (see test_facts_store.py).
``tests/data/store_before_alembic.db``: written by main before the schema was versioned (commit
aa77358) running the two seeds, with two verdicts (the spelling of Aliyev's name, confirmed with
the answer and the source checked; a cause, to follow up); its caches were emptied.
"""
from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select, text

import factcheck.store as store_module
from factcheck.errors import StoreError
from factcheck.models import Alignment, Answer, Claim, DateSpan, Discrepancy, Entity, Fact, Quantity, Source, stable_id
from factcheck.store import ALIGNMENT, CLAIM, DISCREPANCY, FACT, SOURCE, Codec, ReviewRow, Store, meta, migrate, schema
from factcheck.store.codec import ISO_DAY

from . import test_postgres
from .conftest import ROOT
from .test_store import hand_made_run

DATA = ROOT / "tests" / "data"
PAIRWISE, BEFORE_ALEMBIC = DATA / "store_before_facts.db", DATA / "store_before_alembic.db"
CAUSE_PAIR, NAME_PAIR = "bf4b2c083b6f", "a718abd88035"  # pairwise ids the pairwise store reviewed
NAME_FACT = "d5aec0d6aec5"  # the fact the store written before Alembic confirmed
REVISIONS = [s.revision for s in reversed(list(migrate.scripts().walk_revisions()))]  # oldest first

pg_url = test_postgres.pg_url  # the throw-away PostgreSQL server (skips where its tools are missing)
pg_db = test_postgres.pg_db  # a database of its own on it, per test


def copied(src: Path, tmp_path: Path) -> Path:
    path = tmp_path / "factcheck.db"
    shutil.copy(src, path)
    return path


def every_row(path: Path) -> dict[str, list[tuple]]:
    """Each table's rows (all columns), read with the sqlite3 module."""
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def columns_of(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: [r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}


def rows_kept(before: dict[str, list[tuple]], columns: dict[str, list[str]], path: Path) -> None:
    """Every row of ``before`` is in the store at ``path``, with the same values in the columns it had."""
    with sqlite3.connect(path) as conn:
        for table, rows in before.items():
            cols = ", ".join(f'"{c}"' for c in columns[table])
            after = sorted(conn.execute(f'SELECT {cols} FROM "{table}"').fetchall(), key=repr)
            assert after == rows, f"{table}: rows changed by the upgrade"


def revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return migrate.revision_of(conn)


def drift(engine) -> list:
    """What differs between the database's tables and ``schema.meta`` ([] = nothing)."""
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), meta)


def migrate_to(engine, target: str, *, down: bool = False) -> None:
    """Run the migrations on ``engine`` up (or down) to ``target``, as a developer would."""
    with engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(migrate.config(conn), target)


def unversioned(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


# ---------------------------------------------------------------- stores written by earlier versions

def test_the_pairwise_store_is_recognised_upgraded_and_keeps_every_row(tmp_path):
    path = copied(PAIRWISE, tmp_path)
    before, columns = every_row(path), columns_of(path)
    store = Store(f"sqlite:///{path}")
    assert revision(store) == migrate.head()
    rows_kept(before, columns, path)
    assert sum(map(len, before.values())) > 400 and len(before["reviews"]) == 2
    assert drift(store.engine) == [], "the upgraded store has exactly today's tables"
    assert store.review(CAUSE_PAIR)["status"] == "confirmed"
    assert store.review(NAME_PAIR)["note"] == "Ilham is the president's name"
    assert {s.story for s in store.sources_of()} == {""}


def test_after_the_upgrade_a_run_moves_a_pairwise_verdict_onto_its_fact(tmp_path):
    store = Store(f"sqlite:///{copied(PAIRWISE, tmp_path)}")
    sources, claims = store.sources_of(), store.claims_of()
    old = {r["discrepancy_id"]: r for r in store.discrepancy_rows()}[NAME_PAIR]
    fact = Discrepancy(stable_id("spelling", "aliyev", length=12), "name_variant", 0.6, 0.9, "Aliyev spelled 2 ways",
                       old["claim_a_id"], old["claim_b_id"], {"pairs": [NAME_PAIR], "question_text": "Spelling?"})
    store.save_run(sources_dir="sources", source_records=sources, claim_records=claims, cluster_records=[],
                   pairs=[], found=[fact])
    moved = store.review(fact.discrepancy_id)
    assert (moved["status"], moved["note"], moved["answer"]) == ("confirmed", "Ilham is the president's name", "")
    assert [(a["field"], a["old"]) for a in store.audit_rows(fact.discrepancy_id)] == [("migrated", NAME_PAIR)]
    assert store.review(NAME_PAIR)["status"] == "confirmed", "the old review stays readable"


def test_the_store_written_by_main_before_alembic_is_stamped_upgraded_and_keeps_every_row(tmp_path):
    path = copied(BEFORE_ALEMBIC, tmp_path)
    before, columns = every_row(path), columns_of(path)
    assert "alembic_version" not in before and "story" not in columns["sources"]
    store = Store(f"sqlite:///{path}")
    assert revision(store) == migrate.head()
    rows_kept(before, columns, path)
    assert drift(store.engine) == []
    confirmed = store.review(NAME_FACT)
    assert (confirmed["status"], confirmed["answer"], confirmed["evidence"], confirmed["version"]) == (
        "confirmed", "Ilham Aliyev", "https://president.az/en", 1)
    rows = {r.discrepancy_id: r for r in store.review_rows()}
    assert len(rows) == 5 and rows[NAME_FACT].review.reviewer == "ana"
    assert [s.value for s in rows[NAME_FACT].sides] == ["Ilham Aliyev", "Ilhan Aliyev"]
    assert len(store.fact_records()) == 12 and store.load_story_index().source_ids


def test_a_story_given_after_the_upgrade_is_kept(tmp_path):
    store = Store(f"sqlite:///{copied(BEFORE_ALEMBIC, tmp_path)}")
    sources = [replace(s, story="Crash") for s in store.sources_of()]
    store.save_run(sources_dir="sources", source_records=sources, claim_records=store.claims_of(),
                   cluster_records=[], pairs=[], found=[])
    assert [s.story for s in Store(store.url).sources_of()] == ["Crash", "Crash"]
    assert Store(store.url).review(NAME_FACT)["status"] == "confirmed", "a run keeps the reviews"


def test_a_store_older_than_the_baseline_gets_the_tables_it_lacked(tmp_path):
    """Before the caches and the story index existed, a store had the other tables as they are."""
    path = copied(PAIRWISE, tmp_path)
    with sqlite3.connect(path) as conn:
        for table in ("claim_cache", "article_cache", "story_index", "story_added", "story_labels"):
            conn.execute(f"DROP TABLE {table}")
    before, columns = every_row(path), columns_of(path)
    with create_engine(f"sqlite:///{path}").connect() as conn:
        assert migrate.recognise(conn) is None, "no revision has only these tables"
    store = Store(f"sqlite:///{path}")
    assert revision(store) == migrate.head() and drift(store.engine) == []
    rows_kept(before, columns, path)


@pytest.mark.parametrize("target", REVISIONS)
def test_an_unversioned_store_is_recognised_by_its_tables(tmp_path, target):
    engine = create_engine(f"sqlite:///{tmp_path / 'factcheck.db'}")
    migrate_to(engine, target)
    unversioned(engine)
    with engine.connect() as conn:
        assert migrate.recognise(conn) == target
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    assert revision(store) == migrate.head() and drift(store.engine) == []


def test_an_old_store_another_program_is_writing_is_refused_in_one_line_and_left_as_it_was(
        tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.3)
    path = copied(PAIRWISE, tmp_path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as err:
            Store(f"sqlite:///{path}")
    finally:
        other.execute("ROLLBACK")
        other.close()
    message = str(err.value)
    assert "busy" in message and "could not be opened" in message and "\n" not in message
    assert "alembic_version" not in every_row(path) and "answer" not in columns_of(path)["reviews"]


# ---------------------------------------------------------------- new stores, newer stores

def test_a_new_store_is_at_head_with_exactly_the_tables_of_the_schema(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    assert revision(store) == migrate.head() == REVISIONS[-1]
    assert drift(store.engine) == []
    store.save_run(**hand_made_run())
    assert revision(Store(store.url)) == migrate.head()


def test_the_migrations_from_nothing_build_the_tables_of_the_schema(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'factcheck.db'}")
    migrate_to(engine, "head")
    assert drift(engine) == []


def test_downgrading_to_the_baseline_gives_the_pairwise_tables_back(tmp_path):
    path = copied(PAIRWISE, tmp_path)
    Store(f"sqlite:///{path}")
    migrate_to(create_engine(f"sqlite:///{path}"), REVISIONS[0], down=True)
    assert {t: c for t, c in columns_of(path).items() if t != "alembic_version"} == columns_of(PAIRWISE)


def test_a_store_from_a_newer_factcheck_is_refused_in_one_line(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    store.save_run(**hand_made_run())
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    with pytest.raises(StoreError) as err:
        Store(store.url)
    message = str(err.value)
    assert "\n" not in message and "newer factcheck" in message and "upgrade factcheck" in message
    assert "0099_from_the_future" in message and str(tmp_path) in message
    with store.engine.connect() as conn:
        assert migrate.revision_of(conn) == "0099_from_the_future", "the store is left as it was"


# ---------------------------------------------------------------- PostgreSQL



def test_on_postgres_a_new_store_and_the_migrations_from_nothing_give_the_schema(pg_db):
    store = Store(pg_db)
    assert revision(store) == migrate.head() and drift(store.engine) == []
    store.engine.dispose()
    with create_engine(pg_db).begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine = create_engine(pg_db)
    migrate_to(engine, "head")
    assert drift(engine) == []
    migrate_to(engine, REVISIONS[0], down=True)
    migrate_to(engine, "head")
    assert drift(engine) == []


def test_on_postgres_the_pairwise_store_is_recognised_upgraded_and_keeps_every_row(pg_db, tmp_path):
    """The pairwise store's rows, copied into the pairwise tables on PostgreSQL, unversioned."""
    engine = create_engine(pg_db)
    migrate_to(engine, REVISIONS[0])
    unversioned(engine)
    old = MetaData()
    old.reflect(create_engine(f"sqlite:///{copied(PAIRWISE, tmp_path)}"))
    before = {}
    with create_engine(f"sqlite:///{tmp_path / 'factcheck.db'}").connect() as src, engine.begin() as dst:
        for table in old.sorted_tables:
            before[table.name] = [tuple(r) for r in src.execute(select(table))]
            if before[table.name]:
                dst.execute(insert(meta.tables[table.name]), [dict(r._mapping) for r in src.execute(select(table))])
        for table, key in (("runs", "run_id"), ("audit", "id"), ("story_added", "seq")):
            dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                             f"(SELECT coalesce(max({key}), 0) + 1 FROM {table}), false)"))
    store = Store(pg_db)
    assert revision(store) == migrate.head() and drift(store.engine) == []
    with store.engine.connect() as conn:
        for table in old.sorted_tables:
            after = [tuple(r) for r in conn.execute(select(*[meta.tables[table.name].c[c.name] for c in table.c]))]
            assert sorted(after, key=repr) == sorted(before[table.name], key=repr), table.name
    assert store.review(NAME_PAIR)["note"] == "Ilham is the president's name"
    store.save_run(**hand_made_run())  # the store takes a run after the upgrade
    assert store.review(CAUSE_PAIR)["status"] == "confirmed" and len(store.discrepancy_rows()) == 5


def test_on_postgres_a_store_from_a_newer_factcheck_is_refused_in_one_line(pg_db):
    store = Store(pg_db)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    with pytest.raises(StoreError, match="newer factcheck") as err:
        Store(pg_db)
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- records through the store

CRASH = Source(source_id="s-crash", name="crash.html", outlet="Caspian Wire", title="Jet crash near Aktau — latest",
               url="https://wire.example/aktau", published=date(2024, 12, 25), language="en",
               raw="Crash text with ünïcödé", kind="html", also_outlets=("Reuters", "AP"), story="Crash")
BARE = Source(source_id="s-bare", name="bare.txt", outlet="Bare")
CLAIM_FULL = Claim(
    claim_id="c1", source_id="s-crash", sentence_index=3, text="At least 38 of 67 people died, Ilham Aliyev said.",
    char_start=10, char_end=60, content="At least 38 of 67 people died", speaker="Ilham Aliyev", party="Azerbaijan",
    cue="said", stance="asserts", frame="cause",
    entities=(Entity("Ilham Aliyev", "PERSON", "ilham aliyev"), Entity("Aktau", "GPE", "aktau")),
    quantities=(Quantity("at least 38", 38.0, None, None, "dead", False, "", False, False),
                Quantity("dozens", 24, float("inf"), "people", "aboard", True, "passenger", True, True)),
    dates=(DateSpan("December 25", date(2024, 12, 25), date(2024, 12, 25), "day"),
           DateSpan("last year", None, None, "unknown", resolved=False)),
    check_worthiness=0.875)
CLAIM_BARE = Claim("c2", "s-bare", 0, "Nothing else.", 0, 13)
FACT_FULL = Fact("f1", "story-1", "count", "How many died?", (
    Answer("c1", "s-crash", "Caspian Wire", "at least 38", "Ilham Aliyev", "Azerbaijan", "at least", "2024-12-25", 1),
    Answer("c2", "s-bare", "Bare", "40", side=2)), disputed=True)
DISPUTE = Discrepancy("d1", "quantity", 0.9, 0.7, "38 vs 40", "c1", "c2",
                      {"question_text": "How many died?", "sides": [{"value": "38", "claims": ["c1"]}], "pairs": ["p"]})
PAIR = Alignment("c1", "c2", 0.8125, 0.75)


@pytest.mark.parametrize("codec, record, own", [
    (SOURCE, CRASH, {"active": True}), (SOURCE, BARE, {"active": False}),
    (CLAIM, CLAIM_FULL, {"active": True}), (CLAIM, CLAIM_BARE, {"active": True}),
    (FACT, FACT_FULL, {}), (FACT, Fact("f2", "", "spelling", "How is it spelled?"), {}),
    (DISCREPANCY, DISPUTE, {"rank": 1, "active": True, "first_seen": 1, "last_seen": 2}),
    (ALIGNMENT, PAIR, {}),
], ids=["source", "bare source", "claim", "bare claim", "fact", "bare fact", "discrepancy", "alignment"])
def test_a_record_written_to_its_table_reads_back_equal(tmp_path, codec, record, own):
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    with store.engine.begin() as conn:
        conn.execute(insert(codec.table), [codec.row(record, **own)])
        back = codec.record(conn.execute(select(codec.table)).mappings().one())
    assert back == record
    if isinstance(record, Discrepancy):  # its detail is not part of its equality
        assert back.detail == record.detail


def test_sources_claims_facts_and_alignments_come_back_from_a_run_as_they_went_in(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    store.save_run(sources_dir="sources", source_records=[CRASH, BARE], claim_records=[CLAIM_FULL, CLAIM_BARE],
                   cluster_records=[], pairs=[PAIR], found=[DISPUTE], fact_records=[FACT_FULL])
    assert sorted(store.sources_of(), key=lambda s: s.source_id) == [BARE, CRASH]
    assert store.sources_of(["s-crash"])[0].story == "Crash"
    assert store.claims_of() == [CLAIM_BARE, CLAIM_FULL]
    assert store.fact_records() == [FACT_FULL]
    assert store.alignment_records()[0] == [PAIR]


def test_a_codec_refuses_a_record_field_its_table_has_no_column_for():
    without_story = Table("sources", MetaData(),
                          *[Column(c.name, c.type) for c in schema.sources.c if c.name != "story"])
    with pytest.raises(TypeError, match=r"Source\.story has no column"):
        Codec(Source, without_story)
    extra = Table("alignments", MetaData(), *[Column(c.name, c.type) for c in schema.alignments.c],
                  Column("note", String(8)))
    with pytest.raises(TypeError, match="'note' is neither a field of Alignment"):
        Codec(Alignment, extra)
    with pytest.raises(TypeError, match="no field 'publshed'"):
        Codec(Source, schema.sources, {"publshed": ISO_DAY}, row_only=("active",))


# ---------------------------------------------------------------- the typed rows

def test_review_rows_are_typed_and_their_dicts_are_the_discrepancy_rows(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    run = hand_made_run()
    store.save_run(**run)
    quantity = next(r for r in store.review_rows() if r.kind == "quantity")
    store.set_review(quantity.discrepancy_id, status="confirmed", reviewer="ana", answer="38")
    rows = store.review_rows()
    assert all(isinstance(r, ReviewRow) for r in rows)
    assert [r.as_dict() for r in rows] == store.discrepancy_rows()
    q = next(r for r in rows if r.kind == "quantity")
    a, b = q.pair
    assert (a.outlet, b.outlet, b.source) == ("Daily Ledger", "Harbour Post", "post.txt")
    assert a.text.startswith("At least 40 people") and a.claim_id != a.text
    assert [(s.value, s.outlets) for s in q.sides] == [("at least 40", ("Daily Ledger",)), ("38", ("Harbour Post",))]
    assert (q.review.status, q.review.answer, q.review.reviewer, q.review.version) == ("confirmed", "38", "ana", 1)
    assert q.all_outlets == ("Daily Ledger", "Harbour Post") and not q.stale and q.rank == 1
