"""Adding articles to a stored run (``pipeline.add``, ``factcheck add``): the article joins its
story, only that story is compared again, and what a full run of the same articles finds is found."""
from __future__ import annotations

import csv
import shutil
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner

from factcheck import pipeline
from factcheck.app_support import APP_TERMS
from factcheck.cli import CLI_TERMS, main
from factcheck.config import Settings
from factcheck.errors import FactcheckError, NoRunError, in_terms
from factcheck.models import Claim, Source
from factcheck.store import Store, decode_story_index, encode_story_index, story_record
from factcheck.stories import StoryIndex, group_stories, term_counts, tfidf

from .conftest import ROOT

FIRST, SECOND = "000_55768cfb15f1a5b8.txt", "003_13ab6dc0d62df074.txt"

# An article of another story, written for this test.
BRIDGE = """Riverside Gazette - Old toll bridge closes after inspectors find cracked girders

The Harlow Street toll bridge in Eastmoor will stay closed for at least 14 weeks after inspectors found cracks in four of its 22 steel girders, the county highways department said on Monday.
About 18,000 vehicles crossed the bridge each day before the closure, according to the department.
Mayor Linda Okafor said the county would run a free shuttle bus between the two banks while the repairs last.
The repairs are expected to cost 3.2 million dollars, the department said.
"""


def source(sid: str) -> Source:
    return Source(source_id=sid, name=sid, outlet=sid)


def claim(sid: str, text: str, i: int = 0) -> Claim:
    return Claim(claim_id=f"{sid}-{i}", source_id=sid, sentence_index=i, text=text, char_start=0, char_end=len(text))


def unit(rows) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


# --------------------------------------------------------------------------------------------
# the story index


def quake_index(settings: Settings) -> tuple[StoryIndex, dict[str, str]]:
    texts = {"a": "An earthquake of magnitude 6.1 struck Qeshm island in Iran on Sunday.",
             "b": "The Qeshm island earthquake in Iran killed seven people on Sunday.",
             "c": "Lindsay Lohan checked into the Betty Ford rehab center in California.",
             "d": "The actress Lindsay Lohan entered rehab at the Betty Ford center."}
    sources = [source(s) for s in texts]
    claims = [claim(s, t) for s, t in texts.items()]
    vectors = unit([[1, 0.1], [1, 0.2], [0.1, 1], [0.2, 1]])
    index = StoryIndex.build(sources, claims, vectors)
    return index, group_stories(sources, claims, vectors, settings, index)


def test_an_added_article_joins_the_story_it_shares_words_with():
    settings = Settings()
    index, stories = quake_index(settings)
    assert stories["a"] == stories["b"] != stories["c"] == stories["d"]
    new = [claim("e", "Rescuers on Qeshm island in Iran searched for survivors of the earthquake.")]
    row = index.add("e", new, unit([[1, 0.15]]))
    joined, now = index.place(row, settings)
    assert joined == stories["a"]
    assert sorted(index.members(now)) == ["a", "b", "e"]
    assert index.story_map()["c"] == stories["c"], "other stories keep their ids"


def test_an_article_of_no_stored_story_starts_its_own():
    settings = Settings()
    index, stories = quake_index(settings)
    row = index.add("e", [claim("e", "The city council approved a new budget for public libraries.")],
                    unit([[0.7, 0.7]]))
    joined, now = index.place(row, settings)
    assert joined == "" and index.members(now) == ["e"]
    assert {index.story_map()[s] for s in "abcd"} == set(stories.values())


def test_the_stored_index_and_its_additions_read_back_as_they_were():
    settings = Settings()
    index, _ = quake_index(settings)
    base = encode_story_index(index)
    row = index.add("e", [claim("e", "Rescuers searched Qeshm island after the earthquake.")], unit([[1, 0.3]]))
    index.place(row, settings)
    back = decode_story_index(base, [("e", *story_record(index, "e"))], index.story_map())
    assert back.source_ids == index.source_ids and back.stories == index.stories
    assert back.vocab == index.vocab
    assert np.array_equal(back.counts.toarray(), index.counts.toarray())
    assert np.allclose(back.embeds, index.embeds)
    assert (tfidf(back.counts) != tfidf(index.counts)).nnz == 0


