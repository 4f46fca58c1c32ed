"""Claims: attribution, splitting, parties, entity keys — parametrized tables on real spaCy."""
from __future__ import annotations

from datetime import date

import pytest

from factcheck.claims import canonical_keys, extract_claims, party_of, raw_key
from factcheck.config import Settings
from factcheck.models import Body, Claim, Entity, Paragraph, Source, stable_id


def claims_of(text: str, published: date | None = date(2025, 7, 2)):
    source = Source(source_id=stable_id("t.txt"), name="t.txt", outlet="Test", raw=text, published=published)
    body = Body(source.source_id, "", (Paragraph(text, 0, len(text)),))
    return extract_claims([source], [body], Settings())


ATTRIBUTION = [
    # (sentence, [(speaker, party, stance)] per claim)
    ("Azerbaijani authorities said the jet was accidentally hit by fire from Russian air defenses.",
     [("Azerbaijani authorities", "Azerbaijan", "asserts")]),
    ("While Russia attributed the crash to a bird strike, Azerbaijan suspects that a Russian missile was responsible.",
     [("Russia", "Russia", "attributes"), ("Azerbaijan", "Azerbaijan", "suspects")]),
    ("Kremlin spokesman Dmitry Peskov said Wednesday that the talks would continue next month.",
     [("Kremlin spokesman Dmitry Peskov", "Russia", "asserts")]),
    ("The ministry in Kyiv denied that its drones had struck the refinery.",
     [("The ministry in Kyiv", "Ukraine", "denies")]),
    ("Officials in Baku claimed that the convoy carried weapons.", [("Officials in Baku", "Azerbaijan", "claims")]),
    ("The White House blamed the outage on a software update.", [("The White House", "United States", "blames")]),
    ("Beijing warned Taipei against any move toward independence.", [("Beijing", "China", "warns")]),
    ("The accident claimed the lives of 38 people.", [("", "", "asserts")]),
    ("Images of the detainees showed their faces were badly bruised.", [("", "", "asserts")]),
    ("Police raided the homes of several families in what authorities said was an investigation into old murders.",
     [("", "", "asserts")]),
    ("The storm flooded three villages and cut power to 20,000 homes.", [("", "", "asserts")]),
    ("Ankara and Moscow both insisted that the ceasefire was holding.", [("Ankara and Moscow", "Turkey", "claims")]),
]


@pytest.mark.parametrize("sentence,expected", ATTRIBUTION)
def test_attribution(sentence, expected):
    got = [(c.speaker, c.party, c.stance) for c in claims_of(sentence)]
    assert got == expected


def test_pronoun_speaker_takes_the_previous_named_speaker():
    text = ("Kremlin spokesman Dmitry Peskov said on Tuesday that the meeting was useful. "
            "He said that no date had been set for the next round.")
    claims = claims_of(text)
    assert [c.party for c in claims] == ["Russia", "Russia"]
    assert claims[1].speaker == "Kremlin spokesman Dmitry Peskov"


def test_a_learned_speaker_keeps_his_party():
    text = ("Kremlin spokesman Dmitry Peskov said the call was constructive. "
            "Peskov noted that the two sides would meet again in Minsk.")
    assert [c.party for c in claims_of(text)] == ["Russia", "Russia"]


def test_generic_speaker_takes_the_one_country_of_its_sentence():
    text = "The bodies were sent to Azerbaijan, where authorities attributed the deaths to multiple injuries."
    (claim,) = claims_of(text)
    assert claim.party == "Azerbaijan" and claim.frame == "cause"


def test_causal_account_is_normalised_for_matching():
    (claim,) = claims_of("Russia attributed the crash to a bird strike.")
    assert claim.content == "the crash was caused by a bird strike"
    assert claim.frame == "cause"


