"""Quantities: every number in a sentence as an interval, with its unit and what it counts.

Regular expressions and a few word lists only (no spaCy), so thousands of sentences are parsed per
second. A quantity is read in four steps:

1. the number itself: digits ("2,000", "1.5 million", "$4.5 trillion"), words ("seven",
   "twenty-five", "a dozen", "a half-million") or a vague word ("several", "dozens");
2. its bounds, from the words around it: "at least 40" is [40, None], "up to 50" is [None, 50],
   "about 2,000" is 2,000 ± ``APPROX_FRACTION``, "between 10 and 20" and "10-20" are [10, 20];
3. its unit, converted to a base unit (km, miles, feet -> "m"; lb, tons -> "kg"; decades -> "year";
   "%"; currencies as ISO codes);
4. its measure: what is counted, normalised where a cue word says it ("killing 38" -> ``dead``,
   "67 people aboard" -> ``aboard``), otherwise the lemma of the noun that follows ("2,000
   peacekeepers" -> ``peacekeeper``). "38 of 67 people aboard" gives two quantities: 38 takes the
   verb before it (dead), 67 the noun phrase after it (aboard);
5. its group: who is counted ("120 passengers" -> ``passenger``; "people" and no noun -> people in
   general, ``""``), and whether it is a part of a group counted elsewhere ("two of them",
   "including 5 children", "38 of 67"). Counts of two groups joined by "and" ("60 passengers and
   4 crew") also give their sum, a ``total`` of people in general, which is what "64 people on
   board" is compared with. Different groups are never rivals; a part is consistent with any total
   at least as large (:func:`quantities_compatible`).

Dates are not quantities: spans found by :mod:`factcheck.dates` are skipped, as are ordinals
("fourth-largest", "21st"), identifiers ("Flight 8243", "COVID-19", "Su-25") and clock times.

"More than 40" is read as [40, None], like "at least 40": news copy writes "more than 50" of a
toll another outlet gives as 50, and calling that a conflict would only add noise.
"""
from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from .dates import date_spans
from .names import AGED_FIGURE
from .models import Quantity

log = logging.getLogger(__name__)

# "about/around/some 2,000" -> [1,800, 2,200]. Wire copy rounds to the nearest 10% or so when it
# says "about"; "nearly/almost" only widen downwards, "just over" only upwards.
APPROX_FRACTION = 0.10
# Vague words keep a loose range when compared ("several" [3, 9] accepts 3..18): writers stretch
# them, and calling "several" vs 12 a discrepancy would only add noise to the review queue.
VAGUE_LOW_SLACK, VAGUE_HIGH_SLACK = 0.5, 2.0
# Converted measurements (5 km vs 3.1 miles = 4,989 m) agree within this relative tolerance: enough
# for rounding in a conversion, far below a real disagreement.
UNIT_TOLERANCE = 0.05
# Two measurements written in one unit agree within the rounding of a last digit (984 and 985 feet),
# not within a conversion's tolerance (984 and 947 feet disagree).
SAME_UNIT_TOLERANCE = 0.005
# Tokens looked at before a number for a verb that names what it counts ("claimed the lives of 38")
# and after it for a predicate ("38 ... were killed"); a noun phrase head is looked for in fewer.
PRE_WINDOW, POST_WINDOW, HEAD_WINDOW = 5, 6, 4
# Words before a number that make it the number of people living somewhere.
_POPULATION_BEFORE = re.compile(r"(?i)\b(?:population\s+of|home\s+to|inhabitants?\s+of|residents?\s+numbering)\s+$")
# Tokens back from a number to the toll whose level it is ("the death toll from … has risen to N").
# A quake's magnitude: "put the magnitude of the quake at 6.8", "at magnitude 7", "a 6.8-magnitude
# quake", "6.8 on the Richter scale".
_MAGNITUDE_BEFORE = re.compile(r"(?i)\bmagnitude(?:\s+of\s+(?:the\s+)?\w+)?(?:\s+(?:at|of|was|is|to))?[\s-]+$")
_MAGNITUDE_AFTER = re.compile(r"(?i)[\s-]*(?:magnitude\b|on\s+the\s+richter\s+scale\b)")
TOLL_WINDOW = 20
_YEAR = re.compile(r"1[0-9]\d\d|20\d\d")
# Words just before a number that make it the level a toll reached.
_REACHING = set("to at reached reaching hit passed exceeded topped surpassed neared was is were stood stands "
                "remained remains now has have had crossed".split())  # "has exceeded 1,000": the bound word is the number's
# The measure of a toll by the word before it; a toll alone is the dead.
_TOLL_OF = {"injury": "injured", "casualty": "dead", "death": "dead"}

SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "dozen": 12,
          "lakh": 1e5, "crore": 1e7,  # the Indian numbering system
          "bn": 1e9, "mn": 1e6, "tn": 1e12, "m": 1e6, "k": 1e3, "b": 1e9}
# Vague quantities: the range each word usually stands for in news copy.
VAGUE = {
    "a couple": (2, 3), "a few": (2, 6), "a handful": (2, 9), "several": (3, 9), "dozens": (24, 99),
    "scores": (40, 99), "hundreds": (200, 999), "thousands": (2_000, 9_999),
    "tens of thousands": (20_000, 99_999), "hundreds of thousands": (200_000, 999_999),
    "millions": (2e6, 999e6), "hundreds of millions": (200e6, 999e6), "billions": (2e9, 999e9),
}

_NUMBER_WORDS = sorted([*SMALL, *TENS, "hundred", "thousand", "million", "billion", "trillion"],
                       key=len, reverse=True)
_W = "(?:" + "|".join(_NUMBER_WORDS) + r")\b"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# "scores" and "a couple" are vague numbers only before "of" (not "test scores", "a couple who").
_NEEDS_OF = {"scores", "a couple"}
_VAGUE = "|".join(sorted((v.replace(" ", r"\s+") + (r"(?=\s+of\b)" if v in _NEEDS_OF else "") for v in VAGUE),
                         key=len, reverse=True))
_CORE = re.compile(rf"""
    (?<![\w.,/:$€£¥₹])
    (?P<cur>US\$|\$|€|£|¥|₹|Rs\.?\s?|(?:USD|EUR|GBP|RUB|AZN|INR)\s)?
    (?:
        (?P<vague>{_VAGUE})(?:\s+(?P<vscale>hundred|thousand|million|billion))?(?:\s+of)?\b
      | (?P<half>(?:an?\s+)?half[\s-]+(?:an?\s+)?(?P<hscale>hundred|thousand|million|billion|dozen))\b
      | an?\s+(?P<ascale>hundred|thousand|million|billion|dozen)\b
      | (?P<dig>{_DIGITS})
      | (?P<word>{_W}(?:(?:[\s-]+|(?<=hundred)\s+and\s+){_W})*)
    )
    (?:[\s-]?(?P<scale>hundred|thousand|million|billion|trillion|dozen|lakh|crore)\b
      | (?P<abbr>bn|mn|tn|(?(cur)(?:m|k|b)|m(?=\s+(?:people|[a-z]+[^\W\dsu]s)\b)))\b)?
""", re.X | re.I)

