"""Quantities: each table row is a sentence and the numbers a fact-checker would read in it,
as (low, high, measure, unit, vague); ``None`` for an open bound.
"""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.quantities import (APPROX_FRACTION, fmt_value, parse_quantities, quantities_compatible)


def Q(low, high, measure=None, unit=None, vague=False) -> tuple:
    return (low, high, measure, unit, vague)


def _round(x):
    return None if x is None else round(x, 4)


def read(text: str) -> list[tuple]:
    return [(_round(q.low), _round(q.high), q.measure, q.unit, q.vague) for q in parse_quantities(text)]


QUANTITIES = [
    # the level a toll reached, however far back the toll is named
    ("The death toll from floods in the eastern city of Derna has soared to 11,300, the Red Crescent said.",
     [Q(11300, 11300, "dead")]),
    ("The toll reached more than 5,100 on Wednesday.", [Q(5100, None, "dead")]),
    ("The injury toll rose to 40.", [Q(40, 40, "injured")]),
    ("The death toll from the protests in Aragua was at least three people.", [Q(3, None, "dead")]),
    ("The convoy drove to 5 villages.", [Q(5, 5, "village")]),
    # the seed sentences
    ("Azerbaijani authorities said the jet crashed in western Kazakhstan, killing 38 of 67 people aboard.",
     [Q(38, 38, "dead"), Q(67, 67, "aboard")]),
    ("The accident claimed the lives of 38 people.", [Q(38, 38, "dead")]),
    ("Masked police stormed the offices of Sputnik Azerbaijan and arrested seven of its employees.",
     [Q(7, 7, "arrested")]),
    ("A 2021 census listed about a half-million ethnic Azerbaijanis living in Russia, but unofficial "
     "estimates put that number as high as 2 million.",
     [Q(450_000, 550_000, "azerbaijani"), Q(None, 2_000_000)]),
    ("Russia brokered a truce and deployed about 2,000 peacekeepers to the region.",
     [Q(1800, 2200, "peacekeeper")]),
    ("Police also rounded up eight other Russian IT experts.", [Q(8, 8, "arrested")]),
    # measures: the predicate wins over the noun
    ("38 of the 67 passengers were killed when the plane came down.", [Q(38, 38, "dead"), Q(67, 67, "aboard")]),
    ("The plane was carrying 67 passengers and crew.", [Q(67, 67, "aboard")]),
    ("The death toll rose to 52 on Sunday.", [Q(52, 52, "dead")]),
    ("Brothers Huseyn and Ziyaddin Safarov died and several other ethnic Azerbaijanis were seriously injured.",
     [Q(3, 9, "injured", vague=True)]),
    ("Police raided the homes of several ethnic Azerbaijanis in Yekaterinburg, Russia's fourth-largest city.",
     [Q(3, 9, "azerbaijani", vague=True)]),
    ("Since the death of two Azerbaijanis in Russia, relations have soured.", [Q(2, 2, "dead")]),
    ("A mother and her two young children were released.", [Q(2, 2, "child")]),
    # bounds
    ("At least 40 people were killed in the blast.", [Q(40, None, "dead")]),
    ("More than 40 people were injured.", [Q(40, None, "injured")]),  # read as "at least"
    ("Up to 50 people remain missing.", [Q(None, 50, "missing")]),
    ("As many as 5,000 people may have died.", [Q(None, 5000, "dead")]),
    ("Fewer than 100 people were evacuated.", [Q(None, 100, "evacuated")]),
    ("Authorities detained 40+ people.", [Q(40, None, "arrested")]),
    ("Around 120 people were wounded.", [Q(108, 132, "injured")]),
    ("Nearly 300 people were evacuated.", [Q(270, 300, "evacuated")]),
    ("Some 1.5 million refugees crossed the border.", [Q(1_350_000, 1_650_000, "refugee")]),
    ("Between 10 and 20 protesters were detained.", [Q(10, 20, "arrested")]),
    ("Officials said 10-20 homes were damaged.", [Q(10, 20, "home")]),
    ("Two or three soldiers died.", [Q(2, 3, "dead")]),
    # vague words
    ("Dozens of people were hurt in the clashes.", [Q(24, 99, "injured", vague=True)]),
    ("A few journalists were detained.", [Q(2, 6, "arrested", vague=True)]),
    ("A handful of protesters remained in the square.", [Q(2, 9, "protester", vague=True)]),
    ("Tens of thousands of people rallied in the capital.", [Q(20_000, 99_999, "people", vague=True)]),
    ("Several hundred people gathered outside.", [Q(300, 900, "people", vague=True)]),
    # written numbers
    ("A dozen soldiers were wounded.", [Q(12, 12, "injured")]),
    ("Twenty-five people were killed.", [Q(25, 25, "dead")]),
    ("Two hundred and fifty people were arrested.", [Q(250, 250, "arrested")]),
    ("One person was killed and two were hurt.", [Q(1, 1, "dead"), Q(2, 2, "injured")]),
    # units
    ("Japan imports over 95% of its crude oil from the Middle East.", [Q(95, None, "oil", "%")]),
    ("Turnout was 61.5 percent.", [Q(61.5, 61.5, None, "%")]),
    ("Trump told Putin about his $4.5 trillion tax bill.", [Q(4.5e12, 4.5e12, "bill", "USD")]),
    ("The company paid €10 million in fines.", [Q(1e7, 1e7, None, "EUR")]),
    ("The convoy travelled 5 km along the road.", [Q(5000, 5000, None, "m")]),
    ("The wall is 300 feet tall.", [Q(91.44, 91.44, None, "m")]),
    ("The truck carried 2 tons of aid.", [Q(2000, 2000, "aid", "kg")]),
    ("They spent about 11 hours at a processing center.", [Q(9.9, 12.1, None, "hour")]),
    # durations and ages are quantities with a time unit
    ("He has ruled almost as long as the 25-year rule of Vladimir Putin.", [Q(25, 25, "rule", "year")]),
    ("The territory was held for nearly three decades by Armenian forces.", [Q(27, 30, None, "year")]),
    ("Her 6-year-old son was released.", [Q(6, 6, "son", "year")]),
    # not quantities: dates, years, ordinals, identifiers, clock times, pronouns
    ("Aliyev has been in power since 2003.", []),
    ("On Dec. 25, 2024, an Azerbaijan Airlines passenger jet crashed.", []),
    ("Japan began diversifying after the oil shocks of the 1970s.", []),
    ("He finished sixth and moved to Russia's fourth-largest city on the 21st.", []),
    ("The Su-25 jet and flight 8243 were grounded over COVID-19 rules.", []),
    ("The meeting started at 10:30 and ended at 3 p.m.", []),
    ("One of the lawyers said the first one was filed in Texas.", []),
    ("2000 peacekeepers arrived in 2000.", [Q(2000, 2000, "peacekeeper")]),
    ("Two-thirds of voters backed the plan, and test scores rose.", []),
    ("A couple who fled the fighting spoke to reporters.", []),
    ("Scores of people died and 3m refugees fled.", [Q(40, 99, "dead", vague=True), Q(3e6, 3e6, "displaced")]),
    ("Fares rose from 10 to 20 percent.", [Q(10, 10), Q(20, 20, None, "%")]),
    # a day after a figure says when, not what is counted
    ("The toll reached 270 Saturday, doctors said.", [Q(270, 270, "dead")]),
    ("Police arrested 40 Tuesday night.", [Q(40, 40, "arrested")]),
    # in hospital, with wounds; an age written onto its number counts its noun, never a toll
    ("Eight others remain in hospital.", [Q(8, 8, "hospitalised")]),
    ("Twelve others who suffered stab wounds were treated by paramedics.", [Q(12, 12, "injured")]),
    ("Her eight-month-old baby remains in hospital after surgery.", [Q(8, 8, "baby", "month")]),
    # one of a group said to be hurt or killed is a count of one; "one of the lawyers said" is not
    ("One of the crew members suffered minor injuries in the crash.", [Q(1, 1, "injured")]),
    ("One of them was killed in the crossfire.", [Q(1, 1, "dead")]),
    # the people stabbed are counted as such; stabbed to death, or fatally, they are the dead
    ("He stabbed 16 people in the shopping centre.", [Q(16, 16, "stabbed")]),
    ("Three people were stabbed to death.", [Q(3, 3, "dead")]),
    ("A man who fatally stabbed six people was shot.", [Q(6, 6, "dead")]),
]


