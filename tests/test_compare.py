"""Each check with consistent and conflicting pairs written for the purpose (no model needed)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from factcheck import compare
from factcheck.claims import raw_key
from factcheck.config import Settings
from factcheck.dates import parse_dates
from factcheck.models import Alignment, Claim, Entity, Source, stable_id
from factcheck.quantities import parse_quantities

SOURCES = {sid: Source(sid, f"{sid}.txt", outlet) for sid, outlet in
           [("s1", "Outlet One"), ("s2", "Outlet Two"), ("s3", "Outlet Three")]}


def claim(text, source="s1", *, speaker="", party="", stance="asserts", frame="", content="", people=(),
          start=0, published=date(2025, 7, 2)):
    ents = tuple(Entity(p, "PERSON", raw_key(p, "PERSON")) for p in people)
    return Claim(stable_id(source, text), source, 0, text, start, start + len(text), content=content or text,
                 speaker=speaker, party=party, stance=stance, frame=frame, entities=ents,
                 quantities=tuple(parse_quantities(text)), dates=tuple(parse_dates(text, published=published)),
                 check_worthiness=0.8)


def with_places(c, *places):
    """The claim with the places of its text tagged as the tagger would (GPE entities)."""
    return replace(c, entities=tuple(Entity(p, "GPE", f"gpe:{p.lower()}") for p in places if p in c.text))


def run_pair(a, b, *, score=0.9, cosine=0.9, only=None):
    ctx = compare.Context(settings=Settings(checks=tuple(only or ())), claims={a.claim_id: a, b.claim_id: b},
                          sources=SOURCES, pairs=[Alignment(a.claim_id, b.claim_id, score, cosine)])
    return compare.compare(ctx)


def kinds(found):
    return sorted(d.kind for d in found)


@pytest.mark.parametrize("ta,tb,conflict", [
    ("The blast injured 120 people, officials said.", "The blast injured 95 people.", True),
    ("At least 40 people were killed in the attack.", "The attack killed 42 people.", False),
    ("The attack killed 38 of 67 people aboard.", "The crash claimed the lives of 38 people.", False),
    ("Dozens of people were injured in the blast.", "The blast injured 40 people.", False),
    ("The convoy stretched for 5 km along the road.", "The convoy stretched for 3.1 miles along the road.", False),
    ("Police arrested seven employees of the agency.", "Police arrested 12 employees of the agency.", True),
    ("The flight had 67 people aboard.", "The crash killed 38 people.", False),
])
def test_quantity(ta, tb, conflict):
    found = run_pair(claim(ta), claim(tb, "s2"), only=["quantity"])
    assert (kinds(found) == ["quantity"]) is conflict, [d.explanation for d in found]
    if conflict:
        assert "Outlet One" in found[0].explanation and "Outlet Two" in found[0].explanation


@pytest.mark.parametrize("ta,tb,conflict", [
    ("Azerbaijan reclaimed Karabakh in September 2023.", "Azerbaijan reclaimed Karabakh in 2023.", False),
    ("The jet crashed on Dec. 25, 2024.", "The jet crashed in December 2024.", False),
    ("The jet crashed on Dec. 25, 2024.", "The jet crashed on Dec. 29, 2024.", True),
    ("The raid took place in June 2025.", "The raid took place in July 2025.", True),
])
def test_date(ta, tb, conflict):
    found = run_pair(claim(ta), claim(tb, "s2"), only=["date"])
    assert (kinds(found) == ["date"]) is conflict


def test_a_transposition_is_said_to_be_a_likely_typo():
    (d,) = run_pair(claim("Flight XY-1234 crashed near the airport."), claim("Flight 1243 crashed near the airport.", "s2"),
                    only=["identifier"])
    assert "swapped" in d.explanation and d.detail["transposed"]


def test_date_of_merely_related_claims_is_not_compared():
    found = run_pair(claim("The jet crashed on Dec. 25, 2024."), claim("The jet crashed on Dec. 29, 2024.", "s2"),
                     score=0.6, only=["date"])
    assert found == []


@pytest.mark.parametrize("ta,tb,conflict", [
    ("Flight 1492 crashed near the airport.", "Flight 1942 crashed near the airport.", True),
    ("Flight 1492 crashed near the airport.", "Flight 1492 crashed near the runway.", False),
    ("The court heard case No. 45/2020 on Monday.", "The court heard case No. 54/2020 on Monday.", True),
    ("Flight XY-1234 crashed near the airport.", "Flight 1234 crashed near the airport.", False),  # prefix
    ("Jeju Air flight 7C2216 crashed on landing.", "Flight 2216 crashed on landing.", False),
    ("Flight XY-1234 crashed near the airport.", "Flight 1243 crashed near the airport.", True),  # transposed
    ("The jet, tail number N709PS, was lost.", "The jet, tail number N709SP, was lost.", True),
])
def test_identifier(ta, tb, conflict):
    assert (kinds(run_pair(claim(ta), claim(tb, "s2"), only=["identifier"])) == ["identifier"]) is conflict


def test_attribution_conflict_across_outlets():
    a = claim("Russia attributed the crash to a bird strike.", speaker="Russia", party="Russia",
              stance="attributes", frame="cause", content="the crash was caused by a bird strike")
    b = claim("Azerbaijani authorities said the jet crashed after it was hit by air-defence fire.", "s2",
              speaker="Azerbaijani authorities", party="Azerbaijan", frame="cause",
              content="the jet crashed after it was hit by air-defence fire")
    found = run_pair(a, b, score=0.5, only=["attribution_conflict"])
    assert kinds(found) == ["attribution_conflict"]
    assert "Russia" in found[0].explanation and "Azerbaijan" in found[0].explanation


def test_same_party_or_agreeing_accounts_are_not_conflicts():
    a = claim("Azerbaijan suspects that a Russian missile caused the crash.", party="Azerbaijan",
              speaker="Azerbaijan", stance="suspects", frame="cause", content="a Russian missile caused the crash")
    b = claim("Azerbaijani officials said a Russian missile caused the crash.", "s2", party="Azerbaijan",
              speaker="Azerbaijani officials", frame="cause", content="a Russian missile caused the crash")
    c = claim("Turkish officials said a Russian missile caused the crash.", "s3", party="Turkey",
              speaker="Turkish officials", frame="cause", content="a Russian missile caused the crash")
    assert run_pair(a, b, only=["attribution_conflict"]) == []
    assert run_pair(a, c, only=["attribution_conflict"]) == []  # different parties, same account


def test_accounts_of_different_events_are_not_conflicts():
    a = claim("Russia attributed the crash to a bird strike.", party="Russia", speaker="Russia",
              stance="attributes", frame="cause", content="the crash was caused by a bird strike")
    b = claim("Authorities in Azerbaijan attributed the deaths to multiple injuries.", "s2", party="Azerbaijan",
              speaker="Authorities", stance="attributes", frame="cause",
              content="the deaths was caused by multiple injuries")
    assert run_pair(a, b, score=0.5, only=["attribution_conflict"]) == []


@pytest.mark.parametrize("ta,tb,conflict", [
    ("The men were arrested during a raid by the domestic intelligence service.",
     "Police raided the homes of the men in Yekaterinburg.", True),
    ("Police raided the homes of the men.", "Riot police raided the homes of the men.", False),
    ("Police raided the homes of the men.", "Soldiers raided the homes of the men.", True),
    ("Police raided the homes of the men.", "Police raided the homes of the two brothers.", False),
    ("The army carried out the strike on the village.", "A militia carried out the strike on the village.", True),
    ("The army shelled the village.", "Prosecutors opened a case about the village.", False),
    # the employer, the target or the victim is not the doer
    ("Police detained two staff of the security agency in the raid.", "Police raided the agency's office.", False),
    ("Gunmen attacked police officers in the raid.", "Militants carried out the raid on the post.", False),
    ("The office was raided by the intelligence service.", "Police raided the office.", True),
])
def test_actor(ta, tb, conflict):
    assert (kinds(run_pair(claim(ta), claim(tb, "s2"), only=["actor"])) == ["actor"]) is conflict


@pytest.mark.parametrize("ta,tb,conflict", [
    ("Russia intervened in the conflict.", "Russia did not intervene in the conflict.", True),
    ("Russia did not intervene in the conflict.", "Russia never intervened in the conflict.", False),
    # a change turned around, the figures the same and the rest reworded
    ("At least 60 Ruritanians died, diplomats said, up from an official tally of 41 given on Monday.",
     "At least 60 Ruritanians died, diplomats said, down from an official count of 41 provided Monday.", True),
    ("At least 60 Ruritanians died, diplomats said, up from an official tally of 41 given on Monday.",
     "At least 60 Ruritanians died, diplomats said, up from an official count of 41 provided Monday.", False),
    ("Prices rose sharply in the capital this week.", "Prices fell sharply in the capital this week.", True),
    ("Prices rose sharply in the capital this week.", "Rents fell in the north after the storm.", False),
])
def test_polarity(ta, tb, conflict):
    assert (kinds(run_pair(claim(ta), claim(tb, "s2"), only=["polarity"])) == ["polarity"]) is conflict


def corpus(*claims, pairs=(), events=(), only=None):
    ctx = compare.Context(settings=Settings(checks=tuple(only or ())), claims={c.claim_id: c for c in claims},
                          sources=SOURCES, pairs=list(pairs), events=list(events))
    return compare.compare(ctx)


@pytest.mark.parametrize("x,y,expected", [
    ("Ilhan Aliyev", "Ilham Aliyev", "likely misspelling"),
    ("Muhammad Hassan", "Mohammed Hassan", "transliteration"),
    ("Volodymyr Zelensky", "Volodymyr Zelenskyy", "transliteration"),
    ("Ali Ahmed", "Ali Ahmadi", None),
    ("Heydar Aliyev", "Ilham Aliyev", None),
    ("Ilham Aliyev", "Ilham Aliyev", None),
])
def test_name_variant(x, y, expected):
    a = claim(f"{x} spoke on Monday about the gas deal.", people=[x])
    b = claim(f"{y} spoke on Monday about the gas deal.", "s2", people=[y])
    found = corpus(a, b, only=["name_variant"])
    if expected is None:
        assert found == []
    else:
        assert kinds(found) == ["name_variant"] and expected in found[0].explanation


def test_name_variant_says_which_spelling_most_sources_use():
    a = claim("Ilham Aliyev spoke on Monday.", people=["Ilham Aliyev"])
    b = claim("Ilham Aliyev met the envoy on Monday.", "s3", people=["Ilham Aliyev"])
    c = claim("Ilhan Aliyev spoke on Monday.", "s2", people=["Ilhan Aliyev"])
    (d,) = corpus(a, b, c, only=["name_variant"])
    assert "'Ilham Aliyev' is used by more sources (2 of 3)" in d.explanation


def test_a_short_first_name_a_letter_off_is_a_slip_unless_one_article_names_both():
    a = claim("Maryland Gov. West Moore said the ship lost power.", people=["West Moore"])
    b = claim("Gov. Wes Moore spoke to the families.", "s2", people=["Wes Moore"])
    (d,) = corpus(a, b, only=["name_variant"])
    assert "likely misspelling" in d.explanation
    both = claim("Dan Moore and his sister Dana Moore were on the bridge.", "s3", people=["Dan Moore", "Dana Moore"])
    dan = claim("Dan Moore was rescued.", people=["Dan Moore"])
    assert corpus(both, dan, only=["name_variant"]) == [], "an article that names both names two people"


def test_a_hyphenated_surname_is_compared_word_by_word():
    a = claim("The body of Maynor Yasir Suazo-Sandoval was recovered.", people=["Maynor Yasir Suazo-Sandoval"])
    b = claim("The victims were identified as Maynor Yassir Suazo Sandoval, 38.", "s2",
              people=["Maynor Yassir Suazo Sandoval"])
    c = claim("Maynor Yasir Suazo Sandoval was recovered on Friday.", "s3", people=["Maynor Yasir Suazo Sandoval"])
    (d,) = corpus(a, b, only=["name_variant"])
    assert "Maynor Yassir Suazo Sandoval" in d.detail["spellings"] and "transliteration" in d.explanation
    assert corpus(a, c, only=["name_variant"]) == [], "a hyphen alone is typography"


@pytest.mark.parametrize("x, y, expected", [
    ("Vishwash Kumar Ramesh", "Viswashkumar Ramesh", "likely misspelling"),  # joined, and an h dropped
    ("Vishwash Kumar Ramesh", "Vishwashkumar Ramesh", None),  # joined only: typography
    ("Donald J Trump", "Donald Trump", None),  # an initial is a word of its own
    ("Roland Butler Jr", "Roland Butler", None),  # and so is a suffix
])
def test_names_written_with_two_words_joined_are_compared_joined(x, y, expected):
    a = claim(f"{x} spoke on Monday about the crash.", people=[x])
    b = claim(f"{y} spoke on Monday about the crash.", "s2", people=[y])
    found = corpus(a, b, only=["name_variant"])
    assert [expected in d.explanation for d in found] == ([True] if expected else [])


def test_a_peoples_name_is_no_spelling_of_its_country():
    a = with_places(claim("Authorities in Nepal continued the search on Tuesday."), "Nepal")
    b = with_places(claim("Most of the dead were Nepali citizens, officials said on Tuesday.", "s2"), "Nepali")
    c = with_places(claim("Authorities in Nepaul continued the search on Tuesday.", "s3"), "Nepaul")
    assert corpus(a, b, only=["name_variant"]) == []
    assert kinds(corpus(a, c, only=["name_variant"])) == ["name_variant"], "a misspelled country still is one"


def test_the_story_itself_named_a_year_on_is_no_background():
    """A trial report a year after the attack: "last year's attack" is the story, not its past (a
    claim dated well before the story's first article still is)."""
    first, trial = date(2024, 12, 21), date(2025, 11, 10)
    sources = {"s1": replace(SOURCES["s1"], published=first), "s2": replace(SOURCES["s2"], published=trial)}
    day_one = claim("The attack happened at 19:04, police said.", published=first)
    year_on = claim("Last year's attack happened at 19:02 when the market was crowded.", "s2", published=trial)
    older = claim("A similar attack in 2016 happened at 20:02.", "s2", start=300, published=trial)
    ctx = compare.Context(settings=Settings(checks=("time",)), claims={c.claim_id: c for c in (day_one, year_on, older)},
                          sources=sources, pairs=[])
    assert not compare.historic(year_on, ctx) and compare.historic(older, ctx)
    (d,) = compare.compare(ctx)
    assert {d.detail["a"], d.detail["b"]} == {"19:04", "19:02"}


def test_a_toll_higher_a_month_on_has_risen_but_closer_reports_are_compared():
    day, later = date(2024, 12, 21), date(2025, 11, 10)
    sources = {"s1": replace(SOURCES["s1"], published=day), "s2": replace(SOURCES["s2"], published=later),
               "s3": replace(SOURCES["s3"], published=date(2024, 12, 23))}
    five = claim("The attack killed five people.", published=day)
    six = claim("The attack killed six people.", "s2", published=later)
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in (five, six)},
                          sources=sources, pairs=[])
    assert compare.compare(ctx) == []
    soon = claim("The attack killed six people.", "s3", published=date(2024, 12, 23))
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in (five, soon)},
                          sources=sources, pairs=[])
    (d,) = compare.compare(ctx)
    assert d.detail["change_over_time"]


