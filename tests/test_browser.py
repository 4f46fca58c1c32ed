"""The dashboard in a real browser: a fact-checker confirms a conflict and downloads the editors' CSV;
hostile article text stays text. Needs Debian's Chromium at /usr/bin/chromium (CI installs it)."""
from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_store import make_store

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"streamlit did not answer on port {port} within {timeout:.0f} s")


@pytest.fixture
def dashboard(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (Debian: apt-get install chromium); CI installs it")
    pytest.importorskip("playwright.sync_api", reason="needs the playwright package (pip install -e '.[test]')")
    store = make_store(tmp_path)
    port = free_port()
    env = dict(os.environ, FACTCHECK_DB=store.url, FACTCHECK_SOURCES=str(tmp_path / "sources"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(port, proc)
        yield f"http://127.0.0.1:{port}/", store, tmp_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_confirm_download_and_hostile_text_in_chromium(dashboard):
    from playwright.sync_api import expect, sync_playwright

    url, store, tmp_path = dashboard
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1700}, accept_downloads=True)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            expect(page.get_by_text("Where the outlets disagree")).to_be_visible(timeout=30_000)

            # The Harbour Post headline carries a <script> tag: shown as text, never run.
            expect(page.locator(".fc-meta", has_text="<script>alert(1)</script>")).to_be_visible(timeout=15_000)
            assert not page.evaluate("Array.from(document.scripts).some(s => s.textContent.includes('alert(1)'))")

            page.get_by_label("Reviewer").fill("ana")
            page.get_by_label("Reviewer").press("Enter")
            first = next(r for r in store.discrepancy_rows() if r["kind"] == "quantity")["discrepancy_id"]
            page.get_by_role("button", name="✔ Confirm").click()
            expect(page.get_by_text("Marked confirmed.", exact=False)).to_be_visible(timeout=15_000)
            assert store.review(first)["status"] == "confirmed" and store.review(first)["reviewer"] == "ana"

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            with page.expect_download(timeout=15_000) as info:
                page.get_by_role("button", name=re.compile("Download CSV")).click()
            saved = tmp_path / "download.csv"
            info.value.save_as(saved)
            page.wait_for_timeout(300)  # a late alert() would show up here
        finally:
            browser.close()
    assert dialogs == []
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = {r["discrepancy_id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))}
    assert rows[first]["status"] == "confirmed" and rows[first]["reviewer"] == "ana"
    hyperlink = next(r for r in rows.values() if r["kind"] == "identifier")
    assert hyperlink["claim_a"].startswith("'=HYPERLINK(")