@pytest.mark.parametrize("text, expected", QUANTITIES, ids=[t[:40] for t, _ in QUANTITIES])
def test_parse_quantities(text, expected):
    assert read(text) == expected


def test_the_whole_of_x_of_y_takes_the_participle_after_its_noun():
    q = parse_quantities("All up, 14 of the 17 people he stabbed were female.")
    assert [(x.text, x.measure, x.group, x.part) for x in q] == [("14", "stabbed", "", True), ("17", "stabbed", "", False)]
    aboard = parse_quantities("The attack killed 38 of 67 people aboard.")
    assert [(x.measure, x.part) for x in aboard] == [("dead", False), ("aboard", False)]
    who = parse_quantities("Five of the six people who were killed were women.")
    assert [(x.measure, x.part) for x in who] == [("dead", True), ("dead", False)], "five are some of the six dead"


@pytest.mark.parametrize("text, part", [
    ("Five victims and the assailant were pronounced dead at the scene.", True),
    ("Two people died later in hospital.", True),
    ("The attack killed six people.", False),
    ("Police arrived at the scene where 40 people had gathered.", False),
])
def test_the_dead_of_one_place_are_a_part_of_the_toll(text, part):
    (q,) = parse_quantities(text)
    assert q.part is part


def test_a_list_that_goes_on_without_a_number_gives_no_sum():
    """"169 Indians, 53 British, seven Portuguese and a Canadian": the sum of the numbers is not the
    list's total; "60 passengers and 4 crew, a total of 64" still sums."""
    listed = parse_quantities("There were 169 Indian passengers, 53 British, seven Portuguese and a Canadian on board.")
    assert not any(q.total for q in listed)
    summed = parse_quantities("There were 60 passengers and 4 crew, a total of 64.")
    assert [q.low for q in summed if q.total] == [64]


