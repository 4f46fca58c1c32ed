"""Line precision and recall of the cleaner on the gold-labelled seeds, and its speed.

Run from the repo top: ``python bench/clean_bench.py [--gold PATH] [--sources DIR]``.

Kept lines are those labelled body or heading; dropped are boilerplate and duplicate_title; title
lines (title, outlet_and_title) count as titles, neither kept nor dropped. Blank lines and lines the
gold does not list are not scored.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck.clean import clean  # noqa: E402
from factcheck.config import Settings  # noqa: E402
from factcheck.evaluate import read_line_gold  # noqa: E402
from factcheck.ingest import load_sources, read_source  # noqa: E402

KEPT = {"body", "heading"}
TITLES = {"title", "outlet_and_title"}
DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "shared" / "gold" / "seed_body_lines.csv"
HTML_PAGE = Path(__file__).resolve().parents[1] / "tests" / "pages" / "harbour_bridge.html"
# Times each seed is cleaned for the speed figure: enough for a stable mean, well under a second.
SPEED_REPEATS = 20
log = logging.getLogger("clean_bench")


def score(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Precision/recall of kept lines and title agreement over (gold, predicted) label pairs."""
    tp = sum(g in KEPT and p in KEPT for g, p in pairs)
    pred_kept = sum(p in KEPT for _, p in pairs)
    gold_kept = sum(g in KEPT for g, _ in pairs)
    gold_titles = [(g, p) for g, p in pairs if g in TITLES]
    return {
        "precision": tp / pred_kept if pred_kept else 1.0,
        "recall": tp / gold_kept if gold_kept else 1.0,
        "titles": sum(p == g for g, p in gold_titles) / len(gold_titles) if gold_titles else 1.0,
        "exact": sum(g == p for g, p in pairs) / len(pairs) if pairs else 1.0,
        "lines": len(pairs),
    }


def scored_pairs(body, gold_lines: dict[int, str]) -> list[tuple[str, str]]:
    """(gold, predicted) for every non-blank line the gold lists."""
    return [(gold_lines[lab.line_no], lab.label) for lab in body.labels
            if lab.line_no in gold_lines and lab.label != "blank"]


def speed(sources, settings: Settings) -> tuple[float, float]:
    """(ms per source, MB per second) over ``SPEED_REPEATS`` passes."""
    started = time.perf_counter()
    for _ in range(SPEED_REPEATS):
        for src in sources:
            clean(src, settings)
    elapsed = time.perf_counter() - started
    chars = SPEED_REPEATS * sum(len(s.raw) for s in sources)
    return 1000 * elapsed / (SPEED_REPEATS * len(sources)), chars / elapsed / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--sources", type=Path, default=Path("sources"))
    args = parser.parse_args(argv)
    settings = Settings()
    gold = read_line_gold(args.gold)
    sources, errors = load_sources(args.sources, settings)
    for err in errors:
        log.warning("%s", err)
    seeds = [s for s in sources if s.name in gold]
    everything: list[tuple[str, str]] = []
    print(f"{'file':<28} {'lines':>5} {'precision':>9} {'recall':>6} {'titles':>6} {'exact':>6}")
    for src in seeds:
        pairs = scored_pairs(clean(src, settings), gold[src.name])
        everything += pairs
        _print_row(src.name, score(pairs))
    _print_row("overall", score(everything))
    ms, mbps = speed(seeds, settings)
    print(f"speed (text seeds): {ms:.1f} ms per source, {mbps:.2f} MB of raw text per second ({SPEED_REPEATS} passes)")
    if HTML_PAGE.exists():
        ms, mbps = speed([read_source(HTML_PAGE, settings)], settings)
        print(f"speed (saved HTML, {HTML_PAGE.name}): {ms:.1f} ms per page, {mbps:.2f} MB per second")
    overall = score(everything)
    return 0 if overall["precision"] == 1.0 and overall["recall"] == 1.0 else 1


def _print_row(name: str, s: dict[str, float]) -> None:
    print(f"{name:<28} {s['lines']:>5} {s['precision']:>9.3f} {s['recall']:>6.3f} {s['titles']:>6.3f} {s['exact']:>6.3f}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    raise SystemExit(main())
