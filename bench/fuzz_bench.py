"""Fuzzing the claims stage: generated sentences through the real cleaning and claim extraction.

    python bench/fuzz_bench.py [--sentences 100000] [--seed 0] [--workers N] [--sizes 10000,100000,1000000]

Sentences come from news templates (attributions, tolls, counts of groups, dates, money, flights,
names from many scripts) filled at random, and most are then mutated: invisible and odd unicode,
stray punctuation, huge or malformed numbers, impossible dates, possessives, initials, long
words, markup, control characters, cut or glued sentences. They are grouped into paragraphs and
articles, each article with a publication date anywhere from 1 January of year 1 to 31 December
9999 (the edges more often than not), and each article is cleaned as a text page and its
paragraphs run through ``claims.extract_claims``. Every exception is counted (target 0), by
stage, with its first examples and where it was raised.

Then one paragraph of 10k, 100k and 1M characters of such sentences goes through clean and claims,
timed: the time per character should stay flat (linear cost).
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path

from factcheck import claims as claims_stage
from factcheck import clean as clean_stage
from factcheck.config import Settings
from factcheck.errors import SourceError
from factcheck.models import Body, Paragraph, Source, stable_id

SETTINGS = Settings(workers=1)
ARTICLES_PER_CHUNK = 40  # a unit of work for a bench process (about 600 sentences)
EXAMPLES_KEPT = 3  # examples printed per kind of exception

# --- the generator -----------------------------------------------------------------------------

SPEAKERS = ["President Ilham Aliyev", "Kremlin spokesman Dmitry Peskov", "Ø. Solberg", "Recep Tayyip Erdoğan",
            "Nguyễn Phú Trọng", "Jean-Luc Mélenchon", "Siobhán O'Brien", "Mohammed bin Salman", "Xi Jinping",
            "The spokesman, ’s Aliyev,", "Dr. J. R. R. Okafor", "U.S. Secretary of State Antony Blinken",
            "Łukasz Żółć", "Ahmad al-Sharaa", "Владимир Путин", "محمد بن سلمان", "李强", "The interior ministry",
            "Officials in Baku", "Police", "A Turkish official", "The country's aviation agency", "He", "They",
            "Government sources", "The Kremlin", "Baku", "Moscow", "Reuters", "state media", "Mr. Aliyev's office"]
PLACES = ["Aktau", "Kazakhstan", "Derna", "Libya", "Gaza", "Kharkiv", "the Qeshm island", "Yekaterinburg",
          "New Orleans", "Jeju", "Nairobi", "Caracas", "São Paulo", "Zürich", "Kyiv", "Tbilisi", "Marrakesh",
          "the Black Sea", "Nizhny Novgorod", "Cox's Bazar", "Dagestan"]
GROUPS = ["people", "passengers", "crew", "children", "protesters", "soldiers", "civilians", "migrants",
          "police officers", "journalists", "patients", "miners", "students"]
MEASURES = ["were killed", "died", "were injured", "were arrested", "are missing", "were evacuated",
            "were aboard", "were detained", "were rescued", "were wounded"]
CUES = ["said", "told reporters", "claimed", "denied", "suspects", "insisted", "confirmed", "warned",
        "reported", "announced", "acknowledged"]
DATES = ["on Monday", "last Tuesday", "next Friday", "yesterday", "today", "tomorrow", "last night",
         "in December", "on 3 February", "on December 31, 2024", "in March 2023", "in 2019", "next month",
         "last week", "this year", "the past year", "earlier this month", "in the 1990s", "in the '80s",
         "in mid-June", "on Feb. 30", "on 31 February", "45/13/2026", "in the year 99999", "2020-2022",
         "on 2024-06-26", "since 1812", "by 2100", "on July 4th", "in early September"]
NUMBERS = ["38", "67", "1,000", "2.5 million", "dozens", "several", "at least 40", "more than 50", "up to 300",
           "about 2,000", "nearly 120", "between 10 and 20", "10-20", "two", "twenty-five", "a dozen",
           "hundreds", "tens of thousands", "a handful of", "one", "zero", "99999999999999999999999999",
           "1e308", "10^400", "1,000,000,000,000,000", "−40", "٣٨", "１２", "½", "3/4", "0.5", "38%", "IV"]
MONEY = ["$4.5 trillion", "€40", "£3m", "¥200bn", "$1.2 billion", "40 euros", "Rs 500 crore", "$0.01"]
TEMPLATES = [
    "{speaker} {cue} on {weekday} that {n} {group} {measure} in {place}.",
    "According to {speaker}, at least {n} {group} {measure} when the {thing} {event} {date}.",
    "{place} authorities said the {thing} was carrying {n} passengers and {m} crew.",
    "While {speaker} attributed the crash to a bird strike, {speaker2} suspects that a missile was responsible.",
    "The death toll rose to {n} {date}, the ministry said.",
    "{speaker} denied that {n} {group} had been detained {date}.",
    "Police arrested {n} people, including {m} children, after the protests in {place} {date}.",
    "The {org} estimated the damage at {money}, {speaker} {cue}.",
    "{speaker}, the foreign minister of {place}, told reporters in {place2} that talks would resume {date}.",
    "About {n} homes were destroyed and {m} were damaged, officials said, citing state media.",
    "The quake, which struck at 3:42 a.m. {date}, had a magnitude of {mag} and killed {n}.",
    "Flight {flight} crashed {dist} km from {place}, killing {n} of the {m} people aboard.",
    "{n} of them were charged with terrorism {date}, prosecutors said.",
    "In {year}, a similar flood killed {n} people in {place}.",
    "{speaker} blamed the outage on a software update, and {speaker2} condemned the attack.",
    "Rescuers pulled {n} survivors from the rubble {date}, and {m} more were found alive in {place}.",
    "\u201cWe will not accept {n} deaths,\u201d {speaker} {cue}, adding that {m} {group} {measure}.",
    "The {thing} left {place} {date} and reached {place2} {date2}, {dist} miles away.",
    "Is it true that {n} {group} {measure}?",
    "{speaker}'s office said the figure of {n} was wrong; the real number is {m}.",
]
THINGS = ["ferry", "jet", "bus", "convoy", "train", "Azerbaijan Airlines passenger jet", "cargo ship", "drone"]
EVENTS = ["crashed", "sank", "exploded", "capsized", "was hit by fire", "ran aground", "collapsed"]
ORGS = ["World Bank", "UN", "International Monetary Fund", "Red Crescent", "ministry's U.S.-based partner"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202c",
              "\u202e", "\u2066", "\u2069", "\u2060"]
ODD_CHARS = ["\u00a0", "\u202f", "\u2009", "\u3000", "\t", "\r", "\u2028", "\x07", "\x1b", "\x00", "\x0b",
             "\U0001F6A2", "\U0001F44D", "ﷺ", "Ⅻ", "①", "²", "̈", "‽", "«", "»", "„", "‹", "—", "–", "…",
             "漢字", "עברית", "العربية", "Ελληνικά", "ß", "İ", "ǅ", "ﬁ"]
PUNCTUATION = list("?!.,;:()[]{}\"'“”‘’*_#`<>/\\|-—–…%$&@^~=+") + ["...", "!!", "?!", "--", "''", "\"\""]
MARKUP = ["<b>", "</b>", "&amp;", "&nbsp;", "**", "__", "[link](http://x)", "# ", "> ", "- ", "1. ", "`code`"]
INITIALS = ["Ø.", "J.", "Ł.", "Ž.", "J. R. R.", "St.", "Mr.", "Dr.", "U.S.", "No.", "Gen."]


def fill(rnd: random.Random) -> str:
    template = rnd.choice(TEMPLATES)
    pick = rnd.choice
    return template.format(
        speaker=pick(SPEAKERS), speaker2=pick(SPEAKERS), cue=pick(CUES), weekday=pick(WEEKDAYS),
        n=pick(NUMBERS), m=pick(NUMBERS), group=pick(GROUPS), measure=pick(MEASURES), place=pick(PLACES),
        place2=pick(PLACES), thing=pick(THINGS), event=pick(EVENTS), date=pick(DATES), date2=pick(DATES),
        org=pick(ORGS), money=pick(MONEY), mag=f"{rnd.uniform(0, 10):.1f}",
        flight=f"{pick('ABCDJ')}{rnd.randint(1, 9999)}",
        dist=pick(NUMBERS), year=rnd.choice([str(rnd.randint(1, 9999)), "1960", "2023", "0", "20233"]))


def _insert(text: str, rnd: random.Random, piece: str) -> str:
    k = rnd.randint(0, len(text))
    return text[:k] + piece + text[k:]


def _in_word(text: str, rnd: random.Random, pieces: list[str]) -> str:
    spots = [k for k, c in enumerate(text) if c.isalnum()] or [0]
    k = rnd.choice(spots)
    return text[:k] + rnd.choice(pieces) + text[k:]


MUTATIONS = [
    lambda t, r: _in_word(t, r, INVISIBLES),
    lambda t, r: t.replace(" ", r.choice(["\u00a0", "\u202f", "  ", "\t", " \u200b"]), r.randint(1, 4)),
    lambda t, r: _insert(t, r, r.choice(PUNCTUATION) * r.randint(1, 30)),
    lambda t, r: _insert(t, r, " " + r.choice(ODD_CHARS) * r.randint(1, 5) + " "),
    lambda t, r: _insert(t, r, " " + str(r.randint(0, 10 ** r.randint(1, 60))) + " "),
    lambda t, r: _insert(t, r, " " + r.choice(DATES) + " "),
    lambda t, r: _insert(t, r, " " + r.choice(["’s", "'s", "s’", "’", "'"]) + " " + r.choice(SPEAKERS) + " "),
    lambda t, r: _insert(t, r, " " + r.choice(INITIALS) + " " + r.choice(["Solberg", "Aliyev", "Ø", "’s"]) + " "),
    lambda t, r: t.upper() if r.random() < 0.5 else t.lower(),
    lambda t, r: _insert(t, r, " " + "".join(r.choices("abcdefghijklmnopqrstuvwxyzØß", k=r.randint(50, 400))) + " "),
    lambda t, r: _insert(t, r, r.choice(MARKUP)),
    lambda t, r: t[:r.randint(0, len(t))],
    lambda t, r: t + fill(r),  # two sentences glued together
    lambda t, r: _in_word(t, r, ["̈", "̧", "́", "\u0301\u0301\u0301"]),  # combining marks
    lambda t, r: " ".join([r.choice(["and", "the ferry", ",", "38", "said"])] * r.randint(20, 300)) + ".",
    lambda t, r: t.replace("e", "е", r.randint(1, 3)),  # Cyrillic look-alike
    lambda t, r: _insert(t, r, r.choice(["(", "[", "“", "\"", "‘"]) * r.randint(1, 50)),
]


def sentence(rnd: random.Random) -> str:
    text = fill(rnd)
    for _ in range(rnd.choice([0, 0, 1, 1, 2, 3, 5])):
        text = rnd.choice(MUTATIONS)(text, rnd)
    return text


EDGE_DATES = [date.min, date.max, date.min + timedelta(days=3), date.max - timedelta(days=3),
              date(1, 12, 31), date(9999, 1, 1), date(2000, 2, 29), date(2025, 12, 31)]


def publication_date(rnd: random.Random) -> date | None:
    roll = rnd.random()
    if roll < 0.1:
        return None
    if roll < 0.4:
        return rnd.choice(EDGE_DATES)
    return date.fromordinal(rnd.randint(date.min.toordinal(), date.max.toordinal()))


def article(rnd: random.Random, sentences: int) -> list[list[str]]:
    """Paragraphs (lists of sentences) holding ``sentences`` sentences in all."""
    paragraphs: list[list[str]] = []
    while sentences > 0:
        n = min(sentences, rnd.randint(1, 6))
        paragraphs.append([sentence(rnd) for _ in range(n)])
        sentences -= n
    return paragraphs


# --- one chunk of work, in a bench process -----------------------------------------------------

@dataclass
class Outcome:
    sentences: int = 0
    paragraphs: int = 0
    claims: int = 0
    seconds: float = 0.0
    exceptions: Counter = field(default_factory=Counter)  # (stage, type, where) -> count
    examples: dict = field(default_factory=dict)  # (stage, type, where) -> [(message, text)]

    def add(self, other: Outcome) -> None:
        self.sentences += other.sentences
        self.paragraphs += other.paragraphs
        self.claims += other.claims
        self.seconds += other.seconds
        self.exceptions.update(other.exceptions)
        for k, v in other.examples.items():
            self.examples.setdefault(k, []).extend(v[:EXAMPLES_KEPT - len(self.examples.get(k, []))])

    def record(self, stage: str, exc: BaseException, text: str, tb=None) -> None:
        frames = traceback.extract_tb(tb or exc.__traceback__)
        where = next((f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)
                      if "factcheck" in f.filename), frames[-1].name if frames else "?")
        key = (stage, type(exc).__name__, where)
        self.exceptions[key] += 1
        examples = self.examples.setdefault(key, [])
        if len(examples) < EXAMPLES_KEPT:
            examples.append((str(exc)[:200], text[:300]))


class _Caught(logging.Handler):
    """The claims stage logs a paragraph it could not read and goes on: those are exceptions too."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "gave no claims" in record.getMessage():
            self.records.append(record)