def test_seconds_are_a_span_of_time_and_a_clock_times_seconds_are_none():
    (q,) = parse_quantities("The aircraft crashed just 34 seconds after departing.")
    assert q.unit == "hour" and fmt_value(q) == "34 seconds"
    assert parse_quantities("He began the attack at 3.32pm and 57 seconds.") == []


def test_people_associated_with_a_body_are_some_of_the_dead():
    (q,) = parse_quantities("The club confirmed that six people associated with its organization died in the crash.")
    assert (q.measure, q.part) == ("dead", True)


@pytest.mark.parametrize("text, expected", [
    ("The explosion happened at 9pm and 20 people died.", [("20", "dead", None, False)]),  # no clock's seconds
    ("He scored two second-half goals.", [("two", "goal", None, False)]),  # no span of seconds
    ("There were 12 deaths linked to the heatwave.", [("12", "dead", None, False)]),  # linked to a cause: whole
    ("The blast killed 12 people, police at the scene said.", [("12", "dead", None, False)]),  # the police there
    ("12 people were injured and two died at the scene.", [("12", "injured", None, False), ("two", "dead", None, True)]),
])
def test_what_the_new_readings_leave_alone(text, expected):
    assert [(q.text, q.measure, q.unit, q.part) for q in parse_quantities(text)] == expected


def test_a_list_closed_by_an_aside_still_sums():
    qs = parse_quantities("The ferry carried 60 passengers and 4 crew, a spokesman said.")
    assert [q.low for q in qs if q.total] == [64]


@pytest.mark.parametrize("text, figure", [
    ("Initially, eight men were reported missing, but 10 were later found dead.", "10"),
    ("Police said earlier Monday that 12 people died.", "12"),
    ("The initial blast killed 12 people.", "12"),
    ("The toll rose to 40, up from 30 on Monday, with 12 injured.", "12"),
])
def test_a_figure_near_a_marker_of_another_is_not_marked_earlier(text, figure):
    from factcheck.quantities import superseded
    (q,) = [q for q in parse_quantities(text) if q.text == figure]
    assert not superseded(q, text)


