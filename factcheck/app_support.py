"""Helpers behind the review dashboard (app.py): filtering, diff highlighting, article context,
the coverage matrix and the name-variant table.

Plain functions over the store's row dicts, no Streamlit here, so each piece is tested directly.
Article text is untrusted: every function that returns HTML escapes the text first (and also the
characters Markdown or LaTeX would act on), so the app only ever passes already escaped text to
``st.markdown(..., unsafe_allow_html=True)``.
"""
from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from . import export
from .errors import RERUN, STORE_URL, in_terms
from .ingest import SOURCE_SUFFIXES
from .store import STATUSES

# How much of the article is shown around a claim when its paragraph is very long (characters
# each side). A news paragraph is rarely over 600 characters; a plain-text scrape without line
# breaks can be one 20 kB "paragraph", which must not flood the page.
CONTEXT_CHARS = 600
# Characters of a claim used to label a fact in the coverage matrix.
FACT_LABEL_CHARS = 110

# Markdown and Streamlit (LaTeX between $…$, :emoji: codes, [links](…)) act on these even inside
# otherwise plain text; as numeric entities they display as themselves and do nothing.
_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~$:="}
_TOKEN = re.compile(r"\S+")
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|article|section|blockquote|td|tr|table|figure|"
                        r"figcaption|header|footer|main|aside|body)|br)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>|<!--.*?-->", re.S)
_SCRIPTS = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)


# The actions of library errors (errors.ACTIONS) as the dashboard says them.
APP_TERMS = {RERUN: "press “▶ Re-run the analysis” in the Sources tab",
             STORE_URL: "check the store URL the dashboard was started with (FACTCHECK_DB or --db) and that "
                        "its folder is writable"}


def said(err: BaseException) -> str:
    """An error's one line, its action in the dashboard's terms."""
    return in_terms(err, APP_TERMS)


# ------------------------------------------------------------------------------------ escaping

def safe(text) -> str:
    """Untrusted text as inert HTML: tags, Markdown, LaTeX and emoji codes all shown literally."""
    return "".join(_ESCAPES.get(ch, ch) for ch in ("" if text is None else str(text)))


def safe_link(url: str, label: str | None = None) -> str:
    """An escaped link for http(s) URLs only; anything else (javascript:, data:) is shown as text."""
    url = (url or "").strip()
    if not re.match(r"https?://", url, re.I):
        return f'<span class="fc-muted">{safe(url)}</span>'  # javascript:, data: … never a link
    return (f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
            f"{safe(label or url)}</a>")


# ------------------------------------------------------------------------------------ filtering

@dataclass(frozen=True)
class Filters:
    """What the fact-checker chose in the sidebar; empty means "any"."""

    kinds: tuple[str, ...] = ()
    min_severity: float = 0.0
    outlets: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    text: str = ""
    include_stale: bool = True


def matches(row: dict, f: Filters) -> bool:
    if f.kinds and row["kind"] not in f.kinds:
        return False
    if (row.get("severity") or 0.0) < f.min_severity:
        return False
    if f.outlets and not (outlets_of(row) & set(f.outlets)):
        return False
    if f.statuses and row["status"] not in f.statuses:
        return False
    if not f.include_stale and row.get("stale"):
        return False
    needle = f.text.strip().casefold()
    return not needle or needle in searchable(row)


def outlets_of(row: dict) -> set[str]:
    """Every outlet on any side of a row."""
    return set(row.get("all_outlets") or ()) | {o for o in (row.get("outlet_a"), row.get("outlet_b")) if o}


def searchable(row: dict) -> str:
    """The text a search box looks in: both claims, the explanation, outlets, titles, names, note."""
    detail = row.get("detail") or {}
    parts = [row.get(k) or "" for k in ("claim_a", "claim_b", "explanation", "outlet_a", "outlet_b",
                                        "title_a", "title_b", "note", "reviewer", "kind", "question", "answer")]
    parts += [t for side in row.get("sides") or () for t in side.get("texts", ())]
    parts.append(json.dumps(detail, ensure_ascii=False, default=str))
    return "\n".join(parts).casefold()


