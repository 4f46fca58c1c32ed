"""Wire copies are decided by one test (factcheck.copies) for `run` (the folder's bodies) and
`add` (an added article against the stored articles closest to it)."""
from __future__ import annotations

import pytest

from factcheck.clean import clean
from factcheck.config import Settings
from factcheck.copies import copy_among, mark_duplicates
from factcheck.ingest import read_source

from .test_clean import PAGES

SETTINGS = Settings()


def page(name: str):
    return read_source(PAGES / name, SETTINGS)


@pytest.mark.parametrize("first, second, copy", [
    ("quarry_ledger.txt", "quarry_dispatch.txt", True),  # one wire story under two headers
    ("quarry_ledger.txt", "ferry_appended.txt", False),  # two reports
])
def test_run_and_add_find_the_same_copies(first, second, copy):
    a, b = page(first), page(second)
    kept = mark_duplicates([a, b], SETTINGS)  # run: both in the folder
    assert (len(kept) == 1) is copy
    found = copy_among(clean(b, SETTINGS), [a], SETTINGS)  # add: b added, a stored
    assert (found is not None) is copy
    assert found is None or found.source_id == a.source_id


def test_a_copy_that_changes_a_figure_is_a_report_of_its_own(tmp_path):
    """One wire story carried twice, one copy altered ("12,000 cubic metres" became 21,000): the
    altered copy is kept as its own report, so the figure it changed can be compared; run and add
    decide it alike."""
    a = page("quarry_ledger.txt")
    altered = tmp_path / "quarry_altered.txt"
    altered.write_text(a.raw.replace("Northern Ledger", "Southern Post").replace("12,000", "21,000"),
                       encoding="utf-8")
    b = read_source(altered, SETTINGS)
    assert len(mark_duplicates([a, b], SETTINGS)) == 2
    assert copy_among(clean(b, SETTINGS), [a], SETTINGS) is None
    faithful = tmp_path / "quarry_faithful.txt"
    faithful.write_text(a.raw.replace("Northern Ledger", "Southern Post"), encoding="utf-8")
    c = read_source(faithful, SETTINGS)
    assert len(mark_duplicates([a, c], SETTINGS)) == 1
    assert copy_among(clean(c, SETTINGS), [a], SETTINGS) is not None
