"""Clean: keep the article's own paragraphs, drop the page furniture, keep offsets into ``Source.raw``.

Text scrapes (and Markdown, once its markup is stripped) are classified line by line:

1. each line alone: blank, furniture (tickers, rate tables, prompts, widgets, credits...), prose, or a
   short label (a title or heading candidate);
2. the article starts at the first prose line; the title is the label just before it (its repeats are
   ``duplicate_title``); an "Outlet - Title" first line is ``outlet_and_title``;
3. the article ends at an end marker ("Related Articles", "Comments", "Read more"...), or where an
   appended story starts: a repeated headline, a story card (headline + time/outlet line), or a
   section whose words barely overlap the article's lead (another story, even one naming the same
   countries);
4. inside the article, prose is ``body`` and a short label followed by prose is a ``heading``.

Saved HTML goes through trafilatura (no network, ``favor_precision``); each kept block is located in
the raw HTML through a map of its visible text, so ``char_start:char_end`` spans the block in the HTML
(equal to the text when the page writes it without inline tags or entities).

Markdown: ``#``, list markers, emphasis and links are stripped for the paragraph text; the span covers
the line's text in the raw file (it contains the inline markup when there was some).
"""
from __future__ import annotations

import bisect
import html as htmllib
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from .config import Settings
from .errors import SourceError
from .meta import split_outlet_title
from .models import Body, LineLabel, Paragraph, Source

log = logging.getLogger(__name__)

# --- thresholds (chosen on the seeds and on hand-written pages in tests/pages; see each comment) ---
# A prose line has at least this many words (numbers count) and ends like a sentence. The seeds'
# shortest body line has 13; their sentence-like furniture has at most 8 and is caught as a prompt
# first. 8 keeps short news sentences ("The accident claimed the lives of 38 people.") as prose.
PROSE_MIN_WORDS = 8
# Fewer body words than this on a page is a banner or a menu, not an article (the shortest news
# briefs run to 40 words and more; cookie walls and login pages leave 2 to 15).
MIN_ARTICLE_WORDS = 20
# A line this long is prose even without final punctuation (seed line "...arrests of Russians in Baku").
PROSE_LONG_WORDS = 20
# Headings are short: the seeds' longest has 7 words; section heads of news sites stay under 15.
HEADING_MAX_WORDS = 14
# A short sentence ("He declined to comment.") is body only next to article prose.
SHORT_SENTENCE_MIN_WORDS = 3
# Titles may be longer than headings (questions, explainers: seed 000's has 12 words).
TITLE_MAX_WORDS = 30
TITLE_MIN_WORDS = 3
# Furniture rules look at lines up to this long: widgets, credits and tickers are short, and a long
# line that happens to end in "Reuters" or mention comments is an article paragraph.
FURNITURE_MAX_WORDS = 25
# Prompts (app, newsletter, sign-up) are short; a longer line with the same words is an article
# paragraph about an app or a newsletter, not a prompt.
PROMPT_MAX_WORDS = 40
# Paragraphs of the article that form its lead (what appended stories are compared with).
LEAD_PARAGRAPHS = 3
# A section (heading + its prose) after the lead is another story when the share of its distinct
# content words found in the title + lead is below a threshold. Measured on the seeds: the article's
# own sections score 0.094-0.169, the stories appended to seed 000 0.019-0.036. On ECB+ (4-sentence
# chunks of ../shared/data/ecbplus) own chunks score median 0.118 but 8% fall below 0.04, and
# chunks of another event of the same topic score median 0.081. So the bar is low when the section
# follows the article's prose directly, and higher after a gap of page furniture (ads, share buttons,
# time stamps), where another story is the likelier reading.
LEAD_OVERLAP_MIN = 0.04
LEAD_OVERLAP_MIN_AFTER_GAP = 0.10
# Sections shorter than this many distinct content words are too small to judge by overlap.
OVERLAP_MIN_SECTION_WORDS = 25
# Lines looked ahead from a headline for a story-card sign (time stamp, outlet line).
CARD_LOOKAHEAD = 4
# A paragraph after a repeated line must have this many distinct content words to show, by its
# overlap with the lead, that the article goes on (a card's one-line summary proves nothing).
CAPTION_PROSE_MIN_WORDS = 12
# Furniture is short in characters too: 25 words of widget text run to 200-300 characters. A longer
# line is never furniture, and the furniture patterns (some backtrack over runs of spaces) are not
# tried on it, so classifying a line costs time linear in its length.
FURNITURE_MAX_CHARS = 400
# A dateline ("AUSTIN, Texas (AP) — ") or a scraper's metadata prefix ("date 2024-06-26 14:02 ") sits
# in a line's first characters; only these are looked at (the longest seen is about 40).
LINE_HEAD_CHARS = 120
# Markdown emphasis nests a few levels at most (***bold italic***, a link inside bold): inline markup
# is stripped in at most this many passes.
MD_MAX_PASSES = 4