def filter_rows(rows: Iterable[dict], f: Filters) -> list[dict]:
    return [r for r in rows if matches(r, f)]


def facets(rows: Sequence[dict]) -> dict[str, list[str]]:
    """The values each filter can take, from the rows themselves."""
    outlets = {o for r in rows for o in outlets_of(r)}
    return {"kinds": sorted({r["kind"] for r in rows}), "outlets": sorted(outlets), "statuses": list(STATUSES)}


def status_counts(rows: Sequence[dict]) -> dict[str, int]:
    counts = Counter(r["status"] for r in rows if not r.get("stale"))
    out = {s: counts.get(s, 0) for s in STATUSES}
    out["stale"] = sum(1 for r in rows if r.get("stale"))
    return out


def next_open(rows: Sequence[dict], current: str | None, *, just_saved: str | None = None) -> str | None:
    """The next open, current item after ``current`` in queue order (wrapping round), else None."""
    ids = [r["discrepancy_id"] for r in rows]
    start = ids.index(current) + 1 if current in ids else 0
    for r in list(rows[start:]) + list(rows[:start]):
        if r["status"] == "open" and not r.get("stale") and r["discrepancy_id"] != just_saved:
            return r["discrepancy_id"]
    return None


def side_outlets(row: dict, limit: int = 3) -> str:
    """Each side's outlets, sides apart: "AP, Reuters vs BBC"."""
    sides = row.get("sides") or []
    if not sides:
        return " vs ".join(o for o in (row.get("outlet_a"), row.get("outlet_b")) if o)
    def short(side):
        names = side.get("outlets") or []
        return ", ".join(names[:limit]) + (f" +{len(names) - limit}" if len(names) > limit else "")
    return " vs ".join(short(s) for s in sides)


def queue_records(rows: Sequence[dict]) -> list[dict]:
    """The ranked queue as a table: one short row per disputed fact."""
    return [{
        "#": n,
        "question": r.get("question") or r["kind"],
        "kind": r["kind"],
        "severity": round(r.get("severity") or 0.0, 2),
        "confidence": round(r.get("confidence") or 0.0, 2),
        "outlets": side_outlets(r),
        "status": ("stale · " if r.get("stale") else "") + r["status"],
        "answer": r.get("answer") or "",
        "what differs": r.get("explanation") or "",
    } for n, r in enumerate(rows, 1)]


def list_key(ids: Sequence[str]) -> str:
    """A short key that changes whenever the list of ids (or its order) does."""
    return hashlib.sha1("\x1f".join(ids).encode("utf-8")).hexdigest()[:12]


def option_label(row: dict, n: int) -> str:
    """One line for the picker: position, marker, kind, outlets and the start of the explanation."""
    marker = "⚠ stale" if row.get("stale") else {"open": "●", "confirmed": "✔", "dismissed": "✖",
                                                    "needs follow-up": "?"}.get(row["status"], "")
    outlets = side_outlets(row, limit=2)
    text = (row.get("question") or row.get("explanation") or "").replace("\n", " ")
    return f"{n}. {marker} [{row['kind']}] {text[:70]}{'…' if len(text) > 70 else ''} — {outlets}"


# ------------------------------------------------------------------------------------ diffs

def _norm(token: str) -> str:
    return re.sub(r"^\W+|\W+$", "", token).casefold()


def differing_tokens(a: str, b: str) -> tuple[set[int], set[int]]:
    """Indices of the whitespace-separated tokens of ``a`` and ``b`` that the other does not share:
    difflib on words (case and surrounding punctuation ignored), minus words merely moved."""
    wa = [_norm(m.group()) for m in _TOKEN.finditer(a or "")]
    wb = [_norm(m.group()) for m in _TOKEN.finditer(b or "")]
    sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    da: set[int] = set()
    db: set[int] = set()
    in_a, in_b = set(wa), set(wb)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":  # a word merely moved (present on both sides) is not a difference
            da.update(i for i in range(i1, i2) if wa[i] and wa[i] not in in_b)
            db.update(j for j in range(j1, j2) if wb[j] and wb[j] not in in_a)
    return da, db


