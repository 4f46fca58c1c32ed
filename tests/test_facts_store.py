"""Reviews given when each pair of claims was its own discrepancy survive the move to facts.

``tests/data/store_before_facts.db`` was written by the pairwise version (commit ed938a7) running
the two seeds, with two verdicts given: the crash's cause (Baku vs Moscow) and the spelling of
Aliyev's name; its caches were emptied. Today's run on the same seeds, into a copy of that store,
must show both verdicts on the facts those pairs belong to, with the audit trail saying where
they came from, and keep the old reviews readable."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import inspect

from factcheck import pipeline
from factcheck.config import Settings
from factcheck.store import Store

from .conftest import ROOT

OLD = ROOT / "tests" / "data" / "store_before_facts.db"
CAUSE_PAIR, NAME_PAIR = "bf4b2c083b6f", "a718abd88035"  # the pairwise ids the old store reviewed


@pytest.fixture
def old_store(tmp_path) -> Store:
    path = tmp_path / "factcheck.db"
    shutil.copy(OLD, path)
    return Store(f"sqlite:///{path}")


def test_an_old_store_opens_with_the_new_review_columns_and_keeps_its_reviews(old_store):
    columns = {c["name"] for c in inspect(old_store.engine).get_columns("reviews")}
    assert {"answer", "evidence"} <= columns
    assert old_store.review(CAUSE_PAIR)["status"] == "confirmed"
    assert old_store.review(NAME_PAIR)["note"] == "Ilham is the president's name"
    rows = old_store.discrepancy_rows()
    assert rows and all(len(r["sides"]) in (1, 2) for r in rows), "pairs stored before facts read as sides"


@pytest.mark.slow
def test_a_run_moves_pairwise_verdicts_onto_their_facts(old_store):
    result = pipeline.run(ROOT / "sources", Settings(), store=old_store)
    by_pair = {p: d for d in result.discrepancies for p in d.detail["pairs"]}
    cause, name = by_pair[CAUSE_PAIR], by_pair[NAME_PAIR]
    assert cause.kind == "attribution_conflict" and name.kind == "name_variant"
    rows = {r["discrepancy_id"]: r for r in old_store.discrepancy_rows()}
    assert (rows[cause.discrepancy_id]["status"], rows[cause.discrepancy_id]["reviewer"]) == ("confirmed", "ana")
    assert rows[name.discrepancy_id]["note"] == "Ilham is the president's name"
    trail = old_store.audit_rows(name.discrepancy_id)
    assert [(a["field"], a["old"]) for a in trail] == [("migrated", NAME_PAIR)]
    open_facts = [d for d in result.discrepancies if d.discrepancy_id not in (cause.discrepancy_id, name.discrepancy_id)]
    assert all(rows[d.discrepancy_id]["status"] == "open" for d in open_facts)
    assert old_store.review(NAME_PAIR)["status"] == "confirmed", "the old review stays readable"
    # a second run changes nothing: the fact's own review is kept, not migrated again
    pipeline.run(ROOT / "sources", Settings(), store=old_store)
    assert len(old_store.audit_rows(name.discrepancy_id)) == 1


def test_a_fact_whose_id_changes_keeps_its_review(tmp_path):
    """A fact's id comes from its question; when an added article makes another spelling of a name
    the most used, the name's question (and id) changes. The review follows the fact: the new fact
    gathers the pairs the old one did, and takes its verdict, answer and note."""
    import dataclasses

    from tests.test_store import hand_made_run

    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    run = hand_made_run()
    store.save_run(**run)
    old = next(d for d in run["found"] if d.kind == "name_variant")
    store.set_review(old.discrepancy_id, status="confirmed", note="Ilham per the presidency", reviewer="ana",
                     answer="Ilham Demir")
    pairs = list(old.detail.get("pairs") or [old.discrepancy_id])
    renamed = dataclasses.replace(old, discrepancy_id="f" * 12, detail={**old.detail, "pairs": pairs + ["p" * 12]})
    store.save_run(**{**run, "found": [renamed if d is old else d for d in run["found"]]})
    review = store.review("f" * 12)
    assert (review["status"], review["note"], review["answer"]) == ("confirmed", "Ilham per the presidency", "Ilham Demir")
    assert [(a["field"], a["old"]) for a in store.audit_rows("f" * 12)] == [("migrated", old.discrepancy_id)]
    assert store.review(old.discrepancy_id)["status"] == "confirmed", "the old review stays readable"
