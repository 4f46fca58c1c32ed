"""Alignment quality on ECB+ dev topics and the alignment stage's speed.

Run from the repo top: ``python bench/align_bench.py [--file PATH] [--topics 1-35] [--limit-docs N]
[--mode sentences|claims] [--scale N ...]``.

Quality: ``evaluate.eval_align`` (the same as ``factcheck eval align``): pairwise precision, recall
and F1 over validated sentences, the share of predicted pairs crossing sub-topics, odd vs even
topics, time per stage. Speed: ``align.align`` alone on synthetic corpora of N claims (random unit
vectors, 20 claims per article, 10 articles per story), to show how its cost grows with N.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck import align, ecb, evaluate  # noqa: E402
from factcheck.config import Settings  # noqa: E402
from factcheck.models import Claim, Source, stable_id  # noqa: E402
from factcheck.stories import group_stories  # noqa: E402

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ecbplus" / "dev_topics_1-35.jsonl"
CLAIMS_PER_ARTICLE, ARTICLES_PER_STORY = 20, 10


def synthetic(n: int, dim: int = 384, seed: int = 0) -> tuple[list[Claim], np.ndarray, list[Source]]:
    """n claims in stories of 10 articles: each story has its own words and a shared direction."""
    rng = np.random.default_rng(seed)
    n_articles = max(2, n // CLAIMS_PER_ARTICLE)
    sources = [Source(source_id=f"s{a}", name=f"s{a}.txt", outlet=f"outlet{a % 50}") for a in range(n_articles)]
    centres = rng.normal(size=(n_articles // ARTICLES_PER_STORY + 1, dim))
    claims, rows = [], []
    for i in range(n_articles * CLAIMS_PER_ARTICLE):
        a = i // CLAIMS_PER_ARTICLE
        story = a // ARTICLES_PER_STORY
        text = f"story{story} place{story} fact{i % CLAIMS_PER_ARTICLE} words{rng.integers(50)}"
        claims.append(Claim(stable_id(str(i)), f"s{a}", i % CLAIMS_PER_ARTICLE, text, 0, len(text)))
        rows.append(centres[story] + 0.8 * rng.normal(size=dim))
    vectors = np.asarray(rows, dtype=np.float32)
    return claims, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(DEFAULT_FILE))
    parser.add_argument("--topics", default="1-35")
    parser.add_argument("--limit-docs", type=int, default=None)
    parser.add_argument("--mode", choices=["sentences", "claims"], default="sentences")
    parser.add_argument("--scale", type=int, nargs="*", default=[2_000, 8_000, 32_000],
                        help="Synthetic corpus sizes (claims) for the speed figures; none to skip.")
    parser.add_argument("--skip-ecb", action="store_true", help="Only the speed figures.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    for n in args.scale:
        claims, vectors, sources = synthetic(n)
        t = time.perf_counter()
        stories = group_stories(sources, claims, vectors, settings)
        aligned = align.align(claims, vectors, sources, settings, stories)
        pairs, events = aligned.pairs, aligned.events
        print(f"align on {len(claims)} synthetic claims ({len(sources)} articles): {time.perf_counter() - t:.1f}s, "
              f"{len(set(stories.values()))} stories, {len(pairs)} pairs, {len(events)} event pairs")
    if args.skip_ecb:
        return
    report = evaluate.eval_align(args.file, settings, topics=ecb.parse_topics(args.topics),
                                 limit_docs=args.limit_docs, mode=args.mode,
                                 progress=lambda s, d, n: print(f"{s}: {d}/{n}", file=sys.stderr) if d >= n else None)
    for line in report.lines():
        print(line)


if __name__ == "__main__":
    main()
