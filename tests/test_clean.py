"""Cleaning: the seeds against the gold labels, hand-written pages in real sites' shapes, line rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.clean import classify_line, clean, explain
from factcheck.config import Settings
from factcheck.errors import SourceError
from factcheck.evaluate import read_line_gold
from factcheck.copies import mark_duplicates
from factcheck.ingest import load_sources, read_source
from factcheck.models import Source

TOP = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).resolve().parent / "pages"
GOLD = TOP.parent / "shared" / "gold" / "seed_body_lines.csv"
KEPT, DROPPED = {"body", "heading"}, {"boilerplate", "duplicate_title"}
SETTINGS = Settings()


@pytest.fixture(scope="module")
def seeds():
    sources, errors = load_sources(TOP / "sources", SETTINGS)
    assert not errors
    return {s.name: s for s in sources}


def gold_lines() -> dict[str, dict[int, str]]:
    return read_line_gold(GOLD)


def page(name: str):
    return read_source(PAGES / name, SETTINGS)


def kept_text(source) -> str:
    return "\n".join(p.text for p in clean(source, SETTINGS).paragraphs)


# --- the seeds against the gold ----------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(gold_lines()))
def test_seed_matches_gold(seeds, name):
    body = clean(seeds[name], SETTINGS)
    labels = {lab.line_no: lab for lab in body.labels}
    for no, role in gold_lines()[name].items():
        got = labels[no].label
        if got == "blank":
            continue
        if role in KEPT:
            assert got == role, f"line {no} should be {role}, got {got}: {labels[no].text[:60]}"
        elif role in DROPPED:
            assert got in DROPPED, f"line {no} should be dropped, got {got}: {labels[no].text[:60]}"
        else:
            assert got == role, f"line {no} should be {role}, got {got}"


@pytest.mark.parametrize("name", sorted(gold_lines()))
def test_seed_paragraphs_are_spans_of_raw_and_avoid_boilerplate(seeds, name):
    src = seeds[name]
    body = clean(src, SETTINGS)
    bad = [lab for lab in body.labels if lab.label in DROPPED]
    for p in body.paragraphs:
        assert src.raw[p.char_start:p.char_end] == p.text
        assert not any(p.char_start < b.char_end and b.char_start < p.char_end for b in bad)


def test_seed_titles_and_outlets(seeds):
    japan = seeds["003_13ab6dc0d62df074.txt"]
    assert (japan.outlet, japan.title) == ("The Japan Times", "Azerbaijan defies Russia")
    daily = seeds["000_55768cfb15f1a5b8.txt"]
    assert clean(daily, SETTINGS).title.startswith("Tensions are rising between Russia and Azerbaijan")
    assert str(daily.published) == "2025-07-02"


def test_seed_appended_stories_are_dropped(seeds):
    text = kept_text(seeds["000_55768cfb15f1a5b8.txt"])
    assert "Peskov noted that the head of Russia's top investigative agency" in text
    for other in ("Strait of Hormuz", "Honduran family", "Ushakov", "Download Daily8 app"):
        assert other not in text


# --- pages written in the shapes real sites use ------------------------------------------------

def test_html_article_keeps_body_and_headings_drops_furniture():
    src = page("harbour_bridge.html")
    assert (src.outlet, src.kind, str(src.published)) == ("Coastal Courier", "html", "2024-03-14")
    assert src.url == "https://coastalcourier.example/news/2024/03/harbour-bridge-cracks"
    body = clean(src, SETTINGS)
    text = "\n".join(p.text for p in body.paragraphs)
    assert "cracks in two steel girders under the main span" in text
    assert "About 41,000 vehicles cross the bridge" in text
    assert "Opposition councillors said they would ask why the survey" in text
    assert {p.text for p in body.paragraphs if p.role == "heading"} == {
        "Diversions and ferries", "Questions over earlier inspections"}
    for furniture in ("Subscribe for", "Ferry fares to rise", "Most read", "lottery", "harbourwatcher",
                      "whole deck was shaking", "bolted plates", "morning briefing", "All rights reserved"):
        assert furniture not in text


def test_html_page_cleans_the_same_every_time():
    src = page("harbour_bridge.html")
    assert len({clean(src, SETTINGS).paragraphs for _ in range(4)}) == 1


def test_html_offsets_point_into_the_raw_page():
    src = page("harbour_bridge.html")
    for p in clean(src, SETTINGS).paragraphs:
        chunk = src.raw[p.char_start:p.char_end]
        assert chunk.split()[0] == p.text.split()[0]
        assert chunk.rstrip(">").split()[-1].startswith(p.text.split()[-1][:3])


def test_wire_story_with_another_header_cleans_to_the_same_body():
    ledger, dispatch = page("quarry_ledger.txt"), page("quarry_dispatch.txt")
    assert ledger.outlet == "Northern Ledger"
    assert kept_text(ledger) == kept_text(dispatch)
    assert "Portugal will hold an early parliamentary election" not in kept_text(ledger)
    assert "Sign up for our daily newsletter" not in kept_text(dispatch)
    assert "Photo: Civil protection handout" not in kept_text(dispatch)


def test_syndicated_copies_are_kept_once_with_both_outlets():
    ledger, dispatch, ferry = page("quarry_ledger.txt"), page("quarry_dispatch.txt"), page("ferry_appended.txt")
    merged = mark_duplicates([ledger, dispatch, ferry], SETTINGS)
    assert [s.name for s in merged] == ["quarry_ledger.txt", "ferry_appended.txt"]
    assert merged[0].also_outlets == (dispatch.outlet,)


def test_seeds_are_not_duplicates_of_each_other(seeds):
    assert len(mark_duplicates(list(seeds.values()), SETTINGS)) == 2


def test_appended_story_sharing_the_islands_is_dropped():
    text = kept_text(page("ferry_appended.txt"))
    assert "Island councillors said food deliveries" in text
    assert "wind farm" not in text and "turbines" not in text


def test_advertisement_between_sections_does_not_end_the_article(seeds):
    src = seeds["000_55768cfb15f1a5b8.txt"]
    raw = src.raw.replace("\nTough talk from Baku and Moscow\n", "\nAdvertisement\nTough talk from Baku and Moscow\n")
    text = kept_text(Source(source_id="x", name="ad.txt", outlet="x", raw=raw))
    assert "Tough talk from Baku and Moscow" in text and "He wouldn't say if Putin would speak" in text
    assert "Advertisement" not in text


def test_a_caption_printed_twice_does_not_end_the_article():
    """A photo caption the page prints twice, then the article going on about the same people: a
    repeated caption, not another story's card (a card's repeated headline is followed by another
    story's words, and still ends the article)."""
    raw = ("Ferry captains had 30 years at sea between them\n\n"
           "Captain Maren Holt and her mate Ivo Strand had 30 years at sea between them, the ferry company said.\n\n"
           "Captain Maren Holt and (left) mate Ivo Strand\nCaptain Maren Holt and (left) mate Ivo Strand\n\n"
           "Captain Maren Holt and mate Ivo Strand had crossed the strait to the islands thousands of times "
           "before the ferry ran aground on Sunday, the company said in a statement to the press.\n")
    assert "thousands of times" in kept_text(Source(source_id="x", name="caption.txt", outlet="x", raw=raw))
    card = raw.replace("Captain Maren Holt and mate Ivo Strand had crossed the strait to the islands thousands of times "
                       "before the ferry ran aground on Sunday, the company said in a statement to the press.",
                       "Wind farm developers said on Monday that the new turbines off the northern coast will power "
                       "forty thousand homes once the cables reach the mainland grid next spring.")
    card = card.replace("Captain Maren Holt and (left) mate Ivo Strand", "Turbines to power forty thousand homes")
    assert "turbines" not in kept_text(Source(source_id="x", name="card.txt", outlet="x", raw=card))