def mark_tokens(text: str, marked: set[int] | None = None, *, words: set[str] | None = None) -> str:
    """Escaped ``text`` with the chosen tokens (by index, or by normalised word) in <mark>."""
    text = text or ""
    out, pos, open_mark = [], 0, False
    for i, m in enumerate(_TOKEN.finditer(text)):
        hit = (marked is not None and i in marked) or (words is not None and _norm(m.group()) in words)
        if open_mark and not hit:
            out.append("</mark>")
            open_mark = False
        out.append(safe(text[pos:m.start()]))  # a gap between two marked words stays inside the mark
        if hit and not open_mark:
            out.append("<mark>")
            open_mark = True
        out.append(safe(m.group()))
        pos = m.end()
    out.append("</mark>" if open_mark else "")
    out.append(safe(text[pos:]))
    return "".join(out)


def highlight_pair(a: str, b: str) -> tuple[str, str, set[str], set[str]]:
    """Both claims as escaped HTML with their differing words marked, plus those words per side."""
    da, db = differing_tokens(a, b)
    words_a = {_norm(t) for i, t in enumerate(_TOKEN.findall(a or "")) if i in da}
    words_b = {_norm(t) for i, t in enumerate(_TOKEN.findall(b or "")) if i in db}
    return mark_tokens(a, da), mark_tokens(b, db), words_a, words_b


# ------------------------------------------------------------------------------------ context

def _strip_html(fragment: str) -> str:
    text = _ANY_TAG.sub(" ", _SCRIPTS.sub(" ", fragment))
    return re.sub(r"\s+", " ", html.unescape(text))


def paragraph_around(raw: str, start: int | None, end: int | None, kind: str = "txt") -> tuple[str, str, str]:
    """(before, sentence, after): the paragraph of ``raw`` holding the span, as plain text.

    Plain text: a paragraph is a line (scrapes keep one paragraph per line). HTML: the nearest
    block tags either side; tags are removed and entities decoded.
    """
    raw = raw or ""
    if start is None or end is None or not (0 <= start <= end <= len(raw)):
        return "", "", ""
    if kind == "html":
        before_tags = list(_BLOCK_TAG.finditer(raw, 0, start))
        lo = before_tags[-1].end() if before_tags else 0
        nxt = _BLOCK_TAG.search(raw, end)
        hi = nxt.start() if nxt else len(raw)
        lo, hi = max(lo, start - CONTEXT_CHARS * 4), min(hi, end + CONTEXT_CHARS * 4)
        before, sentence, after = (_strip_html(raw[lo:start]).lstrip(), _strip_html(raw[start:end]).strip(),
                                   _strip_html(raw[end:hi]).rstrip())
    else:
        lo = raw.rfind("\n", 0, start) + 1
        hi = raw.find("\n", end)
        hi = len(raw) if hi < 0 else hi
        before, sentence, after = raw[lo:start], raw[start:end], raw[end:hi]
    if len(before) > CONTEXT_CHARS:
        before = "…" + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"
    return before, sentence, after


def context_html(raw: str, span: tuple, kind: str, words: set[str]) -> str:
    """The claim's paragraph, escaped, the claim's sentence underlined and the differing words marked."""
    start, end = span if span else (None, None)
    before, sentence, after = paragraph_around(raw, start, end, kind)
    if not sentence:
        return '<span class="fc-muted">(the article text is not in the store)</span>'
    return (f"{safe(before)}<span class=\"fc-claim\">{mark_tokens(sentence, words=words)}</span>"
            f"{safe(after)}")


# ------------------------------------------------------------------------------------ tabs