@pytest.mark.parametrize("text,n", [
    ("Two brothers died and several other men were seriously injured.", 2),
    ("Why is this happening now?", 0),
    ("Background to the relations", 0),
    ("It rained.", 0),
])
def test_splitting_and_non_claims(text, n):
    assert len(claims_of(text)) == n


def test_split_claims_keep_the_span_of_their_sentence():
    text = "Intro sentence about the talks here. Two brothers died and several other men were seriously injured."
    claims = claims_of(text)
    split = [c for c in claims if "brothers" in c.text or "injured" in c.text]
    assert len(split) == 2
    assert {(c.char_start, c.char_end) for c in split} == {(37, len(text))}
    assert split[1].text == "Several other men were seriously injured."


def test_questions_and_hedged_opinion_rank_below_facts():
    facts = claims_of("On June 27, police raided the homes of seven families in Yekaterinburg.")
    opinion = claims_of("Some warn that the conflict could perhaps get worse.")
    assert facts[0].check_worthiness > opinion[0].check_worthiness


@pytest.mark.parametrize("text,label,key", [
    ("President Ilham Aliyev", "PERSON", "person:aliyev|i"),
    ("Ilhan Aliyev", "PERSON", "person:aliyev|i"),
    ("Heydar Aliyev", "PERSON", "person:aliyev|h"),
    ("Aliyev", "PERSON", "person:aliyev|"),
    ("Azerbaijani", "NORP", "party:azerbaijan"),
    ("Moscow", "GPE", "party:russia"),
    ("North Korea", "GPE", "party:north korea"),
    ("South Korea", "GPE", "party:south korea"),
    ("the Organization for Security and Cooperation in Europe", "ORG",
     "org:organization for security and cooperation in europe"),
])
def test_entity_keys(text, label, key):
    assert raw_key(text, label) == key


def test_bare_surname_joins_the_full_name_of_its_source():
    from factcheck.models import Claim

    def claim(cid, sid, ents):
        return Claim(cid, sid, 0, "x", 0, 1, entities=tuple(Entity(t, "PERSON", raw_key(t, "PERSON")) for t in ents))

    out = canonical_keys([claim("1", "s1", ["Ilham Aliyev"]), claim("2", "s1", ["Aliyev"]),
                          claim("3", "s2", ["Heydar Aliyev"]), claim("4", "s2", ["Aliyev"])])
    assert out[1].entities[0].key == "person:aliyev|i"
    assert out[3].entities[0].key == "person:aliyev|h"


def test_a_name_with_a_second_family_name_joins_its_shorter_form():
    """Edmundo González Urrutia is Edmundo González with his second family name; Gabriel Boric
    Font and Gabriel Boric likewise. A third word the story never leaves out stays as it is."""
    from factcheck.models import Claim

    def claim(cid, sid, ents):
        return Claim(cid, sid, 0, "x", 0, 1, entities=tuple(Entity(t, "PERSON", raw_key(t, "PERSON")) for t in ents))

    out = canonical_keys([claim("1", "s1", ["Edmundo González Urrutia"]), claim("2", "s2", ["Edmundo González"]),
                          claim("3", "s3", ["González"]), claim("4", "s3", ["Maria Elena Lopez"])])
    assert {c.entities[0].key for c in out[:3]} == {"person:gonzalez|e"}
    assert out[3].entities[0].key == "person:lopez|m"


