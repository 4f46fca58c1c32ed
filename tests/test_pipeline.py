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


@pytest.mark.parametrize("content,fragment", [("nonsense = = =", "not valid TOML"), ("no_such_key = 1", "unknown setting"),
                                              ('story_grouping = "two"', "set it to one of auto, one")])
def test_bad_settings_file_is_one_clear_error(tmp_path, content, fragment):
    f = tmp_path / "fc.toml"
    f.write_text(content)
    with pytest.raises(FactcheckError, match=fragment):
        load_settings(f)


@pytest.mark.parametrize("content, line", [
    ('align_threshold = "high"', "align_threshold is 'high' — write a number, e.g. 0.55"),
    ("workers = 2.5", "workers is 2.5 — write a whole number, e.g. 8"),
    ("top_k = 0", "top_k is 0 — write a whole number of at least 1"),
    ("cluster_threshold = 1.5", "cluster_threshold is 1.5 — write a number from 0 to 1"),
    ('checks = "count"', "checks is 'count' — write a list of names"),
    ("checks = [1, 2]", "checks is (1, 2) — write a list of names"),
    ("manifest_name = 3", "manifest_name is 3 — write text in quotes"),
    ("[align_threshold]\nx = 1", "align_threshold is {'x': 1} — write a number"),
])
def test_a_setting_of_the_wrong_type_or_range_is_one_line_naming_file_and_key(tmp_path, content, line):
    f = tmp_path / "fc.toml"
    f.write_text(content)
    with pytest.raises(FactcheckError) as err:
        load_settings(f)
    assert str(err.value).startswith(f"{f}: {line}") and "\n" not in str(err.value)


def test_every_wrong_setting_gets_its_own_line(tmp_path):
    f = tmp_path / "fc.toml"
    f.write_text('align_threshold = "high"\ntop_k = -1\nevent_threshold = 0.5\n')
    with pytest.raises(FactcheckError) as err:
        load_settings(f)
    assert [ln.split(" is ")[0] for ln in str(err.value).splitlines()] == [f"{f}: top_k", f"{f}: align_threshold"]


def test_check_options_are_declared_by_each_check_and_overridden_by_name(tmp_path):
    from factcheck import compare

    f = tmp_path / "fc.toml"
    f.write_text("[check_options.polarity]\nmin_cosine = 0.9\n")
    settings = load_settings(f)
    compare.validate_checks(settings)
    ctx = compare.Context(settings=settings, claims={}, sources={}, pairs=[])
    assert ctx.option("polarity", "min_cosine") == 0.9
    assert ctx.option("omission", "min_check_worthiness") == compare.OPTIONS["omission"]["min_check_worthiness"]
    assert all(isinstance(compare.OPTIONS[name], dict) for name in compare.check_names())


@pytest.mark.parametrize("options, line", [
    ({"polarty": {"min_cosine": 0.9}}, "check_options.polarty: no such check — known: actor, "),
    ({"polarity": {"min_cos": 0.9}}, "check_options.polarity.min_cos: the polarity check has no such option — known: min_cosine"),
    ({"polarity": {"min_cosine": "high"}}, "check_options.polarity.min_cosine is 'high' — write a value like its default, 0.75"),
    ({"polarity": {"min_cosine": 7}}, "check_options.polarity.min_cosine is 7 — write a value like its default, 0.75"),
])
def test_a_misspelt_check_option_is_one_line(options, line):
    from factcheck import compare

    with pytest.raises(FactcheckError) as err:
        compare.validate_checks(Settings(check_options=options))
    assert str(err.value).startswith(line) and "\n" not in str(err.value)


def test_a_setting_that_moved_into_a_check_says_where(tmp_path):
    f = tmp_path / "fc.toml"
    f.write_text("polarity_min_cosine = 0.8\n")
    with pytest.raises(FactcheckError, match=r"polarity_min_cosine is now an option of the polarity check — write "
                                             r"\[check_options.polarity\] min_cosine = 0.8"):
        load_settings(f)


def test_a_whole_number_is_a_number_and_defaults_are_valid():
    assert Settings(align_threshold=1).align_threshold == 1
    assert Settings() == Settings(**{k: getattr(Settings(), k) for k in Settings.__dataclass_fields__})


@pytest.mark.slow
def test_a_process_pool_gives_the_serial_results(tmp_path, monkeypatch):
    """Claims parsed by a process pool (started while the files are cleaned; groups of articles,
    finishing in any order) give the serial run's claims, vectors and discrepancies."""
    import numpy as np

    from factcheck import claims as claims_stage

    started = []
    real_pool = claims_stage.ParsePool

    def counted(workers):
        started.append(workers)
        return real_pool(workers)

    serial = pipeline.run(ROOT / "sources", Settings(workers=1))
    monkeypatch.setattr(claims_stage, "ParsePool", counted)
    pooled = pipeline.run(ROOT / "sources", Settings(workers=2, parallel_min_paragraphs=1),
                          store=Store(f"sqlite:///{tmp_path / 'fc.db'}"))
    assert started == [2], "one pool, started before the parse and used by it"
    assert pooled.claims == serial.claims
    assert np.allclose(pooled.vectors, serial.vectors, atol=1e-5)
    assert [d.discrepancy_id for d in pooled.discrepancies] == [d.discrepancy_id for d in serial.discrepancies]
    assert pooled.timings["claims"] > 0 and pooled.timings["embed"] > 0


