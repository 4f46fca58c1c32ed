"""The review dashboard driven headlessly with Streamlit's AppTest, on a hand-made store (no models):
every interaction a fact-checker makes, and what lands in the store and its audit trail."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from factcheck import app_support
from factcheck.store import Store
from factcheck.stories import StoryIndex, story_names
from tests.test_store import hand_made_run, make_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def store(dashboard_store) -> Store:
    return dashboard_store


def start(reviewer: str = "ana") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, at.exception
    if reviewer:
        at.text_input(key="reviewer").set_value(reviewer).run()
    return at


def ids_by_kind(store: Store, *, include_stale: bool = False) -> dict[str, str]:
    return {r["kind"]: r["discrepancy_id"] for r in store.discrepancy_rows(include_stale=include_stale)}


def html_shown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def queue(at: AppTest) -> list[str]:
    """The picker's labels, in queue order."""
    return list(at.selectbox(key="selected").options)


def queue_kinds(at: AppTest) -> list[str]:
    return [re.search(r"\[(\w+)\]", label).group(1) for label in queue(at)]


def test_an_empty_store_says_how_to_get_results(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "factcheck run sources/" in at.info[0].value
    assert not at.get("selectbox")


def test_the_queue_is_ranked_with_counts_and_opens_on_the_first_open_conflict(store):
    at = start()
    assert len(queue(at)) == 5 and queue(at)[0].startswith("1. ● [quantity]")
    assert at.selectbox(key="selected").value == ids_by_kind(store)["quantity"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["In this view"] == "5" and metrics["Open"] == "5" and metrics["Stale"] == "0"
    assert "⬇ Download CSV (5 rows)" == at.get("download_button")[0].label


@pytest.mark.parametrize("widget, key, value, expected_kinds", [
    ("multiselect", "f_kinds", ["date"], {"date"}),
    ("multiselect", "f_outlets", ["Coast Herald"], {"polarity"}),
    ("slider", "f_severity", 0.7, {"quantity", "date"}),
    ("text_input", "f_text", "ilham", {"name_variant"}),
])
def test_filters_narrow_the_queue_and_the_export(store, widget, key, value, expected_kinds):
    at = start()
    getattr(at, widget)(key=key).set_value(value).run()
    assert set(queue_kinds(at)) == expected_kinds
    assert at.get("download_button")[0].label == f"⬇ Download CSV ({len(expected_kinds)} rows)"


def test_a_filter_that_matches_nothing_says_so(store):
    at = start()
    at.text_input(key="f_text").set_value("no such words anywhere").run()
    assert "No conflicts match" in at.info[0].value


def test_selecting_a_conflict_shows_both_claims_highlighted_in_their_paragraphs(store):
    at = start()
    at.selectbox(key="selected").set_value(ids_by_kind(store)["name_variant"]).run()
    shown = html_shown(at)
    assert "<mark>Ilhan</mark>" in shown and "<mark>Ilham</mark>" in shown
    at.selectbox(key="selected").set_value(ids_by_kind(store)["quantity"]).run()
    shown = html_shown(at)
    assert "<mark>At least 40</mark>" in shown and "<mark>38</mark>" in shown
    assert "Rescue teams worked through the night" in shown  # the rest of Daily Ledger's paragraph
    assert '<a href="https://ledger.example/quarry"' in shown


def test_article_text_is_escaped_and_unsafe_links_are_not_links(store):
    at = start()
    at.selectbox(key="selected").set_value(ids_by_kind(store)["quantity"]).run()
    shown = html_shown(at)
    assert "&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;" in shown
    assert "<script" not in shown.lower()
    assert "javascript:" not in shown


def test_confirm_saves_signs_audits_and_moves_to_the_next_open_item(store):
    at = start("ana")
    first = at.selectbox(key="selected").value
    at.button(key="act_confirmed").click().run()
    review = store.review(first)
    assert (review["status"], review["reviewer"], review["version"]) == ("confirmed", "ana (unverified)", 1)
    assert [(a["reviewer"], a["field"], a["old"], a["new"]) for a in store.audit_rows(first)] == [
        ("ana (unverified)", "status", "open", "confirmed")]  # no login: the name as typed, unverified
    assert at.selectbox(key="selected").value == ids_by_kind(store)["date"]  # second in the queue
    assert "Marked confirmed" in at.success[0].value
    assert {m.label: m.value for m in at.metric}["Confirmed"] == "1"


def test_choosing_the_right_answer_and_the_source_checked_saves_them_with_the_verdict(store):
    at = start("ana")
    did = ids_by_kind(store)["quantity"]
    at.selectbox(key="selected").set_value(did).run()
    choice = at.radio(key=f"answer_{did}")
    assert list(choice.options) == ["(not decided)", "at least 40", "38"], "one choice per side"
    choice.set_value("38").run()
    at.text_input(key=f"evidence_{did}").set_value("https://police.example/statement").run()
    at.button(key="act_confirmed").click().run()
    review = store.review(did)
    assert (review["status"], review["answer"], review["evidence"]) == (
        "confirmed", "38", "https://police.example/statement")
    assert {a["field"]: a["new"] for a in store.audit_rows(did)} == {
        "status": "confirmed", "answer": "38", "evidence": "https://police.example/statement"}
    at.selectbox(key="selected").set_value(did).run()
    assert "right answer: <b>38</b>" in html_shown(at)
    assert "✔ marked right" in html_shown(at)


def test_the_fact_table_shows_each_outlets_answer_and_its_paragraph(store):
    at = start()
    table = next(df.value for df in at.dataframe if "question" in df.value.columns and "Daily Ledger" in df.value.columns)
    row = table[table["question"] == "How many dead?"].iloc[0]
    assert (row["Daily Ledger"], row["Harbour Post"], row[""]) == ("at least 40", "38", "⚠")
    assert at.selectbox(key="fact_pick").value == "fact-dead"
    assert any("Harbour Post: 38 (citing Officials) · side 2" == e.label for e in at.expander)
    assert "38 people were killed" in html_shown(at)


def test_dismiss_with_a_note_saves_both(store):
    at = start("ben")
    did = ids_by_kind(store)["polarity"]
    at.selectbox(key="selected").set_value(did).run()
    at.text_area(key=f"note_{did}").set_value("Engineers were misquoted; see correction").run()
    at.button(key="act_dismissed").click().run()
    review = store.review(did)
    assert (review["status"], review["note"], review["reviewer"]) == (
        "dismissed", "Engineers were misquoted; see correction", "ben (unverified)")
    assert {(a["field"], a["new"]) for a in store.audit_rows(did)} == {
        ("status", "dismissed"), ("note", "Engineers were misquoted; see correction")}
    assert at.selectbox(key="selected").value == ids_by_kind(store)["identifier"]  # the next open one


def test_needs_follow_up_and_a_note_alone(store):
    at = start("cy")
    did = at.selectbox(key="selected").value
    at.text_area(key=f"note_{did}").set_value("call the police press office").run()
    at.button(key="act_note").click().run()
    assert store.review(did)["note"] == "call the police press office" and store.review(did)["status"] == "open"
    assert at.selectbox(key="selected").value == did  # a note alone does not move on
    at.button(key="act_needs follow-up").click().run()
    assert store.review(did)["status"] == "needs follow-up"
    assert [a["field"] for a in store.audit_rows(did)] == ["note", "status"]


def test_a_verdict_needs_a_reviewer_name(store):
    at = start(reviewer="")
    did = at.selectbox(key="selected").value
    at.button(key="act_confirmed").click().run()
    assert "Reviewer" in at.warning[0].value
    assert store.review(did)["version"] == 0 and store.audit_rows(did) == []


def test_a_concurrent_save_shows_an_error_and_reloads_without_overwriting(store):
    at = start("ana")
    did = at.selectbox(key="selected").value
    Store(store.url).set_review(did, status="dismissed", note="duplicate", reviewer="ben")
    at.button(key="act_confirmed").click().run()
    assert "ben" in at.error[0].value
    review = store.review(did)
    assert (review["status"], review["reviewer"], review["note"]) == ("dismissed", "ben", "duplicate")
    assert at.text_area(key=f"note_{did}").value == "duplicate"  # reloaded from the store
    at.button(key="act_confirmed").click().run()  # now on the fresh version: saved
    assert store.review(did)["status"] == "confirmed"


def test_coming_back_to_an_item_shows_notes_saved_meanwhile_and_edits_never_overwrite(store):
    at = start("ana")
    x, y = ids_by_kind(store)["quantity"], ids_by_kind(store)["date"]
    other = Store(store.url)
    at.selectbox(key="selected").set_value(y).run()
    other.set_review(x, note="duplicate of the AP story", reviewer="ben")
    at.selectbox(key="selected").set_value(x).run()
    assert at.text_area(key=f"note_{x}").value == "duplicate of the AP story"
    at.text_area(key=f"note_{x}").set_value("police confirm 38").run()
    other.set_review(x, status="dismissed", reviewer="ben")
    at.button(key="act_confirmed").click().run()
    assert "police confirm 38" in at.error[0].value  # so it can be applied again
    review = store.review(x)
    assert (review["status"], review["note"], review["reviewer"]) == ("dismissed", "duplicate of the AP story", "ben")


def test_a_stale_review_is_shown_with_a_marker(store):
    did = ids_by_kind(store)["polarity"]
    store.set_review(did, status="confirmed", reviewer="ana")
    store.save_run(**hand_made_run(drop=("polarity",)))
    at = start()
    assert {m.label: m.value for m in at.metric}["Stale"] == "1"
    label = next(o for o in queue(at) if "[polarity]" in o)
    assert "stale" in label
    at.selectbox(key="selected").set_value(did).run()
    assert "STALE" in html_shown(at) and "no longer finds this fact disputed" in at.warning[0].value
    at.checkbox(key="f_stale").uncheck().run()
    assert "polarity" not in queue_kinds(at)


def test_the_export_honours_the_filters_and_is_safe_for_spreadsheets(store, monkeypatch):
    handed = []
    real = app_support.editors_csv
    monkeypatch.setattr(app_support, "editors_csv", lambda rows: handed.append(real(rows)) or handed[-1])
    at = start("ana")
    ident = ids_by_kind(store)["identifier"]
    at.selectbox(key="selected").set_value(ident).run()
    at.button(key="act_confirmed").click().run()
    at.multiselect(key="f_statuses").set_value(["confirmed"]).run()
    data = handed[-1]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["discrepancy_id"], r["status"], r["reviewer"]) for r in rows] == [(ident, "confirmed", "ana (unverified)")]
    assert rows[0]["claim_a"].startswith("'=HYPERLINK(")
    assert at.get("download_button")[0].label == "⬇ Download CSV (1 rows)"


