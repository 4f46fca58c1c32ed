"""Quality gates for alignment (real models): fail when ECB+ pairwise F1 drops below a pinned floor,
or when the seed articles stop landing in one story with every gold flag found."""
from __future__ import annotations

import pytest

from factcheck import evaluate
from factcheck.config import Settings

from .conftest import GOLD, SHARED

ECB_FILE = SHARED / "data" / "ecbplus" / "dev_topics_1-35.jsonl"
# Topics 2 (two Oscar hosts), 5, 13 and 20 (two Iranian earthquakes): similar events that stories
# must keep apart; 8 articles each keeps each mode of the gate near 15 s on 2 cores.
GATE_TOPICS = {2, 5, 13, 20}
GATE_DOCS = 8
# Pinned a little under what the gate measured when it was set (see the test's message).
F1_FLOOR = 0.9  # measured 0.949 (P 0.902, R 1.000), crossing 0.000
MAX_CROSSING = 0.05
# The claims mode (the real claims stage, not one claim per sentence) on the same articles: what a
# user's run aligns. Measured 0.726 (P 0.653, R 0.817), crossing 0.267: claims that name less than
# their sentence cross the two events of a topic more often. Pinned to catch a fall, not a target.
CLAIMS_F1_FLOOR = 0.68
CLAIMS_MAX_CROSSING = 0.32

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ecb_report():
    if not ECB_FILE.exists():
        pytest.skip(f"{ECB_FILE} not present")
    return evaluate.eval_align(ECB_FILE, Settings(), topics=GATE_TOPICS, limit_docs=GATE_DOCS)


@pytest.fixture(scope="module")
def ecb_claims_report():
    if not ECB_FILE.exists():
        pytest.skip(f"{ECB_FILE} not present")
    return evaluate.eval_align(ECB_FILE, Settings(), topics=GATE_TOPICS, limit_docs=GATE_DOCS, mode="claims")


def test_ecb_alignment_of_real_claims_above_floor(ecb_claims_report):
    s = ecb_claims_report.score
    assert s.f1 >= CLAIMS_F1_FLOOR, f"claims mode F1 {s.f1:.3f} (P {s.precision:.3f}, R {s.recall:.3f})"
    assert s.crossing_share <= CLAIMS_MAX_CROSSING, f"claims mode crossing {s.crossing_share:.3f}"


def test_ecb_alignment_f1_above_floor(ecb_report):
    s = ecb_report.score
    assert s.f1 >= F1_FLOOR, f"F1 {s.f1:.3f} (P {s.precision:.3f}, R {s.recall:.3f}) under the floor {F1_FLOOR}"


def test_ecb_alignment_keeps_similar_events_apart(ecb_report):
    assert ecb_report.score.crossing_share <= MAX_CROSSING


def test_ecb_report_splits_the_loss_between_stories_and_pairs(ecb_report):
    """The pair step run inside the corpus's own stories: what perfect story grouping would score."""
    gold = ecb_report.gold_stories
    assert gold is not None and gold.crossing == 0, "inside the gold stories no pair can cross them"
    assert gold.f1 >= F1_FLOOR, f"given the gold stories the pair step scores F1 {gold.f1:.3f}"
    assert any(line.startswith("gold stories:") for line in ecb_report.lines())


def test_ecb_report_ends_with_the_figures(ecb_report):
    assert ecb_report.lines()[-1].startswith("precision=") and " f1=" in ecb_report.lines()[-1]


def test_seed_articles_form_one_story(seed_run):
    result, _, _ = seed_run
    assert len(result.sources) == 2 and len(set(result.stories.values())) == 1
    outlets = {o for c in result.clusters for o in c.outlets if len(c.outlets) > 1}
    assert len(outlets) == 2, "no fact cluster spans both seed outlets"


def test_seed_gold_is_met(seed_run):
    result, _, _ = seed_run
    report = evaluate.score_seeds(result, GOLD / "seed_discrepancies.csv")
    assert (report.recall, report.precision) == (1.0, 1.0), "\n".join(report.lines())
