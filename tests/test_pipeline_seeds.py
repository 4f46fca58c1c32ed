"""End to end on sources/ with the real models: what issue 2 and the seed gold require."""
from __future__ import annotations

import bisect
import csv

import pytest

from factcheck.config import Settings
from factcheck.evaluate import score_seeds

from .conftest import GOLD, ROOT, line_starts

pytestmark = pytest.mark.slow


def test_every_gold_flag_found_and_no_false_alarm(seed_run):
    result, _, _ = seed_run
    report = score_seeds(result, GOLD / "seed_discrepancies.csv")
    failures = [r for r in report.rows if not r[2]]
    assert not failures, "\n".join(report.lines())
    assert report.recall == 1.0 and report.precision == 1.0


def test_headline_conflicts_rank_in_the_first_five(seed_run):
    result, _, _ = seed_run
    claims = {c.claim_id: c for c in result.claims}
    top = result.discrepancies[:5]
    # a disputed fact holds every claim of each side
    texts = [" || ".join(claims[cid].text for side in d.detail["sides"] for cid in side["claims"]) for d in top]
    assert any(d.kind == "attribution_conflict" and "bird strike" in t and "air defenses" in t
               for d, t in zip(top, texts)), texts
    assert any(d.kind == "name_variant" and "Ilhan" in t and "Ilham" in t for d, t in zip(top, texts)), texts


def test_no_claim_from_any_boilerplate_line(seed_run, body_lines):
    result, _, _ = seed_run
    by_name = {s.name: s for s in result.sources}
    names = {s.source_id: s.name for s in result.sources}
    for file, first, last, role in body_lines:
        if role not in ("boilerplate", "duplicate_title", "title", "outlet_and_title", "heading"):
            continue
        starts = line_starts(by_name[file].raw)
        lo = starts[first - 1]
        hi = starts[last] if last < len(starts) else len(by_name[file].raw)
        leaking = [c.text for c in result.claims if names[c.source_id] == file and c.char_start < hi and c.char_end > lo]
        assert not leaking, f"{file} lines {first}-{last} ({role}) produced claims: {leaking[:3]}"


def test_claims_come_from_body_lines_and_spans_point_into_the_raw_file(seed_run, body_lines):
    result, _, _ = seed_run
    raws = {s.source_id: s.raw for s in result.sources}
    names = {s.source_id: s.name for s in result.sources}
    body = {(f, n) for f, a, b, role in body_lines if role == "body" for n in range(a, b + 1)}
    for c in result.claims:
        raw = raws[c.source_id]
        sentence = raw[c.char_start:c.char_end]
        assert sentence.strip(), c
        line = bisect.bisect_right(line_starts(raw), c.char_start)
        assert (names[c.source_id], line) in body, (c.text, line)
        # a whole-sentence claim is the raw text itself; a split claim's words lie in its sentence
        if c.text != sentence:
            words = [w for w in c.text.rstrip(".").split() if len(w) > 3]
            assert all(w.strip(",.;'").lower() in sentence.lower() for w in words), (c.text, sentence)


def test_killed_and_aboard_are_not_a_conflict(seed_run):
    """'38 of 67 people aboard' vs 'claimed the lives of 38 people': 67 is aboard, not dead."""
    result, _, _ = seed_run
    claims = {c.claim_id: c for c in result.claims}
    for d in result.discrepancies:
        pair = [claims[d.claim_a].text] + ([claims[d.claim_b].text] if d.claim_b else [])
        joined = " || ".join(pair)
        assert not ("38 of 67" in joined and "lives of 38" in joined), d.explanation


def test_both_seed_articles_are_one_story(seed_run):
    result, _, _ = seed_run
    assert len(set(result.stories.values())) == 1


def test_every_discrepancy_explains_itself_in_plain_words(seed_run):
    result, _, _ = seed_run
    kinds = {"quantity", "date", "name_variant", "identifier", "attribution_conflict", "actor", "polarity",
             "omission"}
    assert result.discrepancies
    for d in result.discrepancies:
        assert d.kind in kinds
        assert 0 < d.severity <= 1 and 0 < d.confidence <= 1
        assert len(d.explanation) > 40 and d.explanation[0].isupper()


