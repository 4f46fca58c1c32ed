"""Alignment on hand-made vectors: neighbour search, story grouping, evidence, clusters (no model)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from factcheck import align
from factcheck.config import Settings
from factcheck.linkage import average_linkage
from factcheck.models import Alignment, Claim, Entity, Quantity, Source, stable_id
from factcheck.stories import (count_rows, group_stories, local_similarity, merge_fragments, name_terms, pin_stories,
                               term_vectors)


def align_all(claims, vectors, sources, settings):
    """Stories grouped, then claims aligned inside them: (stories, pairs, events, clusters)."""
    stories = group_stories(sources, claims, vectors, settings)
    aligned = align.align(claims, vectors, sources, settings, stories)
    return stories, aligned.pairs, aligned.events, aligned.clusters


def unit(rows) -> np.ndarray:
    v = np.asarray(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def claim(source: str, text: str, i: int = 0, *, entities=(), quantities=(), party: str = "",
          start: int | None = None) -> Claim:
    start = i * 100 if start is None else start
    return Claim(claim_id=stable_id(source, text), source_id=source, sentence_index=i, text=text,
                 char_start=start, char_end=start + len(text), content=text, party=party,
                 entities=tuple(Entity(e, "GPE", f"gpe:{e.lower()}") for e in entities),
                 quantities=tuple(quantities))


def source(sid: str, outlet: str | None = None) -> Source:
    return Source(source_id=sid, name=f"{sid}.txt", outlet=outlet or sid)


# --------------------------------------------------------------------------------------------
# neighbours


def test_exact_and_hnsw_neighbours_agree(monkeypatch):
    rng = np.random.default_rng(3)
    vectors = unit(rng.normal(size=(400, 32)))
    exact_idx, exact_sim = align.neighbours(vectors, 5)
    monkeypatch.setattr(align, "EXACT_SEARCH_LIMIT", 10)
    hnsw_idx, hnsw_sim = align.neighbours(vectors, 5)
    overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(exact_idx, hnsw_idx)])
    assert overlap > 0.97
    assert np.allclose(exact_sim[:, 0], hnsw_sim[:, 0], atol=1e-4)


def test_neighbours_are_sorted_and_exclude_self():
    vectors = unit([[1, 0], [0.9, 0.1], [0, 1], [0.5, 0.5]])
    idx, sim = align.neighbours(vectors, 2)
    assert idx[0].tolist() == [1, 3]
    assert all(i not in row for i, row in enumerate(idx))
    assert (np.diff(sim, axis=1) <= 0).all()


@pytest.mark.parametrize("limit", [20_000, 2])
def test_neighbours_skip_rows_of_the_same_group(monkeypatch, limit):
    monkeypatch.setattr(align, "EXACT_SEARCH_LIMIT", limit)
    vectors = unit([[1, 0], [0.99, 0.01], [0.7, 0.7], [0, 1]])
    idx, sim = align.neighbours(vectors, 2, groups=np.array([0, 0, 1, 1]))
    assert set(idx[0].tolist()) == {2, 3}
    assert set(idx[2].tolist()) == {0, 1}


def test_neighbours_pad_when_a_group_leaves_too_few():
    idx, sim = align.neighbours(unit([[1, 0], [0, 1], [1, 1]]), 2, groups=np.array([0, 0, 1]))
    assert idx[0].tolist() == [2, -1] and sim[0, 1] == -np.inf


# --------------------------------------------------------------------------------------------
# stories


def test_average_linkage_joins_close_items_only():
    edges = {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.7, (2, 3): 0.35, (3, 4): 0.9}
    label = average_linkage(5, edges, 0.5)
    assert label[0] == label[1] == label[2]
    assert label[3] == label[4] != label[0]


def test_average_linkage_does_not_chain_through_one_bridge():
    # single linkage would join everything through (1, 2); the mean over the groups stays low
    edges = {(0, 1): 0.9, (2, 3): 0.9, (1, 2): 0.6}
    label = average_linkage(4, edges, 0.5)
    assert label[0] == label[1] and label[2] == label[3] and label[0] != label[2]


QUAKE_A = ["A magnitude 6.1 earthquake struck Qeshm island in Iran on Sunday.",
           "The Qeshm quake killed 10 people in villages near Tabl."]
QUAKE_A2 = ["An earthquake of magnitude 6.1 hit Iran's Qeshm island, killing 10 villagers near Tabl.",
            "Rescuers searched Qeshm villages after Sunday's earthquake."]
QUAKE_B = ["Forty people were hurt when a 5.9 tremor shook Bushehr province around Kaki on Tuesday.",
           "Bushehr officials said homes in Kaki and Shonbe collapsed."]
QUAKE_B2 = ["A tremor shook Bushehr province, hurting forty near Kaki and Shonbe.",
            "Tuesday's Bushehr tremor destroyed homes in Kaki, officials said."]


def story_corpus():
    docs = {"a1": QUAKE_A, "a2": QUAKE_A2, "b1": QUAKE_B, "b2": QUAKE_B2}
    claims = [claim(sid, text, i) for sid, texts in docs.items() for i, text in enumerate(texts)]
    # embeddings that barely tell the two earthquakes apart (cosine 0.55 across, 0.99 within):
    # the names and numbers must do it
    vectors = unit([[1, 0.3, 0.05 * i] if c.source_id[0] == "a" else [0.3, 1, 0.05 * i]
                    for i, c in enumerate(claims)])
    return [source(s) for s in docs], claims, vectors


def test_stories_separate_two_similar_events_by_their_words():
    sources, claims, vectors = story_corpus()
    stories = group_stories(sources, claims, vectors, Settings())
    assert stories["a1"] == stories["a2"]
    assert stories["b1"] == stories["b2"]
    assert stories["a1"] != stories["b1"]


def test_no_claim_pairs_across_stories():
    sources, claims, vectors = story_corpus()
    _, pairs, events, _ = align_all(claims, vectors, sources, Settings())
    by_id = {c.claim_id: c.source_id for c in claims}
    for p in events:
        assert {by_id[p.claim_a][0], by_id[p.claim_b][0]} in ({"a"}, {"b"})


def test_one_source_is_one_story():
    stories = group_stories([source("x")], [claim("x", "Only one article here.")], unit([[1, 0]]),
                                  Settings())
    assert list(stories) == ["x"]


def test_term_vectors_are_unit_rows_and_rare_words_weigh_more():
    m = term_vectors(["the quake hit qeshm", "the quake hit bushehr", ""])
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    assert np.allclose(norms[:2], 1) and norms[2] == 0
    sim = (m @ m.T).toarray()
    assert 0 < sim[0, 1] < 0.8


# --------------------------------------------------------------------------------------------
# evidence and pairs


def test_evidence_rewards_shared_entities_and_measures():
    plain_a = claim("a", "The quake killed 10 people.")
    plain_b = claim("b", "Ten people died in the earthquake.")
    assert align.evidence(plain_a, plain_b, 0.6) < align.evidence(
        claim("a", plain_a.text, entities=["Iran"], quantities=[Quantity("10", 10, 10, measure="dead")]),
        claim("b", plain_b.text, entities=["Iran"], quantities=[Quantity("Ten", 10, 10, measure="dead")]),
        0.6)


def test_evidence_lexical_part_ignores_case_and_punctuation():
    a, b = claim("a", "THE QUAKE HIT QESHM!"), claim("b", "the quake hit Qeshm")
    assert align.evidence(a, b, 0.5) == pytest.approx(0.5 + align.W_LEXICAL * 0.5)


def test_align_contract_pairs_events_clusters():
    sources = [source("a", "Outlet A"), source("b", "Outlet B")]
    claims = [claim("a", "Rescuers found 10 bodies in Qeshm.", 0), claim("a", "The weather was cold.", 1),
              claim("b", "Ten bodies were found in Qeshm by rescuers.", 0), claim("b", "Schools reopen Monday.", 1)]
    vectors = unit([[1, 0, 0], [0, 1, 0], [0.95, 0.05, 0], [0, 0, 1]])
    stories, pairs, events, clusters = align_all(claims, vectors, sources, Settings())
    assert stories["a"] == stories["b"]
    assert [(p.claim_a, p.claim_b) for p in pairs] == [tuple(sorted((claims[0].claim_id, claims[2].claim_id)))]
    assert {(p.claim_a, p.claim_b) for p in pairs} <= {(p.claim_a, p.claim_b) for p in events}
    joined = [c for c in clusters if len(c.claim_ids) > 1]
    assert len(joined) == 1 and joined[0].outlets == ("Outlet A", "Outlet B")
    assert sum(len(c.claim_ids) for c in clusters) == len(claims)  # uncovered claims are their own cluster


def test_parties_of_one_sentence_are_always_paired():
    a = claim("s", "Russia blamed a bird strike.", party="Russia", start=0)
    b = claim("s", "Azerbaijan blamed air defence fire.", party="Azerbaijan", start=0)
    _, pairs, events, _ = align_all([a, b], unit([[1, 0], [0, 1]]), [source("s")], Settings())
    assert [(p.claim_a, p.claim_b, p.score) for p in pairs] == [(*sorted((a.claim_id, b.claim_id)), 1.0)]


def test_event_groups_are_connected_components():
    claims = [claim(s, f"claim {s}") for s in "abcd"]
    ids = [c.claim_id for c in claims]
    pairs = [Alignment(ids[0], ids[1], 0.9, 0.9), Alignment(ids[1], ids[2], 0.8, 0.8)]
    assert sorted(len(g) for g in align.event_groups(pairs, claims)) == [1, 3]


def test_fact_clusters_do_not_chain():
    """a~b and b~c, but a and c never aligned: a fact cluster needs agreement on average."""
    claims = [claim(s, f"claim {s}") for s in "abcd"]
    ids = [c.claim_id for c in claims]
    chain = [Alignment(ids[0], ids[1], 0.9, 0.9), Alignment(ids[1], ids[2], 0.8, 0.8)]
    clusters = align.fact_clusters(chain, claims, {}, {s: s.upper() for s in "abcd"}, 0.55)
    assert sorted(len(c.claim_ids) for c in clusters) == [1, 1, 2]
    triangle = chain + [Alignment(ids[0], ids[2], 0.7, 0.7)]
    clusters = align.fact_clusters(triangle, claims, {}, {s: s.upper() for s in "abcd"}, 0.55)
    big = max(clusters, key=lambda c: len(c.claim_ids))
    assert len(big.claim_ids) == 3 and big.outlets == ("A", "B", "C")


# --------------------------------------------------------------------------------------------
# stories: fragments merged on the names and numbers they share (written for these tests)

TWO_QUAKES = {
    "a1": ["A strong earthquake of magnitude 5.9 shook Qeshm island on Sunday and destroyed homes in two villages.",
           "Officials in Bandar Abbas said 13 villagers died when their homes collapsed in the earthquake."],
    "a2": ["Thirteen villagers were killed when the earthquake destroyed homes on Qeshm island.",
           "Governor Ahmad Mirzaei ordered tents flown to the villages from Bandar Abbas after the earthquake."],
    "a3": ["Rescue teams reached the island villages whose homes the 5.9 earthquake destroyed on Sunday.",
           "Mirzaei said the villages of Qeshm island would get new homes before winter."],
    "b1": ["An earthquake of magnitude 4.6 struck Qeshm island and cracked homes in the villages of Tabl and Dargahan.",
           "No villagers were hurt in the earthquake, the Hormozgan crisis office said."],
    "b2": ["Homes cracked in Tabl village after the 4.6 earthquake on Qeshm island.",
           "The Hormozgan crisis office sent engineers to Dargahan to inspect homes after the earthquake."],
}


def two_quakes():
    claims = [claim(s, t, i) for s, texts in TWO_QUAKES.items() for i, t in enumerate(texts)]
    vectors = unit([[1, 0.1 * k, 0.02] for k in range(len(claims))])  # embeddings do not decide here
    return [source(s) for s in TWO_QUAKES], claims, vectors


def test_name_terms_are_capitalised_words_after_the_first_and_numbers():
    terms = name_terms("Officials in Bandar Abbas said Mirzaei's 13 teams found 2 of 5.9 Richter.")
    assert terms == ["bandar", "abbas", "mirzaei", "richter", "13", "5.9"]


def test_local_similarity_ignores_names_every_article_or_only_one_uses():
    rows, _ = count_rows([Counter(qeshm=2, tabl=1, solo=3), Counter(qeshm=1, tabl=1), Counter(qeshm=1, x=1)])
    sim = local_similarity(rows)
    assert sim[0, 1] == pytest.approx(1.0), "only 'tabl' counts: qeshm is everywhere, 'solo' in one article"
    assert sim[0, 2] == 0.0 and sim[1, 2] == 0.0


def test_average_linkage_of_groups_uses_the_mean_over_their_members():
    # items 0 and 1 as one group of 2 (sum of similarities to item 2: 0.5 + 0.1 -> mean 0.3)
    assert average_linkage(2, {(0, 1): 0.6}, 0.3, sizes=[2, 1]) == [0, 0]
    assert average_linkage(2, {(0, 1): 0.6}, 0.31, sizes=[2, 1]) == [0, 1]


def test_reports_of_one_event_apart_on_words_join_on_the_names_they_share():
    sources, claims, vectors = two_quakes()
    words_only = group_stories(sources, claims, vectors, Settings(story_name_threshold=1.0))
    assert words_only["a2"] != words_only["a1"], "on words alone the governor's report stands apart"
    stories = group_stories(sources, claims, vectors, Settings())
    assert stories["a1"] == stories["a2"] == stories["a3"]
    assert stories["b1"] == stories["b2"] != stories["a1"], "the 4.6 quake in Tabl is another event"


def test_merging_fragments_keeps_events_whose_names_differ_apart():
    rows, _ = count_rows([Counter({"mirzaei": 1, "5.9": 1, "qeshm": 1}), Counter({"mirzaei": 1, "qeshm": 1}),
                                Counter({"tabl": 1, "4.6": 1, "qeshm": 1}), Counter({"tabl": 1, "qeshm": 2})])
    labels = merge_fragments(rows, [7, 8, 9, 10], 0.1)
    assert labels[0] == labels[1] != labels[2] == labels[3]


# --------------------------------------------------------------------------------------------
# stories the user names (manifest column ``story``) and ``story_grouping = "one"``

def pinned(sources, **pins) -> list[Source]:
    import dataclasses

    return [dataclasses.replace(s, story=pins.get(s.source_id, "")) for s in sources]


def test_pin_stories_keeps_the_names_given_and_unpinned_articles_follow_their_story():
    keys = pin_stories(found=[0, 0, 0, 1, 1, 2], pins=["x", "", "y", "", "", ""])
    # article 1 was found with a pinned x and a pinned y: the tie goes to the first name, sorted
    assert keys == [("pin", "x"), ("pin", "x"), ("pin", "y"), ("found", 1), ("found", 1), ("found", 2)]
    keys = pin_stories(found=[0, 0, 0, 0], pins=["y", "x", "y", ""])
    assert keys[3] == ("pin", "y"), "the name most of its story's pinned articles carry"


def test_pinned_articles_override_the_grouping_and_the_others_follow_their_story():
    sources, claims, vectors = two_quakes()
    found = group_stories(sources, claims, vectors, Settings())
    assert found["a1"] != found["b1"]
    # the user says a3 is about the Tabl quake, and that a1 and b1 are one story
    stories = group_stories(pinned(sources, a3="tabl", b1="qeshm", a1="qeshm"), claims, vectors, Settings())
    assert stories["a1"] == stories["b1"], "pinned to one name: one story, whatever the words say"
    assert stories["a3"] != stories["a1"]
    assert stories["a2"] == stories["a1"], "a2 follows its story, whose pinned articles say qeshm"
    assert stories["b2"] == stories["b1"] == stories["a1"]
    assert len(set(stories.values())) == 2


def test_one_story_grouping_puts_every_article_in_one_story_but_keeps_pins():
    sources, claims, vectors = two_quakes()
    one = Settings(story_grouping="one")
    stories = group_stories(sources, claims, vectors, one)
    assert len(set(stories.values())) == 1
    assert stories["a1"] == stable_id(*sorted(TWO_QUAKES)), "a story's id comes from its members, as grouped"
    stories = group_stories(pinned(sources, b1="tabl", b2="tabl"), claims, vectors, one)
    assert stories["b1"] == stories["b2"] != stories["a1"] == stories["a2"] == stories["a3"]
    pairs = align_all(claims, vectors, sources, one)[1]
    by_id = {c.claim_id: c.source_id for c in claims}
    assert any({by_id[p.claim_a][0], by_id[p.claim_b][0]} == {"a", "b"} for p in pairs), \
        "in one story claims of both quakes may align"