def test_a_name_the_tagger_calls_a_place_or_body_is_a_person_where_the_story_says_so():
    """The small tagger calls "Yevgenia Shishkova" an ORG in one article and "Lobach" a GPE in
    another; the corpus names both people elsewhere, so they are people. A country never is."""
    from factcheck.models import Claim

    def claim(cid, sid, ents):
        return Claim(cid, sid, 0, "x", 0, 1, entities=tuple(Entity(t, label, raw_key(t, label)) for t, label in ents))

    out = canonical_keys([claim("1", "s1", [("Evgenia Shishkova", "PERSON")]),
                          claim("2", "s2", [("Yevgenia Shishkova", "ORG")]),
                          claim("3", "s3", [("Rebecca Lobach", "PERSON"), ("Jordan", "GPE")]),
                          claim("4", "s3", [("Lobach", "GPE")]), claim("5", "s4", [("Lobach", "GPE")])])
    assert [(e.label, e.key) for e in out[1].entities] == [("PERSON", "person:shishkova|e")]
    assert [(e.label, e.key) for e in out[3].entities] == [("PERSON", "person:lobach|r")]
    assert out[4].entities[0].label == "GPE", "no article of its own names a Lobach"
    assert out[2].entities[1].label == "GPE"
    from factcheck.models import Claim as C
    aged = canonical_keys([C("6", "s5", 0, "The victims were Maynor Yassir Suazo Sandoval, 38; and two others.", 0, 1,
                             entities=(Entity("Maynor Yassir Suazo Sandoval", "ORG", "org:maynor yassir suazo sandoval"),))])
    assert aged[0].entities[0].label == "PERSON", "an age beside a name says it is a person's"


SPEAKERS = [
    # a passive speech verb's subject is who was spoken to, never the speaker
    ("The aircraft was warned of a bird strike by the control tower, officials said, during its first landing attempt.",
     "officials"),
    ("Police were accused of some shooting deaths.", ""),
    # a speech verb set into the sentence frames it
    ("Other devices were found elsewhere in the quarter, the FBI said, and bomb technicians were sent there.",
     "the FBI"),
]


@pytest.mark.parametrize("sentence,speaker", SPEAKERS)
def test_who_speaks_in_passive_and_inserted_frames(sentence, speaker):
    assert claims_of(sentence)[0].speaker == speaker


def test_he_said_takes_the_last_person_not_the_last_group():
    text = ("President William Ruto said the protests had been hijacked by criminals. "
            "At least 22 people were killed, a human rights group said. "
            "He said about 200 people had been wounded.")
    claims = claims_of(text)
    assert claims[1].speaker == "a human rights group"
    assert claims[2].speaker == "President William Ruto"


@pytest.mark.parametrize("phrase,party", [
    ("Kremlin spokesman", "Russia"), ("Azerbaijani authorities", "Azerbaijan"), ("Baku", "Azerbaijan"),
    ("The Pentagon", "United States"), ("a neighbour", ""), ("Downing Street", "United Kingdom"),
])
def test_party_table(phrase, party):
    assert party_of(phrase) == party


def test_dates_are_resolved_against_the_publication_date():
    (claim,) = claims_of("On Monday, masked police stormed the offices of a news agency.", date(2025, 7, 2))
    assert claim.dates and claim.dates[0].start == date(2025, 6, 30)


@pytest.mark.parametrize("text,expected", [
    ("On Dec. 25, 2024, an airliner crashed near Aktau. The U.S. Embassy said it was monitoring the situation.",
     ["On Dec. 25, 2024, an airliner crashed near Aktau.", "The U.S. Embassy said it was monitoring the situation."]),
    ("Gen. Mark Smith told reporters that the base was hit. He gave no further details.",
     ["Gen. Mark Smith told reporters that the base was hit.", "He gave no further details."]),
    ("Officials at the U.N. said 12 people were killed. Rescue work continued on Tuesday.",
     ["Officials at the U.N. said 12 people were killed.", "Rescue work continued on Tuesday."]),
    ('"We will not back down," the minister said. Talks resume in Geneva next week.',
     ['"We will not back down," the minister said.', "Talks resume in Geneva next week."]),
])
def test_segmentation_survives_news_prose(text, expected):
    assert [c.text for c in claims_of(text)] == expected


@pytest.mark.parametrize("text,is_claim", [
    ("The future remains uncertain.", False),
    ("This is a disgrace and a betrayal of our values.", False),
    ("We must act now to save the planet.", False),
    ("In my view, the government should resign immediately.", False),
    ("Zelenskyy said Russia is bullying Azerbaijani citizens.", True),
    ("That was the deadliest attack since 2015.", True),
    ("The minister should have resigned in 2019, the opposition leader said.", True),
])
def test_pure_opinion_is_not_a_claim(text, is_claim):
    assert bool(claims_of(text)) is is_claim


