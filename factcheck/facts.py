"""Facts: the questions a story's claims answer, each with every outlet's answer.

The checks of ``compare`` find pairs of answers that cannot both be true, each pair tagged with the
question it answers (``("count", story, "dead", "passenger", "")``: how many passengers died?).
``gather`` makes one discrepancy per question of them: its answers grouped into sides by value,
every outlet that gives a value on its side (a syndicated copy named with the outlet that ran it,
counted once), with whom each outlet attributes it to, in plain words. Answers to the same question
that conflict with nobody (a floor, a vague count, a figure that rose between reports) are listed
as the fact's other answers, never as a side. ``fact_table`` lists every fact of a story, disputed
or not, one answer per claim: the fact table of the dashboard and ``facts.csv``.

A fact's id comes from its question alone, so it stays when answers are added or change.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable, Protocol, Sequence

from .models import Answer, Claim, Discrepancy, Fact, Source, stable_id
from .names import first_names_of, merge_person_keys, person_parts
from .quantities import fmt_value, quantities_compatible, superseded


class Context(Protocol):
    """What facts read of a story (``compare.Context`` has it): its claims and sources by id, and
    the answers each toll question has (``compare.toll_answers``)."""

    claims: dict[str, Claim]
    sources: dict[str, Source]
    answers: dict | None
    figure_days: dict | None


def quote(text: str, limit: int = 160) -> str:
    """A claim quoted for an explanation, shortened at a word boundary."""
    text = text.strip().rstrip(".")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return f"“{text}”"


def fact_id(question: Sequence[str]) -> str:
    """The stable id of the fact a question asks (the same question, the same id, on every run)."""
    return stable_id("fact", *question, length=12)


# What a figure in a base unit measures: "the length or distance (ship)", not "(in ms)".
UNIT_NOUNS = {"m": "length or distance", "km/h": "speed", "kg": "weight", "hour": "duration", "day": "duration",
              "month": "duration", "year": "duration"}
# Questions of a measured thing by its base unit: "What length or distance (ship)?", not "How many ms?".
UNIT_QUESTIONS = {"m": "What length or distance", "km/h": "What speed", "kg": "What weight",
                  "hour": "How long", "day": "How long", "month": "How long", "year": "How long"}


def upper_first(text: str) -> str:
    """The text with its first letter a capital, the rest as written ("length or distance (Bernburg–Magdeburg)")."""
    return text[:1].upper() + text[1:]


def thing_name(word: str) -> str:
    """A measured thing in words: a noun as it is, two places as "Bernburg–Magdeburg" (a distance
    between them)."""
    return "–".join(p.title() for p in word.split("|")) if "|" in word else word


def measured(word: str, unit: str | None) -> str:
    """What a figure measures, in words: "length or distance (ship)", "duration (deliberated)"; the
    word alone for a count."""
    return f"{UNIT_NOUNS.get(unit, unit + 's')} ({thing_name(word)})" if unit and unit not in ("%", "pp") else word
# Figures on a scale rather than counts: "What magnitude?", not "How many: magnitude?".
SCALES = {"magnitude", "aftershock magnitude"}


def plain_question(question: Sequence[str], label: str = "") -> str:
    """The question in words: "How many dead (passengers)?", "Which flight number?"."""
    kind, rest = question[0], list(question[1:])
    if kind == "count":
        _, what, group, whose = (rest + ["", "", "", ""])[:4]
        if ":" in what:  # a count of a thing: "unit:noun"
            unit, noun = what.split(":", 1)
            inner = re.search(r"\(([^()]*)\)$", label or "")
            thing = inner.group(1) if inner and label.startswith(UNIT_NOUNS.get(unit, "\0")) else thing_name(label or noun)
            if thing in SCALES:
                return f"What {thing}?"
            if unit in UNIT_QUESTIONS:
                return f"{UNIT_QUESTIONS[unit]} ({thing})?"
            return f"How many {unit}s ({thing})?" if unit else f"How many: {thing}?"
        if what in ("member", "members") and group and not group.startswith("in "):
            return f"How many {group} members?"  # "22 crew members": the crew
        # a place or a phrase ("in Egypt", "on the ground") as written; a noun in the plural
        who = (f" ({group})" if " " in group else f" ({plural(group)})") if group and group != what else ""
        by = f" for {whose.split(':')[-1].split('|')[0].title()}" if whose else ""
        if what in ("%", "pp"):
            return f"What share{who}{by}?"
        return f"How many {what}{who}{by}?"
    word = rest[-1] if rest else ""
    about = f" ({word})" if word else ""
    return {"date": f"When{about}?", "time": f"At what time{about}?", "identifier": f"Which {word} number?",
            "cause": f"What happened, and why{about}?", "actor": f"Who did it{about}?",
            "polarity": "Did it happen or not?", "spelling": f"How is {label or 'the name'} spelled?",
            "damage": "How badly was it hit?", "fate": "What became of the suspect?",
            "role": f"Who is the {word}?", "vehicle": "What make of vehicle?" if rest[1:] == ["make"] else "What vehicle?",
            "aircraft": "What aircraft type?", "age": f"How old is {label or 'the person'}?",
            }.get(kind, f"{kind}{about}?")


# Plurals English does not make with -s.
IRREGULAR_PLURALS = {"man": "men", "woman": "women", "child": "children", "person": "people", "foot": "feet",
                     "crew": "crew", "police": "police", "staff": "staff", "personnel": "personnel", "people": "people"}


def plural(noun: str) -> str:
    """An English plural for a counted group's noun: passenger → passengers, body → bodies, coach →
    coaches, man → men."""
    if noun in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[noun]
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def natural(value: str) -> tuple:
    """A sort key that puts "2" before "17" and "at least 5" by its 5."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?", value)
    return (float(m.group().replace(",", "")) if m else float("inf"), value)


