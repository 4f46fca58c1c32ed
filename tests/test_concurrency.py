"""Reviewers saving at once lose nothing: 400 simultaneous first and later verdicts, on many items
and on the same few, from threads (and, on SQLite, from several processes) either land or raise
ConflictError, never anything else, and the reviews and their audit trail hold exactly the saves
that landed. A store kept busy past the timeout is a ConflictError for a review and a one-line
StoreError for a run; a store URL never shows its password.
"""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from factcheck import store as store_module
from factcheck.cli import main
from factcheck.errors import ConflictError, StoreError
from factcheck.store import STATUSES, Store, is_busy, shown_url

from . import test_postgres
from .test_store import hand_made_run

pg_url = test_postgres.pg_url  # the throw-away PostgreSQL server (skips where its tools are missing)
pg_db = test_postgres.pg_db  # a database of its own on it, per test

N_SAVES = 400
N_HOT = 3  # items that half of the saves go to
SAVES_PER_THREAD = 5




def fresh_store(url: str) -> tuple[Store, list[str]]:
    """A store with one run of 45 disputed facts and no review yet."""
    store = Store(url)
    store.save_run(**hand_made_run(n_filler=40))
    return store, [r["discrepancy_id"] for r in store.discrepancy_rows()]


def plan(ids: list[str]) -> list[tuple]:
    """N_SAVES saves: (number, item, status, with expected_version?). Every other save goes to one
    of the few hot items; one in four saves without expected_version (the latest save wins)."""
    saves = []
    for n in range(N_SAVES):
        item = ids[n % N_HOT] if n % 2 else ids[N_HOT + n % (len(ids) - N_HOT)]
        saves.append((n, item, STATUSES[n % len(STATUSES)], n % 4 != 0))
    return saves


def save_all(store: Store, saves: list[tuple], start_at: float) -> list[tuple]:
    """The saves in threads of SAVES_PER_THREAD each, every thread's first save at ``start_at`` on
    the version it read before; (number, item, outcome, version saved) per save."""
    chunks = [saves[i:i + SAVES_PER_THREAD] for i in range(0, len(saves), SAVES_PER_THREAD)]

    def one_thread(chunk):
        out = []
        seen = {item: store.review(item)["version"] for _, item, _, _ in chunk}
        time.sleep(max(0.0, start_at - time.time()))
        for n, item, status, versioned in chunk:
            try:
                saved = store.set_review(item, status=status, note=f"save {n}", reviewer=f"reviewer {n % 7}",
                                         expected_version=seen[item] if versioned else None)
                out.append((n, item, "landed", saved["version"]))
            except ConflictError:
                out.append((n, item, "conflict", None))
            except Exception as exc:  # noqa: BLE001 — counted: the test demands none
                out.append((n, item, f"{type(exc).__name__}: {exc}", None))
            seen[item] = store.review(item)["version"]  # a later verdict on what is there now
        return out

    with ThreadPoolExecutor(len(chunks)) as pool:
        return [o for outs in pool.map(one_thread, chunks) for o in outs]


def save_in_process(url: str, saves: list[tuple], ready) -> list[tuple]:
    """``save_all`` in a process of its own, with its own store, starting when every process is
    ready (``ready``: a barrier shared with the others and the test)."""
    store = Store(url)
    ready.wait(timeout=60)
    return save_all(store, saves, time.time() + 0.3)


def check_nothing_lost(store: Store, saves: list[tuple], outcomes: list[tuple], hot: list[str]) -> Counter:
    """Every save landed or conflicted; each item's review and audit trail are exactly its landed
    saves, one after the other, none built on a version another landed save had replaced."""
    assert len(outcomes) == len(saves) == N_SAVES
    kinds = Counter(o[2] for o in outcomes)
    assert set(kinds) <= {"landed", "conflict"}, [o for o in outcomes if o[2] not in ("landed", "conflict")][:5]
    status_of = {n: status for n, _, status, _ in saves}
    landed = defaultdict(dict)  # item -> version -> the save that wrote it
    for n, item, outcome, version in outcomes:
        if outcome == "landed":
            assert version not in landed[item], "two saves landed on one version"
            landed[item][version] = n
    for item in {item for _, item, _, _ in saves}:
        mine = landed[item]
        assert sorted(mine) == list(range(1, len(mine) + 1))
        review = store.review(item)
        assert review["version"] == len(mine)
        notes = [a for a in store.audit_rows(item) if a["field"] == "note"]
        assert [a["new"] for a in notes] == [f"save {mine[v]}" for v in sorted(mine)]
        assert [a["old"] or "" for a in notes] == [""] + [a["new"] for a in notes[:-1]]
        if mine:
            last = mine[max(mine)]
            assert (review["note"], review["status"], review["reviewer"]) == (
                f"save {last}", status_of[last], f"reviewer {last % 7}")
    assert all(landed[item] for item in hot)
    assert all(any(o[1] == item and o[2] == "conflict" for o in outcomes) for item in hot)
    return kinds


def test_simultaneous_verdicts_on_sqlite_from_threads_and_processes(tmp_path):
    store, ids = fresh_store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    saves = plan(ids)
    in_processes, here = saves[:200], saves[200:]
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(4, mp_context=spawn) as pool:
        ready = manager.Barrier(5)
        futures = [pool.submit(save_in_process, store.url, in_processes[i::4], ready) for i in range(4)]
        ready.wait(timeout=60)
        outcomes = save_all(store, here, time.time() + 0.3)
        for f in futures:
            outcomes += f.result(timeout=60)
    kinds = check_nothing_lost(store, saves, outcomes, ids[:N_HOT])
    assert kinds["landed"] >= 100 and kinds["conflict"] >= 50, kinds


