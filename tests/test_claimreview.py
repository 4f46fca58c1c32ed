"""ClaimReview JSON-LD from reviewed disputed facts (hand-built rows, no models)."""
from __future__ import annotations

import copy
import json
import logging

from factcheck.claimreview import claim_reviews, validate, write_claimreview


def side(value, claims, texts, sources, outlets, published=()):
    return {"value": value, "claims": list(claims), "texts": list(texts), "sources": list(sources),
            "outlets": list(outlets), "published": list(published), "attributions": []}


def row(fact_id="f1", status="confirmed", answer="38", sides=None, **extra):
    sides = sides if sides is not None else [
        side("38", ["c1", "c2"], ["38 people died.", "The toll rose to 38."], ["s1", "s2"], ["AP", "BBC"]),
        # Reuters has two claims saying 40: one review for Reuters, with its first text.
        side("40", ["c3", "c4", "c5"], ["40 were killed.", "Forty dead, officials said.", "At least 40 \"dead\" – CNN"],
             ["s3", "s4"], ["Reuters", "CNN"]),
        side("42", ["c6"], ["42 died in the crash."], ["s5"], ["TASS"], ["2024-12-26"]),
    ]
    base = {"discrepancy_id": fact_id, "kind": "count", "question": "How many dead?", "explanation": "",
            "status": status, "answer": answer, "note": "Official list of victims", "evidence": "https://gov.example/list",
            "reviewer": "ana", "reviewed_at": "2024-12-28T10:00:00+00:00", "sides": sides}
    return {**base, **extra}


CLAIM_SOURCES = {"c1": "s1", "c2": "s2", "c3": "s3", "c4": "s3", "c5": "s4", "c6": "s5"}
URLS = {"s3": "https://reuters.example/a", "s4": "https://cnn.example/b", "s5": "https://tass.example/c"}
DATES = {"s3": "2024-12-25", "s4": "2024-12-26"}


def reviews_of(rows, **kwargs):
    kwargs.setdefault("claim_sources", CLAIM_SOURCES)
    return claim_reviews(rows, organisation="Desk", organisation_url="https://desk.example", **kwargs)


def test_only_confirmed_and_answered_rows_give_reviews():
    rows = [row("open", status="open"), row("dismissed", status="dismissed"), row("follow", status="needs follow-up"),
            row("noanswer", answer=""), row("yes")]
    got = reviews_of(rows)
    assert got and {r["url"] for r in got} == {"urn:factcheck:fact:yes"}


def test_chosen_side_not_reviewed_and_one_review_per_outlet_per_wrong_side():
    got = reviews_of([row()], source_urls=URLS, source_dates=DATES)
    reviewed = [r["claimReviewed"] for r in got]
    assert reviewed == ["40 were killed.", "At least 40 \"dead\" – CNN", "42 died in the crash."]
    assert not {"38 people died.", "The toll rose to 38."} & set(reviewed)
    assert [r["itemReviewed"]["author"]["name"] for r in got] == ["Reuters", "CNN", "TASS"]
    reuters, cnn, tass = got
    assert reuters["itemReviewed"]["appearance"] == [{"@type": "CreativeWork", "url": "https://reuters.example/a"}]
    assert reuters["itemReviewed"]["datePublished"] == "2024-12-25"
    assert tass["itemReviewed"]["datePublished"] == "2024-12-26"  # the side's only source, its only date
    assert reuters["reviewRating"]["alternateName"] == "Incorrect: 38 (How many dead?)"
    assert reuters["reviewRating"]["ratingExplanation"] == "Official list of victims"
    assert reuters["citation"] == "https://gov.example/list"
    assert reuters["datePublished"] == "2024-12-28"
    assert reuters["author"] == {"@type": "Organization", "name": "Desk", "url": "https://desk.example"}


def test_unknown_source_parts_are_left_out_and_review_url_used():
    got = reviews_of([row(evidence="", note="", reviewed_at="")], review_url="https://desk.example/checks",
                     today="2025-01-02")
    tass = got[-1]
    assert tass["url"] == "https://desk.example/checks#f1"
    assert tass["datePublished"] == "2025-01-02"
    assert "appearance" not in tass["itemReviewed"] and "citation" not in tass
    assert "ratingExplanation" not in tass["reviewRating"]
    assert validate(tass) == []


def test_sources_inferred_without_claim_map_when_unambiguous():
    one_each = side("40", ["c3", "c5"], ["40 were killed.", "Forty dead."], ["s3", "s4"], ["Reuters", "CNN"])
    chosen = side("38", ["c1"], ["38 people died."], ["s1"], ["AP"])
    got = claim_reviews([row(sides=[chosen, one_each])], organisation="Desk", source_urls=URLS)
    assert [(r["itemReviewed"]["author"]["name"], r["itemReviewed"]["appearance"][0]["url"]) for r in got] == [
        ("Reuters", "https://reuters.example/a"), ("CNN", "https://cnn.example/b")]


def test_only_chosen_side_gives_nothing():
    only = side("38", ["c1"], ["38 people died."], ["s1"], ["AP"])
    assert reviews_of([row(sides=[only])]) == []


def test_every_review_validates_and_file_round_trips(tmp_path):
    rows = [row("f1"), row("f2", answer="40", question="Wie viele Tote?")]
    kwargs = dict(organisation="Desk", source_urls=URLS, source_dates=DATES, claim_sources=CLAIM_SOURCES,
                  today="2025-01-02")
    expected = claim_reviews(rows, **kwargs)
    assert len(expected) == 6  # f1: Reuters, CNN, TASS; f2: AP, BBC, TASS
    path = tmp_path / "claimreview.json"
    n = write_claimreview(rows, path, **kwargs)
    text = path.read_text(encoding="utf-8")
    loaded = json.loads(text)
    assert n == len(loaded) == 6
    assert loaded == expected
    assert all(validate(r) == [] for r in loaded)
    assert "–" in text  # UTF-8 kept as is, not \u-escaped
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_validate_reports_missing_required_properties():
    good = reviews_of([row()])[0]
    assert validate(good) == []
    no_claim = copy.deepcopy(good)
    del no_claim["claimReviewed"]
    assert validate(no_claim) == ["missing claimReviewed"]
    no_name = copy.deepcopy(good)
    del no_name["reviewRating"]["alternateName"]
    assert validate(no_name) == ["missing reviewRating.alternateName"]
    broken = {**good, "@type": "Review", "url": "", "author": {}, "datePublished": "28/12/2024"}
    problems = validate(broken)
    assert len(problems) == 4 and any("@type" in p for p in problems) and "missing url" in problems
    assert "missing author.name" in problems and any("datePublished" in p for p in problems)


def test_answer_matching_no_side_is_skipped_with_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="factcheck.claimreview"):
        got = reviews_of([row("lost", answer="39"), row("ok")])
    assert got and all(r["url"] == "urn:factcheck:fact:ok" for r in got)
    assert any("lost" in rec.getMessage() and rec.levelno == logging.WARNING for rec in caplog.records)
