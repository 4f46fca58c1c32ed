"""Scoring runs on real or written multi-outlet cases (``factcheck eval cases``).

A case is one folder of articles about one event, run into its own output folder (named after the
case). Its gold rows say what a fact-checker expects, independent of the tool's output:

    id,case,expect,kind,pattern_a,pattern_b,note

``expect`` is ``flag`` (a discrepancy the tool must report) or ``no_flag`` (consistent: reporting it
is a false alarm); a pattern is a case-insensitive regex that one claim of a reported row must
match, the other claim matching the other pattern (an empty ``pattern_b`` matches any row whose
claim matches ``pattern_a``: an omission). Recall alone rewards a tool that reports everything, so
precision is counted by a person: a labels file

    case,rank,discrepancy_id,label,reason[,fact]

labels the first 20 rows of each case ``tp`` (a real discrepancy, the first row showing its fact),
``dup`` (real, but a fact already shown higher) or ``fp``. Labels are keyed by the stable
discrepancy id, so they survive a re-run that only reorders; a row without a label is counted as
no hit and reported, so the figure is never better than what a person has checked. With the
optional ``fact`` column (a short name of the disputed fact), a real row is a hit only when no
higher row of the same case shows the same fact, whatever its label said when it was given.

A row is one disputed fact: its sides are matched, so a pattern pair hits a row when one side's
claims match one pattern and another side's the other. A row that says a figure changed between
reports (``change_over_time``) presents a timeline, not a contradiction: it can find a must-flag
pair (a change to be said as such) but violates no must-not-flag one.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .errors import FactcheckError

GOLD_COLUMNS = ("id", "case", "expect", "kind", "pattern_a", "pattern_b", "note")
LABEL_COLUMNS = ("case", "rank", "discrepancy_id", "label", "reason")
LABELS = ("tp", "dup", "fp")
TOP = 20  # rows a fact-checker reads first: precision is counted there


class CaseFileError(FactcheckError):
    """A gold, labels or run file of the case benchmark cannot be used as it is."""


@dataclass(frozen=True)
class GoldRow:
    id: str
    case: str
    expect: str
    kind: str
    pattern_a: re.Pattern
    pattern_b: re.Pattern | None
    note: str


@dataclass(frozen=True)
class Row:
    """One reported discrepancy, as the run's ``discrepancies.csv`` has it."""
    discrepancy_id: str
    rank: int
    kind: str
    claims: tuple[str, ...]  # the claim texts of each side of the row (one side for an omission)
    timeline: bool = False  # the row says a figure changed between reports, it contradicts nobody


@dataclass
class CaseScore:
    case: str
    rows: int = 0
    flags: list[tuple[GoldRow, list[Row]]] = field(default_factory=list)  # gold row, matching rows
    guards: list[tuple[GoldRow, list[Row]]] = field(default_factory=list)
    top: list[tuple[Row, str | None]] = field(default_factory=list)  # first rows and their hit label

    @property
    def found(self) -> int:
        return sum(1 for _, hits in self.flags if hits)

    @property
    def violated(self) -> int:
        return sum(1 for _, hits in self.guards if hits)

    @property
    def hits(self) -> int:
        return sum(1 for _, label in self.top if label == "tp")

    @property
    def unlabelled(self) -> int:
        return sum(1 for _, label in self.top if label is None)


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as err:
        raise CaseFileError(f"{where}: the pattern {pattern!r} is not a valid regular expression ({err}); "
                            "fix it in the gold file") from err


def _read_csv(path: str | Path, columns: Sequence[str], what: str) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in columns if c not in (reader.fieldnames or ())]
            if missing:
                raise CaseFileError(f"{path}: the {what} lacks the column(s) {', '.join(missing)}; "
                                    f"its header must be {','.join(columns)}")
            return list(reader)
    except OSError as err:
        raise CaseFileError(f"{path}: cannot read the {what} ({err.strerror or err})") from err
    except (csv.Error, UnicodeDecodeError) as err:
        raise CaseFileError(f"{path}: the {what} is not a UTF-8 CSV file ({err})") from err


def read_gold(path: str | Path) -> list[GoldRow]:
    rows = []
    for n, r in enumerate(_read_csv(path, GOLD_COLUMNS, "gold file"), start=2):
        where = f"{path}, line {n}"
        if r["expect"] not in ("flag", "no_flag"):
            raise CaseFileError(f"{where}: expect is {r['expect']!r}; write flag or no_flag")
        if not r["pattern_a"]:
            raise CaseFileError(f"{where}: pattern_a is empty; every gold row needs one")
        rows.append(GoldRow(r["id"], r["case"], r["expect"], r["kind"], _compile(r["pattern_a"], where),
                            _compile(r["pattern_b"], where) if r["pattern_b"] else None, r["note"]))
    return rows


def read_labels(path: str | Path) -> dict[tuple[str, str], tuple[str, str]]:
    """{(case, discrepancy id): (label, fact)} from a labels file."""
    labels = {}
    for n, r in enumerate(_read_csv(path, LABEL_COLUMNS, "labels file"), start=2):
        if r["label"] not in LABELS:
            raise CaseFileError(f"{path}, line {n}: label {r['label']!r}; write one of {', '.join(LABELS)}")
        labels[(r["case"], r["discrepancy_id"])] = (r["label"], (r.get("fact") or "").strip().lower())
    return labels