_BOUND_BEFORE = re.compile(r"""(?ix)\b(?P<mod>
    at\s+least|no\s+fewer\s+than|no\s+less\s+than|a\s+minimum\s+of|
    more\s+than|over|above|in\s+excess\s+of|upwards\s+of|exceeding|greater\s+than|
    exceeded|exceeds|surpassed|surpasses|surpassing|topped|tops|topping|crossed|crossing|
    up\s+to|at\s+most|no\s+more\s+than|as\s+many\s+as|as\s+much\s+as|as\s+high\s+as|a\s+maximum\s+of|
    fewer\s+than|less\s+than|under|below|
    just\s+over|just\s+under|about|around|nearly|almost|some|roughly|approximately|an\s+estimated|
    estimated|close\s+to|circa|approx\.|between|~
)\s*$""")
_MODIFIERS = {  # modifier -> kind of bound
    "at least": "min", "no fewer than": "min", "no less than": "min", "a minimum of": "min",
    "more than": "gt", "over": "gt", "above": "gt", "in excess of": "gt", "upwards of": "gt",
    "exceeding": "gt", "greater than": "gt", "exceeded": "gt", "exceeds": "gt", "surpassed": "gt", "surpasses": "gt",
    "topped": "gt", "tops": "gt", "crossed": "gt", "surpassing": "gt", "topping": "gt", "crossing": "gt",
    "up to": "max", "at most": "max", "no more than": "max", "as many as": "max", "as much as": "max",
    "as high as": "max", "a maximum of": "max",
    "fewer than": "lt", "less than": "lt", "under": "lt", "below": "lt",
    "between": "between", "nearly": "near", "almost": "near", "just under": "near", "close to": "near",
    "just over": "above",
}
_RANGE_LINK = re.compile(r"\s*(?:-|–|—|to|or)\s*", re.I)
_BETWEEN_LINK = re.compile(r"\s+and\s+", re.I)
_OR_MORE = re.compile(r"\s*(?:\+|or\s+more\b|or\s+above\b|and\s+above\b)", re.I)
_NOT_A_COUNT_AFTER = re.compile(r"(?:st|nd|rd|th)\b|[:/]\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b)|[A-Za-z]|"
                                r"\s(?-i:AH|AD|BCE?|CE)\b", re.I)  # "the Haj 1445 AH": a year of an era
_FRACTION_AFTER = re.compile(r"(?i)[\s-](?:halves|thirds?|quarters?|fifths?|sixths?|eighths?|tenths?)\b")
_ID_BEFORE = re.compile(r"(?i)\b(?:flight|no\.?|number|article|section|route|chapter|page|resolution|"
                        r"boeing|airbus|embraer|model|room|gate|platform|version|paragraph|highway)\s*#?$")

# Units: spelled as found -> (base unit, factor to the base unit).
UNITS = {
    "%": ("%", 1), "percent": ("%", 1), "per cent": ("%", 1), "percentage point": ("pp", 1),
    "km": ("m", 1000), "kilometre": ("m", 1000), "kilometer": ("m", 1000), "mile": ("m", 1609.344),
    "mi": ("m", 1609.344), "m": ("m", 1), "metre": ("m", 1), "meter": ("m", 1), "cm": ("m", 0.01),
    "feet": ("m", 0.3048), "foot": ("m", 0.3048), "ft": ("m", 0.3048), "yard": ("m", 0.9144),
    "kg": ("kg", 1), "kilo": ("kg", 1), "kilogram": ("kg", 1), "gram": ("kg", 0.001),
    "lb": ("kg", 0.45359237), "pound": ("kg", 0.45359237), "tonne": ("kg", 1000), "ton": ("kg", 1000),
    "km/h": ("km/h", 1), "mph": ("km/h", 1.609344),
    "year": ("year", 1), "decade": ("year", 10), "century": ("year", 100), "month": ("month", 1),
    "week": ("day", 7), "day": ("day", 1), "hour": ("hour", 1), "minute": ("hour", 1 / 60),
    "second": ("hour", 1 / 3600),
}
CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "eur": "EUR", "gbp": "GBP", "rub": "RUB", "azn": "AZN",
              "€": "EUR", "£": "GBP", "¥": "JPY", "dollar": "USD",
              "euro": "EUR", "pounds sterling": "GBP", "ruble": "RUB", "rouble": "RUB", "manat": "AZN",
              "yen": "JPY", "yuan": "CNY", "rupee": "INR", "lira": "TRY", "₹": "INR", "rs": "INR", "rs.": "INR",
              "inr": "INR"}
_PHYSICAL = {"m", "kg", "km/h"}
_DAYS_PER = {"year": 365.25, "month": 30.44, "day": 1.0, "hour": 1 / 24}  # durations compare in days
_UNIT_AFTER = re.compile(r"""(?ix)
    \s?(?P<pct>%|percent\b|per\s+cent\b|percentage\s+points?\b)
  | [\s-]?(?P<u>km/h|mph|km|kilomet(?:er|re)s?|miles?|mi|met(?:er|re)s?|m|cm|feet|foot|ft|yards?|
           kg|kilos?|kilograms?|grams?|lbs?|pounds|tonnes?|tons?)\b(?!-old)
  | \s(?P<cur>dollars?|euros?|pounds\s+sterling|rubles?|roubles?|manats?|yen|yuan|rupees?|lira)\b
  | [\s-](?P<time>years?|decades?|centuries|century|months?|weeks?|days?|hours?|minutes?|seconds?(?!-))\b(?P<old>-old)?
""")

# Cue words naming what a number counts: word -> (measure, strong?). Strong cues are predicates
# (killed, injured, arrested); weak ones describe the group (aboard, passengers).
_CUES = {
    **dict.fromkeys("killed killing kill kills dead died die dying deaths death fatalities fatality "
                    "lives perished slain toll murdered massacred".split(), ("dead", True)),
    **dict.fromkeys("injured injuring injure injuries wounded wounding hurt wounds".split(), ("injured", True)),
    **dict.fromkeys("arrested arresting arrest arrests detained detaining detain detainees".split(),
                    ("arrested", True)),
    **dict.fromkeys("missing unaccounted".split(), ("missing", True)),
    **dict.fromkeys("displaced fled fleeing".split(), ("displaced", True)),
    **dict.fromkeys("evacuated evacuating".split(), ("evacuated", True)),
    **dict.fromkeys("rescued survived survivors".split(), ("survived", True)),
    **dict.fromkeys("hospitalised hospitalized".split(), ("hospitalised", True)),
    **dict.fromkeys("stabbed".split(), ("stabbed", True)),  # the dead and the wounded of a stabbing
    **dict.fromkeys("charged charging indicted prosecuted".split(), ("charged", True)),
    **dict.fromkeys("convicted sentenced jailed".split(), ("convicted", True)),
    **dict.fromkeys("recovered retrieved".split(), ("recovered", True)),
    **dict.fromkeys("aboard onboard passengers passenger carrying".split(), ("aboard", False)),
}
# The measures of an event's toll: figures whose absence from an outlet's account is worth a look.
EVENT_MEASURES = frozenset(m for m, _ in _CUES.values())
_STRONG_MEASURES = frozenset(m for m, strong in _CUES.values() if strong)
_CUE_PAIRS = {("on", "board"): ("aboard", False), ("rounded", "up"): ("arrested", True),
              ("into", "custody"): ("arrested", True), ("death", "toll"): ("dead", True),
              ("injury", "toll"): ("injured", True),
              ("in", "hospital"): ("hospitalised", True), ("stabbed", "to"): ("dead", True),
              ("fatally", "stabbed"): ("dead", True), ("fatally", "shot"): ("dead", True),
              ("fatally", "wounded"): ("dead", True)}  # "eight others remain in hospital"
# Words that end a window: the clause moves on to something else.
_STOP = set("and but or after before when while because although since than whereas including "
            ", ; : . ! ? ( ) — –".split())