def test_the_dead_on_the_ground_are_a_question_of_their_own():
    """A crash's dead on the ground are not the toll of those aboard or the whole: 19 on the ground
    is no rival of 260 dead, but 19 against about 33 on the ground is."""
    hospital = claim("The final toll of 260 comprises 241 passengers aboard the aircraft and 19 people killed on the ground.")
    whole = claim("The crash killed 260 people, officials said.", "s2")
    ground = claim("On the ground, the death toll was around 33, taking the total number of dead to over 250.", "s3")
    found = corpus(hospital, whole, ground, only=["toll"])
    asked = {d.detail["question_text"]: sorted(s["value"] for s in d.detail["sides"]) for d in found}
    assert asked == {"How many dead (on the ground)?": ["19", "30–36"]}, asked
    board = claim("The crash killed 259 people on board and 19 on the ground.", "s2")
    assert not compare.on_the_ground(board.quantities[0], board), "the 19 is nearest the ground, not the 259 aboard"


def test_omission_only_when_the_other_outlet_covers_the_event():
    a = claim("The crash on Dec. 25, 2024 killed 38 of the 67 people aboard.")
    b = claim("The plane crashed near Aktau after trying to land.", "s2")
    related = [Alignment(*sorted([a.claim_id, b.claim_id]), 0.5, 0.5)]
    found = corpus(a, b, events=related, only=["omission"])
    assert kinds(found) == ["omission"] and "Outlet Two" in found[0].explanation
    assert corpus(a, b, events=[], only=["omission"]) == []


def test_ranking_puts_conflicts_before_omissions():
    a = claim("The blast on June 3, 2025 injured 120 people.")
    b = claim("The blast on June 3, 2025 injured 95 people.", "s2")
    c = claim("The blast on June 3, 2025 killed three people in the market.", "s3")
    pairs = [Alignment(*sorted([a.claim_id, b.claim_id]), 0.9, 0.9)]
    events = pairs + [Alignment(*sorted([a.claim_id, c.claim_id]), 0.5, 0.5)]
    found = corpus(a, b, c, pairs=pairs, events=events)
    assert found[0].kind == "quantity" and found[-1].kind == "omission"


def test_checks_are_a_registry():
    assert {"quantity", "date", "identifier", "attribution_conflict", "actor", "polarity"} <= set(compare.PAIR_CHECKS)
    assert {"name_variant", "omission"} <= set(compare.CORPUS_CHECKS)


def test_counts_of_different_people_are_different_facts():
    a = claim("Smith scored 10 points in the win.", people=["John Smith"])
    b = claim("Jones scored five points in the win.", "s2", people=["Ray Jones"])
    assert run_pair(a, b, score=0.9, only=["quantity"]) == []


def test_a_count_that_is_not_a_toll_needs_a_near_paraphrase():
    ford = (Entity("Ford", "ORG", "org:ford"),)
    a = replace(claim("Ford sold 120 cars in May."), entities=ford)
    b = replace(claim("Ford sold 95 cars in May.", "s2"), entities=ford)
    assert run_pair(a, b, score=0.6, only=["quantity"]) == []
    assert kinds(run_pair(a, b, score=0.8, only=["quantity"])) == ["quantity"]


def test_dates_resolved_from_weekdays_are_not_compared():
    """A weekday read against its article's day lies months from the other date: likely of another
    happening, so not compared."""
    a = claim("The jet crashed on Tuesday near the airport.")
    b = claim("The jet crashed on Dec. 29, 2024 near the airport.", "s2")
    assert run_pair(a, b, only=["date"]) == []


