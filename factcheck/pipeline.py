"""The whole run: ingest -> clean -> claims -> embed -> align -> compare -> store -> export.

Each stage is a pure function of its inputs and the Settings; this module only wires them and
reports progress through a callback ``progress(stage, done, total)``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import numpy as np

from . import align as align_stage
from . import claims as claims_stage
from . import clean as clean_stage
from . import compare as compare_stage
from . import copies, embed, export, ingest
from . import facts as facts_stage
from . import stories as stories_stage
from .config import Settings
from .errors import RERUN, NoRunError, NoSourcesError, SourceError
from .models import (Alignment, Body, Claim, Discrepancy, Fact, FactCluster, Source, body_from_dict, body_to_dict,
                     code_fingerprint, source_from_dict, source_to_dict, stable_id)
from .store import Store

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


class Engine(Protocol):
    """Where the per-article work and the per-story decisions run when not in this process
    (``factcheck.engine.DaskEngine``: tasks on a Dask cluster). Each method runs the same stage
    function a run without an engine calls here, so both give the same answers; the corpus-wide
    steps (syndicated copies, entity keys, stories, alignment) and the store stay with the caller."""

    def prepare(self, files: Sequence[tuple[str, str, bytes, dict | None]], settings: Settings,
                progress: Progress) -> dict[str, tuple[Source, Body]]:
        """``(key, name, bytes, manifest row)`` of files -> ``{key: (source, body)}`` of those read
        and cleaned as ``ingest.load_file`` and ``clean.clean`` do (one article each; the others
        are left to the caller, who reads them and reports what is wrong)."""

    def article_claims(self, sources: Sequence[Source], bodies: Sequence[Body], settings: Settings, *,
                       progress: Callable[[int, int], None] | None = None) -> Iterator[list[Claim]]:
        """``claims.iter_article_claims``: each article's claims on its own, whole articles at a time."""

    def encode(self, texts: Sequence[str], *, package: str, backend: str, batch_size: int,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """``embed.encode``: one row per text."""

    def map_stories(self, fn: Callable[..., Any], parts: Sequence[Any], settings: Settings) -> list:
        """``[fn(part, settings) for part in parts]``, one task per story."""


@dataclass
class RunResult:
    sources: list[Source]
    bodies: list[Body]
    claims: list[Claim]
    vectors: np.ndarray
    stories: dict[str, str]
    pairs: list[Alignment]
    events: list[Alignment]
    clusters: list[FactCluster]
    discrepancies: list[Discrepancy]  # one per disputed fact, best first
    errors: list[SourceError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None
    story_index: stories_stage.StoryIndex | None = None
    facts: list[Fact] = field(default_factory=list)  # every fact of the stories, disputed or not
    notes: list[str] = field(default_factory=list)  # what the run said of its files (a line cut, an outlet guessed)


@dataclass
class AddResult:
    """What ``add`` did: the articles added, their claims, the story each joined, and what the
    comparison found in those stories."""
    sources: list[Source]
    claims: list[Claim]
    stories: dict[str, tuple[str, str]]  # source_id -> (story joined, "" for a new one; its id now)
    discrepancies: list[Discrepancy]  # everything found in the stories the articles joined
    new: list[Discrepancy]  # those not listed (active) before the addition
    errors: list[SourceError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # as RunResult.notes
    timings: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None


def _noop(stage: str, done: int, total: int) -> None:
    return None


@lru_cache(maxsize=1)
def prepare_fingerprint() -> str:
    """Changes whenever reading or cleaning could give another result: their code and libraries."""
    here = Path(__file__).parent
    return code_fingerprint([here / "ingest.py", here / "clean.py", here / "models.py", here / "language.py",
                             here / "fetch.py"],
                            ["trafilatura", "ftfy", "charset-normalizer", "htmldate"])


class PreparedArticles:
    """Sources and cleaned bodies of files read before, kept in the store: a file whose bytes and
    manifest row are unchanged is not decoded, parsed or cleaned again (on a store of 750 articles
    that is most of a re-run's time outside the models). Keyed by file name, a hash of the bytes,
    the manifest row and ``prepare_fingerprint``."""

    def __init__(self, store: Store | None, *, bulk: bool = True):
        self.store, self.bulk = store, bulk
        self.keys: dict[str, str] = {}  # file name -> key
        self.bodies: dict[str, Body] = {}  # source_id -> cached body
        self.stored: dict[str, str] | None = None  # key -> stored JSON, read in one query when first needed
        self.ahead: dict[str, tuple[Source, Body]] = {}  # key -> read and cleaned on an engine this run
        self.cleaned: dict[str, Body] = {}  # source_id -> body of those, saved like bodies cleaned here

    @staticmethod
    def key(name: str, data: bytes, meta: dict | None) -> str:
        return stable_id(prepare_fingerprint(), name, hashlib.sha1(data).hexdigest(),
                         json.dumps(meta or {}, sort_keys=True, default=str), length=32)

    def knows(self, name: str, data: bytes, meta: dict | None) -> bool:
        """Whether the store holds this file as it is now (read in bulk: for a whole folder)."""
        if self.store is None:
            return False
        if self.stored is None:
            self.stored = self.store.cached_articles()
        return self.key(name, data, meta) in self.stored

    def __call__(self, name: str, data: bytes, meta: dict | None) -> Source | None:
        if self.store is None and not self.ahead:
            return None
        key = self.key(name, data, meta)
        self.keys[name] = key
        if self.store is not None:
            if not self.bulk:  # a few files: ask for each (a whole-table read costs more)
                self.stored = {**(self.stored or {}), **self.store.cached_articles([key])}
            elif self.stored is None:
                self.stored = self.store.cached_articles()
            if key in self.stored:
                hit = json.loads(self.stored[key])
                source = source_from_dict(hit["source"])
                self.bodies[source.source_id] = body_from_dict(hit["body"])
                return source
        if key not in self.ahead:
            return None
        source, body = self.ahead[key]
        self.cleaned[source.source_id] = body
        return source

    def save(self, sources: Sequence[Source], bodies: Sequence[Body]) -> None:
        if self.store is None:
            return
        self.store.save_articles({self.keys[s.name]: {"source": source_to_dict(s), "body": body_to_dict(b)}
                                  for s, b in zip(sources, bodies)
                                  if s.name in self.keys and s.source_id not in self.bodies})


def clean_all(sources: list[Source], settings: Settings, errors: list[SourceError],
              progress: Progress, prepared: PreparedArticles | None = None) -> tuple[list[Source], list[Body]]:
    kept, bodies = [], []
    known = {**prepared.bodies, **prepared.cleaned} if prepared else {}
    for n, s in enumerate(sources, 1):
        try:
            bodies.append(known.get(s.source_id) or clean_stage.clean(s, settings))
            kept.append(s)
        except SourceError as exc:
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 — one page that trips the cleaner must not stop the run
            log.debug("cleaning %s failed", s.name, exc_info=True)
            errors.append(ingest.unexpected(s.name, "cleaning", exc))
        progress("clean", n, len(sources))
    if prepared:
        prepared.save(kept, bodies)
    return kept, bodies


def drop_syndicated_copies(sources: list[Source], bodies: list[Body], settings: Settings
                           ) -> tuple[list[Source], list[Body]]:
    """A wire story carried by several outlets is kept once (its other outlets recorded), so a copy
    never counts as an independent confirmation."""
    kept = copies.mark_duplicates(sources, settings, bodies=bodies)
    body_of = {b.source_id: b for b in bodies}
    return kept, [body_of[s.source_id] for s in kept]


class VectorQueue:
    """Claim texts waiting for their vectors. Each text is embedded once: from memory, else the
    store's cache (keyed by text hash and model), else the model. Time spent here is added to
    ``timings["embed"]``. With an ``engine``, the model runs there (``Engine.encode``)."""

    def __init__(self, settings: Settings, store: Store | None, progress: Progress, timings: dict[str, float],
                 engine: Engine | None = None):
        self.settings, self.store, self.progress, self.timings = settings, store, progress, timings
        self.encode = engine.encode if engine is not None else embed.encode
        self.vectors: dict[str, np.ndarray] = {}
        self.pending: dict[str, str] = {}

    def add(self, texts: Iterable[str]) -> None:
        for t in texts:
            k = embed.text_key(t)
            if k not in self.vectors:
                self.pending.setdefault(k, t)

    def flush(self) -> None:
        """Embed what is pending."""
        if not self.pending:
            return
        with timed(self.timings, "embed"):
            part, self.pending = self.pending, {}
            package, backend = self.settings.model_package, self.settings.embedding_backend
            model = embed.model_key(package, backend)  # float32 and int8 vectors are cached apart
            cache = self.store.cached_embeddings(model, part) if self.store else {}
            self.vectors.update(cache)
            missing = sorted((k, t) for k, t in part.items() if k not in cache)
            if missing:
                done = len(self.vectors)
                rows = self.encode([t for _, t in missing], package=package, backend=backend,
                                   batch_size=self.settings.batch_size,
                                   progress=lambda d, n: self.progress("embed", done + d, done + n))
                fresh = {k: v for (k, _), v in zip(missing, rows)}
                self.vectors.update(fresh)
                if self.store:
                    self.store.save_embeddings(model, fresh)
            self.progress("embed", len(self.vectors), len(self.vectors))

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        self.add(texts)
        self.flush()
        rows = [self.vectors[embed.text_key(t)] for t in texts]
        return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, embed.DIM), dtype=np.float32)


def claim_text(c: Claim) -> str:
    """What is embedded for a claim: what it asserts, without the attribution."""
    return c.content or c.text


def claims_and_vectors(sources: list[Source], bodies: list[Body], settings: Settings, store: Store | None,
                       progress: Progress, timings: dict[str, float],
                       pool: claims_stage.ParsePool | None = None,
                       engine: Engine | None = None) -> tuple[list[Claim], np.ndarray]:
    """Claims of every article and their vectors (parsed and embedded on ``engine`` when given).

    Articles already extracted by the same extractor come from the store, and so do vectors of
    texts embedded before: a re-run or an added source parses and embeds only what is new.

    The two stages run one after the other, each on every core (a process pool for the parse,
    torch's threads for the model). Embedding groups of claims while the workers parse the rest
    was measured slower on 2 cores (ECB+ dev: 95.9 s against 90.9 s): both stages are CPU-bound,
    and the model loses more on one thread than the overlap wins.
    """
    by_id = {s.source_id: s for s in sources}
    keys = {b.source_id: claims_stage.article_key(by_id[b.source_id], b) for b in bodies}
    with timed(timings, "claims"):
        cached = store.cached_claims(keys.values()) if store else {}
        todo = [b for b in bodies if keys[b.source_id] not in cached]
        per_source: dict[str, list[Claim]] = {b.source_id: [] for b in todo}
        parse = engine.article_claims if engine is not None else partial(claims_stage.iter_article_claims, pool=pool)
        for part in parse([by_id[b.source_id] for b in todo], todo, settings,
                          progress=lambda d, n: progress("claims", d, n)):
            for c in part:
                per_source[c.source_id].append(c)
        if pool is not None:
            pool.close()  # the embedding stage needs the cores and memory, not the idle workers
        if store:
            store.save_claim_cache({keys[sid]: cs for sid, cs in per_source.items()})
        ordered = [c for b in bodies for c in (cached.get(keys[b.source_id]) or per_source.get(b.source_id, []))]
        claims = claims_stage.finalise(ordered)
        progress("claims", len(bodies), len(bodies))
    return claims, VectorQueue(settings, store, progress, timings, engine).matrix([claim_text(c) for c in claims])


def embed_claims(claims: list[Claim], settings: Settings, store: Store | None, progress: Progress) -> np.ndarray:
    """Vectors of claims already extracted (cached texts are not embedded again)."""
    return VectorQueue(settings, store, progress, {}).matrix([claim_text(c) for c in claims])


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block to ``timings[stage]``."""
    t = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - t


def analyse(sources: list[Source], bodies: list[Body], settings: Settings, *, store: Store | None = None,
            progress: Progress = _noop, timings: dict | None = None,
            pool: claims_stage.ParsePool | None = None, engine: Engine | None = None) -> RunResult:
    """Claims, embeddings, alignment and discrepancies for already cleaned sources (parsed in
    ``pool`` when one was started ahead; parsed, embedded and judged on ``engine`` when given)."""
    timings = {} if timings is None else timings
    claims, vectors = claims_and_vectors(sources, bodies, settings, store, progress, timings, pool, engine)
    with timed(timings, "align"):
        index = stories_stage.StoryIndex.build(sources, claims, vectors)
        stories = stories_stage.group_stories(sources, claims, vectors, settings, index)
        failed: list[SourceError] = []
        aligned = align_stories(claims, vectors, sources, settings, stories, failed)
        pairs, events, clusters = aligned.pairs, aligned.events, aligned.clusters
        progress("align", 1, 1)
    with timed(timings, "compare"):
        found, fact_records = judge(claims, sources, pairs, events, clusters, stories, settings, failed, engine)
        progress("compare", 1, 1)
    return RunResult(sources, bodies, claims, vectors, stories, pairs, events, clusters, found, errors=failed,
                     timings=timings, story_index=index, facts=fact_records)


def judge(claims: Sequence[Claim], sources: Sequence[Source], pairs: Sequence[Alignment],
          events: Sequence[Alignment], clusters: Sequence[FactCluster], stories: dict[str, str],
          settings: Settings, errors: list[SourceError] | None = None,
          engine: Engine | None = None) -> tuple[list[Discrepancy], list[Fact]]:
    """The one decision of a run or an addition, per story or for many at once: from the claims and
    their alignment to the disputed facts (best first) and the fact table. Pure: no store, no I/O.

    With ``errors`` given, a failure is isolated: the stories are judged one at a time, a story
    that fails is one error (naming it and its articles) and the others keep their results. With
    an ``engine``, the stories are judged one per task there, with the same answers (``judge_apart``)."""
    if engine is not None:
        return judge_apart(claims, sources, pairs, events, clusters, stories, settings, errors, engine)
    try:
        return _judge(claims, sources, pairs, events, clusters, stories, settings)
    except Exception:
        if errors is None:
            raise
        log.debug("judging all stories at once failed; judging one at a time", exc_info=True)
    found: list[Discrepancy] = []
    fact_records: list[Fact] = []
    for part in story_parts(claims, sources, pairs, events, clusters, stories):
        f, t, failed = judge_story(part, settings)
        found += f
        fact_records += t
        errors += failed
    ctx = _context(claims, sources, pairs, events, clusters, stories, settings)
    return sorted(found, key=lambda d: compare_stage.rank_key(d, ctx)), fact_records


@dataclass(frozen=True)
class StoryPart:
    """One story's share of the claims, sources and alignment: what the story function reads."""
    story: str
    claims: list[Claim]
    sources: list[Source]
    pairs: list[Alignment]
    events: list[Alignment]
    clusters: list[FactCluster]
    stories: dict[str, str]


def story_parts(claims: Sequence[Claim], sources: Sequence[Source], pairs: Sequence[Alignment],
                events: Sequence[Alignment], clusters: Sequence[FactCluster], stories: dict[str, str]
                ) -> list[StoryPart]:
    """Each story's part, in the order of the story ids, the records of each in their given order.
    A pair or a fact cluster belongs to the story all its claims are in (alignment never crosses
    stories); a part's ``stories`` maps its own articles only (the checks read a claim's story)."""
    story_of = {s.source_id: stories.get(s.source_id, "") for s in sources}
    claim_story = {c.claim_id: story_of[c.source_id] for c in claims if c.source_id in story_of}
    parts = {story: StoryPart(story, [], [], [], [], [], {}) for story in sorted(set(story_of.values()))}
    for s in sources:
        parts[story_of[s.source_id]].sources.append(s)
        parts[story_of[s.source_id]].stories[s.source_id] = story_of[s.source_id]  # its own: a task's size
    for c in claims:
        if c.claim_id in claim_story:
            parts[claim_story[c.claim_id]].claims.append(c)
    for kept, records in (("pairs", pairs), ("events", events)):
        for p in records:
            story = claim_story.get(p.claim_a)
            if story is not None and claim_story.get(p.claim_b) == story:
                getattr(parts[story], kept).append(p)
    for k in clusters:
        homes = {claim_story.get(cid) for cid in k.claim_ids}
        if len(homes) == 1 and None not in homes:
            parts[homes.pop()].clusters.append(k)
    return list(parts.values())


def judge_story(part: StoryPart, settings: Settings) -> tuple[list[Discrepancy], list[Fact], list[SourceError]]:
    """The story function: one story's disputed facts (best first), its fact table and, when judging
    it failed, one error naming the story's articles (the other stories keep their results)."""
    try:
        return (*_judge(part.claims, part.sources, part.pairs, part.events, part.clusters, part.stories,
                        settings), [])
    except Exception as exc:  # noqa: BLE001 — one story that trips a check must not stop the others
        log.debug("judging story %s failed", part.story, exc_info=True)
        return [], [], [story_failed(part.sources, "comparing", exc)]


def story_failed(sources: Sequence[Source], stage: str, exc: BaseException) -> SourceError:
    """The one line of a story that a stage could not take: its articles, the stage, the error."""
    names = ", ".join(sorted(s.name for s in sources))
    return SourceError(f"the story of {shorten_names(names)}",
                       f"{stage} its claims failed ({type(exc).__name__}: {str(exc)[:120]})",
                       "the other stories went on; please report these files to the factcheck maintainers")


def align_stories(claims: Sequence[Claim], vectors: np.ndarray, sources: Sequence[Source], settings: Settings,
                  stories: dict[str, str], errors: list[SourceError]) -> align_stage.Aligned:
    """The claims aligned inside their stories, all at once; when that fails, one story at a time,
    a story that fails being one error (its claims then stand unaligned) and the others aligned."""
    try:
        return align_stage.align(claims, vectors, sources, settings, stories)
    except Exception:  # noqa: BLE001 — one story that trips the alignment must not stop the others
        log.debug("aligning all stories at once failed; aligning one at a time", exc_info=True)
    pairs, events, clusters = [], [], []
    for story in sorted(set(stories.get(s.source_id, "") for s in sources)):
        mine = [s for s in sources if stories.get(s.source_id, "") == story]
        ids = {s.source_id for s in mine}
        rows = [i for i, c in enumerate(claims) if c.source_id in ids]
        try:
            part = align_stage.align([claims[i] for i in rows], vectors[rows], mine, settings, stories)
        except Exception as exc:  # noqa: BLE001
            log.debug("aligning story %s failed", story, exc_info=True)
            errors.append(story_failed(mine, "aligning", exc))
            continue
        pairs += part.pairs
        events += part.events
        clusters += part.clusters
    return align_stage.Aligned(pairs, events, clusters)


# Questions asked of the whole corpus, not of one story: how a person or a place is spelled
# (compare.name_variant_check and the spelling rows of facts.fact_table read every claim, so that
# "Ilhan" in one story and "Ilham" in another are one question). Judged one story at a time they
# would be asked once per story with part of the answers; ``judge_apart`` asks them once.
CORPUS_QUESTIONS = frozenset({"spelling"})


def judge_apart(claims: Sequence[Claim], sources: Sequence[Source], pairs: Sequence[Alignment],
                events: Sequence[Alignment], clusters: Sequence[FactCluster], stories: dict[str, str],
                settings: Settings, errors: list[SourceError] | None, engine: Engine
                ) -> tuple[list[Discrepancy], list[Fact]]:
    """``judge`` with one task per story on ``engine`` (``judge_story``), and the same answers as
    judging all stories at once: the corpus's own questions (``CORPUS_QUESTIONS``) are taken from
    one pass over every claim here (they read the claims only, no alignment), the others from the
    stories; the disputed facts ranked and the facts ordered as one call gives them."""
    results = engine.map_stories(judge_story, story_parts(claims, sources, pairs, events, clusters, stories),
                                 settings)
    corpus = judge_story(StoryPart("", list(claims), list(sources), [], [], [], stories), settings)
    failures = [err for *_, failed in [*results, corpus] for err in failed]
    if failures and errors is None:
        raise failures[0]
    if errors is not None:
        errors += failures
    own = [(f, t) for f, t, _ in results]
    # the corpus's questions from the pass over every claim; from each story's part of the answers
    # only when that pass failed
    shared = own if corpus[2] else [corpus[:2]]
    found: dict[str, Discrepancy] = {}
    fact_records: dict[str, Fact] = {}
    for groups, wanted in ((own, False), (shared, True)):
        for f, t in groups:
            for d in f:
                if asked_of_corpus(d.detail.get("question")) == wanted:
                    found.setdefault(d.discrepancy_id, d)
            for x in t:
                if asked_of_corpus([x.kind]) == wanted:
                    fact_records.setdefault(x.fact_id, x)
    ctx = _context(claims, sources, pairs, events, clusters, stories, settings)
    in_order = sorted(fact_records.values(), key=lambda x: (x.story_id, not x.disputed, x.question, x.fact_id))
    return sorted(found.values(), key=lambda d: compare_stage.rank_key(d, ctx)), in_order  # facts.fact_table's order


def asked_of_corpus(question: Sequence[str] | None) -> bool:
    """Whether a question (a discrepancy's, or a fact's kind) is one of ``CORPUS_QUESTIONS``."""
    return bool(question) and question[0] in CORPUS_QUESTIONS


def shorten_names(names: str, width: int = 100) -> str:
    return names if len(names) <= width else names[:width - 1].rsplit(",", 1)[0] + ", …"


def _context(claims, sources, pairs, events, clusters, stories, settings) -> compare_stage.Context:
    return compare_stage.Context(settings=settings, claims={c.claim_id: c for c in claims},
                                 sources={s.source_id: s for s in sources}, pairs=pairs,
                                 clusters=clusters, events=events, stories=stories)


def _judge(claims, sources, pairs, events, clusters, stories, settings) -> tuple[list[Discrepancy], list[Fact]]:
    ctx = _context(claims, sources, pairs, events, clusters, stories, settings)
    found = compare_stage.compare(ctx)
    return found, facts_stage.fact_table(found, ctx)


def fresh_lines(folder: Path, settings: Settings, prepared: PreparedArticles) -> tuple[int, int]:
    """(files, lines) in ``folder`` that the prepared-article cache does not hold. Only bytes are
    read and hashed (ECB+ dev: 772 files in about 50 ms), so the parse's pool can be started before
    the files are decoded and cleaned. A problem here is left for ingest to report."""
    files = lines = 0
    for _, data, _ in fresh_files(folder, settings, prepared):
        files += 1
        lines += data.count(b"\n") + 1
    return files, lines


def fresh_files(folder: Path, settings: Settings, prepared: PreparedArticles
                ) -> Iterator[tuple[str, bytes, dict | None]]:
    """(name, bytes, manifest row) of each file in ``folder`` that the prepared-article cache does
    not hold (see ``fresh_lines``)."""
    if not folder.is_dir():
        return
    manifest = ingest.read_manifest(folder / settings.manifest_name, folder=folder, errors=[])
    for path in ingest.candidate_files(folder, settings):
        try:
            if path.stat().st_size > settings.max_source_bytes:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if not prepared.knows(path.name, data, manifest.get(path.name)):
            yield path.name, data, manifest.get(path.name)


@contextmanager
def early_pool(fresh: tuple[int, int], settings: Settings) -> Iterator[claims_stage.ParsePool | None]:
    """The parse's process pool, started before the files are read when the files not served by the
    prepared-article cache (``fresh_lines``) look long enough to be parsed in a pool: their lines
    count as paragraphs. Its workers load spaCy (about 2.5 s each) while the main process reads
    and cleans. A guess that turns out wrong costs only that start-up."""
    files, lines = fresh
    if settings.workers > 1 and files > 1 and lines >= settings.parallel_min_paragraphs:
        with claims_stage.ParsePool(settings.workers) as pool:
            yield pool
    else:
        yield None


class _Notes(logging.Handler):
    """Collects what the stages say of the files while a run or an addition lasts (the command
    line prints the same lines as they come; the dashboard shows these)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def collected_notes() -> Iterator[list[str]]:
    handler = _Notes()
    logger = logging.getLogger("factcheck")
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


def run(folder: str | Path, settings: Settings, *, store: Store | None = None, out: str | Path | None = None,
        progress: Progress = _noop, engine: Engine | None = None) -> RunResult:
    """Run every stage on a sources folder; store the results and write the CSVs to ``out``
    (``_run``); what the stages said of the files is kept in ``notes``."""
    with collected_notes() as notes:
        result = _run(folder, settings, store=store, out=out, progress=progress, engine=engine)
    result.notes = list(notes)
    return result


def _run(folder: str | Path, settings: Settings, *, store: Store | None = None, out: str | Path | None = None,
        progress: Progress = _noop, engine: Engine | None = None) -> RunResult:
    """Run every stage on a sources folder; store the results and write the CSVs to ``out``.

    With an ``engine``, the files the cache does not hold are read and cleaned there from their
    bytes, and the parse, the model and the stories' judgement run there too (``Engine``)."""
    timings: dict[str, float] = {}
    prepared = PreparedArticles(store)
    with timed(timings, "ingest"):
        if engine is None:
            fresh = fresh_lines(Path(folder), settings, prepared)
        else:
            prepared.ahead = engine.prepare([(prepared.key(*f), *f) for f in fresh_files(Path(folder), settings,
                                                                                         prepared)],
                                            settings, progress)
            fresh = (0, 0)  # nothing left to parse in a pool here
    with early_pool(fresh, settings) as pool:
        with timed(timings, "ingest"):
            loaded, errors = ingest.load_sources(Path(folder), settings, known=prepared)
            tried = len(loaded) + len(errors)
            progress("ingest", len(loaded), len(loaded))
        with timed(timings, "clean"):
            sources, bodies = clean_all(loaded, settings, errors, progress, prepared)
            sources, bodies = drop_syndicated_copies(sources, bodies, settings)
        if not sources:
            raise NoSourcesError(f"{folder}: no readable article among {tried} file(s) — "
                                 "add .txt or .html articles (see the errors above)", errors)
        result = analyse(sources, bodies, settings, store=store, progress=progress, timings=timings, pool=pool,
                         engine=engine)
    result.errors = errors + result.errors
    with timed(timings, "store"):
        if store is not None:
            result.run_id = store.save_run(sources_dir=str(folder), source_records=sources,
                                           claim_records=result.claims, cluster_records=result.clusters,
                                           pairs=result.pairs, found=result.discrepancies,
                                           index=result.story_index, fact_records=result.facts)
            progress("store", 1, 1)
    if out is not None:
        write_outputs(result, Path(out), store)
    return result


def add(folder: str | Path, files: Sequence[str | Path], settings: Settings, *, store: Store,
        progress: Progress = _noop, engine: Engine | None = None) -> AddResult:
    """``_add``, with what the stages said of the files kept in ``notes``."""
    with collected_notes() as notes:
        result = _add(folder, files, settings, store=store, progress=progress, engine=engine)
    result.notes = list(notes)
    return result


def _add(folder: str | Path, files: Sequence[str | Path], settings: Settings, *, store: Store,
        progress: Progress = _noop, engine: Engine | None = None) -> AddResult:
    """Add articles (files inside ``folder``) to the latest run in ``store``, without analysing the
    corpus again.

    Each new article is read, cleaned, parsed and embedded (the same stages as ``run``), then joins
    the story it is closest to, by the test a full run groups with (``stories.StoryIndex.place``),
    or starts a story of its own. Only the stories that gained an article are aligned and compared
    again, with their stored claims and cached vectors; the rest of the store is left as it is.
    Stories are never split or merged here, and bare surnames resolve within the story, so a full
    ``run`` (which groups everything afresh) may differ a little. Raises ``NoRunError`` when the
    store holds no run, and ``NoSourcesError`` when none of the files could be added.

    The new articles are parsed and embedded on ``engine`` when given.
    """
    timings: dict[str, float] = {}
    folder = Path(folder)
    index = store.load_story_index()
    if index is None:
        raise NoRunError(f"the store {store.shown_url} holds no run to add to — {RERUN} first").with_action(RERUN)
    errors: list[SourceError] = []
    sources, bodies = read_new_files(folder, [Path(f) for f in files], settings, store, set(index.source_ids),
                                     errors, progress, timings)
    claims, vectors = claims_and_vectors(sources, bodies, settings, store, progress, timings,
                                         engine=engine)
    body_of = {b.source_id: b for b in bodies}
    with timed(timings, "align"):
        placed = {}
        for s in list(sources):
            rows = [i for i, c in enumerate(claims) if c.source_id == s.source_id]
            row = index.add(s.source_id, [claims[i] for i in rows], vectors[rows], pin=s.story)
            sims = index.similarities(row, settings)
            twin = copies.copy_among(body_of[s.source_id], store.sources_of(
                [index.source_ids[j] for j in index.nearest(sims, 3)]), settings)
            if twin is not None:  # a wire copy is not a second report: the run keeps one copy
                index.pop()
                errors.append(SourceError(s.name, f"is the same article as {twin.name} ({twin.outlet}), already "
                                                  "in the store", f"{RERUN} to keep one copy and record both "
                                                  "outlets").with_action(RERUN))
                sources.remove(s)
                continue
            placed[s.source_id] = index.place(row, settings, sims=sims)
        if not sources:
            raise NoSourcesError("nothing added: every new article is a copy of one in the store", errors)
        claims = [c for c in claims if c.source_id in placed]
        touched = sorted({index.story_map()[s.source_id] for s in sources})
    before = store.active_discrepancy_ids()
    outcome = StoryOutcome()
    for story in touched:
        compare_story(story, index.members(story), sources, claims, settings, store, progress, timings, outcome)
    progress("compare", 1, 1)
    with timed(timings, "store"):
        run_id = store.save_addition(
            sources_dir=str(folder), source_records=sources, claim_records=outcome.added_claims,
            story_claims=outcome.story_claims, cluster_records=outcome.clusters, pairs=outcome.pairs,
            found=outcome.found, index=index, added_ids=[s.source_id for s in sources],
            story_labels={sid: st for sid, st in index.story_map().items() if st in touched},
            rank_key=compare_stage.row_rank_key, fact_records=outcome.facts)
        progress("store", 1, 1)
    return AddResult(sources, outcome.added_claims, placed, outcome.found,
                     [d for d in outcome.found if d.discrepancy_id not in before],
                     errors=errors + outcome.errors, timings=timings, run_id=run_id)


def read_new_files(folder: Path, files: list[Path], settings: Settings, store: Store, known: set[str],
                   errors: list[SourceError], progress: Progress, timings: dict[str, float]
                   ) -> tuple[list[Source], list[Body]]:
    """Sources and cleaned bodies of the files not in ``known`` (source ids already in the store);
    the others become errors. Raises ``NoSourcesError`` when none is left."""
    with timed(timings, "ingest"):
        manifest = ingest.read_manifest(folder / settings.manifest_name, folder=folder,
                                        only={f.name for f in files}, errors=errors)
        prepared = PreparedArticles(store, bulk=False)
        loaded: list[Source] = []
        for path in files:
            got, failed = ingest.load_file(path, folder, settings, manifest.get(path.name), prepared)
            errors += failed
            for src in got:
                if src.source_id in known:
                    errors.append(SourceError(src.name, "is already in the store",
                                              f"{RERUN} to read changed files again").with_action(RERUN))
                else:
                    known.add(src.source_id)
                    loaded.append(src)
        progress("ingest", len(loaded), len(loaded))
    with timed(timings, "clean"):
        sources, bodies = clean_all(loaded, settings, errors, progress, prepared)
    if not sources:
        raise NoSourcesError(f"nothing added: none of the {len(files)} file(s) could be read as a new article",
                             errors)
    return sources, bodies


@dataclass
class StoryOutcome:
    """What comparing the stories that gained articles gave, gathered for the store."""
    added_claims: list[Claim] = field(default_factory=list)
    story_claims: list[str] = field(default_factory=list)
    pairs: list[Alignment] = field(default_factory=list)
    clusters: list[FactCluster] = field(default_factory=list)
    found: list[Discrepancy] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)  # stories whose comparison failed


