"""No worker of the parse's process pool outlives its run: ended, interrupted, or its parent killed."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factcheck import claims as claims_stage
from factcheck.claims import ParsePool
from factcheck.config import Settings
from factcheck.models import Body, Paragraph, Source, stable_id

ROOT = Path(__file__).resolve().parent.parent


def ended(pid: int) -> bool:
    """The process is gone, or a zombie waiting to be reaped by whoever adopted it."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
        except (FileNotFoundError, ProcessLookupError):
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def all_end(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(ended(p) for p in pids):
            return True
        time.sleep(0.1)
    return all(ended(p) for p in pids)


def test_workers_end_with_the_run():
    with ParsePool(2) as pool:
        pool.wait_ready()
        pids = [p.pid for p in pool.processes]
    assert len(pids) == 2
    assert all_end(pids, 5)


def test_workers_end_at_once_when_the_run_is_interrupted():
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), ParsePool(2) as pool:
        pool.wait_ready()
        pids = [p.pid for p in pool.processes]
        pool.executor.submit(time.sleep, 600)  # one worker busy for ten minutes
        raise KeyboardInterrupt
    assert all_end(pids, 10)
    assert time.monotonic() - started < 60  # the busy worker was not waited for


def test_workers_exit_when_their_parent_is_killed():
    script = ("import time\n"
              "from factcheck.claims import ParsePool\n"
              "pool = ParsePool(2)\n"
              "pool.wait_ready()\n"
              "pool.executor.submit(time.sleep, 600)\n"
              "print(*[p.pid for p in pool.processes], flush=True)\n"
              "time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
    finally:
        parent.kill()  # SIGKILL: no clean-up runs in the parent
        parent.wait()
    assert len(pids) == 2
    assert all_end(pids, 20)


def test_what_a_worker_logs_is_logged_in_the_run(caplog):
    villages = ", ".join(f"village {i}" for i in range(300))
    text = f"The list named {villages}. Officials said that 38 people died in the flood."
    src = Source(source_id=stable_id("list.txt"), name="list.txt", outlet="Test", raw=text)
    body = Body(src.source_id, "", (Paragraph(text, 0, len(text)),))
    with ParsePool(1) as pool:
        claims = pool.executor.submit(claims_stage._extract_serial, [src], [body], None, Settings()).result()
    assert [c.text for c in claims] == ["Officials said that 38 people died in the flood."]
    assert "list.txt: 1 sentence(s) longer than 2000 characters (max_sentence_chars) skipped" in caplog.text