def test_a_read_more_whose_links_were_lost_does_not_end_the_article():
    raw = ("Ferry captain goes on trial\n\n"
           "The captain of the ferry that ran aground off the islands went on trial on Monday, charged with negligence.\n"
           "READ MORE\n"
           "Prosecutors say the captain ignored two warnings about the weather before the ferry left the islands' "
           "harbour, and that the crew had not slept.\n")
    assert "ignored two warnings" in kept_text(Source(source_id="x", name="more.txt", outlet="x", raw=raw))


def test_short_sentence_next_to_prose_is_body():
    raw = ("Mill closes\n\nThe last working mill in the valley closed on Friday after 140 years, its owners said.\n"
           "Nobody was hurt.\nWorkers will be offered jobs at the company's other site, a spokesman said.\n")
    text = kept_text(Source(source_id="x", name="mill.txt", outlet="x", raw=raw))
    assert "Nobody was hurt." in text


def test_windows_1252_page_is_decoded_and_cleaned(tmp_path):
    article = ("Fuel prices rise again\n\n"
               "The price of diesel rose to \u20ac1.89 a litre on Monday, the motoring club said, calling "
               "the increase \u201cthe steepest this year\u201d.\n"
               "Hauliers\u2019 groups said the rise would be passed on to shoppers within weeks.\n")
    path = tmp_path / "fuel.txt"
    path.write_bytes(article.encode("cp1252"))
    src = read_source(path, SETTINGS)
    assert "\u20ac1.89" in src.raw and "\u201cthe steepest this year\u201d" in src.raw
    text = kept_text(src)
    assert "Hauliers\u2019 groups said" in text and "Fuel prices rise again" not in text