def test_two_weekdays_of_one_happening_within_a_week_conflict():
    """One wire story edited two ways: the dams collapsed on Sunday night in one copy, on Monday
    in the other, both published the same Tuesday."""
    tuesday = date(2023, 9, 12)
    a = claim("As the storm hit the coast on Sunday night, residents heard the dams collapse.", published=tuesday)
    b = claim("As the storm hit the coast on Monday, residents heard the dams collapse.", "s2", published=tuesday)
    found = run_pair(a, b, only=["date"])
    assert kinds(found) == ["date"] and "2023-09-10" in found[0].explanation and "2023-09-11" in found[0].explanation
    same = claim("As the storm hit the coast on Sunday, residents heard the dams collapse.", "s2",
                 published=date(2023, 9, 11))
    assert run_pair(a, same, only=["date"]) == [], "Sunday read from Monday's paper is the same Sunday"


def test_a_date_after_a_speech_verb_dates_the_saying():
    """"Trump said Saturday it was a successful attack" dates the saying, not the attack (early
    Sunday where it happened); "deliberations, which began on Wednesday" dates the deliberations,
    not the verdict."""
    sunday = date(2025, 6, 22)
    said = claim("Bombers struck three sites, with the president saying Saturday the attack was a success.",
                 published=sunday)
    struck = claim("Bombers struck three sites early Sunday in the attack.", "s2", published=sunday)
    assert run_pair(said, struck, only=["date"]) == []
    began = claim("The jury returned its verdict after nine hours of deliberations, which began on Wednesday.",
                  published=date(2024, 5, 31))
    returned = claim("The jury returned its verdict on Thursday after nine hours.", "s2", published=date(2024, 5, 31))
    assert run_pair(began, returned, only=["date"]) == []
    assert kinds(run_pair(claim("The jury returned its verdict on Wednesday after nine hours.",
                                published=date(2024, 5, 31)), returned, only=["date"])) == ["date"]


def test_polarity_needs_the_same_statement_turned_around():
    a = claim("The ministry did not comment on the report about the convoy.")
    b = claim("The ministry said the report about the convoy was accurate.", "s2")
    assert run_pair(a, b, only=["polarity"]) == []


def test_case_and_punctuation_are_not_name_variants():
    a = claim("Mahmoud Al-Goweiny spoke on Monday about the gas deal.", people=["Mahmoud Al-Goweiny"])
    b = claim("Mahmoud al-Goweiny spoke on Monday about the gas deal.", "s2", people=["Mahmoud al-Goweiny"])
    assert corpus(a, b, only=["name_variant"]) == []


def test_a_figure_another_outlet_also_gives_is_no_omission():
    """Two outlets answer "how many died?" differently: a quantity conflict, never an omission."""
    a = claim("The crash on Dec. 25, 2024 killed 38 people.")
    b = claim("The crash killed 40 people, officials said.", "s2")
    c = claim("The plane crashed near the coast after trying to land.", "s3")
    events = [Alignment(*sorted([x.claim_id, y.claim_id]), 0.5, 0.5) for x, y in ((a, b), (a, c), (b, c))]
    assert corpus(a, b, c, events=events, only=["omission"]) == []


def test_one_omission_row_per_fact_naming_every_silent_outlet():
    a = claim("The crash on Dec. 25, 2024 killed 38 of the 67 people aboard.")
    b = claim("The plane crashed near Aktau after trying to land.", "s2")
    c = claim("The airliner went down near the Caspian coast.", "s3")
    events = [Alignment(*sorted([a.claim_id, x.claim_id]), 0.5, 0.5) for x in (b, c)]
    (d,) = corpus(a, b, c, events=events, only=["omission"])
    assert "Outlet Two" in d.explanation and "Outlet Three" in d.explanation


@pytest.mark.parametrize("ta,tb,conflict", [
    ("At around 9:07 a.m. the plane crashed near the runway.", "The plane crashed at 9.03 am near the runway.", True),
    ("The plane crashed at 9:03 a.m. near the runway.", "The plane crashed at 9.03 am near the runway.", False),
    ("The plane crashed at about 9 am near the runway.", "The plane crashed at 9:03 a.m. near the runway.", False),
    ("The pilot issued a mayday at 8.58 am.", "The plane crashed at 9:03 a.m. near the runway.", False),  # two moments
    ("The plane crashed at 0003 GMT, officials said.", "The plane crashed at 9:03 a.m. near the runway.", False),
    ("At around 9:07 a.m. the jet caught fire after colliding with a wall.", "The plane crashed at 9.03 am.", True),
    # one zone under several names; a time in another zone is another reading of the clock
    ("6:18 p.m. Eastern: Flight 88 departs from Dayton.", "6:39 p.m. ET: Flight 88 takes off from Dayton.", True),
    ("6:18 p.m. Eastern: Flight 88 departs from Dayton.", "Flight 88 took off from Dayton at 6:39 p.m. CT.", False),
    # leaving port and pulling away from the pier are one departure; a converted time is one time
    ("The freighter had left Eastport port at 1 am local time.", "The freighter pulled away from the pier just before 12:45 a.m.", True),
    ("The incident occurred at 19:04, police said.", "The attack happened at 19:12 (18:12 GMT) in the square.", True),
    # a call for help is a moment of its own; lifting off is departing
    ("Police were called to the market at 3.20pm on Saturday.", "Emergency services were called just before 4pm.", True),
    ("Police were called to the market at 3.50pm on Saturday.", "Emergency services were called just before 4pm.", False),
    ("The jet lifted off at 13:08 from the main runway.", "The jet departed from the main runway at 13:38.", True),
])
def test_clock_times(ta, tb, conflict):
    found = corpus(claim(ta), claim(tb, "s2"), only=["time"])
    assert bool(found) is conflict, [d.explanation for d in found]
    if conflict and "9:07" in ta:
        assert found[0].kind == "date" and "09:07" in found[0].explanation and "09:03" in found[0].explanation


@pytest.mark.parametrize("ta,tb,conflict", [
    ("The plane crashed shortly after 9am (midnight GMT).", "The plane crashed at 8.54 am.", True),
    ("The plane crashed shortly after 9am (midnight GMT).", "The plane crashed at 9:10 a.m.", False),
    ("The plane crashed before 9 am.", "The plane crashed at 8:40 a.m.", False),
    ("The plane crashed before 9 am.", "The plane crashed at 9:20 a.m.", True),
])
def test_clock_times_pointing_one_way(ta, tb, conflict):
    """A time just after or before another lies on one side of it; a zone in brackets converts."""
    assert bool(corpus(claim(ta), claim(tb, "s2"), only=["time"])) is conflict


def test_two_candidates_shares_are_not_one_figure():
    """44% is González's and 51% is Maduro's: numbers of different people are different facts."""
    gonzalez, maduro = Entity("Edmundo González", "PERSON", "person:gonzalez|e"), Entity("Maduro", "ORG", "org:maduro")
    a = replace(claim("The council said Maduro won with 51% of the vote, ahead of Edmundo González."),
                entities=(maduro, gonzalez))
    b = replace(claim("The council said Edmundo González won 44% of the vote, behind Maduro.", "s2"),
                entities=(gonzalez, maduro))
    assert run_pair(a, b, score=0.95, only=["quantity"]) == []


def test_one_toll_is_compared_across_the_story_aligned_or_not():
    a = claim("The attack killed 19 people, investigators said.")
    b = claim("Twenty people died in the assault on the church and the police post.", "s2")
    (d,) = corpus(a, b, only=["toll"])
    assert d.kind == "quantity" and "19" in d.explanation and "20" in d.explanation


@pytest.mark.parametrize("narrowed", ["Cases were reported in nine countries neighbouring Congo.",
                                      "Cases were reported in nine other countries.",
                                      "Cases were reported in nine nearby countries."])
def test_a_count_narrowed_to_some_of_the_things_is_no_rival_of_the_whole(narrowed):
    congo = Entity("Congo", "GPE", "congo")
    whole = replace(claim("The virus has spread to 13 countries, including Congo."), entities=(congo,))
    other = replace(claim("The virus has spread to 16 countries, including Congo.", "s3"), entities=(congo,))
    some = replace(claim(narrowed, "s2"), entities=(congo,))
    (d,) = corpus(whole, other, some, only=["count"])
    assert sorted(s["value"] for s in d.detail["sides"]) == ["13", "16"]


def test_an_age_is_no_duration():
    a = claim("The regional premier said the man was a lone attacker, a 50-year-old doctor.")
    b = claim("A 51-year-old doctor has gone on trial charged with six counts of murder.", "s2")
    assert corpus(a, b, only=["count"]) == []
    assert compare.counted_nouns(claim("He is 50 years old, the doctor said.").quantities[0],
                                 claim("He is 50 years old, the doctor said.")) == []


def test_questions_of_a_measured_thing_that_share_a_figure_are_one_fact():
    """The noun words near a speed differ ("accused", "speeds"), but one outlet's 34 km/h against
    another's 48 km/h and a third's 30 mph is one question, the top speed."""
    a = claim("He is accused of driving at speeds of up to 34km/h through the market.")
    b = claim("He is accused of driving a rented car at up to 48km/h through the market.", "s2")
    c = claim("The indictment says he drove at speeds of up to 30 mph through the market.", "s3")
    events = [Alignment(*sorted([x.claim_id, y.claim_id]), 0.6, 0.6) for x, y in ((a, b), (a, c), (b, c))]
    found = corpus(a, b, c, events=events, only=["count"])
    assert len(found) == 1 and sorted(s["value"] for s in found[0].detail["sides"]) == [
        "up to 30 mph / up to 48 km/h", "up to 34 km/h"], [d.detail["sides"] for d in found]