def compare_story(story: str, members: Sequence[str], new_sources: Sequence[Source], new_claims: Sequence[Claim],
                  settings: Settings, store: Store, progress: Progress, timings: dict[str, float],
                  outcome: StoryOutcome) -> None:
    """Align and compare one story again: its stored articles (claims and cached vectors from the
    store) with the new ones among ``members``; the results go to ``outcome``."""
    new_ids, members = {s.source_id for s in new_sources}, set(members)
    with timed(timings, "align"):
        old_sources = store.sources_of([m for m in members if m not in new_ids])
        old_claims = store.claims_of([s.source_id for s in old_sources])
        mine = [c for c in new_claims if c.source_id in members]
        keyed = {c.claim_id: c for c in claims_stage.finalise(old_claims + mine)}  # keys in the story's context
        mine = [keyed[c.claim_id] for c in mine if c.claim_id in keyed]
        story_sources = old_sources + [s for s in new_sources if s.source_id in members]
        claims = old_claims + mine
        vectors = VectorQueue(settings, store, progress, timings).matrix([claim_text(c) for c in claims])
        stories = {sid: story for sid in members}
        aligned = align_stage.align(claims, vectors, story_sources, settings, stories)
        pairs, events, clusters = aligned.pairs, aligned.events, aligned.clusters
    with timed(timings, "compare"):
        found, fact_records = judge(claims, story_sources, pairs, events, clusters, stories, settings, outcome.errors)
        outcome.found += found
        outcome.facts += fact_records
    outcome.added_claims += mine
    outcome.pairs += pairs
    outcome.clusters += clusters
    outcome.story_claims += [c.claim_id for c in claims]