def quake_topic_index(settings: Settings) -> tuple[StoryIndex, dict[str, str]]:
    """Two similar earthquakes on one island (the corpus of test_align), grouped by a full run."""
    from .test_align import two_quakes

    sources, claims, vectors = two_quakes()
    index = StoryIndex.build(sources, claims, vectors)
    return index, group_stories(sources, claims, vectors, settings, index)


def test_an_added_article_apart_on_words_joins_the_event_whose_names_it_shares():
    settings = Settings()
    index, stories = quake_topic_index(settings)
    new = [claim("a4", "On Sunday Ahmad Mirzaei toured the damage by helicopter with aides from Bandar Abbas."),
           claim("a4", "Mirzaei promised help within days.", 1)]
    row = index.add("a4", new, unit([[1, 0.5, 0.02], [1, 0.6, 0.02]]))
    sims = index.similarities(row, settings)
    a_rows = [index.source_ids.index(s) for s in ("a1", "a2", "a3")]
    assert sims[a_rows].mean() < settings.story_threshold, "its words alone make no story"
    joined, now = index.place(row, settings, sims=sims)
    assert joined == stories["a1"] and sorted(index.members(now)) == ["a1", "a2", "a3", "a4"]
    assert index.story_map()["b1"] == stories["b1"]


def test_names_read_back_and_an_index_stored_without_names_still_loads():
    import io

    settings = Settings()
    index, _ = quake_topic_index(settings)
    base = encode_story_index(index)
    row = index.add("e", [claim("e", "Engineers from Hormozgan inspected homes in Tabl.")], unit([[1, 0.3, 0.02]]))
    index.place(row, settings)
    back = decode_story_index(base, [("e", *story_record(index, "e"))], index.story_map())
    assert back.name_vocab == index.name_vocab
    assert np.array_equal(back.names.toarray(), index.names.toarray())
    # an index stored by an earlier version: word counts only, in the index and in the records
    z = np.load(io.BytesIO(base))
    old = io.BytesIO()
    np.savez(old, **{k: z[k] for k in z.files if not k.startswith("name_")})
    words = '{"island": 1, "tabl": 1}'
    legacy = decode_story_index(old.getvalue(), [("e", words, index.embeds[-1].tobytes())])
    assert legacy.source_ids == index.source_ids and legacy.names.shape == (6, 0)
    assert legacy.counts[5, legacy.vocab["tabl"]] == pytest.approx(1.0)
    legacy.place(5, settings)  # places on words alone, without failing


def test_an_article_pinned_to_a_story_joins_it_whatever_its_words():
    import dataclasses

    from .test_align import two_quakes

    settings = Settings()
    sources, claims, vectors = two_quakes()
    sources = [dataclasses.replace(s, story="tabl quake" if s.source_id.startswith("b") else "") for s in sources]
    index = StoryIndex.build(sources, claims, vectors)
    stories = group_stories(sources, claims, vectors, settings, index)
    base = encode_story_index(index)
    # words of the Qeshm quake of a1-a3, pinned by the user to the Tabl quake's story
    new = [claim("n", "Governor Ahmad Mirzaei said 13 villagers died on Qeshm island in the 5.9 earthquake.")]
    row = index.add("n", new, unit([[1, 0.5, 0.02]]), pin="tabl quake")
    joined, now = index.place(row, settings)
    assert joined == stories["b1"] and sorted(index.members(now)) == ["b1", "b2", "n"]
    # the pins read back, from the stored index and from the record of the article added since
    back = decode_story_index(base, [("n", *story_record(index, "n"))], index.story_map())
    assert back.pins == index.pins == ["", "", "", "tabl quake", "tabl quake", "tabl quake"]
    # pinned to a story no article is in: a story of its own, even with the words of one
    row = back.add("m", new, unit([[1, 0.5, 0.02]]), pin="another quake")
    assert back.place(row, settings)[0] == ""


def test_with_one_story_an_unpinned_article_joins_the_unpinned_ones():
    settings = Settings(story_grouping="one")
    index, stories = quake_index(settings)
    assert len(set(stories.values())) == 1
    row = index.add("e", [claim("e", "The city council approved a new budget for public libraries.")],
                    unit([[0.7, 0.7]]))
    joined, now = index.place(row, settings)
    assert joined == stories["a"] and sorted(index.members(now)) == ["a", "b", "c", "d", "e"]


