"""The pipeline on a cluster: Dask ``distributed`` runs the per-article work and the per-story
decisions as tasks (``pipeline.Engine``); this process keeps the rest.

On the workers: reading and cleaning each file from its bytes (``ingest.load_file``,
``clean.clean``), parsing whole articles (``claims.iter_article_claims``), the sentence model
(``embed.encode``) and one story's judgement (``pipeline.judge_story``). Each worker loads spaCy
and MiniLM once, when it joins (``LoadModels``). In this process: the folder and its manifest, the
caches, syndicated copies, the corpus-wide entity keys, stories and alignment, and the store, which
is written once, in one transaction, at the end of the run. Workers never open the store: they
need the code and the models, not the database, and a run whose cluster fails has stored nothing.

A worker that dies mid-run (killed, out of memory) loses only its tasks, which the scheduler
gives to the other workers; a task on which workers died ``distributed.scheduler.allowed-failures``
times (3) ends the run with one ``EngineError``.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import tempfile
import threading
from concurrent.futures import CancelledError
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
from distributed import Client, LocalCluster, as_completed
from distributed.comm.core import CommClosedError
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.scheduler import KilledWorker

from . import claims as claims_stage
from . import clean as clean_stage
from . import embed, ingest
from .config import Settings
from .errors import EngineError, ModelError
from .models import Body, Claim, Source

log = logging.getLogger(__name__)

# Files read and cleaned per task. A text file takes 1-2 ms, a saved HTML page 20-50 ms, and the
# scheduler spends about 1 ms on a task: 16 files keep that under a tenth of the work.
READ_TASK_FILES = 16
# ... and at most this many bytes of them (a task's bytes travel through the scheduler).
READ_TASK_BYTES = 2_000_000
# Whole articles parsed per task, about this many paragraphs: an ECB+ article has 10 and parses in
# 40 ms; 60 paragraphs is a quarter of a second a task, small enough that two workers finish
# within one task of each other, large enough that spaCy's per-call overhead stays below 5%.
PARSE_TASK_PARAGRAPHS = 60
# Claim texts embedded per task, consecutive in the length-sorted order (two batches of 64): the
# vectors are those of one ``embed.encode`` call over all texts (bench/cluster_bench.py checks it
# bit for bit), and 1,000 claims make 8 tasks, so two workers share them evenly.
EMBED_TASK_TEXTS = 128
# Seconds to reach a scheduler, and to wait for its first worker.
CONNECT_SECONDS = 30
WORKER_WAIT_SECONDS = 60

LogLine = tuple[str, int, str]  # logger name, level, message


class DaskEngine:
    """A Dask client whose workers hold the models: the ``engine`` of ``pipeline.run`` and ``add``.

    ``DaskEngine.start(settings, scheduler=ADDRESS)`` uses a running cluster; without an address it
    starts a ``LocalCluster`` of ``workers`` processes on this machine (one thread each: the parse
    holds Python's lock and the model runs one torch thread per worker, so a process per core is
    what uses the cores). ``close`` (or the end of a ``with`` block) ends what it started."""

    def __init__(self, client: Client, cluster: LocalCluster | None = None):
        self.client, self.cluster = client, cluster

    @classmethod
    def start(cls, settings: Settings, *, scheduler: str | None = None, workers: int | None = None) -> "DaskEngine":
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler, timeout=CONNECT_SECONDS)
            else:
                cluster = LocalCluster(n_workers=workers or settings.workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
                client = Client(cluster)
        except (OSError, TimeoutError) as exc:
            if cluster is not None:
                cluster.close()
            if not scheduler:
                raise EngineError(f"cannot start a Dask cluster on this machine ({type(exc).__name__}: "
                                  f"{str(exc)[:120]}) — check that local ports can be opened") from None
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: "
                              f"{str(exc)[:120]}) — start the scheduler (`dask scheduler`) and give its address, "
                              "tcp://HOST:8786") from None
        engine = cls(client, cluster)
        try:
            engine.ready(settings, own=cluster is not None)
        except BaseException:
            engine.close()
            raise
        return engine

    def ready(self, settings: Settings, *, own: bool) -> None:
        """Wait for a worker, load the models on every worker (and on those that join later), and
        check that the workers run the same factcheck as this process."""
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError:
            raise EngineError(f"no worker joined the Dask scheduler {self.client.scheduler.address} within "
                              f"{WORKER_WAIT_SECONDS} s — start workers with `dask worker ADDRESS`") from None
        try:
            self.client.register_plugin(LoadModels(settings.model_package, settings.embedding_backend,
                                                   ignore_interrupt=own), name=LoadModels.name)
            versions = self.client.run(code_versions)
        except (ImportError, ModelError) as exc:  # raised on a worker
            raise EngineError(f"a worker cannot run factcheck ({type(exc).__name__}: {str(exc)[:120]}) — install "
                              "factcheck, the same version as here, on every worker (pip install -e '.[cluster]')"
                              ) from None
        mine = code_versions()
        for address, theirs in versions.items():
            if theirs != mine:
                raise EngineError(f"the worker {address} runs other factcheck code than this machine "
                                  f"({', '.join(k for k in mine if mine[k] != theirs.get(k))} differ) — install the "
                                  "same version of factcheck on every worker")

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def workers(self) -> int:
        return len(self.client.nthreads())

    # --- the pipeline's hooks (pipeline.Engine) ---------------------------------------------

    def prepare(self, files: Sequence[tuple[str, str, bytes, dict | None]], settings: Settings,
                progress: Callable[[str, int, int], None] | None = None) -> dict[str, tuple[Source, Body]]:
        groups = file_groups(files)
        out: dict[str, tuple[Source, Body]] = {}
        done = 0
        for i, (prepared, lines) in self._completed(read_and_clean, groups, "reading", settings=settings):
            out.update(prepared)
            replay(lines)
            done += len(groups[i])
            if progress:
                progress("ingest", done, len(files))
        return out

    def article_claims(self, sources: Sequence[Source], bodies: Sequence[Body], settings: Settings, *,
                       progress: Callable[[int, int], None] | None = None) -> Iterator[list[Claim]]:
        by_id = {s.source_id: s for s in sources}
        groups = article_groups(bodies)
        work = [([by_id[bodies[i].source_id] for i in g], [bodies[i] for i in g]) for g in groups]
        for n, (_, (claims, lines)) in enumerate(self._completed(parse_articles, work, "parse", settings=settings), 1):
            replay(lines)
            yield claims
            if progress:
                progress(n, len(work))

    def encode(self, texts: Sequence[str], *, package: str, backend: str, batch_size: int,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), embed.DIM), dtype=np.float32)
        order = embed.longest_first(texts)
        chunks = [order[i:i + EMBED_TASK_TEXTS] for i in range(0, len(order), EMBED_TASK_TEXTS)]
        done = 0
        for i, rows in self._completed(encode_texts, [[texts[j] for j in c] for c in chunks], "embedding",
                                       model=(package, backend, batch_size)):
            out[chunks[i]] = rows
            done += len(chunks[i])
            if progress:
                progress(done, len(texts))
        return out

    def map_stories(self, fn: Callable, parts: Sequence, settings: Settings) -> list:
        results: list = [None] * len(parts)
        for i, (result, lines) in self._completed(judge_task, parts, "comparison", story_fn=fn, settings=settings):
            replay(lines)
            results[i] = result
        return results

    # --- tasks ---------------------------------------------------------------------------------

    def _completed(self, task: Callable, items: Sequence, stage: str, **kwargs) -> Iterator[tuple[int, object]]:
        """``(index, task(item, **kwargs))`` as the tasks finish. A lost scheduler, or a task on which
        workers died too often, is one ``EngineError``; a task that raised raises here what it raised.
        Either way the tasks left are cancelled."""
        if not items:
            return
        futures = self.client.map(task, list(items), pure=False, **kwargs)
        index = {f.key: i for i, f in enumerate(futures)}
        failed: BaseException | None = None
        try:
            for future in as_completed(futures):
                if future.status == "error":
                    failed = future.exception()
                    if isinstance(failed, KilledWorker):
                        raise EngineError(f"the {stage} stopped: {failed.allowed_failures + 1} worker(s) died running "
                                          f"one of its tasks, the last {failed.last_worker.address} — check the "
                                          "workers' memory and logs; nothing was stored") from None
                    break
                yield index[future.key], future.result()
        except (CommClosedError, CancelledError, OSError, TimeoutError) as exc:
            raise EngineError(f"the {stage} stopped: the Dask scheduler was lost ({type(exc).__name__}) — check that "
                              "it runs; nothing was stored") from None
        finally:
            self.client.cancel([f for f in futures if not f.done()])
        if failed is not None:
            raise failed  # the task's own failure, as it would be raised in this process


# --- what runs on the workers --------------------------------------------------------------------

class LoadModels(WorkerPlugin):
    """Loads spaCy and the sentence model when a worker joins (also a worker restarted after a
    crash), so that no task waits for them; sends the worker's factcheck log lines back with the
    results of its tasks (``task_logs``) instead of to the worker's own log."""

    name = "factcheck-models"

    def __init__(self, package: str, backend: str, *, ignore_interrupt: bool = False):
        self.package, self.backend, self.ignore_interrupt = package, backend, ignore_interrupt

    async def setup(self, worker) -> None:
        if self.ignore_interrupt and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C at this machine's terminal: the client decides
        task_logs()
        logger = logging.getLogger("factcheck")
        logger.setLevel(logging.WARNING)
        logger.propagate = False  # sent back with the tasks' results (captured_logs), not logged here
        await asyncio.get_running_loop().run_in_executor(None, self.load)  # the worker keeps answering meanwhile

    def load(self) -> None:
        claims_stage.load_nlp()
        embed.load_model(self.package, self.backend)