def test_crew_members_and_a_member_crew_count_one_crew():
    a = claim("The ship's 22-member Indian crew stayed with the ship after the collision.")
    b = claim("The ship's 21 crew members, all from India, stayed with the ship after the collision.", "s2")
    events = [Alignment(*sorted([a.claim_id, b.claim_id]), 0.6, 0.6)]
    (d,) = corpus(a, b, events=events, only=["count", "quantity"])
    assert sorted(s["value"] for s in d.detail["sides"]) == ["21", "22"] and "crew" in d.detail["question_text"]


def test_counts_of_one_thing_are_compared_across_the_story():
    """Six bombs on Fordow and a dozen bombs on Fordow are two answers to one question; the hours a
    jury deliberated, however worded, too. Different things counted, or one claim counting the
    same noun twice, are not compared."""
    fordow = Entity("Fordow", "GPE", "fordow")
    six = replace(claim("Six bunker-buster bombs were dropped on Fordow, Trump said."), entities=(fordow,))
    dozen = replace(claim("A dozen bombs targeted Fordow overnight.", "s2"), entities=(fordow,))
    shafts = replace(claim("Two ventilation shafts at Fordow were hit.", "s3"), entities=(fordow,))
    found = corpus(six, dozen, shafts, only=["count"])
    assert len(found) == 1 and found[0].kind == "quantity"
    assert sorted(s["value"] for s in found[0].detail["sides"]) == ["12", "6"]
    assert found[0].detail["question_text"] == "How many: bomb?"
    hours_a = claim("The jurors deliberated for 9.5 hours over two days.")
    hours_b = claim("The verdict came after more than 11 hours of deliberations.", "s2")
    unrelated = claim("The verdict came after more than 11 hours of deliberations.", "s3")
    found = corpus(hours_a, hours_b, events=[Alignment(hours_a.claim_id, hours_b.claim_id, 0.6, 0.6)], only=["count"])
    assert len(found) == 1 and "9.5 hours" in found[0].explanation and "at least 11 hours" in found[0].explanation
    # not aligned, no shared place: still one question when each outlet counts the thing once
    assert len(corpus(hours_a, unrelated, only=["count"])) == 1
    other = claim("Jurors asked for 4 hours of deliberations to be set aside for testimony.", "s3")
    assert corpus(hours_a, unrelated, other, only=["count"]) == [], "s3 counts hours twice: which one is a guess"
    in_fire = claim("He exchanged gunfire with three officers.")
    hit = claim("Two officers were hit by gunfire.", "s2")
    assert corpus(in_fire, hit, only=["count"]) == [], "people counted: what happened to them tells them apart"


def test_one_happening_in_other_words_or_capitals_is_one_moment():
    found = corpus(claim("The pilot issued a mayday at 8.58 am."),
                   claim("8:59 a.m. – the pilot declares emergency “Mayday Mayday”.", "s2"), only=["time"])
    assert [(d.detail["question"][-1], sorted(s["value"] for s in d.detail["sides"])) for d in found] == [
        ("mayday", ["08:58", "08:59"])]


def test_an_outlet_that_gives_the_others_time_elsewhere_tells_a_timeline_not_another_time():
    """Outlet One: the tower warned of birds at 8:57, the pilot called mayday at 8:59. Outlet Two:
    the tower warned of bird strike risks at 8:57. Both speak of a bird strike, but Outlet One has
    Outlet Two's 8:57 for the warning: its 8:59 is the next step, not a different time."""
    warning = claim("8:57 a.m. – the tower gives a caution about bird activity, a risk of bird strike.")
    mayday = claim("8:59 a.m. – the pilot reports a bird strike and declares an emergency.", start=100)
    alert = claim("The control tower warned the crew about a potential bird strike at 8.57 am.", "s2")
    assert corpus(warning, mayday, alert, only=["time"]) == []


def test_a_past_period_a_figure_is_compared_with_is_no_background():
    pub = date(2024, 8, 14)
    sources = {sid: replace(src, published=pub) for sid, src in SOURCES.items()}
    a = claim("Tedros said the 524 deaths reported so far this year have already exceeded last year's total.",
              published=pub)
    b = claim("Since the beginning of this year the outbreak has caused 511 deaths.", "s2", published=pub)
    past = claim("The outbreak caused 300 deaths last year.", "s3", published=pub)
    ctx = compare.Context(settings=Settings(), claims={c.claim_id: c for c in (a, b, past)}, sources=sources, pairs=[])
    assert not compare.historic(a, ctx) and compare.historic(past, ctx)
    # "so far" makes Tedros's 524 a count in progress, a floor that 511 still falls below
    assert [sorted(s["value"] for s in d.detail["sides"]) for d in compare.compare(ctx)] == [["511", "at least 524"]]


def test_two_floors_in_conflict_each_sit_with_the_nearest_figure():
    """Four outlets the same day: 3,958 and 11,300 dead, and the floors 'at least 2,300' and 'more
    than 5,300', far apart enough to be two counts. Each floor fits both exact figures, so alone it
    would be on no side; in conflict with the other floor it sits with the nearest figure it fits
    (more than 5,300 cannot be 3,958)."""
    texts = [("s1", "The floods killed 3,958 people, the UN said."), ("s2", "The floods killed 11,300 people."),
             ("s3", "At least 2,300 people have been killed, the ambulance authority said."),
             ("s1", "We have counted more than 5,300 dead so far, the minister said.")]
    claims = [claim(t, s, start=i * 100) for i, (s, t) in enumerate(texts)]
    (d,) = corpus(*claims, only=["toll"])
    assert sorted(s["value"] for s in d.detail["sides"]) == ["11,300 / at least 5,300", "3,958 / at least 2,300"]


def test_lengths_durations_and_populations_of_one_thing_are_compared():
    loc_a = claim("The localizer is 199 meters from the end of the runway.")
    loc_b = claim("Officials said the localizer is installed 250 meters beyond the runway.", "s2")
    two_lengths = claim("The plane touched the runway at about 1,200m of the 2,800m runway.", "s3")
    events = [Alignment(*sorted([loc_a.claim_id, x.claim_id]), 0.6, 0.6) for x in (loc_b, two_lengths)]
    (d,) = corpus(loc_a, loc_b, two_lengths, events=events, only=["count"])
    assert sorted(s["value"] for s in d.detail["sides"]) == ["199 m", "250 m"], "a sentence with two lengths is left out"
    derna = Entity("Derna", "GPE", "gpe:derna")
    home = replace(claim("The port city of Derna is home to 90,000 people."), entities=(derna,))
    pop = replace(claim("Derna, with an estimated population of at least 120,000, was swept away.", "s2"), entities=(derna,))
    (d,) = corpus(home, pop, only=["count"])
    assert d.detail["question_text"] == "How many: population?"


def test_an_outlet_that_gives_the_interim_and_the_final_toll_disputes_neither():
    pub_a, pub_b = date(2024, 12, 29), date(2024, 12, 30)
    sources = {"s1": replace(SOURCES["s1"], published=pub_a), "s2": replace(SOURCES["s2"], published=pub_b)}
    interim = claim("By noon the crash had killed 62 people, firefighters said.", published=pub_a)
    final = claim("The crash killed 179 people, officials said.", start=200, published=pub_a)
    other = claim("The crash killed 179 people.", "s2", published=pub_b)
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in (interim, final, other)},
                          sources=sources, pairs=[])
    assert compare.compare(ctx) == [], "62 against 179 is no dispute: Outlet One gives both"
    wrong = claim("The crash killed 181 people.", "s3", published=pub_b)
    ctx = compare.Context(settings=Settings(checks=("toll",)), sources={**sources, "s3": replace(SOURCES["s3"], published=pub_b)},
                          claims={c.claim_id: c for c in (interim, final, other, wrong)}, pairs=[])
    (d,) = compare.compare(ctx)
    first, second = d.detail["sides"][:2]
    assert {first["value"], second["value"]} == {"179", "181"}
    assert d.claim_a in first["claims"] and d.claim_b in second["claims"], "the row's two claims are its first two sides"


def test_the_first_two_sides_are_the_pair_that_shows_the_dispute():
    """Three outlets say 15 dead, two say 15 and one says 14 the same day, one said 10 days before
    (a toll that rose): the same-day 15 against 14 leads, the earlier 10 comes after."""
    early, late = date(2025, 1, 1), date(2025, 1, 3)
    srcs = {f"s{i}": Source(f"s{i}", f"s{i}.txt", f"Outlet {i}", published=late) for i in range(1, 6)}
    srcs["s5"] = replace(srcs["s5"], published=early)
    texts = [("s1", "The attack killed 15 people."), ("s2", "The attack killed 15 people, police said."),
             ("s3", "The attack killed 14 people."), ("s5", "The attack killed 10 people.")]
    claims = [claim(t, s, published=srcs[s].published) for s, t in texts]
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in claims}, sources=srcs,
                          pairs=[])
    (d,) = compare.compare(ctx)
    assert [s["value"] for s in d.detail["sides"]][:2] in (["15", "14"], ["14", "15"])
    assert not d.detail["change_over_time"]


@pytest.mark.parametrize("text,doers", [
    ("On June 27, police raided the homes of several ethnic Azerbaijanis.", {"police"}),
    ("The men were arrested during a raid by the Russian domestic intelligence service.", {"intelligence service"}),
    ("Kenyans faced tear gas and military in the streets a day after the protests.", set()),
    ("President Biden said the FBI reported to him that the man had posted videos.", set()),
    ("Police detained two staff of the security agency.", {"police"}),
])
def test_a_body_is_a_doer_only_when_its_action_follows_or_it_is_the_agent(text, doers):
    assert set(compare.actors(text)) == doers