WORD_RE = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")  # words and numbers ("38", "4.35", "don't")
SENTENCE_END = tuple(".!:;\"'”’)…`")  # ` closes quotes in some converted corpora (``…'')
STOPWORDS = frozenset("""a about after again against all also an and any are as at be because been before
being between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not now of
off on once only or other our out over own said same says she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your year years one two new""".split())

# Furniture rules: (reason, pattern on the stripped line). Generic shapes, not seed text.
FURNITURE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("rate or ticker line", re.compile(r"^[A-Z]{2,6}\s*[-–]?\s*[+-]?\d[\d,]*(?:\.\d+)?\s*%?$")),
    ("currency or symbol header", re.compile(r"^[A-Z]{2,6}\s*[-–:]$")),
    ("number or percentage only", re.compile(r"^[+\-–]?\s*[$€£¥]?\d[\d,]*(?:\.\d+)?\s*%?$")),
    ("stock symbol bullet", re.compile(r"^[•·▪►*\-–]\s*[A-Z][A-Z0-9.\-]{0,7}$")),
    ("time stamp", re.compile(r"^(?:time|updated|published|posted)?\s*:?\s*(?:\d+|an?|one)\s+"
                              r"(?:sec|second|min|minute|hour|hr|day|week|month|year)s?\s+ago$", re.I)),
    ("logo or image placeholder", re.compile(r"^(?:\w+\s)?(?:logo|background|image|icon|thumbnail|placeholder)$", re.I)),
    ("navigation or button", re.compile(r"^(?:menu|search|home|skip to (?:main )?content|close|open|back to top|"
                                        r"sign in|log in|login|register|subscribe|next|previous|more|"
                                        r"sponsored|print|listen|watch|play)$", re.I)),
    ("share buttons", re.compile(r"^(?:share(?: this(?: article| story| page)?| on| via)?|tweet|facebook|twitter|x|whatsapp|linkedin|"
                                 r"telegram|reddit|email|e-mail|copy link|pinterest)"
                                 r"(?:\s*[|/·,•]?\s*(?:facebook|twitter|x|whatsapp|linkedin|telegram|reddit|email|"
                                 r"e-mail|copy link|pinterest|share))*:?$", re.I)),
    ("comment widget", re.compile(r"^(?:\d+\s+)?comments?(?:\s*\(\d+\))?$|^(?:no comments yet|be the first to comment|"
                                  r"leave a (?:comment|reply)|join the (?:conversation|discussion)|"
                                  r"(?:show|view|load|hide) (?:all )?comments)\b", re.I)),
    ("byline", re.compile(r"^(?:by|written by|reporting by|words by)\s+[\w.'’-]+(?:\s+[\w.'’-]+){0,3}"
                          r"(?:\s*(?:,|and|&)\s*[\w.'’ -]+)?$", re.I)),
    ("photo credit", re.compile(r"^(?:photo|image|picture|video|graphic|illustration)s?\s*(?:credit)?\s*:|"
                                r"(?:getty images|shutterstock|afp|reuters|ap photo|epa|file photo)\)?$|"
                                r"^\((?:photo|image)[^)]*\)$", re.I)),
    ("advertisement marker", re.compile(r"^(?:story continues below(?: advertisement)?|advertisement|ad|"
                                        r"continue reading(?: below)?|scroll to continue)$", re.I)),
    ("metadata line", re.compile(r"^(?:date|published|updated|posted|last updated)\s*:?\s*\d{4}-\d{2}-\d{2}"
                                 r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2})?$", re.I)),
    ("hashtag line", re.compile(r"^(?:#[^\W_][\w-]*[\s,;|·•]*)+$")),
    ("link to another story", re.compile(r"^(?:also read|read also|read more|see also|related|watch|listen|"
                                         r"must read|don'?t miss|recommended)\s*[:|–—-]\s*\S", re.I)),
    ("photo caption", re.compile(r"(?:[/|]\s*|\(|\bphoto:?\s*|\bcredit:?\s*)(?:reuters|ap|afp|getty images|epa|"
                                 r"anadolu|xinhua|tass|ria novosti|[\w]+ photo|file)\s*\)?\.?$|"
                                 r"^(?:photo|image|picture|pictured|above|top|caption)\s*[:|–—-]", re.I)),
    ("app store badge", re.compile(r"^(?:app[- ]?store|play[- ]?store|google play)(?:\s*[-/|]?\s*"
                                   r"(?:app[- ]?store|play[- ]?store|google play))*$", re.I)),
)
# Lines that end the article: everything after them is other content.
END_MARKER_RE = re.compile(
    r"^(?:related(?: articles| stories| news| content| coverage)?|read (?:more|also|next)|more (?:from|on|in|"
    r"stories|news|to read)\b.*|recommended(?: for you| stories| reading)?|you (?:may|might) also (?:like|be "
    r"interested in)|most (?:read|popular|viewed)|trending(?: now| stories)?|(?:\d+\s+)?comments?|"
    r"(?:latest|top) (?:news|stories|headlines)|also read|see also|editor'?s picks|popular now|"
    r"(?:no comments yet|be the first to comment)\b.*)\s*:?$", re.I)
