"""Person names: their parts, their keys, and when two spellings are one name.

One home for every decision about names: the claims stage keys entities with :func:`person_key`
and merges keys with :func:`merge_person_keys`; the name-variant check compares spellings with
:func:`spelling_variant`.

Two spellings of one name part are a *transliteration* when they sound alike once the usual
differences between romanisation systems are folded away (:func:`romanise`: K/Q, u/y, Kh/H,
Dzh/J, Tsch/Ch, ou/u, -ov/-ev/-oyev …) and Metaphone (Lawrence Philips' phonetic code, from the
maintained ``jellyfish`` library) gives them the same code; a *typo* when they differ by one edit
(Ilham / Ilhan); otherwise *different* (Heydar / Ilham).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import Levenshtein

# Words of a name phrase that are not the name ("President Ilham Aliyev", "Kremlin spokesman Peskov").
TITLES = {"president", "prime", "minister", "mr", "mrs", "ms", "dr", "gen", "general", "spokesman",
          "spokeswoman", "spokesperson", "king", "queen", "sen", "senator", "rep", "gov", "governor",
          "chancellor", "secretary", "foreign", "defense", "defence", "chief", "leader", "autocrat",
          "ukrainian", "russian", "kremlin", "the", "former", "deputy", "ambassador", "judge", "pope",
          # ranks and posts written before a name ("First Officer Samuel Lilley", "Capt. Rebecca Lobach")
          "capt", "captain", "first", "officer", "warrant", "sgt", "sergeant", "lt", "lieutenant", "col",
          "colonel", "cpl", "corporal", "pvt", "coach", "pilot", "prof", "professor", "inspector",
          "detective", "constable", "commissioner", "mayor", "executive", "director", "co-pilot", "copilot"}
# Name parts shorter than this are never merged as one-letter typos (Kim / Kin are two names).
TYPO_MIN_LENGTH = 4
# A long name part may lose two letters to a typo (Alethea / Athea) and still be the same name.
LONG_TYPO_LENGTH = 7
# Below this length a shared phonetic code proves little (Kim / Kam): only romanisation counts.
PHONETIC_MIN_LENGTH = 5
# Two spellings with one phonetic code must still look alike (normalised Levenshtein similarity
# of their romanised forms): "Peskov" and "Pasikov" share a code less often than they are two men.
PHONETIC_MIN_SIMILARITY = 0.7

# Letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae",
                       "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i", "ð": "d", "Ð": "D",
                       "’": "'", "ʼ": "'", "ʻ": "'", "‘": "'"})

# Differences between romanisation systems of one name (English, French, German and scholarly
# transliterations of Cyrillic, Arabic, Georgian, Turkic names), applied in order to a folded,
# lower-case word: each pair maps several spellings of one sound to one.
_ROMANISATION = [
    (r"dzh|dj", "j"), (r"tsch|tch", "ch"), (r"sch", "sh"), (r"zh", "j"), (r"kh", "h"), (r"gh", "g"),
    (r"ck", "k"), (r"q", "k"), (r"ph", "f"), (r"w", "v"), (r"ou", "u"), (r"ye", "e"), (r"y", "i"),
    (r"ie", "i"), (r"ai|ay|ei|ey", "i"), (r"'", ""),
    # patronymic and family suffixes: -ov, -ev, -oyev, -oev, -iev are one suffix in transliteration
    (r"(?:o|e|i)?(?:i)?[oe]v$", "ev"), (r"(?:o|e)?[oe]va$", "eva"),
    (r"(.)\1+", r"\1"),
]


def fold(text: str) -> str:
    """ASCII letters for any Latin script: accents dropped, Ø → O, ß → ss, curly apostrophes straight."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return text.encode("ascii", "ignore").decode("ascii")


def person_parts(name: str) -> list[str]:
    """The words of a person's name, titles and possessives dropped ("President Ilham Aliyev's" →
    Ilham, Aliyev). Words that fold to no letter at all are dropped too."""
    words = [w for w in re.findall(r"[A-Za-zÀ-ÿĀ-ſ'’-]+", name) if w.lower().strip(".") not in TITLES]
    words = [re.sub(r"['’]s$", "", w).strip("'’-") for w in words]
    return [w for w in words if re.search(r"[a-z]", fold(w).lower())]


