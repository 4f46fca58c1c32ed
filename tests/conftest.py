"""Shared fixtures: the real pipeline run once on sources/ (real spaCy and MiniLM models)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLD = SHARED / "gold"


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """The whole pipeline on sources/, stored in a temporary SQLite file, CSVs in a temp folder."""
    from factcheck import pipeline
    from factcheck.config import Settings
    from factcheck.store import Store

    out = tmp_path_factory.mktemp("seed_run")
    store = Store(f"sqlite:///{out / 'factcheck.db'}")
    result = pipeline.run(ROOT / "sources", Settings(), store=store, out=out)
    return result, store, out


@pytest.fixture
def dashboard_store(tmp_path, monkeypatch):
    """The hand-made store of tests.test_store (three outlets, five disputed facts, no models),
    as the dashboard opens it (FACTCHECK_DB, FACTCHECK_SOURCES)."""
    from tests.test_store import make_store

    store = make_store(tmp_path)
    monkeypatch.setenv("FACTCHECK_DB", store.url)
    monkeypatch.setenv("FACTCHECK_SOURCES", str(tmp_path / "sources"))
    return store


@pytest.fixture(scope="session")
def body_lines():
    """(file, first_line, last_line, role) rows of the seeds' line gold."""
    with open(GOLD / "seed_body_lines.csv", encoding="utf-8") as fh:
        return [(r["file"], int(r["first_line"]), int(r["last_line"]), r["role"]) for r in csv.DictReader(fh)]


def line_starts(raw: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(raw):
        if ch == "\n":
            starts.append(i + 1)
    return starts


@pytest.fixture(scope="session")
def dask_engine():
    """A Dask ``LocalCluster`` of two worker processes with the models loaded on each (the engine of
    ``factcheck run --engine dask --workers 2``), shared by the tests that run on an engine."""
    pytest.importorskip("distributed", reason="Dask not installed (pip install -e '.[test]')")
    from factcheck.config import Settings
    from factcheck.engine import DaskEngine

    engine = DaskEngine.start(Settings(), workers=2)
    yield engine
    engine.close()