class TaskLogs(logging.Handler):
    """factcheck's log lines (warnings and above) of the task running in each thread of a worker."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.open: dict[int, list[LogLine]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        lines = self.open.get(record.thread)
        if lines is not None:
            lines.append((record.name, record.levelno, record.getMessage()))


_TASK_LOGS: TaskLogs | None = None


def task_logs() -> TaskLogs:
    """This process's ``TaskLogs`` handler, on the ``factcheck`` logger (added once)."""
    global _TASK_LOGS
    if _TASK_LOGS is None:
        _TASK_LOGS = TaskLogs()
        logging.getLogger("factcheck").addHandler(_TASK_LOGS)
    return _TASK_LOGS


@contextmanager
def captured_logs() -> Iterator[list[LogLine]]:
    """The log lines of the block, to send back with the task's result."""
    handler, me = task_logs(), threading.get_ident()
    handler.open[me] = lines = []
    try:
        yield lines
    finally:
        handler.open.pop(me, None)


def replay(lines: Sequence[LogLine]) -> None:
    """Log a task's lines here, as if the work had run in this process."""
    for name, level, message in lines:
        logging.getLogger(name).log(level, "%s", message)


def code_versions() -> dict[str, str]:
    """What must be the same here and on every worker: the code that reads, cleans and parses."""
    from . import pipeline

    return {"reading and cleaning": pipeline.prepare_fingerprint(), "claims": claims_stage.extractor_fingerprint()}