def person_key(name: str) -> str:
    """``person:<surname>|<first initial>`` ("person:aliyev|i"), the initial romanised (Qorgan: k),
    a hyphenated surname keyed by its last part (Suazo-Sandoval and al-Jalajel meet Sandoval and
    Al Jalajel); a bare surname has no initial
    ("person:aliyev|") and is resolved later against the full names of its story. "" when the
    phrase holds no name at all."""
    parts = person_parts(name)
    if not parts:
        return ""
    surname = fold(parts[-1]).lower()
    surname = surname.rsplit("-", 1)[-1] if len(surname.rsplit("-", 1)[-1]) >= 2 else surname
    given = NICKNAMES.get(parts[0].lower(), parts[0]) if len(parts) > 1 else ""  # Tony Cooke is Anthony Cooke
    initial = romanise(given)[:1] if given else ""  # Dzhambulat and Jambulat: j
    return f"person:{surname}|{initial}"


# Familiar forms of English given names and the names they stand for (general knowledge): one
# person written "Tony Cooke" in one outlet and "Anthony Cooke" in another.
NICKNAMES = {**dict.fromkeys(("tony",), "anthony"), **dict.fromkeys(("bill", "billy", "will", "willy"), "william"),
             **dict.fromkeys(("bob", "bobby", "rob", "robbie"), "robert"), "mike": "michael", "mick": "michael",
             **dict.fromkeys(("jim", "jimmy"), "james"), **dict.fromkeys(("joe", "joey"), "joseph"),
             **dict.fromkeys(("tom", "tommy"), "thomas"), **dict.fromkeys(("dick", "rick", "ricky"), "richard"),
             "dave": "david", "danny": "daniel", "chris": "christopher", "steve": "steven", "ben": "benjamin",
             "nick": "nicholas", "matt": "matthew", "pat": "patrick", **dict.fromkeys(("ed", "ted", "eddie"), "edward"),
             "andy": "andrew", "kate": "katherine", "liz": "elizabeth", "beth": "elizabeth", "jenny": "jennifer",
             "sue": "susan", "peggy": "margaret", "chuck": "charles", "charlie": "charles", "jack": "john",
             "larry": "lawrence", "harry": "henry", "hank": "henry", "ron": "ronald", "don": "donald", "greg": "gregory",
             "jeff": "jeffrey", "jerry": "gerald", "ken": "kenneth", "tim": "timothy", "fred": "frederick"}


# Syllables of hyphenated (Korean) given names romanised several ways (Revised, McCune-Reischauer,
# the spellings people choose): 이 is Lee, Yi, Rhee, I or E.
_SYLLABLES = {**dict.fromkeys("lee yi rhee ri e i".split(), "i"), **dict.fromkeys("park pak bak".split(), "bak"),
              **dict.fromkeys("choi choe".split(), "choe"), **dict.fromkeys("jung jeong chung".split(), "jeong"),
              **dict.fromkeys("yoon yun".split(), "yun"), **dict.fromkeys("shin sin".split(), "sin"),
              **dict.fromkeys("seok suk sok".split(), "seok"), **dict.fromkeys("kyung kyoung gyeong".split(), "gyeong"),
              **dict.fromkeys("young yeong".split(), "yeong"), **dict.fromkeys("hyun hyeon".split(), "hyeon")}


@lru_cache(maxsize=65536)
def romanise(word: str) -> str:
    """One spelling for the romanisations of a name part (Qorgan → korgan, Dzhambulat → jambulat,
    Magomedoyev → magomedev, Zourabichvili → zurabichvili, E-bae → i-bae)."""
    w = fold(word).lower()
    if "-" in w:
        w = "-".join(_SYLLABLES.get(part, part) for part in w.split("-"))
    for pattern, repl in _ROMANISATION:
        w = re.sub(pattern, repl, w)
    return w


@lru_cache(maxsize=65536)
def phonetic(word: str) -> str:
    """Metaphone code of the romanised word."""
    return jellyfish.metaphone(romanise(word)) if romanise(word) else ""


def skeleton(word: str) -> str:
    """A transliteration-blind form: romanised, inner vowels masked (Muhammad = Mohammed,
    Zelensky = Zelenskyy; Ahmed ≠ Ahmadi because a final vowel counts)."""
    w = romanise(word)
    head, tail = w[:1], w[1:]
    last = tail[-1:] if tail[-1:] in "aeiou" else ""
    core = tail[:-1] if last else tail
    return head + re.sub(r"[aeiou]+", "*", core) + last


# British and American spellings of one word (Defence / Defense, Centre / Center): one spelling.
_ENGLISH = [(r"ence\b", "ense"), (r"our\b", "or"), (r"is(e|ed|ing|ation)\b", r"iz\1"), (r"tre\b", "ter"),
            (r"ogue\b", "og")]


def english_form(word: str) -> str:
    w = word.lower()
    for pattern, repl in _ENGLISH:
        w = re.sub(pattern, repl, w)
    return w


