"""The pipeline on a Dask cluster of 1 and of 2 worker processes on this machine.

    python bench/cluster_bench.py [--articles 300] [--add 20] [--no-local]

The first ARTICLES ECB+ dev articles (../shared/data/ecbplus/dev_topics_1-35.jsonl) are written as a
sources folder (``ecb.write_sources``) and run with ``pipeline.run(..., engine=DaskEngine)`` on a
``LocalCluster`` of 1 worker, then of 2 workers (one thread each), each time on a fresh SQLite
store, so nothing comes from a cache. Per stage: seconds and articles/s; the stages done per
article on the workers are reading and cleaning ("read+clean": ingest and clean), the parse
("claims") and the sentence model ("embed"); the stories' comparison ("compare") runs a task per
story. Then memory per worker (now and its peak), the cluster's start (each worker loads spaCy and
MiniLM), the store's size per article, and the 2-vs-1 ratio of the per-article stages.

A run in one process (``--no-local`` skips it) gives the baseline and the answers: the runs on the
clusters must write the same claims.csv, discrepancies.csv and facts.csv, byte for byte (the last
lines say so). Then ADD more articles join the store in one batch (``pipeline.add``, what a batch of
``factcheck watch`` does), on the 2-worker cluster and in one process. The load average is printed
before and after: on a machine shared with other work the ratios mean little.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck import claims as claims_stage  # noqa: E402
from factcheck import ecb, embed, pipeline  # noqa: E402
from factcheck.config import Settings  # noqa: E402
from factcheck.engine import DaskEngine  # noqa: E402
from factcheck.store import Store  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "ecbplus" / "dev_topics_1-35.jsonl"
PER_ARTICLE = ("read+clean", "claims", "embed")
SHOWN = (*PER_ARTICLE, "align", "compare", "store")
OUTPUTS = ("claims.csv", "discrepancies.csv", "facts.csv")


def worker_memory() -> tuple[float, float]:
    """(MB now, MB peak) of this worker process."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_cpu() -> float:
    """CPU seconds this worker process has used (user and system)."""
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system


def stages(timings: dict[str, float]) -> dict[str, float]:
    out = {"read+clean": timings.get("ingest", 0.0) + timings.get("clean", 0.0)}
    out.update({k: timings.get(k, 0.0) for k in SHOWN[1:]})
    out["total"] = sum(timings.values())
    return out


def run_once(label: str, folder: Path, scratch: Path, engine: DaskEngine | None) -> dict:
    out = scratch / label
    out.mkdir()
    db = out / "factcheck.db"
    t = time.perf_counter()
    result = pipeline.run(folder, Settings(), store=Store(f"sqlite:///{db}"), out=out, engine=engine)
    wall = time.perf_counter() - t
    return {"label": label, "stages": stages(result.timings), "wall": wall, "articles": len(result.sources),
            "claims": len(result.claims), "out": out,
            "db_bytes": sum(f.stat().st_size for f in out.glob("factcheck.db*"))}  # with SQLite's write-ahead log


def on_cluster(workers: int, folder: Path, scratch: Path, then=None) -> dict:
    """A run on a new cluster of ``workers``; ``then(engine, row)`` before the cluster ends."""
    t = time.perf_counter()
    with DaskEngine.start(Settings(), workers=workers) as engine:
        started = time.perf_counter() - t
        cpu = engine.client.run(worker_cpu)
        row = run_once(f"{workers}-worker", folder, scratch, engine)
        row["cpu"] = sum(engine.client.run(worker_cpu).values()) - sum(cpu.values())
        row["memory"] = sorted(engine.client.run(worker_memory).values())
        if then is not None:
            then(engine, row)
    row["start"] = started
    return row


def add_once(folder: Path, row: dict, added: list[Path], engine: DaskEngine | None) -> None:
    """``added`` joined to the run's store at once (``pipeline.add``: what a batch of ``factcheck
    watch`` does), timed into ``row["add"]``."""
    store = Store(f"sqlite:///{row['out'] / 'factcheck.db'}")
    t = time.perf_counter()
    pipeline.add(folder, added, Settings(), store=store, engine=engine)
    row["add"] = time.perf_counter() - t