def run_chunk(seed: int, chunk: int, sentences: int) -> Outcome:
    """Articles of ``sentences`` sentences in all, cleaned one by one, then their claims extracted in
    one call (as a run does); an article the stage logged a failure for is diagnosed."""
    rnd = random.Random(seed * 1_000_003 + chunk)
    out = Outcome()
    caught = _Caught()
    logging.getLogger("factcheck").addHandler(caught)
    logging.getLogger("factcheck").propagate = False  # the limits' notes are expected: not printed
    claims_stage.load_nlp()
    started = time.perf_counter()
    sources, bodies, left = [], [], sentences
    for n in range(ARTICLES_PER_CHUNK):
        count = left // (ARTICLES_PER_CHUNK - n)
        left -= count
        if count:
            src, body = _one_article(rnd, count, f"{chunk}_{n}.txt", out)
            sources.append(src)
            bodies.append(body)
    try:
        out.claims += len(claims_stage.extract_claims(sources, bodies, SETTINGS))
    except Exception as exc:  # noqa: BLE001 — counted
        out.record("claims", exc, "(the whole chunk)")
    failed = Counter(r.args[0] for r in caught.records if r.args)
    for src, body in zip(sources, bodies):
        if failed[src.name]:
            _diagnose(src, body, out, failed[src.name])
    out.seconds = time.perf_counter() - started
    logging.getLogger("factcheck").removeHandler(caught)
    return out


