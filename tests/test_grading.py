"""The answer judge, rule by rule (issue 4), each rule both ways: what must pass and what must not."""

import pytest

from quizzer.decks import builtin_deck_dir, deck_files, load_deck
from quizzer.grading import edit_distance, judge, normalise
from quizzer.model import Blank, Card, Kind, Mark, Outcome, Verdict
from quizzer.session import Neighbours

CORRECT, CLOSE, WRONG = Outcome.CORRECT, Outcome.CLOSE, Outcome.WRONG


def typed(answer, accept=(), reject=(), ordered=False, question="q"):
    return Card(id="c", kind=Kind.TYPED, question=question, answer=answer, accept=accept, reject=reject,
                ordered=ordered)


def cloze(*blanks):
    return Card(id="c", kind=Kind.CLOZE, question="q", answer=tuple(b.answer for b in blanks), blanks=blanks)


TOURE = typed("Amadou Toumani Touré", accept=("Touré", "ATT"), reject=("Amadou Haya Sanogo",))
SANOGO = typed("Amadou Haya Sanogo", accept=("Sanogo", "Captain Sanogo"), reject=("Amadou Toumani Touré", "Touré"))
QADHAFI = typed("Muammar al-Qadhafi", accept=("Qadhafi", "Gaddafi"))
SECTION = typed("Section 7008")
REBELLION = typed("1990-1995")
COUP_DAY = typed("22 March 2012")
ELECTION_MONTH = typed("April 2012")
AZAWAD = typed(("Gao", "Kidal", "Timbuktu"))
PROGRAMMES = typed(("IMET", "FMF", "TSCTP"), ordered=True)
TERMS = cloze(Blank("2002"), Blank("second", ("2nd",)))
# Cards for rules 10 to 15, whose questions matter.
REBELLIONS = typed("3", question="How many Tuareg rebellions were there after independence?")
DESERT = typed("Sahara", question="Across which desert did the fighters come back?")
PEOPLE = typed("Tuareg", question="Which people rebelled in the north?")
COUP_YEAR = typed("2012", question="In which year was the coup?")
LEADER = typed("Amadou Haya Sanogo", accept=("Sanogo", "Captain Sanogo"), question="Who led the coup?")
UNRANKED = typed("Amadou Sanogo", question="Who led the coup?")
ARMY = typed("Libya", question="Whose army had the returning fighters served in?")
REGIME = typed("Muammar al-Qadhafi", accept=("Qadhafi",), question="Whose regime fell in 2011?")
NOT_ARMY = typed("Libya", question="Where had the fighters served?")
DECADES = typed("two decades", accept=("about 20 years",), question="How long had democracy lasted?")
WEEK = typed("about a week", question="How long did the junta take to lose the north?")
EXACT_YEARS = typed("20 years", question="How long had democracy lasted?")
SUPPLIES = typed("arms and supplies", accept=("weapons and supplies",))
# Deck answers near Australia, used as the `neighbours` the session passes.
DECK = ("Austria", "Austrian", "Sahara", "Moussa Traoré")


def case(name, card, response, outcome, reason="", **kwargs):
    return pytest.param(card, response, outcome, reason, kwargs, id=name)


