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
