"""Story grouping on small sets of real articles: how often one event's reports stay one story, and
how often two similar events get mixed.

Run from the repo top: ``python bench/stories_bench.py [--file PATH] [--sizes 5 8 12] [--repeats 3]
[--seed 0] [--set story_name_threshold=0.15 ...]`` (about 2 minutes, most of it embedding the
12k ECB+ dev sentences once).

A user's folder is a few articles, not ECB+'s 772, and grouping on a few articles has less to go
on (the names a topic uses everywhere are learnt from the articles themselves). So, for each size
N, random sets of N articles drawn from ECB+ dev (seeded, so the figures repeat):

- *one event*: N articles of one sub-topic (one event). Printed: the mean number of stories, the
  share of sets grouped into exactly one story, and the share of article pairs put together.
  Ideal: 1 story, 100%, 100%.
- *two events*: N articles of one topic, from both of its sub-topics (between 2 and N-2 of each).
  Printed: the share of article pairs in one story that report different events (ideal 0), and
  the share of same-event pairs put together (ideal 100%).

Stories are what ``factcheck run`` groups (``stories.group_stories``); when they are wrong, a user
names them in the manifest or runs with ``--one-story`` (README, *Stories*).
"""
from __future__ import annotations

import argparse
import itertools
import logging
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck import ecb
from factcheck.config import Settings
from factcheck.pipeline import embed_claims
from factcheck.stories import group_stories

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ecbplus" / "dev_topics_1-35.jsonl"


def one_event_sets(articles, n: int, repeats: int, rnd: random.Random):
    by_event = defaultdict(list)
    for a in articles:
        by_event[a.story].append(a)
    for event, group in sorted(by_event.items()):
        if len(group) >= n:
            for _ in range(repeats):
                yield rnd.sample(group, n)


def two_event_sets(articles, n: int, repeats: int, rnd: random.Random):
    by_topic = defaultdict(lambda: defaultdict(list))
    for a in articles:
        by_topic[a.topic][a.story].append(a)
    for topic, events in sorted(by_topic.items()):
        if len(events) != 2:
            continue
        first, second = (events[k] for k in sorted(events))
        for _ in range(repeats):
            k = rnd.randint(2, n - 2)
            if k <= len(first) and n - k <= len(second):
                yield rnd.sample(first, k) + rnd.sample(second, n - k)


def grouped(chosen, rows_of, claims, vectors, settings: Settings) -> dict[str, str]:
    rows = [r for a in chosen for r in rows_of[a.source.source_id]]
    return group_stories([a.source for a in chosen], [claims[r] for r in rows], vectors[rows], settings)


def measure(articles, claims, vectors, settings: Settings, n: int, repeats: int, seed: int) -> dict[str, float]:
    rows_of = defaultdict(list)
    for i, c in enumerate(claims):
        rows_of[c.source_id].append(i)
    rnd = random.Random(seed)
    stories, whole, together, pairs = [], 0, 0, 0
    sets = list(one_event_sets(articles, n, repeats, rnd))
    for chosen in sets:
        got = grouped(chosen, rows_of, claims, vectors, settings)
        stories.append(len(set(got.values())))
        whole += stories[-1] == 1
        for a, b in itertools.combinations(chosen, 2):
            together += got[a.source.source_id] == got[b.source.source_id]
            pairs += 1
    mixed_sets = list(two_event_sets(articles, n, repeats, rnd))
    same_story = crossing = same_event = kept = 0
    for chosen in mixed_sets:
        got = grouped(chosen, rows_of, claims, vectors, settings)
        for a, b in itertools.combinations(chosen, 2):
            joined = got[a.source.source_id] == got[b.source.source_id]
            same_story += joined
            crossing += joined and a.story != b.story
            same_event += a.story == b.story
            kept += joined and a.story == b.story
    return {"sets": len(sets), "stories": sum(stories) / len(sets), "one_story": whole / len(sets),
            "together": together / pairs, "mixed_sets": len(mixed_sets),
            "crossing": crossing / max(1, same_story), "kept": kept / max(1, same_event)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(DEFAULT_FILE))
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 8, 12])
    parser.add_argument("--repeats", type=int, default=3, help="Random sets per event (or topic) and size.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="Settings to change (numbers), e.g. story_name_threshold=0.15.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = Settings().replace(**{k: float(v) for k, v in (s.split("=", 1) for s in args.set)})
    t = time.perf_counter()
    articles = ecb.load(args.file)
    claims = ecb.sentence_claims(articles)
    print(f"{len(articles)} articles, {len(claims)} sentences; embedding…", flush=True)
    vectors = embed_claims(claims, settings, None, lambda stage, done, total: None)
    print(f"loaded and embedded in {time.perf_counter() - t:.0f}s; settings changed: {args.set or 'none'}")
    print(f"{'N':>3} | {'one event: sets':>15} {'stories':>8} {'one story':>9} {'pairs together':>14} | "
          f"{'two events: sets':>16} {'crossing':>8} {'same-event kept':>15}")
    for n in args.sizes:
        t = time.perf_counter()
        m = measure(articles, claims, vectors, settings, n, args.repeats, args.seed)
        print(f"{n:>3} | {m['sets']:>15} {m['stories']:>8.2f} {m['one_story']:>9.0%} {m['together']:>14.0%} | "
              f"{m['mixed_sets']:>16} {m['crossing']:>8.0%} {m['kept']:>15.0%}   ({time.perf_counter() - t:.1f}s)",
              flush=True)


if __name__ == "__main__":
    main()