def hedge(q) -> str:
    """How a figure is hedged or bounded ("at least", "about", "vague"), "" when exact."""
    if q.vague:
        return "vague"
    if q.low is not None and q.high is None:
        return "at least"
    if q.high is not None and q.low is None:
        return "at most"
    if q.low is not None and q.high is not None and q.low != q.high:
        return "range"
    return ""


def attribution(c: Claim) -> str:
    """Whom a claim attributes its answer to: its speaker, or the party it speaks for."""
    return c.speaker or c.party


def outlet_name(source_id: str, ctx: Context) -> str:
    """An outlet, with the outlets that ran the same (syndicated) copy: "AP (copy also in ABC)"."""
    s = ctx.sources[source_id]
    return f"{s.outlet} (copy also in {', '.join(s.also_outlets)})" if s.also_outlets else s.outlet


# A figure dated by its own sentence ("46 arrested on Monday") is as of that day when the day is
# at most this many days before its article: a count of a past week is that week's count.
AS_OF_DAYS = 7


def own_day(c: Claim, ctx: Context):
    """The one day a claim's sentence gives, in the week before its article; None otherwise."""
    published = ctx.sources[c.source_id].published
    days = {d.start for d in c.dates if published and d.resolved and d.granularity == "day" and d.start == d.end
            and d.start and 0 <= (published - d.start).days <= AS_OF_DAYS}
    return days.pop() if len(days) == 1 else None


def dated_figures(ctx: Context) -> dict[tuple, set]:
    """(source, measure, low, high) -> the days the article's own sentences give that figure for."""
    if ctx.figure_days is None:
        out: dict[tuple, set] = defaultdict(set)
        for c in ctx.claims.values():
            day = own_day(c, ctx)
            for q in c.quantities if day else ():
                out[(c.source_id, q.measure, q.low, q.high)].add(day)
        ctx.figure_days = dict(out)
    return ctx.figure_days


