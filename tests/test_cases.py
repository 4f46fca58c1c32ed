"""``factcheck eval cases``: gold patterns, labels and P@20 on hand-made run folders."""
from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from factcheck import cases
from factcheck.cli import main

GOLD = [
    {"id": "c-F1", "case": "ferry", "expect": "flag", "kind": "quantity", "pattern_a": r"120 injured",
     "pattern_b": r"95 injured", "note": "two tolls"},
    {"id": "c-F2", "case": "ferry", "expect": "flag", "kind": "name_variant", "pattern_a": "Qorgan",
     "pattern_b": "Korgan", "note": "one captain"},
    {"id": "c-N1", "case": "ferry", "expect": "no_flag", "kind": "quantity", "pattern_a": r"120 passengers",
     "pattern_b": r"128 people", "note": "parts and total"},
    {"id": "c-N2", "case": "ferry", "expect": "no_flag", "kind": "quantity", "pattern_a": r"at least 40",
     "pattern_b": r"\b44\b", "note": "a bound"},
]
ROWS = [  # rank, id, kind, claim_a, claim_b
    (1, "d1", "quantity", "Officials said 120 injured.", "The hospital counted 95 injured."),
    (2, "d2", "quantity", "The hospital counted 95 injured.", "Officials said 120 injured, police said."),
    (3, "d3", "quantity", "The ferry had 120 passengers and 8 crew.", "128 people were on board."),
    (4, "d4", "omission", "Only this outlet names the captain.", ""),
]


def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def folder(tmp_path):
    write(tmp_path / "gold.csv", cases.GOLD_COLUMNS, [[g[c] for c in cases.GOLD_COLUMNS] for g in GOLD])
    run = tmp_path / "ferry"
    run.mkdir()
    write(run / "discrepancies.csv", ["discrepancy_id", "rank", "kind", "claim_a", "claim_b", "claim_a_id", "claim_b_id"],
          [[i, r, k, a, b, "x", "y"] for r, i, k, a, b in ROWS])
    return tmp_path


def test_recall_violations_and_rows_per_found(folder):
    report = cases.eval_cases(folder / "gold.csv", [folder / "ferry"])
    (s,) = report.cases
    assert [g.id for g, h in s.flags if h] == ["c-F1"]
    assert [len(h) for g, h in s.flags] == [2, 0]  # the toll is reported twice, the name not at all
    assert [g.id for g, h in s.guards if h] == ["c-N1"]
    last = report.lines()[-1]
    assert "flag_recall=0.50 (1/2)" in last and "no_flag_violations=0.50 (1/2)" in last
    assert "rows_per_found=2.0" in last and "P@20" not in last


def test_p_at_20_counts_a_repeated_fact_once(folder):
    write(folder / "labels.csv", [*cases.LABEL_COLUMNS, "fact"],
          [["ferry", 1, "d1", "tp", "real", "injured"], ["ferry", 2, "d2", "tp", "labelled alone", "injured"],
           ["ferry", 3, "d3", "fp", "parts and total", ""]])
    report = cases.eval_cases(folder / "gold.csv", [folder / "ferry"], folder / "labels.csv")
    (s,) = report.cases
    assert [label for _, label in s.top] == ["tp", "dup", "fp", None]
    assert "P@20=0.25 (1/4) unlabelled=1" in report.lines()[-1]


def test_the_command_prints_the_figures(folder):
    out = CliRunner().invoke(main, ["eval", "cases", str(folder / "gold.csv"), str(folder / "ferry"), "--verbose"])
    assert out.exit_code == 0, out.output
    assert "MISSED" in out.output and "VIOLATED" in out.output
    assert out.output.strip().splitlines()[-1].startswith("all cases")


@pytest.mark.parametrize("problem, fragment", [
    ("bad regex", "not a valid regular expression"),
    ("no case", "no gold row has case"),
    ("bad label", "write one of tp, dup, fp"),
])
def test_bad_benchmark_files_are_one_clear_error(folder, problem, fragment):
    args = ["eval", "cases", str(folder / "gold.csv"), str(folder / "ferry")]
    if problem == "bad regex":
        write(folder / "gold.csv", cases.GOLD_COLUMNS, [["x", "ferry", "flag", "quantity", "(unclosed", "", ""]])
    elif problem == "no case":
        write(folder / "gold.csv", cases.GOLD_COLUMNS, [["x", "other", "flag", "quantity", "a", "b", ""]])
    else:
        write(folder / "labels.csv", cases.LABEL_COLUMNS, [["ferry", 1, "d1", "maybe", "?"]])
        args += ["--labels", str(folder / "labels.csv")]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 1 and fragment in out.output and "Traceback" not in out.output
