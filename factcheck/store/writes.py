"""Writing a run, and articles added to it, each in one transaction: earlier results are marked
inactive, not lost; reviews given to pairwise discrepancies move onto their facts."""
from __future__ import annotations

import json
from collections import defaultdict
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Callable, Iterable, Sequence

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from ..models import Alignment, Claim, Discrepancy, Fact, FactCluster, Source
from ..stories import StoryIndex
from .codec import ALIGNMENT, claim_row, discrepancy_row, encode_story_index, fact_row, source_row, story_record
from .schema import (alignments, audit, claims, clusters, discrepancies, facts, reviews, runs, sources, story_added,
                     story_index, story_labels)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RunWrites:
    """``Store.save_run`` and ``Store.save_addition`` (a mixin of ``Store``)."""
    engine: Engine
    _writing: Callable[[str], AbstractContextManager[Connection]]

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
            conn.execute(insert(alignments), [ALIGNMENT.row(p) for p in pairs])

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
        """A disputed fact that has no review yet takes the review of what it was found as before:
        a pair it was gathered from (a store written when each pair of claims was its own
        discrepancy), or a fact of another id that shared its pairs (its question changed: another
        spelling of a name became the most used). The verdict, note, answer and reviewer carry over,
        and the audit trail says where from. The old review stays readable."""
        folded = {d.discrepancy_id: d.detail.get("pairs") or [] for d in found}
        if not any(folded.values()):
            return
        have = {r["discrepancy_id"]: dict(r) for r in conn.execute(select(reviews)).mappings()}
        given_any = {k for k, r in have.items() if r["status"] != "open" or r["note"]}
        earlier = _earlier_facts(conn, sorted(given_any - set(folded)))
        # each earlier fact's review goes to the one new fact sharing most of its pairs
        best: dict[str, tuple[int, str]] = {}
        for old_id, old_pairs in earlier.items():
            for fid, pairs in folded.items():
                shared = len(old_pairs & set(pairs))
                if shared and (shared, fid) > best.get(old_id, (0, "")):
                    best[old_id] = (shared, fid)
        heirs: dict[str, list[str]] = defaultdict(list)
        for old_id, (_, fid) in sorted(best.items()):
            heirs[fid].append(old_id)
        for fid, pairs in folded.items():
            if fid in have:
                continue
            given = [have[p] for p in pairs if p != fid and p in given_any] + [have[o] for o in heirs.get(fid, ())]
            if not given:
                continue
            old = given[0]
            conn.execute(insert(reviews).values(
                discrepancy_id=fid, status=old["status"], note=old["note"], reviewer=old["reviewer"],
                updated_at=old["updated_at"], version=1, answer=old.get("answer") or "",
                evidence=old.get("evidence") or ""))
            conn.execute(insert(audit).values(discrepancy_id=fid, reviewer=old["reviewer"], at=now(),
                                              field="migrated", old=old["discrepancy_id"], new=old["status"]))
            have[fid] = old

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


def _earlier_facts(conn, ids: Sequence[str]) -> dict[str, set[str]]:
    """The pairs each of these stored discrepancies (reviewed, no longer found) was gathered from."""
    out: dict[str, set[str]] = {}
    for start in range(0, len(ids), 500):
        for r in conn.execute(select(discrepancies.c.discrepancy_id, discrepancies.c.detail)
                              .where(discrepancies.c.discrepancy_id.in_(ids[start:start + 500]))):
            pairs = set(json.loads(r.detail or "{}").get("pairs") or [])
            if pairs:
                out[r.discrepancy_id] = pairs
    return out