def test_cabin_crew_are_some_of_the_crew():
    (pilots, cabin) = parse_quantities("The flight had two pilots and 10 cabin crew.")[:2]
    assert cabin.group == "cabin crew"


def test_a_group_joined_to_another_without_a_number_is_the_whole():
    both = parse_quantities("There was one survivor out of 242 passengers and crew on board the jet.")
    assert [(q.text, q.measure, q.group) for q in both] == [("242", "aboard", "")]
    parts = parse_quantities("The ferry carried 120 passengers and 8 crew.")
    assert [(q.text, q.group) for q in parts][:2] == [("120", "passenger"), ("8", "crew")]


def test_a_list_of_groups_with_no_predicate_counts_each_its_own_noun():
    """"98 Indians, 32 Indonesians and 60 Jordanians" with nothing said of them counts three nouns, not
    Indians three times; with a predicate ("were killed") all three are the dead."""
    bare = parse_quantities("Pilgrims from many countries: 98 Indians, 32 Indonesians and 60 Jordanians.")
    assert [(q.text, q.measure) for q in bare if not q.total] == [("98", "indian"), ("32", "indonesian"),
                                                                 ("60", "jordanian")]
    killed = parse_quantities("Some 98 Indians, 32 Indonesians and 60 Jordanians were killed.")
    assert {q.measure for q in killed} == {"dead"}


def test_a_change_of_a_count_is_no_count():
    rose = parse_quantities("The number of people in hospital rose by three overnight, taking the total to 12.")
    assert [(q.text, q.part) for q in rose] == [("three", True), ("12", False)]
    rate = parse_quantities("Prices rose by 5% in March.")
    assert [(q.text, q.part) for q in rate] == [("5%", False)], "a rate's change is the figure itself"


def test_quantity_text_is_what_the_sentence_says():
    texts = [q.text for q in parse_quantities("At least 40 people died and dozens of others were hurt.")]
    assert texts == ["At least 40", "dozens"]


def test_skip_spans_are_not_read():
    text = "Officials counted 38 dead in 12 villages."
    start = text.index("12")
    assert [q.low for q in parse_quantities(text, skip_spans=[(start, start + 2)])] == [38]


def first(text: str):
    return parse_quantities(text)[0]


