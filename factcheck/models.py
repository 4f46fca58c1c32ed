"""Records passed between pipeline stages: small, frozen, slotted dataclasses.

Each stage takes the previous stage's records and returns its own (see DESIGN.md):
Source -> Body -> Claim -> FactCluster -> Fact / Discrepancy (one per disputed fact).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence


def stable_id(*parts: str, length: int = 16) -> str:
    """A short, stable hex id from text parts (same parts, same id, on every machine)."""
    h = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:length]


@dataclass(frozen=True, slots=True)
class Source:
    """One article as ingested: where it came from, what it says about itself, its raw text."""

    source_id: str
    name: str  # file name inside sources/ (or the URL for fetched pages)
    outlet: str
    title: str = ""
    url: str = ""
    published: date | None = None
    language: str = "en"
    raw: str = ""  # decoded text of the file (HTML for saved pages)
    kind: str = "txt"  # txt | html | md | url
    also_outlets: tuple[str, ...] = ()  # outlets carrying the same (syndicated) copy
    story: str = ""  # the story the user put the article in (manifest column ``story``); "" = grouped automatically


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A kept block of the article, with its character span in ``Source.raw``."""

    text: str
    char_start: int
    char_end: int
    role: str = "body"  # body | heading


@dataclass(frozen=True, slots=True)
class LineLabel:
    """How the cleaner classified one line (or block) of a source, and why."""

    line_no: int  # 1-based
    char_start: int
    char_end: int
    text: str
    label: str  # title | duplicate_title | outlet_and_title | heading | body | boilerplate | blank
    reason: str


