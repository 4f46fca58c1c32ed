"""Dates: each table row is a sentence and the intervals a fact-checker would read in it.

Unless a row says otherwise, articles are published on Thursday 3 July 2025.
"""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.dates import date_spans, dates_compatible, parse_dates
from factcheck.models import DateSpan

PUB = date(2025, 7, 3)  # a Thursday


def D(start: str, end: str | None = None, granularity: str = "day") -> tuple:
    return (date.fromisoformat(start), date.fromisoformat(end or start), granularity)


def read(text: str, published: date | None = PUB) -> list[tuple]:
    return [(d.start, d.end, d.granularity) for d in parse_dates(text, published=published)]


DATES = [
    # absolute dates at every granularity
    ("On Dec. 25, 2024, an Azerbaijan Airlines passenger jet crashed", [D("2024-12-25")]),
    ("The ruling came on 25 December 2024 in Baku.", [D("2024-12-25")]),
    ("The ministry published the figures on 2024-12-25.", [D("2024-12-25")]),
    ("Talks resumed on Sept. 3, 2023, in Geneva.", [D("2023-09-03")]),
    ("The liner sank on 14 April 1912 after striking an iceberg.", [D("1912-04-14")]),
    ("Azerbaijan reclaimed full control of Karabakh in September 2023 after a lightning military campaign.",
     [D("2023-09-01", "2023-09-30", "month")]),
    ("The crash of an Azerbaijani passenger plane in December 2024 shocked the region.",
     [D("2024-12-01", "2024-12-31", "month")]),
    ("Inflation peaked in Feb. 2022 and eased afterwards.", [D("2022-02-01", "2022-02-28", "month")]),
    ("Prices fell sharply in 2023.", [D("2023-01-01", "2023-12-31", "year")]),
    ("President Ilhan Aliyev has been in power since 2003.", [D("2003-01-01", "2003-12-31", "year")]),
    ("Tensions have been rising since mid-2024.", [D("2024-01-01", "2024-12-31", "year")]),
    ("Elections were held in early 2024.", [D("2024-01-01", "2024-12-31", "year")]),
    ("The treaty covered the years 2020-2022.", [D("2020-01-01", "2022-12-31", "year")]),
    ("Between 2020 and 2022, exports doubled.",
     [D("2020-01-01", "2020-12-31", "year"), D("2022-01-01", "2022-12-31", "year")]),
    ("Japan began diversifying after the two oil shocks of the 1970s.", [D("1970-01-01", "1979-12-31", "decade")]),
    ("The airline's troubles date to the early 1990s.", [D("1990-01-01", "1999-12-31", "decade")]),
    ("Music from the '90s filled the hall.", [D("1990-01-01", "1999-12-31", "decade")]),
    # a year next to a noun is still a year; years are not counts
    ("A 2021 census listed about a half-million ethnic Azerbaijanis living in Russia, but unofficial "
     "estimates put that number as high as 2 million.", [D("2021-01-01", "2021-12-31", "year")]),
    ("In response to the 1973 oil shock, Japan enacted the Oil Stockpiling Act in 1975.",
     [D("1973-01-01", "1973-12-31", "year"), D("1975-01-01", "1975-12-31", "year")]),
    ("The party swept the 2024 elections.", [D("2024-01-01", "2024-12-31", "year")]),
    # resolved against the publication date
    ("On June 27, police raided the homes of several ethnic Azerbaijanis.", [D("2025-06-27")]),
    ("In May, Aliyev declined to attend Russia's Victory Day parade.", [D("2025-05-01", "2025-05-31", "month")]),
    ("Protests began in December and spread quickly.", [D("2024-12-01", "2024-12-31", "month")]),
    ("On Monday, masked police stormed the Baku offices of Sputnik Azerbaijan.", [D("2025-06-30")]),
    ("Russia on Tuesday briefly detained the leader of the Azerbaijani community.", [D("2025-07-01")]),
    ("Kremlin spokesman Dmitry Peskov said Wednesday that Ukraine will do everything to add fuel to the fire.",
     [D("2025-07-02")]),
    ("Officials confirmed the arrests on Thursday.", [D("2025-07-03")]),
    ("The bodies were returned to Baku on Friday.", [D("2025-06-27")]),
    ("Last week, the agency posted on social media.", [D("2025-06-23", "2025-06-29", "week")]),
    ("A federal judge ruled last month that the arrests were unlawful.", [D("2025-06-01", "2025-06-30", "month")]),
    ("The minister resigned yesterday.", [D("2025-07-02")]),
    ("The ceasefire took effect last year.", [D("2024-01-01", "2024-12-31", "year")]),
    ("Arrests have risen sharply earlier this month.", [D("2025-07-01", "2025-07-03", "month")]),
    ("They met on Monday, June 30, in Baku.", [D("2025-06-30"), D("2025-06-30")]),
    # the future tense points forward
    ("The summit will be held on Sept. 15 in Baku.", [D("2025-09-15")]),
    ("The envoy will travel to Moscow next week.", [D("2025-07-07", "2025-07-13", "week")]),
    ("The ministry said it may review the case in May.", [D("2025-05-01", "2025-05-31", "month")]),
    # not dates
    ("The decision may anger Moscow.", []),
    ("Thousands joined a march through the capital.", []),
    ("Organisers said the March for Peace drew large crowds.", []),
    ("Russia brokered a truce and deployed about 2,000 peacekeepers to the region.", []),
    ("The crash killed 38 people.", []),
    ("About 2000 protesters gathered outside parliament.", []),
    ("Officials said 1,500 people fled.", []),
    ("It was almost as long as the 25-year rule of Vladimir Putin.", []),
    ("Police were investigating decades-old murders dating back decades.", []),
    ("The plane was carrying 67 people and 5 crew members.", []),
    ("Theresa May said the vote would go ahead.", []),
    ("May God protect them, the priest said.", []),
]