@pytest.mark.parametrize("text,speaker,party,content", [
    # a clause the parser took for an object (its verb hung on the object) is still what is said
    ("Authorities in Iran insist the Fordow site—located near the city of Qom—sustained only minimal damage.",
     "Authorities in Iran", "Iran", "the Fordow site—located near the city of Qom—sustained only minimal damage"),
    ("The death toll rose to 45, according to local officials.", "local officials", "", "The death toll rose to 45"),
    ("According to the Interior Ministry, 300 people were detained.", "the Interior Ministry", "",
     "300 people were detained"),
    ('"The ceasefire is holding," said Peskov, the Kremlin spokesman.', "Peskov", "Russia", "The ceasefire is holding"),
    ("Gen. Mark Smith told reporters that the base was hit.", "Gen. Mark Smith", "", "the base was hit"),
    ("At least 40 people were detained, according to the interior ministry.", "the interior ministry", "",
     "At least 40 people were detained"),
    ("Twelve people were killed in the blast, Reuters reported, citing Iranian state media.",
     "Iranian state media", "Iran", "Twelve people were killed in the blast"),
    ("A Turkish official claims that the drone was shot down over the border.", "A Turkish official", "Turkey",
     "the drone was shot down over the border"),
    ("Officials said a Russian airliner crashed near the coast on Tuesday.", "Officials", "",
     "a Russian airliner crashed near the coast on Tuesday"),
])
def test_reported_speech_and_quotes(text, speaker, party, content):
    (c,) = claims_of(text)
    assert (c.speaker, c.party, c.content) == (speaker, party, content)


def test_the_country_s_own_bodies_speak_for_the_country_of_the_article():
    text = ("Kazakhstan opened an inquiry into the crash on Tuesday. Kazakhstan said the runway was clear. "
            "The country's aviation agency said that the pilots reported a bird strike before the crash.")
    agency = next(c for c in claims_of(text) if "aviation agency" in c.text)
    assert (agency.speaker, agency.party) == ("The country's aviation agency", "Kazakhstan")


def test_shared_subject_predicates_are_atomic_claims_with_the_attribution():
    text = ("Azerbaijani authorities said the jet was accidentally hit by fire from Russian air defenses, "
            "then tried to land in western Kazakhstan when it crashed, killing 38 of 67 people aboard.")
    first, second = claims_of(text)
    assert first.text == "Azerbaijani authorities said the jet was accidentally hit by fire from Russian air defenses."
    assert second.text.startswith("Azerbaijani authorities said the jet then tried to land in western Kazakhstan")
    assert {c.party for c in (first, second)} == {"Azerbaijan"}
    assert first.frame == "cause"
    assert {(q.measure, q.low) for q in second.quantities} == {("dead", 38.0), ("aboard", 67.0)}
    assert first.char_start == second.char_start == 0 and first.char_end == second.char_end == len(text)


def test_seed_month_is_a_month_interval_inside_2023():
    (c,) = claims_of("Azerbaijan reclaimed full control of Karabakh in September 2023 after a lightning military campaign.")
    (d,) = c.dates
    assert (d.start, d.end, d.granularity) == (date(2023, 9, 1), date(2023, 9, 30), "month")


@pytest.mark.slow
def test_process_pool_gives_the_same_claims_as_one_process():
    from factcheck import clean, ingest

    from .conftest import ROOT

    settings = Settings()
    sources, _ = ingest.load_sources(ROOT / "sources", settings)
    bodies = [clean.clean(s, settings) for s in sources]
    serial = extract_claims(sources, bodies, Settings(workers=1))
    pooled = extract_claims(sources, bodies, Settings(workers=2, parallel_min_paragraphs=1))
    assert pooled == serial and len(serial) > 50