def spelling_variant(x: str, y: str) -> str:
    """'same', 'transliteration', 'typo' or 'different' for two spellings of one name part.
    Accents alone (Nicolas / Nicolás) and British against American spelling (Defence / Defense)
    are the same spelling."""
    if x == y or fold(x).lower() == fold(y).lower() or english_form(fold(x)) == english_form(fold(y)):
        return "same"
    if _feminine_pair(fold(x).lower(), fold(y).lower()):
        return "different"  # Ivanov / Ivanova, Aliyev / Aliyeva: the family name of two people
    rx, ry = romanise(x), romanise(y)
    if rx == ry or skeleton(x) == skeleton(y):
        return "transliteration"
    if (min(len(rx), len(ry)) >= PHONETIC_MIN_LENGTH and phonetic(x) == phonetic(y)
            and _final_vowel(rx) == _final_vowel(ry)  # Ahmed / Ahmadi, Ivanov / Ivanova: two names
            and Levenshtein.normalized_similarity(rx, ry) >= PHONETIC_MIN_SIMILARITY):
        return "transliteration"
    fx, fy = fold(x).lower(), fold(y).lower()
    if min(len(fx), len(fy)) >= TYPO_MIN_LENGTH and Levenshtein.distance(fx, fy) == 1:
        return "typo"
    if (min(len(fx), len(fy)) >= TYPO_MIN_LENGTH + 1 and max(len(fx), len(fy)) >= LONG_TYPO_LENGTH
            and fx[0] == fy[0] and fx[-1] == fy[-1] and Levenshtein.distance(fx, fy) == 2):
        return "typo"  # Alethea / Athea: two letters dropped from a long name
    return "different"


def short_name_slip(x: str, y: str) -> str:
    """``spelling_variant`` of two first names, where a short one a letter off is a slip too (Wes /
    West Moore): asked only when no article writes both, since one that does names two people."""
    relation = spelling_variant(x, y)
    fx, fy = fold(x).lower(), fold(y).lower()
    if (relation == "different" and min(len(fx), len(fy)) >= SHORT_NAME_MIN_LENGTH and fx[0] == fy[0]
            and Levenshtein.distance(fx, fy) == 1):
        return "typo"
    return relation


# First names this short are a slip of one another only with the rest of the name the same and never
# both in one article (two people, Dan and Dana Smith, are named side by side).
SHORT_NAME_MIN_LENGTH = 3


def _feminine_pair(x: str, y: str) -> bool:
    short, long_ = sorted((x, y), key=len)
    return long_ == short + "a" and short.endswith(("ov", "ev", "in", "yn"))


def _final_vowel(w: str) -> str:
    return w[-1:] if w[-1:] in "aeiou" else ""


def split_key(key: str) -> tuple[str, str]:
    surname, _, initial = key.removeprefix("person:").partition("|")
    return surname, initial