# Calls to action: a promotional imperative, or a promo phrase addressed to the reader ("your").
CTA_START_RE = re.compile(r"^(?:download|sign up|subscribe|try|explore|install|register|log in|join us|follow us|"
                          r"get (?:started|the app|our|unlimited|the latest|breaking)|click|tap|don'?t miss|"
                          r"never miss|stay (?:informed|updated|up to date)|(?:enable|turn on) notifications)\b", re.I)
CTA_PHRASE_RE = re.compile(r"\b(?:download (?:\w+ )?app|app ?store|play ?store|google play|sign up|subscribe|"
                           r"newsletter|our app|by providing your email|terms (?:and|&) conditions|"
                           r"privacy policy|cookies?|notifications|news alerts|log in|create (?:an|your) account)\b", re.I)
SECOND_PERSON_RE = re.compile(r"\b(?:you|your|yours)\b", re.I)
READER_RE = re.compile(r"\b(?:you|your|yours|our|now|today|free)\b", re.I)
# Wire-style dateline opening a story: "AUSTIN, Texas (AP) —", "MOSCOW —".
DATELINE_OPEN_RE = re.compile(r"^[A-Z][A-Z .'’-]{2,}(?:,\s+[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?\s*(?:\([\w .]+\))?\s*[—–-]{1,2}\s")