@pytest.mark.slow
def test_pool_workers_do_not_run_the_main_script_again(tmp_path, monkeypatch):
    """Under Streamlit the main script is the dashboard: spawned workers must not execute it."""
    import sys
    import types

    marker = tmp_path / "ran.txt"
    script = tmp_path / "dashboard.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    text = ("Officials said 12 people were killed in the blast. Rescue work continued on Tuesday. "
            "The mayor said the market would reopen next week.")
    sources, bodies = [], []
    for k in range(3):
        s = Source(source_id=stable_id(f"t{k}.txt"), name=f"t{k}.txt", outlet=f"O{k}", raw=text)
        sources.append(s)
        bodies.append(Body(s.source_id, "", (Paragraph(text, 0, len(text)),)))
    claims = extract_claims(sources, bodies, Settings(workers=2, parallel_min_paragraphs=1))
    assert len(claims) == 9 and not marker.exists()


@pytest.mark.slow
def test_the_faster_pipeline_annotates_exactly_like_the_shipped_one():
    """load_nlp runs the pipeline on numpy's OpenBLAS instead of thinc's blis, applies the
    attribute rules by table lookup instead of the Matcher and remembers lemmas: every annotation
    must stay the same, token for token, on the seeds and on sentences that exercise the two-token
    rules."""
    import spacy

    from factcheck.claims import SPACY_MODEL, load_nlp

    from .conftest import ROOT

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sources").glob("*.txt"))]
    texts += ["There is no way we're gonna win, y'all know it ain't true.",
              "Let's go, c'mon! I'd say there are 3 of them, and that's that.",
              "He said she'd gotta leave; nobody   knew.\n\nSomething else: its own thing."]
    used, shipped = load_nlp(), spacy.load(SPACY_MODEL)

    def annotations(nlp):
        return [(t.tag_, t.pos_, str(t.morph), t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_,
                 t.is_sent_start) for doc in nlp.pipe(texts) for t in doc]

    assert not used.get_pipe("ner").model.ops.use_blis and shipped.get_pipe("ner").model.ops.use_blis
    for name in ("attribute_ruler", "lemmatizer"):
        assert name not in used.pipe_names and name in shipped.pipe_names
    ours = annotations(used)
    assert len(ours) > 1000 and ours == annotations(shipped)


def test_attribute_rules_apply_later_rules_over_earlier_ones():
    from types import SimpleNamespace

    import spacy

    from factcheck.nlp import AttributeRules, UnsupportedPattern

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "run"}]], {"POS": "VERB", "LEMMA": "run"})
    ruler.add([[{"LOWER": {"IN": ["run", "runs"]}}]], {"POS": "NOUN"})
    ruler.add([[{"LOWER": "home"}, {"LOWER": "run"}]], {"LEMMA": "homer"}, index=1)
    rules = AttributeRules(ruler)
    doc = rules(nlp("a run and a home run"))
    assert [(t.pos_, t.lemma_) for t in doc][1] == ("NOUN", "run")  # rule 2 overwrote POS only
    assert [(t.pos_, t.lemma_) for t in doc][5] == ("NOUN", "homer")
    expected = ruler(nlp("a run and a home run"))
    assert [(t.pos_, t.lemma_) for t in doc] == [(t.pos_, t.lemma_) for t in expected]
    with pytest.raises(UnsupportedPattern):
        AttributeRules(SimpleNamespace(attrs=[{}], patterns=[{"patterns": [[{"SHAPE": "dd"}]], "attrs": {}, "index": 0}]))


