"""How far alignment could go on ECB+ dev given perfect stories: the evidence behind issue 5's
block.

Run from the repo top: ``python bench/align_ceiling.py [--file PATH]`` (about 3 minutes: embedding
the 12k sentences once, then one clustering sweep).

Inside each gold sub-topic (a perfect story grouping), it prints:

1. ``all pairs``: every cross-article pair of validated sentences linked. The tool's own pair step
   on gold stories (``factcheck eval align``'s ``gold stories`` line) scores about the same, so
   with perfect stories the question is which pairs to *leave out*.
2. ``main-event oracle``: only sentences that mention the story's most frequent event linked.
   This is what a perfect "is this sentence about the main event?" test would score.
3. How well the signals at hand tell those sentences apart (ROC AUC, 0.5 = chance): cosine to the
   story's mean embedding, and the sentence's position in its article.
4. ``average linkage``: clusters of sentences inside each gold story, on MiniLM cosine, over a range
   of thresholds. A signal that told sub-events apart would raise precision here without losing
   recall.
"""
from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck import ecb
from factcheck.config import Settings
from factcheck.evaluate import PairScore, score_pairs
from factcheck.linkage import average_linkage
from factcheck.pipeline import embed_claims

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ecbplus" / "dev_topics_1-35.jsonl"


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC by ranks (ties share their mean rank)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):
        tie = scores == value
        ranks[tie] = ranks[tie].mean()
    pos = labels.sum()
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * (len(labels) - pos)))


def line(label: str, s: PairScore) -> str:
    return f"{label:<34} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(DEFAULT_FILE))
    parser.add_argument("--thresholds", type=float, nargs="*", default=[0.1, 0.15, 0.2, 0.3, 0.4])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    t = time.perf_counter()
    articles = ecb.load(args.file)
    claims = ecb.sentence_claims(articles)
    vectors = embed_claims(claims, Settings(), None, lambda stage, done, total: None)
    where, scored, gold = ecb.sentence_of(claims, articles), ecb.scored_sentences(articles), ecb.gold_pairs(articles)
    print(f"{len(articles)} articles, {len(claims)} sentences, {len(gold)} gold pairs; "
          f"loaded and embedded in {time.perf_counter() - t:.0f}s")

    story_of = {a.source.source_id: a.story for a in articles}
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(claims):
        rows_of[story_of[c.source_id]].append(i)

    def links_within(groups) -> list[tuple[str, str]]:
        return [(claims[i].claim_id, claims[j].claim_id) for rows in groups
                for i, j in itertools.combinations(rows, 2) if claims[i].source_id != claims[j].source_id]

    print(line("all pairs in each gold story", score_pairs(links_within(rows_of.values()), where, scored, gold)))

    # the most frequent event of each story, among its validated sentences
    main_event = {}
    for story, rows in rows_of.items():
        counts = Counter(e for i in rows if (k := where.get(claims[i].claim_id)) in scored for e in scored[k][2])
        main_event[story] = counts.most_common(1)[0][0] if counts else None
    mentions = {i: main_event[story] in scored[where[claims[i].claim_id]][2]
                for story, rows in rows_of.items() for i in rows if where.get(claims[i].claim_id) in scored}
    oracle = [[i for i in rows if mentions.get(i)] for rows in rows_of.values()]
    share = np.mean(list(mentions.values()))
    print(line("main-event oracle", score_pairs(links_within(oracle), where, scored, gold))
          + f"   ({share:.0%} of validated sentences mention their story's main event)")

    centroid_cos, position, label = [], [], []
    for story, rows in rows_of.items():
        centre = vectors[rows].mean(axis=0)
        centre /= np.linalg.norm(centre)
        for i in rows:
            if i in mentions:
                centroid_cos.append(float(vectors[i] @ centre))
                position.append(-where[claims[i].claim_id][1])
                label.append(mentions[i])
    label_ = np.array(label)
    print(f"AUC for 'mentions the main event': cosine to the story's mean {auc(label_, np.array(centroid_cos)):.3f}, "
          f"earlier in the article {auc(label_, np.array(position, dtype=float)):.3f}")

    for threshold in args.thresholds:
        groups = []
        for rows in rows_of.values():
            sub = vectors[rows]
            cos = sub @ sub.T
            edges = {(a, b): float(cos[a, b]) for a, b in itertools.combinations(range(len(rows)), 2)
                     if claims[rows[a]].source_id != claims[rows[b]].source_id}
            labels = average_linkage(len(rows), edges, threshold)
            members: dict[int, list[int]] = defaultdict(list)
            for r, lab in zip(rows, labels):
                members[lab].append(r)
            groups += members.values()
        print(line(f"average linkage, cosine >= {threshold:g}", score_pairs(links_within(groups), where, scored, gold)),
              flush=True)


if __name__ == "__main__":
    main()