UPLOAD = b"Wire - Quarry reopens\n\nThe quarry outside Braga reopened on Monday after a two-week inspection, its owner said.\n"


def test_uploaded_articles_are_saved_into_the_sources_folder(store, tmp_path):
    at = start()
    at.file_uploader(key="uploads").set_value(
        [("../evil name.txt", UPLOAD, "text/plain"), ("menu.txt", b"Home | World | Sport\nSubscribe now\n", "text/plain")]).run()
    at.button(key="save_uploads").click().run()
    assert (tmp_path / "sources" / "evil_name.txt").read_bytes() == UPLOAD
    assert "Saved evil_name.txt" in at.success[0].value
    assert not (tmp_path / "sources" / "menu.txt").exists(), "what ingest refuses never joins the folder"
    assert [e.value for e in at.error] == ["menu.txt: no article text found (only page furniture or fragments) — "
                                           "check that the file holds the article itself"]


def test_uploads_are_added_to_the_stored_run_without_a_full_rerun(store, tmp_path, monkeypatch):
    did = ids_by_kind(store)["date"]
    store.set_review(did, status="confirmed", reviewer="ana")
    calls, written = [], []

    def fake_add(folder, files, settings, *, store, progress, engine=None):
        for stage in ("ingest", "clean", "claims", "embed", "align", "compare", "store"):
            progress(stage, 1, 1)
        calls.append((Path(folder), [Path(f) for f in files], settings.db_url))

        class Source:
            source_id, name = "s9", Path(files[0]).name

        class Result:
            sources, claims, new, errors, notes = [Source()], [1] * 5, [1, 2], [], []
            stories = {"s9": ("story-1", "story-2")}
        return Result()

    monkeypatch.setattr("factcheck.pipeline.add", fake_add)
    monkeypatch.setattr("factcheck.pipeline.run", lambda *a, **k: pytest.fail("no full run"))
    monkeypatch.setattr("factcheck.pipeline.write_store_outputs", lambda store, out: written.append(Path(out)))
    monkeypatch.setattr("factcheck.embed.load_model", lambda package, backend="torch": "model")
    monkeypatch.setattr(Store, "has_story_index", lambda self: True)
    at = start()
    at.file_uploader(key="uploads").set_value([("late.txt", UPLOAD, "text/plain")]).run()
    at.button(key="add_uploads").click().run()
    assert not at.exception
    folder, files, db = calls[0]
    assert files == [folder / "late.txt"] and (tmp_path / "sources" / "late.txt").exists() and db == store.url
    assert written == [folder.resolve().parent]
    assert "Added late.txt: 5 claims; 1 joined a story, 0 started one; 2 new conflicts" in at.success[0].value
    assert store.review(did)["status"] == "confirmed"