CASES = [
    # Rule 1: form is free.
    case("case-folded", TOURE, "AMADOU TOUMANI TOURÉ", CORRECT, "matches the answer"),
    case("accents-dropped", TOURE, "Amadou Toumani Toure", CORRECT),
    case("accents-added", typed("Keita"), "Keïta", CORRECT),
    case("hyphen-is-space", typed("Al-Qaeda"), "Al Qaeda", CORRECT),
    case("en-dash-is-hyphen", typed("Al-Qaeda"), "Al–Qaeda", CORRECT),
    case("curly-apostrophe", typed("Mali's army"), "Mali’s army", CORRECT),
    case("curly-quotes", typed('the "soldier of democracy"'), "“soldier of democracy”", CORRECT),
    case("whitespace-collapsed", TOURE, "  Amadou   Toumani\tTouré ", CORRECT),
    case("end-punctuation", TOURE, "(Amadou Toumani Touré)!", CORRECT),
    case("article-dropped", typed("the Sahel"), "Sahel", CORRECT),
    case("article-added", typed("Sahel"), "The Sahel", CORRECT),
    case("article-inside", typed("Al-Qaeda in the Islamic Maghreb"), "Al Qaeda in Islamic Maghreb", CORRECT),
    case("abbreviation-dots", typed("US State Department"), "U.S. State Department", CORRECT),
    case("nfkc-fullwidth", typed("MNLA"), "ＭＮＬＡ", CORRECT),
    case("not-form-other-place", typed("Sahel"), "Sahara", WRONG, "does not match"),
    case("not-form-word-order", TOURE, "Touré Amadou Toumani", WRONG),
    case("not-form-other-acronym", typed("MNLA"), "AQIM", WRONG),
    # Rule 2: alternatives, judged by the same rules.
    case("accept-entry", TOURE, "ATT", CORRECT, "accepted alternative"),
    case("accept-entry-form", TOURE, "toure.", CORRECT, "accepted alternative"),
    case("accept-entry-slip", QADHAFI, "Qadhafy", CLOSE, "typo: Qadhafy → Qadhafi"),
    case("learner-accepted", TOURE, "amadou t. toure", CORRECT, "accepted alternative", accepted=("Amadou T. Touré",)),
    case("learner-accepted-slip", typed("Niger"), "Nigerr", CLOSE, accepted=("Niger Republic",)),
    case("not-accepted-elsewhere", TOURE, "Captain Sanogo", WRONG),
    case("not-accepted-other-card", TOURE, "Amadou T. Touré", WRONG),
    # Rule 3: numbers are exact.
    case("year-right", typed("1960"), "1960", CORRECT),
    case("year-differs", typed("1960"), "1961", WRONG, "year differs"),
    case("year-one-off-in-text", typed("independence in 1960"), "independence in 1962", WRONG, "year differs"),
    case("section-differs", SECTION, "Section 7080", WRONG, "number differs"),
    case("section-digit-added", SECTION, "Section 70080", WRONG, "number differs"),
    case("section-slip-but-number", SECTION, "Sectoin 7009", WRONG, "number differs"),
    case("section-slip-in-word", SECTION, "Sectoin 7008", CLOSE, "typo: Sectoin → Section"),
    case("number-word-is-digit", typed("two terms"), "2 terms", CORRECT),
    case("digit-is-number-word", typed("20 years"), "twenty years", CORRECT),
    case("number-word-differs", typed("two decades"), "three decades", WRONG, "number differs"),
    case("thousands-separator", typed("1,000 soldiers"), "1000 soldiers", CORRECT),
    case("number-missing", SECTION, "Section", WRONG, "number differs"),
    # Rule 4: ranges.
    case("range-en-dash", REBELLION, "1990–1995", CORRECT),
    case("range-to", REBELLION, "1990 to 1995", CORRECT),
    case("range-from-to", REBELLION, "from 1990 to 1995", CORRECT),
    case("range-short-end", REBELLION, "1990-95", CORRECT),
    case("range-spaced-dash", REBELLION, "1990 - 1995", CORRECT),
    case("range-between", REBELLION, "between 1990 and 1995", CORRECT),
    case("range-short-answer", typed("1962-64"), "1962 to 1964", CORRECT),
    case("range-end-differs", REBELLION, "1990-1996", WRONG, "year differs"),
    case("range-short-end-differs", REBELLION, "1990-96", WRONG, "year differs"),
    case("range-reversed", REBELLION, "1995-1990", WRONG),
    case("range-start-only", REBELLION, "1990", WRONG),
    case("two-years-not-a-range", REBELLION, "1990 and 1995", WRONG),
    # Rule 5: dates.
    case("date-iso", COUP_DAY, "2012-03-22", CORRECT),
    case("date-month-first", COUP_DAY, "March 22, 2012", CORRECT),
    case("date-short-month", COUP_DAY, "22 Mar 2012", CORRECT),
    case("date-short-month-dot", COUP_DAY, "Mar. 22 2012", CORRECT),
    case("date-ordinal", COUP_DAY, "the 22nd of March 2012", CORRECT),
    case("date-numeric-day-first", COUP_DAY, "22/03/2012", CORRECT),
    case("date-numeric-month-first", COUP_DAY, "03/22/2012", CORRECT),
    case("date-numeric-dots", COUP_DAY, "22.03.2012", CORRECT),
    case("date-answer-iso", typed("2012-03-22"), "22 March 2012", CORRECT),
    case("date-ambiguous", typed("3 April 2012"), "03/04/2012", WRONG, "ambiguous date: write the month as a word"),
    case("date-ambiguous-other-way", typed("4 March 2012"), "03/04/2012", WRONG, "write the month as a word"),
    case("date-less-precise", COUP_DAY, "March 2012", WRONG, "needs the day, not only the month"),
    case("date-only-year", COUP_DAY, "2012", WRONG, "needs the day and month"),
    case("date-no-year", COUP_DAY, "22 March", WRONG, "needs the year"),
    case("date-day-differs", COUP_DAY, "23 March 2012", WRONG, "day differs"),
    case("date-month-differs", COUP_DAY, "22 April 2012", WRONG, "month differs"),
    case("date-year-differs", COUP_DAY, "March 22, 2011", WRONG, "year differs"),
    case("date-invalid-day", COUP_DAY, "32 March 2012", WRONG),
    case("month-word", ELECTION_MONTH, "April 2012", CORRECT),
    case("month-short", ELECTION_MONTH, "Apr 2012", CORRECT),
    case("month-iso", ELECTION_MONTH, "2012-04", CORRECT),
    case("month-numeric", ELECTION_MONTH, "04/2012", CORRECT),
    case("month-differs", ELECTION_MONTH, "May 2012", WRONG, "month differs"),
    case("month-only-year", ELECTION_MONTH, "2012", WRONG, "needs the month"),
    case("month-given-a-day", ELECTION_MONTH, "29 April 2012", WRONG, "more precise than the answer"),
    # Rule 6: small slips.
    case("slip-transposed", typed("Keïta"), "Kieta", CLOSE, "typo: Kieta → Keïta"),
    case("slip-in-one-word", typed("Ibrahim Boubacar Keita"), "Ibrahim Boubacar Kieta", CLOSE, "typo: Kieta → Keita"),
    case("slip-short-one", typed("Sahel"), "Sahal", CLOSE),
    case("slip-short-two", typed("Sahel"), "Sohal", WRONG),
    case("slip-eight-one", typed("Timbuktu"), "Timbuctu", CLOSE),
    case("slip-eight-two", typed("Timbuktu"), "Timbuktoo", WRONG),
    case("slip-three-none", typed("Gao"), "Goa", WRONG),
    case("slip-acronym-none", typed("ATT"), "ATF", WRONG),
    case("slip-long-two", TOURE, "Amadu Tumani Touré", CLOSE),
    case("slip-long-three", TOURE, "Amadu Tumani Tore", WRONG),
    case("slip-negation", typed("unconstitutional"), "constitutional", WRONG, "opposite meaning"),
    case("slip-not-negation", typed("unconstitutional"), "unconstitutinal", CLOSE),
    # Rule 7: neighbours are never close.
    case("neighbour-alone-is-slip", typed("Australia"), "Austria", CLOSE),
    case("neighbour-in-deck", typed("Australia"), "Austria", WRONG, "another answer: Austria", neighbours=DECK),
    case("neighbour-as-near", typed("Australia"), "Austrlia", WRONG, "nearer to another answer", neighbours=DECK),
    case("neighbour-farther", typed("Sahel"), "Sahal", CLOSE, neighbours=DECK),
    case("neighbour-exact-answer-wins", typed("Sahara"), "Sahara", CORRECT, neighbours=DECK),
    case("neighbour-same-answer-other-card", QADHAFI, "Muammar al-Qadhafy", CLOSE, neighbours=("Muammar al-Qadhafi",)),
    case("reject-exact", TOURE, "Amadou Haya Sanogo", WRONG, "another answer: Amadou Haya Sanogo"),
    case("reject-near", SANOGO, "Toure", WRONG),
    case("surname-of-another-actor", TOURE, "Traoré", WRONG, neighbours=DECK),
    case("surname-of-another-actor-rejected", SANOGO, "Touré", WRONG, "another answer: Touré"),
    case("surname-of-another-actor-slip", SANOGO, "Toré", WRONG, neighbours=DECK),
    # Rule 8: lists.
    case("list-commas", AZAWAD, "Gao, Kidal, Timbuktu", CORRECT),
    case("list-any-order", AZAWAD, "Timbuktu; Gao; Kidal", CORRECT),
    case("list-and", AZAWAD, "Gao, Kidal and Timbuktu", CORRECT),
    case("list-oxford-comma", AZAWAD, "Gao, Kidal, and Timbuktu", CORRECT),
    case("list-ampersand-slash", AZAWAD, "gao & kidal / timbuktu", CORRECT),
    case("list-lines", AZAWAD, "Gao\nKidal\nTimbuktu\n", CORRECT),
    case("list-one-slip", AZAWAD, "Gao, Kidl, Timbuktu", CLOSE, "typo: Kidl → Kidal"),
    case("list-missing", AZAWAD, "Gao, Timbuktu", WRONG, "missing: Kidal"),
    case("list-extra", AZAWAD, "Gao, Kidal, Timbuktu, Mopti", WRONG, "extra: Mopti"),
    case("list-swapped-one", AZAWAD, "Gao, Kidal, Mopti", WRONG, "missing: Timbuktu; extra: Mopti"),
    case("list-repeated", AZAWAD, "Gao, Gao, Kidal", WRONG, "missing: Timbuktu; extra: Gao"),
    case("list-ordered", PROGRAMMES, "IMET, FMF, TSCTP", CORRECT),
    case("list-ordered-wrong-order", PROGRAMMES, "FMF, IMET, TSCTP", WRONG, "order differs"),
    case("list-item-with-and", typed(("International Military Education and Training", "Foreign Military Financing")),
         "Foreign Military Financing and International Military Education and Training", CORRECT),
    case("list-years", typed(("1962", "1990")), "1990 and 1962", CORRECT),
    case("list-year-differs", typed(("1962", "1990")), "1962, 1991", WRONG, "missing: 1990; extra: 1991"),
    case("list-whole-alternative", typed(("Gao", "Kidal", "Timbuktu"), accept=("Gao, Kidal, Tombouctou",)),
         "Tombouctou, Kidal, Gao", CORRECT, "accepted alternative"),
    case("list-empty", AZAWAD, " , ", WRONG, "no answer"),
    # Rule 9: cloze.
    case("cloze-right", TERMS, "2002|second", CORRECT),
    case("cloze-alternative", TERMS, "2002 | 2nd", CORRECT),
    case("cloze-learner-accepted", TERMS, "2002|2nd term", CORRECT, accepted=("2002|2nd term",)),
    case("cloze-slip", TERMS, "2002|secnod", CLOSE, "blank 2: typo: secnod → second"),
    case("cloze-year-differs", TERMS, "2003|second", WRONG, "blank 1: year differs"),
    case("cloze-worst-blank", TERMS, "2003|secnod", WRONG),
    case("cloze-missing-blank", TERMS, "|second", WRONG, "blank 1: no answer"),
    case("cloze-count", TERMS, "2002", WRONG, "expected 2 answers separated by |"),
    case("cloze-one-blank-alternative", cloze(Blank("off balance", ("off guard",))), "Off guard.", CORRECT),
    case("cloze-empty", TERMS, " | ", WRONG, "no answer"),
    # Rule 10: the answer wrapped in the question's own noun or a generic head noun.
    case("noun-count", REBELLIONS, "three rebellions", CORRECT, "matches the answer with its noun"),
    case("noun-count-digits", REBELLIONS, "3 Tuareg rebellions", WRONG),  # Tuareg is no head noun
    case("noun-count-differs", REBELLIONS, "four rebellions", WRONG, "number differs"),
    case("noun-count-extra-words", REBELLIONS, "3 rebellions later", WRONG),
    case("noun-place-kind", DESERT, "the Sahara desert", CORRECT, "with its noun"),
    case("noun-place-kind-before", DESERT, "the desert of Sahara", CORRECT, "with its noun"),
    case("noun-place-other-name", DESERT, "the Sahel desert", WRONG),
    case("noun-people", PEOPLE, "the Tuareg people", CORRECT, "with its noun"),
    case("noun-people-other", PEOPLE, "the Fulani people", WRONG),
    case("noun-year", COUP_YEAR, "the year 2012", CORRECT, "with its noun"),
    case("noun-year-differs", COUP_YEAR, "the year 2013", WRONG, "year differs"),
    case("noun-not-a-head-noun", PEOPLE, "Tuareg leaders", WRONG),
    case("noun-only", PEOPLE, "people", WRONG),
    case("noun-near-another-answer", PEOPLE, "Tuareg rebellions", WRONG, "nearer to another answer: Tuareg rebellion",
         neighbours=("Tuareg rebellion",)),
    case("noun-is-another-answer", PEOPLE, "Tuareg rebellion", WRONG, "another answer: Tuareg rebellion",
         neighbours=("Tuareg rebellion",)),
    case("noun-of-the-question", typed("Captain", question="What military rank did the leader hold?"),
         "the rank of captain", CORRECT, "with its noun"),
    case("noun-of-the-question-after", typed("Touré", question="Which democratically elected president was ousted?"),
         "Touré, the president", CORRECT, "with its noun"),
    case("noun-not-the-questions-verb", typed("Sahara", question="Which desert appears in the name?"),
         "Sahara appears", WRONG),
    case("noun-question-names-not-nouns", typed("MNLA", question="Which, MNLA or Dine, was secular?"), "MNLA Dine", WRONG),
    case("noun-list-item", AZAWAD, "Gao region, Kidal region, Timbuktu", CORRECT),
    # Rule 11: titles and ranks before a name.
    case("title-captain", LEADER, "Captain Amadou Haya Sanogo", CORRECT, "matches the answer with a title"),
    case("title-abbreviated", LEADER, "Capt. Sanogo", CORRECT, "accepted alternative with an abbreviation"),
    case("title-other-name", LEADER, "Captain Amadou Touré", WRONG),
    case("title-other-rank", LEADER, "General Sanogo", WRONG),  # the card names him a captain
    case("title-any-when-card-names-none", UNRANKED, "Lt. Amadou Sanogo", CORRECT, "with an abbreviation, a title"),
    case("title-unranked-other-name", UNRANKED, "Captain Amadou Touré", WRONG),
    case("title-alone", typed("Captain", reject=("General",)), "General", WRONG),
    case("title-after-name", UNRANKED, "Amadou Sanogo captain", WRONG),
    # Rule 12: whose army or regime.
    case("owner-possessive", ARMY, "Libya's army", CORRECT, "matches the answer with a possessive"),
    case("owner-demonym", ARMY, "the Libyan army", CORRECT, "with a possessive"),
    case("owner-of", ARMY, "the army of Libya", CORRECT, "with a possessive"),
    case("owner-regime", REGIME, "Qadhafi's regime", CORRECT, "accepted alternative with a possessive"),
    case("owner-other-country", ARMY, "Mali's army", WRONG),
    case("owner-other-demonym", ARMY, "the Malian army", WRONG),
    case("owner-negated", ARMY, "not Libya", WRONG),
    case("owner-other-noun", ARMY, "Libya's enemy", WRONG),
    case("owner-enemy-of", ARMY, "the enemy of Libya", WRONG),
    case("owner-noun-not-asked", ARMY, "the Libyan forces", WRONG),
    case("owner-question-not-about-army", NOT_ARMY, "Libya's army", WRONG),
    # Rule 13: approximation words, where the card's answer is approximate.
    case("approx-roughly", DECADES, "roughly two decades", CORRECT, "matches the answer with an approximation word"),
    case("approx-alternative", DECADES, "nearly 20 years", CORRECT, "accepted alternative with an approximation word"),
    case("approx-dropped", WEEK, "a week", CORRECT, "with an approximation word"),
    case("approx-other-word", WEEK, "around a week", CORRECT, "with an approximation word"),
    case("approx-number-differs", DECADES, "almost 30 years", WRONG, "number differs"),
    case("approx-unit-differs", WEEK, "about a month", WRONG),
    case("approx-exact-answer", EXACT_YEARS, "about 20 years", WRONG),  # the card's figure is exact
    case("approx-not-before-quantity", DECADES, "two decades almost", WRONG),
    case("approx-word-in-a-name", typed("Almost Famous"), "Famous", WRONG),  # no quantity: not approximate
    # Rule 14: the two parts of "A and B" in either order.
    case("and-swapped", SUPPLIES, "supplies and arms", CORRECT, "matches the answer with its parts swapped"),
    case("and-swapped-alternative", SUPPLIES, "supplies and weapons", CORRECT, "accepted alternative with its parts"),
    case("and-swapped-within-a-slip", typed("Plan A and Plan B"), "Plan B and Plan A", CORRECT, "its parts swapped"),
    case("and-other-part", SUPPLIES, "supplies and food", WRONG),
    case("and-one-part", SUPPLIES, "supplies", WRONG),
    case("and-swapped-years", typed("elected in 2002 and 2007"), "2007 and elected in 2002", CORRECT),
    case("and-swapped-year-differs", typed("2002 and 2007"), "2007 and 2003", WRONG, "year differs"),
    # Rule 15: abbreviations of institutional words.
    case("abbrev-dept", typed("Department of State"), "Dept. of State", CORRECT, "with an abbreviation"),
    case("abbrev-govt", typed("Government of Mali"), "Govt of Mali", CORRECT, "with an abbreviation"),
    case("abbrev-gen", typed("General Moussa Traoré"), "Gen. Moussa Traoré", CORRECT, "with an abbreviation"),
    case("abbrev-us-expanded", typed("US State Department"), "United States State Department", CORRECT,
         "with an abbreviation"),
    case("abbrev-usa", typed("United States"), "USA", CORRECT, "with an abbreviation"),
    case("abbrev-other-rank", typed("General"), "Capt.", WRONG),
    case("abbrev-other-institution", typed("Department of State"), "Dept. of Defense", WRONG),
    # An empty response, and the kinds without typed text.
    case("empty", TOURE, "", WRONG, "no answer"),
    case("only-punctuation", TOURE, " ?! ", WRONG, "no answer"),
    case("truefalse-t", Card("c", Kind.TRUEFALSE, "q", True), "T", CORRECT),
    case("truefalse-yes", Card("c", Kind.TRUEFALSE, "q", True), "Yes", CORRECT),
    case("truefalse-false", Card("c", Kind.TRUEFALSE, "q", False), "FALSE", CORRECT),
    case("truefalse-wrong", Card("c", Kind.TRUEFALSE, "q", True), "no", WRONG, "the statement is true"),
    case("truefalse-unreadable", Card("c", Kind.TRUEFALSE, "q", True), "maybe", WRONG, "answer true or false"),
    case("choice-right", Card("c", Kind.CHOICE, "q", "National Movement for the Liberation of Azawad",
                              distractors=("Ansar Dine",)), "national movement for the liberation of azawad ", CORRECT),
    case("choice-wrong", Card("c", Kind.CHOICE, "q", "MNLA", distractors=("AQIM",)), "AQIM", WRONG),
    case("order-right", Card("c", Kind.ORDER, "q", ("1962", "1990", "2012")), ("1962", "1990", "2012"), CORRECT),
    case("order-wrong", Card("c", Kind.ORDER, "q", ("1962", "1990", "2012")), ("1990", "1962", "2012"), WRONG),
]


