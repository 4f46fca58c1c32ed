"""Compare: a registry of small named checks that turn aligned claims into typed discrepancies.

A pair check is ``(a, b, ctx) -> Discrepancy | None`` and runs on every aligned pair; a corpus
check is ``(ctx) -> Iterable[Discrepancy]`` and looks at the whole story at once (name variants,
omissions). A new kind of discrepancy is a new function here with ``@check``, not a new branch.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from functools import lru_cache
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Sequence

from rapidfuzz import fuzz, utils

from .claims import party_of
from .things import THING_SYNONYMS, airliner, rammed
from .names import AGE_AFTER_NAME, AGE_BEFORE_NAME, TITLES, TYPO_MIN_LENGTH, fold, name_words, person_parts, phonetic, same_person, short_name_slip, spelling_variant, years_old
from . import facts
from .facts import CHANGE_OVER_TIME_WEIGHT, as_of, measured, person_spellings, quote, upper_first
from .config import Settings
from .errors import FactcheckError
from .dates import dates_compatible
from .models import Alignment, Claim, Discrepancy, FactCluster, Source, stable_id
from .quantities import (CURRENCIES, EVENT_MEASURES, INCREMENT, PEOPLE_NOUNS, fmt_interval, fmt_value,
                         quantities_compatible, superseded, written_unit)

log = logging.getLogger(__name__)

# Texts whose derived word sets are memoised: a claim meets many pairs, its words are read once.
TEXT_CACHE = 200_000

# Base severity of each kind: how much it matters to a reader if the discrepancy is real.
SEVERITY = {
    "attribution_conflict": 0.9, "quantity": 0.85, "identifier": 0.8, "polarity": 0.8,
    "date": 0.75, "actor": 0.75, "name_variant": 0.7, "omission": 0.3,
}


@dataclass
class Context:
    """What the checks may look at: the story's claims, sources, and the aligned pairs."""

    settings: Settings
    claims: dict[str, Claim]
    sources: dict[str, Source]
    pairs: Sequence[Alignment]
    clusters: Sequence[FactCluster] = ()
    events: Sequence[Alignment] = ()  # looser pairs: same event, not necessarily the same fact
    stories: dict[str, str] = field(default_factory=dict)
    answers: dict | None = None  # toll_answers(self), once computed
    figure_days: dict | None = None  # dated_figures(self), once computed
    parts: set | None = None  # article_parts(self), once computed
    scopes: dict | None = None  # toll_scopes(self), once computed
    scope_stories: set | None = None  # the stories toll_scopes(self) found counted by country
    past: dict | None = None  # claim id -> historic(claim), once decided
    starts: dict | None = None  # story -> the first publication date of its articles, once found
    ground: set | None = None  # ground_stories(self), once found

    def story(self, claim: Claim) -> str:
        return self.stories.get(claim.source_id, "")

    def option(self, check_name: str, key: str):
        """A check's option: the user's (``check_options``) or the default it was registered with."""
        return self.settings.check_options.get(check_name, {}).get(key, OPTIONS[check_name][key])

    def outlet(self, claim: Claim) -> str:
        return self.sources[claim.source_id].outlet

    def sentence(self, claim: Claim) -> str:
        """The source sentence a claim comes from (its text, when the source has no raw text)."""
        raw = self.sources[claim.source_id].raw
        return raw[claim.char_start:claim.char_end] if raw else claim.text

    def where(self, claim: Claim) -> str:
        return f"{self.outlet(claim)} ({self.sources[claim.source_id].name})"


PairCheck = Callable[[Claim, Claim, Alignment, Context], "Discrepancy | None"]
CorpusCheck = Callable[[Context], Iterable[Discrepancy]]
PAIR_CHECKS: dict[str, PairCheck] = {}
CORPUS_CHECKS: dict[str, CorpusCheck] = {}
# Pair checks that look at pairs about the same event (not only the same fact).
EVENT_SCOPED: set[str] = set()
OPTIONS: dict[str, dict] = {}  # check -> its options and their defaults


def check(name: str, *, scope: str = "pair", pairs: str = "aligned", options: dict | None = None):
    """Register a check under ``name``; scope is 'pair' or 'corpus'; a pair check sees the
    aligned pairs, or with ``pairs="events"`` the looser same-event pairs too. ``options`` are the
    check's settings with their defaults (a user overrides them in ``check_options``; a check
    reads them with ``ctx.option``)."""

    def register(fn):
        (PAIR_CHECKS if scope == "pair" else CORPUS_CHECKS)[name] = fn
        if pairs == "events":
            EVENT_SCOPED.add(name)
        OPTIONS[name] = dict(options or {})
        return fn

    return register


def make(kind: str, a: Claim, b: Claim | None, confidence: float, explanation: str, /,
         question: tuple[str, ...], value_a: str, value_b: str = "", **detail) -> Discrepancy:
    """One pair of conflicting answers (``a`` answering ``value_a``, ``b`` ``value_b``) to one
    question of the story (``("count", story, "dead")``); ``facts.gather`` makes the facts of them."""
    detail.update(question=list(question), value_a=value_a, value_b=value_b)
    ids = sorted([a.claim_id] + ([b.claim_id] if b else []))
    worth = max(a.check_worthiness, b.check_worthiness if b else 0.0)
    severity = round(SEVERITY[kind] * (0.7 + 0.3 * worth), 3)
    return Discrepancy(
        discrepancy_id=stable_id(kind, *ids, length=12), kind=kind, severity=severity,
        confidence=round(confidence, 3), explanation=explanation,
        claim_a=a.claim_id, claim_b=b.claim_id if b else "", detail=detail,
    )


# --------------------------------------------------------------------------------------------
# pair checks


# Two counts that are not a toll and differ more than this many times over count different things
# (a team's 129 points and a player's 23), far more often than they misreport one.
SCALE_RATIO = 3.0


def same_scale(qa, qb) -> bool:
    va = qa.low if qa.low is not None else qa.high
    vb = qb.low if qb.low is not None else qb.high
    if not va or not vb:
        return True
    return max(va, vb) / min(va, vb) <= SCALE_RATIO


def only_one(q, c: Claim) -> bool:
    """The claim gives one number for this measure (with two, which one differs is a guess)."""
    return sum(1 for x in c.quantities if x.measure == q.measure) == 1


# Cosine at or above which two claims count as one fact on their text alone (no shared entity or
# number needed): chosen on the seeds and ECB+ dev with the alignment thresholds.
TEXT_ONLY_COSINE = 0.72