def test_windows_1252_html_page(tmp_path):
    html = (PAGES / "harbour_bridge.html").read_text(encoding="utf-8")
    html = html.replace('charset="utf-8"', 'charset="windows-1252"').replace("&rsquo;", "\u2019")
    html = html.replace("About 41,000 vehicles", "Tolls of \u20ac2 are charged on about 41,000 vehicles")
    path = tmp_path / "bridge.html"
    path.write_bytes(html.encode("cp1252"))
    text = kept_text(read_source(path, SETTINGS))
    assert "Tolls of \u20ac2 are charged" in text and "the authority\u2019s own figures" in text


def test_mojibake_is_repaired_before_offsets(tmp_path):
    path = tmp_path / "mojibake.txt"
    path.write_text("Port reopens\n\nThe port\u00e2\u20ac\u2122s operator said ships could dock again from "
                    "Friday morning after the storm.\n", encoding="utf-8")
    src = read_source(path, SETTINGS)
    para = clean(src, SETTINGS).paragraphs[0]
    assert "port\u2019s operator" in para.text and src.raw[para.char_start:para.char_end] == para.text


def test_cookie_wall_has_no_article():
    with pytest.raises(SourceError, match="cookie_wall.html: no article"):
        page("cookie_wall.html")


def test_text_with_only_furniture_has_no_article():
    only_furniture = Source(source_id="x", name="menu.txt", outlet="x", raw="Menu\nSearch\nAED 4.35\n+0.12%\n")
    with pytest.raises(SourceError, match="menu.txt: no article"):
        clean(only_furniture, SETTINGS)


def test_markdown_markup_is_stripped_and_spans_cover_the_line():
    src = page("notes_article.md")
    body = clean(src, SETTINGS)
    assert body.title == "Library to open on Sundays from next month"
    first = body.paragraphs[0]
    assert first.text.startswith("The central library will open on Sundays") and "**" not in first.text
    assert "[public consultation]" not in first.text and "public consultation found" in first.text
    assert src.raw[first.char_start:first.char_end].startswith("The central library")
    assert [p.role for p in body.paragraphs] == ["body", "heading", "body"]
    assert "Share on Twitter" not in kept_text(src) and "staff reporter" not in kept_text(src)


def test_explain_gives_every_line_a_reason(seeds):
    labels = explain(seeds["003_13ab6dc0d62df074.txt"], SETTINGS)
    assert len(labels) == seeds["003_13ab6dc0d62df074.txt"].raw.count("\n") + 1
    assert all(lab.reason for lab in labels)
    assert labels[3].label == "boilerplate" and "rate" in labels[3].reason


# --- single lines ------------------------------------------------------------------------------

@pytest.mark.parametrize("line, kind", [
    ("AED 4.356047", "furniture"),
    ("EUR -", "furniture"),
    ("+0.12%", "furniture"),
    ("-1.36%", "furniture"),
    ("16.14", "furniture"),
    ("• RYCEF", "furniture"),
    ("timean hour ago", "furniture"),
    ("time4 hours ago", "furniture"),
    ("logo", "furniture"),
    ("Download the App", "furniture"),
    ("Get Started Now: Download the App", "furniture"),
    ("Sign up for our daily newsletter and never miss a story.", "furniture"),
    ("Comments", "furniture"),
    ("No comments yet...", "furniture"),
    ("Share this article", "furniture"),
    ("Facebook | Twitter | Email", "furniture"),
    ("By Morven Adair", "furniture"),
    ("Photo: Civil protection handout", "furniture"),
    ("Story continues below advertisement", "furniture"),
    ("date 2024-03-26 14:02", "furniture"),
    ("#Flood #Libya #Derna", "furniture"),
    ("Also read: Ferry capsizes off the coast, 12 missing", "furniture"),
    ("Rescuers search the rubble in the old town. / Reuters", "furniture"),
    ("Photo: 30 injured in a 2019 blast / AFP", "furniture"),
    ("Police said 40 people were detained overnight, according to Reuters.", "prose"),
    ("app-storeplay-store", "furniture"),
    ("Explore what Daily8 AI can do for you:", "furniture"),
    ("Background to the relations", "label"),
    ("Tensions are rising between Russia and Azerbaijan. Why is this happening now?", "label"),
    ("The accident claimed the lives of 38 people.", "prose"),
    ("Economic ties between Russia and Azerbaijan", "label"),
    ("Apple said its app store fees would fall next year for small developers, the company announced.", "prose"),
    ("He declined to comment.", "sentence"),
    ("The ministry said it would not leave a comment on the report before the vote on Tuesday.", "prose"),
    ("Follow-up talks on the gas contract will start now that the dispute has been settled, officials said.",
     "prose"),
    ("The regulator said cookies set by the app today broke privacy rules in three member states.", "prose"),
    ("", "blank"),
])
def test_line_classification(line, kind):
    assert classify_line(line)[0] == kind


