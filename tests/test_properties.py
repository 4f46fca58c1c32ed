"""Properties that hold for any text: nothing in a page can stop a run.

Hypothesis feeds the cleaner, the claims stage (real spaCy, loaded once), the number parser and
the date parser with arbitrary text (any unicode, invisible characters, long words, punctuation
storms, huge numbers) and arbitrary publication dates (1 January of year 1 to 31 December 9999):
none raises, and what comes out is well formed (spans inside the text, bounds in order).
"""
from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factcheck.claims import extract_claims, load_nlp
from factcheck.clean import (
    INVISIBLE,
    ODD_SPACES,
    clean,
    explain,
    sentence_pieces,
    split_lines,
    strip_inline,
    visible,
    visible_positions,
)
from factcheck.config import Settings
from factcheck.dates import iter_dates
from factcheck.errors import SourceError
from factcheck.models import Body, Paragraph, Source, stable_id
from factcheck.quantities import parse_quantities

SETTINGS = Settings(workers=1)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NEWS = ["President", "Ilham", "Aliyev", "said", "on", "Monday", "that", "38", "people", "died", ".",
        "Kremlin", "spokesman", "Dmitry", "Peskov", "told", "reporters", "in", "Moscow", "at", "least",
        "1,000", "passengers", "were", "aboard", "flight", "8243", "in", "December", "2024", "while",
        "Azerbaijan", "suspects", "a", "Russian", "missile", "killed", "38", "of", "67", "people",
        "yesterday", "next", "month", "last", "Monday", "on", "3", "February", "the", "ministry", "denied",
        "it", "’s", "Aliyev's", "Ø.", "Solberg", "U.S.", "Dr.", "J.", "R.", "R.", "99999999999999999999",
        "1e308", "$4.5", "trillion", "5", "km", "3.1", "miles", "dozens", "several", "10-20", "between",
        "10", "and", "20", "about", "2,000", "1960s", "'90s", "mid-June", "2020-2022", "Feb.", "30", "31",
        "February", "45/13/2026", "½", "٣", "１２", "−40", "%"]
ODD = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u200e", "\u202e", "\u2066", "\u00a0", "\u202f",
       "\n", "\r", "\t", "\u2028", "\x00", "\x0b", "...", "!!!", "?", "“", "”", "‘", "’", "'s", "—", "–",
       "(", ")", "[", "]", "*", "_", "**", "`", "#", ">", "- ", "1.", ":", ";", ",", "\U0001F6A2", "ﷺ", "Ⅻ"]
SEPARATORS = [" ", " ", " ", "", "\n", "\n\n", ". ", ", ", " \u200b", "\u00a0"]

token = st.one_of(
    st.sampled_from(NEWS), st.sampled_from(ODD),
    st.text(max_size=12),  # any unicode at all
    st.from_regex(r"[0-9][0-9,.]{0,40}", fullmatch=True),  # huge and malformed numbers
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzÀÉØ", min_size=40, max_size=400),  # long words
    st.text(alphabet="?!.,;:…“”()[]{}'\"-—*_", min_size=5, max_size=200),  # punctuation storms
)
texts = st.lists(st.tuples(token, st.sampled_from(SEPARATORS)), max_size=50).map(
    lambda parts: "".join(a + b for a, b in parts))
publication = st.one_of(st.none(), st.dates(), st.sampled_from([date.min, date.max]))


@pytest.fixture(scope="module", autouse=True)
def nlp():
    return load_nlp()  # once for the whole file


def source_of(raw: str, kind: str = "txt", published: date | None = None) -> Source:
    return Source(source_id=stable_id("p." + kind), name="p." + kind, outlet="Test", raw=raw, kind=kind,
                  published=published)


def assert_well_formed(claims, raw: str) -> None:
    for c in claims:
        assert 0 <= c.char_start < c.char_end <= len(raw), c
        assert visible(raw[c.char_start:c.char_end]).strip(), c
        assert c.sentence_index >= 0 and 0.0 <= c.check_worthiness <= 1.0
        assert c.text.strip() and all(e.text and e.key for e in c.entities)
        for q in c.quantities:
            assert q.low is None or q.high is None or q.low <= q.high, q
        for d in c.dates:
            assert (d.start is None) == (d.end is None) and (d.start is None or d.start <= d.end), d


# --- claims ------------------------------------------------------------------------------------

@FAST
@given(text=texts, published=publication)
@example(text="Ø. Solberg said that 40 people died.", published=None)
@example(text="The spokesman, ’s Aliyev, said that 40 people died.", published=date.max)
@example(text="Officials said 1\u200b2 people died yesterday in December.", published=date.min)
def test_claims_of_any_paragraph(text, published):
    """A paragraph as the claims stage gets it (no cleaning), whatever it holds."""
    src = source_of(text, published=published)
    body = Body(src.source_id, "", (Paragraph(text, 0, len(text)),) if text.strip() else ())
    assert_well_formed(extract_claims([src], [body], SETTINGS), text)


@FAST
@given(text=texts, published=publication, kind=st.sampled_from(["txt", "md"]))
def test_claims_of_any_cleaned_page(text, published, kind):
    """A page through the cleaner, then the claims stage: spans still point into the raw text."""
    src = source_of(text, kind, published)
    try:
        body = clean(src, SETTINGS)
    except SourceError:
        return
    claims = extract_claims([src], [body], SETTINGS)
    assert_well_formed(claims, text)
    for c in claims:  # each claim's sentence lies inside one kept paragraph
        assert any(p.char_start <= c.char_start and c.char_end <= p.char_end for p in body.paragraphs), c