def as_of(c: Claim, ctx: Context, q=None):
    """The day a figure is as of: the one day its sentence gives ("46 arrested during protests on
    Monday", in a report of Thursday: Monday), or that another sentence of its article gives the
    same figure (the quote that repeats the headline's 46), when that day is in the week before
    the article; else the article's publication day."""
    day = own_day(c, ctx)
    if day is None and q is not None:
        days = dated_figures(ctx).get((c.source_id, q.measure, q.low, q.high), set())
        day = next(iter(days)) if len(days) == 1 else None
    return day or ctx.sources[c.source_id].published


def side_record(value: str, claim_ids: Iterable[str], ctx: Context) -> dict:
    """One group of answers that agree: the value, its claims, outlets (each source once),
    attributions and publication dates."""
    claims = sorted({cid: ctx.claims[cid] for cid in claim_ids if cid in ctx.claims}.values(),
                    key=lambda c: (ctx.sources[c.source_id].outlet, c.claim_id))
    sources = list(dict.fromkeys(c.source_id for c in claims))
    published = sorted({ctx.sources[sid].published.isoformat() for sid in sources if ctx.sources[sid].published})
    days = sorted({day.isoformat() for c in claims if (day := as_of(c, ctx, figure_in(value, c)))})
    return {"value": value, "claims": [c.claim_id for c in claims], "sources": sources,
            "outlets": [outlet_name(sid, ctx) for sid in sources],
            "attributions": sorted({a for a in map(attribution, claims) if a}), "published": published,
            "as_of": days}


def figure_in(value: str, c: Claim):
    """The quantity of a claim that gives this value, if any."""
    return next((q for q in c.quantities if fmt_value(q) == value), None)


def gather(edges: Iterable[Discrepancy], ctx: Context) -> list[Discrepancy]:
    """One discrepancy per disputed fact from the conflicting pairs of answers the checks found."""
    by_question: dict[tuple[str, ...], list[Discrepancy]] = defaultdict(list)
    edges = list(edges)
    one_name = same_name_questions(edges)
    for d in edges:
        q = tuple(d.detail["question"])
        by_question[one_name.get(q, q)].append(d)
    found = (disputed_fact(q, consistent_outlets_dropped(q, ds, ctx), ctx) for q, ds in sorted(by_question.items()))
    # answers that all agree once grouped ("July 11" and "July 11") are no dispute
    return [d for d in found if d is not None and (d.kind == "omission" or len(d.detail["sides"]) >= 2)]


def ranked(edges: list[Discrepancy], ctx: Context) -> list[Discrepancy]:
    """The fact's conflicting pairs, the one that best shows the dispute first: two outlets
    disagreeing the same day before a figure that changed between reports; figures that cannot
    both be true before floors that differ ("6" against "at least 22" before "at least 5" against
    "at least 22"); two exact figures before a bound against a figure; then by score."""
    return sorted(edges, key=lambda d: (bool(d.detail.get("change_over_time")), not exclusive(d, ctx),
                                        bounded(d), -d.score, d.discrepancy_id))


def pair_figures(d: Discrepancy, ctx: Context) -> tuple:
    """The two quantities a count's conflicting pair was read from (None where not found)."""
    return (quantity_of(d.detail["value_a"], d.detail.get("claims_a") or [d.claim_a], ctx),
            quantity_of(d.detail.get("value_b", ""), d.detail.get("claims_b") or [d.claim_b or ""], ctx))


def exclusive(d: Discrepancy, ctx: Context) -> bool:
    """The pair's two answers cannot both be true (for a count: their intervals do not meet)."""
    if d.detail.get("question", [""])[0] != "count":
        return True
    qa, qb = pair_figures(d, ctx)
    return qa is None or qb is None or quantities_compatible(qa, qb) is False


# How a figure's value reads when it is a bound, a range or a vague count ("at least 5", "180–220").
BOUNDED_VALUE = re.compile(r"\b(?:at least|at most|up to)\b|–|\(")