# Words that end a noun phrase when looking for its head.
_HEAD_STOP = _STOP | set("in on at to for from by with of into over under about who that which were was "
                         "are is be been had have has said says during per as than this these those along across "
                         "through toward towards near around between against within without via like".split())
# Participles and adjectives that follow a noun phrase ("80% of tankers bound for", "3 miles long").
_HEAD_STOP |= set("bound held made taken known left born seen given found built sent brought kept "
                  "long wide high deep tall old away thick heavy more less "
                  "believed feared thought presumed confirmed reported estimated expected "
                  "remain remains remained stay stays stayed".split())
# Adverbs after a noun phrase ("60 Jordanians also died", "17 in Nairobi alone").
_HEAD_STOP |= set("also too alone still already again reportedly each apiece".split())
# A pronoun starts a clause of its own ("14 of the 17 people he stabbed"): the noun phrase has ended
# (not "it", "we" or "us", which are also IT, WE and US written in capitals).
_HEAD_STOP |= set("he she they you him them".split())
# Days after a figure say when, not what is counted ("the toll touched 270 Saturday", "three overnight").
_HEAD_STOP |= set("monday tuesday wednesday thursday friday saturday sunday today yesterday tonight overnight".split())
_DETERMINERS = set("of the its their his her our my your these those them all whom a an".split())
_IRREGULAR = {"people": "people", "persons": "people", "men": "man", "women": "woman", "children": "child",
              "feet": "foot", "police": "police", "staff": "staff", "crew": "crew", "personnel": "personnel",
              "media": "media", "news": "news", "series": "series", "species": "species"}
# "one" is a number only before these (otherwise "one of the lawyers", "the first one").
_ONE_NOUNS = set("person man woman child boy girl soldier officer civilian passenger journalist".split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*|\d[\d,.]*\d|\d|[^\w\s]")


@dataclass(slots=True)
class _Found:
    """A number found in the text, before its measure is known."""

    start: int  # start of the bound words ("at least") or the number
    end: int  # end of the number and its unit
    low: float | None
    high: float | None
    unit: str | None = None
    vague: bool = False


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _words_value(text: str) -> float:
    """'two hundred and fifty' -> 250; 'twenty-five' -> 25; 'one million two hundred' -> 1000200."""
    total, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in SMALL or word in TENS:
            current += SMALL.get(word, 0) + TENS.get(word, 0)
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0.0
    return total + current


def _core_value(m: re.Match) -> tuple[float, float, bool]:
    """(low, high, vague) of one number match, before bounds and units."""
    g = m.groupdict()
    scale = SCALES[(g["scale"] or g["abbr"] or "").lower()] if (g["scale"] or g["abbr"]) else 1
    if g["vague"]:
        low, high = VAGUE[" ".join(g["vague"].lower().split())]
        vscale = SCALES[g["vscale"].lower()] if g["vscale"] else 1
        return low * vscale * scale, high * vscale * scale, True
    if g["half"]:
        value = 0.5 * SCALES[g["hscale"].lower()]
    elif g["ascale"]:
        value = SCALES[g["ascale"].lower()]
    elif g["dig"]:
        value = float(g["dig"].replace(",", ""))
    else:
        value = _words_value(g["word"])
    return value * scale, value * scale, False


def _is_number(m: re.Match, text: str) -> bool:
    """False for ordinals, clock times, identifiers and a lone "one" that is a pronoun."""
    start, end = m.start(), m.end()
    if m["dig"] and not (m["scale"] or m["abbr"]) and _NOT_A_COUNT_AFTER.match(text, end):
        return bool(_UNIT_AFTER.match(text, end))  # "5km" and "95%" are glued but fine
    if _ID_BEFORE.search(text, max(0, start - 12), start):
        return False
    if _CLOCK_BEFORE.search(text, max(0, start - 16), start) and _SECONDS_AFTER.match(text, end):
        return False  # "at 3.32pm and 57 seconds": the seconds of a clock time, no span
    if start > 1 and text[start - 1] == "-" and re.search(r"[A-Za-z]\w*$", text[max(0, start - 12):start - 1]):
        return False  # COVID-19, Su-25, J2-8243
    if start > 1 and text[start - 1] == "-" and (prev := re.search(r"\d+$", text[max(0, start - 12):start - 1])):
        first = start - 1 - len(prev.group())
        if _ID_BEFORE.search(text, max(0, first - 12), first):
            return False  # Boeing 737-800, Airbus A320-200: a model, not a count
    if m["word"] and _FRACTION_AFTER.match(text, end):
        return False  # "two-thirds of voters" is a share, not a count
    if m["word"] and m["word"].lower() == "one" and not m["scale"]:
        if re.match(r"\s+\w+\s+(?:who|whose|that|which)\b", text[end:]):
            return False  # "one person who was shot dead": an individual described, not a count
        following = re.match(r"\s+(\w+)", text[end:])
        if _IN_PLACE.match(text, end) and re.search(r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten)\b\s+"
                                                   r"(?:\w+\s+){0,2}in\s+[A-Z]", text[:start]):
            return True  # "…, two in Yaracuy, one in Aragua": a count in a breakdown by place
        if _ONE_OF_TOLL.match(text, end):
            return True  # "one of the crew members suffered minor injuries": one of them counted hurt
        return bool(following) and (following[1].lower() in _ONE_NOUNS or following[1].lower() in _CUES)
    return True


# A clock time the number goes on ("3.32pm and 57 seconds").
_CLOCK_BEFORE = re.compile(r"(?i)(?:\d\s?[ap]\.?m\.?|\d[:.]\d\d)\s+and\s+$")
_SECONDS_AFTER = re.compile(r"(?i)\s+seconds?\b")


# "One of the crew members suffered minor injuries", "one of them was killed": one of a group, said
# to be hurt or killed, is a count of one (a part of the group), unlike "one of the lawyers said".
_ONE_OF_TOLL = re.compile(r"(?i)\s+of\s+(?:the\s+|them\s+|those\s+)(?:[\w'’-]+\s+){0,3}?(?:(?:was|were|has\s+been|had\s+been)\s+)?"
                          r"(?:suffered\s+(?:\w+\s+)?(?P<hurt>injur)|(?P<injured>injured|hurt|wounded)|(?P<dead>killed|died))")


def _unit(text: str, end: int, cur: str | None) -> tuple[str | None, float, int]:
    """(base unit, factor to it, new end) for the unit written around a number, if any.

    "6-year-old" reads as 6 years; the noun after it ("son") becomes the measure."""
    if cur:
        return CURRENCIES[cur.strip().lower()], 1.0, end
    m = _UNIT_AFTER.match(text, end)
    if not m:
        return None, 1.0, end
    if m["pct"]:
        key = "percentage point" if "point" in m["pct"].lower() else "%"
    elif m["cur"]:
        return CURRENCIES[_singular(" ".join(m["cur"].lower().split()))], 1.0, m.end()
    else:
        key = _singular((m["u"] or m["time"]).lower())
    base, factor = UNITS[key]
    return base, factor, m.end()


def _bounds(kind: str | None, low: float, high: float) -> tuple[float | None, float | None]:
    """Apply a bound word ("at least", "about", ...) to a [low, high] reading."""
    if kind == "min":
        return low, None
    if kind == "gt":
        return low, None
    if kind == "max":
        return None, high
    if kind == "lt":
        return None, high
    if kind == "approx":
        return low * (1 - APPROX_FRACTION), high * (1 + APPROX_FRACTION)
    if kind == "near":
        return low * (1 - APPROX_FRACTION), high
    if kind == "above":
        return low, high * (1 + APPROX_FRACTION)
    return low, high