@pytest.mark.parametrize("text, expected", DATES, ids=[t[:40] for t, _ in DATES])
def test_parse_dates(text, expected):
    assert read(text) == expected


RESOLUTION = [
    # (sentence, published, expected): a day or month without year is the most recent one
    ("Protests erupted on Dec. 28.", date(2025, 1, 5), [D("2024-12-28")]),
    ("Protests erupted on Dec. 28.", date(2025, 12, 30), [D("2025-12-28")]),
    ("In March, the talks collapsed.", date(2025, 2, 10), [D("2024-03-01", "2024-03-31", "month")]),
    # a day a few weeks ahead is the coming one, not the one ten months back
    ("His July 11 sentencing date comes four days before the convention.", date(2024, 5, 30), [D("2024-07-11")]),
    ("Protests erupted on Dec. 28.", date(2025, 10, 5), [D("2024-12-28")]),
    ("In March, the talks collapsed.", date(2025, 3, 20), [D("2025-03-01", "2025-03-31", "month")]),
    ("Talks resumed last May.", date(2025, 5, 20), [D("2024-05-01", "2024-05-31", "month")]),
    ("The vote was held last Monday.", date(2025, 6, 30), [D("2025-06-23")]),
    ("Last month's flooding was the worst on record.", date(2025, 1, 15), [D("2024-12-01", "2024-12-31", "month")]),
]


@pytest.mark.parametrize("text, published, expected", RESOLUTION)
def test_resolution_against_publication(text, published, expected):
    assert read(text, published) == expected


@pytest.mark.parametrize("text, granularity", [
    ("On Monday, masked police stormed the offices.", "day"),
    ("On June 27, police raided the homes.", "day"),
    ("In May, Aliyev declined to attend.", "month"),
    ("Last week, the agency posted a statement.", "week"),
    ("The minister resigned yesterday.", "day"),
])
def test_relative_dates_without_publication_are_unresolved(text, granularity):
    [span] = parse_dates(text)
    assert (span.start, span.end, span.resolved, span.granularity) == (None, None, False, granularity)


def test_date_spans_point_at_the_expression():
    text = "On Dec. 25, 2024, the jet crashed; Aliyev has ruled since 2003."
    assert [text[s:e] for s, e in date_spans(text)] == ["Dec. 25, 2024", "2003"]


