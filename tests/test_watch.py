"""``factcheck watch``: files that arrive in the folder are added to the store's analysis once each,
only when complete, in batches; reviews given meanwhile survive; Ctrl-C stops cleanly."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from factcheck import pipeline, watch
from factcheck.config import Settings
from factcheck.errors import StoreError
from factcheck.store import Store
from factcheck.watch import FolderWatch

from .conftest import ROOT

SEEDS = ["000_55768cfb15f1a5b8.txt", "003_13ab6dc0d62df074.txt"]

# Three articles written for these tests: the second is of the seeds' story, the others of stories
# of their own.
ARTICLES = {
    "bridge.txt": """Riverside Gazette - Harlow Street bridge shut for repairs

The Harlow Street toll bridge in Eastmoor closed on Monday after inspectors found cracks in four of its 22 steel girders, the county highways department said.
Repairs will take at least 14 weeks and cost about 3.2 million dollars, according to the department.
Mayor Linda Okafor said a free shuttle bus would carry passengers between the two banks while the bridge is closed.
""",
    "caspian.txt": """Caspian Herald - Baku and Moscow trade blame over the downed airliner

Azerbaijan's President Ilham Aliyev said on Monday that the Azerbaijan Airlines jet which crashed near Aktau in Kazakhstan had been hit by Russian air defence fire over Grozny.
Moscow has said the plane flew into a flock of birds, and the Kremlin has not accepted responsibility for the crash, which killed 38 of the 67 people aboard.
Relations between Russia and Azerbaijan worsened further after police in Yekaterinburg raided the homes of ethnic Azerbaijanis and two brothers died in custody.
""",
    "ferry.txt": """Harbour Times - Island ferry returns after a month in dry dock

The ferry between Portmere and the island of Gullholm resumed sailing on Friday after four weeks of engine repairs, the operator Northsea Lines said.
Three crossings a day will run until the summer timetable starts in June, the company said.
Islanders had relied on a smaller boat that carries 40 passengers and no cars while the ferry was away.
""",
}


class Clock:
    """Time the watch reads, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float = watch.SETTLE_SECONDS) -> None:
        self.now += seconds