def test_pool_workers_start_with_one_blas_thread(monkeypatch):
    import os

    from factcheck.claims import WORKER_ENV, _worker_start

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with _worker_start():
        assert {k: os.environ[k] for k in WORKER_ENV} == {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4" and "OMP_NUM_THREADS" not in os.environ


def test_a_named_speaker_takes_the_party_another_article_gives_the_same_person():
    from factcheck.claims import party_of, with_known_speakers

    assert party_of("U.S. President Donald Trump") == "United States"
    assert party_of("Manan Raeisi, a member of Iran’s parliament") == "Iran"
    def c(cid, source, speaker, party=""):
        return Claim(cid, source, 0, f"{speaker} said so.", 0, 10, speaker=speaker, party=party)
    claims = [c("a", "s1", "U.S. President Donald Trump", "United States"), c("b", "s2", "Trump"),
              c("c", "s3", "Peskov"), c("d", "s1", "Smith", "Russia"), c("e", "s2", "Smith", "Ukraine"),
              c("f", "s3", "Smith")]
    parties = {x.claim_id: x.party for x in with_known_speakers(claims)}
    assert parties == {"a": "United States", "b": "United States", "c": "", "d": "Russia", "e": "Ukraine",
                       "f": ""}, "a speaker the corpus gives two parties stays without one"


@pytest.mark.parametrize("text,frame", [
    ("Russia attributed the crash to a bird strike, officials said.", "cause"),
    ("Baku said the jet was hit by Russian air defence fire.", "cause"),
    ("Trump said the strike was a resounding success.", ""),  # a strike named is no account of a cause
])
def test_an_account_of_a_cause_is_read_from_its_words_not_a_noun(text, frame):
    src = Source("s1", "a.txt", "Outlet", raw=text)
    (c,) = extract_claims([src], [Body("s1", "", (Paragraph(text, 0, len(text)),))])
    assert c.frame == frame


@pytest.mark.parametrize("text, people, orgs", [
    ("Kim I-bae, CEO of Jeju Air, apologised on Sunday.", ["Kim I-bae"], ["Jeju Air"]),
    ("Jeju Air CEO Kim E-bae issued a public apology.", ["Kim E-bae"], ["Jeju Air"]),
    ("Opposition leader Lee Jae-myung met reporters in Seoul.", ["Lee Jae-myung"], []),
    ("The Pro-life group marched past the X-ray clinic.", [], []),
])
def test_hyphenated_given_names_are_people_and_companies_are_not(text, people, orgs):
    from factcheck.claims import entities_of
    from factcheck.nlp import load_nlp

    found = entities_of(list(load_nlp()(text)))
    assert [e.text for e in found if e.label == "PERSON"] == people
    assert [e.text for e in found if e.label == "ORG"] == orgs


@pytest.mark.parametrize("text, people", [
    ("A 40-year-old British national, Vishwas Kumar Ramesh, had emerged as the lone survivor.",
     ["Vishwas Kumar Ramesh"]),  # the tagger's span lacks the first name
    ("Vishwash Kumar Ramesh, a 40-year-old British national of Indian origin, emerged as the lone survivor.",
     ["Vishwash Kumar Ramesh"]),
    ("Kenyan President William Ruto said Wednesday that he will not sign.", ["William Ruto"]),  # a title
    ("Captain Sumeet Sabharwal had 8,200 hours of flying experience.", ["Sumeet Sabharwal"]),
])
def test_a_name_the_tagger_cut_short_is_read_whole(text, people):
    from factcheck.claims import entities_of
    from factcheck.nlp import load_nlp

    assert [e.text for e in entities_of(list(load_nlp()(text))) if e.label == "PERSON"] == people


def test_a_clock_time_and_its_zone_stay_in_the_sentence():
    """The small parser ends a sentence at "p.m." before any capital; a zone written after the
    time continues it, and a new sentence after a time still starts."""
    said = "6:18 p.m. Eastern: Harbour Air Flight 88, operated by Coast Lines, departs from Dayton with 60 passengers."
    assert [c.text for c in claims_of(said)] == [said]
    from factcheck.nlp import load_nlp
    assert len(list(load_nlp()("He landed at 9 p.m. The next day he left.").sents)) == 2