def test_outputs_written_with_the_documented_columns(seed_run):
    _, _, out = seed_run
    with open(out / "claims.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    for col in ("claim_id", "source", "outlet", "text", "char_start", "char_end", "speaker", "party",
                "stance", "check_worthiness", "entities", "quantities", "dates"):
        assert col in header
    with open(out / "discrepancies.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for col in ("discrepancy_id", "kind", "severity", "confidence", "explanation", "source_a", "outlet_a",
                "claim_a", "source_b", "outlet_b", "claim_b", "status"):
        assert col in rows[0]
    assert [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)
    assert (out / "alignments.csv").exists()


def test_committed_claims_csv_matches_a_fresh_run(seed_run):
    """claims.csv at the top level must be what `factcheck run sources/` produces now."""
    _, _, out = seed_run
    fresh = (out / "claims.csv").read_text(encoding="utf-8")
    committed = (ROOT / "claims.csv").read_text(encoding="utf-8")
    assert committed == fresh, "claims.csv drifted from sources/ and the extractor: run `factcheck run sources/` and commit claims.csv"


def with_a_trap(result):
    """The seed run's records with one more article, trap.txt, in a story of its own."""
    import dataclasses

    trap = dataclasses.replace(result.sources[0], source_id="trap", name="trap.txt")
    trap_claim = dataclasses.replace(result.claims[0], claim_id="trap-claim", source_id="trap")
    return trap, trap_claim, {**result.stories, "trap": "other"}


@pytest.mark.slow
def test_a_story_whose_comparison_fails_is_one_line_and_the_others_keep_their_results(seed_run, monkeypatch):
    from factcheck import compare as compare_stage
    from factcheck import pipeline

    result, _, _ = seed_run
    trap, trap_claim, stories = with_a_trap(result)
    real = compare_stage.compare

    def compare(ctx):
        if "trap" in ctx.sources:
            raise ZeroDivisionError("a check divided by zero")
        return real(ctx)

    monkeypatch.setattr(compare_stage, "compare", compare)
    errors: list = []
    found, facts = pipeline.judge([*result.claims, trap_claim], [*result.sources, trap], result.pairs, result.events,
                                  result.clusters, stories, Settings(), errors)
    assert [d.discrepancy_id for d in found] == [d.discrepancy_id for d in result.discrepancies]
    assert len(facts) == len(result.facts)
    assert [str(e) for e in errors] == ["the story of trap.txt: comparing its claims failed (ZeroDivisionError: a check "
                                        "divided by zero) — the other stories went on; please report these files "
                                        "to the factcheck maintainers"]
    with pytest.raises(ZeroDivisionError):  # without a list for errors, nothing is hidden
        pipeline.judge([*result.claims, trap_claim], [*result.sources, trap], result.pairs, result.events,
                       result.clusters, stories, Settings())


@pytest.mark.slow
def test_what_a_run_says_of_its_files_is_kept_for_the_dashboard(tmp_path):
    from factcheck import pipeline

    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "x91.txt").write_text("The ferry ran aground off Lindholm on Tuesday and 14 people were injured, the "
                                    "coastguard said.\n", encoding="utf-8")
    result = pipeline.run(folder, Settings())
    assert result.notes == ["x91.txt: no outlet found in the page; using 'x91' from the file name — set it in the "
                            "outlet column of the manifest (sources.csv)"]


@pytest.mark.slow
def test_a_story_whose_alignment_fails_is_one_line_and_the_others_are_aligned(seed_run, monkeypatch):
    import numpy as np

    from factcheck import align as align_stage
    from factcheck import pipeline

    result, _, _ = seed_run
    trap, trap_claim, stories = with_a_trap(result)
    real = align_stage.align

    def align(claims, vectors, sources, settings, stories_):
        if any(s.source_id == "trap" for s in sources):
            raise IndexError("a trap")
        return real(claims, vectors, sources, settings, stories_)

    monkeypatch.setattr(align_stage, "align", align)
    errors: list = []
    aligned = pipeline.align_stories([*result.claims, trap_claim], np.vstack([result.vectors, result.vectors[:1]]),
                                     [*result.sources, trap], Settings(), stories, errors)
    assert sorted((p.claim_a, p.claim_b) for p in aligned.pairs) == sorted((p.claim_a, p.claim_b) for p in result.pairs)
    assert [str(e).split(" — ")[0] for e in errors] == ["the story of trap.txt: aligning its claims failed "
                                                       "(IndexError: a trap)"]