def test_an_index_stored_before_pins_were_kept_loads_with_no_pins():
    import io

    settings = Settings()
    index, _ = quake_index(settings)
    z = np.load(io.BytesIO(encode_story_index(index)))
    old = io.BytesIO()
    np.savez(old, **{k: z[k] for k in z.files if k != "pins"})
    back = decode_story_index(old.getvalue())
    assert back.pins == ["", "", "", ""] and back.stories == index.stories


def test_term_counts_extend_a_vocabulary_without_moving_its_columns():
    m, vocab = term_counts(["quake quake island"])
    before = dict(vocab)
    m2, vocab = term_counts(["island rescue"], vocab)
    assert all(vocab[w] == i for w, i in before.items())
    assert m2.shape == (1, 3) and m2[0, vocab["rescue"]] == pytest.approx(1.0)
    assert m[0, vocab["quake"]] == pytest.approx(1 + np.log(2))


# --------------------------------------------------------------------------------------------
# the pipeline, real models


def write_manifest(folder, names) -> None:
    with (ROOT / "sources" / "sources.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"] in names]
    with (folder / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def first_seed_run(tmp_path):
    """A store holding a run on the first seed alone."""
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(ROOT / "sources" / FIRST, folder / FIRST)
    write_manifest(folder, {FIRST})
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    pipeline.run(folder, Settings(), store=store)
    return folder, store


@pytest.mark.slow
def test_adding_the_second_seed_finds_what_a_full_run_of_both_finds(first_seed_run, tmp_path):
    folder, store = first_seed_run
    shutil.copy(ROOT / "sources" / SECOND, folder / SECOND)
    write_manifest(folder, {FIRST, SECOND})  # its outlet, as a user would add the row
    added = pipeline.add(folder, [folder / SECOND], Settings(), store=store)
    assert [s.name for s in added.sources] == [SECOND]
    joined, _now = added.stories[added.sources[0].source_id]
    assert joined, "the second seed joins the first seed's story"

    full_store = Store(f"sqlite:///{tmp_path / 'full.db'}")
    full = pipeline.run(ROOT / "sources", Settings(), store=full_store)
    assert {d.discrepancy_id for d in added.discrepancies} == {d.discrepancy_id for d in full.discrepancies}
    assert [r["discrepancy_id"] for r in store.discrepancy_rows()] == \
        [r["discrepancy_id"] for r in full_store.discrepancy_rows()], "same rows in the same rank order"
    assert {(p.claim_a, p.claim_b) for p in store.alignment_records()[0]} == {(p.claim_a, p.claim_b) for p in full.pairs}
    assert Counter(c.source_id for c in store.claims_of()) == Counter(c.source_id for c in full.claims)
    assert added.new, "the headline conflicts between the two outlets are new"
    assert store.last_run()["n_sources"] == 2
    written = pipeline.write_store_outputs(store, tmp_path / "out")
    assert written["claims"].read_bytes() == (ROOT / "claims.csv").read_bytes(), \
        "claims.csv from the store after the addition is the one a run of both seeds writes"


@pytest.mark.slow
def test_an_added_article_named_into_a_story_of_its_own_is_compared_with_no_other(first_seed_run):
    folder, store = first_seed_run
    shutil.copy(ROOT / "sources" / SECOND, folder / SECOND)
    write_manifest(folder, {FIRST, SECOND})
    rows = list(csv.DictReader((folder / "sources.csv").open(encoding="utf-8")))
    with (folder / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "story"])
        w.writeheader()
        w.writerows({**r, "story": "Tokyo desk" if r["file"] == SECOND else ""} for r in rows)
    added = pipeline.add(folder, [folder / SECOND], Settings(), store=store)
    joined, _now = added.stories[added.sources[0].source_id]
    assert added.sources[0].story == "Tokyo desk"
    assert joined == "", "its words match the first seed's story, but the user said otherwise"
    mine = {c.claim_id for c in added.claims}
    assert all(d.claim_a in mine and d.claim_b in mine for d in added.discrepancies), \
        "compared within itself only (it holds both parties' accounts), never with the first seed"
    assert store.load_story_index() is not None
    index = store.load_story_index()
    assert index.pins == ["", "Tokyo desk"], "the pin is stored with the added article"


