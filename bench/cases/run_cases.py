"""The real-coverage benchmark: rebuild each case folder's manifest, run every case, score them.

Each case under ``bench/cases/<case>/`` holds what may be committed: ``manifest.csv`` (file, url,
outlet, published, language), ``README.md`` (the event, the queries used, notes), ``gold.csv``
(what a fact-checker marks) and ``labels.csv`` (the first 20 rows of a run, labelled tp/dup/fp).
The articles themselves are third-party text and live outside the repository, one folder per case
(``--scratch``, default ``../scratch/cases`` beside the checkout), as gathered from public news
pages with the URLs of the manifests.

    python bench/cases/run_cases.py [--scratch DIR] [--out DIR] [--cases a,b | --holdout] [--verbose]

writes ``DIR/<case>/`` (claims.csv, discrepancies.csv, alignments.csv, its own store), then prints
``factcheck eval cases`` over them: must-flag recall, must-not-flag violations, rows per found
conflict and P@20, per case, per kind and in all. A case whose folder is missing is named and
skipped. Every case runs with ``--one-story`` (each folder is one event, gathered by hand).
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from factcheck import cases as case_bench  # noqa: E402
from factcheck import pipeline  # noqa: E402
from factcheck.config import load_settings  # noqa: E402
from factcheck.store import Store  # noqa: E402


def case_dirs(only: set[str] | None = None, holdout: bool = False) -> list[Path]:
    """The cases with gold: those named, else the dev cases (or, with ``holdout``, the cases kept
    aside, marked by a ``HOLDOUT`` file: gathered and labelled blind, measured, never worked on)."""
    return [d for d in sorted(HERE.iterdir())
            if (d / "gold.csv").exists() and (d.name in only if only is not None
                                              else (d / "HOLDOUT").exists() == holdout)]


def combined(name: str, dirs: list[Path], out: Path) -> Path | None:
    """One CSV of every case's ``name`` file (the header once)."""
    files = [d / name for d in dirs if (d / name).exists()]
    if not files:
        return None
    path = out / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = None
        for f in files:
            with open(f, encoding="utf-8-sig", newline="") as src:
                reader = csv.DictReader(src)
                if writer is None:
                    writer = csv.DictWriter(fh, fieldnames=reader.fieldnames, extrasaction="ignore")
                    writer.writeheader()
                for row in reader:
                    writer.writerow(row)
    return path


def run_case(case: Path, scratch: Path, out: Path, settings) -> Path | None:
    folder = scratch / case.name
    if not folder.is_dir():
        print(f"skipped {case.name}: no folder {folder} (gather its articles from the URLs in "
              f"{case / 'manifest.csv'})", file=sys.stderr)
        return None
    shutil.copyfile(case / "manifest.csv", folder / settings.manifest_name)
    dest = out / case.name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    t = time.perf_counter()
    result = pipeline.run(folder, settings, store=Store(f"sqlite:///{dest / 'fc.db'}"), out=dest)
    for err in result.errors:
        print(f"  skipped: {err}", file=sys.stderr)
    print(f"{case.name}: {len(result.sources)} articles, {len(result.claims)} claims, "
          f"{len(result.discrepancies)} rows, {time.perf_counter() - t:.1f}s", file=sys.stderr)
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scratch", type=Path, default=HERE.parent.parent.parent / "scratch" / "cases")
    ap.add_argument("--out", type=Path, default=Path("/tmp/factcheck-cases"))
    ap.add_argument("--cases", default=None, help="comma-separated case names (default: the dev cases)")
    ap.add_argument("--holdout", action="store_true", help="run the held-out cases instead of the dev cases")
    ap.add_argument("--config", default=None, help="TOML settings file (to measure a change)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    only = set(args.cases.split(",")) if args.cases else None
    dirs = case_dirs(only, args.holdout)
    args.out.mkdir(parents=True, exist_ok=True)
    settings = load_settings(args.config, story_grouping="one")
    runs = [d for d in (run_case(c, args.scratch, args.out, settings) for c in dirs) if d]
    if not runs:
        sys.exit("no case folder found: pass --scratch DIR holding one folder of articles per case")
    gold = combined("gold.csv", dirs, args.out)
    labels = combined("labels.csv", dirs, args.out)
    for line in case_bench.eval_cases(gold, runs, labels).lines(verbose=args.verbose):
        print(line)


if __name__ == "__main__":
    main()
