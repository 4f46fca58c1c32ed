"""The whole pipeline at newsroom scale, in one process and one run.

    python bench/pipeline_bench.py [--scale 4] [--limit N] [--skip-large]

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
same model and batch size, measured in this run. Then one article is added to the store built from
(b) and re-run. The last line is ``total/model_bound=…`` for (b).
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


def run_corpus(label: str, folder: Path, db: Path, settings: Settings) -> dict:
    store = Store(f"sqlite:///{db}")
    t = time.perf_counter()
    result = pipeline.run(folder, settings, store=store)
    total = time.perf_counter() - t
    texts = sorted({c.content or c.text for c in result.claims})
    t = time.perf_counter()
    embed.encode(texts, package=settings.model_package, batch_size=settings.batch_size)
    bound = time.perf_counter() - t
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    n, c = len(result.sources), len(result.claims)
    # with a process pool, claims are embedded while the workers parse: "claims" is then the wall
    # time not spent embedding, and the stage times still add up to the total
    print(f"({label}) {n} articles, {c} claims, {len(result.discrepancies)} discrepancies: total {total:.1f} s "
          f"[{stages}]; {n / total:.1f} articles/s, {c / total:.1f} claims/s; peak memory {peak_mb():,.0f} MB; "
          f"model bound {bound:.1f} s ({len(texts)} texts) -> total/model_bound {total / bound:.2f}; "
          f"align share {result.timings['align'] / total:.1%}", flush=True)
    return {"total": total, "bound": bound, "articles": n, "store": store, "result": result}


def add_one(folder: Path, db: Path, settings: Settings, doc: dict) -> None:
    """Add one new article to the folder of (b) and re-run on the store built from (b). Model time
    is the time inside the two models (spaCy parse of the new article, MiniLM on its claims)."""
    (folder / "added_article.txt").write_text(article_text(doc, 99), encoding="utf-8")
    store = Store(f"sqlite:///{db}")
    t_model = {"s": 0.0}
    real_encode, real_parse = embed.encode, claims_stage.iter_article_claims

    def encode(texts, **kw):
        t = time.perf_counter()
        out = real_encode(texts, **kw)
        t_model["s"] += time.perf_counter() - t
        return out

    def parse(*args, **kw):
        it = real_parse(*args, **kw)
        while True:
            t = time.perf_counter()
            try:
                part = next(it)
            except StopIteration:
                return
            finally:
                t_model["s"] += time.perf_counter() - t
            yield part

    embed.encode, claims_stage.iter_article_claims = encode, parse
    try:
        t = time.perf_counter()
        result = pipeline.run(folder, settings, store=store)
        total = time.perf_counter() - t
    finally:
        embed.encode, claims_stage.iter_article_claims = real_encode, real_parse
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    print(f"(b+1) one article added to the store of {len(result.sources) - 1}: {total:.2f} s [{stages}]; "
          f"model time {t_model['s']:.2f} s (spaCy and MiniLM on the new article)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=4, help="copies of every ECB+ article in corpus (c)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N ECB+ articles")
    ap.add_argument("--skip-large", action="store_true", help="do not run corpus (c)")
    args = ap.parse_args()
    settings = Settings()
    embed.load_model(settings.model_package)  # loading the models is start-up, not per-article work
    load_nlp()
    work = Path(tempfile.mkdtemp(prefix="factcheck-bench-"))
    try:
        run_corpus("a: sources/", ROOT / "sources", work / "a.db", settings)
        docs = ecb_docs(args.limit)
        write_corpus(work / "b", docs, 1)
        b = run_corpus("b: ECB+ dev", work / "b", work / "b.db", settings)
        add_one(work / "b", work / "b.db", settings, docs[0])
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