@dataclass(frozen=True, slots=True)
class Body:
    """The article's own text: title and paragraphs, furniture removed."""

    source_id: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    labels: tuple[LineLabel, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    text: str
    label: str  # PERSON | ORG | GPE | LOC | NORP | FAC | EVENT ...
    key: str  # canonical key shared by all mentions of one entity across the corpus


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its bounds: [low, high]; ``None`` means unbounded on that side."""

    text: str
    low: float | None
    high: float | None
    unit: str | None = None
    measure: str | None = None  # what is counted: dead, aboard, injured, arrested ...
    vague: bool = False  # "dozens", "several"
    group: str = ""  # who is counted ("passenger", "crew", "child"); "" = people in general
    part: bool = False  # a part of a group counted elsewhere ("two of them", "including 5 children")
    total: bool = False  # a sum of parts the text gives ("60 passengers and 4 crew" = 64)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date as an interval [start, end] with its granularity."""

    text: str
    start: date | None
    end: date | None
    granularity: str  # day | month | year | decade | unknown
    resolved: bool = True


@dataclass(frozen=True, slots=True)
class Claim:
    """One checkable statement, with its provenance and its parts."""

    claim_id: str
    source_id: str
    sentence_index: int
    text: str  # the claim (the sentence, or the normalised split-out part)
    char_start: int  # span of the source sentence in Source.raw
    char_end: int
    content: str = ""  # what is asserted, without the attribution frame
    speaker: str = ""
    party: str = ""
    cue: str = ""
    stance: str = "asserts"  # asserts | denies | suspects | claims | blames | attributes ...
    frame: str = ""  # cause (an account of why something happened) | "" otherwise
    entities: tuple[Entity, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[DateSpan, ...] = ()
    check_worthiness: float = 0.5


@dataclass(frozen=True, slots=True)
class Alignment:
    """Two claims from different sources (or two parties in one source) judged to be about one fact."""

    claim_a: str
    claim_b: str
    score: float  # combined evidence, the number compared with the threshold
    cosine: float  # sentence-embedding similarity alone


@dataclass(frozen=True, slots=True)
class FactCluster:
    """Claims from different sources about the same fact."""

    cluster_id: str
    claim_ids: tuple[str, ...]
    story_id: str = ""
    outlets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Discrepancy:
    discrepancy_id: str
    kind: str  # quantity | date | name_variant | identifier | attribution_conflict | actor | polarity | omission
    severity: float  # 0..1: how much it matters if true
    confidence: float  # 0..1: how sure the check is
    explanation: str
    claim_a: str  # claim ids
    claim_b: str = ""
    detail: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def score(self) -> float:
        return self.severity * self.confidence


@dataclass(frozen=True, slots=True)
class Answer:
    """One outlet's answer to a fact's question, as one claim gives it."""

    claim_id: str
    source_id: str
    outlet: str
    value: str  # "38", "at least 40", "flight 2216", "Ilham Aliyev", "Russia's account"
    speaker: str = ""
    party: str = ""
    hedge: str = ""  # at least | at most | range | vague | "" (exact)
    published: str = ""  # the article's publication date, ISO
    side: int = 0  # the side of a disputed fact it is on (1, 2 …); 0 = on no side


@dataclass(frozen=True, slots=True)
class Fact:
    """One question a story's claims answer (how many died? which flight?), with every answer."""

    fact_id: str  # from the question alone: it stays when answers are added
    story_id: str
    kind: str  # count | date | time | identifier | cause | actor | polarity | spelling
    question: str  # in plain words
    answers: tuple[Answer, ...] = ()
    disputed: bool = False


def claim_to_dict(c: Claim) -> dict:
    """A claim as plain JSON-ready data (dates as ISO strings)."""
    d = {f: getattr(c, f) for f in c.__dataclass_fields__}
    d["entities"] = [{"text": e.text, "label": e.label, "key": e.key} for e in c.entities]
    d["quantities"] = [{f: getattr(q, f) for f in q.__dataclass_fields__} for q in c.quantities]
    d["dates"] = [{"text": x.text, "start": x.start.isoformat() if x.start else None,
                   "end": x.end.isoformat() if x.end else None, "granularity": x.granularity,
                   "resolved": x.resolved} for x in c.dates]
    return d


def claim_from_dict(d: dict) -> Claim:
    """The inverse of ``claim_to_dict``."""
    def day(v):
        return date.fromisoformat(v) if v else None

    return Claim(**{
        **d,
        "entities": tuple(Entity(**e) for e in d["entities"]),
        "quantities": tuple(Quantity(**q) for q in d["quantities"]),
        "dates": tuple(DateSpan(**{**x, "start": day(x["start"]), "end": day(x["end"])}) for x in d["dates"]),
    })


def source_to_dict(s: Source) -> dict:
    return {"source_id": s.source_id, "name": s.name, "outlet": s.outlet, "title": s.title, "url": s.url,
            "published": s.published.isoformat() if s.published else None, "language": s.language,
            "raw": s.raw, "kind": s.kind, "also_outlets": list(s.also_outlets), "story": s.story}


def source_from_dict(d: dict) -> Source:
    return Source(**{**d, "published": date.fromisoformat(d["published"]) if d["published"] else None,
                     "also_outlets": tuple(d["also_outlets"])})


def body_to_dict(b: Body) -> dict:
    """A cleaned body as compact JSON-ready data (paragraphs and line labels as rows)."""
    return {"source_id": b.source_id, "title": b.title,
            "paragraphs": [[p.text, p.char_start, p.char_end, p.role] for p in b.paragraphs],
            "labels": [[x.line_no, x.char_start, x.char_end, x.text, x.label, x.reason] for x in b.labels]}


def body_from_dict(d: dict) -> Body:
    return Body(source_id=d["source_id"], title=d["title"],
                paragraphs=tuple(Paragraph(*row) for row in d["paragraphs"]),
                labels=tuple(LineLabel(*row) for row in d["labels"]))


def code_fingerprint(files: Sequence[Path], packages: Sequence[str]) -> str:
    """Changes whenever one of these files or installed package versions changes: the version
    part of a cache key (a missing package counts as version "")."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [Path(f).read_text(encoding="utf-8") for f in files]
    for package in packages:
        try:
            parts.append(version(package))
        except PackageNotFoundError:
            parts.append("")
    return stable_id(*parts)
