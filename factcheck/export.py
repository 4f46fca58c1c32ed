"""Export: claims.csv, discrepancies.csv (one row per disputed fact), facts.csv and alignments.csv.

Editors' files open cleanly in Excel and LibreOffice: UTF-8 with a byte-order mark, every field
quoted where needed, and cells starting with = + - @ (or a tab / carriage return) neutralised with
a leading apostrophe so a spreadsheet never runs them as formulas.

claims.csv is a data file, kept byte-for-byte reproducible (plain UTF-8, ``text`` exactly as in the
source), yet someone will open it in a spreadsheet, so it is neutralised too, by a rule a program
can undo exactly (``restore``): a cell whose first character after any leading apostrophes is
= + - @, a tab or a carriage return gets one more apostrophe in front, unless it is a plain number
such as ``-3`` (a number is data, never a formula). Reading it back, drop one leading apostrophe
from a cell that starts with apostrophes followed by one of those characters; every other cell is
as written. A claim starting with an apostrophe ("'Tis …") is left alone; no claim of the seeds
starts with any of these characters, so the committed claims.csv did not change.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Sequence

from .facts import facts_of_claims
from .models import Alignment, Claim, Fact, FactCluster, Source

CLAIM_COLUMNS = ["claim_id", "source", "outlet", "sentence_index", "text", "char_start", "char_end",
                 "speaker", "party", "cue", "stance", "frame", "check_worthiness", "entities",
                 "quantities", "dates", "facts"]
DISCREPANCY_COLUMNS = ["discrepancy_id", "rank", "kind", "question", "severity", "confidence", "explanation",
                       "value_a", "outlets_a", "attributed_a", "claim_ids_a",
                       "value_b", "outlets_b", "attributed_b", "claim_ids_b", "more_sides", "other_answers",
                       "change_over_time",
                       "source_a", "outlet_a", "claim_a", "title_a", "published_a", "url_a",
                       "source_b", "outlet_b", "claim_b", "title_b", "published_b", "url_b",
                       "status", "answer", "reviewer", "note", "evidence", "reviewed_at", "stale", "claim_a_id",
                       "claim_b_id", "sides"]
ALIGNMENT_COLUMNS = ["cluster_id", "story_id", "score", "cosine", "claim_a", "source_a", "outlet_a",
                     "text_a", "claim_b", "source_b", "outlet_b", "text_b", "facts"]
FACT_COLUMNS = ["fact_id", "story_id", "kind", "question", "disputed"]  # then one column per outlet, and "answers"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet shows as text: formula-like starts get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")  # what neutralise_data escapes, after any apostrophes
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise_data(value) -> str:
    """A claims.csv cell: as written, but never run as a formula (see the module's docstring);
    ``restore`` gives the value back."""
    text = "" if value is None else str(value)
    if FORMULA_LIKE.match(text) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore(cell: str) -> str:
    """A claims.csv cell as the value it was written from: the inverse of ``neutralise_data``."""
    return cell[1:] if cell.startswith("'") and FORMULA_LIKE.match(cell) else cell


def claim_records(claims: Sequence[Claim], sources: Sequence[Source], facts: Sequence[Fact] = ()) -> list[dict]:
    by_id = {s.source_id: s for s in sources}
    answers = facts_of_claims(facts)
    rows = []
    for c in claims:
        s = by_id[c.source_id]
        rows.append({
            "claim_id": c.claim_id, "source": s.name, "outlet": s.outlet,
            "sentence_index": c.sentence_index, "text": c.text, "char_start": c.char_start,
            "char_end": c.char_end, "speaker": c.speaker, "party": c.party, "cue": c.cue,
            "stance": c.stance, "frame": c.frame, "check_worthiness": f"{c.check_worthiness:.3f}",
            "entities": json.dumps([asdict(e) for e in c.entities], ensure_ascii=False),
            "quantities": json.dumps([asdict(q) for q in c.quantities], ensure_ascii=False),
            "dates": json.dumps([asdict(d) for d in c.dates], default=str, ensure_ascii=False),
            "facts": " ".join(sorted(answers.get(c.claim_id, ()))),
        })
    # the clauses split out of one sentence in the order they have in it, whatever order the claims
    # come in (a run's or the store's)
    place = {c.claim_id: clause_place(c, by_id[c.source_id].raw) for c in claims}
    return sorted(rows, key=lambda r: (r["source"], r["char_start"], r["sentence_index"], place[r["claim_id"]],
                                       r["claim_id"]))


def clause_place(c: Claim, raw: str) -> int:
    """Where a claim's words end in its sentence: a clause split out of a sentence ("A said x, and
    B said y") ends where its own words end. The sentence's end when its closing words are not
    found (a rebuilt clause)."""
    words = c.text.rstrip(" .!?\"'”’").split()
    tail = " ".join(words[-3:])
    at = raw.find(tail, c.char_start, c.char_end) if tail else -1
    return at + len(tail) if at >= 0 else c.char_end


def write_csv(rows: Iterable[dict], columns: Sequence[str], path: str | Path, *, for_editors: bool) -> Path:
    """Write rows (extra keys ignored); editors' files get a BOM and neutralised cells, data
    files (claims.csv) cells neutralised reversibly (``neutralise_data``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n"
                            if for_editors else "\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (neutralise if for_editors else neutralise_data)(row.get(k)) for k in columns})
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8-sig" if for_editors else "utf-8", newline="")
    tmp.replace(path)  # atomic: a crash never leaves half a file
    return path


def write_claims(claims: Sequence[Claim], sources: Sequence[Source], path: str | Path,
                 facts: Sequence[Fact] = ()) -> Path:
    return write_csv(claim_records(claims, sources, facts), CLAIM_COLUMNS, path, for_editors=False)


def sides_json(row: dict) -> str:
    """A row's sides as compact JSON: value, outlets, attributions, claim ids and texts of each."""
    keep = ("value", "outlets", "attributions", "published", "claims", "texts")
    return json.dumps([{k: side.get(k) for k in keep} for side in row.get("sides") or []], ensure_ascii=False)


def write_discrepancies(rows: Sequence[dict], path: str | Path) -> Path:
    return write_csv(({**r, "sides": sides_json(r)} for r in rows), DISCREPANCY_COLUMNS, path, for_editors=True)


def fact_records(facts: Sequence[Fact]) -> tuple[list[dict], list[str]]:
    """The fact table: one row per fact, one column per outlet (its answer, several joined by " / "),
    and the answers with their claim ids for a program to follow."""
    outlets = sorted({a.outlet for f in facts for a in f.answers})
    rows = []
    for f in facts:
        row = {"fact_id": f.fact_id, "story_id": f.story_id, "kind": f.kind, "question": f.question,
               "disputed": "yes" if f.disputed else "no"}
        for outlet in outlets:
            row[outlet] = " / ".join(dict.fromkeys(a.value for a in f.answers if a.outlet == outlet))
        row["answers"] = json.dumps([{"outlet": a.outlet, "value": a.value, "claim_id": a.claim_id, "side": a.side,
                                      "speaker": a.speaker, "party": a.party, "hedge": a.hedge,
                                      "published": a.published} for a in f.answers], ensure_ascii=False)
        rows.append(row)
    return rows, FACT_COLUMNS + outlets + ["answers"]


def write_facts(facts: Sequence[Fact], path: str | Path) -> Path:
    rows, columns = fact_records(facts)
    return write_csv(rows, columns, path, for_editors=True)


def alignment_records(pairs: Sequence[Alignment], clusters: Sequence[FactCluster], claims: Sequence[Claim],
                      sources: Sequence[Source], facts: Sequence[Fact] = ()) -> list[dict]:
    cmap = {c.claim_id: c for c in claims}
    answers = facts_of_claims(facts)
    smap = {s.source_id: s for s in sources}
    cluster_of = {cid: f for f in clusters for cid in f.claim_ids}
    rows = []
    for p in pairs:
        a, b = cmap[p.claim_a], cmap[p.claim_b]
        f = cluster_of.get(p.claim_a)
        rows.append({
            "cluster_id": f.cluster_id if f else "", "story_id": f.story_id if f else "",
            "score": f"{p.score:.3f}", "cosine": f"{p.cosine:.3f}",
            "claim_a": a.claim_id, "source_a": smap[a.source_id].name, "outlet_a": smap[a.source_id].outlet,
            "text_a": a.text, "claim_b": b.claim_id, "source_b": smap[b.source_id].name,
            "outlet_b": smap[b.source_id].outlet, "text_b": b.text,
            "facts": " ".join(sorted(set(answers.get(a.claim_id, ())) & set(answers.get(b.claim_id, ())))),
        })
    return rows


def write_alignments(rows: Sequence[dict], path: str | Path) -> Path:
    return write_csv(rows, ALIGNMENT_COLUMNS, path, for_editors=True)


def filter_rows(rows: Iterable[dict], *, statuses: Sequence[str] = (), kinds: Sequence[str] = ()) -> list[dict]:
    return [r for r in rows if (not statuses or r["status"] in statuses) and (not kinds or r["kind"] in kinds)]
