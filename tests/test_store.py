"""The store keeps fact-checkers' work: reviews survive reruns, go stale instead of vanishing, outlive
a run killed half-way, cannot be silently overwritten by a second reviewer, and are audited.

``hand_made_run`` builds a small corpus of records by hand (no models), reused by the app, export
and browser tests and by bench/app_bench.py.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from factcheck.errors import ConflictError, StoreError
from factcheck.models import Answer, Claim, Discrepancy, Entity, Fact, FactCluster, Quantity, Source, stable_id
from factcheck.store import Store

LEDGER = ("Quarry collapse kills workers\n"
          "At least 40 people were killed when the quarry wall collapsed on Monday, police said. "
          "Rescue teams worked through the night.\n"
          "Mayor Ilhan Demir visited the site and promised an inquiry.\n")
POST = ("Quarry disaster <script>alert(1)</script> latest\n"
        "Officials said 38 people were killed when the quarry wall collapsed on Tuesday.\n"
        "Mayor Ilham Demir visited the site.\n"
        "=HYPERLINK(\"http://evil.example\",\"click\") was posted under the article by a reader.\n")
HERALD = ("<html><head><title>Coast Herald - Quarry</title></head><body><article>"
          "<h1>Quarry wall falls</h1><p>The wall did not collapse because of the rain, engineers said. "
          "Police are investigating.</p></article></body></html>")
ROOT = Path(__file__).resolve().parent.parent
NEW = "Forty-two workers were killed at the quarry on Monday, the ministry said.\n"


def _source(name: str, outlet: str, raw: str, kind: str = "txt", url: str = "", title: str = "") -> Source:
    return Source(source_id=stable_id(name), name=name, outlet=outlet, title=title or raw.split("\n")[0][:60],
                  url=url, published=date(2025, 7, 2), raw=raw, kind=kind)


def _claim(src: Source, sentence: str, index: int, **parts) -> Claim:
    start = src.raw.index(sentence)
    return Claim(claim_id=stable_id(src.source_id, sentence), source_id=src.source_id, sentence_index=index,
                 text=sentence, char_start=start, char_end=start + len(sentence), content=sentence, **parts)


def _conflict(kind: str, a: Claim, b: Claim | None, severity: float, explanation: str, **detail) -> Discrepancy:
    ids = sorted([a.claim_id] + ([b.claim_id] if b else []))
    return Discrepancy(discrepancy_id=stable_id(kind, *ids, length=12), kind=kind, severity=severity,
                       confidence=0.8, explanation=explanation, claim_a=a.claim_id,
                       claim_b=b.claim_id if b else "", detail=detail)


def hand_made_run(*, extra_source: bool = False, drop: tuple[str, ...] = (), n_filler: int = 0) -> dict:
    """Keyword arguments for ``Store.save_run``: three outlets, five conflicts (quantity, date,
    name variant, polarity and one whose claim starts with ``=HYPERLINK(``), and optionally a
    fourth outlet, some conflicts dropped (by kind) or ``n_filler`` extra generated conflicts."""
    ledger = _source("ledger.txt", "Daily Ledger", LEDGER, url="https://ledger.example/quarry")
    post = _source("post.txt", "Harbour Post", POST, url="javascript:alert(2)")
    herald = _source("herald.html", "Coast Herald", HERALD, kind="html", url="https://herald.example/q",
                     title="Quarry wall falls")
    demir = lambda text: Entity(text=text, label="PERSON", key="ilhan demir")  # noqa: E731
    l1 = _claim(ledger, "At least 40 people were killed when the quarry wall collapsed on Monday, police said.", 1,
                quantities=(Quantity("at least 40", 40, None, measure="dead"),))
    l2 = _claim(ledger, "Mayor Ilhan Demir visited the site and promised an inquiry.", 3, entities=(demir("Ilhan Demir"),))
    p1 = _claim(post, "Officials said 38 people were killed when the quarry wall collapsed on Tuesday.", 1,
                quantities=(Quantity("38", 38, 38, measure="dead"),))
    p2 = _claim(post, "Mayor Ilham Demir visited the site.", 2, entities=(demir("Ilham Demir"),))
    p3 = _claim(post, "=HYPERLINK(\"http://evil.example\",\"click\") was posted under the article by a reader.", 3)
    h1 = _claim(herald, "The wall did not collapse because of the rain, engineers said.", 1)
    sources, claims = [ledger, post, herald], [l1, l2, p1, p2, p3, h1]
    found = [
        _conflict("quantity", l1, p1, 0.9, "Daily Ledger: at least 40 dead; Harbour Post: 38 dead.",
                  side_a="at least 40", side_b="38"),
        _conflict("date", l1, p1, 0.75, "Daily Ledger says Monday; Harbour Post says Tuesday."),
        _conflict("name_variant", l2, p2, 0.6, "The mayor is Ilhan Demir in one outlet, Ilham Demir in another.",
                  spellings=["Ilhan Demir", "Ilham Demir"], relation="typo"),
        _conflict("polarity", h1, l1, 0.5, "Coast Herald says the wall did not collapse because of rain."),
        _conflict("identifier", p3, l2, 0.4, "A reader comment quoted as a claim: =HYPERLINK(…)."),
    ]
    clusters = [FactCluster("f-dead", (l1.claim_id, p1.claim_id, h1.claim_id), "s1"),
                FactCluster("f-mayor", (l2.claim_id, p2.claim_id), "s1")]
    if extra_source:
        extra = _source("ministry.txt", "Ministry Wire", NEW)
        m1 = _claim(extra, NEW.strip(), 0)
        sources.append(extra)
        claims.append(m1)
        found.append(_conflict("quantity", m1, p1, 0.85, "Ministry Wire: 42 dead; Harbour Post: 38 dead."))
        clusters[0] = FactCluster("f-dead", clusters[0].claim_ids + (m1.claim_id,), "s1")
    for n in range(n_filler):
        src = _source(f"filler_{n // 20:03d}.txt", f"Outlet {n // 20:03d}",
                      "".join(f"Filler sentence {n // 20}-{i} reports {i} injured.\n" for i in range(40)))
        if src.source_id not in {s.source_id for s in sources}:
            sources.append(src)
        a = _claim(src, f"Filler sentence {n // 20}-{n % 20} reports {n % 20} injured.", n % 20)
        b = _claim(src, f"Filler sentence {n // 20}-{n % 20 + 20} reports {n % 20 + 20} injured.", n % 20 + 20)
        claims += [a, b]
        found.append(_conflict("quantity", a, b, round(0.2 + (n % 7) / 10, 2), f"Filler conflict {n}: "
                               f"{n % 20} vs {n % 20 + 20} injured."))
    found = [d for d in found if d.kind not in drop]
    dead = Fact("fact-dead", "s1", "count", "How many dead?", (
        Answer(l1.claim_id, ledger.source_id, ledger.outlet, "at least 40", hedge="at least", side=1),
        Answer(p1.claim_id, post.source_id, post.outlet, "38", speaker="Officials", side=2)), disputed=True)
    return {"sources_dir": "sources", "source_records": sources, "claim_records": claims,
            "cluster_records": clusters, "pairs": [], "found": found, "fact_records": [dead]}


def make_store(tmp_path, **kwargs) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    store.save_run(**hand_made_run(**kwargs))
    return store


def _by_kind(store: Store, *, include_stale: bool = False) -> dict[str, dict]:
    return {r["kind"]: r for r in store.discrepancy_rows(include_stale=include_stale)}


def test_a_review_survives_a_rerun_with_an_added_source(tmp_path):
    store = make_store(tmp_path)
    did = _by_kind(store)["date"]["discrepancy_id"]
    store.set_review(did, status="confirmed", note="called the police", reviewer="ana")
    store.save_run(**hand_made_run(extra_source=True))
    rows = {r["discrepancy_id"]: r for r in store.discrepancy_rows()}
    assert len(rows) == 6
    assert rows[did]["status"] == "confirmed" and rows[did]["note"] == "called the police"
    assert rows[did]["reviewer"] == "ana" and not rows[did]["stale"]


def test_a_review_whose_discrepancy_disappears_is_kept_and_shown_stale(tmp_path):
    store = make_store(tmp_path)
    did = _by_kind(store)["polarity"]["discrepancy_id"]
    store.set_review(did, status="dismissed", note="engineers misquoted", reviewer="ben")
    store.save_run(**hand_made_run(drop=("polarity",)))
    assert "polarity" not in _by_kind(store)
    stale = _by_kind(store, include_stale=True)["polarity"]
    assert stale["stale"] is True and stale["status"] == "dismissed" and stale["note"] == "engineers misquoted"
    store.save_run(**hand_made_run())  # it comes back: no longer stale, verdict intact
    back = _by_kind(store)["polarity"]
    assert back["stale"] is False and back["status"] == "dismissed"


def _snapshot(store: Store) -> tuple:
    return (store.counts(), store.discrepancy_rows(include_stale=True), store.claim_rows(), store.last_run())


def test_a_run_failing_inside_its_transaction_leaves_everything_intact(tmp_path, monkeypatch):
    store = make_store(tmp_path)
    did = _by_kind(store)["quantity"]["discrepancy_id"]
    store.set_review(did, status="confirmed", reviewer="ana")
    before = _snapshot(store)

    def boom(*_args, **_kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(Store, "_save_discrepancies", boom)
    with pytest.raises(RuntimeError):
        store.save_run(**hand_made_run(extra_source=True, drop=("date", "quantity")))
    assert _snapshot(store) == before
    assert store.review(did)["status"] == "confirmed"


def test_a_run_killed_half_way_leaves_everything_intact(tmp_path):
    store = make_store(tmp_path)
    did = _by_kind(store)["name_variant"]["discrepancy_id"]
    store.set_review(did, status="needs follow-up", note="ask the town hall", reviewer="ana")
    before = _snapshot(store)
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from factcheck.store import Store
        from tests.test_store import hand_made_run
        def hang(self, conn, found, run_id):
            print("inside", flush=True)
            time.sleep(60)
        Store._save_discrepancies = hang
        Store({store.url!r}).save_run(**hand_made_run(extra_source=True, drop=("name_variant",)))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "inside"  # sources and claims already rewritten
    finally:
        proc.kill()
        proc.wait(timeout=10)
    fresh = Store(store.url)
    assert _snapshot(fresh) == before
    assert fresh.review(did)["note"] == "ask the town hall"


def test_two_sessions_saving_one_item_the_second_gets_a_conflict(tmp_path):
    first = make_store(tmp_path)
    second = Store(first.url)
    did = _by_kind(first)["quantity"]["discrepancy_id"]
    seen_by_first, seen_by_second = first.review(did)["version"], second.review(did)["version"]
    first.set_review(did, status="confirmed", note="two sources agree on 38", reviewer="ana",
                     expected_version=seen_by_first)
    with pytest.raises(ConflictError, match="ana"):
        second.set_review(did, status="dismissed", note="", reviewer="ben", expected_version=seen_by_second)
    kept = second.review(did)
    assert (kept["status"], kept["note"], kept["reviewer"]) == ("confirmed", "two sources agree on 38", "ana")
    assert [a["reviewer"] for a in second.audit_rows(did)] == ["ana", "ana"]


def test_the_audit_trail_says_who_when_from_and_to(tmp_path):
    store = make_store(tmp_path)
    did = _by_kind(store)["date"]["discrepancy_id"]
    store.set_review(did, status="needs follow-up", reviewer="ana")
    store.set_review(did, status="confirmed", note="police log says Monday", reviewer="ben")
    trail = [(a["reviewer"], a["field"], a["old"], a["new"]) for a in store.audit_rows(did)]
    assert trail == [("ana", "status", "open", "needs follow-up"), ("ben", "status", "needs follow-up", "confirmed"),
                     ("ben", "note", "", "police log says Monday")]
    assert all(a["at"] and a["at"][:4].isdigit() for a in store.audit_rows(did))
    assert store.audit_rows(_by_kind(store)["quantity"]["discrepancy_id"]) == []


def test_an_unknown_status_is_refused_with_the_choices(tmp_path):
    store = make_store(tmp_path)
    with pytest.raises(StoreError, match="confirmed"):
        store.set_review(_by_kind(store)["date"]["discrepancy_id"], status="true", reviewer="ana")


def test_cluster_rows_and_source_for_claim_feed_the_dashboard(tmp_path):
    store = make_store(tmp_path)
    rows = store.cluster_rows()
    assert {(r["cluster_id"], r["outlet"]) for r in rows} >= {("f-dead", "Coast Herald"), ("f-mayor", "Harbour Post")}
    quantity = _by_kind(store)["quantity"]
    src = store.source_for_claim(quantity["claim_b_id"])
    start, end = quantity["span_b"]
    assert src["outlet"] == "Harbour Post" and src["raw"][start:end] == quantity["claim_b"]
    assert store.source_for_claim("no-such-claim") is None