@pytest.mark.parametrize("card, response, outcome, reason, kwargs", CASES)
def test_judge(card, response, outcome, reason, kwargs):
    verdict = judge(card, response, **kwargs)
    assert verdict.outcome is outcome, verdict
    assert reason in verdict.reason, verdict


ORDER = Card("c", Kind.ORDER, "q", ("1962", "1990", "2012"))
TRUE = Card("c", Kind.TRUEFALSE, "q", True)
NUMBER = typed("5000")
# Whole verdicts (outcome, reason, marks), where `test_judge` checks only part of the reason.
WHOLE = [
    (ORDER, ("1962", "1990", "2012"), Verdict(CORRECT, "matches the answer", (
        Mark("1962", "found"), Mark("1990", "found"), Mark("2012", "found")))),
    (ORDER, ("1990", "1962", "2012"), Verdict(WRONG, "order differs", (
        Mark("1990", "wrong"), Mark("1962", "wrong"), Mark("2012", "found")))),
    (ORDER, ("1962", "1990"), Verdict(WRONG, "expected 3 items")),
    (ORDER, (), Verdict(WRONG, "no answer")),
    (TRUE, "yes", Verdict(CORRECT, "matches the answer")),
    (TRUE, "maybe", Verdict(WRONG, "answer true or false")),
    (TRUE, "no", Verdict(WRONG, "the statement is true")),
    # A four-digit number from 1000 to 2100 is a year.
    (NUMBER, "1000", Verdict(WRONG, "year differs")),
    (NUMBER, "2100", Verdict(WRONG, "year differs")),
    (NUMBER, "2101", Verdict(WRONG, "number differs")),
    (NUMBER, "999", Verdict(WRONG, "number differs")),
    # 29 February is a day (of a leap year); a month name misspelt is a slip, not a date without a month.
    (typed("28 February"), "29 February", Verdict(WRONG, "day differs")),
    (COUP_DAY, "22 Mrach 2012", Verdict(CLOSE, "typo: Mrach → March", slip=("22 Mrach 2012", "22 March 2012"))),
    (COUP_DAY, "March 22", Verdict(WRONG, "needs the year")),
    # Cloze: each blank's verdict named when there are two, the slip carried, the other blanks as neighbours.
    (TERMS, "2002|2nd", Verdict(CORRECT, "matches the answer", (Mark("2002", "found"), Mark("second", "found")))),
    (TERMS, "2003|secnod", Verdict(WRONG, "blank 1: year differs; blank 2: typo: secnod → second", (
        Mark("2002", "wrong"), Mark("second", "close")), ("secnod", "second"))),
    (cloze(Blank("Bamako")), "Bamko", Verdict(CLOSE, "typo: Bamko → Bamako", (Mark("Bamako", "close"),),
                                              ("Bamko", "Bamako"))),
    (cloze(Blank("Austria"), Blank("Austrian")), "Austrian|Austrian", Verdict(
        WRONG, "blank 1: nearer to another answer: Austrian", (Mark("Austria", "wrong"), Mark("Austrian", "found")))),
    # Lists: every item marked, in the order typed, then what is missing.
    (AZAWAD, "Timbuktu, Gao, Kidal", Verdict(CORRECT, "matches the answer", (
        Mark("Timbuktu", "found"), Mark("Gao", "found"), Mark("Kidal", "found")))),
    (AZAWAD, "Gao, Kidl, Timbukt", Verdict(CLOSE, "typo: Kidl → Kidal, Timbukt → Timbuktu", (
        Mark("Gao", "found"), Mark("Kidal", "close"), Mark("Timbuktu", "close")), ("Kidl", "Kidal"))),
    (AZAWAD, "Gao, Mopti, Bamako", Verdict(WRONG, "missing: Kidal, Timbuktu; extra: Mopti, Bamako", (
        Mark("Gao", "found"), Mark("Mopti", "extra"), Mark("Bamako", "extra"), Mark("Kidal", "missing"),
        Mark("Timbuktu", "missing")))),
    (PROGRAMMES, "FMF, IMET, TSCTP", Verdict(WRONG, "order differs", (
        Mark("FMF", "wrong"), Mark("IMET", "wrong"), Mark("TSCTP", "found")))),
    (Card("c", Kind.CHOICE, "q", "MNLA", distractors=("AQIM",)), "mnla", Verdict(CORRECT, "matches the answer")),
    (Card("c", Kind.CHOICE, "q", "MNLA", distractors=("AQIM",)), "AQIM", Verdict(WRONG, "a different option")),
    (NUMBER, "05000", Verdict(CORRECT, "matches the answer")),  # leading zeros are no digit
    # What a date without its day, month or year needs.
    (COUP_DAY, "2012", Verdict(WRONG, "needs the day and month, not only the year")),
    (ELECTION_MONTH, "2012", Verdict(WRONG, "needs the month, not only the year")),
    (COUP_DAY, "March 2012", Verdict(WRONG, "needs the day, not only the month")),
    # A slip's reason names the words that differ, without their punctuation, or the whole response
    # when the words do not line up.
    (typed("New York"), "newyork", Verdict(CLOSE, "typo: newyork → New York", slip=("newyork", "New York"))),
    (typed("Amadou, Sanogo"), "Amadu, Sanogo", Verdict(CLOSE, "typo: Amadu → Amadou",
                                                       slip=("Amadu, Sanogo", "Amadou, Sanogo"))),
    (typed("Amadou Sanogo"), "Amadu Sanogu", Verdict(CLOSE, "typo: Amadu → Amadou, Sanogu → Sanogo",
                                                     slip=("Amadu Sanogu", "Amadou Sanogo"))),
    # A negating prefix is a new fact, whichever of the two words sorts first.
    (typed("illegitimate"), "legitimate", Verdict(WRONG, "opposite meaning")),
    # An item holding a separator is joined back when typed within a slip of it (here two edits, the
    # limit), and not when its numbers differ.
    (typed(("International Military Education and Training", "Foreign Military Financing")),
     "Internacional Militery Education and Training, Foreign Military Financing", Verdict(
        CLOSE, "typo: Internacional → International, Militery → Military", (
            Mark("International Military Education and Training", "close"), Mark("Foreign Military Financing", "found")),
        ("Internacional Militery Education and Training", "International Military Education and Training"))),
    (typed(("Bread and Butter", "Jam")), "1990, Bread and Butter, Jam", Verdict(WRONG, "extra: 1990", (
        Mark("1990", "extra"), Mark("Bread and Butter", "found"), Mark("Jam", "found")))),
    # An item of three pieces is joined back whole; pieces are joined only into an item that holds a separator.
    (typed(("Bread, Butter and Jam", "Tea")), "Bread, Butter and Jam, Tea", Verdict(CORRECT, "matches the answer", (
        Mark("Bread, Butter and Jam", "found"), Mark("Tea", "found")))),
    (typed(("Bread and Butter", "Salt Pepper")), "Salt, Pepper, Bread and Butter", Verdict(
        WRONG, "missing: Salt Pepper; extra: Salt, Pepper", (
            Mark("Salt", "extra"), Mark("Pepper", "extra"), Mark("Bread and Butter", "found"),
            Mark("Salt Pepper", "missing")))),
    (typed(("Bread, Butter and Jam", "Salt and Pepper")), "Salt and Pepper, Bread, Butter and Jam", Verdict(
        CORRECT, "matches the answer", (Mark("Salt and Pepper", "found"), Mark("Bread, Butter and Jam", "found")))),
    # Every other item of the list is a neighbour, the first item's too.
    (typed(("Austria", "Austrian", "Vienna")), "Austriax, Austrian, Vienna", Verdict(
        WRONG, "missing: Austria; extra: Austriax", (
            Mark("Austriax", "extra"), Mark("Austrian", "found"), Mark("Vienna", "found"), Mark("Austria", "missing")))),
    # A list whose accepted alternative is a whole other list.
    (typed(("Gao", "Kidal", "Timbuktu"), accept=("Gao, Kidal, Tombouctou",)), "Gao, Kidal, Tombouctou", Verdict(
        CORRECT, "accepted alternative", (Mark("Gao", "found"), Mark("Kidal", "found"), Mark("Tombouctou", "found")))),
    # An accepted alternative of separators only is a list of no items: weighed, it changes nothing.
    (typed(("Gao", "Kidal", "Timbuktu"), accept=(", ",)), "Gao, Kidal", Verdict(WRONG, "missing: Timbuktu", (
        Mark("Gao", "found"), Mark("Kidal", "found"), Mark("Timbuktu", "missing")))),
    # An ordered list's alternative is ordered too; a slip in it stays a slip.
    (typed(("Gao", "Kidal", "Timbuktu"), accept=("Gao, Kidal, Tombouctou",), ordered=True), "Kidal, Gao, Tombouctou",
     Verdict(WRONG, "missing: Timbuktu; extra: Tombouctou", (
         Mark("Kidal", "found"), Mark("Gao", "found"), Mark("Tombouctou", "extra"), Mark("Timbuktu", "missing")))),
    (typed(("Gao", "Kidal", "Timbuktu"), accept=("Gao, Kidal, Tombouctou",)), "Gao, Kidal, Tombouctu", Verdict(
        CLOSE, "typo: Tombouctu → Tombouctou", (Mark("Gao", "found"), Mark("Kidal", "found"), Mark("Tombouctou", "close")),
        ("Tombouctu", "Tombouctou"))),
    # Year 0000 is no date; "and" first in an answer has no two parts to swap.
    (COUP_DAY, "0000", Verdict(WRONG, "does not match")),
    (typed("And Then There Were None"), "Then There Were None and", Verdict(WRONG, "does not match")),
    (typed("Salt and"), "and Salt", Verdict(WRONG, "does not match")),  # nor "and" last
    # Two titles in a row are both taken away; a possessive on a name of two words.
    (UNRANKED, "Lieutenant General Amadou Sanogo", Verdict(CORRECT, "matches the answer with a title")),
    (typed("South Sudan", question="Whose army crossed the border?"), "South Sudan's army", Verdict(
        CORRECT, "matches the answer with a possessive")),
    (ARMY, "Mali army", Verdict(WRONG, "does not match")),  # a name that is no demonym stays as typed
    # At most two head nouns are taken away after the answer, and two before it.
    (PEOPLE, "Tuareg people group tribe", Verdict(WRONG, "does not match")),
    (PEOPLE, "people group tribe Tuareg", Verdict(WRONG, "does not match")),
    # A fair phrasing around another name is no number that differs.
    (UNRANKED, "Captain Amadou Touré", Verdict(WRONG, "does not match")),
    # Four letters allow a slip; an answer of exactly 200 characters is still weighed for one.
    (typed("Mali"), "Mail", Verdict(CLOSE, "typo: Mail → Mali", slip=("Mail", "Mali"))),
    (typed("x" * 200), "x" * 199 + "y", Verdict(CLOSE, f"typo: {'x' * 199}y → {'x' * 200}", slip=("x" * 199 + "y", "x" * 200))),
    # A month alone has no year; a numeric date that reads two ways is refused; a date more precise than
    # the answer names the answer; the same date written another way is right, or an alternative.
    (ELECTION_MONTH, "April", Verdict(WRONG, "needs the year")),
    (COUP_DAY, "03/04/2012", Verdict(WRONG, "ambiguous date: write the month as a word")),
    (ELECTION_MONTH, "3 April 2012", Verdict(WRONG, "more precise than the answer, April 2012")),
    (COUP_DAY, "March 22nd, 2012", Verdict(CORRECT, "matches the answer")),
    (typed("March 2012", accept=("22 March 2012",)), "March 22nd, 2012", Verdict(CORRECT, "accepted alternative")),
    # The question's noun is the word before a verb that follows which/what within four words (not
    # directly: `Which was…` names none), looked for only after the asking word.
    (typed("MNLA", question="Which faction had led the attack?"), "MNLA faction", Verdict(
        CORRECT, "matches the answer with its noun")),
    (typed("MNLA", question="Of the groups there were, which faction had the most fighters?"), "MNLA faction",
     Verdict(CORRECT, "matches the answer with its noun")),
    (typed("Kidal", question="What is the town rebels had taken?"), "Kidal rebels", Verdict(WRONG, "does not match")),
    (typed("Gao", question="Which of the three northern towns did the rebels take first?"), "Gao towns", Verdict(
        WRONG, "does not match")),
    (typed("Gao", question="In 2012, which was the first town the rebels took?"), "which Gao", Verdict(
        WRONG, "does not match")),
    # An approximation word before a unit of time, in an answer of three words.
    (typed("about a decade later", question="When did the rebels return?"), "a decade later", Verdict(
        CORRECT, "matches the answer with an approximation word")),
    # What does not run forwards is no range: not rewritten, and a score keeps both its numbers.
    (REBELLION, "1995-1990", Verdict(WRONG, "does not match")),
    (REBELLION, "1990-90", Verdict(WRONG, "does not match")),
    (typed("2-1", question="What was the final score?"), "2", Verdict(WRONG, "does not match")),
    # A number's leading zeros go, but not a decimal's, nor the zero itself.
    (typed("0.5"), "5", Verdict(WRONG, "number differs")),
    (typed("0"), "1", Verdict(WRONG, "number differs")),
    # A slip names the nearest expected answer, the first of two as near.
    (typed("Grey", accept=("Gray",)), "Gry", Verdict(CLOSE, "typo: Gry → Grey", slip=("Gry", "Grey"))),
    (typed("Tombouctou", accept=("Tombouktou",)), "Tombuktou", Verdict(
        CLOSE, "typo: Tombuktou → Tombouktou", slip=("Tombuktou", "Tombouktou"))),
]


