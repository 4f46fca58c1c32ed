"""The pipeline on a Dask cluster (``factcheck.engine``): a run on two worker processes gives the
answers a run in one process gives, byte for byte; a worker killed mid-run is replaced and the run
completes, and one that keeps dying stops the run in one line with nothing stored; PostgreSQL as
the shared store; the command line."""
from __future__ import annotations

import os
import signal

import pytest
from click.testing import CliRunner

from factcheck import ecb, engine, pipeline
from factcheck.cli import main
from factcheck.config import Settings
from factcheck.errors import EngineError
from factcheck.models import Body, Paragraph
from factcheck.store import Store

from .conftest import ROOT, SHARED
from .test_postgres import pg_url  # noqa: F401 — the throw-away PostgreSQL server, as a fixture here

pytest.importorskip("distributed", reason="Dask not installed (pip install -e '.[test]')")

ECB = SHARED / "data" / "ecbplus" / "dev_topics_1-35.jsonl"
ECB_ARTICLES = 100  # the first of ECB+ dev: topics 1, 10, 11 and 12, both subtopics of each
OUTPUTS = ("claims.csv", "discrepancies.csv", "facts.csv", "alignments.csv")


def assert_same_answers(local, local_out, mine, my_out):
    for name in OUTPUTS:
        assert (my_out / name).read_bytes() == (local_out / name).read_bytes(), f"{name} differs"
    assert mine.discrepancies == local.discrepancies
    assert mine.facts == local.facts
    assert mine.stories == local.stories


def run_on(engine_, folder, out, **kw):
    out.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{out / 'factcheck.db'}")
    return pipeline.run(folder, Settings(), store=store, out=out, engine=engine_, **kw), store


@pytest.fixture(scope="module")
def ecb_local(tmp_path_factory):
    """The first ECB+ dev articles as a sources folder, and a run of it in this process."""
    if not ECB.exists():
        pytest.skip(f"{ECB} not found (the ECB+ data beside the checkout)")
    folder = ecb.write_sources(ecb.load(ECB)[:ECB_ARTICLES], tmp_path_factory.mktemp("ecb") / "sources")
    out = tmp_path_factory.mktemp("ecb_local")
    result, _ = run_on(None, folder, out)
    return folder, result, out


# --------------------------------------------------------------------------------------------
# the same answers


@pytest.mark.slow
def test_the_seeds_on_two_workers_give_the_answers_of_a_local_run(dask_engine, seed_run, tmp_path):
    local, _, local_out = seed_run
    mine, _ = run_on(dask_engine, ROOT / "sources", tmp_path)
    assert_same_answers(local, local_out, mine, tmp_path)
    assert (tmp_path / "claims.csv").read_bytes() == (ROOT / "claims.csv").read_bytes()


@pytest.mark.slow
def test_ecb_articles_on_two_workers_give_the_answers_of_a_local_run(dask_engine, ecb_local, tmp_path):
    folder, local, local_out = ecb_local
    assert len({*local.stories.values()}) > 5, "several stories: the stories are judged apart"
    story_of = {c.claim_id: local.stories[c.source_id] for c in local.claims}
    across = [f for f in local.facts if f.kind in pipeline.CORPUS_QUESTIONS
              and len({story_of[a.claim_id] for a in f.answers}) > 1]
    assert across, "a name spelled in two stories: the corpus's own questions are asked once"
    mine, _ = run_on(dask_engine, folder, tmp_path)
    assert_same_answers(local, local_out, mine, tmp_path)


class InProcess:
    """The story mapping of an engine, in this process (the rest of ``pipeline.Engine`` unused)."""

    def map_stories(self, fn, parts, settings):
        return [fn(p, settings) for p in parts]


@pytest.mark.slow
def test_stories_judged_apart_give_what_judging_them_at_once_gives(ecb_local, seed_run):
    for result in (ecb_local[1], seed_run[0]):
        args = (result.claims, result.sources, result.pairs, result.events, result.clusters, result.stories,
                Settings())
        assert pipeline.judge(*args, [], InProcess()) == pipeline.judge(*args, [])
        parts = pipeline.story_parts(*args[:6])
        assert sorted(c.claim_id for p in parts for c in p.claims) == sorted(c.claim_id for c in result.claims)
        assert sum(len(p.pairs) for p in parts) == len(result.pairs)


def test_the_work_is_cut_into_tasks_of_whole_articles():
    sizes = [50, 20, 5, 200, 1]
    bodies = [Body(str(i), "", tuple(Paragraph("x", 0, 1) for _ in range(n))) for i, n in enumerate(sizes)]
    groups = engine.article_groups(bodies)
    assert [i for g in groups for i in g] == list(range(5))
    assert all(sum(len(bodies[i].paragraphs) for i in g) <= engine.PARSE_TASK_PARAGRAPHS or len(g) == 1 for g in groups)
    files = [(str(i), f"{i}.txt", b"x" * 700_000, None) for i in range(7)]
    assert [len(g) for g in engine.file_groups(files)] == [2, 2, 2, 1]


