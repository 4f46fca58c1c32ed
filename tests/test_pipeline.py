"""Pipeline wiring beyond the seeds: syndicated copies, settings files, the embedding cache."""
from __future__ import annotations

import shutil

import pytest

from factcheck import pipeline
from factcheck.config import Settings, load_settings
from factcheck.errors import FactcheckError
from factcheck.store import Store

from .conftest import ROOT

SEED = "003_13ab6dc0d62df074.txt"


@pytest.mark.slow
def test_a_wire_copy_is_kept_once_with_both_outlets(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "sources" / SEED, src / SEED)
    original = (ROOT / "sources" / SEED).read_text(encoding="utf-8")
    body = original[original.index("Azerbaijan defies Russia\n\n\n\n\nSince"):]
    (src / "copy.txt").write_text("Caucasus Daily Monitor - Azerbaijan defies Russia\n\nMenu | Sections | Subscribe\n\n"
                                  + body + "\n\nShare this story\n", encoding="utf-8")
    result = pipeline.run(src, Settings())
    assert len(result.sources) == 1
    kept = result.sources[0]
    assert {kept.outlet, *kept.also_outlets} == {"The Japan Times", "Caucasus Daily Monitor"}


def test_settings_file_overrides_only_its_keys(tmp_path):
    f = tmp_path / "fc.toml"
    f.write_text('align_threshold = 0.61\nchecks = ["quantity"]\n')
    s = load_settings(f)
    assert s.align_threshold == 0.61 and s.checks == ("quantity",)
    assert s.top_k == Settings().top_k


@pytest.mark.parametrize("content,fragment", [("nonsense = = =", "not valid TOML"), ("no_such_key = 1", "unknown setting")])
def test_bad_settings_file_is_one_clear_error(tmp_path, content, fragment):
    f = tmp_path / "fc.toml"
    f.write_text(content)
    with pytest.raises(FactcheckError, match=fragment):
        load_settings(f)


@pytest.mark.slow
def test_embeddings_are_cached_in_the_store(tmp_path, monkeypatch):
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    first = pipeline.run(ROOT / "sources", Settings(), store=store)
    from factcheck import embed

    calls = []
    real = embed.encode
    monkeypatch.setattr(embed, "encode", lambda texts, **kw: calls.append(len(texts)) or real(texts, **kw))
    second = pipeline.run(ROOT / "sources", Settings(), store=store)
    assert calls == []  # nothing new to embed
    assert [d.discrepancy_id for d in first.discrepancies] == [d.discrepancy_id for d in second.discrepancies]