def read_and_clean(files: Sequence[tuple[str, str, bytes, dict | None]], settings: Settings
                   ) -> tuple[dict[str, tuple[Source, Body]], list[LogLine]]:
    """Task: each file read from its bytes as ``ingest.load_file`` reads it from the folder, and
    cleaned. Only files that give one article without error are returned: the client reads the
    others itself and reports what is wrong with them, as a run without an engine does; URL lists
    are left to it too (it fetches them)."""
    out, kept = {}, []
    with tempfile.TemporaryDirectory(prefix="factcheck-read-") as tmp:
        for key, name, data, meta in files:
            with captured_logs() as lines:
                got = read_one(Path(tmp), name, data, meta, settings)
            if got is not None:
                out[key] = got
                kept += lines
    return out, kept


def read_one(folder: Path, name: str, data: bytes, meta: dict | None, settings: Settings
             ) -> tuple[Source, Body] | None:
    if Path(name).name != name:
        return None
    path = folder / name
    try:
        if ingest.is_url_list(ingest.decode(data, name)):
            return None
        path.write_bytes(data)
        sources, errors = ingest.load_file(path, folder, settings, meta)
        if len(sources) != 1 or errors:
            return None
        return sources[0], clean_stage.clean(sources[0], settings)
    except Exception:  # noqa: BLE001 — the client reads the file again and reports what is wrong
        log.debug("reading %s on a worker failed", name, exc_info=True)
        return None
    finally:
        path.unlink(missing_ok=True)


def parse_articles(work: tuple[list[Source], list[Body]], settings: Settings) -> tuple[list[Claim], list[LogLine]]:
    """Task: the claims of whole articles, each on its own (this worker is the pool: one process)."""
    sources, bodies = work
    with captured_logs() as lines:
        one = dataclasses.replace(settings, workers=1)
        claims = [c for part in claims_stage.iter_article_claims(sources, bodies, one) for c in part]
    return claims, lines


def encode_texts(texts: list[str], *, model: tuple[str, str, int]) -> np.ndarray:
    """Task: vectors of texts already in length order; ``model`` is (package, backend, batch size)."""
    package, backend, batch_size = model
    return embed.encode(texts, package=package, backend=backend, batch_size=batch_size)


def judge_task(part, *, story_fn: Callable, settings: Settings) -> tuple[object, list[LogLine]]:
    """Task: one story's judgement (``story_fn``: ``pipeline.judge_story``)."""
    with captured_logs() as lines:
        result = story_fn(part, settings)
    return result, lines


# --- how the work is cut into tasks ----------------------------------------------------------------

def file_groups(files: Sequence[tuple[str, str, bytes, dict | None]]) -> list[list]:
    """Consecutive files, at most ``READ_TASK_FILES`` and about ``READ_TASK_BYTES`` a group."""
    groups: list[list] = [[]]
    size = 0
    for f in files:
        if groups[-1] and (len(groups[-1]) >= READ_TASK_FILES or size + len(f[2]) > READ_TASK_BYTES):
            groups.append([])
            size = 0
        groups[-1].append(f)
        size += len(f[2])
    return [g for g in groups if g]


def article_groups(bodies: Sequence[Body]) -> list[list[int]]:
    """Indices of consecutive whole articles, about ``PARSE_TASK_PARAGRAPHS`` paragraphs a group."""
    groups: list[list[int]] = [[]]
    size = 0
    for i, b in enumerate(bodies):
        if groups[-1] and size + len(b.paragraphs) > PARSE_TASK_PARAGRAPHS:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += len(b.paragraphs)
    return [g for g in groups if g]