@pytest.mark.slow
def test_a_workers_log_lines_are_said_here(dask_engine, tmp_path, caplog):
    folder = tmp_path / "src"
    folder.mkdir()
    text = (ROOT / "sources" / "003_13ab6dc0d62df074.txt").read_text(encoding="utf-8")
    (folder / "nameless.txt").write_text(text.split("\n", 1)[1], encoding="utf-8")  # no "Outlet - Title" line
    with caplog.at_level("WARNING", logger="factcheck"):
        run_on(dask_engine, folder, tmp_path / "out")
    said = [r.getMessage() for r in caplog.records if "no outlet found" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("nameless.txt")


# --------------------------------------------------------------------------------------------
# workers that die


def worker_pids(engine_) -> dict[str, int]:
    return engine_.client.run(os.getpid)


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_replaced_and_the_run_gives_the_same_answers(dask_engine, ecb_local, tmp_path):
    folder, local, local_out = ecb_local
    before = worker_pids(dask_engine)
    killed = []

    def kill_one(stage, done, total):
        if stage == "claims" and done >= 1 and not killed:  # the parse is under way on both workers
            busy = [a for a, keys in dask_engine.client.processing().items() if keys]
            killed.append(before[busy[0]])
            os.kill(killed[0], signal.SIGKILL)

    mine, _ = run_on(dask_engine, folder, tmp_path, progress=kill_one)
    assert killed
    assert_same_answers(local, local_out, mine, tmp_path)
    dask_engine.client.wait_for_workers(2, timeout=120)
    assert killed[0] not in worker_pids(dask_engine).values(), "the nanny started a new worker"


@pytest.mark.slow
def test_a_task_whose_workers_keep_dying_stops_the_run_in_one_line_and_stores_nothing(dask_engine, ecb_local,
                                                                                       tmp_path):
    folder = ecb_local[0]
    scheduler = dask_engine.cluster.scheduler
    saved, scheduler.allowed_failures = scheduler.allowed_failures, 0  # the first death of a task's worker ends it
    pids = worker_pids(dask_engine)

    def kill_one(stage, done, total):
        if stage == "claims" and done == 1:
            busy = [a for a, keys in dask_engine.client.processing().items() if keys]
            os.kill(pids[busy[0]], signal.SIGKILL)

    try:
        with pytest.raises(EngineError) as failed:
            run_on(dask_engine, folder, tmp_path, progress=kill_one)
    finally:
        scheduler.allowed_failures = saved
    message = str(failed.value)
    assert "\n" not in message and message.startswith("the parse stopped: 1 worker(s) died") \
        and message.endswith("nothing was stored")
    store = Store(f"sqlite:///{tmp_path / 'factcheck.db'}")
    assert store.last_run() is None and not store.has_story_index()
    assert {k: v for k, v in store.counts().items()} == dict.fromkeys(store.counts(), 0)
    dask_engine.client.wait_for_workers(2, timeout=120)


# --------------------------------------------------------------------------------------------
# PostgreSQL, shared by the team, written by the run's own process


@pytest.mark.slow
def test_a_run_on_the_engine_into_postgres_keeps_reviews_across_reruns(dask_engine, pg_url,  # noqa: F811
                                                                       seed_run, tmp_path):
    _, local_store, local_out = seed_run
    store = Store(pg_url)
    result = pipeline.run(ROOT / "sources", Settings(), store=store, out=tmp_path, engine=dask_engine)
    assert (tmp_path / "claims.csv").read_bytes() == (local_out / "claims.csv").read_bytes()
    shown = ("discrepancy_id", "rank", "kind", "explanation", "value_a", "value_b")
    rows = store.discrepancy_rows()
    assert [[r.get(k) for k in shown] for r in rows] == \
        [[r.get(k) for k in shown] for r in local_store.discrepancy_rows()]
    target = rows[0]["discrepancy_id"]
    store.set_review(target, status="confirmed", note="checked with the airline", reviewer="ana", expected_version=0)
    again = pipeline.run(ROOT / "sources", Settings(), store=store, engine=dask_engine)
    assert again.discrepancies == result.discrepancies
    review = store.review(target)
    assert (review["status"], review["note"]) == ("confirmed", "checked with the airline")


# --------------------------------------------------------------------------------------------
# the command line


@pytest.mark.slow
def test_cli_runs_a_folder_on_a_running_scheduler(dask_engine, seed_run, tmp_path):
    address = dask_engine.client.scheduler.address
    out = tmp_path / "out"
    got = CliRunner().invoke(main, ["run", str(ROOT / "sources"), "--out", str(out), "--no-progress",
                                    "--db", f"sqlite:///{tmp_path / 'fc.db'}", "--engine", "dask",
                                    "--scheduler", address])
    assert got.exit_code == 0, (got.output, got.exception)
    assert (out / "claims.csv").read_bytes() == (seed_run[2] / "claims.csv").read_bytes()
    assert dask_engine.workers >= 1 and dask_engine.client.submit(sum, [1, 2]).result() == 3, \
        "a client that connected and left leaves the cluster running"


@pytest.mark.parametrize("args, line", [
    (["--scheduler", "tcp://127.0.0.1:8786"], "error: --scheduler and --workers go with --engine dask"),
    (["--workers", "2"], "error: --scheduler and --workers go with --engine dask"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"],
     "error: give --scheduler (a running cluster) or --workers (a cluster started here), not both"),
])
def test_cli_engine_options_that_do_not_go_together_are_one_line(tmp_path, args, line):
    got = CliRunner().invoke(main, ["run", str(ROOT / "sources"), "--out", str(tmp_path), "--db",
                                    f"sqlite:///{tmp_path / 'fc.db'}", *args])
    assert got.exit_code == 1
    assert got.output.strip() == line
    assert not (tmp_path / "claims.csv").exists()


def test_a_scheduler_nobody_runs_is_one_line(monkeypatch):
    monkeypatch.setattr(engine, "CONNECT_SECONDS", 1)
    with pytest.raises(EngineError, match=r"^cannot reach the Dask scheduler at tcp://127.0.0.1:9 .* give its address"):
        engine.DaskEngine.start(Settings(), scheduler="tcp://127.0.0.1:9")