COMPATIBLE = [
    # bounds agree with values inside them
    ("At least 40 people were killed.", "42 people were killed.", True),
    ("More than 40 people were killed.", "38 people were killed.", False),
    ("Up to 50 people are missing.", "30 people are missing.", True),
    ("Up to 50 people are missing.", "70 people are missing.", False),
    ("Between 10 and 20 protesters were detained.", "15 protesters were arrested.", True),
    # approximations
    ("About 2,000 peacekeepers were deployed.", "1,900 peacekeepers were deployed.", True),
    ("About 2,000 peacekeepers were deployed.", "3,000 peacekeepers were deployed.", False),
    # vague words keep a loose range (x0.5 .. x2)
    ("Dozens of people were injured.", "40 people were injured.", True),
    ("Several people were injured.", "7 people were injured.", True),
    ("Several people were injured.", "12 people were injured.", True),
    ("Several people were injured.", "150 people were injured.", False),
    ("Dozens of people were injured.", "Several people were injured.", True),
    # hedged and round counts (issue: "50" vs "more than 50", "around 50")
    ("More than 50 people died.", "50 people died.", True),
    ("Around 50 people died.", "50 people died.", True),
    ("Nearly 50 people died.", "48 people died.", True),
    ("Around 50 people died.", "120 people died.", False),
    # round figures are rounded; other exact figures are exact
    ("51% of the votes went to him.", "51.2% of the votes went to him.", True),
    ("10,000 people are missing.", "10,100 people are missing.", True),
    ("10,000 people are missing.", "10,500 people are missing.", False),
    ("40 people were killed.", "42 people were killed.", False),
    # a total and its parts; a group and its subset; different groups
    ("The ferry carried 120 passengers and 8 crew.", "128 people were on board.", True),
    ("The ferry carried 120 passengers and 8 crew.", "135 people were on board.", False),
    ("The ferry carried 120 passengers.", "95 people were on board.", False),
    ("The ferry carried 120 passengers.", "8 crew were on board.", None),
    ("Two of them were charged.", "Police detained 40 people.", None),
    ("Two of the detainees were released, police said.", "Police detained 40 people.", True),
    ("At least 64 people were killed, including 5 children.", "64 people were killed.", True),
    # counts broken down by place are parts of the toll
    ("Of them, five were killed in Caracas and two in Zulia.", "Eleven people have been killed.", True),
    ("Seventeen people were killed in Nairobi alone.", "At least 39 people were killed.", True),
    # exact numbers
    ("120 people were injured.", "95 people were injured.", False),
    ("38 people were killed.", "Thirty-eight people died.", True),
    # different measures or units cannot be compared
    ("38 people were killed.", "67 people were aboard.", None),
    ("Turnout was 95%.", "Turnout was $95.", None),
    ("38 people were killed.", "It cost 2 million.", None),
    # unit conversions
    ("The march covered 5 km.", "The march covered 3.1 miles.", True),
    ("The march covered 5 km.", "The march covered 8 km.", False),
    ("The territory was held for nearly three decades.", "The territory was held for 30 years.", True),
    ("The siege lasted three years.", "The siege lasted 36 months.", True),
    ("The siege lasted three years.", "The siege lasted 20 months.", False),
    ("A 6-year-old boy was hurt.", "A 7-year-old boy was hurt.", False),
    # a decimal of a scale word is the figure rounded or cut short; a round count is only rounded
    ("The tallies showed 2.75 million votes for the mayor.", "The tallies showed 2,759,256 votes for the mayor.", True),
    ("The tallies showed 2.75 million votes for the mayor.", "The tallies showed 2,761,000 votes for the mayor.", False),
    ("120 people were injured.", "128 people were injured.", False),
    # two lengths written in one unit differ by what they say; a conversion has its rounding
    ("The 984-foot ship struck the pier.", "The 947-foot-long ship struck the pier.", False),
    ("The 984-foot ship struck the pier.", "The 300-metre ship struck the pier.", True),
    ("The 984-foot ship struck the pier.", "The 985-foot-long ship struck the pier.", True),  # a last digit's rounding
    # a hedged figure has its hedge's slack, not a conversion's on top of it
    ("The clinic is about 23 miles from the city.", "The clinic is about 46 kilometers from the city.", False),
    # a toll of none, said in words, against a count; an early "no immediate reports" says nothing
    ("None were injured, according to the operator.", "Two people were injured in the crash.", False),
    ("No one was killed in the blast.", "The blast killed three people.", False),
    # "surpassing 50 degrees" is a floor; "two of the unaccounted for" a part of them
    ("Temperatures surpassing 50 degrees Celsius were recorded.", "Temperatures hit 51.8 degrees Celsius.", True),
    ("Two of the unaccounted for were identified on Wednesday.", "Six people remain unaccounted for.", True),
    # "a 22-member crew" counts the crew
    ("The ship's 22-member crew stayed aboard.", "The ship's 21-member crew stayed aboard.", False),
    # "68 others injured": other people, no group of their own
    ("Two people died and 68 others were injured.", "70 people were injured.", False),
    # two tops of one measured thing differ as two figures do; a count's "up to" is a ceiling
    ("He drove at speeds of up to 34 km/h.", "He drove at speeds of up to 48 km/h.", False),
    ("He drove at speeds of up to 48 km/h.", "He drove at speeds of up to 30 mph.", True),
    ("Up to 50 people remain missing.", "Up to 40 people remain missing.", True),
]


@pytest.mark.parametrize("a, b, expected", COMPATIBLE)
def test_quantities_compatible(a, b, expected):
    assert verdict(a, b) is expected
    assert verdict(b, a) is expected