def _one_article(rnd: random.Random, count: int, name: str, out: Outcome) -> tuple[Source, Body]:
    """A generated article, cleaned as a text page; the body handed to the claims stage is every
    paragraph of it (cleaning may drop some), so that every sentence is parsed."""
    paragraphs = [" ".join(p) for p in article(rnd, count)]
    raw = "\n\n".join(paragraphs) + "\n"
    src = Source(source_id=stable_id(name), name=name, outlet="Fuzz", raw=raw, published=publication_date(rnd))
    out.sentences += count
    out.paragraphs += len(paragraphs)
    try:
        clean_stage.clean(src, SETTINGS)
    except SourceError:
        pass  # a page with no article is an answer, not a failure
    except Exception as exc:  # noqa: BLE001 — counted
        out.record("clean", exc, raw)
    spans, pos = [], 0
    for p in paragraphs:
        spans.append(Paragraph(p, pos, pos + len(p)))
        pos += len(p) + 2
    return src, Body(src.source_id, "", tuple(p for p in spans if p.text.strip()))


def _diagnose(src: Source, body: Body, out: Outcome, logged: int) -> None:
    """Parse the article's paragraphs one at a time, outside the stage's own safety net, to say
    where each exception the stage logged was raised."""
    nlp = claims_stage.load_nlp()
    found = 0
    for p in body.paragraphs:
        for text, offset, positions in claims_stage.paragraph_pieces(p, src.raw, SETTINGS.max_paragraph_chars):
            try:
                list(claims_stage.claims_from_doc(nlp(text), source=src, offset=offset, positions=positions,
                                                  first_index=0, learned={}, last_speaker=[]))
            except Exception as exc:  # noqa: BLE001 — counted
                out.record("claims", exc, text)
                found += 1
    for _ in range(logged - found):
        out.record("claims", RuntimeError("logged by the stage, not raised again alone"), src.raw)