def test_without_a_stored_run_uploads_can_only_be_saved(store):
    at = start()
    at.file_uploader(key="uploads").set_value([("late.txt", b"Wire - Late\nText.\n", "text/plain")]).run()
    assert "add_uploads" not in [b.key for b in at.button] and "save_uploads" in [b.key for b in at.button]


def test_rerun_reports_progress_and_keeps_reviews(store, monkeypatch):
    did = ids_by_kind(store)["date"]
    store.set_review(did, status="confirmed", reviewer="ana")
    calls = []

    def fake_run(folder, settings, *, store, out, progress):
        for stage in ("ingest", "clean", "claims", "embed", "align", "compare", "store"):
            progress(stage, 1, 1)
        calls.append((Path(folder), Path(out), settings.db_url))
        store.save_run(**hand_made_run(extra_source=True))

        class Result:
            sources, claims, discrepancies, errors = [1, 2, 3, 4], [1] * 7, [1] * 6, []
            notes = ["long.txt: a line of 31,000 characters was read in pieces"]
        return Result()

    monkeypatch.setattr("factcheck.pipeline.run", fake_run)
    monkeypatch.setattr("factcheck.embed.load_model", lambda package, backend="torch": "model")
    at = start()
    at.button(key="rerun").click().run()
    assert not at.exception
    folder, out, db = calls[0]
    assert folder.name == "sources" and out == folder.resolve().parent and db == store.url
    assert "Run finished: 4 sources" in at.success[0].value
    assert "Notes: long.txt: a line of 31,000 characters was read in pieces." in at.success[0].value
    assert len(queue(at)) == 6 and store.review(did)["status"] == "confirmed"