def _bound_kind(text: str, start: int) -> tuple[str | None, int]:
    """The bound word just before ``start`` (its kind and where it starts), if any."""
    m = _BOUND_BEFORE.search(text, max(0, start - 24), start)
    if not m:
        return None, start
    mod = " ".join(m["mod"].lower().split())
    return _MODIFIERS.get(mod, "approx"), m.start()


def _second(text: str, m: re.Match, between: bool) -> re.Match | None:
    """The other end of a range after ``m``: "10-20", "10 to 20", "two or three", "between 10 and 20"."""
    link = (_BETWEEN_LINK if between else _RANGE_LINK).match(text, m.end())
    if not link:
        return None
    other = _CORE.match(text, link.end())
    return other if other and not other["vague"] and _is_number(other, text) else None


def _range(m: re.Match, other: re.Match) -> tuple[float, float] | None:
    """[low, high] of a range; a scale on the second end applies to the first ("1.5 to 2 million")."""
    low, _, _ = _core_value(m)
    high, _, _ = _core_value(other)
    scale_b = other["scale"] or other["abbr"]
    if scale_b and not (m["scale"] or m["abbr"]):
        low *= SCALES[scale_b.lower()]
    return (low, high) if low < high else None


def _find_numbers(text: str, skip: list[tuple[int, int]]) -> Iterator[_Found]:
    pos = 0
    while (m := _CORE.search(text, pos)) is not None:
        pos = max(m.end(), m.start() + 1)
        if _overlaps(m.start(), m.end(), skip) or not _is_number(m, text):
            continue
        found = _read(text, m)
        if found is not None:
            pos = max(pos, found.end)
            yield found


def _read(text: str, m: re.Match) -> _Found | None:
    """One number with its bounds and unit."""
    kind, start = _bound_kind(text, m.start())
    low, high, vague = _core_value(m)
    end = m.end()
    after_from = re.search(r"(?i)\bfrom\s+$", text[max(0, start - 6):start]) is not None
    other = None if vague or after_from else _second(text, m, kind == "between")  # "from 10 to 20" is a change
    if other is not None and (bounds := _range(m, other)):
        (low, high), end = bounds, other.end()
    elif other is not None:
        log.debug("not a range (ends reversed): %r", text[m.start():other.end()])
    elif kind == "between":
        kind, start = None, m.start()
    if not vague and (more := _OR_MORE.match(text, end)):
        kind, end = "min", more.end()
    unit, factor, end = _unit(text, end, m["cur"])
    low, high = _bounds(kind, low * factor, high * factor)
    return _Found(start, end, low, high, unit, vague)


@dataclass(slots=True)
class _Tokens:
    """The words of a sentence with their offsets, to look around a number."""

    starts: list[int]
    ends: list[int]
    words: list[str]

    @classmethod
    def of(cls, text: str) -> "_Tokens":
        spans = [(t.start(), t.end(), t.group().lower()) for t in _TOKEN.finditer(text)]
        return cls([s for s, _, _ in spans], [e for _, e, _ in spans], [w for _, _, w in spans])

    def cues_before(self, pos: int) -> list[tuple[str, bool]]:
        """Cues before a number, except a noun another number counts ("524 deaths across 13
        countries": deaths are the 524, not the 13)."""
        last = bisect.bisect_right(self.ends, pos) - 1
        window = range(last, max(-1, last - PRE_WINDOW), -1)
        counted = next((i for i in window if i > 0 and self.words[i] in _COUNTED_NOUNS
                        and _is_numeric(self.words[i - 1])), None)
        if counted is not None:
            window = range(last, counted, -1)
        return _scan(self.words, window)

    def toll_before(self, pos: int) -> str | None:
        """The measure of a toll a number is the level of ("the death toll from the floods in the
        city has soared to 11,300", "the toll reached more than 5,100"): a toll noun earlier in the
        sentence, no other number between, and a verb or preposition of reaching just before."""
        last = bisect.bisect_right(self.ends, pos) - 1
        if last < 0 or self.words[last] not in _REACHING:
            return None
        for i in range(last - 1, max(-1, last - TOLL_WINDOW), -1):
            w = self.words[i]
            if w in (".", ";", ":", "!", "?") or (_is_numeric(w) and not _YEAR.fullmatch(w)):
                return None  # another figure between (a year is none: "the toll of the 1445 AH season reached")
            if w == "toll":
                return _TOLL_OF.get(self.words[i - 1], "dead") if i > 0 else "dead"
            if w == "number" and i + 1 < last and self.words[i + 1] == "of":
                # "the number of people killed in Sunday's attacks rose to 21"
                cue = next((c for j in range(i + 2, min(last, i + 5)) if (c := _cue(self.words, j))), None)
                if cue is not None:
                    return cue[0]
        return None

    def cues_after(self, pos: int) -> list[tuple[str, bool]]:
        first = bisect.bisect_left(self.starts, pos)
        return _scan(self.words, range(first, min(len(self.words), first + POST_WINDOW)))

    def head_after(self, pos: int) -> str | None:
        return _head_noun(self.words, bisect.bisect_left(self.starts, pos))


def _is_numeric(word: str) -> bool:
    return word[0].isdigit() or word in SMALL or word in TENS or word in SCALES


def _cue(words: list[str], i: int) -> tuple[str, bool] | None:
    """The cue at token ``i`` (a single word, or a pair ending or starting there)."""
    if i > 0 and (words[i - 1], words[i]) in _CUE_PAIRS:
        return _CUE_PAIRS[(words[i - 1], words[i])]
    if i + 1 < len(words) and (words[i], words[i + 1]) in _CUE_PAIRS:
        return _CUE_PAIRS[(words[i], words[i + 1])]
    return _CUES.get(words[i])


def _scan(words: list[str], indices: Iterable[int]) -> list[tuple[str, bool]]:
    """Cues met walking through ``indices`` until a clause boundary or another number."""
    cues = []
    for i in indices:
        if words[i] in _STOP or _is_numeric(words[i]):
            break
        if (cue := _cue(words, i)) is not None:
            cues.append(cue)
    return cues


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "sis", "xis")) and len(word) > 2:
        return word[:-1]
    return word


def _head_noun(words: list[str], first: int) -> str | None:
    """Lemma of the noun a number counts: the last word of the noun phrase after it ("4-coaches"
    written with a hyphen counts coaches)."""
    i = first
    if i + 1 < len(words) and words[i] == "-" and words[i + 1].endswith("s") and words[i + 1][:1].isalpha():
        i += 1
    i = _past_size_word(words, i)
    while i < len(words) and words[i] in _DETERMINERS:
        i += 1
    head = None
    for j in range(i, min(i + HEAD_WINDOW, len(words))):
        w = words[j]
        if w in _HEAD_STOP or _is_numeric(w) or w in _CUES or not w[0].isalpha():
            break
        if head is not None and (w.endswith(("ed", "ing")) or w.endswith("ly")):
            break
        head = w
    return _singular(head.removesuffix("'s").removesuffix("’s")) if head else None


def _pick(cues: list[tuple[str, bool]], strong: bool) -> str | None:
    return next((measure for measure, is_strong in cues if is_strong == strong), None)