@pytest.mark.parametrize("card, response, verdict", WHOLE, ids=[f"{c.kind.value}-{r}" for c, r, _ in WHOLE])
def test_whole_verdicts(card, response, verdict):
    assert judge(card, response) == verdict


def test_there_are_enough_cases():
    assert len(CASES) >= 80


def test_slips_are_allowed_up_to_200_characters_and_past_them_only_the_exact_answer_counts():
    # 40 words of 4 letters + spaces: 199 and 204 characters after normalising; one letter changed in each.
    short, long = " ".join(["kidl"] * 40), " ".join(["kidl"] * 41)
    assert judge(typed(short), "x" + short[1:]).outcome is CLOSE
    assert judge(typed(long), "x" + long[1:]).outcome is WRONG
    assert judge(typed(long), long.upper()).outcome is CORRECT


def test_close_verdict_carries_the_slip():
    verdict = judge(typed("Keïta"), " Kieta ")
    assert verdict.slip == ("Kieta", "Keïta")


def test_close_on_an_alternative_names_the_alternative():
    assert judge(QADHAFI, "Gadafi").slip == ("Gadafi", "Gaddafi")


def test_right_and_wrong_verdicts_carry_no_slip():
    assert judge(TOURE, "ATT").slip is None
    assert judge(TOURE, "Sanogo").slip is None


