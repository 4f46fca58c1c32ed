"""What the store hands to the review queue, the export and the dashboard: one disputed fact with
its sides, the two claims a one-pair reader shows, and its review.

``ReviewRow`` is the typed record; ``joined`` gives it as the dict rows export, app and
app_support read today (``ReviewRow.as_dict``), whose ``claim_a`` is the claim's text and
``claim_a_id`` its id. A discrepancy stored before facts (one per pair of claims) reads as two
sides of one claim each.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping

Span = tuple[int | None, int | None]


@dataclass(frozen=True, slots=True)
class Quote:
    """One of the two claims a discrepancy was found between, with the article it is from."""
    claim_id: str
    text: str = ""
    source: str = ""  # the article's file name
    outlet: str = ""
    title: str = ""
    published: str = ""  # ISO date, "" if unknown
    url: str = ""
    span: Span = (None, None)  # char span in the article's raw text

    @classmethod
    def of(cls, claim_id: str, claim_map: Mapping, source_map: Mapping) -> Quote:
        c = claim_map.get(claim_id) or {}
        s = source_map.get(c.get("source_id", "")) or {}
        return cls(claim_id, c.get("text", ""), s.get("name", ""), s.get("outlet", ""), s.get("title", ""),
                   s.get("published", ""), s.get("url", ""), (c.get("char_start"), c.get("char_end")))


@dataclass(frozen=True, slots=True)
class Side:
    """A group of answers that agree: the value, its claims (ids, texts, spans and the source of
    each), its sources, outlets, whom they cite and when they were published."""
    value: str
    claims: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    attributions: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    claim_sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, side: Mapping, claim_map: Mapping) -> Side:
        """A side as the store keeps it (``facts.side_record``), its claims looked up."""
        ids = tuple(side.get("claims", ()))
        found = [claim_map.get(cid) or {} for cid in ids]
        return cls(value=side.get("value", ""), claims=ids, sources=tuple(side.get("sources", ())),
                   outlets=tuple(side.get("outlets", ())), attributions=tuple(side.get("attributions", ())),
                   published=tuple(side.get("published", ())), texts=tuple(c.get("text", "") for c in found),
                   spans=tuple((c.get("char_start"), c.get("char_end")) for c in found),
                   claim_sources=tuple(c.get("source_id", "") for c in found))

    def as_dict(self) -> dict:
        return {"value": self.value, "claims": list(self.claims), "sources": list(self.sources),
                "outlets": list(self.outlets), "attributions": list(self.attributions),
                "published": list(self.published), "texts": list(self.texts), "spans": list(self.spans),
                "claim_sources": list(self.claim_sources)}

    def summary(self) -> str:
        """"value: outlet; outlet", as the editors' CSV lists sides past the first two."""
        return f"{self.value}: {'; '.join(self.outlets)}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A fact-checker's review of a disputed fact (``Store.set_review``); open when none was given."""
    status: str = "open"
    note: str = ""
    reviewer: str = ""
    reviewed_at: str = ""
    answer: str = ""  # the value of the side marked right
    evidence: str = ""  # where it was checked
    version: int = 0

    @classmethod
    def of(cls, r: Mapping) -> Verdict:
        return cls(r.get("status") or "open", r.get("note") or "", r.get("reviewer") or "",
                   r.get("updated_at") or "", r.get("answer") or "", r.get("evidence") or "", r.get("version") or 0)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One disputed fact as the review queue shows it."""
    discrepancy_id: str
    kind: str
    severity: float
    confidence: float
    explanation: str
    rank: int
    question: str
    sides: tuple[Side, ...]
    pair: tuple[Quote, Quote]  # the two claims a one-pair reader shows (claim_b's id "" when none)
    all_outlets: tuple[str, ...] = ()  # the outlets of every source on any side, sorted
    review: Verdict = Verdict()
    other_answers: tuple[Side, ...] = ()  # answers on no side (consistent with every side)
    change_over_time: bool = False  # the answers differ because the story moved on
    stale: bool = False  # no longer found by the latest run
    first_seen: int | None = None  # run ids
    last_seen: int | None = None
    detail: dict = field(default_factory=dict, hash=False)  # what the check recorded, as stored

    @classmethod
    def of(cls, d: Mapping, claim_map: Mapping, source_map: Mapping, review_map: Mapping) -> ReviewRow:
        """The row of discrepancy ``d`` (a row of the discrepancies table), with claims, sources and
        reviews looked up by id (rows of their tables)."""
        detail = json.loads(d["detail"] or "{}")
        sides = detail.get("sides") or pair_sides(d, detail, claim_map, source_map)
        outlets = {(source_map.get(sid) or {}).get("outlet", "") for s in sides for sid in s.get("sources", ())}
        return cls(
            discrepancy_id=d["discrepancy_id"], kind=d["kind"], severity=d["severity"], confidence=d["confidence"],
            explanation=d["explanation"], rank=d["rank"], question=detail.get("question_text", ""),
            sides=tuple(Side.of(s, claim_map) for s in sides),
            pair=(Quote.of(d["claim_a"], claim_map, source_map), Quote.of(d["claim_b"], claim_map, source_map)),
            all_outlets=tuple(sorted(outlets - {""})), review=Verdict.of(review_map.get(d["discrepancy_id"]) or {}),
            other_answers=tuple(Side.of(s, {}) for s in detail.get("other_answers") or ()),
            change_over_time=bool(detail.get("change_over_time")), stale=not d["active"],
            first_seen=d.get("first_seen"), last_seen=d.get("last_seen"), detail=detail)

    def as_dict(self) -> dict:
        """The dict row export, app and app_support read (``claim_a`` the claim's text, ``claim_a_id``
        its id, ``source_a`` the file name; ``value_a``… the first two sides)."""
        a, b = self.pair
        out = {"discrepancy_id": self.discrepancy_id, "kind": self.kind, "severity": self.severity,
               "confidence": self.confidence, "explanation": self.explanation, "claim_a": a.text, "claim_b": b.text,
               "detail": self.detail, "rank": self.rank, "active": not self.stale, "first_seen": self.first_seen,
               "last_seen": self.last_seen}
        for name, q in (("a", a), ("b", b)):
            out.update({f"claim_{name}_id": q.claim_id, f"source_{name}": q.source, f"outlet_{name}": q.outlet,
                        f"title_{name}": q.title, f"published_{name}": q.published, f"url_{name}": q.url,
                        f"span_{name}": q.span})
        out["question"] = self.question
        out["sides"] = [s.as_dict() for s in self.sides]
        out["change_over_time"] = "yes" if self.change_over_time else ""
        out["all_outlets"] = list(self.all_outlets)
        for name, side in zip(("a", "b"), self.sides):
            out.update({f"value_{name}": side.value, f"outlets_{name}": "; ".join(side.outlets),
                        f"attributed_{name}": "; ".join(side.attributions), f"claim_ids_{name}": " ".join(side.claims)})
        out["more_sides"] = " || ".join(s.summary() for s in self.sides[2:])
        out["other_answers"] = " || ".join(s.summary() for s in self.other_answers)
        r = self.review
        out.update(status=r.status, note=r.note, reviewer=r.reviewer, reviewed_at=r.reviewed_at, answer=r.answer,
                   evidence=r.evidence, version=r.version, stale=self.stale)
        return out


def pair_sides(d: Mapping, detail: dict, claim_map: Mapping, source_map: Mapping) -> list[dict]:
    """The sides of a discrepancy stored before facts (a pair of claims): one claim a side, so a
    store written by an earlier version reads as today's."""
    out = []
    for name in ("a", "b"):
        c = claim_map.get(d[f"claim_{name}"])
        if not c:
            continue
        s = source_map.get(c["source_id"]) or {}
        value = detail.get(f"value_{name}") or detail.get(f"side_{name}") or detail.get(name) or f"as {s.get('outlet')}"
        out.append({"value": str(value), "claims": [c["claim_id"]], "sources": [c["source_id"]],
                    "outlets": [s.get("outlet", "")], "attributions": [x for x in (c.get("speaker") or c.get("party"),) if x],
                    "published": [s["published"]] if s.get("published") else []})
    return out


def joined(d: Mapping, claim_map: Mapping, source_map: Mapping, review_map: Mapping) -> dict:
    """Discrepancy row ``d`` joined with its claims, sources and review, as a dict (``ReviewRow.as_dict``)."""
    return ReviewRow.of(d, claim_map, source_map, review_map).as_dict()
