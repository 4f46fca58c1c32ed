"""Ingest: good and bad input, each problem one clear line naming the source; the rest still loads."""
from __future__ import annotations

import shutil
import socket
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from factcheck import fetch, ingest
from factcheck.clean import split_lines
from factcheck.config import Settings
from factcheck.errors import ManifestError, NoSourcesError, SourceError
from factcheck.ingest import fetch_url, load_sources, read_manifest, read_source
from factcheck.meta import split_outlet_title
from factcheck.models import stable_id

PAGES = Path(__file__).resolve().parent / "pages"
SEEDS = Path(__file__).resolve().parents[1] / "sources"
SETTINGS = Settings()
GOOD = "Quarry reopens\n\nThe quarry outside Braga reopened on Monday after a two-week inspection, its owner said.\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    return tmp_path


def one_line(err: Exception, name: str) -> str:
    text = str(err)
    assert "\n" not in text and name in text
    return text


def only_error(folder: Path, settings: Settings = SETTINGS) -> SourceError:
    sources, errors = load_sources(folder, settings)
    assert [s.name for s in sources] == ["good.txt"], "the good file must still load"
    assert len(errors) == 1
    return errors[0]


# --- bad files ---------------------------------------------------------------------------------

def test_empty_file(folder):
    (folder / "empty.txt").write_text("  \n\n", encoding="utf-8")
    assert "file is empty" in one_line(only_error(folder), "empty.txt")


def test_binary_file(folder):
    (folder / "scan.txt").write_bytes(b"%PDF-1.7\x00\x01\x02\xff\xfe" * 50)
    assert "binary" in one_line(only_error(folder), "scan.txt")


def test_oversized_file(folder):
    (folder / "dump.html").write_text("<html><body>" + "<p>word</p>" * 100 + "</body></html>", encoding="utf-8")
    err = only_error(folder, Settings(max_source_bytes=500))
    assert "over the 500-byte limit" in one_line(err, "dump.html")


def test_a_50_mb_file_with_the_default_limit(folder):
    big = folder / "archive.txt"
    with big.open("wb") as fh:  # sparse: 50 MB on paper, nothing written to disk
        fh.seek(50 * 1024 * 1024 - 1)
        fh.write(b"x")
    err = only_error(folder)
    assert "52,428,800 bytes" in one_line(err, "archive.txt")


def test_html_page_without_article(folder):
    shutil.copy(PAGES / "cookie_wall.html", folder / "consent.html")
    assert "no article found" in one_line(only_error(folder), "consent.html")


def test_text_file_without_article(folder):
    (folder / "menu.txt").write_text("Home\nNews\nSport\nAED 4.356047\n+0.12%\n", encoding="utf-8")
    assert "no article text found" in one_line(only_error(folder), "menu.txt")


def test_undecodable_bytes_raise_source_error(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(128, 256)) * 20)
    try:
        src = read_source(path, SETTINGS)
    except SourceError as err:
        one_line(err, "noise.txt")
    else:  # some code page decodes anything; then it is text, and cleaning finds no article
        assert src.raw


def test_missing_folder(tmp_path):
    with pytest.raises(NoSourcesError) as info:
        load_sources(tmp_path / "nowhere", SETTINGS)
    assert "no such folder" in one_line(info.value, "nowhere")


def test_empty_folder_and_only_hidden_files(tmp_path):
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "sources.csv").write_text("file,url,outlet,published,language,title\n", encoding="utf-8")
    with pytest.raises(NoSourcesError) as info:
        load_sources(tmp_path, SETTINGS)
    assert "no source files" in one_line(info.value, str(tmp_path))


# --- URLs --------------------------------------------------------------------------------------

def offline(*args, **kwargs):
    """Stands in for ``fetch.resolve`` on a machine with no network."""
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")


def serve(data: bytes):
    """Stands in for ``fetch_bytes``: the page's bytes, no network (fetching itself: test_fetch.py)."""
    return lambda url, settings: data[:settings.max_source_bytes]


def test_url_while_offline_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(fetch, "resolve", offline)
    with pytest.raises(SourceError) as info:
        fetch_url("https://news.example/story", SETTINGS)
    text = one_line(info.value, "https://news.example/story")
    assert "could not fetch" in text and "save the page as .html into sources/ instead" in text


def test_url_to_a_closed_port_fails_fast():
    with pytest.raises(SourceError, match="could not fetch"):
        fetch_url("http://127.0.0.1:9/article", SETTINGS.replace(fetch_allow_hosts=("127.0.0.1",)))


def test_url_list_is_detected_by_content(folder, monkeypatch):
    monkeypatch.setattr(fetch, "resolve", offline)
    (folder / "reading-list").write_text("# to check\nhttps://a.example/one\nhttps://b.example/two\n", encoding="utf-8")
    sources, errors = load_sources(folder, SETTINGS)
    assert [s.name for s in sources] == ["good.txt"]
    assert [e.name for e in errors] == ["https://a.example/one", "https://b.example/two"]