def test_list_marks_each_item():
    verdict = judge(AZAWAD, "Kidl, Mopti")
    assert verdict.marks == (
        Mark("Kidal", "close"), Mark("Mopti", "extra"), Mark("Gao", "missing"), Mark("Timbuktu", "missing"),
    )


def test_list_slip_points_at_the_item():
    assert judge(AZAWAD, "Gao, Kidl, Timbuktu").slip == ("Kidl", "Kidal")


def test_ordered_list_marks_misplaced_items():
    verdict = judge(PROGRAMMES, "FMF, IMET, TSCTP")
    assert [m.status for m in verdict.marks] == ["wrong", "wrong", "found"]


def test_cloze_marks_each_blank():
    verdict = judge(TERMS, "2003|secnod")
    assert verdict.marks == (Mark("2002", "wrong"), Mark("second", "close"))
    assert judge(TERMS, "|2nd").marks == (Mark("2002", "missing"), Mark("second", "found"))


def test_flash_cards_are_not_judged():
    with pytest.raises(ValueError, match="^flash cards are rated by the learner, not judged$"):
        judge(Card("c", Kind.FLASH, "q", "anything"), "anything")


def test_a_response_of_the_wrong_shape_is_a_programming_error():
    with pytest.raises(TypeError, match="^an order card's response is the sequence of items$"):
        judge(ORDER, "1962")
    with pytest.raises(TypeError, match="^a truefalse card's response is a string$"):
        judge(TRUE, ("true",))