def _measure(text: str, tokens: _Tokens, found: list[_Found], n: int) -> str | None:
    """What number ``n`` counts: a predicate after it, a verb before it, else the noun after it.

    In "X of Y" ("killing 38 of 67 people aboard") X takes the verb before it (or the predicate
    after Y), and Y only the noun phrase that follows it."""
    q = found[n]
    if AGED_FIGURE.search(text[q.start:q.end]):
        return tokens.head_after(q.end)  # "her eight-month-old baby remains in hospital": a baby, not a toll
    pre = tokens.cues_before(q.start)
    if n + 1 < len(found) and _is_of(text, q, found[n + 1]):
        post = tokens.cues_after(found[n + 1].end)
        return _pick(pre, True) or _pick(post, True) or _pick(post, False) or tokens.head_after(found[n + 1].end)
    post = tokens.cues_after(q.end)
    if n > 0 and _is_of(text, found[n - 1], q):
        # "38 of 67 people aboard": the group; "14 of the 17 people stabbed that day were female": those stabbed
        return _pick(post, False) or _participle(text, q, post) or tokens.head_after(q.end)
    if _POPULATION_BEFORE.search(text, max(0, q.start - 40), q.start):
        return "population"
    if _MAGNITUDE_BEFORE.search(text, max(0, q.start - 40), q.start) or _MAGNITUDE_AFTER.match(text, q.end):
        return "aftershock magnitude" if re.search(r"(?i)\baftershocks?\b", text) else "magnitude"
    return (_pick(post, True) or _pick(pre, True) or tokens.toll_before(q.start) or _pick(post, False)
            or _pick(pre, False) or tokens.head_after(q.end))


# Where some of the dead died: "five victims were pronounced dead at the scene", "two died later in
# hospital": a part of the toll.
_WHERE_DIED = re.compile(r"(?i)[^.;:\d]{0,60}?\b(?:died|dead|killed|perished)\s+(?:later\s+)?(?:at\s+the\s+scene|on\s+the\s+spot|"
                         r"in\s+(?:the\s+)?hospital|on\s+arrival)\b")


# A number a count changed by ("rose by three", "up by 12"): the change, not the count (a rate's change,
# "rose by 5%", is the figure itself).
_BY_CHANGE = re.compile(r"(?i)\b(?:rose|risen|rises|rising|increased|increases|grew|climbed|jumped|went\s+up|up|"
                        r"fell|fallen|dropped|decreased|declined|down)\s+by\s+$")


def _participle(text: str, q: _Found, post: list[tuple[str, bool]]) -> str | None:
    """The predicate right after the noun a number counts, a participle of it ("17 people stabbed",
    "50 protesters detained", "the six people who were killed"), not a verb of the sentence further on."""
    m = re.match(r"\s+(?:[\w'’-]+\s+){0,2}?(?:(?:who|that)\s+(?:were|was|had\s+been|have\s+been)\s+)?(\w+ed)\b",
                 text[q.end:])
    cue = _CUES.get(m.group(1).lower()) if m else None
    return cue[0] if cue and cue[1] else None


def _is_of(text: str, a: _Found, b: _Found) -> bool:
    return re.fullmatch(r"\s+of\s+(?:the\s+|its\s+|their\s+)?", text[a.end:b.start], re.I) is not None


def _text(text: str, q: _Found) -> str:
    return re.sub(r"(?i)\s+of$", "", text[q.start:q.end].strip())  # "dozens of" -> "dozens"


def parse_quantities(text: str, *, skip_spans: Iterable[tuple[int, int]] = (),
                     skip_dates: bool = True) -> list[Quantity]:
    """Numbers in ``text`` as intervals with unit, measure and group, in reading order; a sum of
    coordinated groups ("60 passengers and 4 crew") follows its last part.

    ``skip_spans`` are character spans not to read (already known dates, identifiers); the dates
    in ``text`` are skipped too unless ``skip_dates`` is False.
    """
    skip = list(skip_spans) + (date_spans(text) if skip_dates else [])
    found = list(_find_numbers(text, skip))
    if not found:
        return _zeros(text)
    tokens = _Tokens.of(text)
    out = []
    for n, q in enumerate(found):
        group, part = _group(text, tokens, found, n)
        out.append(Quantity(_text(text, q), q.low, q.high, q.unit, _measure(text, tokens, found, n), q.vague,
                            group=group, part=part))
    for n, q in enumerate(found):
        if _WHERE_DIED.match(text, q.end) and (out[n].measure == "dead" or out[n].measure not in EVENT_MEASURES):
            out[n] = replace(out[n], part=True)  # "five died at the scene": some of the dead, the others later
        if (one := _ONE_OF_TOLL.match(text, q.end)) and text[q.start:q.end].lower() == "one":
            out[n] = replace(out[n], measure="dead" if one["dead"] else "injured", part=True)
        if q.unit is None and _BY_CHANGE.search(text, max(0, q.start - 30), q.start):
            out[n] = replace(out[n], part=True)  # "rose by three overnight": a change of the count, not the count
    for n in range(len(out) - 1):
        # "killing 38 of 67 people aboard": 38 is the whole of the dead, a part only of the aboard
        if out[n].part and _is_of(text, found[n], found[n + 1]) and out[n + 1].measure not in (None, out[n].measure) \
                and out[n].measure in EVENT_MEASURES:
            out[n] = replace(out[n], part=False)
    return _so_far(text, _with_totals(text, tokens, found, _place_parts(text, found, out))) + _zeros(text)


# A toll of none, said in words: "none were injured", "no one was killed", "with no injuries
# reported", "no deaths". An early "no immediate reports of casualties" says nothing yet.
_ZERO = re.compile(r"(?i)\b(?:(?P<who>none|no\s+one|nobody)\s+(?:(?:of\s+(?:them|the\s+\w+)|else)\s+)?"
                   r"(?:was|were|has\s+been|have\s+been|had\s+been)\s+(?:\w+ly\s+)?"
                   r"(?P<verb>killed|injured|hurt|wounded|arrested|detained)|"
                   r"(?<!immediate\s)\bno\s+(?:other\s+)?(?P<noun>deaths|fatalities|injuries|arrests)"
                   r"(?=\s+(?:were|have\s+been|had\s+been|was)\s+reported|\s+reported|\s+among|[,.;]|\s+on\s+board))")
_ZERO_MEASURE = {"killed": "dead", "injured": "injured", "hurt": "injured", "wounded": "injured",
                 "arrested": "arrested", "detained": "arrested", "deaths": "dead", "fatalities": "dead",
                 "injuries": "injured", "arrests": "arrested"}


def _zeros(text: str) -> list[Quantity]:
    if "no" not in text.lower():
        return []
    return [Quantity(m.group(0), 0.0, 0.0, None, _ZERO_MEASURE[(m["verb"] or m["noun"]).lower()], False)
            for m in _ZERO.finditer(text)]


# Words that say a toll is a count in progress ("62 bodies collected as of 12:13 p.m.", "the toll
# so far", "by Monday evening", "at the time of writing"): the final count is at least as large.
_IN_PROGRESS = re.compile(r"(?i)\b(?:so\s+far|thus\s+far|to\s+date|as\s+of|up\s+to\s+now|until\s+now|"
                          r"at\s+the\s+time\s+of\s+writing|by\s+\d{1,2}(?:[:.]\d\d)?\s*(?:a\.?m\b|p\.?m\b))")


def _so_far(text: str, qs: list[Quantity]) -> list[Quantity]:
    """An exact toll of a sentence that calls its count one in progress is a floor: [n, None]."""
    if not _IN_PROGRESS.search(text):
        return qs
    return [replace(q, high=None) if q.measure in EVENT_MEASURES and q.low is not None and q.low == q.high
            and not q.vague and not q.unit else q for q in qs]


