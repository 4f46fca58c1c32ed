"""The whole run: ingest -> clean -> claims -> embed -> align -> compare -> store -> export.

Each stage is a pure function of its inputs and the Settings; this module only wires them and
reports progress through a callback ``progress(stage, done, total)``.
"""
from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from . import align as align_stage
from . import claims as claims_stage
from . import clean as clean_stage
from . import compare as compare_stage
from . import embed, export, ingest
from .config import Settings
from .errors import NoSourcesError, SourceError
from .models import Alignment, Body, Claim, Discrepancy, FactCluster, Source
from .store import Store

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass
class RunResult:
    sources: list[Source]
    bodies: list[Body]
    claims: list[Claim]
    vectors: np.ndarray
    stories: dict[str, str]
    pairs: list[Alignment]
    events: list[Alignment]
    clusters: list[FactCluster]
    discrepancies: list[Discrepancy]
    errors: list[SourceError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None


def _noop(stage: str, done: int, total: int) -> None:
    return None


def clean_all(sources: list[Source], settings: Settings, errors: list[SourceError],
              progress: Progress) -> tuple[list[Source], list[Body]]:
    kept, bodies = [], []
    for n, s in enumerate(sources, 1):
        try:
            bodies.append(clean_stage.clean(s, settings))
            kept.append(s)
        except SourceError as exc:
            errors.append(exc)
        progress("clean", n, len(sources))
    return kept, bodies


def drop_syndicated_copies(sources: list[Source], bodies: list[Body], settings: Settings
                           ) -> tuple[list[Source], list[Body]]:
    """A wire story carried by several outlets is kept once (its other outlets recorded), so a copy
    never counts as an independent confirmation."""
    kept = ingest.mark_duplicates(sources, settings, bodies=bodies)
    body_of = {b.source_id: b for b in bodies}
    return kept, [body_of[s.source_id] for s in kept]


def claims_with_cache(sources: list[Source], bodies: list[Body], settings: Settings, store: Store | None,
                      progress: Progress) -> list[Claim]:
    """Claims of every article; articles already extracted by the same extractor come from the
    store, so a re-run or an added source parses only what is new."""
    by_id = {s.source_id: s for s in sources}
    keys = {b.source_id: claims_stage.article_key(by_id[b.source_id], b) for b in bodies}
    cached = store.cached_claims(keys.values()) if store else {}
    todo = [b for b in bodies if keys[b.source_id] not in cached]
    fresh = claims_stage.extract_article_claims([by_id[b.source_id] for b in todo], todo, settings,
                                                progress=lambda d, n: progress("claims", d, n))
    per_source: dict[str, list[Claim]] = {b.source_id: [] for b in todo}
    for c in fresh:
        per_source[c.source_id].append(c)
    if store:
        store.save_claim_cache({keys[sid]: cs for sid, cs in per_source.items()})
    ordered = [c for b in bodies for c in (cached.get(keys[b.source_id]) or per_source.get(b.source_id, []))]
    progress("claims", len(bodies), len(bodies))
    return claims_stage.finalise(ordered)


def embed_claims(claims: list[Claim], settings: Settings, store: Store | None, progress: Progress) -> np.ndarray:
    texts = [c.content or c.text for c in claims]
    keys = [embed.text_key(t) for t in texts]
    cache = store.cached_embeddings(settings.model_package, keys) if store else {}
    vectors, fresh = embed.encode_cached(texts, cache, package=settings.model_package,
                                         batch_size=settings.batch_size,
                                         progress=lambda d, t: progress("embed", d, t))
    if store:
        store.save_embeddings(settings.model_package, fresh)
    progress("embed", len(texts), len(texts))
    return vectors


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block to ``timings[stage]``."""
    t = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - t


def analyse(sources: list[Source], bodies: list[Body], settings: Settings, *, store: Store | None = None,
            progress: Progress = _noop, timings: dict | None = None) -> RunResult:
    """Claims, embeddings, alignment and discrepancies for already cleaned sources."""
    timings = {} if timings is None else timings
    with timed(timings, "claims"):
        claims = claims_with_cache(sources, bodies, settings, store, progress)
    with timed(timings, "embed"):
        vectors = embed_claims(claims, settings, store, progress)
    with timed(timings, "align"):
        stories, pairs, events, clusters = align_stage.align(claims, vectors, sources, settings)
        progress("align", 1, 1)
    with timed(timings, "compare"):
        ctx = compare_stage.Context(settings=settings, claims={c.claim_id: c for c in claims},
                                    sources={s.source_id: s for s in sources}, pairs=pairs,
                                    clusters=clusters, events=events, stories=stories)
        found = compare_stage.compare(ctx)
        progress("compare", 1, 1)
    return RunResult(sources, bodies, claims, vectors, stories, pairs, events, clusters, found,
                     timings=timings)


def run(folder: str | Path, settings: Settings, *, store: Store | None = None, out: str | Path | None = None,
        progress: Progress = _noop) -> RunResult:
    """Run every stage on a sources folder; store the results and write the CSVs to ``out``."""
    timings: dict[str, float] = {}
    with timed(timings, "ingest"):
        loaded, errors = ingest.load_sources(Path(folder), settings)
        tried = len(loaded) + len(errors)
        progress("ingest", len(loaded), len(loaded))
    with timed(timings, "clean"):
        sources, bodies = clean_all(loaded, settings, errors, progress)
        sources, bodies = drop_syndicated_copies(sources, bodies, settings)
    if not sources:
        raise NoSourcesError(f"{folder}: no readable article among {tried} file(s) — "
                             "add .txt or .html articles (see the errors above)", errors)
    result = analyse(sources, bodies, settings, store=store, progress=progress, timings=timings)
    result.errors = errors
    with timed(timings, "store"):
        if store is not None:
            result.run_id = store.save_run(sources_dir=str(folder), source_records=sources,
                                           claim_records=result.claims, cluster_records=result.clusters,
                                           pairs=result.pairs, found=result.discrepancies)
            progress("store", 1, 1)
    if out is not None:
        write_outputs(result, Path(out), store)
    return result


def write_outputs(result: RunResult, out: Path, store: Store | None) -> dict[str, Path]:
    """claims.csv, discrepancies.csv (with review status from the store) and alignments.csv."""
    if store is not None:
        rows = store.discrepancy_rows()
    else:
        rows = rows_without_store(result)
    return {
        "claims": export.write_claims(result.claims, result.sources, out / "claims.csv"),
        "discrepancies": export.write_discrepancies(rows, out / "discrepancies.csv"),
        "alignments": export.write_alignments(
            export.alignment_records(result.pairs, result.clusters, result.claims, result.sources),
            out / "alignments.csv"),
    }


def rows_without_store(result: RunResult) -> list[dict]:
    from .store import claim_row, joined, source_row

    cmap = {c.claim_id: claim_row(c) for c in result.claims}
    smap = {s.source_id: source_row(s) for s in result.sources}
    out = []
    for rank, d in enumerate(result.discrepancies, 1):
        base = {"discrepancy_id": d.discrepancy_id, "kind": d.kind, "severity": d.severity,
                "confidence": d.confidence, "explanation": d.explanation, "claim_a": d.claim_a,
                "claim_b": d.claim_b, "detail": json.dumps(d.detail, default=str), "rank": rank,
                "active": True}
        out.append(joined(base, cmap, smap, {}))
    return out