def verdict(a: str, b: str) -> bool | None:
    """What two sentences' numbers say together: False when any two conflict, True when some
    agree and none conflict, None when none are comparable."""
    found = [quantities_compatible(x, y) for x in parse_quantities(a) for y in parse_quantities(b)]
    return False if False in found else (True if True in found else None)


# --- Hypothesis round-trips: render a number, parse it back ---------------------------------
SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def in_words(n: int) -> str:
    """English words for 0 <= n < 1000, as a reporter writes them."""
    if n < 20:
        return SMALL[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return TENS[tens - 2] + (f"-{SMALL[unit]}" if unit else "")
    hundreds, rest = divmod(n, 100)
    return f"{SMALL[hundreds]} hundred" + (f" and {in_words(rest)}" if rest else "")


RENDERINGS = [
    lambda n: f"{n:,}",
    lambda n: str(n),
    lambda n: in_words(n) if 2 <= n < 1000 else f"{n:,}",
]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(2, 10**9), render=st.sampled_from(RENDERINGS))
def test_rendered_number_round_trips(n, render):
    [q] = parse_quantities(f"Officials said {render(n)} people were killed in the attack.")
    assert (q.low, q.high, q.measure, q.vague) == (n, n, "dead", False)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(2, 10**7))
def test_at_least_round_trips(n):
    [q] = parse_quantities(f"At least {n:,} people were injured.")
    assert (q.low, q.high, q.measure) == (n, None, "injured")


@settings(max_examples=200, deadline=None)
@given(tenths=st.integers(1, 9999), scale=st.sampled_from([("million", 1e6), ("billion", 1e9)]))
def test_scaled_number_round_trips(tenths, scale):
    word, factor = scale
    value = tenths / 10
    [q] = parse_quantities(f"The ministry said {value:g} {word} residents were displaced.")
    assert q.low == pytest.approx(value * factor) and q.high == pytest.approx(value * factor)
    assert q.measure == "displaced"


@settings(max_examples=200, deadline=None)
@given(n=st.integers(10, 10**6))
def test_about_contains_the_number(n):
    [q] = parse_quantities(f"About {n:,} peacekeepers were deployed.")
    assert q.low < n < q.high
    assert q.high - q.low == pytest.approx(2 * APPROX_FRACTION * n)


def test_fast_enough_for_thousands_of_sentences():
    sentences = [text for text, _ in QUANTITIES] * 10
    began = time.perf_counter()
    for text in sentences:
        parse_quantities(text)
    assert len(sentences) / (time.perf_counter() - began) > 1000  # measured ~5,000/s


@pytest.mark.parametrize("text", ["Tomahawks hit the other two sites.", "The next four bombs entered the shaft.",
                                  "The remaining three were released on Friday.", "The last two victims were identified."])
def test_the_other_the_next_the_remaining_are_parts(text):
    assert [q.part for q in parse_quantities(text)] == [True]


@pytest.mark.parametrize("text,floor", [
    ("Authorities had collected 62 dead bodies as of 12:13 p.m.", True),
    ("The toll so far stands at 40 dead.", True),
    ("By 3 pm, 12 people had been rescued and 9 were dead.", True),
    ("The crash killed 62 people.", False),
])
def test_a_toll_said_to_be_in_progress_is_a_floor(text, floor):
    (q,) = [q for q in parse_quantities(text) if q.measure == "dead"]
    assert (q.high is None) == floor and q.low is not None


@pytest.mark.parametrize("text,expected", [
    ("The US Geological Survey put the magnitude of the quake at 6.8.", [("6.8", "magnitude", "", False)]),
    ("The institute measured the quake at magnitude 7.", [("7", "magnitude", "", False)]),
    ("A magnitude 4.9 aftershock followed on Sunday.", [("4.9", "aftershock magnitude", "aftershock", False)]),
    ("The number of people killed in Sunday's attacks rose to 21 on Tuesday.", [("21", "dead", "", False)]),
    ("About 1,400 of the injured are in critical condition.", [("About 1,400", "injured", "", True)]),
    ("The ship's crew of 21 remains on board.", [("21", "aboard", "crew", False)]),
])
def test_what_a_figure_measures(text, expected):
    assert [(q.text, q.measure, q.group, q.part) for q in parse_quantities(text)] == expected


