"""Every case of the bad-input corpus (tests/bad_inputs.py) through the command line: no traceback,
one line per bad input, the good article's claims kept. `python bench/bad_inputs.py` prints the
same cases as a table with timings."""
from __future__ import annotations

import pytest

from tests.bad_inputs import baseline_claims, cases, run_case

CASES = cases()


def test_the_corpus_covers_every_kind_of_bad_input():
    assert len(CASES) >= 70
    assert {c.group for c in CASES} >= {"file", "encoding", "language", "furniture", "size", "parser", "manifest",
                                        "urls", "config", "command"}
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    found = baseline_claims(tmp_path_factory.mktemp("baseline"))
    assert found >= 4, "the good article alone gives its claims"
    return found


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, baseline, tmp_path):
    outcome = run_case(case, tmp_path, baseline)
    assert not outcome.traceback, outcome.traceback
    assert outcome.ok, f"{outcome.problems}; said: {outcome.lines}"