def bounded(d: Discrepancy) -> bool:
    """One of the pair's two figures is a bound, a range or vague."""
    return d.detail.get("question", [""])[0] == "count" and any(
        BOUNDED_VALUE.search(str(d.detail.get(k) or "")) for k in ("value_a", "value_b"))


# Severity kept by a conflict between figures of different reports: a toll that moved between
# reports is worth a look, but less than two outlets disagreeing on the same day.
CHANGE_OVER_TIME_WEIGHT = 0.6


def figures_given(question: tuple[str, ...], ctx: Context, *, earlier: bool = False) -> dict[str, set[str]]:
    """source id -> the figures its claims give for a toll question as its own (or, with
    ``earlier``, the figures it marks as earlier ones it no longer holds)."""
    out: dict[str, set[str]] = defaultdict(set)
    for c, q in (ctx.answers or {}).get(question, ()):
        if superseded(q, c.text) == earlier:
            out[c.source_id].add(fmt_value(q))
    return out


def superseded_as_change(question: tuple[str, ...], edges: list[Discrepancy], groups: list[list[str]],
                         ctx: Context) -> list[Discrepancy]:
    """Two sides of which an outlet that gives both marks one as the earlier ("initially 10 …
    later grew to 15"; "3,958 instead of 11,300 as was before reported") changed between reports:
    the conflicts between them are said as such, at lower severity, whoever else gives them."""
    if question[0] != "count":
        return edges
    old = figures_given(question, ctx, earlier=True)
    if not old:
        return edges
    side_of = {v: i for i, g in enumerate(groups) for v in g}
    given = {sid: {side_of[v] for v in values if v in side_of} for sid, values in figures_given(question, ctx).items()}
    earlier = {sid: {side_of[v] for v in values if v in side_of} for sid, values in old.items()}
    out = []
    for d in edges:
        pair = {side_of.get(d.detail["value_a"], -1), side_of.get(d.detail.get("value_b", ""), -2)}
        # an outlet marks one side of the pair as its earlier figure and gives the other as its own
        told = any(pair & earlier[sid] and (pair - earlier[sid]) and (pair - earlier[sid]) <= given.get(sid, set())
                   for sid in earlier)
        if told and not d.detail.get("change_over_time"):
            d = Discrepancy(d.discrepancy_id, d.kind, round(d.severity * CHANGE_OVER_TIME_WEIGHT, 3), d.confidence,
                            d.explanation, d.claim_a, d.claim_b, {**d.detail, "change_over_time": True})
        out.append(d)
    return out


def consistent_outlets_dropped(question: tuple[str, ...], edges: list[Discrepancy], ctx: Context) -> list[Discrepancy]:
    """The pairs of a count left when an outlet that gives both figures is taken at its word: an
    article that tells the interim count (62 bodies by noon) and the final one (179) disputes
    neither. (An outlet that reports two parties' accounts reports their dispute: kept.)"""
    if question[0] != "count":
        return edges
    given = figures_given(question, ctx)
    for d in edges:
        for cid, value in ((d.claim_a, d.detail["value_a"]), (d.claim_b, d.detail.get("value_b", ""))):
            if cid in ctx.claims:
                given[ctx.claims[cid].source_id].add(value)
    return [d for d in edges if not d.claim_b or not (
        d.detail["value_b"] in given[ctx.claims[d.claim_a].source_id]
        or d.detail["value_a"] in given[ctx.claims[d.claim_b].source_id])]


