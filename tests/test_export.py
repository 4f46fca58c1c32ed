"""The editors' CSV opens cleanly in Excel and LibreOffice and never runs a formula."""
from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck import app_support, export
from factcheck.cli import main
from tests.test_store import hand_made_run, make_store


def read(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_file_starts_with_a_bom_and_uses_crlf(tmp_path):
    path = export.write_discrepancies([{"discrepancy_id": "d1", "kind": "date"}], tmp_path / "e.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdiscrepancy_id,rank,kind,")
    assert data.count(b"\r\n") == 2


def test_commas_quotes_newlines_and_accents_survive_a_round_trip(tmp_path):
    tricky = 'Officials said "38, not 40"\nper the\tministry — São Tomé'
    data = app_support.editors_csv([{"discrepancy_id": "d1", "claim_a": tricky, "note": "ok, checked"}])
    assert b'"Officials said ""38, not 40""' in data
    row = read(data)[0]
    assert row["claim_a"] == tricky and row["note"] == "ok, checked"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example","click")', "+1-555-0100", "-2+3",
                                  "@SUM(A1:A9)", "\tindent", "\r=1+1"])
def test_formula_like_cells_are_neutralised(cell):
    row = read(app_support.editors_csv([{"discrepancy_id": "d1", "claim_b": cell, "explanation": cell}]))[0]
    assert row["claim_b"] == "'" + cell and row["explanation"] == "'" + cell


def test_ordinary_cells_are_left_alone():
    row = read(app_support.editors_csv([{"discrepancy_id": "d1", "claim_a": "38 killed", "severity": 0.9}]))[0]
    assert row["claim_a"] == "38 killed" and row["severity"] == "0.9"


def test_cli_export_filters_by_status_and_kind(tmp_path):
    store = make_store(tmp_path)
    by_kind = {r["kind"]: r["discrepancy_id"] for r in store.discrepancy_rows()}
    store.set_review(by_kind["quantity"], status="confirmed", note="=cmd|' /C calc'!A0", reviewer="ana")
    store.set_review(by_kind["date"], status="confirmed", reviewer="ana")
    out = tmp_path / "for_editors.csv"
    result = CliRunner().invoke(main, ["export", "--db", store.url, "--status", "confirmed", "--kind", "quantity",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 1 rows" in result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read(data)
    assert [(r["discrepancy_id"], r["kind"], r["status"], r["reviewer"]) for r in rows] == [
        (by_kind["quantity"], "quantity", "confirmed", "ana")]
    assert rows[0]["note"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["outlet_a"] == "Daily Ledger" and rows[0]["outlet_b"] == "Harbour Post"


def test_cli_export_of_the_hyperlink_claim_is_neutralised(tmp_path):
    store = make_store(tmp_path)
    out = tmp_path / "all.csv"
    result = CliRunner().invoke(main, ["export", "--db", store.url, "--kind", "identifier", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = read(out.read_bytes())
    assert row["claim_a"].startswith("'=HYPERLINK(") and row["status"] == "open"


def test_the_app_download_matches_the_cli_file(tmp_path):
    store = make_store(tmp_path)
    out = tmp_path / "cli.csv"
    CliRunner().invoke(main, ["export", "--db", store.url, "--out", str(out)])
    assert app_support.editors_csv(store.discrepancy_rows()) == out.read_bytes()


@pytest.mark.parametrize("value, written", [
    ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
    ("+1-555-0100", "'+1-555-0100"), ("-2+3", "'-2+3"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\tindent", "'\tindent"), ("\r=1+1", "'\r=1+1"),
    ("-3", "-3"), ("+2.5", "+2.5"), ("0.734", "0.734"),  # a number is data, never a formula
    ("'Tis the season, the mayor said.", "'Tis the season, the mayor said."),  # an apostrophe alone stays
    ("'=already quoted", "''=already quoted"), ("'-3", "''-3"),  # so that restore is exact
    ("38 killed", "38 killed"), ("", ""), (None, ""),
])
def test_claims_csv_cells_are_neutralised_reversibly(value, written):
    assert export.neutralise_data(value) == written
    assert export.restore(written) == ("" if value is None else value)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\r0123456789.ab ")))
def test_restore_undoes_neutralise_data_and_no_formula_survives(text):
    cell = export.neutralise_data(text)
    assert export.restore(cell) == text
    assert not cell.startswith(export.FORMULA_STARTS) or export.PLAIN_NUMBER.fullmatch(cell)


def test_claims_csv_keeps_every_claim_exact_and_the_hyperlink_inert(tmp_path):
    run = hand_made_run()
    path = export.write_claims(run["claim_records"], run["source_records"], tmp_path / "claims.csv")
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    texts = {c.claim_id: c.text for c in run["claim_records"]}
    assert {r["claim_id"]: export.restore(r["text"]) for r in rows} == texts
    (hyperlink,) = [r for r in rows if "HYPERLINK" in r["text"]]
    assert hyperlink["text"].startswith("'=HYPERLINK(")
    assert all(r["text"] == texts[r["claim_id"]] for r in rows if r is not hyperlink)
