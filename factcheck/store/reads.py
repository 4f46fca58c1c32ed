"""Reads: the latest run's records back (what ``add`` and the CSVs are made from), the story
index, and the rows the dashboard and the export show."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from ..models import Alignment, Claim, Fact, FactCluster, Source
from ..stories import StoryIndex
from .codec import ALIGNMENT, claim_from_row, decode_story_index, fact_from_row, source_from_row
from .rows import ReviewRow
from .schema import (alignments, audit, claims, clusters, discrepancies, facts, reviews, runs, sources, story_added,
                     story_index, story_labels)


class Reads:
    """The store's queries (a mixin of ``Store``)."""
    engine: Engine

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
            pairs = [ALIGNMENT.record(r) for r in conn.execute(
                select(alignments).order_by(alignments.c.score.desc(), alignments.c.claim_a,
                                            alignments.c.claim_b)).mappings()]
            members: dict[tuple[str, str], list[str]] = {}
            for r in conn.execute(select(clusters)):
                members.setdefault((r.cluster_id, r.story_id), []).append(r.claim_id)
        return pairs, [FactCluster(cid, tuple(sorted(ids)), story) for (cid, story), ids in sorted(members.items())]

    def fact_records(self, story_id: str | None = None) -> list[Fact]:
        q = select(facts).order_by(facts.c.story_id, facts.c.disputed.desc(), facts.c.question, facts.c.fact_id)
        if story_id is not None:
            q = q.where(facts.c.story_id == story_id)
        with self.engine.connect() as conn:
            return [fact_from_row(r) for r in conn.execute(q).mappings()]

    def last_run(self) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).order_by(runs.c.run_id.desc()).limit(1)).mappings().first()
            return dict(row) if row else None

    def active_discrepancy_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(discrepancies.c.discrepancy_id).where(
                discrepancies.c.active.is_(True))).scalars())

    # ---------------------------------------------------------------- the story index

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

    # ---------------------------------------------------------------- rows for the export and the dashboard

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

    def review_rows(self, *, include_stale: bool = False) -> list[ReviewRow]:
        """One record per discrepancy (active first, by rank), with its claims, sources and review."""
        with self.engine.connect() as conn:
            claim_map = {r["claim_id"]: dict(r) for r in conn.execute(select(claims)).mappings()}
            source_map = {r["source_id"]: dict(r) for r in conn.execute(select(sources)).mappings()}
            review_map = {r["discrepancy_id"]: dict(r) for r in conn.execute(select(reviews)).mappings()}
            q = select(discrepancies).order_by(discrepancies.c.active.desc(), discrepancies.c.rank)
            if not include_stale:
                q = q.where(discrepancies.c.active.is_(True))
            rows = [dict(r) for r in conn.execute(q).mappings()]
        return [ReviewRow.of(r, claim_map, source_map, review_map) for r in rows]

    def discrepancy_rows(self, *, include_stale: bool = False) -> list[dict]:
        """One dict per discrepancy, joined with both claims, their sources and the review
        (``review_rows`` as dicts: see ``ReviewRow.as_dict``)."""
        return [r.as_dict() for r in self.review_rows(include_stale=include_stale)]

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

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in (sources, claims, discrepancies, reviews, audit)}