def test_a_figure_the_sentence_only_imagines_answers_nothing():
    a = claim("The total could rise to seven people killed if one more death is confirmed.")
    b = claim("Five people were killed in the protests.", "s2")
    assert [q.text for q in a.quantities if compare.no_answer(q, a)] == ["seven"]
    assert corpus(a, b, only=["toll"]) == [] and run_pair(a, b, only=["quantity"]) == []
    progress = claim("The board said that, with 80% of the votes counted, Mayor Ruiz had won 51% of the vote.")
    result = claim("Mayor Ruiz won 51% of the vote, the board said.", "s2")
    assert [q.text for q in progress.quantities if compare.no_answer(q, progress)] == ["80%"]
    assert run_pair(progress, result, only=["quantity"]) == [], "how far the count had got is no share of the vote"


def test_a_date_dates_the_happening_near_it():
    """One sentence mentions the verdict but dates the trial's start; the other dates the
    sentencing: no two dates of one happening."""
    start = claim("The verdict was read in the courtroom where Trump has been on trial since April 15, 2024.")
    sentencing = claim("On July 11, 2024, Trump will be back in the courtroom, the judge said, for sentencing.", "s2")
    assert corpus(start, sentencing, pairs=[Alignment(*sorted([start.claim_id, sentencing.claim_id]), 0.9, 0.9)],
                  only=["date"]) == []
    a = claim("The attack, which occurred in the early hours of June 22, 2025, saw bombers strike three sites.")
    b = claim("Bombers targeted three sites during the early morning hours of June 21, 2025.", "s2")
    found = corpus(a, b, pairs=[Alignment(*sorted([a.claim_id, b.claim_id]), 0.9, 0.9)], only=["date"])
    assert [d.kind for d in found] == ["date"]


def test_severity_grows_with_the_gap_and_falls_with_a_hedge():
    from factcheck.facts import gap_weight
    from factcheck.models import Quantity

    def q(low, high=None):
        return Quantity(str(low), low, low if high is None else high, measure="dead")
    close, far = gap_weight(q(15), q(14)), gap_weight(q(53), q(524))
    assert far == 1.0 and 0.8 <= close < 0.9
    floor = Quantity("at least 23", 23, None, measure="dead")
    assert gap_weight(floor, q(6)) == pytest.approx(0.9), "far apart, but one is a bound"


def test_figures_an_outlet_marks_as_earlier_changed_between_reports():
    """One outlet says 10 were killed at first and 15 later; two others give 10 and 15 the same
    day: the 10 against 15 is a change between reports, said so, not two outlets disagreeing."""
    texts = [("s1", "Initially, officials said 10 people were killed in the attack."),
             ("s1", "Later that day the number of people killed grew to 15."),
             ("s2", "The attack killed 10 people, police said."), ("s3", "The attack killed 15 people.")]
    claims = [claim(t, s, start=i * 100) for i, (s, t) in enumerate(texts)]
    (d,) = corpus(*claims, only=["toll"])
    assert d.detail["change_over_time"] and "changed between reports" in d.explanation
    (plain,) = corpus(*claims[2:], only=["toll"])
    assert not plain.detail["change_over_time"] and plain.severity > d.severity


def test_two_days_for_the_one_crash_of_a_story_are_a_dispute():
    """The story's crash on Wednesday in one outlet and on Thursday in another, however differently
    the sentences are worded, is one fact with two answers."""
    friday = date(2025, 7, 4)
    a = claim("At least 265 people were killed on Wednesday when the plane crashed near the airport.", published=friday)
    b = claim("The jet collided with a medical college shortly after take-off on Thursday.", "s2", published=friday)
    (d,) = corpus(a, b, only=["day"])
    assert d.kind == "date" and d.detail["question"][2] == "crash"
    assert sorted(side["value"] for side in d.detail["sides"]) == ["Thursday (2025-07-03)", "Wednesday (2025-07-02)"]


@pytest.mark.parametrize("other", [
    "The toll in the triple-train collision near the railway station in the district climbed to 288 on Thursday.",  # far
    "The Railway Board on Thursday said both trains that crashed were within their speed limit.",  # the saying's day
    "The plane crashed on Wednesday, killing everyone on board.",  # the same day
    "The volcano erupted again on Thursday, days after the plane crashed.",  # an eruption recurs
    "Searchers found the cockpit voice recorder on Thursday within 24 hours of the crash.",  # the finding's day
])
def test_days_that_date_something_else_or_agree_are_no_crash_dispute(other):
    friday = date(2025, 7, 4)
    a = claim("At least 265 people were killed on Wednesday when the plane crashed near the airport.", published=friday)
    assert corpus(a, claim(other, "s2", published=friday), only=["day"]) == []


@pytest.mark.parametrize("other, compared", [
    ("The switches moved just 50 seconds into the flight.", False),  # another interval: into the flight
    ("The plane crashed three minutes later, at 9.03 am.", False),  # from a moment another sentence gave
    ("The jet crashed less than 20 seconds after taking off.", True),  # the same interval, worded otherwise
])
def test_a_span_of_time_is_compared_with_one_from_the_same_moment(other, compared):
    a = claim("The jet crashed 34 seconds after take-off from the city airport.")
    assert bool(corpus(a, claim(other, "s2"), only=["count"])) is compared


def test_the_dead_aboard_are_a_question_of_their_own_where_people_died_on_the_ground():
    """In a crash that killed people on the ground too, "241 of the 242 aboard died" is no rival of
    the total of 260; another outlet's "all 259 people on board were killed" is."""
    aboard = claim("Air India confirmed 241 of the 242 people aboard have died.")
    total = claim("The final toll of 260 includes 19 people killed on the ground.", "s2")
    other = claim("The crash killed all 259 people on board.", "s3")
    found = corpus(aboard, total, other, only=["toll"])
    assert [sorted(side["value"] for side in d.detail["sides"]) for d in found] == [["241", "259"]]


def test_the_dead_aboard_are_the_toll_where_nobody_died_on_the_ground():
    """Without a toll on the ground, "241 of the 242 aboard have died" answers the story's toll; with
    one, "of the 242 aboard, there are 241 confirmed fatalities" is the toll aboard."""
    aboard = claim("Air India confirmed 241 of the 242 people aboard have died.")
    total = claim("The crash killed 260 people.", "s2")
    assert [sorted(s["value"] for s in d.detail["sides"]) for d in corpus(aboard, total, only=["toll"])] == [["241", "260"]]
    worded = claim("We regret to inform that, of the 242 aboard, there are 241 confirmed fatalities.")
    ground = claim("The final toll of 260 includes 19 people killed on the ground.", "s2")
    assert corpus(worded, ground, only=["toll"]) == []


def test_a_span_runs_from_the_happening_named_after_it():
    a = claim("The jet crashed 34 seconds after take-off from the city airport.")
    b = claim("The jet came down 20 seconds after it took off.", "s2")
    assert len(corpus(a, b, only=["count"])) == 1


def test_two_pasts_apart_are_not_compared():
    """Background: the 1881 fire's 282 dead and the 1910 fire's 87 are two fires, not two tolls of one."""
    day = date(2023, 8, 13)
    sources = {sid: replace(src, published=day) for sid, src in SOURCES.items()}
    a = claim("Then in 1881, lightning started the Thumb Fire, which killed 282 people.", published=day)
    b = claim("The Great Fire of 1910 claimed the lives of 87 people.", "s2", published=day)
    c = claim("In 1910, the Great Fire killed 86 people.", "s3", published=day)

    def compared(x, y):
        ctx = compare.Context(settings=Settings(checks=("quantity",)), claims={x.claim_id: x, y.claim_id: y},
                              sources=sources, pairs=[Alignment(x.claim_id, y.claim_id, 0.9, 0.9)])
        return compare.compare(ctx)
    assert compared(a, b) == []
    assert len(compared(b, c)) == 1, "one past, two tolls"


def test_a_combined_figure_is_no_rival_of_one_holders_own():
    """"The two pilots had a combined flying experience of 9,300 hours" sums two people's hours: the
    first officer's own 3,403 hours is no other answer to it; two combined figures still meet."""
    combined = claim("The captain and the first officer had a combined flying experience of 9,300 hours.")
    own = claim("The first officer had 3,403 hours of flying experience.", "s2")
    other = claim("The two pilots had nearly 12,000 hours of combined flying experience.", "s3")
    assert corpus(combined, own, only=["count"]) == []
    assert len(corpus(combined, other, only=["count"])) == 1


def test_a_figure_its_own_outlet_calls_earlier_is_compared_with_nobody():
    """"The initial death toll, which was tallied at 28" against a later 179 elsewhere is no
    dispute: the outlet itself says the 28 is an old figure. The 28 stays among the fact's answers."""
    from factcheck import facts

    old = claim("The figure is more than double the initial death toll, which was tallied at 28.")
    new = claim("Out of the 181 occupants, 179 were killed.", "s2")
    ctx = compare.Context(settings=Settings(), claims={c.claim_id: c for c in (old, new)}, sources=SOURCES, pairs=[])
    assert corpus(old, new, only=["toll"]) == []
    answers = {x.value for f in facts.fact_table(compare.compare(ctx), ctx) if f.question == "How many dead?"
               for x in f.answers}
    assert {"28", "179"} <= answers


@pytest.mark.parametrize("text, figure, earlier", [
    ("Initially, eight men were reported missing.", "eight", True),
    ("The Libyan authorities had previously reported that the toll reached 7,000.", "7,000", True),
    ("However, the OCHA, in its previous report, said at least 11,300 people died.", "at least 11,300", True),
    ("The UN amended the earlier death toll, remarking that at least 3,958 people have died instead of 11,300 "
     "as was before reported.", "at least 3,958", False),
    ("The UN amended the earlier death toll, remarking that at least 3,958 people have died instead of 11,300 "
     "as was before reported.", "11,300", True),
    ("Arab diplomats told AFP earlier this week that Egypt accounted for 658 deaths.", "658", False),
    ("The attack killed 10 people, police said.", "10", False),
])
def test_figures_marked_as_earlier_ones(text, figure, earlier):
    from factcheck.quantities import parse_quantities, superseded
    (q,) = [q for q in parse_quantities(text) if q.text == figure]
    assert superseded(q, text) is earlier


