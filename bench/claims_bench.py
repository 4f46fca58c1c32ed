"""Claim extraction speed (words per second) and its share of a run's time.

    python bench/claims_bench.py [--docs 200] [--backends]

Measures on the seeds (sources/) and on real ECB+ articles (../shared/data/ecbplus), one source per
article, each sentence a paragraph. Prints words/s of the claims stage (spaCy parse, attribution,
entities, quantities, dates) and, for the ECB+ sample, the share of the whole analysis
(claims + embed + align + compare) spent in it. With ``--backends`` it also parses the ECB+ sample
with thinc's default blis matrix products and with the numpy (OpenBLAS) ones the extractor uses
(``claims.load_nlp``), and prints both speeds and how many tokens' annotations differ.
Run it on an idle machine: numbers vary with load.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck import claims as claims_stage  # noqa: E402
from factcheck import clean, ingest, pipeline  # noqa: E402
from factcheck.config import Settings  # noqa: E402
from factcheck.models import Body, Paragraph, Source, stable_id  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "ecbplus" / "dev_topics_1-35.jsonl"


def ecb_sources(limit: int) -> tuple[list[Source], list[Body]]:
    sources, bodies = [], []
    with ECB.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= limit:
                break
            doc = json.loads(line)
            raw = "\n".join(s["text"] for s in doc["sentences"])
            src = Source(stable_id(doc["doc"]), doc["doc"], doc["doc"], raw=raw)
            paras, pos = [], 0
            for s in doc["sentences"]:
                paras.append(Paragraph(s["text"], pos, pos + len(s["text"])))
                pos += len(s["text"]) + 1
            sources.append(src)
            bodies.append(Body(src.source_id, "", tuple(paras)))
    return sources, bodies


def words(bodies) -> int:
    return sum(len(re.findall(r"\w+", p.text)) for b in bodies for p in b.paragraphs if p.role == "body")


def timed_claims(sources, bodies, settings: Settings) -> tuple[float, int]:
    t = time.perf_counter()
    out = claims_stage.extract_claims(sources, bodies, settings)
    return time.perf_counter() - t, len(out)


def annotations(nlp, texts: list[str]) -> list[tuple]:
    """Every annotation the extractor reads, token by token."""
    return [(t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_, t.is_sent_start)
            for doc in nlp.pipe(texts, batch_size=claims_stage.SPACY_BATCH) for t in doc]


def compare_backends(bodies) -> None:
    import spacy

    texts = [p.text for b in bodies for p in b.paragraphs if p.role == "body"]
    w = words(bodies)
    used = claims_stage.load_nlp()
    default = spacy.load(claims_stage.SPACY_MODEL)  # thinc's default ops: blis
    results = {}
    for name, nlp in (("blis", default), ("numpy/OpenBLAS", used)):
        annotations(nlp, texts[:50])  # warm-up
        t = time.perf_counter()
        results[name] = annotations(nlp, texts)
        secs = time.perf_counter() - t
        print(f"backend {name}: {secs:.2f} s -> {w / secs:,.0f} words/s (1 process)")
    a, b = results.values()
    differing = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
    print(f"backends: {differing} of {len(a)} tokens annotated differently")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200, help="ECB+ articles to use")
    ap.add_argument("--backends", action="store_true", help="compare thinc's blis and numpy matrix products")
    args = ap.parse_args()
    settings = Settings()
    claims_stage.load_nlp()  # model loading is not extraction
    loaded, _ = ingest.load_sources(ROOT / "sources", settings)
    bodies = [clean.clean(s, settings) for s in loaded]
    one = Settings(workers=1)
    timed_claims(loaded, bodies, one)  # warm-up
    secs, n = timed_claims(loaded, bodies, one)
    w = words(bodies)
    print(f"seeds: {w} words, {n} claims in {secs:.2f} s -> {w / secs:,.0f} words/s (1 process)")
    if not ECB.exists():
        print("ECB+ data not found; skipped")
        return
    sources, ebodies = ecb_sources(args.docs)
    if args.backends:
        compare_backends(ebodies)
    w = words(ebodies)
    secs, n = timed_claims(sources, ebodies, one)
    print(f"ecb+ ({len(sources)} articles): {w} words, {n} claims in {secs:.2f} s -> {w / secs:,.0f} words/s "
          f"per core (1 process)")
    pooled = Settings(workers=os.cpu_count() or 1, parallel_min_paragraphs=1)
    secs, n = timed_claims(sources, ebodies, pooled)
    print(f"ecb+ with a pool of {pooled.workers}: {secs:.2f} s -> {w / secs:,.0f} words/s "
          f"(spawning and loading spaCy in each worker included)")
    timings: dict[str, float] = {}
    pipeline.analyse(sources, ebodies, settings, timings=timings)
    total = sum(timings.values())
    share = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    print(f"analysis of the same articles: {share}; total {total:.1f} s")
    print(f"claims share of run time: {timings['claims'] / total:.0%}")


if __name__ == "__main__":
    main()