def test_simultaneous_verdicts_on_postgres(pg_db):
    store, ids = fresh_store(pg_db)
    saves = plan(ids)
    outcomes = save_all(store, saves, time.time() + 0.5)
    kinds = check_nothing_lost(store, saves, outcomes, ids[:N_HOT])
    assert kinds["landed"] >= 100 and kinds["conflict"] >= 50, kinds


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'factcheck.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_db")


def test_the_first_verdict_given_twice_at_once_is_one_verdict_and_one_conflict(any_url):
    store, ids = fresh_store(any_url)
    go = threading.Barrier(2)

    def first_verdict(name):
        go.wait()
        try:
            return store.set_review(ids[0], status="confirmed", note=name, reviewer=name, expected_version=0)["note"]
        except ConflictError as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(first_verdict, ["ana", "ben"]))
    winner = store.review(ids[0])["note"]
    assert winner in results and sum(r in ("ana", "ben") for r in results) == 1
    assert "reload it and apply your change again" in next(r for r in results if r != winner)
    assert [a["new"] for a in store.audit_rows(ids[0])] == ["confirmed", winner]


@pytest.fixture
def short_busy_timeout(monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.3)


def hold_the_write_lock(path) -> sqlite3.Connection:
    """Another program in the middle of writing the store (a run, say)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_store_locked_past_the_timeout_is_a_conflict_for_a_review_and_a_store_error_for_a_run(
        tmp_path, short_busy_timeout):
    store, ids = fresh_store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    other = hold_the_write_lock(tmp_path / "factcheck.db")
    try:
        assert Store(store.url).review(ids[0])["version"] == 0  # opening and reading never wait
        with pytest.raises(ConflictError, match="busy.*reload it and apply your change again"):
            store.set_review(ids[0], status="confirmed", reviewer="ana", expected_version=0)
        with pytest.raises(StoreError) as err:
            store.save_run(**hand_made_run(n_filler=40))
        assert not isinstance(err.value, ConflictError)
        message = str(err.value)
        assert "busy" in message and "the run was not saved" in message and "try again" in message
        assert "\n" not in message and store.url in message
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.review(ids[0])["version"] == 0 and store.audit_rows() == []
    assert store.set_review(ids[0], status="confirmed", reviewer="ana", expected_version=0)["version"] == 1


def test_a_review_that_meets_a_busy_store_once_is_saved_on_the_retry(tmp_path, monkeypatch):
    store, ids = fresh_store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    real, calls = Store._save_review, []

    def busy_once(self, *args):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        return real(self, *args)

    monkeypatch.setattr(Store, "_save_review", busy_once)
    saved = store.set_review(ids[0], status="dismissed", reviewer="ana", expected_version=0)
    assert len(calls) == 2 and saved["version"] == 1
    assert [a["new"] for a in store.audit_rows(ids[0])] == ["dismissed"]


class PgError(Exception):
    def __init__(self, pgcode):
        super().__init__(f"pgcode {pgcode}")
        self.pgcode = pgcode


@pytest.mark.parametrize("orig, busy", [
    (sqlite3.OperationalError("database is locked"), True),
    (sqlite3.OperationalError("database table is locked"), True),
    (sqlite3.OperationalError("no such table: reviews"), False),
    (PgError("40001"), True),  # serialization failure
    (PgError("40P01"), True),  # deadlock detected
    (PgError("55P03"), True),  # lock not available (lock_timeout)
    (PgError("23505"), False),  # unique violation: a lost race, handled apart
    (PgError("42P01"), False),  # undefined table
])
def test_which_database_errors_mean_a_busy_store(orig, busy):
    assert is_busy(OperationalError("UPDATE reviews …", {}, orig)) is busy


@pytest.mark.parametrize("url, shown", [
    ("postgresql://user:secret@host/db", "postgresql://user:***@host/db"),
    ("postgresql+psycopg2://user:p%40ss@db.example:5432/factcheck", "postgresql+psycopg2://user:***@db.example:5432/factcheck"),
    ("postgresql://user@host/db?password=secret&sslmode=require", "postgresql://user@host/db?password=***&sslmode=require"),
    ("sqlite:///factcheck.db", "sqlite:///factcheck.db"),
    ("not a url://user:secret@host", "not a url://user:***@host"),
])
def test_a_store_url_is_shown_without_its_password(url, shown):
    assert shown_url(url) == shown


@pytest.mark.parametrize("url", ["postgresql+psycopg2://user:secret@127.0.0.1:1/db",  # refused at once
                                 "postgresql://user:secret@127.0.0.1:1/db"])  # SQLAlchemy 2.1: psycopg's, not installed
def test_a_store_error_never_repeats_the_password(url, tmp_path):
    with pytest.raises(StoreError) as err:
        Store(url)
    assert "secret" not in str(err.value)
    result = CliRunner().invoke(main, ["export", "--db", url, "--out", str(tmp_path / "e.csv")])
    assert result.exit_code == 1 and result.output.startswith("error: ") and "secret" not in result.output


def test_the_store_error_names_the_store_with_its_password_masked():
    with pytest.raises(StoreError, match=r"cannot open the store at 'postgresql\+psycopg2://user:\*\*\*@127.0.0.1:1/db'"):
        Store("postgresql+psycopg2://user:secret@127.0.0.1:1/db")