# "five in Caracas, two in Zulia", "17 in Nairobi alone": counts of one place, parts of the toll.
_IN_PLACE = re.compile(r"(?:\s+[\u201c\u201d\"'\u2018\u2019]?[a-z]+[\u201c\u201d\"'\u2018\u2019,]?){0,3}?\s+in\s+(?:the\s+(?:state|county|province|region|city|district)\s+of\s+)?"
                       r"[A-Z][\w'’-]+(?P<alone>\s+alone)?")


def _place_parts(text: str, found: list[_Found], qs: list[Quantity]) -> list[Quantity]:
    """Counts broken down by place are parts of the whole: two or more counts each followed by
    "in <Place>", or one followed by "in <Place> alone"."""
    placed = [(n, m) for n, q in enumerate(found) if (m := _IN_PLACE.match(text, q.end))]
    parts = {n for n, m in placed if m["alone"] or len(placed) > 1}
    out, measure = [], None
    for n, q in enumerate(qs):
        if n in parts:
            # "five were murdered in Caracas, two in Zulia": the later counts of the list count the same
            measure = q.measure or measure
            q = replace(q, part=True, measure=q.measure or measure)
        out.append(q)
    return out


# Cue nouns that a number before them counts ("524 deaths", "12 arrests").
_COUNTED_NOUNS = {"deaths", "death", "fatalities", "injuries", "casualties", "arrests", "detainees",
                  "passengers", "survivors", "lives", "dead"}
# Nouns that count people in general: a count of them is the whole, not a group of its own.
GENERIC_GROUPS = {"people", "person", "individual", "victim", "casualty", "life", "human", "dead", "soul",
                  # the noun of the measure itself: 749 detainees are the 749 arrested, not a group of them
                  "detainee", "survivor", "fatality", "death"}
# Nouns of people in the news (general knowledge): a count of people is a toll or a group, which
# says what happened to them ("two officers were hit", "three officers in the gunfight" count two
# things); counts of other things (countries, bombs, weeks) may be compared on the noun alone.
PEOPLE_NOUNS = GENERIC_GROUPS | {"officer", "soldier", "police", "policeman", "policemen", "troop", "firefighter",
                                 "civilian", "child", "children", "woman", "women", "man", "men", "boy", "girl",
                                 "student", "worker", "journalist", "reporter", "protester", "demonstrator",
                                 "passenger", "crew", "resident", "patient", "migrant", "refugee", "prisoner",
                                 "hostage", "member", "employee", "staff", "official", "doctor", "nurse", "teacher",
                                 "fighter", "militant", "suspect", "attacker", "gunman", "gunmen", "agent", "guard",
                                 "pilot", "player", "voter", "citizen", "tourist", "pilgrim", "miner", "rescuer",
                                 "volunteer", "adult", "infant", "baby", "family", "families", "national",
                                 "foreigner", "inmate", "witness", "lawmaker", "juror", "judge", "candidate",
                                 "delegate", "minister", "leader", "commander", "general", "marine", "sailor",
                                 "paramedic", "medic", "athlete", "fan", "spectator", "customer", "user"}
# Cue words that are also the noun of the group counted ("120 passengers").
_GROUP_NOUNS = {"passengers", "passenger", "survivors", "detainees"}
# "two of them", "five of the detainees": a part of a group counted elsewhere.
_PART_AFTER = re.compile(r"\s+(?:(?:of|among)\s+(?:them|those|these|whom|which|the\s+dead|the\s+victims|"
                         r"the\s+(?:injured|wounded|missing|unaccounted(?:\s+for)?|detained|arrested|displaced|evacuated|"
                         r"hospitali[sz]ed)|"
                         r"the\s+(?:[a-z]+\s+)?[a-z]+s)|"
                         # "six people associated with the club": the club's among the dead
                         r"(?:people|persons|individuals|members|staff|employees)\s+(?:associated|affiliated)\s+with)\b", re.I)
_PART_BEFORE = re.compile(r"(?i)\b(?:including|includ(?:ed|es)|among\s+them|among\s+whom|among\s+the\s+dead|"
                          r"of\s+whom|of\s+which|of\s+those|of\s+them|"
                          # "the other two sites", "the next four bombs", "the remaining three", "the first 12"
                          r"the\s+(?:other|next|remaining|first|last|final|latter|former))\s*$")
# What joins the counts of two groups into one total: "60 passengers and 4 crew", "3 soldiers, 2 pilots".
_GROUP_LINK = re.compile(r"(?i)\s*(?:,\s*(?:and|plus)?|and|plus|as\s+well\s+as)\s+")


# "a 22-member crew", "a 500-strong crowd": the number counts the noun after the size word.
_SIZE_WORDS = {"member", "strong", "person", "man"}


def _joined_group(words: list[str], end: int) -> bool:
    """A second group of people joined to the counted one with no number of its own ("242 passengers
    and crew", "300 staff and students"): the count is of both together."""
    rest = words[end:end + 3]
    if not rest or rest[0] not in ("and", "&"):
        return False
    nxt = rest[2] if len(rest) > 2 and rest[1] == "the" else rest[1] if len(rest) > 1 else ""
    return bool(nxt) and nxt[0].isalpha() and _singular(nxt) in PEOPLE_NOUNS


def _past_size_word(words: list[str], i: int) -> int:
    return i + 2 if i + 2 < len(words) and words[i] == "-" and words[i + 1] in _SIZE_WORDS else i


# Groups named by a compound that are a part of the group its last word names (general knowledge):
# "two pilots and 10 cabin crew" are 12 crew.
NARROW_GROUPS = {("cabin", "crew"): "cabin crew", ("flight", "crew"): "flight crew", ("ground", "crew"): "ground crew"}


def _group_after(words: list[str], first: int) -> tuple[str, int]:
    """(group noun, index after it) of the noun phrase after a number: "120 passengers" ->
    passenger, "8 crew members" -> crew, "a 22-member Indian crew" -> crew, "40 people" -> ""
    (people in general)."""
    i = _past_size_word(words, first)
    while i < len(words) and words[i] in _DETERMINERS:
        i += 1
    head, end = None, first
    for j in range(i, min(i + HEAD_WINDOW, len(words))):
        w = words[j]
        if w in _HEAD_STOP or _is_numeric(w) or not w[0].isalpha() or (w in _CUES and w not in _GROUP_NOUNS):
            break
        if head is not None and (w.endswith(("ed", "ing")) or w.endswith("ly")):
            break
        if w in ("member", "members") and head is not None:
            end = j + 1
            break
        head, end = w, j + 1
    if head is None or head == "others":  # "two dead and 68 others injured": people ("10 other bodies": more of them)
        return "", first if head is None else end
    if _joined_group(words, end):
        return "", end  # "242 passengers and crew": both groups together, the whole
    noun = _singular(head.removesuffix("'s").removesuffix("’s"))
    if end - 2 >= i and (words[end - 2], noun) in NARROW_GROUPS:
        return NARROW_GROUPS[(words[end - 2], noun)], end  # "10 cabin crew": some of the crew
    return ("" if noun in GENERIC_GROUPS or noun + "s" in GENERIC_GROUPS else noun), end