@check("quantity", pairs="events", options={"text_only_cosine": TEXT_ONLY_COSINE})
def quantity_check(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """Same measure and group, incompatible numbers (120 vs 95 injured); bounds, vague words,
    units, parts and totals agree.

    A toll (dead, injured, arrested …) is compared on any aligned pair; other counts ("10 points")
    only on near-paraphrases that name the same people, since two players' points are two facts.
    A figure about the past ("the 1960 quake killed 12,000") is not compared with the story's own.
    Two exact figures published on different days are a change between reports, said as such."""
    if historic(a, ctx) != historic(b, ctx) or historic(a, ctx) and not same_past(a, b):
        return None  # the story's own against the past, or two pasts apart (1881 against 1910)
    people_a = {e.key for e in a.entities if e.label == "PERSON"}
    people_b = {e.key for e in b.entities if e.label == "PERSON"}
    same_people = not (people_a and people_b) or bool(people_a & people_b)
    shared = bool({e.key for e in a.entities} & {e.key for e in b.entities})
    # "He scored 10 points" and "Jones scored 23": when people are named, they must be the same
    same_subject = people_a == people_b or bool(people_a & people_b)
    close = pair.score >= ctx.option("quantity", "text_only_cosine") and same_subject and shared
    parts = article_parts(ctx)
    for qa in (scoped(q, a, ctx) for q in a.quantities):
        for qb in (scoped(q, b, ctx) for q in b.quantities):
            if not compared(qa, a) or not compared(qb, b) or (a.claim_id, qa.text) in parts or (b.claim_id, qb.text) in parts:
                continue
            toll = qa.measure in EVENT_MEASURES and same_people
            if not (toll or (close and (qa.measure or qa.unit) and only_one(qa, a) and only_one(qb, b)
                             and same_scale(qa, qb) and holder(qa, a) == holder(qb, b))):
                continue
            if qa.unit and qb.unit and qa.unit not in ("%", "pp") and close and not (qa.measure and qb.measure) \
                    and one_of_unit(qa, a) and one_of_unit(qb, b):
                qa, qb = replace(qa, measure=None), replace(qb, measure=None)  # "9.5 hours" of the same wait
            verdict = quantities_compatible(qa, qb)
            if verdict is False or (verdict and toll and floors_differ(qa, qb, a, b, ctx)):
                found = quantity_discrepancy(a, b, qa, qb, pair, ctx)
                if found is not None:
                    return found
    return None


# Two floors of one toll ("at least 6" and "at least 23" dead) published the same day are two
# counts so far, and differ when one is this many times the other (rounding stays below it).
FLOOR_RATIO = 1.5


def same_past(a: Claim, b: Claim) -> bool:
    """Two claims about the past date it alike: each gives a resolved date and some pair of them
    can both be true (the 1910 fire and the fire of 1910; not the 1881 fire and the 1910 one)."""
    return any(da.resolved and db.resolved and dates_compatible(da, db) for da in a.dates for db in b.dates)


def same_source(a: Claim, b: Claim) -> bool:
    """Two outlets credit their claims to one named source ("medical and security sources" in both)."""
    def norm(s: str) -> str:
        return " ".join(w for w in re.findall(r"[a-z]+", s.lower()) if w not in ("the", "a", "an"))
    return bool(a.speaker and b.speaker) and a.source_id != b.source_id and norm(a.speaker) == norm(b.speaker)


def floors_differ(qa, qb, a: Claim, b: Claim, ctx: Context) -> bool:
    """Two lower bounds of one toll that are two different counts: the same day (or undated), or a
    later one smaller than an earlier one. A floor that rose between reports is the toll rising."""
    if qa.high is not None or qb.high is not None or not (qa.low and qb.low) or qa.vague or qb.vague:
        return False
    if qa.group != qb.group or qa.part or qb.part:
        return False  # "at least 49 Tunisians" is part of "more than 1,100" dead, not another count of them
    pa, pb = as_of(a, ctx, qa), as_of(b, ctx, qb)
    if same_source(a, b) and pa == pb and qa.low != qb.low:
        return True  # one source gives one floor on a day: "at least 530" and "at least 600" both its?
    if max(qa.low, qb.low) / min(qa.low, qb.low) < FLOOR_RATIO:
        return False
    if pa and pb and pa != pb:
        later, earlier = (qa, qb) if pa > pb else (qb, qa)
        return later.low < earlier.low
    return True


# Score given to two toll claims compared because they are in one story, not because they align.
STORY_TOLL_SCORE = 0.6


# Words before a figure that make it a possibility or a forecast, not a count: "could rise to seven", "if one
# death is confirmed", "may have killed 40", "a poll predicted a 65% vote".
HYPOTHETICAL_BEFORE = re.compile(r"(?i)(?:\b(?:could|may|might|would|expected\s+to|feared\s+to|predict\w*|forecast\w*|"
                                 r"projected)\s+(?:\w+\s+){0,3}"
                                 r"|\bif\s+(?:\w+\s+){0,2})$")


def no_answer(q, c: Claim) -> bool:
    """The figure answers no question of the story: one the sentence only imagines ("could rise to
    seven if one death is confirmed"), or how far a count has got ("with 80% of the votes counted")."""
    at = c.text.find(q.text)
    return at >= 0 and (at > 0 and bool(HYPOTHETICAL_BEFORE.search(c.text, max(0, at - 40), at))
                        or bool(COUNTING_PROGRESS.match(c.text, at + len(q.text))))


def compared(q, c: Claim) -> bool:
    """The figure is its outlet's answer to a question, to compare with others': neither an answer
    to none (``no_answer``) nor one its outlet marks as an earlier figure it no longer holds
    ("initially, officials said 10": still among the fact's answers, compared with nobody)."""
    return not no_answer(q, c) and not superseded(q, c.text)


# Where a toll names the one country it is of: "58 from Egypt", "Egypt accounted for 658", "Iran
# reported the deaths of five pilgrims", "the toll among Tunisian pilgrims has risen to 53".
SCOPE_AFTER = (r"^\s+(?:[a-z]+\s+){{0,2}}?(?:from|in)\s+(?:the\s+)?(?:(?:state|province|region|county|district|city)\s+of\s+)?"
               r"{place}\b")
SCOPE_BEFORE = (r"\b{place}\s+(?:(?:has|had|have)\s+)?(?:[a-z]+\s+){{0,2}}?(?:accounted\s+for|reported|recorded|registered|counted|confirmed)"
                r"\s+(?:[a-z]+\s+){{0,4}}$|\bamong\s+{place}\s+[a-z]+\b[^.;]{{0,60}}$|"
                r"\btoll\b[^.;]{{0,40}}?\bin\s+{place}\s+(?:was|is|stood\s+at|reached|rose\s+to)\s+$")


def toll_scope(q, c: Claim) -> str:
    """The country (its party name) a toll figure is given for, when its words say so; ""."""
    at = c.text.find(q.text)
    if at < 0:
        return ""
    for e in c.entities:
        if e.label not in ("GPE", "NORP") or e.text in c.speaker:
            continue
        place = re.escape(e.text)
        if re.match(SCOPE_AFTER.format(place=place), c.text[at + len(q.text):at + len(q.text) + 60]) or \
                re.search(SCOPE_BEFORE.format(place=place), c.text[max(0, at - 100):at]):
            return party_of(e.text) or e.text
    return ""


def toll_scopes(ctx: Context) -> dict[tuple[str, str], str]:
    """(claim id, figure) -> the country a toll is of, in stories whose tolls are given for two or
    more countries (pilgrims of many nations, a crash's victims by nationality): there a country's
    count is a part of the whole, one question per country. In a story of one country, "Morocco
    reported 2,901 deaths" is the whole toll, and no scope is kept."""
    if ctx.scopes is None:
        found = {(c.claim_id, q.text): (ctx.story(c), scope) for c in ctx.claims.values() for q in c.quantities
                 if q.measure in EVENT_MEASURES and (scope := toll_scope(q, c))}
        countries: dict[str, set[str]] = defaultdict(set)
        for story, scope in found.values():
            countries[story].add(scope)
        ctx.scopes = {k: scope for k, (story, scope) in found.items() if len(countries[story]) >= 2}
        ctx.scope_stories = {story for story, scopes in countries.items() if len(scopes) >= 2}
    return ctx.scopes


# Where the people of a toll were: a crash's dead "on the ground" are a group of their own, not the
# toll of those aboard or the whole.
ON_THE_GROUND = re.compile(r"(?i)\bon\s+the\s+ground\b")
ON_BOARD = r"(?:aboard|on\s*board|onboard)"
ABOARD = re.compile(rf"(?i)\b(?:{ON_BOARD}|passengers?|crew)\b")
# Characters between a toll figure and the "on the ground" it is of.
GROUND_REACH = 45


def on_the_ground(q, c: Claim) -> bool:
    """The toll figure is of the people on the ground: the one nearest an "on the ground" of its
    sentence, within a few words and with no "aboard" between ("19 people killed on the ground",
    "On the ground, the death toll was around 33, taking the total to over 270": 33, not 270)."""
    at = c.text.find(q.text)
    if at < 0 or q.measure not in EVENT_MEASURES or not ON_THE_GROUND.search(c.text):
        return False
    # every figure of the sentence, a toll or not: "259 people on board and 19 on the ground" puts 19 there
    figures = [(x, c.text.find(x.text)) for x in c.quantities if c.text.find(x.text) >= 0]
    for m in ON_THE_GROUND.finditer(c.text):
        def gap(pos: int, text: str) -> int:
            return m.start() - (pos + len(text)) if pos < m.start() else pos - m.end()
        near = min(figures, key=lambda f: gap(f[1], f[0].text))
        if near[0] is q or (near[0].text == q.text and near[1] == at):
            between = c.text[min(at + len(q.text), m.end()):max(at, m.start())]
            return gap(at, q.text) <= GROUND_REACH and not ABOARD.search(between)
    return False


# A toll of those aboard: "241 of the 242 people aboard", "the other 241 people on board", "of the
# 242 aboard, there are 241 confirmed fatalities".
DEAD_ABOARD_AFTER = re.compile(r"(?i)\s+(?:of\s+(?:the\s+)?\d[\d,]*\s+)?(?:people\s+|passengers\s+and\s+crew(?:\s+members)?\s+)?"
                               rf"{ON_BOARD}\b")
DEAD_ABOARD_BEFORE = re.compile(rf"(?i)\bof\s+the\s+\d[\d,]*\s+(?:people\s+)?{ON_BOARD}\b[^.;\d]{{0,30}}$")


def dead_aboard(q, c: Claim) -> bool:
    """The toll figure is of the people aboard, not of everyone the crash killed."""
    at = c.text.find(q.text)
    return at >= 0 and bool(DEAD_ABOARD_AFTER.match(c.text, at + len(q.text))
                            or DEAD_ABOARD_BEFORE.search(c.text, max(0, at - 60), at))


def ground_stories(ctx: Context) -> set[str]:
    """The stories with a toll of people on the ground: there those aboard are a group of their own."""
    if ctx.ground is None:
        ctx.ground = {ctx.story(c) for c in ctx.claims.values() for q in c.quantities if on_the_ground(q, c)}
    return ctx.ground


def scoped(q, c: Claim, ctx: Context):
    """The figure with the country it is of as its group, where the story counts by country; a toll
    of the people on the ground with that group."""
    if on_the_ground(q, c):
        return replace(q, group="on the ground", part=False)
    if q.measure == "dead" and dead_aboard(q, c) and ctx.story(c) in ground_stories(ctx):
        return replace(q, group="on board", part=False)  # "241 of the 242 aboard died", the others on the ground
    scope = toll_scopes(ctx).get((c.claim_id, q.text))
    if not scope and q.measure in EVENT_MEASURES and ctx.story(c) in counted_by_country(ctx):
        if q.group:
            nation = party_of(q.group)  # "600 Egyptians" is Egypt's toll where the story counts by country
            return replace(q, group=f"in {nation}") if nation else q
        # "14 Jordanian pilgrims had died and 17 others were missing": the sentence's one nation
        at = c.text.find(q.text)
        nations = {n for x in c.quantities if x.group and not x.part and 0 <= c.text.find(x.text) < at
                   and (n := party_of(x.group))}
        if len(nations) == 1 and not q.part:
            return replace(q, group=f"in {nations.pop()}")
    if not scope or q.group or (q.part and INCREMENT.search(c.text, 0, max(0, c.text.find(q.text)))):
        return q  # an increment ("the new deaths included 58 from Egypt") stays a part of its country's toll
    return replace(q, group=f"in {scope}", part=False)


def counted_by_country(ctx: Context) -> set[str]:
    """The stories whose tolls are given country by country (or place by place)."""
    toll_scopes(ctx)
    return ctx.scope_stories


def toll_answers(ctx: Context) -> dict[tuple[str, ...], list[tuple[Claim, object]]]:
    """Every answer the story's claims give to its toll questions (killed, injured, arrested,
    missing, aboard … of one group): ``("count", story, measure, group, "")`` -> [(claim, quantity)].
    Figures of the past and parts of a group are no answer to the story's own toll."""
    out: dict[tuple[str, ...], list[tuple[Claim, object]]] = defaultdict(list)
    broken_down = article_parts(ctx)
    for c in sorted(ctx.claims.values(), key=lambda c: c.claim_id):
        if historic(c, ctx):
            continue
        for q in (scoped(q, c, ctx) for q in c.quantities):
            if q.measure in EVENT_MEASURES and q.unit is None and not q.part and not no_answer(q, c) \
                    and (c.claim_id, q.text) not in broken_down:
                out[("count", ctx.story(c), q.measure, q.group, "")].append((c, q))
    return out


# "3 deaths each", "each has 1 fatality": a figure for each of several places or groups.
EACH_AFTER = re.compile(r"(?i)^\s+(?:\w+\s+){0,3}?(?:each|apiece)\b")
EACH_BEFORE = re.compile(r"(?i)\beach\s+(?:\w+\s+){0,2}$")


def article_parts(ctx: Context) -> set[tuple[str, str]]:
    """(claim id, figure) of the tolls an article gives as parts of its own total: figures for
    each of several places ("3 deaths each"), and two or more smaller figures of one toll that
    together stay within the largest the article gives (17 in Nairobi, 4, 3, 2 and 1 elsewhere, of
    39; the initial 28 and the 62 by noon, of 179). The article's answer is its total."""
    if ctx.parts is not None:
        return ctx.parts
    figures: dict[tuple[str, str, str], list[tuple[str, object]]] = defaultdict(list)
    out: set[tuple[str, str]] = set()
    for c in ctx.claims.values():
        for q in c.quantities if not historic(c, ctx) else ():
            at = c.text.find(q.text)
            if q.measure not in EVENT_MEASURES or q.unit is not None or q.low is None or at < 0 or q.vague:
                continue
            if EACH_AFTER.match(c.text, at + len(q.text)) or EACH_BEFORE.search(c.text, max(0, at - 30), at):
                out.add((c.claim_id, q.text))
            elif not q.part:
                figures[(c.source_id, q.measure, q.group)].append((c.claim_id, q))
    for items in figures.values():
        top = max(q.low for _, q in items)
        smaller = {q.low: [] for _, q in items if q.low < top and q.high == q.low}
        for cid, q in items:
            if q.low in smaller:
                smaller[q.low].append((cid, q.text))
        if len(smaller) >= 2 and sum(smaller) <= top:
            out.update(x for xs in smaller.values() for x in xs)
    ctx.parts = out
    return out


@check("toll", scope="corpus")
def toll_check(ctx: Context) -> Iterable[Discrepancy]:
    """The toll of a story is one question however the sentences giving it are worded: every two
    outlets' figures for one measure and group are compared by the quantity check, aligned or not."""
    seen: set[tuple[str, str]] = set()
    answers = ctx.answers if ctx.answers is not None else toll_answers(ctx)
    for key in sorted(answers):
        group = sorted({c.claim_id: c for c, _ in answers[key]}.values(), key=lambda c: c.claim_id)
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.source_id == b.source_id or (a.claim_id, b.claim_id) in seen:
                    continue
                seen.add((a.claim_id, b.claim_id))
                found = quantity_check(a, b, Alignment(a.claim_id, b.claim_id, STORY_TOLL_SCORE, 0.0), ctx)
                if found is not None:
                    yield found


# Nouns too general to say what is counted ("40 people", "two times"): such counts are tolls or
# nothing, never a count of a thing of their own.
GENERAL_NOUNS = {"people", "person", "time", "one", "other", "way", "thing", "part", "member", "case", "count",
                 "number", "figure", "total", "per", "percent", "point", "city", "place", "area", "group",
                 "side", "family", "man", "woman", "child", "resident", "official", "year", "day", "month",
                 "week", "hour", "minute", "report", "statement", "vote"}
# Letters of a noun or verb that name what is counted, so "deliberations" and "deliberated" meet.
NOUN_STEM = 7


# Words near a measured figure that say how it is hedged or placed, not what it measures.
HEDGE_WORDS = {"approximately", "about", "around", "roughly", "nearly", "almost", "some", "more", "less", "least",
               "over", "under", "just", "only", "estimated", "lasting", "long", "away", "from", "after", "before",
               "within", "located", "installed", "distance", "total", "full", "further", "another"}
# Words before and after a measured figure looked at for what it measures.
MEASURED_BEFORE, MEASURED_AFTER = 8, 4


def counted_nouns(q, c: Claim) -> list[tuple[str, str]]:
    """What a count that is no toll counts, as ``(key, word)`` pairs: the noun it counts ("six
    bombs" → ``":bomb"``), or for a duration, a length or a population the nouns and verbs of its
    clause ("the jury deliberated for about 12 hours", "11 hours of deliberations" → ``"hour:deliber"``,
    "the localizer is approximately 199 meters from the runway" → ``"m:localiz"``, ``"m:runway"``);
    [] when it counts nothing particular."""
    if q.vague or q.part or q.measure in EVENT_MEASURES or q.unit in ("%", "pp") or q.unit in CURRENCY_UNITS:
        return []
    if not q.unit:
        noun = (q.measure or "").lower()
        if q.group and (noun == "member" or q.group.endswith(" " + noun)):
            noun = q.group.lower()  # "21 crew members" counts the crew, as "a 22-member crew" does; "10 cabin crew" some
        if not noun or noun in GENERAL_NOUNS or len(noun) < 3:
            return []
        at = c.text.find(q.text)
        near = NARROWED.match(c.text, at + len(q.text)) if at >= 0 else None
        if near and (near["before"] or near["after"]):  # "four countries neighbouring Congo": some of them
            return [(f":{noun[:NOUN_STEM]}~near", noun)]
        return [(":" + noun[:NOUN_STEM], noun)]
    at = c.text.find(q.text)
    if at < 0 or not one_of_unit(q, c):  # with two lengths in a sentence, which one is meant is a guess
        return []
    if q.unit == "year" and years_old(c.text, at, q.text):
        return []  # "a 50-year-old doctor": an age (the age check's question), not how long something lasted
    if q.unit == "m" and (between := places_apart(q, c, at)):
        return [(f"m:{between}", between)]
    if q.unit in ("year", "month", "day", "hour") and (record := RECORD_SPAN.search(c.text, max(0, at - 100), at)):
        # "the deadliest crash in 20 years" and "the first major crash in 16 years" are two records
        word = " ".join(record["superlative"].lower().split())
        return [(f"{q.unit}:{word}", word)]
    if q.unit in ("year", "month", "day", "hour") and (since := INTERVAL_FROM.match(c.text, at + len(q.text))):
        # "30 seconds after take-off" and "50 seconds into the flight" time two intervals; "three
        # minutes later" one from a moment another sentence gave
        if not since["rel"]:
            return []
        what = interval_end(c.text[since.end("rel"):])
        return [(f"{q.unit}:{since['rel'].lower()} {what}", f"{since['rel'].lower()} {what}")] if what else []
    before = re.split(r"[,;:.!?—–()]", c.text[:at])[-1]
    after = re.split(r"[,;:.!?—–()]", c.text[at + len(q.text):])[0]
    words = re.findall(r"\b[a-z]{4,}\b", before)[-MEASURED_BEFORE:] + re.findall(r"\b[a-z]{4,}\b", after)[:MEASURED_AFTER]
    if q.measure:
        words.append(q.measure.lower())
    # "a combined flying experience of 9,300 hours": the sum of several holders', no one's own
    together = "~combined" if COMBINED.search(before) or COMBINED.search(after) else ""
    out = {}
    for w in words:
        if w not in STOPWORDS and w not in HEDGE_WORDS and w not in GENERAL_NOUNS and not COMBINED.fullmatch(w):
            w = THING_SYNONYMS.get(w, w)
            out.setdefault(f"{q.unit}:{w[:NOUN_STEM]}{together}", w)
    return sorted(out.items())


# Words that make a measured figure the sum of several holders' ("a combined 9,300 hours", "together").
COMBINED = re.compile(r"(?i)\b(?:combined|together|altogether|jointly|between\s+them)\b")


# The moment a span of time is counted from or to, written right after it: "30 seconds after take-off",
# "four minutes prior to landing", "50 seconds into the flight"; none for "three minutes later".
INTERVAL_FROM = re.compile(r"(?i)(?:\s+and\s+\d+\s+(?:seconds?|minutes?))?\s+(?:(?:later|earlier|afterwards?)\b|"
                           r"(?P<rel>after|before|prior\s+to|into|since|until|ahead\s+of)\b)")
# Words after "after" that name no moment of their own.
_NOT_A_MOMENT = {"the", "a", "an", "its", "his", "her", "their", "it", "he", "she", "they", "was", "were", "had", "been"}


def interval_end(rest: str) -> str:
    """The moment a span of time runs from or to, in the clause after its "after" or "into": the
    happening named there ("after the jet took off": depart, "after he was arrested": arrest),
    else its first noun ("into the flight": flight)."""
    clause = re.split(r"[,;:.!?—–()]", TAKE_OFF.sub(" takeoff ", rest.lower().replace("-", " ")))[0]
    words = [w for w in re.findall(r"[a-z]+", clause) if w not in _NOT_A_MOMENT]
    stems = [HAPPENING_SYNONYMS.get(stem(w), stem(w)) for w in words]
    return next((x for x in stems if x in HAPPENINGS), stems[0] if stems else "")


# A count narrowed to things near or besides another ("four countries neighbouring Congo", "three
# other countries", "nearby villages"): some of the things counted, not all of them.
NARROWED = re.compile(r"(?i)\s+(?:(?P<before>other|neighbou?ring|nearby|surrounding|bordering|adjacent)\s+)?"
                      r"[a-z]+(?:\s+(?P<after>neighbou?ring|bordering|surrounding|adjacent\s+to|near|around))?\b")


# A distance from a place: "about 130 kilometers (80 miles) southwest of Berlin", "46 km from Magdeburg".
DISTANCE_FROM = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:(?:north|south|east|west|north-?east|north-?west|south-?east|"
                           r"south-?west|northeast|northwest|southeast|southwest|away|outside|inland|upstream|"
                           r"downstream)\s+)?(?:from|of|outside)\s+(?:the\s+)?(?:(?:city|town|capital)\s+of\s+)?"
                           r"(?P<place>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")


# A span that measures a record: "the deadliest US air crash in 20 years", "the first major crash in 16 years".
RECORD_SPAN = re.compile(r"(?i)\b(?P<superlative>deadliest|worst|first|biggest|largest|highest|lowest|strongest|"
                         r"longest|heaviest|fastest|most\s+\w+)\b[^,;.]{0,60}?\b(?:in|since|for)\s+(?:(?:more\s+than|"
                         r"nearly|almost|over|about|the\s+past|the\s+last)\s+)?\Z")


def places_apart(q, c: Claim, at: int) -> str:
    """The two places a distance lies between, sorted ("berlin|magdeburg"): the place it is said
    to be from, and the place the sentence names last before the figure ("Magdeburg, located about
    130 kilometers southwest of Berlin"); "" when either is missing."""
    m = DISTANCE_FROM.match(c.text[at + len(q.text):])
    if m is None:
        return ""
    places = [(c.text.rfind(e.text, 0, at), e.text) for e in c.entities if e.label in ("GPE", "LOC", "FAC")]
    places = [(i, t) for i, t in places if i >= 0 and t != m["place"]]
    if not places:
        return ""
    here = max(places)[1]
    return "|".join(sorted(fold(p).lower() for p in (here, m["place"])))


CURRENCY_UNITS = frozenset(CURRENCIES.values())


def anchors(c: Claim) -> set[str]:
    """The names a claim's sentence gives, as written (folded), its speaker's aside: what two
    counts must share to be counts of one thing (a tagger's label varies, the name does not)."""
    return {fold(e.text).lower() for e in c.entities if e.text not in c.speaker and len(e.text) > 2}


@check("count", scope="corpus")
def count_check(ctx: Context) -> Iterable[Discrepancy]:
    """Counts of one thing that is no toll (bombs dropped, countries affected, hours the jury
    deliberated) differ between two outlets: claims of one story that count the same noun in the
    same unit, one figure each, and are about the same event (aligned as such) or name the same
    place or body. Figures far apart in scale count different things (``SCALE_RATIO``)."""
    related = {frozenset((p.claim_a, p.claim_b)) for p in list(ctx.pairs) + list(ctx.events)}
    counts: dict[tuple[str, str], list[tuple[Claim, object]]] = defaultdict(list)
    for c in sorted(ctx.claims.values(), key=lambda c: c.claim_id):
        if historic(c, ctx):
            continue
        nouns = [(key, word, q) for q in c.quantities if compared(q, c) for key, word in counted_nouns(q, c)]
        mine = Counter(key for key, _, _ in nouns)
        for key, word, q in nouns:
            if mine[key] == 1:
                counts[(ctx.story(c), key)].append((c, replace(q, measure=word, group="")))
        for q in c.quantities:
            if (q.measure or "") in HELD_COUNTS and (whose := holder(q, c)) and compared(q, c):
                counts[(ctx.story(c), (q.measure, whose, q.unit or ""))].append((c, q))
    seen: set[tuple[str, str]] = set()
    for (story, noun), items in sorted(counts.items(), key=lambda x: (x[0][0], str(x[0][1]))):
        per_source = Counter(c.source_id for c, _ in items)
        held = isinstance(noun, tuple)  # one person's votes: the person is what the two counts share
        for i, (a, qa) in enumerate(items):
            for b, qb in items[i + 1:]:
                if a.source_id == b.source_id or not same_scale(qa, qb) or (a.claim_id, b.claim_id) in seen:
                    continue
                # the same thing counted: about one event, or naming one place or body; or, for a
                # thing (not people: what happened to them tells two counts apart), the only count
                # of this noun each of the two outlets gives in the story
                sole = not held and per_source[a.source_id] == per_source[b.source_id] == 1 and not people_noun(noun)
                if not (held or anchors(a) & anchors(b) or frozenset((a.claim_id, b.claim_id)) in related or sole):
                    continue
                seen.add((a.claim_id, b.claim_id))
                if quantities_compatible(qa, replace(qb, measure=qa.measure)) is False:
                    found = quantity_discrepancy(a, b, qa, replace(qb, measure=qa.measure),
                                                 Alignment(a.claim_id, b.claim_id, STORY_TOLL_SCORE, 0.0),
                                                 ctx, question=count_question(qa, qb, a, b, ctx) if held
                                                 else ("count", story, noun, "", ""))
                    if found is not None:
                        yield found


# Counts that belong to the person they are given for ("González won 44% of the vote", "obtained
# 4,445,978 votes"): one question per person in a story, whichever sentences give it.
HELD_COUNTS = {"vote", "ballot"}
# "with 80% of the votes counted": how far the count has got, nobody's share.
COUNTING_PROGRESS = re.compile(r"(?i)\s+of\s+(?:the\s+|all\s+)?(?:votes?|ballots?|tall(?:y|ies)|polling\s+stations?)\s+"
                               r"(?:counted|tallied|processed|reported|in\b|verified|scrutini[sz]ed)")


def people_noun(noun: str) -> bool:
    word = noun.split(":")[-1].lower()
    return word in PEOPLE_NOUNS or word.rstrip("s") in PEOPLE_NOUNS or word.endswith(("ist", "ians", "ian"))


def one_of_unit(q, c: Claim) -> bool:
    """The claim gives one figure in this unit (with two durations, which one is meant is a guess);
    a figure and its conversion ("about 130 kilometers (80 miles)") are one."""
    same = [x for x in c.quantities if x.unit == q.unit]
    return len(same) == 1 or (len(same) == 2 and quantities_compatible(
        replace(same[0], measure=None, group="", part=False), replace(same[1], measure=None, group="", part=False)) is True
        and written_unit(same[0]) != written_unit(same[1]))


def holder(q, c: Claim) -> str:
    """Key of the person a number is nearest to in its sentence, its speaker aside ("González won
    44% while Maduro was declared the winner with 51%": 44% is González's); "" when none is named."""
    at = c.text.find(q.text)
    people = [(abs(c.text.find(e.text) - at), e.key) for e in c.entities
              if (e.label == "PERSON" or (e.label == "ORG" and " " not in e.text  # a lone surname is often tagged ORG
                                          and not re.search(r"[A-Z][\w'’-]*\s$", c.text[:c.text.find(e.text)])))
              and e.text not in c.speaker and c.text.find(e.text) >= 0]  # ("Lanka" of Sri Lanka is no one)
    return min(people)[1] if people and at >= 0 else ""


# A claim dated this many days before its article was published is background, not the story
# (the story's own events are days old; "the attack in March" in a June report is another event).
HISTORIC_DAYS = 45


# Words that place a statement in the past of the story ("three months after gunmen killed 145").
BACKGROUND_RE = re.compile(r"\b(?:(?:\w+|\d+)\s+)?(?:months|years|decades)\s+(?:\w+\s+)?(?:ago|earlier|before|after|"
                           r"prior)\b|\b(?:last|previous|past)\s+(?:year|month|decade)\b|\bdeadliest since\b", re.I)


# Words that make a past period the yardstick of the story's own figure, not its subject: "524
# deaths so far this year have already exceeded last year's total", "up from last year".
COMPARED_RE = re.compile(r"(?i)\b(?:exceed\w*|surpass\w*|than|compared\s+(?:with|to)|from|over|above|below|"
                         r"outstrip\w*|topp\w*|beat|doubl\w*|tripl\w*)\s+(?:\w+\s+)?$")


def historic(c: Claim, ctx: Context) -> bool:
    """The claim is about the past of the story: dated well before the story's first article ("the 1960 quake
    killed 12,000"), or placed there by its words ("three months after gunmen killed 145"). A date
    in a relative clause dates its noun's past, not the claim ("the suspect, who settled in Germany
    in 2006, works in Bernburg, about 46 km from Magdeburg"). Decided once per claim (``ctx.past``)."""
    if ctx.past is None:
        ctx.past = {}
    if c.claim_id not in ctx.past:
        ctx.past[c.claim_id] = _historic(c, ctx)
    return ctx.past[c.claim_id]


def story_start(c: Claim, ctx: Context):
    """When the claim's story began to be reported: the first publication date of its articles
    (its own article's when no article of the story has one)."""
    if ctx.starts is None:
        ctx.starts = {}
        for s in ctx.sources.values():
            story = ctx.stories.get(s.source_id, "")
            if s.published and (story not in ctx.starts or s.published < ctx.starts[story]):
                ctx.starts[story] = s.published
    return ctx.starts.get(ctx.story(c)) or ctx.sources[c.source_id].published


def _historic(c: Claim, ctx: Context) -> bool:
    # Measured from when the story began, not from the claim's own article: a trial report a year on
    # that says "last year's attack happened at 19:02" speaks of the story itself, not its past.
    published = story_start(c, ctx)
    asides = [m.span() for m in RELATIVE_ASIDE.finditer(c.text)] if c.dates else []
    old = [d for d in c.dates if published and d.resolved and d.end and (published - d.end).days > HISTORIC_DAYS
           and not any(lo <= c.text.find(d.text) < hi for lo, hi in asides)
           and not ORIGIN_BEFORE.search(c.text, max(0, c.text.find(d.text) - ORIGIN_REACH),
                                        max(0, c.text.find(d.text)))]
    dated = bool(old) and not any(SINCE_RE.search(c.text, 0, max(0, c.text.find(d.text)))
                                  or COMPARED_RE.search(c.text, max(0, c.text.find(d.text) - 40), max(0, c.text.find(d.text)))
                                  for d in old)
    return dated or any(not COMPARED_RE.search(c.text, max(0, m.start() - 40), m.start())
                        and not reaches_story(c, m, published) for m in BACKGROUND_RE.finditer(c.text))


def reaches_story(c: Claim, m: re.Match, start) -> bool:
    """A past period named by a claim ("last year's attack", in a trial report a year on) that reaches
    the story's own days: the story itself, not its past."""
    for d in c.dates:
        at = c.text.find(d.text)
        if at >= 0 and at < m.end() and m.start() < at + len(d.text) and d.resolved and d.end and start \
                and (start - d.end).days <= HISTORIC_DAYS:
            return True
    return False


# A date of a thing's origin ("a CRJ-700 regional jet manufactured in 2004", "constructed by the
# Hyundai shipyard in 2015"): the thing's past, not the claim's.
ORIGIN_REACH = 60  # characters before a date looked at for its origin verb
ORIGIN_BEFORE = re.compile(r"(?i)\b(?:built|manufactured|made|founded|established|delivered|constructed|"
                           r"commissioned|launched|opened|born)\s+(?:[\w-]+\s+){0,5}?(?:in|on|since)?\s*\Z")


# "since the beginning of the year": a count that runs up to now, not a figure of the past.
SINCE_RE = re.compile(r"\b(?:since|from)\s+the\s+(?:beginning|start)\s+of\s+(?:the\s+)?\S*\s*$|\bso far\s+\S*\s*$", re.I)


def counted(q) -> str:
    if q.measure == "member" and q.group:
        return f"{q.group} members"  # "21 crew members"
    measure = q.measure or "the count"
    return f"{measure} ({q.group})" if q.group and q.group != q.measure else measure


def exact(q) -> bool:
    return q.low is not None and q.low == q.high and not q.vague


def moved_up(earlier, later) -> bool:
    """A toll that rose between reports, one figure of them hedged or a bound ("about 200", then
    402; 113, then "more than 150"): the count moved, nobody contradicts anybody."""
    low_e = earlier.low if earlier.low is not None else earlier.high
    high_l = later.high if later.high is not None else float("inf")
    return not (exact(earlier) and exact(later)) and low_e is not None and high_l >= low_e


# A toll given higher in a report more than this many days after another is the toll risen since (a
# victim who died of injuries, bodies found), even with both figures exact: five dead on the day, six
# at the trial a year on. Closer together, which one is current is worth a look.
ROSE_LATER_DAYS = 30


def same_voice(a: Claim, b: Claim) -> bool:
    """Neither figure is someone else's against another's (the president's 200 wounded against the
    rights commission's 300 is a dispute, not a count that moved)."""
    return not (a.party and b.party) or a.party == b.party


def quantity_discrepancy(a: Claim, b: Claim, qa, qb, pair: Alignment, ctx: Context,
                         question: tuple[str, ...] | None = None) -> Discrepancy | None:
    pa, pb = as_of(a, ctx, qa), as_of(b, ctx, qb)
    measure = counted(qa) if qa.measure else counted(qb)
    if qa.unit and qa.unit not in CURRENCY_UNITS:
        measure = measured(measure, qa.unit)  # "length or distance (ship)"
    detail = dict(measure=measure, a=qa.text, b=qb.text, question=question or count_question(qa, qb, a, b, ctx),
                  value_a=fmt_value(qa), value_b=fmt_value(qb))
    if pa and pb and pa != pb and (qa.measure in EVENT_MEASURES or qb.measure in EVENT_MEASURES):
        # a toll grows as a story unfolds; a population, a distance or the bombs dropped do not
        (early, qe, de), (late, ql, dl) = sorted([(a, qa, pa), (b, qb, pb)], key=lambda x: x[2])
        if (moved_up(qe, ql) or (dl - de).days > ROSE_LATER_DAYS and exact(qe) and exact(ql) and ql.low > qe.low) \
                and same_voice(a, b):
            return None
        text = (f"{upper_first(measure)} changed between reports: {ctx.where(early)} said {qe.text!r} "
                f"({fmt_interval(qe)}) as of {de:%d %b %Y}; {ctx.where(late)} says {ql.text!r} "
                f"({fmt_interval(ql)}) as of {dl:%d %b %Y}. Check which figure is current.")
        d = make("quantity", a, b, min(0.95, pair.score), text, **detail, change_over_time=True)
        return replace(d, severity=round(d.severity * CHANGE_OVER_TIME_WEIGHT, 3))
    text = (f"Different numbers for {measure}: {ctx.where(a)} says {qa.text!r} "
            f"({fmt_interval(qa)}), {ctx.where(b)} says {qb.text!r} ({fmt_interval(qb)}).")
    return make("quantity", a, b, min(0.95, pair.score), text, **detail)


def count_question(qa, qb, a: Claim, b: Claim, ctx: Context) -> tuple[str, ...]:
    """The question two figures answer: the count of one group for one measure in a story (the
    toll: "how many passengers died?"), or for a count that is not a toll, also whose it is."""
    what = qa.measure or qb.measure or qa.unit or qb.unit or ""
    if what not in EVENT_MEASURES and (qa.unit or qb.unit) in ("%", "pp"):
        what = qa.unit or qb.unit  # a share is its own question: "what share of the vote?", not "how many votes?"
    group = qa.group or qb.group
    if what not in EVENT_MEASURES:
        # a count of one thing is one question whichever check finds it (``count_check`` asks it
        # of the noun counted): the pair found on aligned claims and across the story meet
        shared = {k for k, _ in counted_nouns(qa, a)} & {k for k, _ in counted_nouns(qb, b)}
        if shared:
            return ("count", ctx.story(a), min(shared), "", "")
    whose = "" if what in EVENT_MEASURES else holder(qa, a) or holder(qb, b)
    return ("count", ctx.story(a), what, group, whose)


# Words two claims share that say who speaks or is counted, not what happened.
NOT_HAPPENINGS = {"authorit", "official", "people", "government", "minister", "ministry", "country", "state",
                  "president", "police", "agency", "news", "statement", "week", "year", "month", "day", "time"}
# Nouns of what happened, besides the verbs of HAPPENINGS and EVENT_VERBS.
EVENT_NOUNS = {"death", "crash", "flood", "collision", "quake", "earthquake", "explosion", "protest", "election",
               "verdict", "outbreak", "storm", "fire", "attack", "strike"}


def shared_word(a: Claim, b: Claim, ctx: Context, among: Iterable[str] = ()) -> str:
    """The word naming what two claims are about (crash, raid, death): the first they share among
    ``among`` or ``EVENT_NOUNS``, else the first other word of what happened their sentences share;
    "" when none."""
    common = (event_words(ctx.sentence(a)) & event_words(ctx.sentence(b))) - NOT_HAPPENINGS
    preferred = sorted(common & (set(among) | EVENT_NOUNS))
    return (preferred or sorted(common) or [""])[0]


@check("date", options={"text_only_cosine": TEXT_ONLY_COSINE})
def date_check(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """Same fact, dates that cannot both be true (granularity alone is never a conflict)."""
    if pair.score < ctx.option("date", "text_only_cosine"):
        return None  # dates of merely related claims often date different things
    if len(a.dates) != 1 or len(b.dates) != 1:
        return None  # with several dates in a claim, which one dates the fact is a guess
    if not (dated_happenings(a.text, a.dates[0].text) & dated_happenings(b.text, b.dates[0].text)):
        return None  # "first detected in 1970" and "a rise in cases in 2024" date two things
    for da in a.dates:
        for db in b.dates:
            explicit = named_day(da, db) and named_day(db, da)
            if explicit and da.resolved and db.resolved and not dates_compatible(da, db):
                text = (f"Different dates for the same fact: {ctx.where(a)} says {da.text!r} "
                        f"({da.start}–{da.end}), {ctx.where(b)} says {db.text!r} ({db.start}–{db.end}).")
                return make("date", a, b, min(0.9, pair.score), text,
                            ("date", ctx.story(a), shared_word(a, b, ctx, HAPPENINGS)), date_value(da), date_value(db),
                            a=da.text, b=db.text)
    return None


# Happenings a story has one of, whose day every outlet should give alike: the crash, the
# derailment, the collapse, the verdict (protests, attacks, strikes, eruptions and blasts recur).
ONCE_HAPPENINGS = {"crash", "derail", "collaps", "sank", "sink", "hijack", "verdict"}
# Days apart within which two days given for one such happening are one day misreported; further
# apart, the two sentences are more likely of two happenings (an earlier crash).
SAME_HAPPENING_DAYS = 3


@check("day", scope="corpus")
def day_check(ctx: Context) -> Iterable[Discrepancy]:
    """Two outlets put a happening the story has one of on different days ("killed on Wednesday when
    the plane crashed" against "collided with the college shortly after take-off on Thursday"): claims
    that give one named day (written out, or a weekday within a week of the other) dating the same
    happening, a few days apart at most. An outlet that gives the other's day elsewhere for the same
    happening tells two days of it (the crash, and the day the wreck was found)."""
    dated: dict[str, list[tuple[Claim, object]]] = defaultdict(list)
    for c in sorted(ctx.claims.values(), key=lambda c: c.claim_id):
        if len(c.dates) != 1 or historic(c, ctx):
            continue
        d = c.dates[0]
        if not (d.resolved and d.granularity == "day" and d.start and d.start == d.end):
            continue
        for word in dated_happenings(c.text, d.text, clause=True) & ONCE_HAPPENINGS:
            dated[f"{ctx.story(c)}|{word}"].append((c, d))
    for key in sorted(dated):
        items = dated[key]
        days_of = defaultdict(set)
        for c, d in items:
            days_of[c.source_id].add(d.start)
        for i, (a, da) in enumerate(items):
            for b, db in items[i + 1:]:
                if a.source_id == b.source_id or da.start == db.start \
                        or abs((da.start - db.start).days) > SAME_HAPPENING_DAYS \
                        or not (named_day(da, db) and named_day(db, da)) \
                        or da.start in days_of[b.source_id] or db.start in days_of[a.source_id]:
                    continue
                happening = key.split("|")[-1]
                text = (f"Different days for the same happening: {ctx.where(a)} says {da.text!r} ({da.start}), "
                        f"{ctx.where(b)} says {db.text!r} ({db.start}).")
                yield make("date", a, b, 0.6, text, ("date", ctx.story(a), happening), date_value(da), date_value(db),
                           a=da.text, b=db.text, happening=happening)


def date_value(d) -> str:
    """A date as an answer: its words and the day or span they were read as ("July 11 (2024-07-11)")."""
    span = d.start.isoformat() if d.start == d.end else f"{d.start}–{d.end}"
    return f"{d.text} ({span})"


CLOCK = re.compile(r"(?i)(?P<hedge>\b(?:around|about|approximately|roughly|shortly after|just after|shortly before|"
                   r"just before|some time after|after|before|by)\s+)?\b(?:(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?"
                   r"\s*(?P<ap>[ap])\.?m\b\.?|(?P<h24>[01]\d|2[0-3]):(?P<m24>[0-5]\d)\b)")
_US_ZONES = r"(?:Eastern|Central|Mountain|Pacific)"
ZONE = re.compile(r"\b(?:GMT|UTC|[ECMP][SD]?T|local time|KST|CET|EET|IST)\b|"
                  rf"(?:(?<=[ap]\.m\. )|(?<=[ap]m )|(?<=[ap]\.m\.))\s*{_US_ZONES}\b|"
                  rf"\b{_US_ZONES}(?= (?:standard |daylight )?time\b)")
ZONE_NAMES = {"E": "Eastern", "C": "Central", "M": "Mountain", "P": "Pacific", "UTC": "GMT"}
# Minutes a clock time may be off: "around 9:07" a few minutes, "around 9 am" half an hour, "at 9 am"
# a quarter of an hour (a time given to the hour, unhedged, is rounded at most to it).
CLOCK_SLACK_HEDGED, CLOCK_SLACK_HOUR, CLOCK_SLACK_WHOLE = 3, 30, 15
# Minutes a time said to be just after or before another lies from it ("shortly after 9am": 9:00-9:15),
# and a time said to be after or before it ("after 9am": 9:00-10:00).
CLOCK_SHORTLY, CLOCK_AFTER = 15, 60
# Two times of one happening further apart than this (minutes) are rarely one moment misreported.
CLOCK_SAME_MOMENT = 60


@lru_cache(maxsize=TEXT_CACHE)
def clock_times(text: str) -> tuple[tuple[int, int, int], ...]:
    """(minutes after midnight as said, earliest, latest) of each clock time in a text ("9:07
    a.m.", "8.58 am", "14:02"); a hedge widens it ("around 9:07": 9:04-9:10, "around 9 am": 8:30-9:30,
    "9 am": 8:45-9:15)
    or points it one way ("shortly after 9am": 9:00-9:15, "before 9": 8:00-9:00)."""
    out = []
    for m in CLOCK.finditer(text):
        if m["h24"]:
            minutes = int(m["h24"]) * 60 + int(m["m24"])
        else:
            hour = int(m["h"]) % 12 + (12 if m["ap"].lower() == "p" else 0)
            minutes = hour * 60 + int(m["m"] or 0)
        hedge = " ".join((m["hedge"] or "").lower().split())
        if hedge in ("shortly after", "just after"):
            low, high = minutes, minutes + CLOCK_SHORTLY
        elif hedge in ("after", "some time after"):
            low, high = minutes, minutes + CLOCK_AFTER
        elif hedge in ("shortly before", "just before"):
            low, high = minutes - CLOCK_SHORTLY, minutes - 1  # "just before 12:45" is not 12:45
        elif hedge in ("before", "by"):
            low, high = minutes - CLOCK_AFTER, minutes
        else:
            whole = not (m["m"] or m["m24"])
            slack = (CLOCK_SLACK_HOUR if hedge else CLOCK_SLACK_WHOLE) if whole else CLOCK_SLACK_HEDGED if hedge else 0
            low, high = minutes - slack, minutes + slack
        out.append((minutes, low, high))
    return tuple(out)


# Stems of happenings whose moment a story reports (crashed at 9:03, departed at 1.30 am).
HAPPENINGS = {"crash", "land", "depart", "explod", "explosion", "collaps", "erupt", "strik", "struck", "attack",
              "bomb", "launch", "arriv", "declar", "mayday", "began", "start", "die", "kill", "rescu", "evacu",
              "sank", "sink", "derail", "shot", "shoot", "storm", "raid", "arrest", "announc", "deliver",
              "verdict", "took", "takeoff", "hijack", "fire", "open", "clos", "hit", "happen",
              "call"}  # "police were called at 3.20pm"


# Words for one happening: a plane that collided with a wall or slammed into it crashed.
HAPPENING_SYNONYMS = {"collid": "crash", "collision": "crash", "slamm": "crash", "plung": "crash", "smash": "crash",
                      "crashes": "crash", "crashe": "crash", "explos": "explod", "blast": "explod",
                      "detonat": "explod", "touchdown": "land", "took": "depart", "takeoff": "depart", "target": "strik",
                      "bombard": "strik", "airstrike": "strik",
                      # words for the story's happening itself ("the incident occurred at 19:04")
                      "occurr": "happen", "occur": "happen", "incident": "happen"}


def happenings(text: str) -> frozenset[str]:
    """The happenings a sentence gives a moment of (crash, land, depart …), capitalised or not."""
    text = TAKE_OFF.sub(" takeoff ", text.lower())
    return frozenset(HAPPENING_SYNONYMS.get(w, w) for w in event_words(text)) & HAPPENINGS


# "takes off", "took off", "lifted off", "left port", "pulled away from the pier": a departure (not "took" of
# "took place", nor "left" of "left two dead").
TAKE_OFF = re.compile(r"\b(?:(?:takes|taking|took|take|taken|lifts|lifted|lifting|lift)\s+off|lift-off|liftoff|(?:left|leaves|leaving|leave)\s+(?:the\s+|\w+\s+)?"
                      r"(?:port|pier|dock|harbou?r|airport|station|gate|berth)|(?:pulled|pulls|pulling)\s+"
                      r"(?:away|out)\s+(?:from|of))\b")


def timed_happenings(text: str) -> frozenset[str]:
    """The happenings a sentence's clock time is of: those from the clause the time is in on, when
    that part names any ("warned of a bird strike by the tower, officials said, during its first
    attempt at landing shortly after 9am": the landing, not the warning); else the sentence's."""
    clock = CLOCK.search(text)
    if clock is None:
        return happenings(text)
    cut = max(text.rfind(",", 0, clock.start()), text.rfind(";", 0, clock.start()))
    return happenings(text[cut + 1:]) or happenings(text)


@check("time", scope="corpus")
def time_check(ctx: Context) -> Iterable[Discrepancy]:
    """Two outlets put one moment of the story at different clock times (crashed at 9:07 vs 9:03):
    claims that give one clock time for the same happening (a shared verb or noun of what happened),
    in no different time zone. A hedged or whole-hour time ("around 9:07", "9 am") allows some
    minutes (``CLOCK_SLACK_*``), "shortly after 9am" points one way; times said further apart
    than ``CLOCK_SAME_MOMENT`` are two moments
    (the mayday and the crash). An outlet that gives the other's time elsewhere, for something the
    two sentences share, tells a timeline with one more step, not another time (8:57 the tower's
    warning, 8:59 the mayday)."""
    moments: dict[str, list[tuple[Claim, int, int, int]]] = defaultdict(list)
    timed: dict[str, list[tuple[Claim, int, int, int]]] = defaultdict(list)
    for c in sorted(ctx.claims.values(), key=lambda c: c.claim_id):
        times = clock_times(BRACKETED.sub(" ", c.text))  # "19:02 (18:02 GMT)": one time, converted
        if len(times) == 1 and not historic(c, ctx):
            timed[c.source_id].append((c, *times[0]))
            for word in timed_happenings(c.text):
                moments[f"{ctx.story(c)}|{word}"].append((c, *times[0]))

    def told_by(source_id: str, c: Claim, low: int, high: int) -> bool:
        words = event_words(c.text.lower())
        which = ordinals(c.text)
        return any(lo <= high and low <= hi and hi - lo <= 2 * CLOCK_SLACK_HEDGED and words & event_words(x.text.lower())
                   and (not which or which & ordinals(x.text))
                   for x, _, lo, hi in timed[source_id] if x.claim_id != c.claim_id)

    for word in sorted(moments):
        items = moments[word]
        for i, (a, ma, la, ha) in enumerate(items):
            for b, mb, lb, hb in items[i + 1:]:
                apart = ha < lb or hb < la
                if a.source_id == b.source_id or not apart or abs(ma - mb) > CLOCK_SAME_MOMENT \
                        or zones(a.text) != zones(b.text) \
                        or told_by(b.source_id, a, la, ha) or told_by(a.source_id, b, lb, hb):
                    continue
                fa, fb = (clock_value(x, m) for x, m in ((a, ma), (b, mb)))
                text = (f"Different times for the same moment: {ctx.where(a)} says {fa} ({quote(a.text, 90)}), "
                        f"{ctx.where(b)} says {fb} ({quote(b.text, 90)}).")
                happening = word.split("|")[-1]
                yield make("date", a, b, 0.6, text, ("time", ctx.story(a), happening), fa, fb,
                           a=fa, b=fb, clock=True, happening=happening)


# Words that say which of repeated happenings a sentence times ("its first landing attempt").
ORDINALS = re.compile(r"(?i)\b(first|second|third|initial|final|last)\b")


def ordinals(text: str) -> set[str]:
    """Which of repeated happenings a sentence speaks of ("first", "second", "final"): an outlet
    that times the final landing does not tell the time of the first one."""
    return {m.lower().replace("initial", "first").replace("last", "final") for m in ORDINALS.findall(text)}


BRACKETED = re.compile(r"\([^)]*\)")


def zones(text: str) -> set[str]:
    """The time zones a sentence states its times in, one name for each (EST, EDT, ET and Eastern
    are Eastern time); one in brackets converts the time before it ("shortly after 9am (midnight
    GMT)") and leaves the sentence in local time."""
    found = [z.strip() for z in ZONE.findall(BRACKETED.sub(" ", text))]
    return {ZONE_NAMES.get(z[0], z) if re.fullmatch(r"[ECMP][SD]?T", z) else ZONE_NAMES.get(z, z) for z in found
            if z != "local time"}  # local time is what a time without a zone is in too


def clock_value(c: Claim, minutes: int) -> str:
    """A clock time as an answer, with its hedge ("shortly after 09:00", "09:03")."""
    m = CLOCK.search(c.text)
    hedge = " ".join((m["hedge"] or "").split()).lower() if m else ""
    return f"{hedge} {minutes // 60:02d}:{minutes % 60:02d}".strip()


# Characters around a date in which the words of what it dates are looked for.
DATED_WINDOW = 100
# A date right after a speech verb dates the saying ("said on Tuesday", "told AFP Saturday").
SAID_ON = re.compile(r"(?i)\b(?:said|says|saying|told\s+(?:[\w-]+\s+){1,3}?|announced|stated|added|confirmed)"
                     r"\s+(?:(?:on|late|early)\s+)?\Z")
# A relative clause set off by a comma (", which began on Wednesday"): ``RELATIVE_CLAUSE`` the one a
# date is in (it dates its own noun), ``RELATIVE_ASIDE`` one closed by a comma again (an aside).
_RELATIVE = r",\s*(?:who|which)\b[^,;]*"
RELATIVE_CLAUSE = re.compile(_RELATIVE + r"\Z")
RELATIVE_ASIDE = re.compile(_RELATIVE + ",")


def dated_happenings(text: str, date_text: str, *, clause: bool = False) -> frozenset[str]:
    """What a date in a sentence dates: the words of happenings near it ("the attack, which occurred
    in the early hours of June 22" → attack; "on trial since April 15" → trial, not the verdict
    the sentence mentions elsewhere); none for a date that dates a saying. With ``clause``, only the
    happenings of its own clause, close to it ("climbed to 288 on Saturday" dates the toll, not the
    collision 80 characters before)."""
    at = text.find(date_text)
    end = at + len(date_text)
    if at < 0 or SAID_ON.search(text, 0, at) or SAID_AFTER.match(text, end):
        return frozenset()  # "Trump said Saturday …", "the Railway Board on Sunday said …" date the saying
    if clause:
        start = max(text.rfind(",", 0, at), text.rfind(";", 0, at), at - DAY_WINDOW, -1) + 1
        stops = [i for i in (text.find(",", end), text.find(";", end)) if i >= 0]
        after = text[end:min(stops + [end + DAY_WINDOW])]
        # what follows the day is its happening only when it says so ("on Wednesday when the plane
        # crashed", "Sunday's crash"), not "found the recorder on Monday within 24 hours of the crash"
        return happenings(text[start:at] + (after if DAY_THEN.match(after) else ""))
    near = text[max(0, at - DATED_WINDOW):at + len(date_text) + DATED_WINDOW].lower()
    relative = RELATIVE_CLAUSE.search(text, 0, at)
    if relative:
        # "after 9.5 hours of deliberations, which began on Wednesday" dates the deliberations, not
        # the verdict before them; "the attack, which occurred on June 22, saw jets strike" dates
        # the attack and what the main clause goes on to say of it.
        near = ((text[:relative.start()].split() or [""])[-1] + " "
                + text[relative.start():at + len(date_text) + DATED_WINDOW]).lower()
    return frozenset(HAPPENING_SYNONYMS.get(w, w) for w in event_words(near)) & (HAPPENINGS | EVENT_VERBS | EVENT_NOUNS)


# Characters either side of a day, within its clause, in which the happening it dates is looked for.
DAY_WINDOW = 60
# Words right after a day that go on to the happening it dates: "on Wednesday when …", "Sunday's crash".
DAY_THEN = re.compile(r"(?i)(?:['’]s\b|\s+(?:(?:night|morning|evening|afternoon)\s+)?(?:when|as|while)\b)")
# A day right before a speech verb dates the saying ("the Railway Board on Sunday said").
SAID_AFTER = re.compile(r"(?i)\s*(?:(?:night|morning|evening|afternoon)\s+)?(?:said|says|announced|stated|told|confirmed)\b")


# A date written out (a month or a year), not one resolved from "today" or "on Tuesday" against
# each article's own publication date, which differ by a day between outlets.
EXPLICIT_DATE = re.compile(r"\b(1[89]\d\d|20\d\d|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)", re.I)
# A day named by its weekday ("on Sunday night") is read as the last such day before its article;
# against another date within a week of it, two days of one happening ("the dams collapsed on
# Sunday night" / "on Monday"). Further apart, the weekday is more likely of another happening.
WEEKDAY_DATE = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
WEEKDAY_REACH = timedelta(days=7)


def named_day(d, other) -> bool:
    """A date written out, or named by its weekday within a week of the ``other`` date it is
    compared with; never "today" or "yesterday" (a day off between outlets' time zones)."""
    if EXPLICIT_DATE.search(d.text):
        return True
    return bool(WEEKDAY_DATE.search(d.text) and d.start and other.start and other.end
                and other.start - WEEKDAY_REACH <= d.start <= other.end + WEEKDAY_REACH)


IDENTIFIER = re.compile(
    r"\b(flight|case|law|bill|resolution|decree|article|route|bus|train|vessel|tail number|imo|"
    r"registration|registered|no\.?|number)\s*(?:no\.?|number|#)?\s*(?:(?:is|was|:)\s+)?"
    r"((?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{1,11})\b", re.I)
# Words for one kind of identifier: a jet "registered N709PS" has the registration N709PS.
IDENTIFIER_KINDS = {"registered": "registration", "tail number": "registration", "no": "number"}


# A train's number written with its name (general knowledge of how railways name trains): "12864
# Bengaluru-Howrah Superfast Express", "Bengaluru-Howrah Superfast Express (12862)".
TRAIN_NUMBER = re.compile(r"\b(\d{4,5})\s+(?:[A-Z][\w-]*\s+){0,4}(?:Express|Mail|Superfast|Passenger)\b|"
                          r"\b(?:Express|Mail|Superfast)\s*\((\d{4,5})\)")


@lru_cache(maxsize=TEXT_CACHE)
def identifiers(text: str) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for m in IDENTIFIER.finditer(text):
        kind = m.group(1).lower().rstrip(".")
        found[IDENTIFIER_KINDS.get(kind, kind)].add(m.group(2).replace(" ", "").upper())
    for m in TRAIN_NUMBER.finditer(text):
        found["train"].add(m.group(1) or m.group(2))
    return {k: frozenset(v) for k, v in found.items()}


def canonical_id(value: str) -> str:
    return re.sub(r"[-/ ]", "", value.upper())


def same_identifier(x: str, y: str) -> bool:
    """One identifier written two ways: with or without its prefix (flight 7C2216 / 2216, XY-1234 /
    1234), with or without a dash."""
    x, y = canonical_id(x), canonical_id(y)
    short, long_ = sorted((x, y), key=len)
    return x == y or (len(short) >= 3 and long_.endswith(short) and not long_[:-len(short)][-1:].isdigit())


def transposed(x: str, y: str) -> bool:
    """Two neighbouring characters swapped (1234 / 1243, N709PS / N709SP): a likely typo."""
    x, y = canonical_id(x), canonical_id(y)
    n = min(len(x), len(y))
    x, y = x[-n:], y[-n:]  # XY-1234 / 1243: the number after the prefix
    diff = [i for i, (p, q) in enumerate(zip(x, y)) if p != q]
    return n >= 3 and len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] \
        and x[diff[1]] == y[diff[0]]


@check("identifier")
def identifier_check(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """Flight, case or law numbers that differ for the same thing (flight 1492 vs 1942); a prefix
    alone (flight 7C2216 vs 2216) is no difference."""
    ia, ib = identifiers(a.text), identifiers(b.text)
    for kind in ia.keys() & ib.keys():
        if any(same_identifier(x, y) for x in ia[kind] for y in ib[kind]):
            continue
        near = any(near_identifiers(x, y) for x in ia[kind] for y in ib[kind])
        if not near and pair.cosine < FAR_IDENTIFIER_COSINE:
            continue  # two numbers far apart in two sentences that differ: two trains, two flights
        va, vb = next(((x, y) for x in sorted(ia[kind]) for y in sorted(ib[kind]) if near_identifiers(x, y)),
                      (sorted(ia[kind])[0], sorted(ib[kind])[0]))  # the two numbers that are one misreported
        swap = next(((x, y) for x in ia[kind] for y in ib[kind] if transposed(x, y)), None)
        if swap:
            va, vb = swap
        why = " The two differ by two swapped characters: likely a typo in one of them." if swap else ""
        text = (f"Different {kind} numbers: {ctx.where(a)} gives {kind} {va}, "
                f"{ctx.where(b)} gives {kind} {vb}.{why}")
        return make("identifier", a, b, min(0.9, pair.score + 0.1), text, ("identifier", ctx.story(a), kind),
                    f"{kind} {va}", f"{kind} {vb}", a=va, b=vb, transposed=bool(swap))
    return None


@check("identifier_typo", scope="corpus")
def identifier_typo_check(ctx: Context) -> Iterable[Discrepancy]:
    """Two outlets of one story give one kind of identifier (IMO 9697428 / 9697248, registration
    N709PS / N709SP, train 12862 / 12864) one slip apart: a likely typo, whether or not the two
    sentences align (a story may hold two flights, but not two numbers one slip apart)."""
    given: dict[tuple[str, str], list[tuple[Claim, str]]] = defaultdict(list)
    for c in sorted(ctx.claims.values(), key=lambda c: c.claim_id):
        for kind, values in identifiers(c.text).items():
            for v in sorted(values):
                given[(ctx.story(c), kind)].append((c, v))
    for (story, kind), items in sorted(given.items()):
        for i, (a, va) in enumerate(items):
            b, vb = next(((b, vb) for b, vb in items[i + 1:] if b.source_id != a.source_id and one_slip(va, vb)
                          and not same_identifier(va, vb)), (None, ""))
            if b is None:
                continue
            swap = transposed(va, vb)
            how = "two swapped characters" if swap else "one character"
            text = (f"Different {kind} numbers: {ctx.where(a)} gives {kind} {va}, {ctx.where(b)} gives {kind} {vb}. "
                    f"The two differ by {how}: likely a typo in one of them.")
            yield make("identifier", a, b, 0.8, text, ("identifier", story, kind), f"{kind} {va}", f"{kind} {vb}",
                       a=va, b=vb, transposed=swap, slip=not swap)


# Cosine two sentences must reach for identifiers far apart in them to be one thing's.
FAR_IDENTIFIER_COSINE = 0.9


def near_identifiers(x: str, y: str) -> bool:
    """Two identifiers a slip apart, the way a number is misreported rather than another number:
    two neighbours swapped (1492 / 1942, 45/2020 / 54/2020, XY-1234 / 1243) or one character of
    four or more changed (12862 / 12864; not 12841 / 12864, two trains)."""
    if transposed(x, y):
        return True
    x, y = canonical_id(x), canonical_id(y)
    n = min(len(x), len(y))
    return n >= 4 and sum(p != q for p, q in zip(x[-n:], y[-n:])) == 1


# Identifiers shorter than this are not called typos of each other for one differing character.
SLIP_MIN_LENGTH = 5


def one_slip(x: str, y: str) -> bool:
    """Two swapped neighbours (1234 / 1243), or one character of a long identifier (12862 / 12864)."""
    return transposed(x, y) or (len(canonical_id(x)) == len(canonical_id(y)) >= SLIP_MIN_LENGTH and near_identifiers(x, y))


STOPWORDS = set("""about after again against also among been before being between both could during
each from have having into more most other over said says same some such than that their them then
there these they this those through under until very were what when where which while will with would
while whose which without within upon onto because""".split())
# Words of the attribution frame itself, which say nothing about which event it is.
FRAME_WORDS = {"attribut", "caus", "blam", "responsibl", "suspect", "claim", "said", "say", "accord",
               "accus", "deni", "natural", "report"}


def stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ings", "ing", "ied", "ies", "ed", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


@lru_cache(maxsize=TEXT_CACHE)
def event_words(text: str) -> frozenset[str]:
    """Common-noun and verb stems of a text (crashed → crash, deaths → death); names, which say who
    rather than what happened, and the attribution frame's own words are left out."""
    words = re.findall(r"\b[a-z]{4,}\b", text)
    return frozenset({stem(w) for w in words if w not in STOPWORDS} - FRAME_WORDS)


def same_event(a: Claim, b: Claim, ctx: "Context") -> bool:
    """The sentences of two claims share a word of what happened besides their frame (crash …
    crashed, death … deaths; ``HAPPENINGS``, ``EVENT_VERBS``, ``EVENT_NOUNS``): a split-out clause
    ("the jet was hit by fire") still belongs to its sentence's event. Sharing only a word of the
    setting ("nuclear", "sites") is two statements about one story, not two accounts of one event."""
    shared = event_words(ctx.sentence(a)) & event_words(ctx.sentence(b))
    return bool({HAPPENING_SYNONYMS.get(w, w) for w in shared} & (HAPPENINGS | EVENT_VERBS | EVENT_NOUNS))


# Stances that put forward a party's own version of events.
ACCOUNT_STANCES = {"claims", "denies", "suspects", "blames", "attributes"}


def is_account(c: Claim) -> bool:
    """A party's version of why or how something happened."""
    return c.frame == "cause" or c.stance in ACCOUNT_STANCES


# same_account_ratio: two accounts whose contents overlap this much (token-set ratio, 0..1) say
# the same thing.
@check("attribution_conflict", pairs="events", options={"same_account_ratio": 0.8})
def attribution_check(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """Two parties giving different accounts of one event (bird strike vs air-defence fire)."""
    if not (a.party and b.party) or a.party == b.party:
        return None
    same_sentence = a.source_id == b.source_id and a.char_start == b.char_start
    causal = a.frame == "cause" or b.frame == "cause"
    if not (same_sentence or (causal and is_account(a) and is_account(b) and same_event(a, b, ctx))):
        return None
    content_similarity = fuzz.token_set_ratio(a.content, b.content, processor=utils.default_process) / 100
    if content_similarity > ctx.option("attribution_conflict", "same_account_ratio"):
        return None  # the parties agree
    text = (f"Conflicting accounts of one event: {a.party}'s version in {ctx.where(a)}: {quote(a.text)}; "
            f"{b.party}'s version in {ctx.where(b)}: {quote(b.text)}.")
    return make("attribution_conflict", a, b, min(0.95, 0.5 + pair.score), text,
                ("cause", ctx.story(a), shared_word(a, b, ctx, HAPPENINGS)), f"{a.party}'s account",
                f"{b.party}'s account",
                party_a=a.party, party_b=b.party)


@check("vehicle", scope="corpus")
def vehicle_check(ctx: Context) -> Iterable[Discrepancy]:
    """Outlets of one story name different kinds of vehicle driven into people (a van in one, a
    pickup truck in another), or different makes of it (a Mercedes against a BMW): the vehicle of a
    ramming, not the others a story mentions."""
    for part, what in ((0, "vehicle"), (1, "vehicle make")):
        for story, (ka, ca), (kb, cb) in rival_answers(ctx, lambda c: rammed(c.text)[part]):
            a, b = ca[0], cb[0]
            text = (f"Different {'vehicles' if part == 0 else 'makes of the vehicle'}: {ctx.where(a)} says "
                    f"{'a ' if part == 0 else ''}{ka} ({quote(a.text, 100)}); {ctx.where(b)} says "
                    f"{'a ' if part == 0 else ''}{kb} ({quote(b.text, 100)}).")
            question = ("vehicle", story) if part == 0 else ("vehicle", story, "make")
            yield make("identifier", a, b, 0.7, text, question, ka, kb,
                       claims_a=sorted(c.claim_id for c in ca), claims_b=sorted(c.claim_id for c in cb))


@check("aircraft", scope="corpus")
def aircraft_check(ctx: Context) -> Iterable[Discrepancy]:
    """Outlets of one story name different airliner types for its plane (an Embraer ERJ-145 against
    a Bombardier CRJ-700); a story whose outlets name two types each (two planes) is left alone."""
    for story, (ka, ca), (kb, cb) in rival_answers(ctx, lambda c: airliner(c.text)):
        a, b = ca[0], cb[0]
        text = (f"Different aircraft types: {ctx.where(a)} says {ka} ({quote(a.text, 100)}); "
                f"{ctx.where(b)} says {kb} ({quote(b.text, 100)}).")
        yield make("identifier", a, b, 0.7, text, ("aircraft", story), ka, kb,
                   claims_a=sorted(c.claim_id for c in ca), claims_b=sorted(c.claim_id for c in cb))


def rival_answers(ctx: Context, answer_of: Callable[[Claim], str]) -> Iterator[tuple[str, tuple, tuple]]:
    """For a question a story has one answer to, read off each claim by ``answer_of`` (what became
    of the suspect, which vehicle was driven into the crowd; "" when the claim gives none): per
    story with two answers or more, the two best supported (by outlets), each with its claims,
    unless the same outlets give both. Figures of the past are no answer."""
    said: dict[str, dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for story, claims in story_claims(ctx).items():
        for c in claims:
            if (value := answer_of(c)) and not historic(c, ctx):
                said[story][value].append(c)
    for story, answers in sorted(said.items()):
        if len(answers) < 2:
            continue
        (va, ca), (vb, cb) = sorted(answers.items(), key=lambda x: (-len({c.source_id for c in x[1]}), x[0]))[:2]
        if {c.source_id for c in ca} != {c.source_id for c in cb}:
            yield story, (va, ca), (vb, cb)


# A denial of a statement, not of a request ("denied that anyone had been taken hostage", "denied
# having sex with her"; not "the judge denied the motion").
DENIAL = re.compile(r"(?i)\b(?:den(?:y|ies|ied|ying)|rejected\s+(?:claims|reports)|dismissed\s+(?:claims|reports))\s+"
                    r"(?:that|having|being|any|reports?|claims?|allegations?)\b")
# Content words a denial and an assertion must share to be about one thing: longer than this.
DENIED_WORD_LENGTH = 5


def denied_words(c: Claim) -> frozenset[str]:
    """The content words of what a claim asserts or denies, its frame and setting left out."""
    return frozenset(w for w in event_words(c.content.lower()) if len(w) >= DENIED_WORD_LENGTH) - NOT_HAPPENINGS


# Things a denial is often of that are no verb of what happened: hostages, torture, contacts.
DENIABLE = {"hostag", "tortur", "contact", "affair", "involvement", "involv", "responsibl", "presenc", "existenc"}


@check("denial", scope="corpus")
def denial_check(ctx: Context) -> Iterable[Discrepancy]:
    """One speaker denies what another reports ("a Telegram channel reported that about 40 people
    were held hostage" against "the interior ministry denied that anyone had been taken hostage"):
    a denial of a statement and an attributed assertion of the same story, by different speakers,
    whose contents share a word of what happened."""
    claims = sorted(ctx.claims.values(), key=lambda c: c.claim_id)
    denials = [c for c in claims if c.speaker and c.stance == "denies" and DENIAL.search(c.text)]
    for d in denials:
        words = denied_words(d) & (HAPPENINGS | EVENT_VERBS | EVENT_NOUNS | DENIABLE)
        if not words:
            continue
        told = next((a for a in claims if a.speaker and a.stance in ("asserts", "claims") and ctx.story(a) == ctx.story(d)
                     and fold(a.speaker).lower() != fold(d.speaker).lower() and not NEGATION.search(a.content)
                     and words & denied_words(a) and not historic(a, ctx)), None)
        if told is None:
            continue
        text = (f"A denial: {d.speaker} ({ctx.where(d)}) denies {quote(d.content, 100)}, which {told.speaker} "
                f"({ctx.where(told)}) reports: {quote(told.text, 110)}.")
        yield make("polarity", told, d, 0.7, text, ("polarity", ctx.story(d), min(words & denied_words(told))),
                   f"{told.speaker}: it happened", f"{d.speaker}: it did not")


# How badly something was hit, in the words of an account (general knowledge): an account that
# calls it obliterated and one that calls the damage minimal cannot both be right.
DAMAGE_HIGH = re.compile(r"(?i)\b(?:obliterat\w*|decimat\w*|devastat\w*|(?:completely|totally|entirely|fully)\s+"
                         r"(?:destroyed|wiped out|flattened)|(?:extremely\s+)?severe(?:ly)?\s+(?:damage\w*|destr\w*)|"
                         r"heavily\s+damaged|wiped\s+out|razed)\b")
DAMAGE_LOW = re.compile(r"(?i)\b(?:(?:only\s+)?(?:minimal|minor|superficial|slight|limited|light|partial|"
                        r"surface(?:-level)?)\s+(?:\w+\s+)?(?:damage|harm)|not\s+(?:been\s+)?(?:seriously|badly|"
                        r"significantly)\s+(?:damaged|harmed|hit)|(?:remain\w*|left|was|were|is|are)\s+intact|"
                        r"(?:undamaged|unharmed|unscathed)|no\s+(?:serious\s+|significant\s+)?damage)\b")


def damage_level(c: Claim) -> str:
    """ "high" or "low" when the claim says how badly something was hit, else "" (both: "")."""
    return _damage_level(c.text)


@lru_cache(maxsize=TEXT_CACHE)
def _damage_level(text: str) -> str:
    high, low = bool(DAMAGE_HIGH.search(text)), bool(DAMAGE_LOW.search(text))
    return "high" if high and not low else "low" if low and not high else ""


@check("damage", pairs="events")
def damage_check(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """Two accounts of one event that disagree on how badly it hit ("completely and totally
    obliterated" against "only minimal surface-level damage"): from different sources, each
    attributed to someone, and not the same party."""
    la, lb = damage_level(a), damage_level(b)
    if not la or not lb or la == lb or a.source_id == b.source_id:
        return None
    if not ((a.party or a.speaker) and (b.party or b.speaker)) or (a.party and a.party == b.party):
        return None
    hi, lo = (a, b) if la == "high" else (b, a)
    who = lambda c: c.party or c.speaker  # noqa: E731
    text = (f"Conflicting accounts of the damage: {who(hi)} in {ctx.where(hi)} says {quote(hi.text)}; "
            f"{who(lo)} in {ctx.where(lo)} says {quote(lo.text)}.")
    kind = "attribution_conflict" if a.party and b.party else "polarity"
    return make(kind, a, b, min(0.9, 0.4 + pair.score), text, ("damage", ctx.story(a)),
                "severe" if la == "high" else "minimal", "severe" if lb == "high" else "minimal",
                party_a=a.party, party_b=b.party)


# Who an attack's suspect is spoken of (general knowledge of news copy): the perpetrator's nouns.
SUSPECT_NOUNS = r"(?:suspect(?:ed\s+(?:attacker|gunman|shooter|bomber))?|attacker|gunman|shooter|assailant|perpetrator|bomber|hijacker|driver)"
_SUSPECT = rf"(?:the|a|an)\s+(?:lone\s+|alleged\s+|armed\s+|\d+-year-old\s+)?{SUSPECT_NOUNS}"
_FORCES = r"(?:police|officers|troops|soldiers|security\s+forces|agents|deputies|guards)"
_KILLED = r"(?:killed|shot\s+dead|shot\s+and\s+killed|fatally\s+shot|gunned\s+down|neutrali[sz]ed)"
_HELD = r"(?:arrested|apprehended|detained|captured|taken\s+into\s+custody|in\s+custody|subdued|overpowered)"
FATE = {
    "killed": re.compile(rf"(?i)\b{_SUSPECT}\s+(?:was|had\s+been|has\s+been|is)\s+(?:\w+\s+)?{_KILLED}|"
                         rf"\b{_SUSPECT}\s+died\b|\b{_FORCES}\b[^.;]{{0,50}}?\b{_KILLED}\s+(?:him|{_SUSPECT})\b"),
    "held": re.compile(rf"(?i)\b{_SUSPECT}\s+(?:was|had\s+been|has\s+been|is|remains)\s+(?:\w+\s+)?{_HELD}|"
                       rf"\b{_FORCES}\b[^.;]{{0,50}}?\b{_HELD}\s+(?:him|{_SUSPECT})\b"),
}
# Words that make a sentence about another suspect than the one (a second suspect, accomplices).
OTHER_SUSPECT = re.compile(r"(?i)\b(?:second|another|other|two|three|several|more|accomplices?|associates?)\s+"
                           r"(?:\w+\s+)?(?:suspects?|attackers?|gunmen|people|men)\b")


def fate(c: Claim) -> str:
    """What a claim says became of the attack's suspect: "killed", "held" or "" (neither, both,
    negated, or another suspect than the one)."""
    if NEGATION.search(c.text) or OTHER_SUSPECT.search(c.text):
        return ""
    said = {name for name, pattern in FATE.items() if pattern.search(c.text)}
    return said.pop() if len(said) == 1 else ""


@check("fate", scope="corpus")
def fate_check(ctx: Context) -> Iterable[Discrepancy]:
    """Outlets of one story disagree on what became of the suspect: killed by the police in one,
    arrested in another ("returned fire and killed him" against "police apprehended him")."""
    for story, (va, ca), (vb, cb) in rival_answers(ctx, fate):
        a, b = ca[0], cb[0]
        text = (f"What became of the suspect: {ctx.where(a)} says {va} ({quote(a.text, 100)}); "
                f"{ctx.where(b)} says {vb} ({quote(b.text, 100)}).")
        yield make("polarity", a, b, 0.7, text, ("fate", story, "suspect"), va, vb,
                   claims_a=sorted(c.claim_id for c in ca), claims_b=sorted(c.claim_id for c in cb))


# Offices one person holds at a time in a government (general knowledge), written before a name:
# "Defense Secretary Pete Hegseth", "Interior Minister …", "Secretary of State …".
OFFICE = re.compile(r"\b(?P<country>(?:[A-Z][a-z]+|U\.?S\.?|UK)\s+)?(?P<office>(?:(?:Defen[cs]e|Foreign|Interior|Health|"
                    r"Finance|Justice|Home|Energy|Transport|Treasury|Education|Economy|Trade)\s+(?:Secretary|Minister))|"
                    r"Prime\s+Minister|Attorney\s+General|Secretary\s+of\s+(?:State|Defen[cs]e|the\s+Treasury))\s+$")


def office_holders(c: Claim) -> list[tuple[str, str, str, str]]:
    """(office, country, person key, name as written) for each person a claim names after an
    office ("US Defense Secretary Pete Hegseth": defense secretary, United States)."""
    out = []
    for e in c.entities:
        at = c.text.find(e.text)
        if e.label != "PERSON" or at < 0 or not e.key.startswith("person:"):
            continue
        m = OFFICE.search(c.text, max(0, at - 60), at)
        if m is None:
            continue
        office = " ".join(m["office"].lower().replace("defence", "defense").split())
        office = {"secretary of defense": "defense secretary", "secretary of state": "secretary of state"}.get(office, office)
        out.append((office, party_of(m["country"] or ""), e.key, e.text))
    return out


@check("role", scope="corpus")
def role_check(ctx: Context) -> Iterable[Discrepancy]:
    """Two outlets of one story name different people to one office ("Defense Secretary Patrick
    Shanahan" against "Defense Secretary Pete Hegseth"): the same office of the same country (or
    of none said), people who are not one name spelled two ways, and no article of the story that
    names both to it (then the story has two holders: two countries' foreign ministers)."""
    named: dict[tuple[str, str], dict[str, list[tuple[Claim, str, str]]]] = defaultdict(lambda: defaultdict(list))
    for c in sorted(ctx.claims.values(), key=lambda c: c.claim_id):
        for office, country, key, name in office_holders(c):
            named[(ctx.story(c), office)][key].append((c, country, name))
    for (story, office), holders in sorted(named.items()):
        keys = sorted(holders)
        for i, x in enumerate(keys):
            for y in keys[i + 1:]:
                ax, by = holders[x], holders[y]
                if {c.source_id for c, _, _ in ax} & {c.source_id for c, _, _ in by}:
                    continue  # one article names both to the office: two holders
                if {k for _, k, _ in ax} - {""} and {k for _, k, _ in by} - {""} \
                        and not ({k for _, k, _ in ax} & {k for _, k, _ in by}):
                    continue  # two countries' ministers
                if spelling_variant(x.split(":")[1].split("|")[0], y.split(":")[1].split("|")[0]) != "different":
                    continue  # one name spelled two ways: the name-variant check's
                (a, _, na), (b, _, nb) = ax[0], by[0]
                text = (f"Different people named {office}: {ctx.where(a)} names {na} ({quote(a.text, 100)}); "
                        f"{ctx.where(b)} names {nb} ({quote(b.text, 100)}).")
                yield make("actor", a, b, 0.7, text, ("role", story, office), na, nb,
                           claims_a=sorted(c.claim_id for c, _, _ in ax), claims_b=sorted(c.claim_id for c, _, _ in by))


# A person's age as news writes it, next to the name: "Miguel Luna, 49;", "Lobach, 29, was",
# "35-year-old Alejandro Hernandez Fuentes", "Sam Lilley, the flight's 28-year-old first officer".
_AGE_NAME = (r"(?P<name>(?<![\w-])[A-Z][\w'’.-]*(?:\s+(?:(?:al|el|de|da|del|van|von|bin|ibn)\s+)?"
             r"(?:(?:al|el)-)?[A-Z][\w'’-]*){0,4})")
AGE_AFTER = re.compile(_AGE_NAME + AGE_AFTER_NAME)
AGE_APPOSED = re.compile(_AGE_NAME + r"[,:]\s+(?:[Aa]|[Aa]n|[Tt]he)\s+(?:[\w'’-]+\s+){0,3}?(?P<age>\d{1,3})-year-old\b")
# "55-year-old captain Sumeet Sabharwal": a rank or post between the age and the name
_TITLE_WORDS = r"(?:(?i:" + "|".join(sorted(TITLES - {"the"}, key=len, reverse=True)) + r")\.?\s+){0,2}"
AGE_BEFORE = re.compile(AGE_BEFORE_NAME + _TITLE_WORDS + _AGE_NAME)
# Words that begin a capitalised run but name no one ("On Friday, 13", "In March, 40").
NOT_A_NAME = re.compile(r"(?i)^(?:on|in|at|by|since|until|from|the|and|but|among|figure|skaters?|"
                        r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
                        r"april|may|june|july|august|september|october|november|december)$")
# Ages one apart in reports this many days apart may straddle a birthday.
AGE_BIRTHDAY_DAYS = 30


# An age given by its decade: "Ramesh, who is in his late 30s", "Smith, in her early 60s,".
AGE_DECADE = re.compile(_AGE_NAME + r",\s+(?:who\s+(?:is|was)\s+|aged\s+)?in\s+(?:(?:his|her|their)\s+)?"
                        r"(?P<when>early|mid|late)[\s-]*(?P<decade>[1-9])0s\b")
DECADE_PARTS = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}


def aged_people(c: Claim, places: frozenset[str]) -> list[tuple[tuple[str, ...], str, tuple[int, int, str]]]:
    """(name words, name as written, (youngest, oldest, as written)) of each person a claim gives an
    age next to the name ("Miguel Luna, 49": 49 to 49; "Ramesh, who is in late 30s": 37 to 39).
    A run of capitals that is a place the story's tagger knows ("Lilburn, Georgia") is no one."""
    out = []
    for pattern in (AGE_AFTER, AGE_APPOSED, AGE_BEFORE, AGE_DECADE):
        for m in pattern.finditer(c.text):
            words = m["name"].split()
            while words and NOT_A_NAME.match(words[0].strip(".,")):
                words = words[1:]
            name = " ".join(person_parts(" ".join(words)))  # "Capt. Rebecca Lobach": Rebecca Lobach
            parts = name_words(name)
            if pattern is AGE_DECADE:
                first, last = DECADE_PARTS[m["when"].lower()]
                age = (int(m["decade"]) * 10 + first, int(m["decade"]) * 10 + last, f"{m['when'].lower()} {m['decade']}0s")
            else:
                age = (int(m["age"]), int(m["age"]), m["age"])
            if not parts or not 0 < age[0] < 120 or name.lower() in places or party_of(name):
                continue
            if pattern is AGE_BEFORE and len(parts) < 2:
                continue  # "50-year-old Saudi-born psychiatrist": no name
            out.append((parts, name, age))
    return out


@check("age", scope="corpus")
def age_check(ctx: Context) -> Iterable[Discrepancy]:
    """Outlets of one story give one person two ages (Miguel Luna 40 in one, 49 in another). Full
    names meet when they are one person's (``names.same_person``); a bare family name ("Lobach,
    29") joins the one full name of the story it ends. Ages a year apart in reports a month or
    more apart may straddle a birthday; an article giving one person two ages is left alone (two
    people of one name, more likely than an article contradicting itself)."""
    for story, claims in sorted(story_claims(ctx).items()):
        places = frozenset(e.text.lower() for c in claims for e in c.entities
                           if e.label in ("GPE", "LOC", "FAC", "NORP"))
        places -= {w for c in claims for e in c.entities if e.label == "PERSON" for w in
                   [e.text.lower(), *name_words(e.text)]}  # "Lobach" tagged a place once, a person's name elsewhere
        mentions = [(parts, name, age, c) for c in claims for parts, name, age in aged_people(c, places)]
        full = [m for m in mentions if len(m[0]) >= 2]
        groups: list[list] = []
        for m in full:
            home = next((g for g in groups if any(same_person(m[0], o[0]) for o in g)), None)
            (home.append(m) if home is not None else groups.append([m]))
        for m in mentions:
            if len(m[0]) == 1:
                homes = [g for g in groups if any(o[0][-1] == m[0][0] for o in g)]
                if len(homes) == 1:
                    homes[0].append(m)
        for group in groups:
            yield from _age_conflicts(story, group, ctx)


def close_in_time(a: Claim, b: Claim, ctx: Context) -> bool:
    """Two claims' articles were published within ``AGE_BIRTHDAY_DAYS`` of each other (or a date is unknown)."""
    x, y = ctx.sources[a.source_id].published, ctx.sources[b.source_id].published
    return not (x and y) or abs((x - y).days) < AGE_BIRTHDAY_DAYS


def story_claims(ctx: Context) -> dict[str, list[Claim]]:
    """The claims of each story, in a stable order."""
    out: dict[str, list[Claim]] = defaultdict(list)
    for c in sorted(ctx.claims.values(), key=lambda c: c.claim_id):
        out[ctx.story(c)].append(c)
    return out


def _age_conflicts(story: str, group: list, ctx: Context) -> Iterable[Discrepancy]:
    by_age: dict[tuple[int, int, str], list] = defaultdict(list)
    for m in group:
        by_age[m[2]].append(m)
    if len(by_age) < 2:
        return
    names = Counter(m[1] for m in group if len(m[0]) >= 2)
    person = max(names, key=lambda n: (names[n], -len(n), n))
    key = "|".join(name_words(person))
    ages = sorted(by_age)
    for i, x in enumerate(ages):
        for y in ages[i + 1:]:
            ax, by = by_age[x], by_age[y]
            if {m[3].source_id for m in ax} & {m[3].source_id for m in by} or y[0] <= x[1]:
                continue  # one article's two ages; or two that agree ("late 30s" and 38)
            if y[0] - x[1] == 1:  # only reports close in time: a birthday may lie between the others
                ax, by = ([m for m in ms if any(close_in_time(m[3], o[3], ctx) for o in others)]
                          for ms, others in ((ax, by), (by, ax)))
                if not ax:
                    continue
            a, b = ax[0][3], by[0][3]
            text = (f"Different ages for {person}: {x[2]} according to {ctx.where(a)} ({quote(a.text, 90)}); "
                    f"{y[2]} according to {ctx.where(b)} ({quote(b.text, 90)}).")
            yield make("quantity", a, b, 0.8, text, ("age", story, key), x[2], y[2], person=person,
                       claims_a=sorted({m[3].claim_id for m in ax}), claims_b=sorted({m[3].claim_id for m in by}))


ACTORS = re.compile(
    r"\b((?i:(?:domestic |foreign |military |state )?(?:intelligence|security) (?:service|agency|forces)|"
    r"special forces|riot police|police|army|military|troops|soldiers|militia|militants|rebels|"
    r"insurgents|border guards|national guard|coast guard)|"
    r"(?:[A-Z][a-z]+ )?(?:Ministry|ministry) of [A-Z][a-z]+|FSB|KGB|CIA|FBI|ICE)\b")
# Kinds of one actor: riot police are police.
ACTOR_FAMILY = {"riot police": "police", "troops": "military", "soldiers": "military", "army": "military",
                "militants": "militia"}
# Stems of the actions whose doer matters (who raided, arrested, struck, shot …).
EVENT_VERBS = {"raid", "arrest", "detain", "strik", "struck", "shot", "shoot", "kill", "attack", "bomb",
               "storm", "seiz", "fire", "launch", "invad", "abduct", "kidnap", "beat", "tortur",
               "search", "round", "captur", "execut", "hack", "shell", "carri"}


# Words before a body that make it the employer, target or victim of the action, not its doer:
# "two staff of the security agency", "an attack on police", "clashes with the army".
NOT_DOER_BEFORE = re.compile(r"(?i)\b(?:of|for|from|at|against|on|with|to|toward|towards|targeting|"
                             r"employed by|working for)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+|two\s+|several\s+)?"
                             r"(?:[\w-]+\s+)?$")
# An action verb just before a body makes it the object: "attacked soldiers", "killed three police officers".
OBJECT_BEFORE = re.compile(r"(?i)\b(?:\w+(?:ed|ing)|shot|struck|hit|beat|held|seized)\s+(?:the\s+|a\s+|an\s+|"
                           r"\w+\s+)?(?:\d+\s+|two\s+|three\s+|four\s+|five\s+|several\s+|dozens\s+of\s+)?$")


# Characters after a body in which its action must follow for it to be the doer ("police raided",
# "security forces have detained"), unless it is the agent of a passive ("a raid by the police").
DOER_WINDOW = 40


@lru_cache(maxsize=TEXT_CACHE)
def actors(text: str) -> frozenset[str]:
    """The bodies a text names as doers of its action; a body that is the employer, target or
    victim ("police detained two staff of the security agency") is not one."""
    found = set()
    for m in ACTORS.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        agent = re.search(r"(?i)\bby\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", before)
        if NOT_DOER_BEFORE.search(before) or (OBJECT_BEFORE.search(before) and not agent):
            continue
        after = re.findall(r"[a-z]{3,}", text[m.end():m.end() + DOER_WINDOW].lower())
        if not agent and not any(stem(w) in EVENT_VERBS or w in EVENT_VERBS for w in after):
            continue  # "military in the streets", "the FBI reported", "a former Army soldier": no doer
        found.add(re.sub(r"^(domestic|foreign|military|state) ", "", m.group(1).lower()))
    return frozenset(ACTOR_FAMILY.get(a, a) for a in found)


@check("actor", pairs="events")
def actor_check(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """Who did it differs for one event (police vs the intelligence service)."""
    if a.source_id == b.source_id or not (event_words(a.text) & event_words(b.text) & EVENT_VERBS):
        return None
    xa, xb = actors(a.text), actors(b.text)
    if xa and xb and xa.isdisjoint(xb):
        va, vb = ", ".join(sorted(xa)), ", ".join(sorted(xb))
        text = (f"Different actors for the same event: {ctx.where(a)} names the {va}; "
                f"{ctx.where(b)} names the {vb}.")
        return make("actor", a, b, min(0.85, pair.score), text, ("actor", ctx.story(a), shared_word(a, b, ctx, EVENT_VERBS)),
                    va, vb, a=va, b=vb)
    return None


NEGATION = re.compile(r"\b(?:not|never|no longer|no(?!\.)|nobody|nothing|none|neither|nor|denied|\w+n[’']t)\b", re.I)


# Without its negation, one claim must read as the other (token-sort ratio, 0..100).
POLARITY_SAME_RATIO = 92


# min_cosine: only near-paraphrases can contradict by negation.
@check("polarity", options={"min_cosine": 0.75})
def polarity_check(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """Did vs did not: one claim negates what its near-paraphrase asserts."""
    if pair.cosine < ctx.option("polarity", "min_cosine") or a.source_id == b.source_id:
        return None
    na, nb = bool(NEGATION.search(a.text)), bool(NEGATION.search(b.text))
    if na == nb:
        return direction_turned(a, b, pair, ctx)
    bare_a, bare_b = (NEGATION.sub(" ", x.text) for x in (a, b))
    if fuzz.token_sort_ratio(bare_a, bare_b, processor=utils.default_process) < POLARITY_SAME_RATIO:
        return None  # more differs than the negation: not the same statement turned around
    neg, pos = (a, b) if na else (b, a)
    text = (f"Opposite statements: {ctx.where(neg)} says {quote(neg.text)}; "
            f"{ctx.where(pos)} says {quote(pos.text)}.")
    words = " ".join(sorted(set(utils.default_process(NEGATION.sub(" ", pos.text)).split())))
    return make("polarity", a, b, min(0.8, pair.cosine), text, ("polarity", ctx.story(a), words),
                "says it did not" if neg is a else "says it did", "says it did not" if neg is b else "says it did")


# Words that turn a change or a comparison around (general English): "60, up from 41" and "60, down
# from 41" cannot both be true.
DIRECTION_SAME_RATIO = 70
DIRECTION_ANTONYMS = [(x, y, re.compile(rf"(?i)\b{x}\b"), re.compile(rf"(?i)\b{y}\b")) for x, y in [
    ("up from", "down from"), ("rose", "fell"), ("risen", "fallen"), ("increased", "decreased"),
    ("higher", "lower"), ("more than", "fewer than"), ("above", "below")]]


def direction_turned(a: Claim, b: Claim, pair: Alignment, ctx: Context) -> Discrepancy | None:
    """One statement with its direction turned around ("the 60 deaths were up from an official
    count of 41" / "down from"): the same words but for one antonym."""
    for x, y, px, py in DIRECTION_ANTONYMS:
        for first, second in ((a, b), (b, a)):
            if not (px.search(first.text) and py.search(second.text)) or py.search(first.text) or px.search(second.text):
                continue
            turned = py.sub(x, second.text)
            figures = {(q.low, q.high) for q in first.quantities}
            # the same figures on both sides ("60 … up from 41" / "60 … down from 41") leave room for
            # the rest to be reworded; without them, the statement must be the same but for the antonym
            same = (DIRECTION_SAME_RATIO if len(figures) >= 2 and figures == {(q.low, q.high) for q in second.quantities}
                    else POLARITY_SAME_RATIO)
            if fuzz.token_sort_ratio(first.text, turned, processor=utils.default_process) < same:
                continue
            text = (f"Opposite statements: {ctx.where(first)} says {x!r} ({quote(first.text)}); "
                    f"{ctx.where(second)} says {y!r} ({quote(second.text)}).")
            words = " ".join(sorted(set(utils.default_process(first.text).split())))
            return make("polarity", first, second, min(0.8, pair.cosine), text, ("polarity", ctx.story(a), words),
                        f"says {x!r}", f"says {y!r}")
    return None


# --------------------------------------------------------------------------------------------
# corpus checks


# Entities whose names are places or bodies, spelled as their romanisations differ (Khasavyurt / Hasavyurt).
PLACE_LABELS = {"GPE", "LOC", "FAC", "ORG"}


def place_spellings(ctx: Context) -> dict[str, dict[str, list[Claim]]]:
    """Phonetic key of a place or body's name -> spelling -> claims that use it."""
    out: dict[str, dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for c in ctx.claims.values():
        for e in c.entities:
            if e.label in PLACE_LABELS and not e.key.startswith("party:"):
                words = re.findall(r"[^\W\d_][\w'’-]*", e.text)
                if words and all(len(w) >= TYPO_MIN_LENGTH for w in words):
                    out[" ".join(phonetic(w) for w in words)][" ".join(words)].append(c)
    return out


@check("name_variant", scope="corpus")
def name_variant_check(ctx: Context) -> Iterable[Discrepancy]:
    """One person's name, or one place's, spelled differently (Ilhan/Ilham Aliyev, Khasavyurt /
    Hasavyurt): typo or transliteration."""
    for group in (person_spellings(ctx), place_spellings(ctx)):
        for key, spellings in group.items():
            names = sorted(spellings)
            for i, x in enumerate(names):
                for y in names[i + 1:]:
                    yield from _variant(key, x, y, spellings, ctx)


# Letters each of two name words has at least to be read as one word written apart.
JOINED_PART_MIN = 3
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


# Endings English gives a country's name for its people (general knowledge): Nepal, Nepali, Nepalese.
DEMONYM_ENDINGS = ("i", "ese", "ian", "an", "n", "ish", "ic", "er")


def demonym_of(word: str, place: str) -> bool:
    """``word`` is ``place`` with the ending of its people ("Nepali" of "Nepal", "Bhutanese" of "Bhutan")."""
    w, p = word.lower(), place.lower()
    return len(p) >= 4 and w.startswith(p) and w[len(p):] in DEMONYM_ENDINGS


def joined_parts(px: list[str], py: list[str]) -> tuple[list[str], list[str]]:
    """Two names one word apart with two words of the longer joined into one ("Vishwash Kumar"
    as "Viswashkumar"), where the joined pair is the one most like the other's word there; the
    names as they were when no such pair is near."""
    longer, shorter = (px, py) if len(px) > len(py) else (py, px)
    best, at = 0.0, -1
    for i in range(len(shorter)):
        if not all(len(w.strip(".")) >= JOINED_PART_MIN and w.lower().strip(".") not in NAME_SUFFIXES
                   for w in longer[i:i + 2]):
            continue  # an initial or a suffix ("Donald J Trump", "Roland Butler Jr") is a word of its own
        joined = longer[:i] + [longer[i] + longer[i + 1].lower()] + longer[i + 2:]
        if all(spelling_variant(a, b) != "different" for a, b in zip(joined, shorter)):
            score = fuzz.ratio(joined[i].lower(), shorter[i].lower())
            if score > best:
                best, at = score, i
    if at < 0:
        return px, py
    joined = longer[:at] + [longer[at] + longer[at + 1].lower()] + longer[at + 2:]
    return (joined, shorter) if longer is px else (shorter, joined)


def _variant(key: str, x: str, y: str, spellings, ctx: Context) -> Iterable[Discrepancy]:
    px, py = x.split(), y.split()
    if len(px) != len(py):  # "Suazo-Sandoval" against "Suazo Sandoval": compared word by word
        px, py = re.split(r"[\s-]+", x), re.split(r"[\s-]+", y)
    if abs(len(px) - len(py)) == 1:  # "Viswashkumar Ramesh" against "Vishwash Kumar Ramesh"
        px, py = joined_parts(px, py)
    if len(px) != len(py) or utils.default_process(x.replace(" ", "")) == utils.default_process(y.replace(" ", "")):
        return  # a difference of case, punctuation or spacing is typography, not spelling
    if not key.startswith("person:") and any(demonym_of(a, b) or demonym_of(b, a) for a, b in zip(px, py)):
        return  # "Nepali" is the people of Nepal, no spelling of it
    apart = not ({c.source_id for c in spellings[x]} & {c.source_id for c in spellings[y]})
    relations = [short_name_slip(a, b) if apart and i == 0 else spelling_variant(a, b)
                 for i, (a, b) in enumerate(zip(px, py))]
    if "different" in relations or set(relations) == {"same"}:
        return
    kind = "transliteration" if "typo" not in relations else "likely misspelling"
    users = {n: sorted({ctx.outlet(c) for c in spellings[n]}) for n in (x, y)}
    counts = {n: len({c.source_id for c in spellings[n]}) for n in (x, y)}
    if counts[x] != counts[y]:
        major = max((x, y), key=lambda n: counts[n])
        majority = f"{major!r} is used by more sources ({counts[major]} of {counts[x] + counts[y]})."
    else:
        majority = "Each spelling is used by as many sources: check an authoritative source."
    a, b = spellings[x][0], spellings[y][0]
    text = (f"Name spelled two ways ({kind}): {x!r} in {', '.join(users[x])}, {y!r} in "
            f"{', '.join(users[y])}. {majority}")
    confidence = 0.9 if kind == "likely misspelling" else 0.6
    yield make("name_variant", a, b, confidence, text, ("spelling", key), x, y, spellings=[x, y], relation=kind,
               claims_a=sorted(c.claim_id for c in spellings[x]), claims_b=sorted(c.claim_id for c in spellings[y]))


def sources_by_claim(pairs: Sequence[Alignment], ctx: Context) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        out[p.claim_a].add(ctx.claims[p.claim_b].source_id)
        out[p.claim_b].add(ctx.claims[p.claim_a].source_id)
    return out


# min_check_worthiness: only claims at least this check-worthy are reported as missing elsewhere.
@check("omission", scope="corpus", options={"min_check_worthiness": 0.6})
def omission_check(ctx: Context) -> Iterable[Discrepancy]:
    """A toll figure (killed, injured, arrested, aboard …) that only one outlet of the story gives,
    while other outlets cover the same event without any figure for it: one row per measure,
    naming the silent outlets. When two outlets give a figure, the question is answered twice: a
    different answer is a quantity conflict, never an omission."""
    related = sources_by_claim(ctx.events, ctx)
    givers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in ctx.claims.values():
        for q in c.quantities:
            if q.measure in EVENT_MEASURES:
                givers[(ctx.story(c), q.measure)].add(c.source_id)
    shown: set[tuple[str, str]] = set()
    ranked = sorted(ctx.claims.values(), key=lambda c: (-c.check_worthiness, c.claim_id))
    for c in ranked:
        if c.check_worthiness < ctx.option("omission", "min_check_worthiness") or historic(c, ctx):
            continue
        silent = sorted(related[c.claim_id] - {c.source_id})
        story = ctx.story(c)
        for q in c.quantities:
            if not silent or q.measure not in EVENT_MEASURES or q.vague or q.unit is not None \
                    or givers[(story, q.measure)] != {c.source_id} or (story, q.measure) in shown:
                continue
            shown.add((story, q.measure))
            text = (f"Only {ctx.where(c)} gives a figure for {q.measure}: {quote(c.text)}; "
                    f"{silent_list(silent, ctx)} report the same event without one.")
            yield make("omission", c, None, 0.6, text, ("count", story, q.measure, q.group, ""),
                       fmt_value(q), measure=q.measure, silent_sources=silent)


def silent_list(source_ids: Iterable[str], ctx: Context, limit: int = 3) -> str:
    names = sorted(ctx.sources[sid].outlet for sid in source_ids)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


# --------------------------------------------------------------------------------------------
# the stage


# Ranking bonus of a discrepancy between two outlets over one inside a single article.
CROSS_OUTLET_BONUS = 0.02


def rank_score(severity: float, confidence: float, worth: float, cross_outlet: bool) -> float:
    """How high a discrepancy ranks: severity x confidence, weighted by the check-worthiness of its
    claims, plus a small bonus when two outlets disagree."""
    return severity * confidence * (0.5 + 0.5 * worth) + (CROSS_OUTLET_BONUS if cross_outlet else 0.0)


def rank_key(d: Discrepancy, ctx: Context) -> tuple:
    a, b = ctx.claims[d.claim_a], ctx.claims.get(d.claim_b)
    worth = max(a.check_worthiness, b.check_worthiness if b else 0.0)
    return (-rank_score(d.severity, d.confidence, worth, b is not None and a.source_id != b.source_id),
            d.kind, d.discrepancy_id)


def row_rank_key(row: dict) -> tuple:
    """``rank_key`` of a stored discrepancy (``Store.rerank`` rows: its fields and its claims'
    check-worthiness and sources), so the store can rank rows of several runs together."""
    worth = max(row["worth_a"], row["worth_b"] if row["worth_b"] is not None else 0.0)
    cross = row["source_b"] is not None and row["source_a"] != row["source_b"]
    return (-rank_score(row["severity"], row["confidence"], worth, cross), row["kind"], row["discrepancy_id"])


def check_names() -> list[str]:
    """Every registered check's name."""
    return sorted(set(PAIR_CHECKS) | set(CORPUS_CHECKS))


def validate_checks(settings: Settings) -> None:
    """Raise ``FactcheckError`` (one line per problem) when ``checks`` names a check that does not
    exist (a misspelt check would run nothing and report no disagreement at all), or
    ``check_options`` an unknown check or option, or a value of another type than its default."""
    problems = []
    unknown = sorted(set(settings.checks) - set(check_names()))
    if unknown:
        problems.append(f"unknown check(s) {', '.join(map(repr, unknown))} in checks — "
                        f"known: {', '.join(check_names())}")
    for name, given in settings.check_options.items():
        if name not in OPTIONS:
            problems.append(f"check_options.{name}: no such check — known: {', '.join(check_names())}")
            continue
        for key, value in given.items():
            known = OPTIONS[name]
            if key not in known:
                problems.append(f"check_options.{name}.{key}: the {name} check has no such option — "
                                f"known: {', '.join(sorted(known)) or 'none'}")
            elif not _same_kind(value, known[key]):
                problems.append(f"check_options.{name}.{key} is {value!r} — write a value like its default, "
                                f"{known[key]!r}")
    if problems:
        raise FactcheckError("\n".join(problems))


def _same_kind(value, default) -> bool:
    """A check option's value is like its default: a flag for a flag; for a number, a number of 0
    or more, and at most 1 when the default is a fraction."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, (int, float)):
        top = 1 if isinstance(default, float) and default <= 1 else float("inf")
        return isinstance(value, (int, float)) and 0 <= value <= top
    return isinstance(value, type(default))


def enabled(registry: dict, settings: Settings) -> dict:
    validate_checks(settings)
    return {k: v for k, v in registry.items() if not settings.checks or k in settings.checks}


def conflicts(ctx: Context) -> list[Discrepancy]:
    """Every registered check over the aligned pairs and the story: each pair of conflicting
    answers to one question once (by id), unranked."""
    found: dict[str, Discrepancy] = {}
    pair_checks = enabled(PAIR_CHECKS, ctx.settings)
    aligned = {(p.claim_a, p.claim_b) for p in ctx.pairs}
    for pair in unique_pairs(ctx.pairs, ctx.events):
        a, b = ctx.claims[pair.claim_a], ctx.claims[pair.claim_b]
        is_aligned = (pair.claim_a, pair.claim_b) in aligned
        for name, fn in pair_checks.items():
            if not is_aligned and name not in EVENT_SCOPED:
                continue
            d = fn(a, b, pair, ctx)
            if d is not None:
                found.setdefault(d.discrepancy_id, d)
    for name, fn in enabled(CORPUS_CHECKS, ctx.settings).items():
        for d in fn(ctx):
            found.setdefault(d.discrepancy_id, d)
    return list(found.values())


def compare(ctx: Context) -> list[Discrepancy]:
    """The story's disputed facts, best first: the conflicting pairs the checks find, gathered into
    one discrepancy per fact (``facts.gather``) with every outlet's answer on its side."""
    if ctx.answers is None:
        ctx.answers = toll_answers(ctx)
    disputed = facts.gather(conflicts(ctx), ctx)
    return sorted(disputed, key=lambda d: rank_key(d, ctx))


def unique_pairs(*groups: Sequence[Alignment]) -> list[Alignment]:
    seen, out = set(), []
    for group in groups:
        for p in group:
            if (p.claim_a, p.claim_b) not in seen:
                seen.add((p.claim_a, p.claim_b))
                out.append(p)
    return out
