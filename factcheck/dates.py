"""Dates: every date expression in a sentence as an interval [start, end] with its granularity.

Regular expressions only (no spaCy), so thousands of sentences are parsed per second. Expressions
that need the article's date ("June 27", "on Monday", "last week", "In May") are resolved against
``published``; without it they come back with ``resolved=False`` and no bounds.

Patterns are tried from the most specific to the least ("Dec. 25, 2024" before "December 2024"
before "2024"); a character claimed by one expression is not read again by a later pattern.

Granularities: ``day``, ``week``, ``month``, ``year`` (also multi-year ranges such as "2020-2022")
and ``decade``.
"""
from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

from .models import DateSpan

log = logging.getLogger(__name__)

# Four-digit numbers read as years. News is about the modern era; 1800 keeps "the war of 1812"
# and 19th-century anniversaries, and 2100 is far enough ahead for plans and forecasts.
YEAR_MIN, YEAR_MAX = 1800, 2100
# "the '30s" and later two-digit decades are the 1900s; "'00s", "'10s", "'20s" this century.
DECADE_PIVOT = 30
# Sentences whose date matches are kept (the claims stage asks for a sentence's dates, then its
# quantities ask for the same spans); a few thousand cover the articles of one story.
SPAN_CACHE_SIZE = 4096

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {name: i for i, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

# Month names must be capitalised: that alone rules out "it may" and "a march". Abbreviations
# ("Dec.") are only read next to a day or a year; a bare month needs a preposition before it.
_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH = rf"(?:{_MONTH_FULL}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d|2100)"
_WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Words after which a bare year or a bare month name is a date ("in 2023", "since 2003", "in May").
_DATE_PREP = (r"(?i:in|since|by|from|until|till|through|throughout|before|after|during|of|early|"
              r"late|mid|between|and|to|or|starting|beginning|last|this|next|around|circa)")
_NOT_AFTER = r"(?![\d,]\d|\.\d|%|-\d|\w)"

# Cheap tests that a sentence can hold a pattern at all: most sentences have no date, and skipping
# the full patterns for them roughly halves the time per sentence.
_HAS_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_HAS_MONTH = re.compile(rf"\b{_MONTH}")
_TRIGGERS = {
    "iso": _HAS_YEAR, "mdy": _HAS_YEAR, "dmy": _HAS_YEAR, "my": _HAS_YEAR, "md": _HAS_MONTH, "dm": _HAS_MONTH,
    "decade": re.compile(r"\d0s"), "year_range": _HAS_YEAR, "prep_year": _HAS_YEAR, "bare_year": _HAS_YEAR,
    "month": _HAS_MONTH, "mid_month": _HAS_MONTH, "weekday": re.compile(rf"\b(?:{_WEEKDAY})"),
    "relative": re.compile(r"(?i)\b(?:yesterday|today|tonight|tomorrow|night|week|month|year)\b"),
}

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(rf"\b(?P<d>(?P<y>{_YEAR})-(?P<mo>[01]\d)-(?P<dd>[0-3]\d))\b")),
    ("mdy", re.compile(rf"\b(?P<d>(?P<m>{_MONTH})\s+(?P<dd>{_DAY}),?\s+(?P<y>{_YEAR})){_NOT_AFTER}")),
    ("dmy", re.compile(rf"\b(?P<d>(?P<dd>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH}),?\s+(?P<y>{_YEAR})){_NOT_AFTER}")),
    ("my", re.compile(rf"\b(?P<d>(?P<m>{_MONTH}),?\s+(?P<y>{_YEAR})){_NOT_AFTER}")),
    ("md", re.compile(rf"\b(?P<d>(?P<m>{_MONTH})\s+(?P<dd>{_DAY}))\b(?![,.]?\d|\s*%)")),
    ("dm", re.compile(rf"(?<![\d,.])\b(?P<d>(?P<dd>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH_FULL}))\b")),
    ("decade", re.compile(r"(?P<d>(?:\b(?i:the)\s+)?(?:\b(?i:early|mid|late)[\s-]+)?"
                          r"(?:\b(?P<y>1[89]\d0|20\d0)|'(?P<yy>\d0))s)\b")),
    ("year_range", re.compile(rf"(?<![\d,.$])\b(?P<d>(?P<y>{_YEAR})\s*(?:-|–|—|to)\s*"
                              rf"(?P<y2>{_YEAR}|\d\d)){_NOT_AFTER}")),
    ("prep_year", re.compile(rf"\b{_DATE_PREP}(?:\s+|\s*-)(?:(?i:early|late|mid|the)[\s-]+)?"
                             rf"(?P<d>(?P<y>{_YEAR})){_NOT_AFTER}")),
    ("bare_year", re.compile(rf"(?<![\d,.$€£\w-])(?P<d>(?P<y>{_YEAR})){_NOT_AFTER}")),
    ("month", re.compile(rf"\b{_DATE_PREP}\s+(?:(?i:early|late|mid)[\s-]+)?(?P<d>(?P<m>{_MONTH_FULL}))\b")),
    ("mid_month", re.compile(rf"\b(?P<d>(?i:mid)-(?P<m>{_MONTH_FULL}))\b")),
    ("weekday", re.compile(rf"\b(?P<d>(?:(?P<rel>(?i:last|this|next))\s+)?(?P<w>{_WEEKDAY}))\b")),
    ("relative", re.compile(r"(?i)\b(?P<d>yesterday|today|tonight|tomorrow|last\s+night|"
                            r"(?P<rel>last|this|next|past|earlier\s+this|later\s+this)\s+"
                            r"(?P<unit>week|month|year))\b")),
]