def _group(text: str, tokens: "_Tokens", found: list[_Found], n: int) -> tuple[str, bool]:
    """Who number ``n`` counts and whether it is a part of a group counted elsewhere."""
    q = found[n]
    if n + 1 < len(found) and _is_of(text, q, found[n + 1]):  # "38 of 67 people": 38 of the people
        return _group_after(tokens.words, bisect.bisect_left(tokens.starts, found[n + 1].end))[0], True
    part = bool(_PART_AFTER.match(text, q.end) or _PART_BEFORE.search(text, max(0, q.start - 24), q.start)
                or _PERIOD_AFTER.match(text, q.end) or INCREMENT.search(text, 0, q.start))
    if (named := _GROUP_OF.search(text, max(0, q.start - 24), q.start)) is not None:
        return _singular(named.group(1).lower()), part  # "the ship's crew of 21"
    if (were := _WERE_GROUP.match(text, q.end)) is not None:
        return _singular(were.group(1).lower()), True  # "at least 323 of the dead were Egyptians"
    return _group_after(tokens.words, bisect.bisect_left(tokens.starts, q.end))[0], part


# A count over part of the event's time: "577 deaths for the two busiest days", "21 abducted over
# the last 24 hours" — a part of the whole toll, not a rival to it.
_PERIOD_AFTER = re.compile(r"(?i)\s+(?:[a-z]+\s+){0,2}?(?:for|over|during|in)\s+the\s+(?:first|last|past|two|three|four|"
                           r"five|\d+)\s+(?:[a-z]+\s+)?(?:days?|hours?|weeks?)\b")
# Figures of what was added to a toll ("the new deaths reported yesterday included 58"): an
# increment, a part of the toll.
INCREMENT = re.compile(r"(?i)\b(?:new|additional|more)\s+(?:deaths|fatalities|casualties|injuries|arrests|cases)\b"
                        r"[^.;:]{0,40}$")
# Words by which an outlet marks a figure as an earlier one it no longer holds: "initially, officials
# said 10", "at least 3,958 instead of 11,300 as was before reported", "in its previous report, 11,300",
# "the initial death toll, which was tallied at 28" (not "earlier this week" or "earlier Monday", a
# time of the report, nor "the initial blast killed 12", the first of several happenings). Between
# the marker and the figure no other figure and no "but": "initially, eight were reported missing,
# but 10 were later found dead" marks the eight only.
_FIGURE_NOUN = r"(?:(?:death|casualty|injury)\s+)?(?:toll|figure|count|report|estimate|tally|number|assessment)s?"
_SUPERSEDED_BEFORE = re.compile(r"(?i)\b(?:initially|at\s+first|originally|previously|"
                                rf"(?:initial|original|previous|earlier)\s+{_FIGURE_NOUN}|"
                                r"earlier(?!\s+(?:this|that|on|in|today|yesterday|tonight|last|"
                                r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b)|first\s+reported|"
                                r"instead\s+of|up\s+from|down\s+from|revised\s+from)\b(?P<tail>(?:(?!\bbut\b)[^.;\d]){0,60})$")
_SUPERSEDED_AFTER = re.compile(r"(?i)^[^.;\d]{0,40}\b(?:as\s+(?:was\s+)?(?:before|previously|earlier|initially)"
                               r"\s+reported|had\s+been\s+reported\s+earlier)\b")
# A participle clause between the marker and the figure ("amended the earlier toll, remarking that
# at least 3,958"): the figure is the new one ("in its previous report, said 11,300" is the old).
_NEW_CLAUSE = re.compile(r"(?i),\s+\w+ing\b")


def superseded(q: Quantity, text: str) -> bool:
    """The sentence marks the figure as an earlier one its outlet no longer holds."""
    at = text.find(q.text)
    if at < 0:
        return False
    before = _SUPERSEDED_BEFORE.search(text, max(0, at - 80), at)
    if before and not _NEW_CLAUSE.search(before.group("tail")):
        return True
    return bool(_SUPERSEDED_AFTER.search(text[at + len(q.text):]))
# A group a part of the dead is said to be: "at least 323 of those who died were Egyptians".
_WERE_GROUP = re.compile(r"\s+of\s+(?:the\s+dead|those\s+(?:who\s+)?(?:died|killed)|the\s+victims)\s+were\s+"
                         r"([A-Z][a-z]+s)\b")
# A group named before its number: "a crew of 21", "a delegation of 12".
_GROUP_OF = re.compile(r"(?i)\b(crew|staff|delegation|contingent|team|workforce)\s+of\s+$")


def _with_totals(text: str, tokens: "_Tokens", found: list[_Found], qs: list[Quantity]) -> list[Quantity]:
    """Counts of different groups joined by "and" share their predicate ("60 passengers and 4
    crew were aboard": both aboard) and give their sum, a total of people in general."""
    out: list[Quantity] = []
    n = 0
    while n < len(qs):
        run = [n]
        while run[-1] + 1 < len(qs) and _joined(text, tokens, found, run[-1], qs):
            run.append(run[-1] + 1)
        members = [qs[i] for i in run]
        if len(run) > 1 and len({q.group for q in members}) == len(run) and all(q.group for q in members) \
                and len({q.measure for q in members if q.measure in _STRONG_MEASURES}) <= 1 \
                and len({q.measure for q in members if q.measure in EVENT_MEASURES}) <= 1:
            measure = _shared_measure(members)
            if measure is not None:
                members = [q if q.measure == measure else replace(q, measure=measure) for q in members]
            out.extend(members)
            low = sum(q.low for q in members) if all(q.low is not None for q in members) else None
            high = sum(q.high for q in members) if all(q.high is not None for q in members) else None
            words_end = _group_after(tokens.words, bisect.bisect_left(tokens.starts, found[run[-1]].end))[1]
            end = tokens.ends[words_end - 1] if words_end > 0 else found[run[-1]].end
            if _ONE_MORE.match(text, max(end, found[run[-1]].end)):
                n = run[-1] + 1
                continue  # "169 Indians, 53 British, seven Portuguese and a Canadian": the list goes on, no sum
            out.append(Quantity(text[found[run[0]].start:max(end, found[run[-1]].end)].strip(), low, high,
                                members[0].unit, measure, any(q.vague for q in members), total=True))
        else:
            out.extend(members)
        n = run[-1] + 1
    return out


# A list of counted groups that goes on with one more named without a number ("... and a Canadian").
_ONE_MORE = re.compile(r"(?i)\s*(?:,\s*)?(?:and|plus)\s+(?:a|an)\s+(?!(?:total|further|number|few|couple|dozen|"
                       r"handful|hundred|thousand|million|half)\b)[a-z]+\b")


def _joined(text: str, tokens: "_Tokens", found: list[_Found], n: int, qs: list[Quantity]) -> bool:
    """Number ``n`` and the next count two groups in one list ("60 passengers and 4 crew")."""
    a, b = found[n], found[n + 1]
    if qs[n].unit or qs[n + 1].unit or qs[n].part or qs[n + 1].part:
        return False
    after = _group_after(tokens.words, bisect.bisect_left(tokens.starts, a.end))[1]
    if after == bisect.bisect_left(tokens.starts, a.end):
        return False
    start = tokens.ends[after - 1]
    return _GROUP_LINK.fullmatch(text, start, b.start) is not None


def _shared_measure(qs: Sequence[Quantity]) -> str | None:
    """The predicate of a list of groups: the strong cue any of them has, else a weak one; None
    when none has one ("98 Indians, 32 Indonesians": each counts its own noun)."""
    strong = [q.measure for q in qs if q.measure in _STRONG_MEASURES]
    if strong:
        return strong[0]
    weak = [q.measure for q in qs if q.measure in EVENT_MEASURES]
    return weak[0] if weak else None