# Characters that print as nothing: zero-width space, joiners and non-joiner, word joiner and the
# invisible operators, byte-order marks inside the text, soft hyphens, bidirectional marks and
# embeddings. They are dropped before a line is classified or parsed ("1\u200b2" is 12, not 1 and 2).
INVISIBLE = frozenset("\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                      "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff")
# No-break and other fixed-width spaces read as a plain space (one character for one: offsets hold).
ODD_SPACES = frozenset("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                       "\u202f\u205f\u3000")
_VISIBLE = str.maketrans({**dict.fromkeys(INVISIBLE), **dict.fromkeys(ODD_SPACES, " ")})
# Where a paragraph may be cut: after a sentence's end (closing quotes and brackets included) and the
# spaces that follow it.
SENTENCE_BREAK_RE = re.compile(r"[.!?…][\"'”’)\]]*\s+")


@dataclass
class Line:
    """One line of a text source: its number, full span, and the stripped text with its span."""

    no: int
    text: str  # stripped (and for Markdown, de-marked) text
    start: int  # span of the text in raw
    end: int
    kind: str = ""  # blank | furniture | prose | label | sentence | other (local classification)
    reason: str = ""


# --- public API --------------------------------------------------------------------------------

def clean(source: Source, settings: Settings) -> Body:
    """The article's own paragraphs with offsets into ``source.raw``; ``SourceError`` if none."""
    if source.kind in ("html", "url"):
        return clean_html(source, settings)
    labels = explain(source, settings)
    paragraphs = stamped(tuple(_paragraph(lab) for lab in labels if lab.label in ("body", "heading")), source.raw)
    if not any(p.role == "body" for p in paragraphs):
        raise SourceError(source.name, "no article text found (only page furniture)",
                          "check that the file holds the article itself")
    title = next((lab.text for lab in labels if lab.label == "title"), "") or source.title
    return Body(source_id=source.source_id, title=title, paragraphs=paragraphs, labels=tuple(labels))


def explain(source: Source, settings: Settings) -> list[LineLabel]:
    """Every line's label and the reason for it (what ``--explain`` shows)."""
    if source.kind in ("html", "url"):
        return list(clean_html(source, settings).labels)
    lines = split_lines(source.raw, markdown=source.kind == "md", max_chars=settings.max_line_chars)
    if len(lines) > source.raw.count("\n") + 1:
        cut = sum(n > 1 for n in Counter(ln.no for ln in lines).values())
        log.warning("%s: %d line(s) longer than %d characters (max_line_chars) read in pieces cut at "
                    "sentence ends", source.name, cut, settings.max_line_chars)
    for line in lines:
        line.kind, line.reason = classify_line(line.text)
    labels = label_lines(lines, known_title=source.title)
    return [LineLabel(ln.no, ln.start, ln.end, ln.text, label, reason) for ln, (label, reason) in zip(lines, labels)]


# A heading that is only a clock time, as a timeline heads each step ("6:39 p.m. ET", "Approximately
# 8:42 p.m. ET", "19:04"): the time of the paragraph under it.
STAMP = re.compile(r"(?i)^(?:approximately|about|around|shortly after|just after|just before|after|before)?\s*"
                   r"(?:(?:1[0-2]|0?[1-9])(?:[:.][0-5]\d)?\s*[ap]\.?m\.?|(?:[01]?\d|2[0-3]):[0-5]\d)"
                   r"(?:\s*(?:[A-Z]{2,4}|local time|eastern|central|mountain|pacific))?$")


def stamped(paragraphs: tuple[Paragraph, ...], raw: str) -> tuple[Paragraph, ...]:
    """Each timeline stamp joined to the paragraph under it ("6:39 p.m. ET: Flight 5342 takes off
    from Wichita"), so the paragraph's first sentence says when. The joint keeps the raw text's
    length (": " for a blank line), so offsets into ``raw`` stay exact."""
    out: list[Paragraph] = []
    i = 0
    while i < len(paragraphs):
        p = paragraphs[i]
        nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        gap = raw[p.char_end:nxt.char_start] if nxt else ""
        if (nxt is not None and p.role == "heading" and nxt.role == "body" and STAMP.match(p.text.strip())
                and raw[p.char_start:p.char_end] == p.text and gap and not gap.strip()):
            joint = (":" + " " * (len(gap) - 1)) if len(gap) >= 2 else " "
            out.append(Paragraph(p.text + joint + nxt.text, p.char_start, nxt.char_end, "body"))
            i += 2
            continue
        out.append(p)
        i += 1
    return tuple(out)


def _paragraph(lab: LineLabel) -> Paragraph:
    return Paragraph(text=lab.text, char_start=lab.char_start, char_end=lab.char_end,
                     role="heading" if lab.label == "heading" else "body")


# --- text normalisation and limits ---------------------------------------------------------------

def visible(text: str) -> str:
    """The text as it reads: invisible characters dropped, no-break and other odd spaces as spaces."""
    return text if text.isascii() else text.translate(_VISIBLE)


def visible_positions(text: str) -> list[int]:
    """Index in ``text`` of each character ``visible(text)`` keeps (how offsets map back to raw)."""
    return [k for k, c in enumerate(text) if c not in INVISIBLE]


def sentence_pieces(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Spans of ``text`` in order, covering it, each at most ``max_chars`` long: cut after the last
    sentence end that fits, else at the last space, else at ``max_chars``. Linear in the text."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    breaks = [m.end() for m in SENTENCE_BREAK_RE.finditer(text)]
    spans, start = [], 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        k = bisect.bisect_right(breaks, limit) - 1
        cut = breaks[k] if k >= 0 and breaks[k] > start else max(text.rfind(" ", start, limit),
                                                                 text.rfind("\n", start, limit)) + 1
        cut = cut if cut > start else limit
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return spans


def _is_blank(c: str) -> bool:
    return c.isspace() or c in INVISIBLE


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` without the spaces and invisible characters at either edge."""
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return start, end


# --- lines -------------------------------------------------------------------------------------

# A page's metadata glued before its first sentence by a scraper ("date 2024-06-26 William Ruto said").
META_PREFIX_RE = re.compile(r"^(?:date|published|updated|posted)\s*:?\s*\d{4}-\d{2}-\d{2}"
                            r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s+(?=\S)", re.I)


def split_lines(raw: str, *, markdown: bool = False, max_chars: int | None = None) -> list[Line]:
    """Lines split on \\n, each with the span of its stripped text in ``raw`` (\\r, spaces and
    invisible characters at the edges excluded; a scraper's metadata prefix, "date 2024-06-26 ", too).
    The text is ``visible``: invisible characters inside it dropped, odd spaces made plain.
    A line longer than ``max_chars`` becomes several, cut at sentence ends (``sentence_pieces``),
    all with the line's number."""
    lines, pos = [], 0
    for no, chunk in enumerate(raw.split("\n"), start=1):
        for start, end in _line_parts(chunk, max_chars):
            stripped, start = chunk[start:end], pos + start
            if markdown and stripped:
                text, start, end = strip_markdown(stripped, start)
            else:
                text, end = stripped, start + len(stripped)
            lines.append(Line(no=no, text=visible(text), start=start, end=end))
        pos += len(chunk) + 1
    return lines


def _line_parts(chunk: str, max_chars: int | None) -> list[tuple[int, int]]:
    """Spans in ``chunk`` of its trimmed text (after any metadata prefix), cut into pieces of at most
    ``max_chars``; one empty span at its start for a blank line."""
    start, end = _trimmed(chunk, 0, len(chunk))
    if start == end:
        return [(0, 0)]
    meta = META_PREFIX_RE.match(chunk[start:start + LINE_HEAD_CHARS])
    if meta and len(words(chunk[start + meta.end():end])) >= PROSE_MIN_WORDS:
        start = start + meta.end()
    if max_chars is None or end - start <= max_chars:
        return [(start, end)]
    parts = [_trimmed(chunk, start + a, start + b) for a, b in sentence_pieces(chunk[start:end], max_chars)]
    return [(a, b) for a, b in parts if a < b]


MD_PREFIX_RE = re.compile(r"^(?:#{1,6}\s+|>\s*|[*+\-]\s+|\d+[.)]\s+)+")
# Emphasis markers, longest first (as the alternatives of a pattern would try them).
MD_MARKERS = ("**", "__", "*", "_", "`")


def strip_markdown(line: str, start: int) -> tuple[str, int, int]:
    """A stripped line without Markdown markers (headings, quotes, bullets, emphasis, links).

    Returns the text and the span it came from in raw: after the line's prefix markers, up to its
    last character that is not a closing marker.
    """
    prefix = MD_PREFIX_RE.match(line)
    skip = prefix.end() if prefix else 0
    body, previous = line[skip:], None
    for _ in range(MD_MAX_PASSES):
        if previous == body:
            break
        previous, body = body, strip_inline(body)
    return body.strip(), start + skip, start + len(line.rstrip("*_#` "))


def strip_inline(text: str) -> str:
    """One pass over ``text`` replacing each link by its text and each emphasis by its content, left
    to right as ``re.sub`` would with the pattern
    ``!?\\[([^\\]]*)\\]\\([^)]*\\)|(\\*\\*|__|\\*|_|`)(\\S(?:.*?\\S)?)\\2``, in linear time: that pattern
    scanned to the end of the line for every marker left open (minutes for one long line)."""
    closers = {m: [k.start() for k in re.finditer(rf"(?<=\S)(?={re.escape(m)})", text)] for m in MD_MARKERS}
    brackets = {c: [k for k, x in enumerate(text) if x == c] for c in "])"}
    out, i, last = [], 0, 0
    while i < len(text):
        found = _inline_at(text, i, closers, brackets) if text[i] in "![*_`" else None
        if found:
            out += [text[last:i], found[1]]
            i = last = found[0]
        else:
            i += 1
    return "".join(out) + text[last:] if out else text


def _next_at(positions: list[int], at: int) -> int | None:
    k = bisect.bisect_left(positions, at)
    return positions[k] if k < len(positions) else None


def _inline_at(text: str, i: int, closers: dict, brackets: dict) -> tuple[int, str] | None:
    """(end, replacement) of the link or emphasis that starts at ``i``, or None."""
    b = i + 1 if text.startswith("![", i) else i
    if text[b] == "[":
        r = _next_at(brackets["]"], b + 1)
        p = _next_at(brackets[")"], r + 2) if r is not None and text.startswith("(", r + 1) else None
        if p is not None:
            return p + 1, text[b + 1:r]
    for m in MD_MARKERS:
        s = i + len(m)
        if text.startswith(m, i) and s < len(text) and not text[s].isspace():
            # the pattern's optional group is greedy: the shortest content of two characters or
            # more first, one character only when there is none
            j = _next_at(closers[m], s + 2)
            j = j if j is not None else s + 1 if text.startswith(m, s + 1) else None
            if j is not None:
                return j + len(m), text[s:j]
    return None


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def classify_line(text: str) -> tuple[str, str]:
    """Local class of one line: blank | furniture | prose | label | sentence | other, with a reason."""
    if not text:
        return "blank", "blank line"
    n = len(words(text))
    for reason, pattern in FURNITURE_RULES if n <= FURNITURE_MAX_WORDS and len(text) <= FURNITURE_MAX_CHARS else ():
        if pattern.search(text):
            return "furniture", reason
    if is_prompt(text, n):
        return "furniture", "app, newsletter or sign-up prompt"
    if n >= PROSE_LONG_WORDS or (n >= PROSE_MIN_WORDS and text.endswith(SENTENCE_END)):
        return "prose", f"prose ({n} words, sentence-like)"
    if n and n <= TITLE_MAX_WORDS and not text.endswith((",", *SENTENCE_END)) and _starts_upper(text):
        return "label", f"short line ({n} words) without final punctuation"
    if n >= SHORT_SENTENCE_MIN_WORDS and text.endswith(SENTENCE_END) and _starts_upper(text):
        return "sentence", f"short sentence ({n} words)"
    return "other", f"short fragment ({n} words)"


def is_prompt(text: str, n_words: int) -> bool:
    """A call to action addressed to the reader (download the app, sign up, newsletter...)."""
    if n_words > PROMPT_MAX_WORDS:
        return False
    if CTA_START_RE.match(text) and (READER_RE.search(text) or CTA_PHRASE_RE.search(text)):
        return True
    return bool(CTA_PHRASE_RE.search(text) and SECOND_PERSON_RE.search(text))


def _starts_upper(text: str) -> bool:
    first = next((c for c in text if c.isalnum()), "")
    return first.isupper() or first.isdigit()


def norm(text: str) -> str:
    return " ".join(w.lower() for w in words(text))


# --- whole-document labelling ------------------------------------------------------------------

def label_lines(lines: list[Line], *, known_title: str = "") -> list[tuple[str, str]]:
    """Label every line (title, duplicate_title, outlet_and_title, heading, body, boilerplate, blank)."""
    labels = [("blank", "blank line") if ln.kind == "blank" else ("boilerplate", ln.reason) for ln in lines]
    start = next((i for i, ln in enumerate(lines) if ln.kind == "prose"), None)
    if start is None:
        return labels
    title = _label_title(lines, labels, start, known_title)
    end = _article_end(lines, start, title)
    _label_article(lines, labels, start, end, title)
    _label_tail(lines, labels, end)
    return labels


def _label_title(lines: list[Line], labels: list, start: int, known_title: str) -> str:
    """Label the lines before the article: outlet-and-title line, title, its repeats, the rest."""
    first = next((i for i in range(start) if lines[i].kind != "blank"), None)
    parsed = split_outlet_title(lines[first].text) if first is not None else None
    if parsed:
        labels[first] = ("outlet_and_title", f"outlet {parsed[0]!r} and title on one line")
    title = _pick_title(lines[:start], skip=first if parsed else None,
                        wanted=norm(parsed[1]) if parsed else norm(known_title))
    seen = False  # a line before this one is the title
    for i in range(start):
        if labels[i][0] in ("blank", "outlet_and_title") or lines[i].kind == "furniture":
            continue
        labels[i] = ("boilerplate", "before the article and not its title")
        if title and norm(lines[i].text) == title:
            labels[i] = ("duplicate_title", "repeats the title") if seen else ("title", "headline before the article")
            seen = True
    return title or (norm(parsed[1]) if parsed else "")


def _pick_title(head: list[Line], *, skip: int | None, wanted: str) -> str:
    """The headline among the lines before the article: the known title, a repeated line, or the last."""
    cands = [ln for i, ln in enumerate(head) if i != skip and ln.kind in ("label", "other")
             and TITLE_MIN_WORDS <= len(words(ln.text)) <= TITLE_MAX_WORDS]
    keys = [norm(ln.text) for ln in cands]
    if wanted and wanted in keys:
        return wanted
    counts = Counter(keys)
    repeated = [k for k in keys if counts[k] > 1]
    if repeated:
        return repeated[-1]
    return keys[-1] if keys else ""


def _article_end(lines: list[Line], start: int, title: str) -> int:
    """Index of the first line after the article (an end marker or an appended story), or len(lines)."""
    for i in range(start + 1, len(lines)):
        if END_MARKER_RE.match(lines[i].text) and lines[i].kind != "prose" and not _link_gap(lines, start, i, title):
            return i
        if lines[i].kind in ("label", "other") and _starts_story_card(lines, start, i, title):
            return i
    return _end_by_overlap(lines, start, len(lines), title)


def _starts_story_card(lines: list[Line], start: int, i: int, title: str) -> bool:
    """A headline repeated on the next line, or followed by a time stamp / dateline: another story.
    A repeated line whose next paragraph goes on with the article's own words is the article's
    caption or standfirst, printed twice by the page ("Capt. Sumeet Sabharwal and First Officer
    Clive Kunder" above a paragraph about the two pilots), not a card."""
    key = norm(lines[i].text)
    if not key or key == title:
        return False
    following = list(islice(_non_blank(lines, i + 1, len(lines)), CARD_LOOKAHEAD))
    if following and norm(following[0].text) == key:
        return not _goes_on(lines, start, i, title)
    for ln in following:
        if ln.reason == "time stamp":
            return True
        if ln.kind == "prose":
            return bool(DATELINE_OPEN_RE.match(ln.text[:LINE_HEAD_CHARS]))
    return False


def _non_blank(lines: list[Line], start: int, end: int, step: int = 1) -> Iterator[Line]:
    """The lines of ``start``, ``start + step`` … up to ``end`` (excluded) that are not blank: read
    one at a time, so that looking at the next few costs nothing like a copy of the rest."""
    return (lines[k] for k in range(start, end, step) if lines[k].kind != "blank")


def _link_gap(lines: list[Line], start: int, i: int, title: str) -> bool:
    """An end marker ("READ MORE") whose links the page has lost, with the article's own prose right
    after it: a gap in the article, not its end."""
    nxt = next(_non_blank(lines, i + 1, len(lines)), None)  # cards after a marker start with a headline
    return nxt is not None and nxt.kind == "prose" and _goes_on(lines, start, i, title, LEAD_OVERLAP_MIN)


def _lead(lines: list[Line], start: int, end: int, title: str) -> tuple[list[int], set[str]]:
    """The lead's paragraphs (indexes) and the content words of the title and the lead."""
    lead_idx = [i for i in range(start, end) if lines[i].kind == "prose"][:LEAD_PARAGRAPHS]
    return lead_idx, content_words(title + " " + " ".join(lines[i].text for i in lead_idx))


def _goes_on(lines: list[Line], start: int, i: int, title: str, bar: float = LEAD_OVERLAP_MIN_AFTER_GAP) -> bool:
    """The first paragraph of article prose after line ``i`` shares the lead's words as the article's
    own sections do (by default as they do after a gap of furniture, ``LEAD_OVERLAP_MIN_AFTER_GAP``)."""
    _, lead = _lead(lines, start, i, title)
    nxt = next((ln for ln in _non_blank(lines, i + 1, len(lines)) if ln.kind == "prose"), None)
    if nxt is None or not lead:
        return False
    section = content_words(nxt.text)
    return len(section) >= CAPTION_PROSE_MIN_WORDS and lead_overlap(section, lead) >= bar


def _end_by_overlap(lines: list[Line], start: int, end: int, title: str) -> int:
    """The first section (heading + prose) that shares too few words with the lead, or ``end``."""
    lead_idx, lead = _lead(lines, start, end, title)
    for first, last in _sections(lines, start, end):
        section = content_words(" ".join(ln.text for ln in lines[first:last]))
        if first < lead_idx[-1] or len(section) < OVERLAP_MIN_SECTION_WORDS:
            continue
        bar = LEAD_OVERLAP_MIN_AFTER_GAP if _furniture_gap(lines, start, first) else LEAD_OVERLAP_MIN
        if lead_overlap(section, lead) < bar:
            return first
    return end


def _furniture_gap(lines: list[Line], start: int, first: int) -> bool:
    """True when page furniture separates the heading at ``first`` from the prose above it.

    Advertisement markers do not count: sites put them between the sections of one article too.
    """
    above = next((i for i in range(first - 1, start - 1, -1) if lines[i].kind == "prose"), start)
    return any(lines[i].kind not in ("blank", "prose") and lines[i].reason != "advertisement marker"
               for i in range(above + 1, first))


def _sections(lines: list[Line], start: int, end: int) -> list[tuple[int, int]]:
    """(first, last) index ranges of sections: each starts at a label followed by prose."""
    # a question ("Where was the outrage?") asks inside the story; it does not start another one
    heads = [i for i in range(start, end) if lines[i].kind == "label" and not lines[i].text.endswith("?")
             and _prose_follows(lines, i, end)]
    bounds = heads + [end]
    return [(bounds[k], bounds[k + 1]) for k in range(len(heads))]


def content_words(text: str) -> set[str]:
    return {w.lower() for w in words(text) if len(w) > 2 and w.lower() not in STOPWORDS}


def lead_overlap(section: set[str], lead: set[str]) -> float:
    """Share of the section's distinct content words that also occur in the article's title and lead."""
    return len(section & lead) / len(section) if section else 1.0


def _prose_follows(lines: list[Line], i: int, end: int) -> bool:
    nxt = next(_non_blank(lines, i + 1, end), None)
    return nxt is not None and nxt.kind == "prose"


def _label_article(lines: list[Line], labels: list, start: int, end: int, title: str) -> None:
    for i in range(start, end):
        line = lines[i]
        if line.kind in ("blank", "furniture"):
            continue
        if title and norm(line.text) == title:
            labels[i] = ("duplicate_title", "repeats the title inside the article")
        elif line.kind == "prose":
            labels[i] = ("body", line.reason)
        elif line.kind == "sentence" and _next_to_prose(lines, i, start, end):
            labels[i] = ("body", f"{line.reason} next to article prose")
        elif len(words(line.text)) <= HEADING_MAX_WORDS and line.kind == "label" and _prose_follows(lines, i, end):
            labels[i] = ("heading", "short line followed by article prose")
        else:
            labels[i] = ("boilerplate", f"{line.reason}, not followed by article prose")


def _next_to_prose(lines: list[Line], i: int, start: int, end: int) -> bool:
    before = next(_non_blank(lines, i - 1, start - 1, -1), None)
    after = next(_non_blank(lines, i + 1, end), None)
    return any(ln is not None and ln.kind == "prose" for ln in (before, after))


def _label_tail(lines: list[Line], labels: list, end: int) -> None:
    if end >= len(lines):
        return
    why = f"after the article's end (line {lines[end].no}: {lines[end].text[:40]!r})"
    for i in range(end, len(lines)):
        if lines[i].kind != "blank":
            labels[i] = ("boilerplate", lines[i].reason if lines[i].kind == "furniture" else why)


# --- HTML --------------------------------------------------------------------------------------

def extract_html(html: str) -> list[tuple[str, str]]:
    """(role, text) blocks of the article in a page, by trafilatura (no network); [] when none."""
    import trafilatura
    from lxml import etree

    # deduplicate=False: trafilatura's duplicate cache is process-wide, so a page extracted a third
    # time (ingest, syndication check, clean) would come back empty.
    xml = trafilatura.extract(html, output_format="xml", favor_precision=True, include_comments=False,
                              include_tables=False, include_images=False, include_links=False,
                              with_metadata=False, deduplicate=False)
    if not xml:
        return []
    blocks = []
    for el in etree.fromstring(xml.encode("utf-8")).iter("head", "p", "item", "quote"):
        text = " ".join(visible("".join(el.itertext())).split())
        if text and not (el.tag == "p" and el.getparent() is not None and el.getparent().tag == "quote"):
            blocks.append(("heading" if el.tag == "head" else "body", text))
    return blocks


def clean_html(source: Source, settings: Settings) -> Body:
    """Body of a saved HTML page: trafilatura's blocks, each located in the raw HTML."""
    blocks = extract_html(source.raw)
    if not any(role == "body" for role, _ in blocks):
        raise SourceError(source.name, "no article found in the page (a cookie wall, a login page or an index?)",
                          "save the article page itself, or paste its text into a .txt file")
    title = source.title
    if blocks and blocks[0][0] == "heading" and (not title or _same_headline(blocks[0][1], title)):
        title, blocks = blocks[0][1], blocks[1:]  # the page's headline is the title, not a section head
    visible = VisibleText(source.raw)
    paragraphs, pos = [], 0
    for role, text in blocks:
        span = visible.locate(text, pos)
        if span is None:
            log.debug("%s: block not found in the raw HTML: %.60s", source.name, text)
            continue
        paragraphs.append(Paragraph(text=text, char_start=span[0], char_end=span[1], role=role))
        pos = span[1]
    if sum(len(words(p.text)) for p in paragraphs if p.role == "body") < MIN_ARTICLE_WORDS:
        raise SourceError(source.name, "no article found in the page (only a few words of page furniture)",
                          "save the article page itself, or paste its text into a .txt file")
    labels = html_labels(source.raw, paragraphs, title=title)
    return Body(source_id=source.source_id, title=title, paragraphs=tuple(paragraphs), labels=labels)


def _same_headline(a: str, b: str) -> bool:
    """Same headline, allowing a site suffix on one ("Title | Outlet")."""
    a, b = norm(a), norm(b)
    return bool(a) and bool(b) and (a == b or a.startswith(b) or b.startswith(a))


TAG_RE = re.compile(r"<!--.*?-->|<(script|style|noscript|template)\b.*?</\1\s*>|<[^>]*>|&#?\w+;", re.I | re.S)
BLOCK_TAG_RE = re.compile(r"^</?(?:p|div|h[1-6]|li|ul|ol|br|section|article|header|footer|nav|aside|tr|td|"
                          r"blockquote|figure|figcaption|main|title|form|button|span)\b", re.I)


class VisibleText:
    """The visible text of an HTML page with, for each of its characters, its position in the HTML."""

    def __init__(self, raw: str):
        chars: list[str] = []
        where: list[int] = []
        pos = 0
        for m in TAG_RE.finditer(raw):
            self._add(raw[pos:m.start()], pos, chars, where)
            self._add_token(m, chars, where)
            pos = m.end()
        self._add(raw[pos:], pos, chars, where)
        self.text, self.where = "".join(chars), where

    @staticmethod
    def _add(chunk: str, offset: int, chars: list, where: list) -> None:
        for k, c in enumerate(chunk):
            if c not in INVISIBLE:
                chars.append(" " if c.isspace() else c)
                where.append(offset + k)

    @staticmethod
    def _add_token(m: re.Match, chars: list, where: list) -> None:
        token = m.group(0)
        if token.startswith("&"):
            text = visible(htmllib.unescape(token))
            chars.extend(" " if c.isspace() else c for c in text)
            where.extend([m.start()] * len(text))
        elif BLOCK_TAG_RE.match(token):
            chars.append("\n")
            where.append(m.start())

    def locate(self, text: str, pos: int = 0) -> tuple[int, int] | None:
        """Span in the raw HTML of ``text`` (whitespace-insensitive), searching from raw offset ``pos``."""
        pattern = re.compile(r"\s*".join(re.escape(w) for w in text.split()))
        m = pattern.search(self.text, bisect.bisect_left(self.where, pos)) or pattern.search(self.text)
        if not m:
            return None
        return self.where[m.start()], self.where[m.end() - 1] + 1

    def lines(self) -> list[tuple[int, int, str]]:
        """(raw start, raw end, text) of each non-blank visible line."""
        out = []
        for m in re.finditer(r"[^\n]+", self.text):
            stripped = m.group(0).strip()
            if stripped:
                s = m.start() + m.group(0).find(stripped)
                out.append((self.where[s], self.where[s + len(stripped) - 1] + 1, " ".join(stripped.split())))
        return out


def html_labels(raw: str, paragraphs: list[Paragraph], *, title: str = "") -> tuple[LineLabel, ...]:
    """Labels of the page's visible lines: kept when inside a kept block, boilerplate otherwise."""
    labels, seen_title = [], False
    ordered = sorted(paragraphs, key=lambda p: p.char_start)
    starts = [p.char_start for p in ordered]
    for no, (start, end, text) in enumerate(VisibleText(raw).lines(), start=1):
        k = bisect.bisect_right(starts, start) - 1
        inside = ordered[k] if k >= 0 and end <= ordered[k].char_end else None
        if inside:
            labels.append(LineLabel(no, start, end, text, inside.role, "in the article extracted by trafilatura"))
        elif title and norm(text) == norm(title):
            label = "duplicate_title" if seen_title else "title"
            labels.append(LineLabel(no, start, end, text, label, "the page's headline"))
            seen_title = True
        else:
            labels.append(LineLabel(no, start, end, text, "boilerplate", "outside the article trafilatura extracted"))
    return tuple(labels)