# A bare year ("A 2021 census") is not read when a count noun follows it ("2000 peacekeepers")
# or a quantity word precedes it ("about 2000"); nouns that often follow a year are allowed.
_PLURAL_AFTER = re.compile(r"\s+(?:[a-z]+-)?(?P<w>[a-z]+[^\Wsui]s|people)\b")  # not "census", "crisis"
_YEAR_NOUNS = {"elections", "olympics", "games", "polls", "midterms", "protests", "talks",
               "floods", "riots", "accords", "sanctions", "hearings", "finals", "series", "los"}
_QUANTITY_BEFORE = re.compile(r"(?i)\b(?:about|around|nearly|almost|approximately|roughly|than|"
                              r"least|most|some|over|under|only|just|estimated|flight|no\.|number|"
                              r"route|boeing|airbus|model)\s+$")
# A clause that speaks of the future ("will be held on July 15"): a month, day or weekday without
# a year is then the next one, not the last. Only the clause before the date is looked at
# ("said Wednesday that Ukraine will ..." is still last Wednesday), at most this many characters.
FUTURE_WINDOW = 60
_CLAUSE_END = re.compile(r"[.;:!?\"'“”‘’—]")
_FUTURE = re.compile(r"(?i)\b(?:will|shall|won't|is\s+(?:due|scheduled|set|expected)\s+to|"
                     r"are\s+(?:due|scheduled|set|expected)\s+to|upcoming)\b|\w'll\b")


def _future(text: str, start: int) -> bool:
    """Whether the clause leading up to ``start`` is in the future tense."""
    window = text[max(0, start - FUTURE_WINDOW):start]
    clause = _CLAUSE_END.split(window)[-1]
    return _FUTURE.search(clause) is not None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_span(text: str, y: int, y2: int | None = None) -> DateSpan:
    return DateSpan(text, date(y, 1, 1), date(y2 or y, 12, 31), "year")


def _unresolved(text: str, granularity: str) -> DateSpan:
    return DateSpan(text, None, None, granularity, resolved=False)


def _month_of(name: str) -> int:
    return MONTHS[name.rstrip(".").lower()]