def test_fetched_page_is_ingested_as_html(monkeypatch):
    html = (PAGES / "harbour_bridge.html").read_bytes()
    monkeypatch.setattr(ingest, "fetch_bytes", serve(html))
    src = fetch_url("https://coastalcourier.example/x", SETTINGS)
    assert (src.kind, src.outlet, src.source_id) == ("html", "Coastal Courier", stable_id("https://coastalcourier.example/x"))


def test_a_url_added_is_saved_as_an_html_source(monkeypatch, tmp_path):
    from factcheck.folder import stage_item

    html = (PAGES / "harbour_bridge.html").read_bytes()
    monkeypatch.setattr(ingest, "fetch_bytes", serve(html))
    path = stage_item("https://coastalcourier.example/news/bridge", tmp_path / "sources", SETTINGS).path
    assert path.suffix == ".html" and path.read_bytes() == html
    assert load_sources(tmp_path / "sources", SETTINGS)[0][0].outlet == "Coastal Courier"



# --- manifest ----------------------------------------------------------------------------------

HEADER = "file,url,outlet,published,language,title\n"


@pytest.mark.parametrize("row, column, words", [
    ("good.txt,,Quarry Post,02/07/2025,en,\n", "published", "not a date"),
    ("missing.txt,,Quarry Post,,en,\n", "file", "no file named"),
    (",,Quarry Post,2025-07-02,en,\n", "file", "neither file nor url"),
    (",ftp://x.example/a,Quarry Post,,en,\n", "url", "not an http(s) URL"),
])
def test_invalid_manifest_row_names_row_and_column(folder, row, column, words):
    (folder / "sources.csv").write_text(HEADER + row, encoding="utf-8")
    err = only_error(folder)
    assert isinstance(err, ManifestError)
    text = one_line(err, "sources.csv")
    assert "row 2" in text and f"column '{column}'" in text and words in text