def seeds_folder(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    for name in [*SEEDS, "sources.csv"]:
        shutil.copy(ROOT / "sources" / name, folder / name)
    return folder


@pytest.fixture
def watched(tmp_path):
    """The seeds run into a store, and a watch of their folder on a clock the test moves."""
    folder = seeds_folder(tmp_path)
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    pipeline.run(folder, Settings(), store=store)
    clock = Clock()
    watcher = FolderWatch(folder, Settings(), store, clock=clock)
    watcher.start()
    return folder, store, watcher, clock


def drop(folder, name: str) -> None:
    (folder / name).write_text(ARTICLES[name], encoding="utf-8")


def stored_names(store: Store) -> list[str]:
    return sorted(s.name for s in store.sources_of())


@pytest.mark.slow
def test_three_files_dropped_one_by_one_are_each_added_once_and_a_review_survives(watched):
    folder, store, watcher, clock = watched
    assert watcher.step() is None, "the seeds are in the store already"
    [spelling] = [r for r in store.discrepancy_rows() if r["kind"] == "name_variant"]  # Ilhan / Ilham Aliyev
    target = spelling["discrepancy_id"]
    review = None
    for n, name in enumerate(ARTICLES):
        drop(folder, name)
        assert watcher.step() is None, "a file just seen may still be being written"
        clock.wait()
        batch = watcher.step()
        assert batch is not None and batch.added == [name] and not batch.addition.errors
        clock.wait()
        assert watcher.step() is None, "an added file is not added again"
        result = batch.addition.result
        joined = result.stories[result.sources[0].source_id][0]
        if n == 0:  # the review is given between two files
            assert not joined
            review = store.set_review(target, status="confirmed", note="his office spells it Ilham", reviewer="ana",
                                      expected_version=0)
        elif n == 1:
            assert joined, "the second article joins the seeds' story, which is compared again"
            assert target in {d.discrepancy_id for d in result.discrepancies}
        kept = store.review(target)
        assert (kept["status"], kept["note"], kept["version"]) == ("confirmed", "his office spells it Ilham",
                                                                   review["version"])
    assert target in {r["discrepancy_id"] for r in store.discrepancy_rows()}
    assert stored_names(store) == sorted([*SEEDS, *ARTICLES])
    assert (watcher.batches, watcher.added) == (3, 3)


@pytest.mark.slow
def test_a_file_half_written_is_read_only_once_complete(watched):
    folder, store, watcher, clock = watched
    text = ARTICLES["bridge.txt"]
    path = folder / "bridge.txt"
    path.write_text(text[:len(text) // 2], encoding="utf-8")
    assert watcher.step() is None
    clock.wait(1)
    with path.open("a", encoding="utf-8") as fh:  # the writer goes on
        fh.write(text[len(text) // 2:])
    clock.wait(5)
    assert watcher.step() is None, "the file changed since the last look"
    clock.wait()
    batch = watcher.step()
    assert batch.added == ["bridge.txt"]
    [stored] = [s for s in store.sources_of() if s.name == "bridge.txt"]
    assert stored.raw.strip() == text.strip()


def test_a_file_refused_is_said_once_and_tried_again_when_it_changes(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    monkeypatch.setattr(store, "has_story_index", lambda: True)  # as if the folder had been run
    clock = Clock()
    watcher = FolderWatch(folder, Settings(), store, clock=clock)
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    watcher.step()
    clock.wait()
    batch = watcher.step()
    assert batch.added == [] and "binary" in str(batch.addition.errors[0])
    clock.wait()
    assert watcher.step() is None, "the same file is not tried again"
    (folder / "photo.txt").write_bytes(b"")
    watcher.step()
    clock.wait()
    assert "empty" in str(watcher.step().addition.errors[0]), "a changed file is tried again"


def test_a_batch_that_meets_a_busy_store_is_tried_again(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    monkeypatch.setattr(store, "has_story_index", lambda: True)
    calls = []

    def add_to_folder(items, folder, settings, *, store, engine=None):
        calls.append([name for name, _ in items])
        if len(calls) == 1:
            raise StoreError("the store is busy (another writer holds it)")
        from factcheck.folder import Addition
        return Addition()

    monkeypatch.setattr(watch, "add_to_folder", add_to_folder)
    clock = Clock()
    watcher = FolderWatch(folder, Settings(), store, clock=clock)
    drop(folder, "ferry.txt")
    watcher.step()
    clock.wait()
    assert "busy" in str(watcher.step().retry)
    assert watcher.step() is not None and len(calls) == 2, "tried again at the next look"
    clock.wait()
    assert watcher.step() is None and len(calls) == 2


@pytest.mark.slow
def test_with_no_run_in_the_store_the_first_batch_runs_the_folder(tmp_path):
    folder = seeds_folder(tmp_path)
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    clock = Clock()
    watcher = FolderWatch(folder, Settings(), store, clock=clock)
    watcher.start()
    watcher.step()
    clock.wait()
    batch = watcher.step()
    assert batch.run is not None and sorted(batch.added) == SEEDS
    drop(folder, "bridge.txt")
    watcher.step()
    clock.wait()
    assert watcher.step().added == ["bridge.txt"]
    assert stored_names(store) == sorted([*SEEDS, "bridge.txt"])


def test_ctrl_c_ends_the_watch_and_what_was_added_stays(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    looks = []

    def sleep(seconds):
        looks.append(seconds)
        if len(looks) == 3:
            raise KeyboardInterrupt

    watcher = FolderWatch(folder, Settings(), store, settle_seconds=0)
    watcher.watch(interval=0.5, sleep=sleep)  # returns: no traceback, no exception
    assert looks == [0.5, 0.5, 0.5]


class Counting:
    """An engine that counts what it is given (and passes it on)."""

    def __init__(self, engine):
        self.engine, self.calls = engine, []

    def __getattr__(self, name):
        method = getattr(self.engine, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


@pytest.mark.slow
def test_a_watch_on_the_engine_parses_and_embeds_there(dask_engine, watched):
    folder, store, _, clock = watched
    engine = Counting(dask_engine)
    watcher = FolderWatch(folder, Settings(), store, engine=engine, clock=clock)
    watcher.start()
    drop(folder, "ferry.txt")
    watcher.step()
    clock.wait()
    assert watcher.step().added == ["ferry.txt"]
    assert {"article_claims", "encode"} <= set(engine.calls)


def test_the_watch_command_stops_on_ctrl_c_in_one_line(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "factcheck", "watch", str(folder), "--interval", "0.2",
                             "--db", f"sqlite:///{tmp_path / 'fc.db'}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        first = proc.stdout.readline()
        assert first.startswith(f"watching {folder}")
        time.sleep(1)  # a few looks at the folder
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.strip() == f"stopped watching {folder}: 0 article(s) added in 0 batch(es)"
    assert "Traceback" not in err