def test_the_fact_table_holds_every_toll_and_every_person_two_outlets_name():
    from factcheck import facts

    a = claim("President Ilham Aliyev said 38 people were killed.", people=("Ilham Aliyev",))
    b = claim("Ilham Aliyev visited the site where 38 people died.", "s2", people=("Ilham Aliyev",))
    ctx = compare.Context(settings=Settings(), claims={c.claim_id: c for c in (a, b)}, sources=SOURCES, pairs=[])
    table = {f.question: f for f in facts.fact_table(compare.compare(ctx), ctx)}
    assert {x.value for x in table["How is Ilham Aliyev spelled?"].answers} == {"Ilham Aliyev"}
    assert not table["How is Ilham Aliyev spelled?"].disputed
    assert sorted(x.outlet for x in table["How many dead?"].answers) == ["Outlet One", "Outlet Two"]


def test_two_accounts_that_disagree_on_how_badly_it_hit_are_one_fact():
    us = claim("Trump claimed Iran's nuclear facilities were completely and totally obliterated.", "s1",
               speaker="Trump", party="United States")
    iran = claim("Authorities in Iran insist the site sustained only minimal surface-level damage.", "s2",
                 speaker="Authorities in Iran", party="Iran")
    found = run_pair(us, iran, score=0.5, cosine=0.5, only=["damage"])
    assert [(d.kind, d.detail["question_text"], sorted(s["value"] for s in d.detail["sides"])) for d in found] == [
        ("attribution_conflict", "How badly was it hit?", ["minimal", "severe"])]
    assert found[0].explanation.startswith("Conflicting accounts of the damage: severe according to ")


@pytest.mark.parametrize("other", [
    claim("Authorities in Iran insist the site sustained only minimal damage.", "s2", party="United States"),  # one party
    claim("The site sustained only minimal damage.", "s2"),  # nobody's account
    claim("Iran said the site was completely destroyed.", "s2", party="Iran"),  # they agree
    claim("Iran said the site was completely destroyed but its halls remained intact.", "s2", party="Iran"),  # both
])
def test_damage_accounts_that_can_both_be_true_are_not_flagged(other):
    us = claim("Trump claimed the facilities were completely and totally obliterated.", "s1", speaker="Trump",
               party="United States")
    assert run_pair(us, other, score=0.5, cosine=0.5, only=["damage"]) == []


def test_a_figure_is_as_of_the_day_its_article_gives_it():
    """A report of Thursday gives 46 arrested "on Monday" (and repeats the 46 in an undated quote);
    another of Thursday counts 749: the 46 is Monday's figure, so the pair is a count that moved
    between days, said with both days, not two outlets disagreeing on Thursday."""
    thursday = date(2024, 8, 1)
    sources = {sid: replace(src, published=thursday) for sid, src in SOURCES.items()}
    texts = [("s1", "46 arrested during protests in the capital on Monday, the group said."),
             ("s1", "\u201cAt least one person killed and 46 people arrested,\u201d the director wrote."),
             ("s2", "The attorney general said 749 people have been arrested.")]
    claims = [claim(t, s, start=i * 100, published=thursday) for i, (s, t) in enumerate(texts)]
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in claims},
                          sources=sources, pairs=[])
    assert compare.as_of(claims[1], ctx, claims[1].quantities[1]) == date(2024, 7, 29)
    assert compare.as_of(claims[2], ctx, claims[2].quantities[0]) == thursday
    (d,) = compare.compare(ctx)
    assert d.detail["change_over_time"]
    assert "as of 2024-07-29 (published 2024-08-01)" in d.explanation
    same_day = [claim(texts[1][1], "s1", published=thursday), claims[2]]
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in same_day},
                          sources=sources, pairs=[])
    (plain,) = compare.compare(ctx)
    assert not plain.detail["change_over_time"], "undated the same day, 46 against 749 is a dispute"


def test_one_persons_votes_are_one_question_across_the_story():
    """Two outlets give González different vote counts in sentences that do not align; the share
    of the vote is its own question; how far the count had got and a poll's forecast are nobody's
    result."""
    people = ("Edmundo González",)
    texts = [("s1", "According to the electoral council, Edmundo González obtained 4,445,978 votes."),
             ("s2", "With the tally sheets it holds, the opposition says Edmundo González obtained 6,275,182 votes."),
             ("s1", "Edmundo González won 44% of the vote, the council said."),
             ("s2", "Edmundo González had won 70% of the votes, the opposition said."),
             ("s3", "With 80% of the votes counted, Edmundo González trailed."),
             ("s3", "A local pollster predicted a 65% vote for Edmundo González.")]
    claims = [claim(t, s, people=people, start=i * 100) for i, (s, t) in enumerate(texts)]
    found = corpus(*claims, only=["count"])
    by_question = {d.detail["question_text"]: sorted(s["value"] for s in d.detail["sides"]) for d in found}
    assert by_question == {"How many vote for Gonzalez?": ["4,445,978", "6,275,182"],
                           "What share (votes) for Gonzalez?": ["44%", "70%"]}


def test_a_clock_time_is_of_the_happening_of_its_clause():
    """ "warned of a bird strike …, officials said, during its first landing attempt shortly after
    9am" times the landing attempt, not the warning; an outlet's final landing at 9:03 does not
    tell when the first attempt was."""
    first = claim("The jet was warned of a bird strike by the tower, officials said, during its first landing "
                  "attempt shortly after 9am.")
    assert compare.timed_happenings(first.text) == frozenset({"land"})
    other = claim("During its first landing attempt at roughly 8.54 am, the plane failed to land.", "s2")
    final = claim("The plane crashed at 9.03 am while attempting a belly landing.", "s2", start=200)
    warned = claim("The tower warned the crew about bird strike risks at 8.57 am.", "s2", start=400)
    (d,) = corpus(first, other, final, warned, only=["time"])
    assert {d.claim_a, d.claim_b} == {first.claim_id, other.claim_id}


@pytest.mark.parametrize("texts,flagged", [
    (["The FBI said the driver was killed in a firefight with police.",
      "Fortunately, the police apprehended him before he could detonate them."], True),
    (["The suspect was shot dead by officers at the scene.", "Police said the attacker was arrested on Friday."], True),
    (["The gunman was killed by police.", "Police arrested a second suspect on Thursday."], False),
    (["The gunman was killed by police.", "The attacker was not arrested, officials said."], False),
    (["The gunman was killed by police.", "The suspect died at the scene."], False),
])
def test_what_became_of_the_suspect(texts, flagged):
    claims = [claim(t, f"s{i + 1}") for i, t in enumerate(texts)]
    found = corpus(*claims, only=["fate"])
    assert bool(found) == flagged
    if flagged:
        (d,) = found
        assert d.detail["question_text"] == "What became of the suspect?"
        assert sorted(s["value"] for s in d.detail["sides"]) == ["held", "killed"]


def test_two_people_named_to_one_office():
    """KSFO's "Defense Secretary Patrick Shanahan" against the Pentagon's "Defence Secretary Pete
    Hegseth": one office, two people. Two countries' foreign ministers, an article that names both
    to one office, and one name spelled two ways are no such conflict."""
    def c(text, source, *people, start=0):
        return claim(text, source, people=people, start=start)

    found = corpus(c("The plan was revealed by Defense Secretary Patrick Shanahan at a briefing.", "s1", "Patrick Shanahan"),
                   c("Defence Secretary Pete Hegseth said the operation was a success.", "s2", "Pete Hegseth"),
                   only=["role"])
    assert [(d.detail["question_text"], sorted(s["value"] for s in d.detail["sides"])) for d in found] == \
        [("Who is the defense secretary?", ["Patrick Shanahan", "Pete Hegseth"])]
    assert corpus(c("Russian Foreign Minister Sergei Lavrov said talks would go on.", "s1", "Sergei Lavrov"),
                  c("Iranian Foreign Minister Abbas Araghchi said talks would go on.", "s2", "Abbas Araghchi"),
                  only=["role"]) == []
    assert corpus(c("Foreign Minister Sergei Lavrov met Foreign Minister Abbas Araghchi.", "s1", "Sergei Lavrov",
                    "Abbas Araghchi"),
                  c("Foreign Minister Abbas Araghchi said talks would go on.", "s2", "Abbas Araghchi"),
                  c("Foreign Minister Sergei Lavrov said talks would go on.", "s3", "Sergei Lavrov"),
                  only=["role"]) == []
    assert corpus(c("Prime Minister Irakli Kobakhidze said the talks were over.", "s1", "Irakli Kobakhidze"),
                  c("Prime Minister Irakli Kobakhidse said the talks were over.", "s2", "Irakli Kobakhidse"),
                  only=["role"]) == []


def test_identifiers_one_swap_apart_across_the_story():
    """ "Its IMO number is 9697428" and "(IMO 9697248)" in sentences that do not align; a jet
    "registered N709PS" and "the registration N709SP": likely typos. Two flights of one story
    whose numbers are far apart are two flights."""
    assert compare.identifiers("Its IMO number is 9697428, the identifier a ship keeps.") == {"imo": frozenset({"9697428"})}
    assert compare.identifiers("A CRJ700 registered N709PS lay in the river.") == {"registration": frozenset({"N709PS"})}
    found = corpus(claim("Its IMO number is 9697428, the identifier a ship keeps.", "s1"),
                   claim("The 948-foot vessel (IMO 9697248) is aground under the span.", "s2"), only=["identifier_typo"])
    assert [(d.detail["question_text"], d.detail["transposed"]) for d in found] == [("Which imo number?", True)]
    assert corpus(claim("Flight 5342 was landing at Reagan airport.", "s1"),
                  claim("Flight 3452 had left an hour earlier.", "s2"), only=["identifier_typo"]) == []