def test_zero_width_characters_do_not_split_a_number():
    raw = "Lead paragraph of the report on the storm that hit the coast overnight.\n" \
          "Officials said 1\u200b2 people died when the storm\u00ad hit the coast\u200f on Tuesday.\n"
    src = source_of(raw)
    claims = extract_claims([src], [clean(src, SETTINGS)], SETTINGS)
    died = next(c for c in claims if "died" in c.text)
    assert [(q.low, q.measure) for q in died.quantities] == [(12.0, "dead")]
    assert "12 people" in died.text and "storm hit" in died.text
    assert visible(raw[died.char_start:died.char_end]) == died.text  # the span is the sentence in raw


def test_limits_split_paragraphs_and_skip_sentences(caplog):
    sentence = "Officials said that 38 people died when the ferry sank off the coast on Tuesday. "
    long_one = "The list named " + ", ".join(f"village {i}" for i in range(400)) + "."
    text = sentence * 40 + long_one + " " + sentence
    src = source_of(text)
    body = Body(src.source_id, "", (Paragraph(text, 0, len(text)),))
    limits = SETTINGS.replace(max_paragraph_chars=1000, max_sentence_chars=500)
    claims = extract_claims([src], [body], limits)
    assert claims and all(c.char_end - c.char_start <= 500 for c in claims)
    assert all(text[c.char_start:c.char_end] == c.text for c in claims)
    assert "1 paragraph(s) longer than 1000 characters (max_paragraph_chars) parsed in pieces" in caplog.text
    assert "longer than 500 characters (max_sentence_chars) skipped" in caplog.text


# --- clean -------------------------------------------------------------------------------------

@FAST
@given(text=texts, kind=st.sampled_from(["txt", "md"]))
def test_clean_any_text(text, kind):
    src = source_of(text, kind)
    labels = explain(src, SETTINGS)
    assert len(labels) == text.count("\n") + 1  # no line is longer than max_line_chars here
    try:
        body = clean(src, SETTINGS)
    except SourceError:
        return
    for p in body.paragraphs:
        assert 0 <= p.char_start < p.char_end <= len(text)
        assert p.text and not any(c in INVISIBLE for c in p.text)
        if kind == "txt":
            assert p.text == visible(text[p.char_start:p.char_end])


@FAST
@given(body=st.text(max_size=300))
def test_clean_any_html(body):
    page = f"<html><head><title>T</title></head><body><article><p>{body}</p></article></body></html>"
    try:
        cleaned = clean(source_of(page, "html"), SETTINGS)
    except SourceError:
        return
    assert all(0 <= p.char_start <= p.char_end <= len(page) for p in cleaned.paragraphs)


@FAST
@given(text=texts, limit=st.integers(1, 200))
def test_long_lines_are_read_in_pieces_within_the_limit(text, limit):
    for line in split_lines(text, max_chars=limit):
        assert line.end - line.start <= limit and 0 <= line.start <= line.end <= len(text)
        assert line.text == visible(text[line.start:line.end])


@settings(max_examples=300, deadline=None)
@given(text=texts, limit=st.integers(1, 300))
def test_sentence_pieces_cover_the_text(text, limit):
    pieces = sentence_pieces(text, limit)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a < b <= a + limit for a, b in pieces if text)
    assert all(b == c for (_, b), (c, _) in pairwise(pieces))


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_visible_positions_map_back(text):
    kept = "".join(text[k] for k in visible_positions(text))
    assert visible(text) == "".join(" " if c in ODD_SPACES else c for c in kept)
    assert not any(c in INVISIBLE for c in visible(text))


# The Markdown pattern strip_inline replaces (it scanned to the line's end for every open marker).
MD_INLINE_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\2")


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="*_`[]()! ab\u00a0", max_size=30))
def test_strip_inline_is_the_regex_in_linear_time(text):
    expected = MD_INLINE_RE.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(3), text)
    assert strip_inline(text) == expected


# --- quantities and dates ----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_quantities_of_any_text(text):
    for q in parse_quantities(text):
        assert q.text and q.text in text
        assert q.low is None or q.high is None or q.low <= q.high, q


@settings(max_examples=300, deadline=None)
@given(text=texts, published=publication)
def test_dates_of_any_text_and_publication_date(text, published):
    for span, (a, b) in iter_dates(text, published=published):
        assert 0 <= a < b <= len(text) and text[a:b] == span.text
        assert (span.start is None) == (span.end is None)
        assert span.start is None or span.start <= span.end


EDGE_EXPRESSIONS = ["yesterday", "tomorrow", "today", "last night", "next month", "last month", "this month",
                    "next week", "last week", "next year", "last year", "the past year", "earlier this month",
                    "later this year", "last Monday", "next Sunday", "on Friday", "in December", "in January",
                    "next December", "last January", "on 3 February", "on December 31", "January 1",
                    "mid-December", "will open on 3 February", "will open on Monday", "will open in January"]


@pytest.mark.parametrize("published", [date.min, date(1, 1, 7), date(9999, 12, 25), date.max])
@pytest.mark.parametrize("expression", EDGE_EXPRESSIONS)
def test_dates_at_the_edges_of_the_calendar(expression, published):
    for span, _ in iter_dates(f"The office said it happened {expression}.", published=published):
        assert span.start is None or date.min <= span.start <= span.end <= date.max
