"""Which language an article is written in, told well enough to refuse one that is not English.

The claim reader is an English pipeline: a Russian or Chinese page run through it gives junk
claims without a word of warning. Two signals, both general knowledge and cheap (no model):

- the script of the letters (Cyrillic, Arabic, Han, ...): a page mostly in one non-Latin script is
  in a language of that script;
- for Latin-script text, the share of words that are the language's most common function words
  (articles, prepositions, pronouns): English prose has about 40 % of them, another Latin-script
  language has few English ones and many of its own.

Only a confident answer refuses an article: short texts, and texts where English is close, are
taken as English (an English report quoting a sentence in Portuguese stays English).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters looked at: the first this many (an article's language shows in its first paragraphs).
SAMPLE_CHARS = 20_000
# Fewer letters or words than this: too little to tell, taken as English.
MIN_LETTERS = 40
MIN_WORDS = 12
# A page whose letters are at least this share of one non-Latin script is in that script's language.
SCRIPT_SHARE = 0.5
# Latin script: another language wins when its function words are at least this share of the
# words and at least this many times the English share (English news prose: 0.35-0.45 English,
# under 0.05 of any other list; Portuguese or Spanish prose: 0.30-0.40 own, under 0.06 English).
OTHER_MIN_SHARE = 0.15
OTHER_OVER_ENGLISH = 3.0

# Unicode script of a letter, from the first word of its Unicode name.
SCRIPTS = {
    "CYRILLIC": "Cyrillic", "ARABIC": "Arabic", "HEBREW": "Hebrew", "GREEK": "Greek",
    "CJK": "Han", "HIRAGANA": "Japanese kana", "KATAKANA": "Japanese kana", "HANGUL": "Hangul",
    "DEVANAGARI": "Devanagari", "BENGALI": "Bengali", "THAI": "Thai", "GEORGIAN": "Georgian",
    "ARMENIAN": "Armenian", "TAMIL": "Tamil", "GUJARATI": "Gujarati", "GURMUKHI": "Gurmukhi",
    "ETHIOPIC": "Ethiopic", "PERSIAN": "Arabic", "URDU": "Arabic",
}
# What a script says about the language, for the message.
SCRIPT_LANGUAGE = {
    "Cyrillic": "Russian, Ukrainian or another Cyrillic-script language", "Arabic": "Arabic, Persian or Urdu",
    "Hebrew": "Hebrew", "Greek": "Greek", "Han": "Chinese or Japanese", "Japanese kana": "Japanese",
    "Hangul": "Korean", "Devanagari": "Hindi, Marathi or Nepali", "Bengali": "Bengali", "Thai": "Thai",
    "Georgian": "Georgian", "Armenian": "Armenian", "Tamil": "Tamil", "Gujarati": "Gujarati",
    "Gurmukhi": "Punjabi", "Ethiopic": "Amharic or Tigrinya",
}

# The commonest function words of some Latin-script languages of the news (general knowledge).
FUNCTION_WORDS = {
    "English": "the of and to a in is was for on that with as by at from it his her said has have are "
               "were be been an or not this which who their they but after its he she had will would",
    "Spanish": "el la los las de del y en que un una por con para se su al es lo como más pero sus "
               "le ha fue según dijo este esta entre también sobre",
    "Portuguese": "o a os as de do da dos das e em no na nos nas que um uma por com para se seu sua "
                  "ao é foi pelo pela segundo disse mais mas também entre",
    "French": "le la les de des du et en un une que qui dans pour par sur au aux est a été il elle "
              "ne pas se son sa ses selon plus mais avec",
    "German": "der die das den dem des und in zu von mit ist im ein eine einen nicht sich auf für "
              "als auch es wurde sind bei nach aus dass hat",
    "Italian": "il lo la i gli le di del della dei e in un una che per con non si è da al alla "
               "sono ha come più secondo anche nel nella",
    "Dutch": "de het een en van in op is dat met voor niet zijn die te aan er ook als bij door naar om",
    "Turkish": "ve bir bu da de için ile olarak olan en çok daha sonra gibi ancak ise kadar",
    "Indonesian": "yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan oleh juga",
    "Polish": "i w na z że się do nie jest to o jak po przez od dla za są",
}
_WORDS = {lang: set(words.split()) for lang, words in FUNCTION_WORDS.items()}
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Language:
    name: str  # "English", "Portuguese", or what a script says ("Chinese or Japanese")
    english: bool
    evidence: str  # why, in a few words


ENGLISH = Language("English", True, "")


def script_of(ch: str) -> str:
    """The script of a letter: "Latin", "Cyrillic", "Han", ... ("" when not a letter)."""
    if not ch.isalpha():
        return ""
    if ch.isascii():
        return "Latin"
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    return SCRIPTS.get(first, "Latin" if first == "LATIN" else "Other")


def detect(text: str) -> Language:
    """The language of ``text``; English unless another one is clear."""
    sample = text[:SAMPLE_CHARS]
    counts: dict[str, int] = {}
    for ch in sample:
        script = script_of(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    letters = sum(counts.values())
    if letters < MIN_LETTERS:
        return ENGLISH
    script, top = max(counts.items(), key=lambda kv: kv[1])
    if script not in ("Latin", "Other") and top / letters >= SCRIPT_SHARE:
        return Language(SCRIPT_LANGUAGE.get(script, script), False, f"{top / letters:.0%} of its letters are {script}")
    words = [w.lower() for w in WORD_RE.findall(sample)]
    if len(words) < MIN_WORDS:
        return ENGLISH
    shares = {lang: sum(w in vocab for w in words) / len(words) for lang, vocab in _WORDS.items()}
    english = shares.pop("English")
    other, share = max(shares.items(), key=lambda kv: kv[1])
    if share >= OTHER_MIN_SHARE and share >= OTHER_OVER_ENGLISH * max(english, 1e-9):
        return Language(other, False, f"{share:.0%} of its words are common {other} words, {english:.0%} English ones")
    return ENGLISH