def same_name_questions(edges: Sequence[Discrepancy]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Questions that share an answer ask one thing, each mapped to the first of them so that it is
    one fact: spelling questions that share a spelling (a place the tagger once took for a person is
    keyed twice), and questions of a measured thing that share a claim's figure ("up to 34 km/h"
    against 48 km/h under the words "accused", against 30 mph under "speeds": one top speed)."""
    parent: dict[tuple[str, ...], tuple[str, ...]] = {}

    def root(q):
        while parent.setdefault(q, q) != q:
            q = parent[q]
        return q

    first_with: dict[tuple, tuple[str, ...]] = {}
    for d in edges:
        q = tuple(d.detail["question"])
        if q[0] == "spelling":
            shared = [("spelling", value) for value in (d.detail["value_a"], d.detail["value_b"])]
        elif q[0] == "count" and len(q) > 2 and ":" in q[2] and not q[2].startswith(":"):
            unit = q[2].split(":")[0]  # a measured thing's question: "km/h:speed"
            shared = [(q[1], unit, d.claim_a, d.detail["value_a"]), (q[1], unit, d.claim_b, d.detail["value_b"])]
        else:
            continue
        for key in shared:
            other = first_with.setdefault(key, q)
            a, b = sorted((root(q), root(other)))
            parent[b] = a
    return {q: root(q) for q in parent}


def disputed_fact(question: tuple[str, ...], edges: list[Discrepancy], ctx: Context) -> Discrepancy | None:
    if not edges:
        return None
    values: dict[str, set[str]] = defaultdict(set)
    for d in edges:
        values[d.detail["value_a"]].update(d.detail.get("claims_a") or [d.claim_a])
        if d.claim_b:
            values[d.detail["value_b"]].update(d.detail.get("claims_b") or [d.claim_b])
    rest: dict[str, set[str]] = defaultdict(set)
    for c, q in (ctx.answers or {}).get(question, ()):
        (values if fmt_value(q) in values else rest)[fmt_value(q)].add(c.claim_id)
    groups, spread = (count_groups(values, edges, ctx) if question[0] == "count"
                      else (compatible_groups(values, edges, ctx), []))
    values.update(rest)
    # an answer the checks found in conflict with nobody is on no side, even where it differs from
    # one: the checks decided that difference is none (a floor that rose between reports)
    others = [[v] for v in spread] + [[v] for v in sorted(rest)]
    edges = ranked(superseded_as_change(question, edges, groups, ctx), ctx)
    top = edges[0]
    timeline = all(d.detail.get("change_over_time") for d in edges)
    lead = [next((i for i, g in enumerate(groups) if top.detail.get(v) in g), len(groups)) for v in ("value_a", "value_b")]
    sides = sorted((side_record(" / ".join(g), set().union(*(values[v] for v in g)), ctx) | {"lead": lead.index(i)
                    if i in lead else 2} for i, g in enumerate(groups)),
                   key=(lambda s: ((s["as_of"] or s["published"])[:1], natural(s["value"]))) if timeline
                   else (lambda s: (s["lead"], -len(s["sources"]), natural(s["value"]))))
    shown = values[top.detail["value_a"]] | values.get(top.detail.get("value_b", ""), set())
    for side in sides:
        side.pop("lead")
        side["claims"].sort(key=lambda cid: cid not in shown)  # first, a claim of the pair that leads
    other = sorted((side_record(" / ".join(g), set().union(*(values[v] for v in g)), ctx) for g in others),
                   key=lambda s: natural(s["value"]))
    label = sides[0]["value"] if question[0] == "spelling" else str(top.detail.get("person") or top.detail.get("measure") or "")
    detail = {k: v for k, v in top.detail.items() if k not in ("value_a", "value_b", "claims_a", "claims_b")}
    detail.update(fact_id=fact_id(question), question_text=plain_question(question, label), sides=sides,
                  other_answers=other, pairs=sorted(d.discrepancy_id for d in edges), change_over_time=timeline)
    # the two claims a one-pair reader shows: the first of the first two sides
    claim_a = sides[0]["claims"][0] if sides and sides[0]["claims"] else top.claim_a
    claim_b = sides[1]["claims"][0] if len(sides) > 1 and sides[1]["claims"] else top.claim_b
    severity = max(d.severity for d in edges)
    if question[0] == "count" and len(sides) > 1:
        severity *= gap_weight(quantity_of(sides[0]["value"].split(" / ")[0], sides[0]["claims"], ctx),
                               quantity_of(sides[1]["value"].split(" / ")[0], sides[1]["claims"], ctx))
    return Discrepancy(fact_id(question), top.kind, round(severity, 3),
                       max(d.confidence for d in edges), explain(question, top, sides, other, timeline, ctx),
                       claim_a, claim_b, detail)


# Severity kept by a disputed count whose two leading figures are close (15 against 14 dead) against
# figures far apart (53 against 524): the full severity from this relative gap on.
GAP_FULL, GAP_FLOOR = 0.3, 0.8
# Severity kept when one of the two leading figures is a bound or a range ("at least 23").
HEDGED_WEIGHT = 0.9


def gap_weight(qa, qb) -> float:
    """How much the gap between two disputed figures weighs: a relative gap of ``GAP_FULL`` or more
    counts fully, a small one down to ``GAP_FLOOR``; a bound or a range weighs less."""
    if qa is None or qb is None:
        return 1.0
    va = qa.low if qa.low is not None else qa.high
    vb = qb.low if qb.low is not None else qb.high
    if not va or not vb:
        return 1.0
    rel = abs(va - vb) / max(abs(va), abs(vb))
    weight = GAP_FLOOR + (1 - GAP_FLOOR) * min(1.0, rel / GAP_FULL)
    hedged = any(q.low != q.high or q.vague for q in (qa, qb))
    return weight * (HEDGED_WEIGHT if hedged else 1.0)


def quantity_of(value: str, claim_ids: Iterable[str], ctx: Context):
    """The quantity a value was read from, in the first of its claims that gives it."""
    return next((q for cid in sorted(claim_ids) if cid in ctx.claims for q in ctx.claims[cid].quantities
                 if fmt_value(q) == value), None)


def count_groups(values: dict[str, set[str]], edges: Sequence[Discrepancy], ctx: Context
                 ) -> tuple[list[list[str]], list[str]]:
    """The figures of a count in groups that can all be true together, and the figures that fit
    more than one group. Exact figures that agree (44% and 44.2%) make one group; a bound or a
    range joins the one group it fits ("at least 6" with 6), makes a group of its own when it fits
    none ("at least 23" against 6 and 17), and fits several otherwise ("at least 5"); vague words
    ("dozens") never make a side."""
    clash = {frozenset((d.detail["value_a"], d.detail["value_b"])) for d in edges if d.claim_b}
    quantity = {v: quantity_of(v, ids, ctx) for v, ids in values.items()}
    support = {v: len({ctx.claims[c].source_id for c in ids if c in ctx.claims}) for v, ids in values.items()}

    def fits(v: str, group: list[str]) -> bool:
        return all(frozenset((v, w)) not in clash and quantity[v] is not None and quantity[w] is not None
                   and quantities_compatible(quantity[v], quantity[w]) is not False for w in group)

    exact = sorted((v for v, q in quantity.items() if q is not None and not q.vague and q.low is not None
                    and q.low == q.high), key=lambda v: (-support[v], v))
    groups: list[list[str]] = []
    for v in exact:
        home = next((g for g in groups if fits(v, g)), None)
        groups.append([v]) if home is None else home.append(v)
    spread = []
    for v in sorted((v for v in values if v not in exact), key=lambda v: (-support[v], v)):
        homes = [g for g in groups if fits(v, g)]
        in_conflict = any(v in pair for pair in clash)
        if quantity[v] is not None and quantity[v].vague:
            spread.append(v)
        elif len(homes) == 1 or (homes and in_conflict):
            # a bound in conflict with another ("at least 2,300" against "more than 5,300") sits
            # with the nearest figure it fits, so the conflict shows between sides
            min(homes, key=lambda g: distance(quantity[v], quantity[g[0]])).append(v)
        elif homes:
            spread.append(v)
        else:
            groups.append([v])
    return groups, spread


def distance(a, b) -> float:
    """How far apart two figures are (their lower bounds, or upper ones when open below)."""
    va = a.low if a.low is not None else a.high
    vb = b.low if b.low is not None else b.high
    return abs((va or 0) - (vb or 0))


def compatible_groups(values: dict[str, set[str]], edges: Sequence[Discrepancy], ctx: Context) -> list[list[str]]:
    """The answers' values in groups that can all be true together ("6" and "at least 6"), no two
    values of one group ever found in conflict: the best-supported value first, each next value in
    the first group it conflicts with nobody of, or a group of its own."""
    clash = {frozenset((d.detail["value_a"], d.detail["value_b"])) for d in edges if d.claim_b}
    support = {v: len({ctx.claims[c].source_id for c in ids if c in ctx.claims}) for v, ids in values.items()}
    groups: list[list[str]] = []
    for v in sorted(values, key=lambda v: (-support[v], v)):
        home = next((g for g in groups if not any(frozenset((v, w)) in clash for w in g)), None)
        if home is None:
            groups.append([v])
        else:
            home.append(v)
    return groups


def _side_words(side: dict, kind: str, timeline: bool, ctx: Context) -> str:
    outlets = ", ".join(side["outlets"][:4]) + (f" and {len(side['outlets']) - 4} more" if len(side["outlets"]) > 4 else "")
    text = f"{side['value']} according to {outlets}"
    if side["attributions"]:
        text += f" (citing {', '.join(side['attributions'][:3])})"
    if timeline and side["published"]:
        if side.get("as_of") and side["as_of"] != side["published"]:
            text += f", as of {' and '.join(side['as_of'])} (published {' and '.join(side['published'])})"
        else:
            text += f", published {' and '.join(side['published'])}"
    if kind in ("cause", "polarity", "actor", "fate", "role", "vehicle", "aircraft", "age") and side["claims"]:
        text += f": {quote(ctx.claims[side['claims'][0]].text, 110)}"
    return text


def explain(question: tuple[str, ...], top: Discrepancy, sides: list[dict], other: list[dict], timeline: bool,
            ctx: Context) -> str:
    """The fact in plain words: the question, each side's answer with its outlets and whom they
    cite, and what a reader should know (a figure that moved, a likely typo, the majority spelling)."""
    kind = question[0]
    if top.kind == "omission":
        return top.explanation
    lead = {"count": upper_first(str(top.detail.get('measure') or 'the figure')),
            "date": "Different dates for one event", "time": "Different times for one moment",
            "identifier": f"Different {question[-1]} numbers", "cause": "Conflicting accounts of one event",
            "actor": "Different actors for one event", "polarity": "Opposite statements",
            "damage": "Conflicting accounts of the damage", "fate": "Different accounts of the suspect's fate",
            "role": f"Different people named {question[-1]}", "vehicle": "Different makes of vehicle named" if question[-1] == "make" else "Different vehicles named",
            "aircraft": "Different aircraft types named",
            "age": f"Different ages for {top.detail.get('person') or 'one person'}",
            "spelling": f"Name spelled {len(sides)} ways ({top.detail.get('relation', 'variant')})"}.get(kind, kind)
    dated = timeline or (kind == "count" and len({tuple(s["as_of"] or s["published"]) for s in sides}) > 1)
    if kind == "count":
        lead += (" changed between reports" if timeline else
                 ": different figures, some of them reported on different days" if dated else ": different figures")
    text = f"{lead}: " + "; ".join(_side_words(s, kind, dated, ctx) for s in sides) + "."
    if other:
        text += " Also reported, in conflict with no one: " + "; ".join(
            f"{s['value']} ({', '.join(s['outlets'][:3])})" for s in other[:4]) + "."
    if timeline:
        text += " Check which figure is current."
    elif kind == "spelling":
        counts = [len(s["sources"]) for s in sides]
        most = max(range(len(sides)), key=lambda i: counts[i])
        if counts.count(counts[most]) == 1:
            text += f" {sides[most]['value']!r} is used by more sources ({counts[most]} of {sum(counts)})."
        elif len(set(counts)) == 1:
            text += " Each spelling is used by as many sources: check an authoritative source."
        else:
            text += " No spelling is used by more sources than all others: check an authoritative source."
    elif top.detail.get("transposed"):
        text += " Two of the numbers differ by two swapped characters: likely a typo in one of them."
    elif top.detail.get("slip"):
        text += " Two of the numbers differ by one character: likely a typo in one of them."
    return text


def fact_table(disputed: Sequence[Discrepancy], ctx: Context) -> list[Fact]:
    """Every fact of the stories: the disputed ones with their sides, and every toll question the
    claims answer (one answer per claim), disputed or not."""
    facts: dict[str, Fact] = {}
    for d in disputed:
        q = tuple(d.detail["question"])
        answers = [answer(cid, side["value"], ctx, side=n) for n, side in enumerate(d.detail["sides"], 1)
                   for cid in side["claims"]]
        answers += [answer(cid, o["value"], ctx) for o in d.detail["other_answers"] for cid in o["claims"]]
        facts[d.discrepancy_id] = Fact(d.discrepancy_id, q[1] if len(q) > 2 else "", q[0], d.detail["question_text"],
                                       tuple(answers), disputed=d.kind != "omission")  # one answer disputes nothing
    for q, items in (ctx.answers or {}).items():
        fid = fact_id(q)
        if fid in facts:
            continue
        answers = [answer(c.claim_id, fmt_value(x), ctx, quantity=x) for c, x in items]
        facts[fid] = Fact(fid, q[1], q[0], plain_question(q), tuple(answers), disputed=False)
    for key, spellings in person_spellings(ctx).items():  # every person two outlets name
        q = ("spelling", key)
        claims = [(name, c) for name, cs in spellings.items() for c in cs]
        if fact_id(q) in facts or len({c.source_id for _, c in claims}) < 2:
            continue
        top = max(spellings, key=lambda n: (len({c.source_id for c in spellings[n]}), n))
        facts[fact_id(q)] = Fact(fact_id(q), "", "spelling", plain_question(q, top),
                                 tuple(answer(c.claim_id, name, ctx) for name, c in sorted(claims, key=lambda x: x[1].claim_id)),
                                 disputed=False)
    return sorted(facts.values(), key=lambda f: (f.story_id, not f.disputed, f.question, f.fact_id))


def person_spellings(ctx: Context) -> dict[str, dict[str, list[Claim]]]:
    """entity key -> spelling (titles stripped) -> claims that use it. Keys are merged as the claims
    stage merges them, so claims made elsewhere (tests, other tools) group the same way."""
    people = [(c, e, person_parts(e.text)) for c in ctx.claims.values() for e in c.entities if e.label == "PERSON"]
    full = Counter(e.key for _, e, _ in people if not e.key.endswith("|"))
    merged = merge_person_keys(full, first_names_of(e for _, e, _ in people))
    out: dict[str, dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for c, e, parts in people:
        if len(parts) >= 2:
            out[merged.get(e.key, e.key)][" ".join(parts)].append(c)
    return out


def answer(claim_id: str, value: str, ctx: Context, *, side: int = 0, quantity=None) -> Answer:
    c = ctx.claims[claim_id]
    s = ctx.sources[c.source_id]
    if quantity is None:
        quantity = next((q for q in c.quantities if fmt_value(q) == value), None)
    return Answer(claim_id=claim_id, source_id=c.source_id, outlet=s.outlet, value=value, speaker=c.speaker,
                  party=c.party, hedge=hedge(quantity) if quantity is not None else "",
                  published=s.published.isoformat() if s.published else "", side=side)


def facts_of_claims(facts: Iterable[Fact]) -> dict[str, list[str]]:
    """claim id -> the ids of the facts it answers."""
    out: dict[str, list[str]] = defaultdict(list)
    for f in facts:
        for a in f.answers:
            if f.fact_id not in out[a.claim_id]:
                out[a.claim_id].append(f.fact_id)
    return out