@pytest.mark.parametrize("text,low,measure", [
    ("The death toll from this year's pilgrimage has exceeded 1,000, a tally said.", 1000, "dead"),
    ("Temperatures at times exceeded 51 degrees Celsius.", 51, "celsius"),
    ("The toll topped 300 on Friday.", 300, "dead"),
])
def test_a_figure_exceeded_is_a_floor(text, low, measure):
    q = parse_quantities(text)[0]
    assert (q.low, q.high, q.measure) == (low, None, measure)


def test_a_number_hyphenated_to_its_plural_noun_counts_it():
    (q,) = parse_quantities("The impact was so severe that 4-coaches of the express derailed.")
    assert (q.low, q.measure) == (4, "coach")
    assert parse_quantities("A 6-year-old boy was rescued.")[0].measure != "year-old"


@pytest.mark.parametrize("text,value,unit", [
    ("The prime minister announced ₹2 lakh for the kin of each of the dead.", 200000, "INR"),
    ("The railways gave Rs 10 lakh to each family.", 1000000, "INR"),
    ("Rs. 5 crore was set aside for the victims.", 50000000, "INR"),
])
def test_rupees_lakh_and_crore(text, value, unit):
    q = parse_quantities(text)[0]
    assert (q.low, q.unit) == (value, unit)


def test_a_year_of_an_era_is_no_count_and_a_toll_reaches_past_it():
    (q,) = parse_quantities("The death toll during the Haj 1445 AH-2024 season reached 1,301.")
    assert (q.text, q.measure) == ("1,301", "dead")


@pytest.mark.parametrize("text,group,part", [
    ("At least 60 Jordanians also died, the diplomats said.", "jordanian", False),
    ("Officials confirmed 577 deaths for the two busiest days of the pilgrimage.", "", True),
    ("The storm killed 40 people over the weekend.", "", False),
])
def test_adverbs_and_periods_after_a_toll(text, group, part):
    q = parse_quantities(text)[0]
    assert (q.group, q.part) == (group, part)


def test_two_parts_of_unknown_wholes_are_not_compared():
    (egyptians,) = parse_quantities("At least 600 Egyptians died, medical sources said.")
    (included,) = parse_quantities("The new deaths reported yesterday included 58 from Egypt.")
    assert quantities_compatible(egyptians, included) is None


def test_a_part_of_the_dead_said_to_be_a_nationality():
    (q,) = [q for q in parse_quantities("At least 323 of those who died were Egyptians, diplomats said.") if q.measure]
    assert (q.group, q.part) == ("egyptian", True)


def test_a_breakdown_by_place_counts_what_its_first_figure_counts():
    qs = parse_quantities("Of the total, five were murdered in Caracas, two in the state of Zulia, one in Aragua and "
                         "one in Tachira.")
    assert [(q.text, q.measure, q.part) for q in qs] == [("five", "dead", True), ("two", "dead", True),
                                                         ("one", "dead", True), ("one", "dead", True)]
    assert [q.text for q in parse_quantities("He was one in a million, his friends said.")] == ["a million"]


def test_a_figure_is_shown_in_the_unit_it_was_written_in():
    from factcheck.quantities import fmt_value
    assert [fmt_value(q) for q in parse_quantities("The 984-foot ship sailed 250 km in 45 minutes at 30 mph.")] == [
        "984 ft", "250 km", "45 minutes", "30 mph"]
    assert [fmt_value(q) for q in parse_quantities("The runway is 199 meters long.")] == ["199 m"]


def test_an_early_report_of_no_casualties_yet_is_no_count():
    assert parse_quantities("There were no immediate reports of injuries.") == []
    assert [(q.measure, q.low) for q in parse_quantities("The ship had 21 crew, with no injuries reported.")][-1:] == [
        ("injured", 0.0)]
