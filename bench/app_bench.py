"""Dashboard timings on a generated store of 1,000 disputed facts (no models needed).

    python bench/app_bench.py [--n 1000]

The store holds ``--n`` disputed facts shaped as the pipeline writes them: each a discrepancy whose
``detail`` has its question, 2–4 sides (each 1–5 claims from different sources, with value,
outlets, sources, attributions, publication dates), other answers, the pairs it was gathered from
and its fact id, plus one ``Fact`` record per disputed fact with its answers. Ten facts a story,
twelve sources a story, thirty outlets in all.

Prints the first render (AppTest run of app.py, cold: new session, store opened), a warm rerun, the
time to record a review (Store.set_review, and the whole click-to-next-item rerun in the app) and
the time to build the "Fact table" tab's data (store.fact_records + app_support.fact_table).
Aims: first render under 2 s, recording a review under 0.3 s.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.models import Answer, Claim, Discrepancy, Entity, Fact, FactCluster, Source, stable_id

FIRST_RENDER_AIM = 2.0
REVIEW_AIM = 0.3
FACTS_PER_STORY, SOURCES_PER_STORY, N_OUTLETS = 10, 12, 30
# (discrepancy kind, fact kind): the kinds of disputed fact the checks produce, in turn
KINDS = (("quantity", "count"), ("date", "date"), ("identifier", "identifier"),
         ("attribution_conflict", "cause"), ("name_variant", "spelling"), ("actor", "actor"))
MEASURES = ("dead", "injured", "aboard", "arrested", "missing")
PARTIES = ("Azerbaijan", "Russia", "Kazakhstan", "the airline")
ACTORS = ("police", "army", "intelligence service", "rebels")
SPEAKERS = ("", "officials", "police", "witnesses", "", "the ministry")


def fact_values(kind: str, i: int, n_sides: int) -> tuple[list[str], str, list, str]:
    """The sides' values, the question in words, the question key and the sentence template."""
    story = f"s{i // FACTS_PER_STORY:03d}"
    if kind == "count":
        measure = MEASURES[i % len(MEASURES)]
        return ([str(10 + 7 * s + i % 5) for s in range(n_sides)], f"How many {measure} (incident {i})?",
                ["count", story, measure, "", f"incident {i}"], "The " + measure + " count in incident " + str(i) + " was {value}")
    if kind == "date":
        return ([(date(2025, 7, 1) + timedelta(days=s + i % 3)).strftime("%B %-d") for s in range(n_sides)],
                f"When (incident {i})?", ["date", story, f"incident {i}"], "Incident " + str(i) + " happened on {value}")
    if kind == "identifier":
        return ([f"flight {1000 + 4 * i + s}" for s in range(n_sides)], f"Which flight number (incident {i})?",
                ["identifier", story, f"incident {i}", "flight"], "The plane in incident " + str(i) + " was {value}")
    if kind == "cause":
        return ([f"{PARTIES[s]}'s account" for s in range(n_sides)], f"What happened, and why (incident {i})?",
                ["cause", story, f"incident {i}"], "By {value}, incident " + str(i) + " had a cause of its own")
    if kind == "spelling":
        name = f"Ilham Aliyev{i}"
        spellings = [name, name.replace("Ilham", "Ilhan"), name.replace("Aliyev", "Aliev"), name.replace("Ilham", "Ilgam")]
        return (spellings[:n_sides], f"How is {name} spelled?", ["spelling", story, f"aliyev{i}"],
                "{value} spoke about incident " + str(i))
    return ([ACTORS[s] for s in range(n_sides)], f"Who did it (incident {i})?", ["actor", story, f"incident {i}"],
            "The raid in incident " + str(i) + " was carried out by the {value}")


def make_claim(src: Source, sentence: str, speaker: str, kind: str, key: list) -> Claim:
    """The claim a sentence of a generated source makes (a cause's speaker is the party it speaks for)."""
    start = src.raw.index(sentence)
    party = speaker if kind == "cause" else ""
    entities = (Entity(text=sentence.split(" spoke")[0], label="PERSON", key=key[2]),) if kind == "spelling" else ()
    return Claim(claim_id=stable_id(src.source_id, sentence), source_id=src.source_id,
                 sentence_index=src.raw.count("\n", 0, start), text=sentence, char_start=start,
                 char_end=start + len(sentence), content=sentence, speaker="" if party else speaker,
                 party=party, entities=entities)


