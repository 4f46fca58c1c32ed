"""ECB+ development topics as factcheck records, and the corpus's pairwise alignment gold.

The data file (``/work/shared/data/ecbplus/dev_topics_1-35.jsonl``, described in its README) holds
one article per line with its sentences; each sentence lists the coreference instances it mentions.
Here an article becomes a ``Source`` (raw text: the sentences joined by newlines; outlet: the url's
host, or the doc id when the corpus gives no url) and a ``Body`` with one paragraph per sentence, so
the real claims stage can run on it and every claim maps back to its sentence by char span.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import urlparse

from .errors import FactcheckError
from .models import Body, Claim, Paragraph, Source, stable_id

# Event instances (the scored kind): actions and negated actions.
EVENT_PREFIXES = ("ACT", "NEG")
URL_DATE_RE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)/(?P<m>\d\d?|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/(?P<d>\d\d?)(?:/|$)",
    re.I)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int  # the corpus's sentence number inside its article
    text: str
    events: frozenset[str]  # ACT/NEG instance ids mentioned in the sentence
    validated: bool
    char_start: int  # span in the article's raw text
    char_end: int


@dataclass(frozen=True, slots=True)
class Article:
    topic: int
    subtopic: str  # ecb | ecbplus: the two similar events of a topic
    doc: str
    url: str
    sentences: tuple[Sentence, ...]
    source: Source
    body: Body

    @property
    def story(self) -> str:
        return f"{self.topic}/{self.subtopic}"


def parse_topics(spec: str | None) -> set[int] | None:
    """'1-35', '1,3,5-7' -> the set of topic numbers; None or '' -> all."""
    if not spec:
        return None
    out: set[int] = set()
    try:
        for part in spec.split(","):
            lo, _, hi = part.strip().partition("-")
            out.update(range(int(lo), int(hi or lo) + 1))
    except ValueError as exc:
        raise FactcheckError(f"--topics {spec!r}: expected numbers and ranges such as 1-35 or 1,3,5-7") from exc
    return out


def outlet_of(url: str, doc: str) -> str:
    host = urlparse(url).netloc.lower() if url else ""
    for prefix in ("www.", "articles.", "edition.", "news."):
        host = host.removeprefix(prefix)
    return host or f"ecb:{doc}"


def date_of(url: str) -> date | None:
    """The publication date written in many news urls (/2013/may/03/, /2013/05/02/)."""
    m = URL_DATE_RE.search(url or "")
    if not m:
        return None
    month = m["m"].lower()
    month_no = MONTHS.index(month[:3]) + 1 if month[:3] in MONTHS else int(month)
    try:
        return date(int(m["y"]), month_no, int(m["d"]))
    except ValueError:
        return None


def article(row: dict) -> Article:
    """One json line -> an Article with its Source and Body (one paragraph per sentence)."""
    texts = [" ".join(s["text"].split()) for s in row["sentences"]]
    raw = "\n".join(texts)
    sentences, paragraphs, pos = [], [], 0
    for s, text in zip(row["sentences"], texts):
        events = frozenset(x for x in s.get("instances", ()) if x.startswith(EVENT_PREFIXES))
        sentences.append(Sentence(s["i"], text, events, bool(s.get("validated")), pos, pos + len(text)))
        if text:
            paragraphs.append(Paragraph(text, pos, pos + len(text)))
        pos += len(text) + 1
    url = row.get("url") or ""
    source = Source(source_id=stable_id("ecbplus", row["doc"]), name=row["doc"], outlet=outlet_of(url, row["doc"]),
                    title=texts[0] if texts else "", url=url, published=date_of(url), raw=raw, kind="txt")
    body = Body(source.source_id, source.title, tuple(paragraphs))
    return Article(int(row["topic"]), row["subtopic"], row["doc"], url, tuple(sentences), source, body)


def load(path: str | Path, *, topics: Iterable[int] | None = None, limit_docs: int | None = None) -> list[Article]:
    """Articles of the chosen topics, in file order; ``limit_docs`` keeps the first N of each topic."""
    path = Path(path)
    if not path.exists():
        raise FactcheckError(f"{path}: ECB+ file not found — give the path of dev_topics_1-35.jsonl")
    wanted = set(topics) if topics is not None else None
    per_topic: dict[int, int] = defaultdict(int)
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FactcheckError(f"{path}:{n}: not a JSON line ({exc.msg})") from exc
            topic = int(row["topic"])
            if wanted is not None and topic not in wanted:
                continue
            if limit_docs is not None and per_topic[topic] >= limit_docs:
                continue
            per_topic[topic] += 1
            out.append(article(row))
    if not out:
        raise FactcheckError(f"{path}: no article for the topics asked")
    return out


SentKey = tuple[str, int]  # (doc, sentence index)


def sentence_of(claims: Sequence[Claim], articles: Sequence[Article]) -> dict[str, SentKey]:
    """claim_id -> the sentence whose span holds the claim's sentence (the largest overlap)."""
    spans = {a.source.source_id: a for a in articles}
    out = {}
    for c in claims:
        a = spans.get(c.source_id)
        if a is None:
            continue
        best, overlap = None, 0
        for s in a.sentences:
            o = min(s.char_end, c.char_end) - max(s.char_start, c.char_start)
            if o > overlap:
                best, overlap = s, o
        if best is not None:
            out[c.claim_id] = (a.doc, best.index)
    return out


