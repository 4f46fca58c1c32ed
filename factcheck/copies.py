"""Wire copies: the same article carried by several outlets is one report, kept once with every
outlet that carried it, so a copy never counts as an independent confirmation.

One test decides it everywhere (``same_article``): the word 5-grams of two cleaned bodies, at least
``SYNDICATION_MIN_CONTAINMENT`` of the shorter one's found in the other; and a copy gives no figure
the other does not (``numbers_of``): an altered copy is a report of its own. ``factcheck run`` applies
it to the folder's bodies (``mark_duplicates``), ``factcheck add`` to an added article's body and
the stored articles closest to it (``copy_among``), so both find the same copies.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from typing import Sequence

from .clean import clean
from .config import Settings
from .errors import SourceError
from .models import Body, Source

log = logging.getLogger(__name__)

# Two bodies are the same (syndicated) article when at least this share of the shorter one's word
# 5-grams occur in the other. Wire copies differ by header, furniture and a trimmed last paragraph;
# two outlets' own reports of one event share almost none (0.0 on the seeds' pair).
SYNDICATION_MIN_CONTAINMENT = 0.9
SHINGLE_WORDS = 5


def mark_duplicates(sources: list[Source], settings: Settings | None = None, *,
                    bodies: list | None = None) -> list[Source]:
    """Keep one copy of each syndicated article, recording the other copies' outlets.

    Compares cleaned bodies (so different headers and page furniture do not matter); pass the
    ``bodies`` already cleaned to avoid cleaning twice. The copy kept is the longest body (the most
    complete); ties go to the first in input order. Order is preserved. Candidates come from an
    inverted index of shingles, so the cost grows with the corpus, not with its square.
    """
    settings = settings or Settings()
    texts = [text_of(b) for b in bodies] if bodies is not None else [body_text(src, settings) for src in sources]
    shingles = [shingles_of(t) for t in texts]
    numbers = [numbers_of(t) for t in texts]
    order = sorted(range(len(sources)), key=lambda i: -len(shingles[i]))
    kept: dict[int, list[str]] = {}
    index: dict[tuple[str, ...], int] = {}
    for i in order:
        twin = _best_twin(shingles, i, index)
        if twin is not None and not figures_kept(shingles[i], numbers[i], shingles[twin], numbers[twin]):
            log.info("%s: a copy of %s with figures of its own; kept as a report", sources[i].name, sources[twin].name)
            twin = None
        if twin is None:
            kept[i] = []
            for sh in shingles[i]:
                index.setdefault(sh, i)
        elif sources[i].outlet not in kept[twin] and sources[i].outlet != sources[twin].outlet:
            kept[twin].append(sources[i].outlet)
            log.info("%s: same article as %s; kept once", sources[i].name, sources[twin].name)
    return [_with_outlets(sources[i], kept[i]) for i in sorted(kept)]


def _best_twin(shingles: list[set], i: int, index: dict) -> int | None:
    hits: dict[int, int] = {}
    for sh in shingles[i]:
        k = index.get(sh)
        if k is not None:
            hits[k] = hits.get(k, 0) + 1
    best = max(hits, key=hits.get, default=None)
    return best if best is not None and same_article(shingles[i], shingles[best]) else None


def body_text(source: Source, settings: Settings) -> str:
    """The cleaned body's text (the raw text when no article is found)."""
    try:
        return text_of(clean(source, settings))
    except SourceError:
        return source.raw


def numbers_of(text: str) -> set[str]:
    """The figures a text gives, as written: a copy that changes one ("22 crew" for "21 crew") is
    an altered copy, a report of its own, not the same article carried again."""
    return set(re.findall(r"\d(?:[\d,.:]*\d)?", text))


def shingles_of(text: str) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.lower())
    return {tuple(tokens[k:k + SHINGLE_WORDS]) for k in range(max(0, len(tokens) - SHINGLE_WORDS + 1))}


def same_article(a: set, b: set) -> bool:
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= SYNDICATION_MIN_CONTAINMENT


def _with_outlets(source: Source, outlets: list[str]) -> Source:
    if not outlets:
        return source
    return dataclasses.replace(source, also_outlets=tuple(dict.fromkeys(source.also_outlets + tuple(outlets))))


def text_of(body: Body) -> str:
    return " ".join(p.text for p in body.paragraphs if p.role == "body")


def copy_among(body: Body, candidates: Sequence[Source], settings: Settings) -> Source | None:
    """The first of ``candidates`` (stored articles, their raw text cleaned again) that the article
    of ``body`` is a copy of, or None."""
    text = text_of(body)
    mine, figures = shingles_of(text), numbers_of(text)
    for c in candidates:
        theirs = body_text(c, settings)
        other = shingles_of(theirs)
        if same_article(mine, other) and figures_kept(mine, figures, other, numbers_of(theirs)):
            return c
    return None


def figures_kept(a: set, figures_a: set[str], b: set, figures_b: set[str]) -> bool:
    """The shorter of two copies (by shingles: the one ``mark_duplicates`` folds into the other)
    gives no figure the longer does not."""
    return figures_a <= figures_b if len(a) <= len(b) else figures_b <= figures_a