def coverage_matrix(rows: Sequence[dict]) -> tuple[list[str], list[dict]]:
    """Facts × outlets from the store's cluster rows (cluster_id, text, outlet).

    Returns the outlets (columns) and one dict per fact: ``fact`` (a representative claim),
    ``outlets`` (how many report it), then ``✓`` or ``—`` per outlet; widest coverage first.
    """
    facts: dict[str, dict] = {}
    outlets: set[str] = set()
    for r in rows:
        outlet = r.get("outlet") or r.get("source") or "?"
        outlets.add(outlet)
        f = facts.setdefault(r["cluster_id"], {"texts": [], "outlets": set()})
        f["texts"].append(r.get("text") or "")
        f["outlets"].add(outlet)
    columns = sorted(outlets)
    table = []
    for cid, f in facts.items():
        label = central(f["texts"]) or cid
        label = label if len(label) <= FACT_LABEL_CHARS else label[:FACT_LABEL_CHARS].rsplit(" ", 1)[0] + "…"
        row = {"fact": label, "outlets": len(f["outlets"])}
        row.update({o: "✓" if o in f["outlets"] else "—" for o in columns})
        table.append(row)
    table.sort(key=lambda r: (-r["outlets"], r["fact"]))
    return columns, table


def central(texts: Sequence[str]) -> str:
    """The text sharing the most words with the others (ties: the shorter): a fact's best label."""
    bags = [{_norm(t) for t in _TOKEN.findall(x)} - {""} for x in texts]
    best = max(range(len(texts)), default=None,
               key=lambda i: (sum(len(bags[i] & b) for j, b in enumerate(bags) if j != i), -len(texts[i])))
    return "" if best is None else texts[best]


def name_variants(claim_rows: Sequence[dict], discrepancy_rows: Sequence[dict] = ()) -> list[dict]:
    """Names written more than one way: one entity key with several spellings across outlets, and
    the name-variant discrepancies the checks flagged (with their review status)."""
    spellings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, str] = {}
    for c in claim_rows:
        for e in _entities(c.get("entities")):
            key = e.get("key") or ""
            if key and e.get("text"):
                spellings[key][e["text"]].add(c.get("outlet") or c.get("source") or "?")
                labels.setdefault(key, e.get("label", ""))
    out = []
    for key, forms in spellings.items():
        if len(forms) > 1:
            out.append({"entity": key, "type": labels.get(key, ""), "spellings": " · ".join(sorted(forms)),
                        "used by": "; ".join(f"{t}: {', '.join(sorted(o))}" for t, o in sorted(forms.items())),
                        "flagged": "", "status": ""})
    for d in discrepancy_rows:
        if d["kind"] != "name_variant":
            continue
        forms = (d.get("detail") or {}).get("spellings") or []
        out.append({"entity": " / ".join(map(str, forms)), "type": (d.get("detail") or {}).get("relation", ""),
                    "spellings": " · ".join(map(str, forms)),
                    "used by": " vs ".join(o for o in (d.get("outlet_a"), d.get("outlet_b")) if o),
                    "flagged": "stale" if d.get("stale") else "yes", "status": d["status"]})
    return out


def _entities(value) -> list[dict]:
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value or "[]")
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


def counts_by(rows: Sequence[dict]) -> tuple[dict[str, int], dict[str, int]]:
    """Conflicts by kind and by outlet (an outlet counts once per conflict it is part of)."""
    kinds = Counter(r["kind"] for r in rows)
    outlets: Counter = Counter()
    for r in rows:
        outlets.update({o for o in (r.get("outlet_a"), r.get("outlet_b")) if o})
    return dict(kinds.most_common()), dict(outlets.most_common())


# ------------------------------------------------------------------------------------ files

def editors_csv(rows: Sequence[dict]) -> bytes:
    """The editors' CSV (BOM, quoting, neutralised formulas) for these rows, as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = export.write_discrepancies(rows, Path(tmp) / "discrepancies.csv")
        return path.read_bytes()


UPLOAD_TYPES = sorted(s.lstrip(".") for s in SOURCE_SUFFIXES)


# ------------------------------------------------------------------------------------ facts

def fact_table(facts: Sequence) -> tuple[list[dict], list[str]]:
    """The fact table of the dashboard: one row per fact, one column per outlet holding its answer
    (a disputed fact marked ⚠), as ``export.fact_records`` writes facts.csv."""
    rows, columns = export.fact_records(facts)
    outlets = [c for c in columns if c not in export.FACT_COLUMNS and c != "answers"]
    shown = [{"": "⚠" if r["disputed"] == "yes" else "", "question": r["question"], "kind": r["kind"],
              **{o: r[o] for o in outlets}} for r in rows]
    return shown, outlets