def placed(articles: list, folder: Path, scratch: Path) -> list[Path]:
    """``articles`` written into the folder now (files and manifest rows), for ``add``."""
    extra = ecb.write_sources(articles, scratch / "extra")
    rows = (extra / "sources.csv").read_text(encoding="utf-8").splitlines()[1:]
    with (folder / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write("".join(r + "\n" for r in rows))
    out = []
    for a in articles:
        out.append(folder / f"{a.doc}.txt")
        out[-1].write_bytes((extra / f"{a.doc}.txt").read_bytes())
    return out


def show(row: dict) -> None:
    n = row["articles"]
    cells = "  ".join(f"{k} {v:6.1f}s ({n / v:6.1f}/s)" if v > 0.05 else f"{k} {v:6.2f}s"
                      for k, v in row["stages"].items() if k in PER_ARTICLE)
    rest = "  ".join(f"{k} {row['stages'][k]:.2f}s" for k in SHOWN if k not in PER_ARTICLE)
    print(f"{row['label']:>9}: {n} articles, {row['claims']} claims, total {row['stages']['total']:.1f}s "
          f"({n / row['stages']['total']:.2f} articles/s)")
    print(f"{'':>9}  {cells}")
    print(f"{'':>9}  {rest}")
    if "memory" in row:
        mem = ", ".join(f"{now:.0f} MB (peak {peak:.0f})" for now, peak in row["memory"])
        print(f"{'':>9}  cluster start {row['start']:.1f}s (models loaded on each worker); memory per worker: {mem}; "
              f"workers' CPU {row['cpu']:.1f}s ({row['cpu'] / n * 1000:.0f} ms per article)")
    print(f"{'':>9}  store {row['db_bytes'] / n / 1024:.1f} kB per article (SQLite, with the caches)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--add", type=int, default=20, help="articles added afterwards in one batch")
    parser.add_argument("--no-local", action="store_true", help="skip the run in one process")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
        scratch = Path(tmp)
        articles = ecb.load(ECB)[:args.articles + args.add]
        folder = ecb.write_sources(articles[:args.articles], scratch / "sources")
        rows = []
        if not args.no_local:
            claims_stage.load_nlp()  # as the workers: the models loaded before the clock starts
            embed.load_model(Settings().model_package, Settings().embedding_backend)
            rows.append(run_once("local", folder, scratch, None))
            show(rows[-1])
        added: list[Path] = []

        def add_there(engine, row):  # after the last run: the folder gains ADD articles
            added.extend(placed(articles[args.articles:], folder, scratch))
            add_once(folder, row, added, engine)

        one, two = on_cluster(1, folder, scratch), on_cluster(2, folder, scratch, then=add_there)
        for row in (one, two):
            show(row)
        if rows:
            add_once(folder, rows[0], added, None)
        print(f"adding {len(added)} more articles to the store of the run (pipeline.add, a watch's batch): "
              f"2 workers {two['add']:.1f}s" + (f", local {rows[0]['add']:.1f}s" if rows else ""))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        per_article = {k: one["stages"][k] / two["stages"][k] for k in PER_ARTICLE if two["stages"][k] > 0}
        both = sum(one["stages"][k] for k in PER_ARTICLE) / sum(two["stages"][k] for k in PER_ARTICLE)
        print("2 workers vs 1: " + ", ".join(f"{k} {v:.2f}x" for k, v in per_article.items())
              + f"; per-article stages together {both:.2f}x (target 1.6x); compare "
              f"{one['stages']['compare'] / max(two['stages']['compare'], 1e-9):.2f}x; whole run "
              f"{one['stages']['total'] / two['stages']['total']:.2f}x")
        cost = {k: one["stages"][k] / one["articles"] for k in PER_ARTICLE}
        print("worker seconds per article (1 worker): " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in cost.items())
              + f"; together {sum(cost.values()) * 1000:.0f} ms")
        if rows:
            same = all((r["out"] / f).read_bytes() == (rows[0]["out"] / f).read_bytes() for r in (one, two)
                       for f in OUTPUTS)
            print(f"same answers as the local run ({', '.join(OUTPUTS)}, byte for byte): {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