def first_names_of(entities: Iterable) -> dict[str, set[str]]:
    """person key -> the first names its mentions are written with ("person:chaibi|b": Brahim)."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        if e.key.startswith("person:") and not e.key.endswith("|") and len(parts := person_parts(e.text)) >= 2:
            out[e.key].add(parts[0])
    return out


def merge_person_keys(keys: Counter, first_names: dict[str, set[str]] | None = None) -> dict[str, str]:
    """key -> canonical key: full names that are one name spelled two ways (Ilham / Ilhan Aliyev,
    Qorgan / Korgan Aymbetov) meet under the most used spelling. Keys are blocked by the romanised
    first initial and the first letter of the surname's phonetic code, never compared all at once.
    With the first names each key was written with, one surname under two initials whose first
    names are one name spelled two ways (Brahim / Ibrahim Chaibi, Yevgeny / Evgeny) meets too."""
    out = _merge_blocks(keys)
    if not first_names:
        return out
    by_surname: dict[str, list[str]] = defaultdict(list)
    for k in sorted({v for v in out.values()}, key=lambda k: (-keys[k], k)):
        by_surname[split_key(k)[0]].append(k)
    again: dict[str, str] = {}
    for members in by_surname.values():
        for i, k in enumerate(members):
            if k in again or not split_key(k)[1]:
                continue
            for m in members[i + 1:]:
                if m not in again and split_key(m)[1] and any(
                        spelling_variant(x, y) in ("typo", "transliteration")
                        for x in first_names.get(k, ()) for y in first_names.get(m, ())):
                    again[m] = k
    return {key: again.get(canon, canon) for key, canon in out.items()}


def _merge_blocks(keys: Counter) -> dict[str, str]:
    """Keys merged block by block: first by the sound of the surname's start, then what is left by
    the surname's letters after the first, so a long surname with its first letter slipped
    (Fernandez / Hernandez) meets too."""
    out = _merge_within(keys, list(keys), _sound_block)
    again = _merge_within(keys, [k for k in keys if out[k] == k], _tail_block)
    return {key: again.get(canon, canon) for key, canon in out.items()}


# A surname this long with only its first letter different is one name slipped (Fernandez /
# Hernandez); shorter ones are often two names (Lane / Kane).
FIRST_LETTER_MIN_LENGTH = 7


def _sound_block(key: str) -> tuple[str, str]:
    surname, initial = split_key(key)
    return romanise(initial)[:1], phonetic(surname)[:1] or surname[:1]


def _tail_block(key: str) -> tuple[str, str] | None:
    surname, initial = split_key(key)
    return (romanise(initial)[:1], surname[1:]) if len(surname) >= FIRST_LETTER_MIN_LENGTH else None


def _merge_within(keys: Counter, candidates: list[str], block_of: Callable[[str], tuple | None]) -> dict[str, str]:
    blocks: dict[tuple, list[str]] = defaultdict(list)
    for key in candidates:
        if (block := block_of(key)) is not None:
            blocks[block].append(key)
    out: dict[str, str] = {}
    for members in blocks.values():
        members.sort(key=lambda k: (-keys[k], k))
        for k in members:
            sk = split_key(k)[0]
            out[k] = next((m for m in members if m in out and out[m] == m
                           and spelling_variant(sk, split_key(m)[0]) != "different"), k)
    return out


# Particles of a family name that some outlets write and others drop (Taleb al-Abdulmohsen /
# Taleb Al Abdulmohsen / Abdulmohsen).
PARTICLES = {"al", "el", "de", "da", "del", "der", "van", "von", "bin", "ibn", "le", "la", "di", "du"}


def name_words(name: str) -> tuple[str, ...]:
    """A name's words for telling people apart: titles dropped, folded, lower-case, hyphenated
    parts split and particles left out ("Maynor Yasir Suazo-Sandoval" → maynor, yasir, suazo,
    sandoval)."""
    words = [w for p in person_parts(name) for w in fold(p).lower().split("-")]
    return tuple(w.strip(".") for w in words if w.strip(".") and w not in PARTICLES)


def same_person(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Two full names (``name_words``) of one person as outlets shorten or spell them: the first
    names are one (Sam / Samuel, Evgenia / Yevgenia) and the shorter name's family name is among
    the longer's words, or is its initial (Miguel Luna / Miguel Angel Luna Gonzalez, Taleb A. /
    Taleb al-Abdulmohsen). Spencer Lane and John Lane are two people."""
    if len(x) < 2 or len(y) < 2:
        return False
    short, long_ = sorted((x, y), key=len)
    fa, fb = short[0], long_[0]
    first = (fa == fb or (min(len(fa), len(fb)) >= 3 and (fa.startswith(fb) or fb.startswith(fa)))
             or spelling_variant(fa, fb) in ("transliteration", "typo"))
    last = short[-1]
    family = last in long_[1:] or (len(last) == 1 and any(w.startswith(last) for w in long_[1:]))
    return first and family


# How news writes a person's age beside the name (one home for it: ``claims`` reads it to tell a
# name is a person's, ``compare`` to read the age): after it, "Miguel Luna, 49;", "Lobach, 29, was";
# before it, "35-year-old Alejandro Hernandez Fuentes".
AGE_AFTER_NAME = (r",\s+(?:aged\s+)?(?P<age>\d{1,3})(?!\d)(?=\s*(?:[,;)–—-]|\.(?!\d)|\Z)|"
                  r"\s+(?:of|from|and|who|was|is|had|has)\b)")
AGE_BEFORE_NAME = r"\b(?P<age>\d{1,3})-year-old\s+"
_AFTER = re.compile(AGE_AFTER_NAME)
_BEFORE = re.compile(AGE_BEFORE_NAME + r"\Z")


def aged(text: str, name: str) -> bool:
    """The text gives an age right next to ``name``."""
    at = text.find(name)
    return at >= 0 and bool(_AFTER.match(text, at + len(name)) or _BEFORE.search(text, 0, at))


# An age written onto its number ("a nine-month-old baby", "40-year-old"): the age of the noun after
# it (the quantity parser never makes it a toll), or followed by "old" ("he is 50 years old").
AGED_FIGURE = re.compile(r"(?i)-(?:year|month|week|day)s?-old$")
_OLD = re.compile(r"(?i)-?\s*old\b")


def years_old(text: str, at: int, figure: str) -> bool:
    """The figure at ``at`` in the text is someone's age ("a 50-year-old doctor", "he is 50 years
    old"), not how long something lasted."""
    return bool(AGED_FIGURE.search(figure)) or bool(_OLD.match(text, at + len(figure)))
