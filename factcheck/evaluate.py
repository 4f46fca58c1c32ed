"""Scoring against gold data: the seed gold file (flags, non-flags, lines without claims)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .models import Claim
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
        a, b = claims.get(d.claim_a), claims.get(d.claim_b)
        if not (a and b):
            continue
        for x, y in ((a, b), (b, a)):
            if _has(x, row["anchor_a"], row["file_a"], names) and _has(y, row["anchor_b"], row["file_b"], names):
                hits.append(d)
    if exp == "flag":
        kinds = [d.kind for d in hits]
        ok = row["kind"] in kinds
        rank = next((i for i, d in enumerate(result.discrepancies, 1) if d in hits and d.kind == row["kind"]), None)
        return row["id"], exp, ok, f"{row['kind']}: {'found at rank ' + str(rank) if ok else 'not found'}"
    return row["id"], exp, not hits, f"{len(hits)} discrepancy(ies) between the anchors"
