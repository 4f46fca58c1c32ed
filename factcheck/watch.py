"""Watching a sources folder: the files that arrive are added to the analysis in the store as they
come, in batches, by the policy of ``factcheck add`` (``folder.add_to_folder``), on an engine when
one is given.

A file is read only once it is complete: when its size and modification time have not changed
for ``settle_seconds`` (a download or a copy from another machine grows for a while; the names
such tools write meanwhile, ``.part``, ``.crdownload``, ``.~lock``, hidden files, are no articles
and are never read). Each version of a file is handled once: added, or refused with its reason;
it is tried again only when it changes. A batch that meets a busy store is tried again at the next
look; one interrupted (Ctrl-C) was not stored, and its files are added when the watch starts again.

The folder is polled (one ``stat`` per file per look): no dependency, and it works on network
folders, where file-system events often do not arrive. A folder of 10,000 files is looked at in
about 30 ms.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import ingest, pipeline
from .config import Settings
from .errors import NoSourcesError, StoreError
from .folder import Addition, add_to_folder
from .store import Store

log = logging.getLogger(__name__)

# Seconds a file must keep its size and modification time before it is read. A browser saving a
# page or a copy over a network folder writes in bursts well under a second apart; two seconds
# (one look at the folder with the default interval) let such a file finish without delaying a
# newsroom's feed noticeably.
SETTLE_SECONDS = 2.0
# Seconds between two looks at the folder.
POLL_SECONDS = 2.0
# Files added in one batch at most: a folder that receives a day's files at once is added in
# batches of this size, each stored (and shown) before the next is read.
MAX_BATCH_FILES = 200

Version = tuple[int, int]  # (size, mtime in ns)


@dataclass
class Batch:
    """What one look at the folder did."""
    files: list[str]  # the files it handled
    addition: Addition | None = None  # what adding them did
    run: pipeline.RunResult | None = None  # or: the folder's first run, when the store held none
    errors: list = field(default_factory=list)  # a first run's refusals
    retry: StoreError | None = None  # the store was busy: the files are tried again at the next look

    @property
    def added(self) -> list[str]:
        """Names of the articles that joined the analysis."""
        if self.run is not None:
            return [s.name for s in self.run.sources]
        result = self.addition.result if self.addition else None
        return [s.name for s in result.sources] if result is not None else []


class FolderWatch:
    """The files of ``folder`` that the store does not hold yet, added as they become complete."""

    def __init__(self, folder: str | Path, settings: Settings, store: Store, *, engine=None,
                 settle_seconds: float = SETTLE_SECONDS, max_batch: int = MAX_BATCH_FILES,
                 clock: Callable[[], float] = time.monotonic):
        self.folder, self.settings, self.store, self.engine = Path(folder), settings, store, engine
        self.settle_seconds, self.max_batch, self.clock = settle_seconds, max_batch, clock
        self.handled: dict[str, Version] = {}  # name -> the version of the file handled
        self.changing: dict[str, tuple[Version, float]] = {}  # name -> (version, since when it is so)
        self.batches = 0
        self.added = 0

    def start(self) -> None:
        """The files the store holds already (by name, or read before with these bytes) are not new."""
        if not self.store.has_story_index():
            return
        stored = {row["name"] for row in self.store.source_rows()}
        prepared = pipeline.PreparedArticles(self.store)
        manifest = ingest.read_manifest(self.folder / self.settings.manifest_name, folder=self.folder, errors=[])
        for path in ingest.candidate_files(self.folder, self.settings):
            try:
                version = stat_version(path)
                if path.name in stored or prepared.knows(path.name, path.read_bytes(), manifest.get(path.name)):
                    self.handled[path.name] = version
            except OSError:
                continue

    def ready(self) -> list[Path]:
        """Files new or changed since they were handled, unchanged for ``settle_seconds``."""
        now, ready, present = self.clock(), [], set()
        for path in ingest.candidate_files(self.folder, self.settings):
            try:
                version = stat_version(path)
            except OSError:
                continue
            present.add(path.name)
            if self.handled.get(path.name) == version:
                self.changing.pop(path.name, None)
                continue
            seen = self.changing.get(path.name)
            if seen is None or seen[0] != version:
                self.changing[path.name] = (version, now)
            elif now - seen[1] >= self.settle_seconds:
                ready.append(path)
        for gone in set(self.changing) - present:
            del self.changing[gone]
        return ready

    def step(self) -> Batch | None:
        """One look at the folder: add the files that are ready, if any."""
        ready = self.ready()
        if not ready:
            return None
        first = not self.store.has_story_index()
        if first and len(ready) < len(self.changing):
            return None  # a first run reads the whole folder: not while a file is still being written
        ready = ready if first else ready[:self.max_batch]
        versions = {p.name: self.changing[p.name][0] for p in ready}
        try:
            batch = self._first_run(ready) if first else self._add(ready)
        except StoreError as exc:
            log.debug("the store was busy", exc_info=True)
            return Batch([p.name for p in ready], retry=exc)
        for name, version in versions.items():
            self.handled[name] = version
            self.changing.pop(name, None)
        self.batches += 1
        self.added += len(batch.added)
        return batch

    def _add(self, ready: list[Path]) -> Batch:
        done = add_to_folder([(str(p), None) for p in ready], self.folder, self.settings, store=self.store,
                             engine=self.engine)
        return Batch([p.name for p in ready], addition=done)

    def _first_run(self, ready: list[Path]) -> Batch:
        try:
            result = pipeline.run(self.folder, self.settings, store=self.store, engine=self.engine)
        except NoSourcesError as exc:
            return Batch([p.name for p in ready], errors=[exc, *exc.errors])
        return Batch([p.name for p in ready], run=result, errors=list(result.errors))

    def watch(self, *, interval: float = POLL_SECONDS, on_batch: Callable[[Batch], None] | None = None,
              sleep: Callable[[float], None] = time.sleep, stop: Callable[[], bool] | None = None) -> None:
        """Look at the folder every ``interval`` seconds until Ctrl-C (or ``stop()`` is true); each
        batch goes to ``on_batch``. Ctrl-C during a batch leaves it unstored (added at the next start)."""
        try:
            self.start()
            while stop is None or not stop():
                batch = self.step()
                if batch is not None and on_batch is not None:
                    on_batch(batch)
                sleep(interval)
        except KeyboardInterrupt:
            log.debug("watch of %s stopped", self.folder)


def stat_version(path: Path) -> Version:
    st = path.stat()
    return st.st_size, st.st_mtime_ns