def test_a_metadata_prefix_is_not_part_of_the_first_sentence():
    from factcheck.clean import split_lines

    raw = "date 2024-06-26 William Ruto said at least six people died in the protests on Tuesday."
    line = split_lines(raw)[0]
    assert line.text.startswith("William Ruto") and raw[line.start:line.end] == line.text


@pytest.mark.parametrize("text, labels", [
    ("Headline of the piece\n\nFirst paragraph says something about the world at some length here.\n"
     "A short heading\nSecond paragraph carries on with the story at some length as well.\n"
     "Related Articles\nAnother story entirely about other things, which is written at length too.\n",
     ["title", "blank", "body", "heading", "body", "boilerplate", "boilerplate", "blank"]),
    ("Outlet Name - Headline of the piece\nHeadline of the piece\nHeadline of the piece\n"
     "First paragraph says something about the world at some length here.\n",
     ["outlet_and_title", "title", "duplicate_title", "body", "blank"]),
])
def test_document_labelling(text, labels):
    src = Source(source_id="x", name="x.txt", outlet="x", raw=text)
    assert [lab.label for lab in explain(src, SETTINGS)] == labels


def test_one_sentence_per_line_article_is_kept_whole(tmp_path):
    """Short quoted lines and questions inside an article do not end it."""
    text = "\n".join([
        "Harbour council votes to close the old ferry pier",
        "",
        "The harbour council voted on Tuesday to close the old ferry pier after engineers found deep cracks in its piles.",
        "Councillor Mara Oduya said the vote was painful but unavoidable for the safety of passengers and crews.",
        "The pier has carried the island ferry since 1962 and was last repaired eleven years ago.",
        "\"We cannot wait for an accident,'' she said.",
        "It is too late ``",
        "Shopkeepers along Market Lane expect quieter afternoons once tourists stop strolling down from "
        "the landing stage toward their cafes, bakeries and souvenir stalls.",
        "Where will the boats dock now?",
        "Fishermen who moor trawlers beside the crumbling structure must move within a fortnight, "
        "according to a notice posted at the quay by the marine authority.",
        "A temporary pontoon is expected to open before the summer timetable begins, with lifts, "
        "shelters, lighting and a ticket kiosk paid for by a regional grant.",
    ]) + "\n"
    f = tmp_path / "pier.txt"
    f.write_text(text, encoding="utf-8")
    body = clean(read_source(f, Settings()), Settings())
    kept = " ".join(p.text for p in body.paragraphs)
    for must in ("It is too late", "Shopkeepers along Market Lane", "Where will the boats dock now?",
                 "Fishermen who moor", "temporary pontoon"):
        assert must in kept


def test_a_timeline_stamp_heads_the_paragraph_under_it(tmp_path):
    """A timeline heads each step with a line that is only a clock time; the step's paragraph
    says when ("6:39 p.m. ET: The flight takes off"), with its offsets still exact in the raw text."""
    path = tmp_path / "timeline.txt"
    path.write_text("How the night unfolded\n\nThe Harbour Post\n\n"
                    "Officials have pieced together the last hour of Flight 88, which left Dayton on Tuesday evening.\n\n"
                    "6:39 p.m. ET\n\nFlight 88 takes off from Dayton bound for the capital with 60 passengers aboard.\n\n"
                    "Approximately 8:42 p.m. ET\n\nThe crew asks the tower for a different runway as the jet approaches.\n\n"
                    "Black Hawk on a training flight\n\nA helicopter was flying a training route along the river that night.\n",
                    encoding="utf-8")
    src = read_source(path, SETTINGS)
    body = clean(src, SETTINGS)
    texts = [p.text for p in body.paragraphs]
    assert "6:39 p.m. ET: Flight 88 takes off from Dayton bound for the capital with 60 passengers aboard." in texts
    assert any(t.startswith("Approximately 8:42 p.m. ET: The crew asks") for t in texts)
    assert "Black Hawk on a training flight" in texts, "a heading that is no time stays a heading"
    for p in body.paragraphs:
        span = src.raw[p.char_start:p.char_end]
        assert len(span) == len(p.text) and span.split() == p.text.replace(" ET: ", " ET ").split()
