"""schema.org ClaimReview JSON-LD for disputed facts a reviewer confirmed and answered.

A fact whose review is "confirmed" with an answer (the value of the side marked right) yields one
ClaimReview per outlet on every other side: those outlets' claims are reviewed as incorrect. The
output is what Google's fact-check markup asks for (claimReviewed, reviewRating.alternateName, url,
author); ``validate`` checks a review for it.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

CONTEXTS = ("https://schema.org", "http://schema.org", "https://schema.org/", "http://schema.org/")


def claim_reviews(rows: Iterable[dict], *, organisation: str, organisation_url: str = "", review_url: str = "",
                  source_urls: dict[str, str] | None = None, source_dates: dict[str, str] | None = None,
                  source_outlets: dict[str, str] | None = None, claim_sources: dict[str, str] | None = None,
                  today: str | None = None) -> list[dict]:
    """ClaimReviews for the confirmed, answered facts among ``rows`` (``Store.discrepancy_rows()``).

    One review per (wrong side, source): the first claim text of each source on a side whose value
    is not the answer. ``source_urls``/``source_dates``/``source_outlets`` (by source id) fill the
    reviewed claim's appearance, date and author; unknown ones are left out. ``claim_sources`` maps
    claim id -> source id (e.g. ``{r["claim_id"]: r["source_id"] for r in store.claim_rows()}``);
    without it a claim's source is inferred only where the side makes it unambiguous. ``today`` (ISO
    date) dates reviews whose ``reviewed_at`` is missing. Confirmed facts whose answer matches no side
    are skipped and reported in a warning.
    """
    today = today or date.today().isoformat()
    out: list[dict] = []
    unmatched: list[str] = []
    for row in rows:
        answer = str(row.get("answer") or "").strip()
        if row.get("status") != "confirmed" or not answer:
            continue
        sides = row.get("sides") or []
        if not any(str(s.get("value", "")).strip() == answer for s in sides):
            unmatched.append(str(row.get("discrepancy_id", "?")))
            continue
        for side in sides:
            if str(side.get("value", "")).strip() == answer:
                continue
            for source_id, outlet, text in _claims_by_source(side, claim_sources or {}):
                out.append(_review(row, answer, text, organisation=organisation, organisation_url=organisation_url,
                                   review_url=review_url, today=today,
                                   outlet=(source_outlets or {}).get(source_id) or outlet,
                                   published=(source_dates or {}).get(source_id) or _one_date(side),
                                   appearance=(source_urls or {}).get(source_id, "")))
    if unmatched:
        log.warning("ClaimReview: skipped %d confirmed fact(s) whose answer matches no side: %s",
                    len(unmatched), ", ".join(unmatched))
    return out


def _claims_by_source(side: dict, claim_sources: dict[str, str]) -> list[tuple[str, str, str]]:
    """(source id, outlet, claim text) for the first claim of each source on a side. A claim whose
    source cannot be told gets its own entry with no source (one per distinct text)."""
    claims, texts = list(side.get("claims") or []), list(side.get("texts") or [])
    sources, outlets = list(side.get("sources") or []), list(side.get("outlets") or [])
    outlet_of = dict(zip(sources, outlets))
    seen: set[str] = set()
    found: list[tuple[str, str, str]] = []
    for i, text in enumerate(texts):
        cid = claims[i] if i < len(claims) else ""
        if cid in claim_sources:
            sid = claim_sources[cid]
        elif len(sources) == 1:
            sid = sources[0]
        elif len(sources) == len(claims):  # one claim per source, listed in the same order
            sid = sources[i]
        else:
            sid = ""
        key = sid or "\x00" + text
        if not text or key in seen:
            continue
        seen.add(key)
        found.append((sid, outlet_of.get(sid, ""), text))
    return found


def _one_date(side: dict) -> str:
    """The side's publication date when it has a single source with a single date, else ""."""
    published = side.get("published") or []
    return published[0] if len(side.get("sources") or []) == 1 and len(published) == 1 else ""


def _review(row: dict, answer: str, text: str, *, organisation: str, organisation_url: str, review_url: str,
            today: str, outlet: str, published: str, appearance: str) -> dict:
    fact_id = str(row.get("discrepancy_id", ""))
    reviewed = str(row.get("reviewed_at") or "")[:10]
    question = str(row.get("question") or "").strip()
    rating = {"@type": "Rating", "alternateName": f"Incorrect: {answer} ({question})" if question
              else f"Incorrect: {answer}"}
    if (row.get("note") or "").strip():
        rating["ratingExplanation"] = row["note"].strip()
    item: dict = {"@type": "Claim"}
    if outlet:
        item["author"] = {"@type": "Organization", "name": outlet}
    if published:
        item["datePublished"] = published
    if appearance:
        item["appearance"] = [{"@type": "CreativeWork", "url": appearance}]
    author = {"@type": "Organization", "name": organisation}
    if organisation_url:
        author["url"] = organisation_url
    review = {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": text,
              "datePublished": reviewed if _is_date(reviewed) else today,
              "url": f"{review_url}#{fact_id}" if review_url else f"urn:factcheck:fact:{fact_id}",
              "author": author, "reviewRating": rating, "itemReviewed": item}
    if (row.get("evidence") or "").strip():
        review["citation"] = row["evidence"].strip()
    return review


def _is_date(value) -> bool:
    """True for an ISO date or datetime string."""
    if not isinstance(value, str) or not value:
        return False
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(value)
            return True
        except ValueError:
            pass
    return False


def _name(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def validate(review: dict) -> list[str]:
    """Problems with a ClaimReview, [] when it has every property Google's fact-check markup requires
    (claimReviewed, reviewRating.alternateName, url) plus author.name, the schema.org @context and
    @type, and ISO dates wherever datePublished is given."""
    if not isinstance(review, dict):
        return ["not a JSON object"]
    problems = []
    if review.get("@context") not in CONTEXTS:
        problems.append(f"@context is {review.get('@context')!r}, not https://schema.org")
    if review.get("@type") != "ClaimReview":
        problems.append(f"@type is {review.get('@type')!r}, not ClaimReview")
    for prop in ("claimReviewed", "url"):
        if not _name(review.get(prop)):
            problems.append(f"missing {prop}")
    rating = review.get("reviewRating")
    if not isinstance(rating, dict):
        problems.append("missing reviewRating")
    elif not _name(rating.get("alternateName")):
        problems.append("missing reviewRating.alternateName")
    author = review.get("author")
    if not isinstance(author, dict) or not _name(author.get("name")):
        problems.append("missing author.name")
    item = review.get("itemReviewed")
    for where, obj in (("datePublished", review), ("itemReviewed.datePublished", item)):
        if isinstance(obj, dict) and "datePublished" in obj and not _is_date(obj["datePublished"]):
            problems.append(f"{where} {obj['datePublished']!r} is not an ISO date")
    return problems


def write_claimreview(rows: Iterable[dict], path, **kwargs) -> int:
    """Write ``claim_reviews(rows, **kwargs)`` to ``path`` as a JSON array (UTF-8, indent 2),
    atomically: a temporary file in the same folder, then replaced. Returns the number of reviews."""
    reviews = claim_reviews(rows, **kwargs)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(reviews, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the file is for publishing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(reviews)
