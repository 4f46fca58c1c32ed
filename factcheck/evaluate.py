"""Scoring against gold data: the seed gold file (flags, non-flags, lines without claims) and the
ECB+ pairwise alignment gold (``eval_align``)."""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .config import Settings
from .models import Alignment, Claim
from .pipeline import RunResult


@dataclass
class SeedReport:
    rows: list[tuple[str, str, bool, str]] = field(default_factory=list)  # id, expect, ok, detail

    def passed(self, expect: str) -> list[bool]:
        return [ok for _, e, ok, _ in self.rows if e == expect]

    @property
    def recall(self) -> float:
        flags = self.passed("flag")
        return sum(flags) / len(flags) if flags else 1.0

    @property
    def precision(self) -> float:
        """Share of no_flag and no_claims rows respected (the gold's guard against false alarms)."""
        guards = self.passed("no_flag") + self.passed("no_claims")
        return sum(guards) / len(guards) if guards else 1.0

    def lines(self) -> list[str]:
        out = [f"{rid:<4} {exp:<9} {'ok  ' if ok else 'FAIL'} {detail}" for rid, exp, ok, detail in self.rows]
        out.append(f"flag_recall={self.recall:.2f} guard_precision={self.precision:.2f}")
        return out


def read_line_gold(path: str | Path) -> dict[str, dict[int, str]]:
    """{file: {line_no: role}} from a line gold CSV like seed_body_lines.csv (ranges expanded)."""
    gold: dict[str, dict[int, str]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lines = gold.setdefault(row["file"], {})
            for no in range(int(row["first_line"]), int(row["last_line"]) + 1):
                lines[no] = row["role"]
    return gold


def _has(claim: Claim, anchor: str, file: str, names: dict[str, str]) -> bool:
    return names[claim.source_id] == file and anchor.lower() in claim.text.lower()


def _line_span(raw: str, anchor: str) -> tuple[int, int] | None:
    pos = raw.lower().find(anchor.lower())
    if pos < 0:
        return None
    return raw.rfind("\n", 0, pos) + 1, (raw.find("\n", pos) % (len(raw) + 1)) or len(raw)


def score_seeds(result: RunResult, gold: str | Path) -> SeedReport:
    names = {s.source_id: s.name for s in result.sources}
    raws = {s.name: s.raw for s in result.sources}
    claims = {c.claim_id: c for c in result.claims}
    report = SeedReport()
    with open(gold, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            report.rows.append(_score_row(row, result, claims, names, raws))
    return report


def _score_row(row, result, claims, names, raws) -> tuple[str, str, bool, str]:
    exp = row["expect"]
    if exp == "no_claims":
        span = _line_span(raws.get(row["file_a"], ""), row["anchor_a"])
        bad = [c for c in result.claims if span and names[c.source_id] == row["file_a"]
               and c.char_start < span[1] and c.char_end > span[0]]
        return row["id"], exp, not bad, f"{len(bad)} claim(s) from the line of {row['anchor_a']!r}"
    hits = []
    for d in result.discrepancies:
        sides = [[claims[cid] for cid in side["claims"] if cid in claims] for side in d.detail.get("sides") or ()]
        if not sides:  # a pair of claims
            sides = [[claims[cid]] for cid in (d.claim_a, d.claim_b) if cid in claims]
        found = any(_has(x, row["anchor_a"], row["file_a"], names) and _has(y, row["anchor_b"], row["file_b"], names)
                    for i, side_x in enumerate(sides) for j, side_y in enumerate(sides) if i != j
                    for x in side_x for y in side_y)
        if found:
            hits.append(d)
    if exp == "flag":
        kinds = [d.kind for d in hits]
        ok = row["kind"] in kinds
        rank = next((i for i, d in enumerate(result.discrepancies, 1) if d in hits and d.kind == row["kind"]), None)
        return row["id"], exp, ok, f"{row['kind']}: {'found at rank ' + str(rank) if ok else 'not found'}"
    return row["id"], exp, not hits, f"{len(hits)} discrepancy(ies) between the anchors"


# --------------------------------------------------------------------------------------------
# ECB+ alignment (pairwise, as the data README says)


@dataclass
class PairScore:
    predicted: int
    gold: int
    hits: int
    crossing: int  # predicted pairs joining the two sub-topics of a topic

    @property
    def precision(self) -> float:
        return self.hits / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def crossing_share(self) -> float:
        return self.crossing / self.predicted if self.predicted else 0.0


@dataclass
class AlignReport:
    mode: str
    articles: int
    claims: int
    stories: int
    covered: int  # validated sentences with at least one claim
    validated: int
    score: PairScore  # event groups and pairs: what the tool aligns
    pairs_only: PairScore  # the aligned pairs alone, without the event groups' transitive links
    odd: PairScore  # topics 1, 3, 5 ... (thresholds are tuned on all: a gap means overfitting)
    even: PairScore
    # the same claims aligned inside the corpus's own stories (sub-topics): what the pair step
    # reaches when story grouping is perfect, so the loss splits into stories' part and pairs' part
    gold_stories: PairScore | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        def figures(label: str, x: PairScore, crossing: bool = True) -> str:
            tail = f" crossing={x.crossing_share:.3f}" if crossing else ""
            return f"{label:<18}P={x.precision:.3f} R={x.recall:.3f} F1={x.f1:.3f}{tail}"

        s = self.score
        out = [(f"mode={self.mode} articles={self.articles} claims={self.claims} stories={self.stories} "
                f"validated sentences with a claim: {self.covered}/{self.validated}"),
               figures("pairs only:", self.pairs_only), figures("odd topics:", self.odd),
               figures("even topics:", self.even)]
        if self.gold_stories:
            out.append(figures("gold stories:", self.gold_stories, crossing=False)
                       + " (the pair step alone, given the corpus's own stories)")
        out += ["time: " + " ".join(f"{k}={v:.1f}s" for k, v in self.timings.items()),
                (f"event groups + pairs: predicted={s.predicted} gold={s.gold} correct={s.hits} "
                 f"crossing_subtopics={s.crossing_share:.3f}"),
                f"precision={s.precision:.3f} recall={s.recall:.3f} f1={s.f1:.3f}"]
        return out


def claim_links(pairs: Sequence[Alignment], groups: Iterable[Sequence[str]]) -> Iterable[tuple[str, str]]:
    """Every pair of claims the tool aligns: the aligned pairs and all pairs inside a group."""
    for p in pairs:
        yield p.claim_a, p.claim_b
    for g in groups:
        yield from combinations(g, 2)


def score_pairs(links: Iterable[tuple[str, str]], sentence_of: dict, scored: dict, gold: set,
                *, topics: Callable[[int], bool] = lambda t: True) -> PairScore:
    """Claim links mapped to their validated sentences (same topic, different articles), against gold."""
    predicted = set()
    for x, y in links:
        a, b = sentence_of.get(x), sentence_of.get(y)
        if a in scored and b in scored and a[0] != b[0] and scored[a][0] == scored[b][0] and topics(scored[a][0]):
            predicted.add((a, b) if a < b else (b, a))
    gold = {g for g in gold if topics(scored[g[0]][0])}
    crossing = sum(1 for a, b in predicted if scored[a][1] != scored[b][1])
    return PairScore(len(predicted), len(gold), len(predicted & gold), crossing)


def eval_align(path: str | Path, settings: Settings, *, topics: set[int] | None = None, limit_docs: int | None = None,
               mode: str = "sentences", progress: Callable[[str, int, int], None] | None = None) -> AlignReport:
    """Align ECB+ articles with the real model and score the sentence pairs (see ecb.py).

    ``mode="sentences"`` makes one claim per sentence (``ecb.sentence_claims``: alignment alone);
    ``mode="claims"`` runs the real claims stage, which skips headlines and short sentences, so
    about 13% of the gold pairs cannot be found (that is the claims stage's loss, not alignment's).
    """
    from . import align as align_stage
    from . import stories as stories_stage
    from . import claims as claims_stage
    from . import ecb
    from .pipeline import embed_claims, timed

    progress = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    with timed(timings, "load"):
        articles = ecb.load(path, topics=topics, limit_docs=limit_docs)
        sources = [a.source for a in articles]
    with timed(timings, "claims"):
        if mode == "claims":
            claims = claims_stage.extract_claims(sources, [a.body for a in articles], settings,
                                                 progress=lambda d, n: progress("claims", d, n))
        else:
            claims = ecb.sentence_claims(articles)
        progress("claims", 1, 1)
    with timed(timings, "embed"):
        vectors = embed_claims(claims, settings, None, progress)
    with timed(timings, "align"):
        stories = stories_stage.group_stories(sources, claims, vectors, settings)
        aligned = align_stage.align(claims, vectors, sources, settings, stories)
        pairs, events = aligned.pairs, aligned.events
        progress("align", 1, 1)
    t = time.perf_counter()
    where = ecb.sentence_of(claims, articles)
    scored = ecb.scored_sentences(articles)
    gold = ecb.gold_pairs(articles)
    # ECB+ gold is event coreference: the tool's event groups are the unit it aligns events in
    links = list(claim_links(pairs, align_stage.event_groups(events, claims)))
    # the corpus's own stories, named per article as a user names them (manifest column ``story``)
    named = [replace(a.source, story=a.story) for a in articles]
    given = align_stage.align(claims, vectors, named, settings, stories_stage.group_stories(named, claims, vectors, settings))
    gold_links = claim_links(given.pairs, align_stage.event_groups(given.events, claims))
    report = AlignReport(
        mode=mode, articles=len(articles), claims=len(claims), stories=len(set(stories.values())),
        covered=len(set(where.values()) & set(scored)), validated=len(scored),
        score=score_pairs(links, where, scored, gold),
        pairs_only=score_pairs(((p.claim_a, p.claim_b) for p in pairs), where, scored, gold),
        odd=score_pairs(links, where, scored, gold, topics=lambda n: n % 2 == 1),
        even=score_pairs(links, where, scored, gold, topics=lambda n: n % 2 == 0),
        gold_stories=score_pairs(gold_links, where, scored, gold), timings=timings)
    timings["score"] = time.perf_counter() - t
    return report