def test_date_text_is_the_expression():
    assert [d.text for d in parse_dates("It crashed in September 2023, not on Monday.", published=PUB)] == [
        "September 2023", "Monday"]


COMPATIBLE = [
    # granularity is never a conflict; disjoint intervals are
    ("in September 2023", "in 2023", True),
    ("On Dec. 25, 2024", "in December 2024", True),
    ("On Dec. 25, 2024", "in 2024", True),
    ("in the 1970s", "in 1973", True),
    ("in 2020-2022", "in 2021", True),
    ("last week", "on Tuesday, June 24", True),
    ("On Dec. 25, 2024", "On Dec. 26, 2024", False),
    ("in September 2023", "in October 2023", False),
    ("in 2023", "in 2024", False),
    ("in the 1970s", "in 1981", False),
    ("yesterday", "on July 2", True),
    ("yesterday", "on June 30", False),
]


@pytest.mark.parametrize("a, b, expected", COMPATIBLE)
def test_dates_compatible(a, b, expected):
    [da], [db] = parse_dates(a, published=PUB)[-1:], parse_dates(b, published=PUB)[-1:]
    assert dates_compatible(da, db) is expected
    assert dates_compatible(db, da) is expected


def test_unresolved_dates_are_compatible_with_anything():
    [monday] = parse_dates("on Monday")
    [year] = parse_dates("in 1999")
    assert dates_compatible(monday, year) is True
    assert dates_compatible(DateSpan("x", None, None, "unknown", False), monday) is True


# --- Hypothesis round-trips: render a date, parse it back -------------------------------------
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
MONTH_ABBR = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
RENDERINGS = [
    (lambda d: f"{MONTH_ABBR[d.month - 1]} {d.day}, {d.year}", "day"),
    (lambda d: f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}", "day"),
    (lambda d: f"{MONTH_NAMES[d.month - 1]} {d.day}, {d.year}", "day"),
    (lambda d: d.isoformat(), "day"),
    (lambda d: f"{MONTH_NAMES[d.month - 1]} {d.year}", "month"),
    (lambda d: f"{d.year}", "year"),
]


@settings(max_examples=300, deadline=None)
@given(when=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
       rendering=st.sampled_from(RENDERINGS))
def test_rendered_date_round_trips(when, rendering):
    render, granularity = rendering
    [span] = parse_dates(f"Officials said the attack happened in {render(when)}, near the border.", published=PUB)
    assert span.granularity == granularity
    assert span.start <= when <= span.end


@settings(max_examples=200, deadline=None)
@given(published=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
       weekday=st.sampled_from(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]))
def test_weekday_is_the_most_recent_one(published, weekday):
    [span] = parse_dates(f"Police raided the offices on {weekday}.", published=published)
    assert span.start == span.end
    assert published - timedelta(days=6) <= span.start <= published
    assert span.start.strftime("%A") == weekday


@settings(max_examples=200, deadline=None)
@given(published=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
       month=st.integers(1, 12))
def test_month_without_year_is_the_most_recent_one(published, month):
    [span] = parse_dates(f"In {MONTH_NAMES[month - 1]}, the talks collapsed.", published=published)
    assert span.start.month == month and span.start.day == 1
    assert span.start <= published < span.start.replace(year=span.start.year + 1)


def test_fast_enough_for_thousands_of_sentences():
    sentences = [text for text, _ in DATES] * 10
    began = time.perf_counter()
    for text in sentences:
        parse_dates(text, published=PUB)
    assert len(sentences) / (time.perf_counter() - began) > 1000  # measured ~10,000/s


@pytest.mark.parametrize("published", [date(1, 1, 1), date(9999, 12, 31)])
@pytest.mark.parametrize("text", ["yesterday", "next month", "last Monday", "in December", "on 3 February",
                                  "tomorrow", "last year", "next week"])
def test_dates_at_the_edge_of_the_calendar_are_unresolved_not_a_crash(published, text):
    spans = parse_dates(f"The talks ended {text}.", published=published)
    assert len(spans) == 1 and (spans[0].resolved is False or spans[0].start is not None)
