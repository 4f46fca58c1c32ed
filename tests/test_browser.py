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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from factcheck.store import Store
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


def full_page_shot(page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, not the document, so
    the viewport is grown to the block's height for the shot (and restored after)."""
    size = page.viewport_size
    main = page.get_by_test_id("stMain")
    height = main.evaluate("e => e.scrollHeight")
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(300)  # let the grid canvases redraw at the new size
    main.evaluate("e => e.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def needs_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (Debian: apt-get install chromium); CI installs it")
    pytest.importorskip("playwright.sync_api", reason="needs the playwright package (pip install -e '.[test]')")


@contextmanager
def streamlit_on(store: Store, tmp_path: Path) -> Iterator[str]:
    """The dashboard served on a free local port over ``store``; yields its URL, stops it after."""
    port = free_port()
    env = dict(os.environ, FACTCHECK_DB=store.url, FACTCHECK_SOURCES=str(tmp_path / "sources"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def dashboard(tmp_path):
    """The dashboard over the hand-made store of tests.test_store (no models)."""
    needs_browser()
    store = make_store(tmp_path)
    with streamlit_on(store, tmp_path) as url:
        yield url, store, tmp_path


@pytest.fixture
def seed_dashboard(tmp_path):
    """The dashboard over a fresh store holding a real run (real models) on the two seed articles."""
    needs_browser()
    from factcheck import pipeline
    from factcheck.config import Settings

    store = Store(f"sqlite:///{tmp_path / 'fc.db'}")
    pipeline.run(ROOT / "sources", Settings(), store=store)
    with streamlit_on(store, tmp_path) as url:
        yield url, store, tmp_path


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
            assert store.review(first)["status"] == "confirmed" and store.review(first)["reviewer"] == "ana (unverified)"

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
    assert rows[first]["status"] == "confirmed" and rows[first]["reviewer"] == "ana (unverified)"
    hyperlink = next(r for r in rows.values() if r["kind"] == "identifier")
    assert hyperlink["claim_a"].startswith("'=HYPERLINK(")


@pytest.mark.slow
def test_fact_view_answer_and_fact_table_on_a_real_run_in_chromium(seed_dashboard):
    """A real run on the seed articles: the queue opens on a disputed fact; the crash's cause shows
    one card per side; a reviewer marks one side right, citing what was checked; the fact table has
    one row per fact and one column per outlet."""
    from playwright.sync_api import expect, sync_playwright

    url, store, _ = seed_dashboard
    rows = store.discrepancy_rows()
    crash = next(r for r in rows if r["kind"] == "attribution_conflict" and "(crash)" in r["question"])
    values = [s["value"] for s in crash["sides"]]
    assert set(values[:2]) == {"Azerbaijan's account", "Russia's account"}, values
    right = "Russia's account"
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1700})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            expect(page.get_by_text("Where the outlets disagree")).to_be_visible(timeout=30_000)
            review = page.get_by_role("tabpanel", name="Review queue")

            # The queue opens on the first open fact, its question as the heading.
            expect(review.get_by_role("heading", name=rows[0]["question"])).to_be_visible(timeout=15_000)

            # Pick the crash's cause in the picker (a combobox: open it, click the option).
            picker = page.get_by_role("combobox", name="Conflict under review")
            picker.click()
            page.get_by_role("option", name=re.compile(re.escape(crash["question"]))).click()
            expect(review.get_by_role("heading", name=crash["question"])).to_be_visible(timeout=15_000)
            expect(picker).to_have_value(re.compile(re.escape(crash["question"])))

            cards = review.locator(".fc-card", has=page.locator(".fc-quote"))
            expect(cards).to_have_count(len(crash["sides"]), timeout=15_000)
            for n, value in enumerate(values[:2], 1):
                card = cards.nth(n - 1)
                expect(card.locator(".fc-meta").first).to_have_text(f"Side {n}")
                expect(card.locator(".fc-quote")).to_have_text(value)
                for outlet in crash["sides"][n - 1]["outlets"]:
                    expect(card).to_contain_text(outlet)
            # each side's first claim shows in its paragraph; the others open on a click
            russia = cards.nth(values.index(right)).locator("xpath=ancestor::*[@data-testid='stColumn'][1]")
            expect(russia.locator(".fc-claim", has_text="bird strike")).to_be_visible()
            more = review.get_by_test_id("stExpander").filter(has_text="Azerbaijani authorities said the jet")
            more.locator("summary").click()
            expect(more.locator(".fc-claim", has_text=re.compile("air defen[cs]es"))).to_be_visible(timeout=5_000)

            page.get_by_label("Reviewer").fill("ana")
            page.get_by_label("Reviewer").press("Enter")
            page.get_by_role("radiogroup", name="Which answer is right?").get_by_text(right, exact=True).click()
            expect(page.get_by_role("radio", name=right)).to_be_checked(timeout=15_000)
            evidence = page.get_by_label("Source checked (URL or reference)")
            evidence.fill("https://example.org/investigation-report")
            evidence.press("Enter")
            expect(evidence).to_have_value("https://example.org/investigation-report")

            ARTIFACTS.mkdir(exist_ok=True)
            full_page_shot(page, ARTIFACTS / "fact_view.png")

            page.get_by_role("button", name="✔ Confirm").click()
            expect(page.get_by_text("Marked confirmed.", exact=False)).to_be_visible(timeout=15_000)
            saved = store.review(crash["discrepancy_id"])
            assert saved["status"] == "confirmed" and saved["reviewer"] == "ana (unverified)", saved
            assert saved["answer"] == right, saved
            assert saved["evidence"] == "https://example.org/investigation-report", saved

            page.get_by_role("tab", name="Fact table").click()
            facts = page.get_by_role("tabpanel", name="Fact table")
            table = facts.get_by_test_id("stDataFrame")
            # The grid is drawn on a canvas; the cells it draws are mirrored in an accessible table
            # inside the canvas (never "visible" to Playwright), which is what is read here.
            expect(table.get_by_test_id("data-grid-canvas")).to_be_visible(timeout=15_000)
            grid = table.get_by_role("grid", include_hidden=True)
            for outlet in ("Daily8 (AP)", "The Japan Times"):
                expect(grid.get_by_role("columnheader", name=outlet, exact=True, include_hidden=True)
                       ).to_have_count(1, timeout=15_000)
            spelled = grid.get_by_role("row", name=re.compile("How is Ilham Aliyev spelled"), include_hidden=True)
            expect(spelled).to_have_count(1)
            expect(spelled.get_by_role("gridcell", include_hidden=True)).to_have_text(
                ["⚠", "How is Ilham Aliyev spelled?", "spelling", "Ilhan Aliyev", "Ilham Aliyev"])
            expect(facts.get_by_role("combobox", name="Answers of the fact")).to_be_visible()
            full_page_shot(page, ARTIFACTS / "fact_table.png")
            page.wait_for_timeout(300)  # a late alert() would show up here
        finally:
            browser.close()
    assert dialogs == []