def test_a_speaker_denies_what_another_reports():
    told = claim("A pro-Kremlin Telegram channel reported that about 40 people were being held hostage in a church.",
                 "s1", speaker="A pro-Kremlin Telegram channel", content="about 40 people were being held hostage in a church")
    denied = claim("The interior ministry denied that anyone had been taken hostage.", "s2",
                   speaker="The interior ministry", stance="denies", content="anyone had been taken hostage")
    (d,) = corpus(told, denied, only=["denial"])
    assert d.detail["question_text"] == "Did it happen or not?"
    assert sorted(s["value"] for s in d.detail["sides"]) == ["A pro-Kremlin Telegram channel: it happened",
                                                             "The interior ministry: it did not"]
    motion = claim("The judge denied the motion for acquittal.", "s2", speaker="the judge", stance="denies",
                   content="the motion for acquittal")
    filed = claim("The defence said it had filed a motion for acquittal.", "s1", speaker="The defence",
                  content="it had filed a motion for acquittal")
    assert corpus(motion, filed, only=["denial"]) == [], "a request turned down is no statement denied"


def test_an_articles_breakdown_of_its_own_toll_is_no_rival_answer():
    """One article gives 39 dead in all, 17 in the capital, 2 in one county and "3 deaths each" in
    three more: its answer is 39. Another outlet's 22 is compared with the 39, never with the 17
    or the 2. A figure of the past in the article is no total of it."""
    texts = [("s1", "At least 39 people were killed in the protests, the commission said."),
             ("s1", "Nairobi leads the number of fatalities, standing at 17 dead."),
             ("s1", "Kisumu had 2 deaths related to the chaos."),
             ("s1", "Nakuru, Kajiado and Mombasa reported 3 deaths each."),
             ("s2", "At least 22 people were killed in the protests, a rights group said.")]
    claims = [claim(t, s, start=i * 100) for i, (s, t) in enumerate(texts)]
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in claims},
                          sources=SOURCES, pairs=[])
    assert {text for _, text in compare.article_parts(ctx)} == {"17", "2", "3"}
    answers = {fmt for key, items in compare.toll_answers(ctx).items() for _, q in items for fmt in [q.text]}
    assert answers == {"At least 39", "At least 22"}


def test_outlets_name_different_vehicles_driven_into_a_crowd():
    found = corpus(claim("The attack began when the suspect drove the van at high speed into the crowd.", "s1"),
                   claim("A man drove a pickup truck into a crowd of revelers on the street.", "s2"),
                   claim("He plowed through a large crowd with a pickup truck, killing 15.", "s3"), only=["vehicle"])
    assert [(d.detail["question_text"], sorted(s["value"] for s in d.detail["sides"])) for d in found] == \
        [("What vehicle?", ["truck", "van"])]
    # the vehicles of a crash story are not a ramming's, and a lorry is a truck
    assert corpus(claim("A bus collided with a car on the motorway.", "s1"),
                  claim("The lorry driver drove the lorry into the crowd.", "s2"),
                  claim("He drove a truck into the market crowd.", "s3"), only=["vehicle"]) == []


def test_the_vehicle_doing_the_ramming_and_its_make():
    """The vehicle may be the sentence's subject ("a van plowed into a crowd"); a make alone is a
    car ("drove a black BMW through the crowd"), and two makes are a question of their own."""
    found = corpus(claim("Police said a van plowed into a crowd at the market on Friday.", "s1"),
                   claim("The man drove a black BMW through the crowded market, police said.", "s2"),
                   claim("A black Mercedes SUV ploughed for 400 metres into crowds of shoppers.", "s3"),
                   only=["vehicle"])
    assert sorted((d.detail["question_text"], tuple(sorted(s["value"] for s in d.detail["sides"]))) for d in found) == [
        ("What make of vehicle?", ("BMW", "Mercedes-Benz")), ("What vehicle?", ("car", "van"))]


def test_train_numbers_one_digit_apart_are_a_likely_typo():
    assert compare.identifiers("Bogies of 12864 Bengaluru-Howrah Superfast Express derailed.") == {"train": frozenset({"12864"})}
    assert compare.identifiers("Bengaluru-Howrah Superfast Express (12862) passed on the main line.") == \
        {"train": frozenset({"12862"})}
    (d,) = corpus(claim("Bogies of 12864 Bengaluru-Howrah Superfast Express derailed.", "s1"),
                  claim("Bengaluru-Howrah Superfast Express (12862) passed on the main line.", "s2"), only=["identifier_typo"])
    assert "one character" in d.explanation and not d.detail["transposed"]
    assert not compare.one_slip("5342", "5343"), "short numbers one digit apart are two numbers as often as a typo"


def test_two_trains_in_two_sentences_are_not_one_number_misreported():
    a = claim("The Coromandel Express (12841) collided with a stationary goods train.")
    b = claim("Bogies of 12864 Bengaluru-Howrah Superfast Express derailed onto the adjacent track.", "s2")
    assert run_pair(a, b, score=0.8, cosine=0.7, only=["identifier"]) == []
    assert compare.near_identifiers("12862", "12864") and compare.near_identifiers("1492", "1942")
    assert not compare.near_identifiers("12841", "12864")


def test_a_groups_floor_is_no_other_count_of_the_whole_toll():
    a = claim("At least 49 Tunisians have died in the heat during the past week.")
    b = claim("Various countries reported more than 1,100 deaths, many attributed to the heat.", "s2")
    assert corpus(a, b, only=["toll"]) == [] and run_pair(a, b, only=["quantity"]) == []


def test_a_story_counted_country_by_country_asks_one_question_per_country():
    """Pilgrims of many nations: "Egypt accounted for 658 deaths", "600 Egyptians died", "Pakistan
    has so far recorded 58 deaths" and the all-country 1,126 are four answers to three questions
    (Egypt's toll, Pakistan's, everyone's), and "the new deaths included 58 from Egypt" is an
    increment, no answer to Egypt's toll."""
    texts = [("s1", "Arab diplomats said Egypt accounted for 658 deaths."),
             ("s2", "At least 600 Egyptians died, medical sources said."),
             ("s2", "Pakistan has so far recorded 58 deaths, a diplomat said."),
             ("s3", "An AFP tally put the toll at 1,126 dead."),
             ("s3", "The new deaths reported yesterday included 58 from Egypt.")]
    claims = [with_places(claim(t, s, start=i * 100), "Egypt", "Pakistan", "Egyptians") for i, (s, t) in enumerate(texts)]
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in claims},
                          sources=SOURCES, pairs=[])
    questions = {key[3]: sorted(q.text for _, q in items) for key, items in compare.toll_answers(ctx).items()}
    assert questions == {"in Egypt": ["658", "At least 600"], "in Pakistan": ["58"], "": ["1,126"]}
    # a figure of the sentence's one nation is that nation's: "and 31 were missing"; a total
    # before a nation's part stays everyone's
    overall = with_places(claim("The overall toll rose to 1,126, including 658 Egyptians.", "s3", start=950), "Egyptians")
    missing = with_places(claim("Medical sources said at least 530 Egyptians had died and 31 were missing.", "s1",
                                start=900), "Egyptians")
    ctx = compare.Context(settings=Settings(checks=("toll",)), claims={c.claim_id: c for c in claims + [missing, overall]},
                          sources=SOURCES, pairs=[])
    answers = compare.toll_answers(ctx)
    assert ("count", "", "missing", "in Egypt", "") in answers
    assert [c.claim_id for c, q in answers[("count", "", "dead", "", "")] if q.text == "1,126" and c is overall]


def test_a_story_counted_place_by_place_compares_one_places_tolls():
    a = claim("Of the total, five were murdered in Caracas, two in the state of Zulia, one in Aragua.", "s1")
    b = claim("A spokesman said the death toll from the protests in Aragua was at least three people.", "s2")
    a, b = (with_places(c, "Caracas", "Zulia", "Aragua") for c in (a, b))
    (d,) = corpus(a, b, only=["toll"])
    assert d.detail["question_text"] == "How many dead (in Aragua)?"
    assert sorted(s["value"] for s in d.detail["sides"]) == ["1", "at least 3"]


def test_a_spelling_fact_names_the_majority_spelling_whichever_side_leads():
    people = lambda n: (n,)  # noqa: E731
    # the minority spelling sorts first, so it leads the row
    claims = [claim("Ilham Aliyev spoke to reporters on Friday.", "s1", people=people("Ilham Aliyev")),
              claim("Ilhan Aliyev spoke to reporters on Friday.", "s2", people=people("Ilhan Aliyev")),
              claim("Ilhan Aliyev met the delegation in Baku.", "s3", people=people("Ilhan Aliyev"))]
    (d,) = corpus(*claims, only=["name_variant"])
    assert d.detail["sides"][0]["value"] == "Ilham Aliyev"
    assert "'Ilhan Aliyev' is used by more sources (2 of 3)" in d.explanation


@pytest.mark.parametrize("group,question", [("passenger", "How many dead (passengers)?"), ("body", "How many dead (bodies)?"),
                                            ("coach", "How many dead (coaches)?"), ("in Egypt", "How many dead (in Egypt)?"),
                                            ("man", "How many dead (men)?"), ("crew", "How many dead (crew)?")])