@pytest.mark.parametrize("text, expected", [
    ("  “The” U.S. Al‑Qaeda — Keïta! ", "us al qaeda keita"),
    ("The The", "the the"),
    ("Mar. 22, 2012", "mar 22 2012"),
    ("2.5 km", "2.5 km"),
    ("ﬁne Ⅻ", "fine xii"),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


def _own_answers(card):
    """Every response the card itself says is right: its answer and each alternative."""
    if card.kind is Kind.CLOZE:
        answers = [b.answer for b in card.blanks]
        return ["|".join(answers)] + [
            "|".join(answers[:i] + [alternative] + answers[i + 1:])
            for i, blank in enumerate(card.blanks) for alternative in blank.accept
        ]
    return [", ".join(card.answer) if isinstance(card.answer, tuple) else card.answer, *card.accept]


@pytest.mark.parametrize("path", deck_files(builtin_deck_dir()), ids=lambda p: p.stem)
def test_builtin_cards_accept_their_own_answers_and_refuse_their_rejects(path):
    deck = load_deck(path, builtin=True)
    answers = Neighbours(deck)  # the session's own helper: these are the neighbours study passes
    judged = 0
    for card in deck.cards:
        if card.kind not in (Kind.TYPED, Kind.CLOZE):
            continue
        neighbours = answers.besides(card.id)
        for response in _own_answers(card):
            assert judge(card, response, neighbours=neighbours).outcome is CORRECT, (card.id, response)
            judged += 1
        for response in card.reject:
            assert judge(card, response, neighbours=neighbours).outcome is WRONG, (card.id, response)
    assert judged


# (a, b, limit, distance): name suggestions count a swap of two neighbours as one edit, and stop at limit + 1.
EDIT_DISTANCES = [
    ("demo", "demo", 2, 0),
    ("demo", "dmeo", 2, 1),
    ("kitten", "sitting", 3, 3),
    ("kitten", "sitting", 2, 3),
    ("abc", "xyz", 1, 2),
    ("", "ab", 5, 2),
]


@pytest.mark.parametrize("a, b, limit, distance", EDIT_DISTANCES)
def test_edit_distance_by_hand(a, b, limit, distance):
    assert edit_distance(a, b, limit) == distance


# (blanks, response, verdict) of a cloze: the other blanks' answers are neighbours (all of them, after as well
# as before) up to 50 blanks; past that each blank is judged alone.
AUSTRIA = (Blank("Austria"), Blank("Austrian"), Blank("Vienna"))
FILLER = tuple(Blank(f"{n} apples") for n in range(47))
CLOZE_NEIGHBOURS = [
    (AUSTRIA, "Austrian|Austrian|Vienna", (WRONG, "blank 1: nearer to another answer: Austrian")),
    (AUSTRIA + FILLER, "Austrian|Austrian|Vienna", (WRONG, "blank 1: nearer to another answer: Austrian")),
    (AUSTRIA + FILLER + (Blank("pears"),), "Austrian|Austrian|Vienna", (CLOSE, "blank 1: typo: Austrian → Austria")),
]


@pytest.mark.parametrize("blanks, response, verdict", CLOZE_NEIGHBOURS, ids=["3", "50", "51"])
def test_a_cloze_blank_is_weighed_against_the_other_blanks_up_to_50(blanks, response, verdict):
    typed_blanks = response.split("|") + [b.answer for b in blanks[3:]]
    found = judge(cloze(*blanks), "|".join(typed_blanks))
    assert (found.outcome, found.reason) == verdict


# (items, neighbours, typed, outcome): slips are looked for while unmatched pieces × free items × (1 +
# neighbours + items) stays within 200,000; exact items are matched first and cost nothing.
SLIP_BUDGET = [
    (50, 29, "slips", CLOSE),  # 50 × 50 × 80 = 200,000: at the budget
    (50, 30, "slips", WRONG),  # 50 × 50 × 81 = 202,500: each piece must name an item exactly
    (60, 0, "exact", CORRECT),  # 60 × 60 × 61 would be over it, but no piece is left unmatched
]


@pytest.mark.parametrize("items, neighbours, typed_as, outcome", SLIP_BUDGET, ids=["at", "over", "exact"])
def test_a_lists_slips_are_looked_for_within_the_work_budget(items, neighbours, typed_as, outcome):
    answer = tuple(f"{n} apples" for n in range(items))
    response = ", ".join(f"{n} {'appels' if typed_as == 'slips' else 'apples'}" for n in range(items))
    others = tuple(f"{n} pears" for n in range(100, 100 + neighbours))
    assert judge(typed(answer), response, neighbours=others).outcome is outcome
