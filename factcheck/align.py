"""Alignment: which claims from different outlets are about the same fact.

Pure array maths over embeddings (encoding lives in embed.py), so unit tests can feed hand-made
vectors. Candidates come from a top-k neighbour search (exact and chunked for small corpora, an
HNSW index for large ones), never from a loop over all pairs; each candidate is then scored with
entity, number, date and lexical agreement.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz, utils

from .config import Settings
from .models import Alignment, Claim, FactCluster, Source, stable_id

log = logging.getLogger(__name__)

# Above this many vectors the neighbour search switches from exact (chunked matrix products) to an
# HNSW index: exact search costs N^2 and 20k x 20k stays a few seconds on 2 cores.
EXACT_SEARCH_LIMIT = 20_000
# Rows per chunk of the exact search: 1024 x N floats keeps memory small.
CHUNK = 1024
# Weights of the evidence beside the cosine (chosen on the seeds and ECB+ dev topics).
W_ENTITY, W_LEXICAL, W_NUMBER = 0.12, 0.08, 0.05


def neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosines) of the k nearest rows of every row (itself excluded)."""
    n = len(vectors)
    k = max(0, min(k, n - 1))
    if k == 0:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
    if n > EXACT_SEARCH_LIMIT:
        return _hnsw_neighbours(vectors, k)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, CHUNK):
        block = vectors[start : start + CHUNK] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -np.inf
        part = np.argpartition(-block, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(block, part, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        idx[start : start + CHUNK] = np.take_along_axis(part, order, axis=1)
        sim[start : start + CHUNK] = np.take_along_axis(vals, order, axis=1)
    return idx, sim


def _hnsw_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=vectors.shape[1])
    index.init_index(max_elements=len(vectors), ef_construction=200, M=16, random_seed=7)
    index.add_items(vectors, np.arange(len(vectors)))
    index.set_ef(max(64, 2 * k))
    labels, dist = index.knn_query(vectors, k=k + 1)
    keep = labels != np.arange(len(vectors))[:, None]
    idx = np.array([row[m][:k] for row, m in zip(labels, keep)], dtype=np.int64)
    sim = np.array([1 - row[m][:k] for row, m in zip(dist, keep)], dtype=np.float32)
    return idx, sim


def group_stories(sources: Sequence[Source], doc_vectors: np.ndarray, settings: Settings) -> dict[str, str]:
    """source_id -> story_id: sources whose mean claim vectors are close share a story."""
    ids = [s.source_id for s in sources]
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(ids) > 1:
        idx, sim = neighbours(doc_vectors, settings.top_k)
        for i, (row, vals) in enumerate(zip(idx, sim)):
            for j, v in zip(row, vals):
                if v >= settings.story_threshold:
                    parent[find(i)] = find(int(j))
    roots: dict[int, list[str]] = defaultdict(list)
    for i, sid in enumerate(ids):
        roots[find(i)].append(sid)
    return {sid: stable_id(*sorted(members)) for members in roots.values() for sid in members}


def doc_vectors(claims: Sequence[Claim], vectors: np.ndarray, source_ids: Sequence[str]) -> np.ndarray:
    """One unit vector per source: the mean of its claims' vectors."""
    rows = defaultdict(list)
    for c, v in zip(claims, vectors):
        rows[c.source_id].append(v)
    dim = vectors.shape[1] if len(vectors) else 384
    out = np.zeros((len(source_ids), dim), dtype=np.float32)
    for i, sid in enumerate(source_ids):
        if rows.get(sid):
            m = np.mean(rows[sid], axis=0)
            out[i] = m / (np.linalg.norm(m) or 1.0)
    return out


def evidence(a: Claim, b: Claim, cosine: float) -> float:
    """Cosine plus agreement of entities, numbers and words: the alignment score of a pair."""
    ka, kb = {e.key for e in a.entities}, {e.key for e in b.entities}
    jacc = len(ka & kb) / len(ka | kb) if ka | kb else 0.0
    lexical = fuzz.token_set_ratio(a.content or a.text, b.content or b.text, processor=utils.default_process) / 100
    measures = {q.measure for q in a.quantities if q.measure} & {q.measure for q in b.quantities if q.measure}
    return float(cosine + W_ENTITY * jacc + W_LEXICAL * (lexical - 0.5) + W_NUMBER * bool(measures))


def candidate_pairs(claims: Sequence[Claim], vectors: np.ndarray, stories: dict[str, str],
                    settings: Settings, *, floor: float) -> list[Alignment]:
    """Scored pairs from the top-k neighbours, same story, different sources, score >= floor."""
    idx, sim = neighbours(vectors, settings.top_k)
    seen: set[tuple[int, int]] = set()
    out: list[Alignment] = []
    for i, (row, vals) in enumerate(zip(idx, sim)):
        a = claims[i]
        for j, cos in zip(row, vals):
            j = int(j)
            key = (min(i, j), max(i, j))
            b = claims[j]
            if key in seen or stories.get(a.source_id) != stories.get(b.source_id):
                continue
            seen.add(key)
            if a.source_id == b.source_id and (a.char_start != b.char_start or a.party == b.party):
                continue  # within one source, only the parties of one sentence are compared
            score = evidence(a, b, float(cos))
            if score >= floor:
                first, second = (a, b) if a.claim_id < b.claim_id else (b, a)
                out.append(Alignment(first.claim_id, second.claim_id, round(score, 4), round(float(cos), 4)))
    return sorted(out, key=lambda p: (-p.score, p.claim_a, p.claim_b))


def sentence_pairs(claims: Sequence[Claim]) -> list[Alignment]:
    """Claims split out of one sentence with different speakers' parties ("While A said …, B says …"):
    always compared with each other, whatever their similarity."""
    by_sentence: dict[tuple[str, int], list[Claim]] = defaultdict(list)
    for c in claims:
        if c.party:
            by_sentence[(c.source_id, c.char_start)].append(c)
    out = []
    for group in by_sentence.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.party != b.party:
                    first, second = (a, b) if a.claim_id < b.claim_id else (b, a)
                    out.append(Alignment(first.claim_id, second.claim_id, 1.0, 0.0))
    return out


def clusters_from(pairs: Sequence[Alignment], claims: Sequence[Claim], stories: dict[str, str],
                  outlet_of: dict[str, str]) -> list[FactCluster]:
    """Connected components of aligned pairs; a claim no other outlet covers is its own cluster."""
    parent = {c.claim_id: c.claim_id for c in claims}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        parent[find(p.claim_a)] = find(p.claim_b)
    members: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        members[find(c.claim_id)].append(c)
    out = []
    for group in members.values():
        ids = tuple(sorted(c.claim_id for c in group))
        outlets = tuple(sorted({outlet_of[c.source_id] for c in group}))
        out.append(FactCluster(stable_id(*ids), ids, stories.get(group[0].source_id, ""), outlets))
    return sorted(out, key=lambda f: f.cluster_id)


def align(claims: Sequence[Claim], vectors: np.ndarray, sources: Sequence[Source], settings: Settings
          ) -> tuple[dict[str, str], list[Alignment], list[Alignment], list[FactCluster]]:
    """Stories, aligned pairs (score >= align_threshold), same-event pairs (score >=
    event_threshold, a superset) and fact clusters."""
    source_ids = [s.source_id for s in sources]
    stories = group_stories(sources, doc_vectors(claims, vectors, source_ids), settings)
    floor = min(settings.event_threshold, settings.align_threshold)
    events = candidate_pairs(claims, vectors, stories, settings, floor=floor)
    known = {(p.claim_a, p.claim_b) for p in events}
    events += [p for p in sentence_pairs(claims) if (p.claim_a, p.claim_b) not in known]
    pairs = [p for p in events if p.score >= settings.align_threshold]
    outlet_of = {s.source_id: s.outlet for s in sources}
    return stories, pairs, events, clusters_from(pairs, claims, stories, outlet_of)
