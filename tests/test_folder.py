"""Adding files to the sources folder (factcheck.folder): one policy for `add` and the upload."""
from __future__ import annotations

import pytest

from factcheck.config import Settings
from factcheck.errors import SourceError
from factcheck.folder import add_to_folder, safe_name, stage

ARTICLE = b"Wire - Quarry reopens\n\nThe quarry outside Braga reopened on Monday after a two-week inspection, its owner said.\n"
OTHER = ARTICLE.replace(b"Monday", b"Tuesday")


def test_names_stay_inside_the_folder_and_are_of_articles():
    assert safe_name("../../etc/x.html") == "x.html"
    assert safe_name(".hidden.txt") == "hidden.txt" and safe_name("-rf.txt") == "rf.txt"
    assert safe_name("Coastal Times – ferry é.txt") == "Coastal_Times_ferry_é.txt"
    with pytest.raises(SourceError, match=r"\.exe files are not read"):
        safe_name("payload.exe")


def test_the_same_file_again_is_that_file_and_another_gets_a_free_name(tmp_path):
    first = stage("x.txt", ARTICLE, tmp_path, Settings())
    assert (first.path, first.created, first.note) == (tmp_path / "x.txt", True, "")
    again = stage("x.txt", ARTICLE, tmp_path, Settings())
    assert (again.path, again.created) == (tmp_path / "x.txt", False)
    other = stage("x.txt", OTHER, tmp_path, Settings())
    assert other.path == tmp_path / "x_2.txt" and "x.txt in the folder holds another article" in other.note
    assert (tmp_path / "x.txt").read_bytes() == ARTICLE


def test_what_ingest_refuses_never_joins_the_folder(tmp_path):
    done = add_to_folder([("menu.txt", b"Home | World\nSubscribe now\n"), ("scan.txt", b"\x89PNG\x00\x00" * 20),
                          ("ok.txt", ARTICLE), ("nope.txt", None)], tmp_path / "src", Settings())
    assert [s.path.name for s in done.staged] == ["ok.txt"]
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == ["ok.txt"]
    assert [e.name for e in done.errors] == ["menu.txt", "scan.txt", "nope.txt"]
    assert all("\n" not in str(e) for e in done.errors)