def test_a_counted_group_is_named_in_the_plural(group, question):
    from factcheck.facts import plain_question
    assert plain_question(("count", "story", "dead", group, "")) == question


@pytest.mark.parametrize("question,words", [
    (("count", "story", "m:ship", "", ""), "What length or distance (ship)?"),
    (("count", "story", "km/h:truck", "", ""), "What speed (truck)?"),
    (("count", "story", "member", "crew", ""), "How many crew members?"),
    (("count", "story", ":bomb", "", ""), "How many: bomb?"),
])
def test_a_measured_thing_is_asked_in_words(question, words):
    from factcheck.facts import plain_question
    assert plain_question(question) == words


def test_one_person_given_two_ages_is_a_disputed_age():
    """Outlets write ages beside names in several ways ("Rosa Delgado Marin, 49;", "40-year-old
    Rosa Delgado", "Delgado, 41, was"); one person given two ages is one question, "How old is …?"."""
    a = with_places(claim("The workers were named as 40-year-old Rosa Delgado and Tomas Brill, 33, of Eastport."),
                    "Eastport")
    b = claim("The victims were Rosa Delgado Marin, 49; Tomas Brill, 33; and Ian Vale, 24.", "s2")
    found = corpus(a, b, only=["age"])
    assert [d.detail["question"][0] for d in found] == ["age"], [d.explanation for d in found]
    assert [s["value"] for s in found[0].detail["sides"]] == ["40", "49"]
    assert "Rosa Delgado" in found[0].explanation
    bare = claim("Brill, 35, was an engineer at the port.", "s3")
    assert [[s["value"] for s in d.detail["sides"]] for d in corpus(a, b, bare, only=["age"])] == [
        ["40", "49"], ["33", "35"]], "a bare family name joins its full name"


@pytest.mark.parametrize("text, age", [
    ("55-year-old captain Omar Haddad had planned to retire.", "55"),      # a rank between age and name
    ("Co-pilot Omar Haddad: The 55-year-old had 3,400 hours of flying.", "55"),  # after a colon
    ("Haddad, who is in his late 50s, walked out of the wreckage.", "late 50s"),  # a decade
])
def test_ages_written_other_ways_are_read(text, age):
    named = claim("The captain, Omar Haddad, 61, had flown for the airline for 30 years.", "s2")
    (d,) = corpus(claim(text), named, only=["age"])
    assert sorted(s["value"] for s in d.detail["sides"]) == sorted([age, "61"])


def test_an_age_by_its_decade_agrees_with_an_age_inside_it():
    a = claim("Haddad, who is in his late 30s, walked out of the wreckage.")
    b = claim("The lone survivor, Omar Haddad, 38, walked out of the wreckage.", "s2")
    assert corpus(a, b, only=["age"]) == []


def test_two_people_of_one_family_name_or_a_birthday_are_no_dispute():
    lane = claim("Skaters Spencer Vane, 16, and his coach Ann Vane, 45, were aboard.")
    other = claim("Among the dead was Spencer Vane, 16, of Easton.", "s2")
    assert corpus(lane, other, only=["age"]) == [], "Spencer and Ann Vane are two people"
    sources = {"s1": Source("s1", "s1.txt", "Outlet One", published=date(2024, 12, 21)),
               "s2": Source("s2", "s2.txt", "Outlet Two", published=date(2025, 11, 10)),
               "s3": Source("s3", "s3.txt", "Outlet Three", published=date(2025, 11, 10))}
    dec = claim("Omar Haddad, 50, was arrested at the scene.")
    trial = claim("Omar Haddad, 51, went on trial on Monday.", "s2")
    ctx = compare.Context(settings=Settings(checks=("age",)), claims={c.claim_id: c for c in (dec, trial)},
                          sources=sources, pairs=[])
    assert compare.compare(ctx) == [], "50 in December, 51 eleven months later: a birthday"
    same_day = claim("Omar Haddad, 50, went on trial on Monday.", "s3")
    ctx = compare.Context(settings=Settings(checks=("age",)), claims={c.claim_id: c for c in (dec, trial, same_day)},
                          sources=sources, pairs=[])
    found = compare.compare(ctx)
    assert [s["claims"] for s in found[0].detail["sides"]] in ([[same_day.claim_id], [trial.claim_id]],
                                                             [[trial.claim_id], [same_day.claim_id]])


def test_a_distance_between_two_places_is_one_question():
    """Distances are keyed by the two places they lie between, however the sentence runs, and a
    figure with its conversion in brackets is one figure; a date in a relative clause ("who settled
    there in 2006") leaves the sentence's distance current."""
    sources = {"s1": Source("s1", "s1.txt", "Outlet One", published=date(2024, 12, 21)),
               "s2": Source("s2", "s2.txt", "Outlet Two", published=date(2024, 12, 21))}
    a = with_places(claim("He worked in Eastmoor, about 23 miles (36 kilometers) south of Lindau.",
                          published=date(2024, 12, 21)), "Eastmoor", "Lindau")
    b = with_places(claim("The suspect, who settled in Ruritania in 2006, works in a clinic in Eastmoor, "
                          "about 46 kilometers from Lindau.", "s2", published=date(2024, 12, 21)),
                    "Eastmoor", "Lindau", "Ruritania")
    ctx = compare.Context(settings=Settings(checks=("count",)), claims={c.claim_id: c for c in (a, b)},
                          sources=sources, pairs=[])
    (d,) = compare.compare(ctx)
    assert d.detail["question"] == ["count", "", "m:eastmoor|lindau", "", ""]
    assert sorted(s["value"] for s in d.detail["sides"]) == ["about 23 miles", "about 46 kilometers"]
    assert d.detail["question_text"] == "What length or distance (Eastmoor–Lindau)?"
    assert d.explanation.startswith("Length or distance (Eastmoor–Lindau): different figures")
    near = with_places(claim("The clinic in Eastmoor lies about 22 miles from Lindau.", "s2",
                             published=date(2024, 12, 21)), "Eastmoor", "Lindau")
    ctx = compare.Context(settings=Settings(checks=("count",)), claims={c.claim_id: c for c in (a, near)},
                          sources=sources, pairs=[])
    assert compare.compare(ctx) == []


def test_outlets_name_different_airliner_types():
    """One outlet calls the jet an Embraer ERJ-145, the others a Bombardier CRJ-700 (or a "CRJ700
    jet"): one question, "What aircraft type?". A date of the plane's making is its past, not the
    claim's; the Boeing 737-800 and the 737 are one type."""
    sources = {sid: Source(sid, f"{sid}.txt", name, published=date(2025, 1, 30))
               for sid, name in [("s1", "Outlet One"), ("s2", "Outlet Two"), ("s3", "Outlet Three")]}
    claims = [claim("Flight 88, a regional Embraer ERJ-145 carrying 64 people, was landing.", published=date(2025, 1, 30)),
              claim("The aircraft, a Bombardier CRJ-700 regional jet manufactured in 2004, was landing.", "s2",
                    published=date(2025, 1, 30)),
              claim("Officials said a CRJ700 jet collided with a helicopter.", "s3", published=date(2025, 1, 30))]
    ctx = compare.Context(settings=Settings(checks=("aircraft",)), claims={c.claim_id: c for c in claims},
                          sources=sources, pairs=[])
    (d,) = compare.compare(ctx)
    assert d.detail["question_text"] == "What aircraft type?"
    assert [(s["value"], len(s["outlets"])) for s in d.detail["sides"]] == [("Bombardier CRJ700", 2), ("Embraer 145", 1)]
    same = [claim("The Boeing 737-800 aircraft overran the runway."), claim("The Boeing 737 jet overran the runway.", "s2")]
    ctx = compare.Context(settings=Settings(checks=("aircraft",)), claims={c.claim_id: c for c in same},
                          sources=sources, pairs=[])
    assert compare.compare(ctx) == []


def test_one_source_credited_with_two_floors_the_same_day_is_a_dispute():
    """Two floors of one toll are two counts so far, unless both outlets credit one source: then
    "at least 530" and "at least 600" the same day cannot both be its word."""
    a = claim("Medical and security sources said at least 530 pilgrims had died.", speaker="medical and security sources")
    b = claim("According to medical and security sources, at least 600 pilgrims died.", "s2",
              speaker="medical and security sources")
    assert kinds(corpus(a, b, only=["toll"])) == ["quantity"]
    c = claim("Diplomats said at least 600 pilgrims died.", "s2", speaker="diplomats")
    assert corpus(a, c, only=["toll"]) == [], "two sources' floors are two counts so far"


def test_two_records_are_two_questions():
    """"The deadliest crash in 20 years" and "the first major crash in 16 years" are both true: a
    span that measures a record is asked of its record; the same record given two spans is a dispute."""
    sources = {sid: Source(sid, f"{sid}.txt", name, published=date(2025, 1, 30))
               for sid, name in [("s1", "Outlet One"), ("s2", "Outlet Two"), ("s3", "Outlet Three")]}
    deadliest = claim("It was the deadliest US air crash in 20 years, officials said.", published=date(2025, 1, 30))
    first = claim("It was the first major US air crash in 16 years.", "s2", published=date(2025, 1, 30))
    other = claim("It was the deadliest US air crash in 24 years.", "s3", published=date(2025, 1, 30))

    def found(*claims):
        ctx = compare.Context(settings=Settings(checks=("count",)), claims={c.claim_id: c for c in claims},
                              sources=sources, pairs=[])
        return compare.compare(ctx)
    assert found(deadliest, first) == []
    assert [d.detail["question"][2] for d in found(deadliest, other)] == ["year:deadliest"]