def _pick_year(month: int, day: int, published: date, *, future: bool, rel: str | None = None) -> int:
    """The year of the most recent (month, day) on or before publication; the next one on or after
    it when the sentence speaks of the future. "last"/"next" exclude the publication date itself."""
    year = published.year
    candidate = date(year, month, min(day, calendar.monthrange(year, month)[1]))
    if rel == "last":
        return year if candidate < published else year - 1
    if rel == "next":
        return year if candidate > published else year + 1
    if future:
        return year if candidate >= published else year + 1
    return year if candidate <= published else year - 1


def _year_ok(m: re.Match, text: str) -> bool:
    """A bare four-digit number is a year unless it counts something ("2000 peacekeepers")."""
    if _QUANTITY_BEFORE.search(text, 0, m.start()):
        return False
    after = _PLURAL_AFTER.match(text, m.end())
    return after is None or after.group("w") in _YEAR_NOUNS


# A day without a year that lies this few days ahead of the publication date is the coming one,
# whatever the tense ("His July 11 sentencing date" in a report of 30 May): a report of the same
# day ten months back would give its year. Months and weekdays stay the most recent ones.
SOON_DAYS = 60


def _soon(month: int, day: int, published: date) -> bool:
    """The (month, day) of this year is after ``published`` by at most ``SOON_DAYS``."""
    try:
        ahead = date(published.year, month, day) - published
    except ValueError:  # 29 February of a common year
        return False
    return 0 < ahead.days <= SOON_DAYS


