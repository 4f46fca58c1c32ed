"""What a page says about itself: outlet, title, URL, publication date and language, from an
"Outlet - Title" first line, a dateline near the top, HTML meta tags, or the file name. No network.

Read by ingest (a source's metadata) and by clean (an "Outlet - Title" line is furniture).
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

# Outlet part of an "Outlet - Title" first line: at most this many words (outlet names are short:
# "The Japan Times", "Associated Press", "Deutsche Welle").
OUTLET_MAX_WORDS = 5
# Lines at the top of a text scrape searched for a dateline.
DATELINE_SEARCH_LINES = 15
OUTLET_TITLE_RE = re.compile(r"^\s*(?P<outlet>[^\s].{1,60}?)\s+[-–—|]\s+(?P<title>\S.{2,}?)\s*$")
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
DATELINE_RES = (
    re.compile(rf"\b(?P<month>{MONTHS})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{MONTHS})\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
)


def detect_text_meta(text: str) -> dict:
    """Outlet and title from an "Outlet - Title" first line, date from a dateline near the top."""
    meta: dict = {}
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    parsed = split_outlet_title(first)
    if parsed:
        meta["outlet"], meta["title"] = parsed
    meta["published"] = find_dateline(text)
    return meta


def split_outlet_title(line: str) -> tuple[str, str] | None:
    """("The Japan Times", "Azerbaijan defies Russia") from "The Japan Times - Azerbaijan defies Russia"."""
    m = OUTLET_TITLE_RE.match(line)
    if not m or line.rstrip().endswith("."):
        return None
    outlet = m.group("outlet").strip()
    words = outlet.split()
    if len(words) > OUTLET_MAX_WORDS or not all(w[0].isupper() or w[0].isdigit() or w in ("of", "the", "and", "&")
                                                for w in words):
        return None
    return outlet, m.group("title").strip()


def find_dateline(text: str) -> date | None:
    """A date written on its own short line near the top ("July 2, 2025", "2025-07-02")."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:DATELINE_SEARCH_LINES]
    for line in lines:
        if len(line.split()) > 12:  # prose mentions dates too; a dateline is short
            continue
        found = parse_date_text(line)
        if found:
            return found
    return None


def parse_date_text(text: str) -> date | None:
    for pattern in DATELINE_RES:
        m = pattern.search(text)
        if m:
            return _to_date(m.group("year"), m.group("month"), m.group("day"))
    return None


def _to_date(year: str, month: str, day: str) -> date | None:
    month_no = int(month) if month.isdigit() else MONTHS.split("|").index(month.lower().rstrip(".")) + 1
    try:
        return date(int(year), month_no, int(day))
    except ValueError:
        return None


def detect_html_meta(html: str) -> dict:
    """Outlet, title, URL, date and language from the page's meta tags (no network)."""
    import htmldate
    import trafilatura

    doc = trafilatura.extract_metadata(html)
    meta = {
        "outlet": _meta_tag(html, "og:site_name") or (doc.sitename if doc else ""),
        "title": _meta_tag(html, "og:title") or (doc.title if doc else "") or _title_tag(html),
        "url": _meta_tag(html, "og:url") or _canonical(html) or (doc.url if doc else ""),
        "language": _html_lang(html),
    }
    found = htmldate.find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    meta["published"] = date.fromisoformat(found) if found else None
    return meta


def _meta_tag(html: str, prop: str) -> str:
    for pattern in (rf'<meta[^>]+(?:property|name)=["\']{re.escape(prop)}["\'][^>]*content=["\']([^"\']*)["\']',
                    rf'<meta[^>]+content=["\']([^"\']*)["\'][^>]*(?:property|name)=["\']{re.escape(prop)}["\']'):
        m = re.search(pattern, html, re.IGNORECASE)
        if m:
            return _unescape(m.group(1))
    return ""


def _title_tag(html: str) -> str:
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return _unescape(m.group(1)) if m else ""


def _canonical(html: str) -> str:
    m = re.search(r'<link[^>]+rel=["\']canonical["\'][^>]*href=["\']([^"\']+)["\']', html, re.IGNORECASE)
    return m.group(1).strip() if m else ""


def _html_lang(html: str) -> str:
    m = re.search(r'<html[^>]+lang=["\']([A-Za-z]{2})', html, re.IGNORECASE)
    return m.group(1).lower() if m else ""


def _unescape(text: str) -> str:
    import html as htmllib

    return " ".join(htmllib.unescape(text).split())


def outlet_from_name(name: str) -> str:
    """A readable outlet guess from a file name: "japan-times_azerbaijan.txt" -> "japan times azerbaijan"."""
    stem = Path(name).stem
    words = [w for w in re.split(r"[\W_]+", stem) if w and not re.fullmatch(r"[0-9a-f]{6,}|\d+", w, re.I)]
    return " ".join(words) or stem