# ---------------------------------------------------------------------------------- app_support

@pytest.mark.parametrize("a, b, marked_a, marked_b", [
    ("At least 40 people died on Monday.", "38 people died on Tuesday.",
     "<mark>At least 40</mark> people died on <mark>Monday&#46;</mark>",
     "<mark>38</mark> people died on <mark>Tuesday&#46;</mark>"),
    ("Police said the plane was hit.", "The plane was hit, police said.",  # moved words are not differences
     "Police said the plane was hit&#46;", "The plane was hit, police said&#46;"),
    ("Ilhan Demir visited.", "Ilham Demir visited.", "<mark>Ilhan</mark> Demir visited&#46;",
     "<mark>Ilham</mark> Demir visited&#46;"),
])
def test_the_differing_words_are_marked(a, b, marked_a, marked_b):
    html_a, html_b, _, _ = app_support.highlight_pair(a, b)
    assert (html_a, html_b) == (marked_a, marked_b)


@pytest.mark.parametrize("text, must_not_contain", [
    ("<script>alert(1)</script>", "<script"),
    ("<img src=x onerror=alert(1)>", "<img"),
    ("cost $5 million, not $3 million", "$"),  # no LaTeX
    ("[click](javascript:alert(1))", "]("),  # no Markdown link
    ("# Headline", "# "),
    (":red[alarm]", ":red["),
])
def test_safe_text_is_inert_in_markdown(text, must_not_contain):
    assert must_not_contain not in app_support.safe(text)


def test_only_web_links_become_links():
    assert app_support.safe_link("https://a.example/x?q=1&r=\"2\"").startswith(
        '<a href="https://a.example/x?q=1&amp;r=&quot;2&quot;" target="_blank" rel="noopener noreferrer">')
    for url in ("javascript:alert(1)", "data:text/html,<b>x</b>", " JAVASCRIPT:x"):
        assert "<a " not in app_support.safe_link(url)