def read_run(out_dir: str | Path) -> list[Row]:
    """The reported rows of one run, best first, from its ``discrepancies.csv``.

    A row's texts are its sides (the ``sides`` column: each side's claim texts, one text a side),
    or in a run written before facts, every ``claim_*`` column that holds text."""
    path = Path(out_dir) / "discrepancies.csv"
    if not path.exists():
        raise CaseFileError(f"{out_dir}: no discrepancies.csv; run `factcheck run CASE_FOLDER --out {out_dir}` first")
    rows = []
    for r in _read_csv(path, ("discrepancy_id", "rank", "kind"), "run's discrepancies.csv"):
        texts = sides_of(r) or tuple(v for k, v in r.items() if k and k.startswith("claim_") and not k.endswith("_id")
                                     and not k.startswith("claim_ids") and v)
        rows.append(Row(r["discrepancy_id"], int(r["rank"] or 0), r["kind"], texts,
                        timeline=(r.get("change_over_time") or "").lower() in ("true", "yes", "1")))
    return sorted(rows, key=lambda x: x.rank)


def sides_of(r: dict) -> tuple[str, ...]:
    """The claim texts of each side of a row's ``sides`` column, one text a side; () without one."""
    try:
        sides = json.loads(r.get("sides") or "[]")
    except ValueError as err:
        raise CaseFileError(f"the sides of row {r.get('discrepancy_id')} are not JSON ({err}); write the run again") from err
    return tuple("\n".join(side.get("texts") or ()) for side in sides if side.get("texts"))


def matches(gold: GoldRow, row: Row) -> bool:
    """One side of the row matches one pattern and another side the other pattern."""
    a = [i for i, t in enumerate(row.claims) if gold.pattern_a.search(t)]
    if gold.pattern_b is None:
        return bool(a)
    b = [i for i, t in enumerate(row.claims) if gold.pattern_b.search(t)]
    return any(i != j for i in a for j in b)


def score_case(case: str, rows: Sequence[Row], gold: Iterable[GoldRow],
               labels: dict[tuple[str, str], tuple[str, str]] | None) -> CaseScore:
    score = CaseScore(case, rows=len(rows))
    for g in gold:
        # a figure said to have changed between reports is a timeline, no contradiction: such a row
        # finds a must-flag pair but violates no must-not-flag one
        hits = [r for r in rows if matches(g, r) and (g.expect == "flag" or not r.timeline)]
        (score.flags if g.expect == "flag" else score.guards).append((g, hits))
    if labels is not None:
        seen: set[str] = set()
        for r in rows[:TOP]:
            label, fact = labels.get((case, r.discrepancy_id), (None, ""))
            if label in ("tp", "dup") and fact:
                label = "dup" if fact in seen else "tp"
                seen.add(fact)
            score.top.append((r, label))
    return score


@dataclass
class CasesReport:
    cases: list[CaseScore]
    labelled: bool

    def _line(self, label: str, scores: Sequence[CaseScore]) -> str:
        flags = sum(len(s.flags) for s in scores)
        found = sum(s.found for s in scores)
        guards = sum(len(s.guards) for s in scores)
        violated = sum(s.violated for s in scores)
        per_found = [len(h) for s in scores for _, h in s.flags if h]
        line = (f"{label:<28} flag_recall={found / flags if flags else 0:.2f} ({found}/{flags}) "
                f"no_flag_violations={violated / guards if guards else 0:.2f} ({violated}/{guards}) "
                f"rows_per_found={sum(per_found) / len(per_found) if per_found else 0:.1f} "
                f"rows={sum(s.rows for s in scores)}")
        if self.labelled:
            top = sum(len(s.top) for s in scores)
            hits = sum(s.hits for s in scores)
            line += f" P@{TOP}={hits / top if top else 0:.2f} ({hits}/{top})"
            unlabelled = sum(s.unlabelled for s in scores)
            if unlabelled:
                line += f" unlabelled={unlabelled}"
        return line

    def lines(self, *, verbose: bool = False) -> list[str]:
        out = []
        for s in self.cases:
            out.append(self._line(s.case, [s]))
            if verbose:
                out += [f"  {g.id:<14} {'found ' if h else 'MISSED'} {g.kind:<20} {g.note[:80]}"
                        for g, h in s.flags]
                out += [f"  {g.id:<14} {'VIOLATED' if h else 'ok      '} {g.kind:<18} {g.note[:80]}"
                        for g, h in s.guards]
                out += [f"  unlabelled rank {r.rank}: {r.discrepancy_id} [{r.kind}] {' | '.join(r.claims)[:120]}"
                        for r, label in s.top if label is None]
        kinds = sorted({g.kind for s in self.cases for g, _ in s.flags + s.guards})
        for kind in kinds:
            flags = [(g, h) for s in self.cases for g, h in s.flags if g.kind == kind]
            guards = [(g, h) for s in self.cases for g, h in s.guards if g.kind == kind]
            out.append(f"  kind {kind:<21} flags found {sum(1 for _, h in flags if h)}/{len(flags)}, "
                       f"no_flags violated {sum(1 for _, h in guards if h)}/{len(guards)}")
        out.append(self._line("all cases", self.cases))
        return out


def eval_cases(gold_path: str | Path, out_dirs: Sequence[str | Path],
               labels_path: str | Path | None = None) -> CasesReport:
    """Score each run folder (named after its case) against the gold rows of that case."""
    gold = read_gold(gold_path)
    labels = read_labels(labels_path) if labels_path else None
    cases = []
    for out in out_dirs:
        case = Path(out).resolve().name
        rows = [g for g in gold if g.case == case]
        if not rows:
            raise CaseFileError(f"{out}: no gold row has case {case!r}; name each run folder after its case")
        cases.append(score_case(case, read_run(out), rows, labels))
    return CasesReport(cases, labelled=labels is not None)