# A round figure is rounded: "10,000 missing" is 10,100 written by another desk, within this share
# of the figure (or half its last written digit, if less); a whole percentage is ±0.5 ("51%" of 51.2%).
ROUND_SHARE = 0.02


# A figure written as a decimal of a scale word ("2.75 million", "1.2bn").
SCALED = re.compile(r"(?i)\d\.\d+\s*(?:million|billion|trillion|mn|bn|m)\b")


def _rounding(value: float, unit: str | None) -> float:
    """How far an exact figure may be from what it rounds: the half-unit of its last digit."""
    if unit in ("%", "pp"):
        return 0.5 if float(value).is_integer() else (0.05 if float(value * 10).is_integer() else 0.0)
    if unit is not None or not float(value).is_integer() or value < 100:
        return 0.0
    zeros = len(str(int(value))) - len(str(int(value)).rstrip("0"))
    return min(0.5 * 10 ** zeros, ROUND_SHARE * value) if zeros else 0.0


_WRITTEN_UNIT = re.compile(r"(?i)(?<![a-z])(" + "|".join(sorted((re.escape(u) for u in UNITS if u[0].isalpha()),
                                                              key=len, reverse=True)) + r")s?(?![a-z])")


def written_unit(q: Quantity) -> tuple | None:
    """The unit a figure was written in, as (base unit, factor): "984-foot" and "947 feet" alike."""
    m = _WRITTEN_UNIT.search(q.text)
    return UNITS.get(m.group(1).lower()) if m else None


def _interval(q: Quantity, converted: bool = True) -> tuple[float, float]:
    """The interval a quantity is compared on: vague ones loosened, measurements given a tolerance
    (when ``converted`` from another unit), round figures their rounding."""
    low = float("-inf") if q.low is None else q.low
    high = float("inf") if q.high is None else q.high
    if q.low is not None and q.low == q.high and not q.vague:
        slack = _rounding(q.low, q.unit)
        # "6.27 million" is as often 6,275,182 cut short as rounded: up to a whole last digit above
        up = 2 * slack if slack and SCALED.search(q.text) else slack
        low, high = low - slack, high + up
    if q.vague:
        low, high = low * VAGUE_LOW_SLACK, high * VAGUE_HIGH_SLACK
    if q.unit in _PHYSICAL and q.low == q.high:  # a hedge ("about 23 miles") has its own slack
        tolerance = UNIT_TOLERANCE if converted else SAME_UNIT_TOLERANCE
        low, high = low * (1 - tolerance), high * (1 + tolerance)
    return low, high


def _unit_factor(a: str | None, b: str | None) -> float | None:
    """Factor taking a value in unit ``b`` to unit ``a``; None when they measure different things."""
    if a == b:
        return 1.0
    if a in _DAYS_PER and b in _DAYS_PER:
        return _DAYS_PER[b] / _DAYS_PER[a]
    return None


def quantities_compatible(a: Quantity, b: Quantity) -> bool | None:
    """Whether two quantities can both be true.

    None when they are not comparable: different measures (killed vs aboard), different counted
    groups (120 passengers vs 8 crew), different kinds of unit (% vs a count), or a bare number
    that says nothing about what it counts. A part and a whole (120 passengers vs 128 people
    aboard; "two of them" vs 40) agree when the part is not larger than the whole. Otherwise True
    when their intervals overlap: bounds ("at least 40" vs 42), approximations, vague words (with
    ``VAGUE_*_SLACK``: "dozens" vs 40, "several" vs 7) and unit conversions (within
    ``UNIT_TOLERANCE``; none when both are written in one unit: 984 against 947 feet); False when
    they are disjoint (120 vs 95 injured).
    """
    if a.measure != b.measure or (a.measure is None and (a.unit is None or b.unit is None)):
        return None
    if a.group and b.group and a.group != b.group:
        return None
    factor = _unit_factor(a.unit, b.unit)
    if factor is None:
        return None
    # two lengths both written in feet differ by what they say, not by a conversion's rounding
    converted = a.unit not in _PHYSICAL or written_unit(a) is None or written_unit(a) != written_unit(b)
    low_a, high_a = _interval(a, converted)
    low_b, high_b = _interval(b, converted)
    low_b, high_b = low_b * factor, high_b * factor
    if factor != 1.0:  # durations converted between years, months and days are rounded
        low_b, high_b = low_b * (1 - UNIT_TOLERANCE), high_b * (1 + UNIT_TOLERANCE)
    part_a, part_b = bool(a.group) or a.part, bool(b.group) or b.part
    if part_a and part_b and a.group != b.group:
        return None  # 600 Egyptians and "included 58 from Egypt": two parts, of wholes unknown
    if part_a != part_b:  # a part and its whole: the part cannot be larger
        return low_a <= high_b if part_a else low_b <= high_a
    if a.unit and a.low is None and b.low is None and a.high is not None and b.high is not None:
        # "speeds of up to 34 km/h" against "up to 48 km/h": two tops of one measured thing; each says
        # what the most was, and they differ as two figures do (a count's "up to 50 missing" is a ceiling)
        top_a, top_b = a.high, b.high * factor
        slack = UNIT_TOLERANCE if converted else SAME_UNIT_TOLERANCE
        return abs(top_a - top_b) <= slack * max(abs(top_a), abs(top_b))
    return low_a <= high_b and low_b <= high_a


def fmt_interval(q: Quantity) -> str:
    """A quantity's value in words: "38", "at least 40", "up to 12", "40–50"."""
    if q.low is not None and q.high is not None and q.low == q.high:
        v = q.low
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"
    if q.high is None:
        return f"at least {q.low:,.0f}"
    if q.low is None:
        return f"up to {q.high:,.0f}"
    return f"{q.low:,.0f}–{q.high:,.0f}"


# How a figure written in a unit other than its base unit is shown: in the unit it was written in.
WRITTEN_LABELS = {("m", 0.3048): "ft", ("m", 1609.344): "miles", ("m", 1000): "km", ("m", 0.01): "cm",
                  ("m", 0.9144): "yards", ("kg", 0.45359237): "lb", ("kg", 1000): "tonnes", ("kg", 0.001): "g",
                  ("km/h", 1.609344): "mph", ("hour", 1 / 60): "minutes", ("hour", 1 / 3600): "seconds", ("day", 7): "weeks",
                  ("year", 10): "decades", ("year", 100): "centuries"}


def fmt_value(q: Quantity) -> str:
    """A quantity's value with its unit and vagueness: "38", "at least 40", "51%", "9.5 hours", "dozens
    (about 24–99)"; a figure written in another unit than its base one in the unit it was written in
    ("984 ft", not "299.9232 m")."""
    if q.low == q.high == 0 and not re.search(r"\d", q.text):
        return "none"  # "none were injured"
    value = fmt_interval(q)
    written = written_unit(q)
    if q.unit and written and written[1] != 1 and written in WRITTEN_LABELS and not q.vague:
        if q.low != q.high:  # a hedge or a bound in its own words: "about 23 miles", "up to 30 mph"
            return " ".join(q.text.split())
        return f"{fmt_interval(replace(q, low=round(q.low / written[1], 2), high=round(q.high / written[1], 2)))} " \
               f"{WRITTEN_LABELS[written]}"
    if q.unit in ("%", "pp"):
        value += q.unit if q.unit == "%" else " points"
    elif q.unit:
        value += f" {q.unit}" + ("" if q.low == q.high == 1 or q.unit.isupper() or q.unit in _PHYSICAL else "s")
    return f"{q.text.lower()} ({value})" if q.vague else value