def test_the_paragraph_around_a_claim_in_html_drops_tags_and_scripts():
    raw = "<div>menu</div><p>Before it. <b>The claim</b> here. <script>alert(1)</script>After.</p><p>Next</p>"
    start = raw.index("<b>The claim")
    end = raw.index(" here.") + len(" here.")
    before, sentence, after = app_support.paragraph_around(raw, start, end, "html")
    assert (before, sentence, after) == ("Before it. ", "The claim here.", " After.")
    assert app_support.paragraph_around("abc", 5, 9) == ("", "", "")


def test_coverage_matrix_and_name_variants(tmp_path):
    store = make_store(tmp_path)
    outlets, table = app_support.coverage_matrix(store.cluster_rows())
    assert outlets == ["Coast Herald", "Daily Ledger", "Harbour Post"]
    assert [(r["outlets"], r["Coast Herald"]) for r in table] == [(3, "✓"), (2, "—")]
    variants = app_support.name_variants(store.claim_rows(), store.discrepancy_rows())
    assert variants[0]["entity"] == "ilhan demir" and variants[0]["spellings"] == "Ilham Demir · Ilhan Demir"
    assert "Ilham Demir: Harbour Post" in variants[0]["used by"]
    assert variants[1]["flagged"] == "yes" and variants[1]["status"] == "open"


def test_next_open_wraps_round_and_skips_stale_and_reviewed():
    rows = [{"discrepancy_id": i, "status": s, "stale": st} for i, s, st in [
        ("a", "open", False), ("b", "confirmed", False), ("c", "open", True), ("d", "open", False)]]
    assert app_support.next_open(rows, "a", just_saved="a") == "d"
    assert app_support.next_open(rows, "d", just_saved="d") == "a"
    assert app_support.next_open(rows[:3], "a", just_saved="a") is None


def test_story_names_are_the_users_else_numbered_by_size():
    assert story_names(["s1", "s2", "s2", "s3", "s3", "s3"], ["", "", "", "", "Baku", ""]) == \
        ["story 2", "story 1", "story 1", "Baku", "Baku", "Baku"]
    assert story_names(["s1", "s1"], ["", ""]) == ["", ""], "one story: nothing to tell apart"


def test_the_sources_tab_shows_each_articles_story_when_there_are_several(tmp_path, monkeypatch):
    import numpy as np
    from scipy import sparse

    
    run = hand_made_run()
    ids = [s.source_id for s in run["source_records"]]
    index = StoryIndex(ids, sparse.csr_matrix((3, 0), dtype=np.float32), {}, np.eye(3, dtype=np.float32),
                       stories=["s1", "s1", "s2"], pins=["", "", "Coast Herald's story"])
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    store.save_run(**run, index=index)
    monkeypatch.setenv("FACTCHECK_DB", store.url)
    monkeypatch.setenv("FACTCHECK_SOURCES", str(tmp_path / "sources"))
    at = start()
    table = next(d.value for d in at.dataframe if "outlet" in d.value.columns and "kind" in d.value.columns
                 and "name" in d.value.columns)
    assert list(table.columns[:2]) == ["story", "name"]
    assert dict(zip(table["name"], table["story"])) == {
        "ledger.txt": "story 1", "post.txt": "story 1", "herald.html": "Coast Herald's story"}
    assert any("in 2 stories" in c.value for c in at.caption)


def test_the_fact_table_is_one_story_at_a_time(tmp_path, monkeypatch):
    from factcheck.models import Answer, Fact

    run = hand_made_run()
    ledger = run["source_records"][0]
    other = Fact("fact-other", "s2", "count", "How many injured?",
                 (Answer(run["claim_records"][0].claim_id, ledger.source_id, "Other Gazette", "12"),), disputed=False)
    run["fact_records"] = list(run["fact_records"]) + [other]
    store = Store(f"sqlite:///{tmp_path / 'two.db'}")
    store.save_run(**run)
    monkeypatch.setenv("FACTCHECK_DB", store.url)
    at = start()
    story = at.selectbox(key="fact_story")
    assert len(story.options) == 2
    tables = [df.value for df in at.dataframe if "question" in df.value.columns and "kind" in df.value.columns]
    assert list(tables[-1]["question"]) == ["How many dead?"]
    story.set_value("s2").run()
    tables = [df.value for df in at.dataframe if "question" in df.value.columns and "kind" in df.value.columns]
    assert list(tables[-1]["question"]) == ["How many injured?"] and "Other Gazette" in tables[-1].columns
