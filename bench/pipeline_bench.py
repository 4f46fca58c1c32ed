"""The whole pipeline at newsroom scale, in one process and one run.

    python bench/pipeline_bench.py [--scale 4] [--limit N] [--skip-large] [--add 5]

Corpora, each written as .txt files into a temporary sources folder and run through the real
pipeline (ingest, clean, claims, embed, align, compare, store) with a fresh SQLite store:
  (a) sources/ (the seeds);
  (b) the 772 real ECB+ articles of ../shared/data/ecbplus/dev_topics_1-35.jsonl, one source each;
  (c) a larger corpus built from (b): SCALE copies of every article (default 4). Copy 0 is the
      article itself; in copy k > 0 every sentence has neighbouring words swapped (two pairs where
      it is long enough), different pairs in each copy and in each sentence. So every sentence is
      new text (nothing is served from a cache), no copy is a syndicated duplicate of another
      (about half the word 5-grams survive, at most 0.83, under the 0.9 containment that marks
      one), and each copy has exactly the words, tokens and word pieces of its article: spaCy
      parses the same tokens per article in (b) and (c), and the 4x step measures how the
      pipeline grows with the number of articles. (Swapped words break some parses, so copies
      keep about 10% fewer claims for the sentence model; the growth line prints the bound's.) (Copies that prefixed "Witnesses said …" and appended
      "(update k)" made every sentence longer: the model bound then grew 4.93x for 3.96x the
      articles.)
For each: wall time per stage, articles/s, claims/s, peak memory (RSS high-water mark, so (b) is
read before (c) runs), and the model bound: the time to embed the same claim texts once, with the
same model and batch size, in one call of sentence-transformers' own ``encode``, measured in this run. Then articles are added one at a time to the store
built from (b) (``pipeline.add``, what ``factcheck add`` runs), and one more through a full re-run.
The model bound is measured for both embedding backends (float32 "torch", the bound the ratios use,
and "int8"), and (b) is run once more with ``embedding_backend = "int8"`` on a fresh store
(--no-int8 skips it): its total over the float32 bound shows what the int8 model saves a run.
The last line is ``total/model_bound=…`` for (b).
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck import claims as claims_stage  # noqa: E402
from factcheck import embed, pipeline  # noqa: E402
from factcheck.claims import load_nlp  # noqa: E402
from factcheck.config import Settings  # noqa: E402
from factcheck.store import Store  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "ecbplus" / "dev_topics_1-35.jsonl"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ecb_docs(limit: int | None) -> list[dict]:
    with ECB.open(encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    return docs[:limit] if limit else docs


def swapped(sentence: str, copy: int, i: int) -> str:
    """The sentence with neighbouring words swapped, twice where it is long enough: the pairs depend
    on the copy and on the sentence's place, so copies differ from the article and each other."""
    words = sentence.split(" ")
    pairs = len(words) - 1
    if pairs < 1:
        return sentence
    first = None
    for j in ((2 * copy + i + shift) % pairs for shift in range(pairs)):
        if words[j] != words[j + 1]:
            first = j
            break
    if first is None:
        return sentence
    words[first], words[first + 1] = words[first + 1], words[first]
    second = (first + pairs // 2) % pairs
    if abs(second - first) >= 2 and words[second] != words[second + 1]:
        words[second], words[second + 1] = words[second + 1], words[second]
    return " ".join(words)


def article_text(doc: dict, copy: int) -> str:
    sents = [s["text"] for s in doc["sentences"]]
    if copy:
        sents = [swapped(s, copy, i) for i, s in enumerate(sents)]
    return f"{sents[0][:90]}\n\n" + "\n".join(sents) + "\n"


def write_corpus(folder: Path, docs: list[dict], copies: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file,outlet"]
    for k in range(copies):
        for d in docs:
            name = f"{d['doc']}_c{k}.txt"
            (folder / name).write_text(article_text(d, k), encoding="utf-8")
            rows.append(f"{name},outlet-{d['doc'].split('_')[1]}-{k}")
    (folder / "sources.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(rows) - 1


def model_bound(texts: list[str], settings: Settings, backend: str) -> float:
    """Seconds to embed ``texts`` once with the library's own call (it sorts them by length)."""
    model = embed.load_model(settings.model_package, backend)
    t = time.perf_counter()
    model.encode(texts, batch_size=settings.batch_size, normalize_embeddings=True, convert_to_numpy=True)
    return time.perf_counter() - t


def run_corpus(label: str, folder: Path, db: Path, settings: Settings, int8_bound: bool = True) -> dict:
    store = Store(f"sqlite:///{db}")
    t = time.perf_counter()
    result = pipeline.run(folder, settings, store=store)
    total = time.perf_counter() - t
    texts = sorted({c.content or c.text for c in result.claims})
    bound = model_bound(texts, settings, "torch")  # the float32 model's bound, whatever the run's backend
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    n, c = len(result.sources), len(result.claims)
    # with a process pool, claims are embedded while the workers parse: "claims" is then the wall
    # time not spent embedding, and the stage times still add up to the total
    print(f"({label}) {n} articles, {c} claims, {len(result.discrepancies)} disputed facts: total {total:.1f} s "
          f"[{stages}]; {n / total:.1f} articles/s, {c / total:.1f} claims/s; peak memory {peak_mb():,.0f} MB; "
          f"model bound {bound:.1f} s ({len(texts)} texts) -> total/model_bound {total / bound:.2f}; "
          f"align share {result.timings['align'] / total:.1%}", flush=True)
    int8 = model_bound(texts, settings, "int8") if int8_bound else None
    if int8 is not None:
        print(f"({label}) model bound by backend: torch {bound:.1f} s, int8 {int8:.1f} s "
              f"({bound / int8:.2f}x faster); run's backend {settings.embedding_backend}", flush=True)
    return {"total": total, "bound": bound, "int8_bound": int8, "articles": n, "store": store, "result": result}


class ModelClock:
    """Time spent inside the two models (spaCy's parse, MiniLM's encode) while it is installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.real_encode, self.real_parse = embed.encode, claims_stage.iter_article_claims

    def encode(self, texts, **kw):
        t = time.perf_counter()
        try:
            return self.real_encode(texts, **kw)
        finally:
            self.seconds += time.perf_counter() - t

    def parse(self, *args, **kw):
        it = self.real_parse(*args, **kw)
        while True:
            t = time.perf_counter()
            try:
                part = next(it)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - t
            yield part

    def __enter__(self):
        embed.encode, claims_stage.iter_article_claims = self.encode, self.parse
        return self

    def __exit__(self, *exc) -> None:
        embed.encode, claims_stage.iter_article_claims = self.real_encode, self.real_parse


def add_articles(folder: Path, db: Path, settings: Settings, docs: list[dict], n: int) -> None:
    """Add ``n`` new articles, one at a time, to the store built from (b) with ``pipeline.add`` (what
    ``factcheck add`` runs): copies of articles spread over the topics, each with words swapped
    (copy 99, as in corpus (c)). Then one more article through a full re-run of the folder, the
    path that regroups every story. Model time is the time inside the two models (spaCy's parse of
    the new article, MiniLM on its claims)."""
    store = Store(f"sqlite:///{db}")
    totals, models = [], []
    for k in range(n):
        doc = docs[(k * len(docs)) // n + len(docs) // (2 * n)]
        path = folder / f"added_{k}.txt"
        path.write_text(article_text(doc, 99), encoding="utf-8")
        with ModelClock() as clock:
            t = time.perf_counter()
            result = pipeline.add(folder, [path], settings, store=store)
            total = time.perf_counter() - t
        totals.append(total)
        models.append(clock.seconds)
        joined = "joined a story" if result.stories[result.sources[0].source_id][0] else "started a story"
        stages = ", ".join(f"{k} {v:.3f}s" for k, v in result.timings.items())
        print(f"(b+1) add {path.name} ({len(result.claims)} claims, {joined}, {len(result.new)} newly disputed facts): "
              f"{total:.3f} s [{stages}]; model time {clock.seconds:.3f} s ({clock.seconds / total:.0%})", flush=True)
    print(f"(b+1) {n} articles added one at a time: {sum(totals) / n:.3f} s per article on average, "
          f"model time {sum(models) / sum(totals):.0%} of it (max {max(totals):.3f} s)", flush=True)
    (folder / "added_rerun.txt").write_text(article_text(docs[0], 98), encoding="utf-8")
    with ModelClock() as clock:
        t = time.perf_counter()
        result = pipeline.run(folder, settings, store=store)
        total = time.perf_counter() - t
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    print(f"(b+1) full re-run with one more article ({len(result.sources)} sources, every story regrouped): "
          f"{total:.2f} s [{stages}]; model time {clock.seconds:.2f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=4, help="copies of every ECB+ article in corpus (c)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N ECB+ articles")
    ap.add_argument("--skip-large", action="store_true", help="do not run corpus (c)")
    ap.add_argument("--add", type=int, default=5, help="articles added one at a time to the store of (b)")
    ap.add_argument("--no-int8", action="store_true", help="do not run (b) again with the int8 backend")
    args = ap.parse_args()
    settings = Settings()
    embed.load_model(settings.model_package)  # loading the models is start-up, not per-article work
    embed.load_model(settings.model_package, "int8")
    load_nlp()
    work = Path(tempfile.mkdtemp(prefix="factcheck-bench-"))
    try:
        run_corpus("a: sources/", ROOT / "sources", work / "a.db", settings)
        docs = ecb_docs(args.limit)
        write_corpus(work / "b", docs, 1)
        b = run_corpus("b: ECB+ dev", work / "b", work / "b.db", settings)
        if not args.no_int8:
            b8 = run_corpus("b: ECB+ dev, int8", work / "b", work / "b8.db", settings.replace(embedding_backend="int8"))
            print(f"(b) with int8: total {b8['total']:.1f} s against {b['total']:.1f} s with torch; "
                  f"total/fp32_bound={b8['total'] / b['bound']:.2f} (torch run: {b['total'] / b['bound']:.2f}); "
                  f"int8 bound/fp32 bound {b8['int8_bound'] / b8['bound']:.2f}", flush=True)
        if args.add:
            add_articles(work / "b", work / "b.db", settings, docs, args.add)
        if not args.skip_large:
            write_corpus(work / "c", docs, args.scale)
            c = run_corpus(f"c: ECB+ x{args.scale}", work / "c", work / "c.db", settings)
            print(f"growth: {c['articles'] / b['articles']:.1f}x the articles took "
                  f"{c['total'] / b['total']:.2f}x the time (target at most {args.scale * 1.125:.1f}x); "
                  f"the model bound grew {c['bound'] / b['bound']:.2f}x, "
                  f"so time per model-bound second went from {b['total'] / b['bound']:.2f} to "
                  f"{c['total'] / c['bound']:.2f}")
        print(f"total/model_bound={b['total'] / b['bound']:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