@pytest.mark.parametrize("content, words", [(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xd8", "not UTF-8"),
                                            (b"just some words\nand more\n", "not a manifest"),
                                            (b"", "empty"), (b"file,outlet\x00\n", "binary")])
def test_manifest_that_is_not_a_csv_is_one_line_and_the_articles_still_load(folder, content, words):
    (folder / "sources.csv").write_bytes(content)
    err = only_error(folder)
    assert isinstance(err, ManifestError) and words in one_line(err, "sources.csv")


def test_each_bad_manifest_row_is_skipped_and_the_other_rows_apply(folder):
    for name in ("b.txt", "c.txt", "d.txt"):
        (folder / name).write_text(GOOD, encoding="utf-8")
    (folder / "sources.csv").write_text(
        "file,outlet,published\n"
        'good.txt,"Quarry Post,2025-07-02\n'  # the quote is never closed
        "b.txt,Braga Daily,0001-01-01\n"  # not a plausible publication date
        "c.txt,Minho News,2025-07-03\n"
        "c.txt,Other Name,2025-07-04\n"  # c.txt again
        "d.txt,Norte Times,2025-07-05,extra\n",  # more cells than columns
        encoding="utf-8")
    sources, errors = load_sources(folder, SETTINGS)
    by_name = {s.name: s for s in sources}
    assert set(by_name) == {"good.txt", "b.txt", "c.txt", "d.txt"}, "every article is still read"
    assert (by_name["c.txt"].outlet, by_name["c.txt"].published) == ("Minho News", date(2025, 7, 3)), "first row wins"
    assert by_name["b.txt"].published is None and by_name["b.txt"].outlet != "Braga Daily"
    lines = sorted(one_line(e, "sources.csv") for e in errors)
    assert len(lines) == 4 and all(isinstance(e, ManifestError) for e in errors)
    assert sorted(e.row for e in errors) == [2, 3, 5, 6]
    text = " | ".join(lines)
    assert "quote" in text and "plausible publication date" in text and "already described in row 4" in text
    assert "more cells than columns" in text


def test_a_quoted_cell_may_span_lines(folder):
    (folder / "sources.csv").write_text('file,outlet,title\ngood.txt,Quarry Post,"Quarry\nreopens"\n', encoding="utf-8")
    sources, errors = load_sources(folder, SETTINGS)
    assert errors == [] and sources[0].title == "Quarry\nreopens" and sources[0].outlet == "Quarry Post"


def test_manifest_overrides_detected_metadata(folder):
    (folder / "sources.csv").write_text(HEADER + "good.txt,https://qp.example/a,Quarry Post,2025-07-02,pt,Reopened\n",
                                        encoding="utf-8")
    src = load_sources(folder, SETTINGS)[0][0]
    assert (src.outlet, src.published, src.url, src.language, src.title) == (
        "Quarry Post", date(2025, 7, 2), "https://qp.example/a", "pt", "Reopened")


def test_manifest_story_column_names_the_articles_story(folder):
    (folder / "other.txt").write_text(GOOD, encoding="utf-8")
    (folder / "sources.csv").write_text(HEADER.replace("title", "title,story")
                                        + 'good.txt,,Quarry Post,,en,,"Quarry\n  reopening "\nother.txt,,Quarry Post,,en,,\n',
                                        encoding="utf-8")
    by_name = {s.name: s for s in load_sources(folder, SETTINGS)[0]}
    assert by_name["good.txt"].story == "Quarry reopening", "one line, single spaces"
    assert by_name["other.txt"].story == "", "no story given: grouped automatically"


def test_project_manifest_is_valid():
    table = read_manifest(SEEDS / "sources.csv")
    assert table["000_55768cfb15f1a5b8.txt"]["published"] == date(2025, 7, 2)
    assert table["003_13ab6dc0d62df074.txt"]["outlet"] == "The Japan Times"


# --- detection ---------------------------------------------------------------------------------

def test_source_ids_are_stable_ids_of_names():
    sources, _ = load_sources(SEEDS, SETTINGS)
    assert {s.source_id for s in sources} == {stable_id("000_55768cfb15f1a5b8.txt"), stable_id("003_13ab6dc0d62df074.txt")}


def test_outlet_falls_back_to_the_file_name(tmp_path, caplog):
    path = tmp_path / "riverside-gazette_0042.txt"
    path.write_text(GOOD, encoding="utf-8")
    with caplog.at_level("INFO"):
        src = read_source(path, SETTINGS)
    assert src.outlet == "riverside gazette"
    assert "from the file name" in caplog.text


def test_dateline_is_read_from_the_top(tmp_path):
    path = tmp_path / "dated.txt"
    path.write_text("Quarry reopens\nJuly 2, 2025\n\n" + GOOD.split("\n\n")[1], encoding="utf-8")
    assert read_source(path, SETTINGS).published == date(2025, 7, 2)


@pytest.mark.parametrize("line, expected", [
    ("The Japan Times - Azerbaijan defies Russia", ("The Japan Times", "Azerbaijan defies Russia")),
    ("BBC News | Storm closes schools", ("BBC News", "Storm closes schools")),
    ("Russia - Azerbaijan relations sour further after the arrests in Baku and the raid.", None),
    ("the quiet town - where nothing happens", None),
])
def test_outlet_and_title_line(line, expected):
    assert split_outlet_title(line) == expected


@hsettings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .\r\n\t€“"), max_size=80))
def test_line_spans_point_into_raw(raw):
    for line in split_lines(raw):
        assert raw[line.start:line.end] == line.text


def test_errors_survive_pickling_across_processes():
    import pickle

    from factcheck.errors import ManifestError, SourceError

    e = SourceError("a.txt", "empty file", "add the article text")
    assert str(pickle.loads(pickle.dumps(e))) == str(e)
    m = ManifestError("sources.csv", 3, "published", "not a date", "use YYYY-MM-DD")
    assert str(pickle.loads(pickle.dumps(m))) == str(m)


def test_a_page_of_a_few_words_is_no_article(tmp_path):
    from factcheck.clean import clean

    page = tmp_path / "banner.html"
    page.write_text("<html><body><nav>Home | About</nav><p>Accept cookies</p></body></html>", encoding="utf-8")
    with pytest.raises(SourceError, match="banner.html: no article found"):
        clean(read_source(page, SETTINGS), SETTINGS)


@hsettings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_plain_ascii_skips_ftfy_only_where_ftfy_changes_nothing(text):
    import ftfy

    assert ingest.repair(text) == ftfy.fix_text(text, uncurl_quotes=False)


@pytest.mark.parametrize("text, repaired", [
    ("Fish &amp; chips", "Fish & chips"),  # an entity: ftfy unescapes it
    ("one\r\ntwo", "one\ntwo"),  # Windows line ends
    ("caf\u00c3\u00a9 opens", "caf\u00e9 opens"),  # mojibake, not ASCII
])
def test_repair_still_fixes_what_ftfy_fixes(text, repaired):
    assert ingest.repair(text) == repaired


def test_the_manifest_can_be_read_for_a_few_files_only(folder):
    (folder / "sources.csv").write_text("file,outlet\ngood.txt,Wire A\nmissing.txt,Wire B\n", encoding="utf-8")
    assert set(read_manifest(folder / "sources.csv", folder=folder, only={"good.txt"})) == {"good.txt"}
    with pytest.raises(ManifestError, match="missing.txt"):
        read_manifest(folder / "sources.csv", folder=folder)
    problems: list = []
    assert set(read_manifest(folder / "sources.csv", folder=folder, errors=problems)) == {"good.txt"}
    assert [e.row for e in problems] == [3]