def write_store_outputs(store: Store, out: Path) -> dict[str, Path]:
    """claims.csv, discrepancies.csv and alignments.csv of what the store holds now (after ``add``)."""
    sources = store.sources_of()
    pairs, clusters = store.alignment_records()
    result = RunResult(sources, [], store.claims_of(), np.zeros((0, embed.DIM), dtype=np.float32), {}, pairs, [],
                       clusters, [], facts=store.fact_records())
    return write_outputs(result, out, store)


def write_outputs(result: RunResult, out: Path, store: Store | None) -> dict[str, Path]:
    """claims.csv, discrepancies.csv (one row per disputed fact, with its review from the store),
    facts.csv and alignments.csv."""
    if store is not None:
        rows = store.discrepancy_rows()
    else:
        rows = rows_without_store(result)
    return {
        "claims": export.write_claims(result.claims, result.sources, out / "claims.csv", result.facts),
        "discrepancies": export.write_discrepancies(rows, out / "discrepancies.csv"),
        "facts": export.write_facts(result.facts, out / "facts.csv"),
        "alignments": export.write_alignments(
            export.alignment_records(result.pairs, result.clusters, result.claims, result.sources, result.facts),
            out / "alignments.csv"),
    }


def rows_without_store(result: RunResult) -> list[dict]:
    from .store import claim_row, joined, source_row

    cmap = {c.claim_id: claim_row(c) for c in result.claims}
    smap = {s.source_id: source_row(s) for s in result.sources}
    out = []
    for rank, d in enumerate(result.discrepancies, 1):
        base = {"discrepancy_id": d.discrepancy_id, "kind": d.kind, "severity": d.severity,
                "confidence": d.confidence, "explanation": d.explanation, "claim_a": d.claim_a,
                "claim_b": d.claim_b, "detail": json.dumps(d.detail, default=str), "rank": rank,
                "active": True}
        out.append(joined(base, cmap, smap, {}))
    return out