def side_record(value: str, made: list[tuple[Claim, Source]]) -> dict:
    """One side of a disputed fact as ``facts.side_record`` writes it."""
    by_id = {src.source_id: src for _, src in made}
    return {"value": value, "claims": [c.claim_id for c, _ in made], "sources": list(by_id),
            "outlets": [src.outlet for src in by_id.values()],
            "attributions": sorted({c.speaker or c.party for c, _ in made} - {""}),
            "published": sorted({src.published.isoformat() for src in by_id.values()})}


def plan_facts(n: int) -> tuple[list[list], list[tuple]]:
    """Each story's sources as (outlet, published, sentences) and each fact's sides as sentences
    placed in those sources: (number, kinds, question, key, sides, other answers), where a side is
    (value, [(source index, sentence, speaker)])."""
    stories = [[(f"Outlet {(st * 7 + k) % N_OUTLETS:02d}", date(2025, 7, 1) + timedelta(days=(st + k) % 5), [])
                for k in range(SOURCES_PER_STORY)] for st in range(-(-n // FACTS_PER_STORY))]
    planned = []
    for i in range(n):
        dkind, kind = KINDS[i % len(KINDS)]
        values, question, key, template = fact_values(kind, i, 2 + i % 3)  # 2-4 sides
        sources = stories[i // FACTS_PER_STORY]
        sides = []
        for s, value in enumerate(values):
            placed = []
            for k in range(1 + (i * 7 + s * 3) % 5):  # 1-5 claims a side, each from another source
                at = (i + s * 5 + k) % SOURCES_PER_STORY
                speaker = PARTIES[s] if kind == "cause" else SPEAKERS[(i + k) % len(SPEAKERS)]
                sentence = template.format(value=value) + (f", {speaker} said" if speaker else "") + f" (report {k})."
                sources[at][2].append(sentence)
                placed.append((at, sentence, speaker))
            sides.append((value, placed))
        others = []
        if kind == "count" and i % 4 == 0:  # a vague figure in conflict with no one
            at = (i + 11) % SOURCES_PER_STORY
            sentence = f"The {key[2]} count in incident {i} was in the dozens, a reporter wrote."
            sources[at][2].append(sentence)
            others.append(("dozens", [(at, sentence, "")]))
        planned.append((i, dkind, kind, question, key, sides, others))
    return stories, planned


def fact_run(n: int) -> dict:
    """Keyword arguments for ``Store.save_run``: ``n`` disputed facts, deterministic."""
    stories, planned = plan_facts(n)
    made_sources = []
    for st, sources in enumerate(stories):
        recs = []
        for k, (outlet, published, sentences) in enumerate(sources):
            raw = f"Story {st} as told by {outlet}\n" + "".join(f"{x}\n" for x in sentences)
            name = f"story{st:03d}_{k:02d}.txt"
            recs.append(Source(source_id=stable_id(name), name=name, outlet=outlet, title=raw.split("\n")[0],
                               url=f"https://news.example/{name}", published=published, raw=raw))
        made_sources.append(recs)

    claim_records, found, facts, clusters = [], [], [], []
    for i, dkind, kind, question, key, sides, others in planned:
        recs = made_sources[i // FACTS_PER_STORY]
        groups = []  # (value, [(claim, source)], side number: 0 = on no side)
        for n_side, (value, placed) in [(n, x) for n, x in enumerate(sides, 1)] + [(0, x) for x in others]:
            made = [(make_claim(recs[at], sentence, speaker, kind, key), recs[at]) for at, sentence, speaker in placed]
            claim_records += [c for c, _ in made]
            groups.append((value, made, n_side))
        side_recs = [side_record(v, made) for v, made, n_side in groups if n_side]
        fid = stable_id("fact", *key, length=12)
        firsts = [rec["claims"][0] for rec in side_recs]
        pairs = sorted(stable_id(dkind, *sorted((a, b)), length=12)
                       for n_a, a in enumerate(firsts) for b in firsts[n_a + 1:])
        detail = {"question": key, "question_text": question, "fact_id": fid, "pairs": pairs, "sides": side_recs,
                  "other_answers": [side_record(v, made) for v, made, n_side in groups if not n_side],
                  "change_over_time": False}
        if kind == "count":
            detail["measure"] = key[2]
        explanation = "; ".join(f"{rec['value']} according to {', '.join(rec['outlets'][:4])}"
                                + (f" (citing {', '.join(rec['attributions'][:3])})" if rec["attributions"] else "")
                                for rec in side_recs) + "."
        found.append(Discrepancy(fid, dkind, round(0.3 + (i % 7) / 10, 2), round(0.5 + (i % 5) / 10, 2),
                                 f"Different answers: {explanation}", firsts[0], firsts[1], detail))
        answers = tuple(Answer(c.claim_id, src.source_id, src.outlet, value, speaker=c.speaker, party=c.party,
                               hedge="" if n_side else "vague", published=src.published.isoformat(), side=n_side)
                        for value, made, n_side in groups for c, src in made)
        facts.append(Fact(fid, key[1], kind, question, answers, disputed=True))
        clusters.append(FactCluster(f"c-{fid}", tuple(dict.fromkeys(a.claim_id for a in answers)), key[1],
                                    tuple(sorted({a.outlet for a in answers}))))
    found.sort(key=lambda d: (-d.score, d.discrepancy_id))
    return {"sources_dir": "sources", "source_records": [s for recs in made_sources for s in recs],
            "claim_records": claim_records, "cluster_records": clusters, "pairs": [], "found": found,
            "fact_records": facts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="disputed facts in the store (default 1000)")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from streamlit.testing.v1 import AppTest

    from factcheck import app_support as fx
    from factcheck.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        run = fact_run(args.n)
        t = time.perf_counter()
        store.save_run(**run)
        save_s = time.perf_counter() - t
        rows = store.discrepancy_rows()
        n = len(rows)
        assert all(2 <= len(r["sides"]) <= 4 and r["question"] for r in rows), "every row is a disputed fact"
        n_sides = sum(len(r["sides"]) for r in rows)
        os.environ["FACTCHECK_DB"] = store.url
        os.environ["FACTCHECK_SOURCES"] = str(Path(tmp) / "sources")

        t = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        first = time.perf_counter() - t
        assert not at.exception, at.exception
        assert at.subheader[0].value == rows[0]["question"], (at.subheader[0].value, rows[0]["question"])
        t = time.perf_counter()
        at.run()
        again = time.perf_counter() - t

        table_times = []
        for _ in range(5):
            t = time.perf_counter()
            table, outlets = fx.fact_table(store.fact_records())
            table_times.append(time.perf_counter() - t)
        assert len(table) == args.n, len(table)

        ids = [r["discrepancy_id"] for r in rows]
        direct = []
        for did in ids[100:120]:
            t = time.perf_counter()
            store.set_review(did, status="confirmed", note="bench", reviewer="bench",
                             expected_version=store.review(did)["version"])
            direct.append(time.perf_counter() - t)

        at.text_input(key="reviewer").set_value("bench").run()
        clicks = []
        for _ in range(5):
            t = time.perf_counter()
            at.button(key="act_confirmed").click().run()
            clicks.append(time.perf_counter() - t)
            assert not at.exception and not at.error, (at.exception, at.error)

    print(f"store: {n} disputed facts ({n_sides} sides), {len(run['claim_records'])} claims, "
          f"{len(run['source_records'])} sources, {len(outlets)} outlets (save_run {save_s:.2f} s)")
    print(f"first render (AppTest, cold)     {first:6.2f} s   aim < {FIRST_RENDER_AIM:.1f} s  "
          f"{'ok' if first < FIRST_RENDER_AIM else 'SLOW'}")
    print(f"rerun (warm)                     {again:6.2f} s")
    print(f"fact table data ({len(table)} facts)   {statistics.median(table_times):6.3f} s   "
          f"(store.fact_records + app_support.fact_table, median of {len(table_times)})")
    print(f"record a review (Store)          {statistics.median(direct):6.3f} s   aim < {REVIEW_AIM:.1f} s  "
          f"{'ok' if statistics.median(direct) < REVIEW_AIM else 'SLOW'}  (median of {len(direct)})")
    print(f"click Confirm -> next item shown {statistics.median(clicks):6.2f} s   (median of {len(clicks)}, "
          "whole rerun)")


if __name__ == "__main__":
    main()
