"""Alignment: which claims from different outlets are about the same fact, inside each story.

Pure array maths over embeddings (encoding lives in embed.py; stories are grouped before, in
stories.py), so unit tests can feed hand-made vectors. Inside each story, candidates come from a
top-k neighbour search (exact and chunked for small stories, an HNSW index for large ones), never
from a loop over all pairs; each candidate is scored with cosine plus entity, number and lexical
agreement. Pairs above ``align_threshold`` are the same fact (compare.py checks them), pairs above
``event_threshold`` the same event. Two groupings come out of them: event groups (connected
components of the same-event pairs: everything said about one event) and fact clusters (average
linkage over the aligned pairs: one fact and the outlets that report it, for coverage).

Measured on ECB+ dev topics 1-35 (``factcheck eval align``, sentences mode), whose gold is event
coreference: event groups score pairwise F1 0.83 (P 0.77, R 0.91) with 2.5% of predicted pairs
crossing the two events of a topic; words alone (no merge on names) gave 0.735, the aligned pairs
alone 0.49 (a claim's top-k neighbours hold only part of the outlets reporting its event). Given
the corpus's own stories the same pair step scores 0.844: every pair of a story's validated
sentences scores 0.845 (four in five are about the story's main event), and neither a cosine
threshold nor a logistic model over cosine, word, entity, number, date and position features
(fitted on odd topics, scored on even, and the reverse) beats 0.847.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np
from rapidfuzz import fuzz, utils

from .config import Settings
from .linkage import average_linkage
from .models import Alignment, Claim, FactCluster, Source, stable_id

log = logging.getLogger(__name__)

# Above this many vectors the neighbour search switches from exact (chunked matrix products) to an
# HNSW index: exact search costs N^2 and 20k x 20k stays a few seconds on 2 cores.
EXACT_SEARCH_LIMIT = 20_000
# Rows per chunk of the exact search: 1024 x N floats keeps memory small.
CHUNK = 1024
# Weights of the evidence beside the cosine (chosen on the seeds and ECB+ dev topics).
W_ENTITY, W_LEXICAL, W_NUMBER = 0.12, 0.08, 0.05


# --------------------------------------------------------------------------------------------
# neighbour search


def neighbours(vectors: np.ndarray, k: int, *, groups: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosines) of the k nearest rows of every row (itself excluded).

    With ``groups``, rows of one group are never each other's neighbours (claims of one article);
    a row with fewer than k eligible neighbours is padded with index -1 and cosine -inf.
    """
    n = len(vectors)
    k = max(0, min(k, n - 1))
    if k == 0:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
    if n > EXACT_SEARCH_LIMIT:
        return _hnsw_neighbours(vectors, k, groups)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, CHUNK):
        block = vectors[start : start + CHUNK] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -np.inf
        if groups is not None:
            block[groups[start : start + CHUNK, None] == groups[None, :]] = -np.inf
        part = np.argpartition(-block, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(block, part, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        idx[start : start + CHUNK] = np.take_along_axis(part, order, axis=1)
        sim[start : start + CHUNK] = np.take_along_axis(vals, order, axis=1)
    idx[~np.isfinite(sim)] = -1
    return idx, sim


def _hnsw_neighbours(vectors: np.ndarray, k: int, groups: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    import hnswlib

    n = len(vectors)
    index = hnswlib.Index(space="cosine", dim=vectors.shape[1])
    index.init_index(max_elements=n, ef_construction=200, M=16, random_seed=7)
    index.add_items(vectors, np.arange(n))
    ask = min(n, (k + 1) * (3 if groups is not None else 1))  # room for dropped same-group rows
    index.set_ef(max(64, 2 * ask))
    labels, dist = index.knn_query(vectors, k=ask)
    keep = labels != np.arange(n)[:, None]
    if groups is not None:
        keep &= groups[labels] != groups[:, None]
    idx = np.full((n, k), -1, dtype=np.int64)
    sim = np.full((n, k), -np.inf, dtype=np.float32)
    for i, (row, d, m) in enumerate(zip(labels, dist, keep)):
        got = row[m][:k]
        idx[i, : len(got)] = got
        sim[i, : len(got)] = 1 - d[m][:k]
    return idx, sim


# --------------------------------------------------------------------------------------------
# claims


def pair_features(c: Claim) -> tuple[frozenset, str, frozenset]:
    """What ``evidence`` compares, computed once per claim: entity keys, the normalised words of what
    it asserts, and the measures its numbers count."""
    return (frozenset(e.key for e in c.entities), utils.default_process(c.content or c.text),
            frozenset(q.measure for q in c.quantities if q.measure))


def evidence(a: Claim, b: Claim, cosine: float) -> float:
    """Cosine plus agreement of entities, numbers and words: the alignment score of a pair."""
    return feature_score(pair_features(a), pair_features(b), cosine)


def feature_score(fa: tuple[frozenset, str, frozenset], fb: tuple[frozenset, str, frozenset], cosine: float) -> float:
    (ka, ta, ma), (kb, tb, mb) = fa, fb
    union = len(ka | kb)
    jacc = len(ka & kb) / union if union else 0.0
    lexical = fuzz.token_set_ratio(ta, tb, processor=None) / 100
    return float(cosine + W_ENTITY * jacc + W_LEXICAL * (lexical - 0.5) + W_NUMBER * bool(ma & mb))


def story_candidates(claims: Sequence[Claim], vectors: np.ndarray, stories: dict[str, str],
                     k: int) -> Iterator[tuple[int, int, float]]:
    """(i, j, cosine) with i < j: each claim's top-k neighbours among the other articles of its story."""
    by_story: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(claims):
        by_story[stories.get(c.source_id, c.source_id)].append(i)
    seen: set[tuple[int, int]] = set()
    for rows in by_story.values():
        if len({claims[i].source_id for i in rows}) < 2:
            continue
        sub = np.asarray(rows)
        src = np.unique([claims[i].source_id for i in rows], return_inverse=True)[1]
        idx, sim = neighbours(vectors[sub], k, groups=src)
        for r, (row, vals) in enumerate(zip(idx, sim)):
            for j, cos in zip(row, vals):
                if j < 0:
                    continue
                key = (min(sub[r], sub[j]), max(sub[r], sub[j]))
                if key not in seen:
                    seen.add(key)
                    yield int(key[0]), int(key[1]), float(cos)


def candidate_pairs(claims: Sequence[Claim], vectors: np.ndarray, stories: dict[str, str],
                    settings: Settings, *, floor: float) -> list[Alignment]:
    """Scored pairs from the top-k neighbours, same story, different sources, score >= floor."""
    out: list[Alignment] = []
    features: dict[int, tuple] = {}
    for i, j, cos in story_candidates(claims, vectors, stories, settings.top_k):
        a, b = claims[i], claims[j]
        fa = features.get(i) or features.setdefault(i, pair_features(a))
        fb = features.get(j) or features.setdefault(j, pair_features(b))
        score = feature_score(fa, fb, cos)
        if score >= floor:
            first, second = (a, b) if a.claim_id < b.claim_id else (b, a)
            out.append(Alignment(first.claim_id, second.claim_id, round(score, 4), round(cos, 4)))
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


def components(pairs: Sequence[Alignment], claims: Sequence[Claim]) -> list[tuple[str, ...]]:
    """Connected components of claim pairs (claims in no pair are their own component)."""
    parent = {c.claim_id: c.claim_id for c in claims}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        parent[find(p.claim_a)] = find(p.claim_b)
    members: dict[str, list[str]] = defaultdict(list)
    for c in claims:
        members[find(c.claim_id)].append(c.claim_id)
    return sorted(tuple(sorted(m)) for m in members.values())


def event_groups(events: Sequence[Alignment], claims: Sequence[Claim]) -> list[tuple[str, ...]]:
    """Claims about one event: connected components of the same-event pairs. Chaining is what an
    event wants (a report of the quake, its toll and the rescue all belong to it), so these groups
    are what ``factcheck eval align`` scores against ECB+'s event coreference."""
    return components(events, claims)


def fact_clusters(pairs: Sequence[Alignment], claims: Sequence[Claim], stories: dict[str, str],
                  outlet_of: dict[str, str], threshold: float) -> list[FactCluster]:
    """Claims about one fact: average linkage over the aligned pairs (a pair with no alignment counts
    as 0), so a chain a~b~c does not put a and c together unless they agree on average. On the seeds
    connected components put 81 of 91 claims into one cluster; this keeps facts apart."""
    index = {c.claim_id: i for i, c in enumerate(claims)}
    edges = {}
    for p in pairs:
        i, j = sorted((index[p.claim_a], index[p.claim_b]))
        edges[(i, j)] = max(edges.get((i, j), 0.0), p.score)
    label = average_linkage(len(claims), edges, threshold)
    groups: dict[int, list[Claim]] = defaultdict(list)
    for c, lab in zip(claims, label):
        groups[lab].append(c)
    out = []
    for group in groups.values():
        ids = tuple(sorted(c.claim_id for c in group))
        outlets = tuple(sorted({outlet_of[c.source_id] for c in group}))
        out.append(FactCluster(stable_id(*ids), ids, stories.get(group[0].source_id, ""), outlets))
    return sorted(out, key=lambda f: f.cluster_id)


@dataclass(frozen=True)
class Aligned:
    """What alignment gives for the stories it was handed."""
    pairs: list[Alignment]  # the same fact: score >= align_threshold
    events: list[Alignment]  # the same event: score >= event_threshold (a superset)
    clusters: list[FactCluster]  # average linkage over the pairs, mean score >= cluster_threshold


def align(claims: Sequence[Claim], vectors: np.ndarray, sources: Sequence[Source], settings: Settings,
          stories: dict[str, str]) -> Aligned:
    """Aligned pairs, same-event pairs (their components are ``event_groups``) and fact clusters
    of the claims, inside the ``stories`` given (source_id -> story id, ``stories.group_stories``)."""
    floor = min(settings.event_threshold, settings.align_threshold)
    events = candidate_pairs(claims, vectors, stories, settings, floor=floor)
    known = {(p.claim_a, p.claim_b) for p in events}
    events += [p for p in sentence_pairs(claims) if (p.claim_a, p.claim_b) not in known]
    pairs = [p for p in events if p.score >= settings.align_threshold]
    outlet_of = {s.source_id: s.outlet for s in sources}
    return Aligned(pairs, events, fact_clusters(pairs, claims, stories, outlet_of, settings.cluster_threshold))