def scored_sentences(articles: Sequence[Article]) -> dict[SentKey, tuple[int, str, frozenset[str]]]:
    """(doc, i) -> (topic, subtopic, events) of every validated sentence."""
    return {(a.doc, s.index): (a.topic, a.subtopic, s.events)
            for a in articles for s in a.sentences if s.validated}


def gold_pairs(articles: Sequence[Article]) -> set[tuple[SentKey, SentKey]]:
    """Validated sentences of one topic, different articles, sharing an ACT/NEG instance."""
    by_topic: dict[int, list[tuple[SentKey, frozenset[str]]]] = defaultdict(list)
    for key, (topic, _, events) in scored_sentences(articles).items():
        by_topic[topic].append((key, events))
    out = set()
    for rows in by_topic.values():
        # index by event: only sentences sharing one are paired (never all pairs of a topic)
        by_event: dict[str, list[SentKey]] = defaultdict(list)
        for key, events in rows:
            for e in events:
                by_event[e].append(key)
        for keys in by_event.values():
            for x, y in combinations(sorted(set(keys)), 2):
                if x[0] != y[0]:
                    out.add((x, y))
    return out


def sentence_claims(articles: Sequence[Article], *, batch_size: int = 64) -> list[Claim]:
    """One claim per sentence (the documented per-sentence mode of ``eval align``).

    The claims stage skips headlines ("Lindsay Lohan Checks Into Rehab"), short sentences and
    questions, and splits or trims others; that is right for fact-checking but drops about 7% of
    the scored ECB+ sentences (13% of the gold pairs). This mode keeps every sentence whole and
    measures alignment alone: entities come from the same spaCy pipeline and entity keys as the
    claims stage, numbers and dates from the same parsers.
    """
    from . import claims as claims_stage
    from .dates import parse_dates
    from .quantities import parse_quantities

    nlp = claims_stage.load_nlp()
    jobs = [(s.text, (a, s)) for a in articles for s in a.sentences if s.text]
    out = []
    for doc, (a, s) in nlp.pipe(jobs, as_tuples=True, batch_size=batch_size):
        out.append(Claim(
            claim_id=stable_id(a.doc, str(s.index)), source_id=a.source.source_id, sentence_index=s.index,
            text=s.text, char_start=s.char_start, char_end=s.char_end, content=s.text,
            entities=tuple(claims_stage.entities_of(doc[:])) if len(doc) else (),
            quantities=tuple(parse_quantities(s.text)),
            dates=tuple(parse_dates(s.text, published=a.source.published))))
    return claims_stage.canonical_keys(out)


def write_sources(articles: Sequence[Article], folder: str | Path) -> Path:
    """The articles as a sources folder the whole pipeline reads: one ``DOC.txt`` each (its raw
    text) and a manifest giving each file's outlet and, when its url has one, its date."""
    import csv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
        rows = csv.writer(fh)
        rows.writerow(["file", "outlet", "published", "url"])
        for a in articles:
            (folder / f"{a.doc}.txt").write_text(a.source.raw + "\n", encoding="utf-8")
            rows.writerow([f"{a.doc}.txt", a.source.outlet, a.source.published or "", a.url])
    return folder