@pytest.fixture
def seeds_run(tmp_path):
    """A store holding a run on a copy of sources/."""
    folder = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", folder)
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    pipeline.run(folder, Settings(), store=store)
    return folder, store


@pytest.mark.slow
def test_an_unrelated_article_leaves_the_stored_story_and_its_reviews_alone(seeds_run):
    folder, store = seeds_run
    before = store.discrepancy_rows()
    store.set_review(before[0]["discrepancy_id"], status="confirmed", note="checked with the ministry")
    (folder / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    added = pipeline.add(folder, [folder / "bridge.txt"], Settings(), store=store)
    joined, _now = added.stories[added.sources[0].source_id]
    assert joined == "", "a bridge closure is not the plane-crash story"
    assert len(added.claims) >= 3 and {c.source_id for c in added.claims} == {added.sources[0].source_id}
    after = store.discrepancy_rows()
    kept = [r for r in after if r["discrepancy_id"] in {b["discrepancy_id"] for b in before}]
    assert [(r["discrepancy_id"], r["explanation"]) for r in kept] == \
        [(r["discrepancy_id"], r["explanation"]) for r in before], "the story's rows, in their order"
    assert after[0]["status"] == "confirmed" and after[0]["note"] == "checked with the ministry"
    assert not any(r["source_a"] == "bridge.txt" and r["source_b"] in (FIRST, SECOND) for r in after)
    assert store.last_run()["n_sources"] == 3


@pytest.mark.slow
def test_cli_add_copies_the_file_reports_its_story_and_rewrites_the_csvs(tmp_path, monkeypatch):
    folder = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", folder)
    db = f"sqlite:///{tmp_path / 'fc.db'}"
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(folder), "--db", db, "--no-progress"]).exit_code == 0
    elsewhere = tmp_path / "inbox"
    elsewhere.mkdir()
    (elsewhere / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    (elsewhere / "empty.txt").write_text("", encoding="utf-8")
    (elsewhere / "nav.html").write_text("<html><body><nav>Home | World</nav></body></html>", encoding="utf-8")
    res = runner.invoke(main, ["add", str(elsewhere / "bridge.txt"), str(elsewhere / "empty.txt"),
                               str(elsewhere / "nav.html"), "--to", str(folder), "--db", db, "--no-progress"])
    assert res.exit_code == 0, res.output
    assert (folder / "bridge.txt").read_text(encoding="utf-8") == BRIDGE
    assert "bridge.txt (Riverside Gazette):" in res.output and "started story" in res.output
    assert "skipped: " in res.output and "empty.txt: file is empty" in res.output
    assert "nav.html: no article found in the page" in res.output
    assert not (folder / "empty.txt").exists() and not (folder / "nav.html").exists(), \
        "a file that cannot be a source is not copied in"
    with open(tmp_path / "claims.csv", encoding="utf-8") as fh:
        sources = {r["source"] for r in csv.DictReader(fh)}
    assert sources == {FIRST, SECOND, "bridge.txt"}

    again = runner.invoke(main, ["add", str(folder / "bridge.txt"), "--to", str(folder), "--db", db, "--no-progress"])
    assert again.exit_code != 0
    assert "bridge.txt: is already in the store" in again.output and "Traceback" not in again.output

    rerun = runner.invoke(main, ["run", str(folder), "--db", db, "--no-progress"])  # regroups everything
    assert rerun.exit_code == 0 and rerun.output.startswith("3 sources"), rerun.output
    assert Store(db).load_story_index().words == {}, "a full run stores the whole index afresh (no additions)"


@pytest.mark.slow
def test_a_wire_copy_of_a_stored_article_is_not_added_as_a_second_report(seeds_run):
    folder, store = seeds_run
    before = store.discrepancy_rows()
    original = (folder / SECOND).read_text(encoding="utf-8")
    body = original[original.index("Azerbaijan defies Russia\n\n\n\n\nSince"):]
    (folder / "copy.txt").write_text("Caucasus Daily Monitor - Azerbaijan defies Russia\n\nMenu | Sections\n\n"
                                     + body + "\n\nShare this story\n", encoding="utf-8")
    (folder / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    added = pipeline.add(folder, [folder / "copy.txt", folder / "bridge.txt"], Settings(), store=store)
    assert [s.name for s in added.sources] == ["bridge.txt"]
    assert [str(e) for e in added.errors] == [
        f"copy.txt: is the same article as {SECOND} (The Japan Times), already in the store — "
        "analyse the whole folder again to keep one copy and record both outlets"]
    assert [in_terms(e, CLI_TERMS) for e in added.errors] == [
        f"copy.txt: is the same article as {SECOND} (The Japan Times), already in the store — "
        "run `factcheck run` on the sources folder to keep one copy and record both outlets"]
    assert "Re-run the analysis” in the Sources tab to keep one copy" in in_terms(added.errors[0], APP_TERMS)
    assert "copy.txt" not in {r["name"] for r in store.source_rows()}
    assert store.discrepancy_rows() == before
    with pytest.raises(FactcheckError, match="every new article is a copy"):
        pipeline.add(folder, [folder / "copy.txt"], Settings(), store=store)


def test_adding_to_a_store_without_a_run_is_one_clear_error(tmp_path):
    (tmp_path / "a.txt").write_text(BRIDGE, encoding="utf-8")
    with pytest.raises(NoRunError, match="holds no run to add to — analyse the whole folder again first") as err:
        pipeline.add(tmp_path, [tmp_path / "a.txt"], Settings(), store=Store(f"sqlite:///{tmp_path / 'fc.db'}"))
    assert in_terms(err.value, CLI_TERMS).endswith("— run `factcheck run` on the sources folder first")


def test_cli_add_without_a_run_saves_the_file_and_says_what_to_run(tmp_path):
    (tmp_path / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    res = CliRunner().invoke(main, ["add", str(tmp_path / "bridge.txt"), "--to", str(tmp_path / "src"),
                                    "--db", f"sqlite:///{tmp_path / 'fc.db'}", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "src" / "bridge.txt").exists()
    assert "holds no run yet" in res.output and "factcheck run" in res.output


def test_cli_add_never_overwrites_a_different_file(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bridge.txt").write_text("another article", encoding="utf-8")
    (tmp_path / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    res = CliRunner().invoke(main, ["add", str(tmp_path / "bridge.txt"), "--to", str(tmp_path / "src"),
                                    "--db", f"sqlite:///{tmp_path / 'fc.db'}", "--no-progress"])
    assert res.exit_code == 0
    assert "saved as bridge_2.txt: bridge.txt in the folder holds another article" in res.output
    assert (tmp_path / "src" / "bridge.txt").read_text(encoding="utf-8") == "another article"
    assert (tmp_path / "src" / "bridge_2.txt").read_text(encoding="utf-8") == BRIDGE


@pytest.mark.slow
def test_an_article_the_analysis_refuses_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    """A file that reads as an article but fails later (here: the cleaner raises on it) is reported
    in one line and taken out of the folder again, so the next run is not broken by it."""
    from factcheck import clean as clean_stage

    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "first.txt").write_text(BRIDGE, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'fc.db'}"
    assert CliRunner().invoke(main, ["run", str(folder), "--db", db, "--no-progress", "--out", str(tmp_path)]).exit_code == 0
    (tmp_path / "trap.txt").write_text(BRIDGE.replace("bridge", "viaduct"), encoding="utf-8")
    real = clean_stage.clean
    monkeypatch.setattr(clean_stage, "clean", lambda s, st: (_ for _ in ()).throw(RecursionError("deep"))
                        if s.name == "trap.txt" else real(s, st))
    res = CliRunner().invoke(main, ["add", str(tmp_path / "trap.txt"), "--to", str(folder), "--db", db,
                                    "--no-progress", "--out", str(tmp_path)])
    assert "Traceback" not in res.output and res.exit_code != 0
    assert "skipped: trap.txt: cleaning it failed (RecursionError: deep)" in res.stderr
    assert "trap.txt was taken out of" in res.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["first.txt"]
    again = CliRunner().invoke(main, ["run", str(folder), "--db", db, "--no-progress", "--out", str(tmp_path)])
    assert again.exit_code == 0 and "skipped" not in again.output