def _day(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan:
    g = m.groupdict()
    month = int(g.get("mo")) if g.get("mo") else _month_of(g.get("m"))
    day = int(re.match(r"\d+", g.get("dd")).group())
    if g.get("y"):
        year = int(g.get("y"))
    elif published is None:
        return _unresolved(m["d"], "day")
    else:
        year = _pick_year(month, day, published, future=future)
        if year < published.year and _soon(month, day, published):
            year += 1
    try:
        when = date(year, month, day)
    except ValueError:  # "Feb. 30": not a date; keep the month
        log.debug("no such day %r; read as its month", m["d"])
        return DateSpan(m["d"], date(year, month, 1), _month_end(year, month), "month")
    return DateSpan(m["d"], when, when, "day")


def _month(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan:
    g = m.groupdict()
    month = _month_of(g.get("m"))
    if g.get("y"):
        year = int(g.get("y"))
    elif published is None:
        return _unresolved(m["d"], "month")
    else:
        rel = m.group(0).split()[0].lower()
        rel = rel if rel in ("last", "next") else None
        year = _pick_year(month, 1, published.replace(day=1), future=future, rel=rel)
    return DateSpan(m["d"], date(year, month, 1), _month_end(year, month), "month")


def _decade(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan:
    g = m.groupdict()
    if g.get("y"):
        start = int(g["y"])
    else:  # "the '90s"; "'20s" is this century
        start = int(g["yy"]) + (1900 if int(g["yy"]) >= DECADE_PIVOT else 2000)
    return DateSpan(m["d"], date(start, 1, 1), date(start + 9, 12, 31), "decade")


def _year_range(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan | None:
    g = m.groupdict()
    start, end = int(g.get("y")), g.get("y2")
    end = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
    return _year_span(m["d"], start, end) if start < end <= YEAR_MAX else None


def _year(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan | None:
    g = m.groupdict()
    y = int(g.get("y"))
    return _year_span(m["d"], y) if YEAR_MIN <= y <= YEAR_MAX else None


def _bare_year(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan | None:
    return _year(m, text, published, future) if _year_ok(m, text) else None


def _weekday(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan:
    g = m.groupdict()
    if published is None:
        return _unresolved(m["d"], "day")
    rel = (g.get("rel") or "").lower()
    back = (published.weekday() - WEEKDAYS[g.get("w").lower()]) % 7
    if rel == "next" or (future and rel != "last"):
        when = published + timedelta(days=(-back) % 7 or (7 if rel == "next" else 0))
    else:
        when = published - timedelta(days=back or (7 if rel == "last" else 0))
    return DateSpan(m["d"], when, when, "day")


def _relative(m: re.Match, text: str, published: date | None, future: bool) -> DateSpan:
    g = m.groupdict()
    word = " ".join(m["d"].lower().split())
    unit = (g.get("unit") or "day").lower()  # the pattern ignores case: "THE PAST YEAR"
    if published is None:
        return _unresolved(m["d"], unit)
    if unit == "day":
        shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
        when = published + timedelta(days=shift)
        return DateSpan(m["d"], when, when, "day")
    rel = " ".join(g.get("rel").lower().split())
    start, end = _period(published, unit, {"last": -1, "next": 1}.get(rel, 0))
    if rel == "past":
        start, end = published - timedelta(days={"week": 7, "month": 31, "year": 365}[unit]), published
    elif rel == "earlier this":
        end = published
    elif rel == "later this":
        start = published
    return DateSpan(m["d"], start, end, unit)


def _period(published: date, unit: str, shift: int) -> tuple[date, date]:
    """The calendar week (Monday-Sunday), month or year containing ``published``, moved by ``shift``."""
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=shift)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        index = published.year * 12 + published.month - 1 + shift
        year, month = divmod(index, 12)
        return date(year, month + 1, 1), _month_end(year, month + 1)
    return date(published.year + shift, 1, 1), date(published.year + shift, 12, 31)


_HANDLERS = {
    "iso": _day, "mdy": _day, "dmy": _day, "my": _month, "md": _day, "dm": _day,
    "decade": _decade, "year_range": _year_range, "prep_year": _bare_year, "bare_year": _bare_year,
    "month": _month, "mid_month": _month, "weekday": _weekday, "relative": _relative,
}


@lru_cache(maxsize=SPAN_CACHE_SIZE)
def _matches(text: str) -> tuple[tuple[str, re.Match], ...]:
    """Date expressions in ``text``, most specific first, none overlapping another.

    Cached: whether a match is a date does not depend on the publication date, and the claims
    stage reads a sentence's dates just before its quantities skip the same spans."""
    found: list[tuple[str, re.Match]] = []
    present = {trigger: trigger.search(text) is not None for trigger in set(_TRIGGERS.values())}
    for name, pattern in _PATTERNS:
        if not present[_TRIGGERS[name]]:
            continue
        for m in pattern.finditer(text):
            start, end = m.span("d")
            if any(start < m2.end("d") and m2.start("d") < end for _, m2 in found):
                continue
            if _HANDLERS[name](m, text, None, False) is not None:
                found.append((name, m))
    return tuple(sorted(found, key=lambda f: f[1].start("d")))


def iter_dates(text: str, *, published: date | None = None) -> Iterator[tuple[DateSpan, tuple[int, int]]]:
    """Each date expression with its character span in ``text``, in reading order."""
    for name, m in _matches(text):
        start = m.start("d")
        try:
            span = _HANDLERS[name](m, text, published, _future(text, start))
        except (OverflowError, ValueError):  # "yesterday" of 1 January of year 1: off the calendar
            log.debug("date %r cannot be resolved against %s", m["d"], published)
            span = _unresolved(m["d"], "unknown")
        if span is not None:
            yield span, m.span("d")


def parse_dates(text: str, *, published: date | None = None) -> list[DateSpan]:
    """Date expressions in ``text`` as intervals; relative ones resolved against ``published``."""
    return [span for span, _ in iter_dates(text, published=published)]


def date_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the date expressions in ``text`` (quantities skip these)."""
    return [m.span("d") for _, m in _matches(text)]


def dates_compatible(a: DateSpan, b: DateSpan) -> bool:
    """Two dates agree when their intervals overlap, so a coarser date never conflicts with a finer
    one inside it (September 2023 vs 2023). An unresolved date is unknown, hence compatible."""
    if None in (a.start, a.end, b.start, b.end):
        return True
    return a.start <= b.end and b.start <= a.end
