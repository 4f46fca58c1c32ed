"""The command line: every command has help, bad input gets one clear line, nothing stored is lost."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from factcheck.cli import main

from .conftest import ROOT


def all_commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


def test_every_command_has_help_text():
    for path, cmd in all_commands(main):
        assert cmd.help and len(cmd.help) > 15, path
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "factcheck", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "run" in out.stdout and "clean" in out.stdout


def one_line_error(result) -> str:
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert lines, result.output
    assert "Traceback" not in result.stderr
    return lines[-1]


def test_missing_sources_folder_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["run", str(tmp_path / "nope"), "--out", str(tmp_path),
                                       "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0
    line = one_line_error(result)
    assert "nope" in line and line.startswith("error:")


def test_empty_sources_folder_is_one_clear_line(tmp_path):
    (tmp_path / "src").mkdir()
    result = CliRunner().invoke(main, ["run", str(tmp_path / "src"), "--out", str(tmp_path),
                                       "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0
    assert "src" in one_line_error(result)


@pytest.mark.slow
def test_bad_files_are_reported_and_the_rest_processed_and_reviews_kept(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "sources", src)
    db = f"sqlite:///{tmp_path / 'fc.db'}"
    runner = CliRunner()
    first = runner.invoke(main, ["run", str(src), "--out", str(tmp_path), "--db", db, "--no-progress"])
    assert first.exit_code == 0, first.output
    from factcheck.store import Store

    store = Store(db)
    target = store.discrepancy_rows()[0]["discrepancy_id"]
    store.set_review(target, status="confirmed", note="checked with the agency", reviewer="ana")

    (src / "empty.txt").write_text("")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 8)
    second = runner.invoke(main, ["run", str(src), "--out", str(tmp_path), "--db", db, "--no-progress"])
    assert second.exit_code == 0, second.output
    skipped = [l for l in second.stderr.splitlines() if l.startswith("skipped:")]
    assert any("empty.txt" in l for l in skipped) and any("binary.txt" in l for l in skipped), second.stderr
    assert all(len(l) < 300 for l in skipped)
    review = store.review(target)
    assert review["status"] == "confirmed" and review["note"] == "checked with the agency"
    assert re.search(r"2 sources", second.stdout)


def test_clean_prints_title_then_body(tmp_path):
    result = CliRunner().invoke(main, ["clean", str(ROOT / "sources" / "003_13ab6dc0d62df074.txt")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "# Azerbaijan defies Russia"
    assert "AED 4.356047" not in result.output and "Ilham Aliyev" in result.output


def test_clean_of_an_empty_file_is_one_clear_line(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("")
    result = CliRunner().invoke(main, ["clean", str(f)])
    assert result.exit_code != 0
    assert "empty.txt" in one_line_error(result)


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    setup = re.search(r"<!-- setup -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S).group(1).strip()
    test = re.search(r"<!-- test -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S).group(1).strip()
    assert setup in ci and test in ci


def test_a_folder_of_only_bad_files_lists_each_and_fails(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "empty.txt").write_text("")
    (src / "blob.txt").write_bytes(bytes(range(256)) * 8)
    result = CliRunner().invoke(main, ["run", str(src), "--out", str(tmp_path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert any(l.startswith("skipped: empty.txt") for l in lines)
    assert any(l.startswith("skipped: blob.txt") for l in lines)
    assert lines[-1].startswith("error:") and "2 file(s)" in lines[-1]


@pytest.mark.slow
def test_run_lists_its_stories_and_the_user_can_name_them_or_ask_for_one(tmp_path):
    from .test_add import BRIDGE

    src = tmp_path / "src"
    shutil.copytree(ROOT / "sources", src)
    (src / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'fc.db'}"
    runner = CliRunner()

    def run(*extra):
        result = runner.invoke(main, ["run", str(src), "--out", str(tmp_path), "--db", db, "--no-progress", *extra])
        assert result.exit_code == 0, result.output
        with open(tmp_path / "alignments.csv", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return result.stdout, {frozenset((r["source_a"], r["source_b"])) for r in rows}, {r["story_id"] for r in rows}

    seeds = frozenset(["000_55768cfb15f1a5b8.txt", "003_13ab6dc0d62df074.txt"])
    out, pairs, _ = run()
    assert seeds in pairs
    assert "2 stories (claims are compared only within a story):" in out
    assert re.search(r"1 article\(s\) — Riverside Gazette: Old toll bridge", out), out
    assert "--one-story" in out, "the listing says how to correct the grouping"
    assert not any("bridge.txt" in p for p in pairs)

    out, pairs, story_ids = run("--one-story")
    assert "stories (claims" not in out and len(story_ids) == 1, "one story: nothing to list"

    # the user names a story per article: the two seeds apart, whatever their words say
    manifest = src / "sources.csv"
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "story"])
        w.writeheader()
        for r, name in zip(rows, ["Moscow's account", "Baku's account"]):
            w.writerow({**r, "story": name})
    out, pairs, _ = run()
    assert "3 stories" in out and "  Moscow's account: 1 article(s) — Daily8 (AP)" in out
    assert "  Baku's account: 1 article(s) — The Japan Times" in out and "  story 1: 1 article(s)" in out
    assert seeds not in pairs, "no claim pairs across articles named into different stories"


def test_export_writes_claimreview_for_a_confirmed_fact_with_its_answer(tmp_path):
    import json

    from factcheck import claimreview

    from .test_store import make_store

    store = make_store(tmp_path)
    did = next(r["discrepancy_id"] for r in store.discrepancy_rows() if r["kind"] == "quantity")
    store.set_review(did, status="confirmed", reviewer="ana", answer="38", note="The police count is 38.")
    config = tmp_path / "factcheck.toml"
    out, reviews = tmp_path / "editors.csv", tmp_path / "claimreview.json"
    runner = CliRunner()
    refused = runner.invoke(main, ["export", "--db", store.url, "--out", str(out), "--claimreview", str(reviews)])
    assert refused.exit_code == 1 and "organisation" in refused.stderr
    config.write_text('organisation = "Quarry Checks"\nreview_url = "https://checks.example/quarry"\n', encoding="utf-8")
    result = runner.invoke(main, ["export", "--db", store.url, "--out", str(out), "--claimreview", str(reviews),
                                  "--config", str(config)])
    assert result.exit_code == 0, result.output
    written = json.loads(reviews.read_text(encoding="utf-8"))
    assert len(written) == 1, "one outlet on the one wrong side"
    review = written[0]
    assert claimreview.validate(review) == []
    assert review["claimReviewed"].startswith("At least 40 people were killed")
    assert review["itemReviewed"]["author"]["name"] == "Daily Ledger"
    assert review["url"] == f"https://checks.example/quarry#{did}"
    assert review["author"]["name"] == "Quarry Checks" and "38" in review["reviewRating"]["alternateName"]


def test_bad_paths_and_drivers_get_one_line_before_any_work(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(main, ["clean", str(tmp_path / "nonexistent.txt")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr and "Traceback" not in missing.output
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    db = tmp_path / "fc.db"
    below_a_file = runner.invoke(main, ["run", str(ROOT / "sources"), "--db", f"sqlite:///{db}",
                                        "--out", str(tmp_path / "afile" / "sub"), "--no-progress"])
    assert below_a_file.exit_code == 1 and "cannot write to the folder" in below_a_file.stderr
    assert not db.exists(), "nothing was run or stored"
    no_driver = runner.invoke(main, ["run", str(ROOT / "sources"), "--db", "postgresql://u:p@localhost/db",
                                     "--out", str(tmp_path), "--no-progress"])
    assert no_driver.exit_code == 1 and "driver" in no_driver.stderr and "[postgres]" in no_driver.stderr


def test_a_misspelt_check_is_one_line_before_any_work(tmp_path):
    config = tmp_path / "factcheck.toml"
    config.write_text('checks = ["quantityy"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(ROOT / "sources"), "--db", f"sqlite:///{tmp_path / 'fc.db'}",
                                       "--out", str(tmp_path), "--config", str(config), "--no-progress"])
    assert result.exit_code == 1 and "unknown check(s) 'quantityy'" in result.stderr and "quantity" in result.stderr
    assert not (tmp_path / "fc.db").exists()