# --- scaling -----------------------------------------------------------------------------------

def long_paragraph(chars: int, seed: int) -> str:
    rnd = random.Random(seed)
    parts, total = [], 0
    while total < chars:
        s = sentence(rnd)
        parts.append(s)
        total += len(s) + 1
    return " ".join(parts)[:chars]


def time_paragraph(chars: int, seed: int) -> tuple[float, int]:
    raw = "Fuzzed report of one long paragraph\n\n" + long_paragraph(chars, seed) + "\n"
    src = Source(source_id=stable_id("long.txt"), name="long.txt", outlet="Fuzz", raw=raw,
                 published=date(2025, 7, 2))
    started = time.perf_counter()
    body = clean_stage.clean(src, SETTINGS)
    claims = claims_stage.extract_claims([src], [body], SETTINGS)
    return time.perf_counter() - started, len(claims)


# --- main --------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=Settings().workers)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="paragraph lengths timed (characters)")
    args = parser.parse_args()
    per_chunk = ARTICLES_PER_CHUNK * 15
    chunks = [(args.seed, k, min(per_chunk, args.sentences - k * per_chunk))
              for k in range((args.sentences + per_chunk - 1) // per_chunk)]
    total = Outcome()
    os.environ.update(claims_stage.WORKER_ENV)  # one BLAS thread per process, as the parse's pool runs
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=get_context("spawn")) as pool:
        for n, outcome in enumerate(pool.map(run_chunk, *zip(*chunks)), 1):
            total.add(outcome)
            if n % 20 == 0 or n == len(chunks):
                print(f"  {total.sentences:,} sentences, {sum(total.exceptions.values())} exceptions, "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    wall = time.perf_counter() - started
    print(f"sentences {total.sentences:,} in {total.paragraphs:,} paragraphs, claims {total.claims:,}")
    print(f"exceptions {sum(total.exceptions.values())}")
    for (stage, kind, where), count in total.exceptions.most_common():
        print(f"  {count:6} {stage}: {kind} at {where}")
        for message, text in total.examples[(stage, kind, where)]:
            print(f"           {message!r}\n           in {text!r}")
    print(f"throughput {total.sentences / wall:,.0f} sentences/s with {args.workers} process(es) "
          f"({total.sentences / total.seconds:,.0f} per process), wall {wall:.0f} s")
    logging.getLogger("factcheck").setLevel(logging.ERROR)  # the long paragraphs' notes are expected
    claims_stage.load_nlp()
    time_paragraph(2_000, args.seed)  # warm-up
    for chars in (int(x) for x in args.sizes.split(",")):
        seconds, n = time_paragraph(chars, args.seed)
        print(f"one paragraph of {chars:>9,} characters: clean + claims {seconds:7.2f} s "
              f"({seconds / chars * 1e6:5.1f} µs per character, {n} claims)")


if __name__ == "__main__":
    main()