@pytest.mark.slow
def test_a_rerun_reads_claims_and_embeddings_from_the_store(tmp_path, monkeypatch):
    """Nothing unchanged is read, cleaned, parsed or embedded again, and the results are the same;
    a changed file is read and cleaned again."""
    from factcheck import claims as claims_stage
    from factcheck import embed

    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    first = pipeline.run(ROOT / "sources", Settings(), store=store)
    parsed, embedded = [], []
    real_parse, real_embed = claims_stage.iter_article_claims, embed.encode
    monkeypatch.setattr(claims_stage, "iter_article_claims",
                        lambda s, b, *a, **k: parsed.append(len(b)) or real_parse(s, b, *a, **k))
    monkeypatch.setattr(embed, "encode", lambda texts, **kw: embedded.append(len(texts)) or real_embed(texts, **kw))
    cleaned = []
    real_clean = pipeline.clean_stage.clean
    monkeypatch.setattr(pipeline.clean_stage, "clean", lambda src, st: cleaned.append(src.name) or real_clean(src, st))
    second = pipeline.run(ROOT / "sources", Settings(), store=store)
    assert parsed == [0] and embedded == [] and cleaned == []
    assert second.claims == first.claims
    assert [d.discrepancy_id for d in first.discrepancies] == [d.discrepancy_id for d in second.discrepancies]


def test_claim_records_round_trip_through_json():
    import json
    from datetime import date

    from factcheck.models import Claim, DateSpan, Entity, Quantity, claim_from_dict, claim_to_dict

    c = Claim("c1", "s1", 3, "text", 0, 4, content="x", speaker="Baku", party="Azerbaijan", stance="blames",
              frame="cause", entities=(Entity("Baku", "GPE", "party:azerbaijan"),),
              quantities=(Quantity("at least 40", 40.0, None, None, "dead", False),),
              dates=(DateSpan("in May", date(2025, 5, 1), date(2025, 5, 31), "month", True),
                     DateSpan("on Monday", None, None, "day", False)), check_worthiness=0.7)
    assert claim_from_dict(json.loads(json.dumps(claim_to_dict(c)))) == c


@pytest.mark.slow
def test_a_changed_file_is_read_and_cleaned_again(tmp_path, monkeypatch):
    """The prepared-article cache is keyed by the file's bytes: editing one file re-reads only it,
    and the run sees the edit."""
    folder = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", folder)
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    assert pipeline.fresh_lines(folder, Settings(), pipeline.PreparedArticles(store))[0] == 2
    pipeline.run(folder, Settings(), store=store)
    assert pipeline.fresh_lines(folder, Settings(), pipeline.PreparedArticles(store)) == (0, 0), \
        "nothing to read afresh: a re-run starts no parse pool"
    edited = sorted(folder.glob("*.txt"))[0]
    text = edited.read_text(encoding="utf-8")
    assert "Aliyev" in text
    edited.write_text(text.replace("Aliyev", "Aliyeff", 1), encoding="utf-8")
    assert pipeline.fresh_lines(folder, Settings(), pipeline.PreparedArticles(store)) == \
        (1, edited.read_bytes().count(b"\n") + 1)
    cleaned = []
    real_clean = pipeline.clean_stage.clean
    monkeypatch.setattr(pipeline.clean_stage, "clean", lambda src, st: cleaned.append(src.name) or real_clean(src, st))
    result = pipeline.run(folder, Settings(), store=store)
    assert cleaned == [edited.name]
    assert any("Aliyeff" in c.text for c in result.claims)


TRIPPING = ("Nordic Flood Watch - Flood in the valley\n\n"
            "Ø. Solberg said that 40 people died in the flood on Tuesday, and the regional office confirmed it.\n\n"
            "The spokesman, ’s Aliyev, said that 12 villages were cut off by the water.\n\n"
            "Rescuers said that at least 300 homes were damaged across the valley by the flood.\n")


@pytest.mark.slow
def test_text_that_used_to_crash_is_read(tmp_path):
    """A person whose first word folds to nothing and a spaced possessive raised IndexError in the
    entity keys and stopped the whole run; now both are read and the other article too."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "sources" / SEED, src / SEED)
    (src / "flood.txt").write_text(TRIPPING, encoding="utf-8")
    result = pipeline.run(src, Settings(story_grouping="one"))
    names = {s.source_id: s.name for s in result.sources}
    flood = [c for c in result.claims if names[c.source_id] == "flood.txt"]
    assert any("Solberg" in c.text and c.quantities for c in flood)
    assert any(names[c.source_id] == SEED for c in result.claims)
    assert not result.errors


@pytest.mark.slow
def test_an_article_that_trips_a_stage_is_one_error_and_the_others_proceed(tmp_path, monkeypatch):
    """Whatever one article raises while it is read or cleaned becomes one error naming the file."""
    from factcheck import clean as clean_stage

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "sources" / SEED, src / SEED)
    (src / "flood.txt").write_text(TRIPPING, encoding="utf-8")
    real = clean_stage.clean

    def clean(source, settings):
        if source.name == "flood.txt":
            raise IndexError("list index out of range")
        return real(source, settings)

    monkeypatch.setattr(clean_stage, "clean", clean)
    result = pipeline.run(src, Settings(story_grouping="one"))
    assert [s.name for s in result.sources] == [SEED]
    assert len(result.errors) == 1 and "flood.txt" in str(result.errors[0])
    assert "IndexError" in str(result.errors[0]) and "other files were processed" in str(result.errors[0])
    assert result.claims
