"""Properties of the answer judge that must hold for any answer, not only the table's."""

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from quizzer.grading import judge, normalise
from quizzer.model import Blank, Card, Kind, Outcome

# Answers as decks write them: words, numbers, years, ranges, dates, with the punctuation of names.
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÉéèïüçABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)
_number = st.integers(min_value=0, max_value=99999).map(str)
_year = st.integers(min_value=1000, max_value=2099).map(str)
_range = st.tuples(_year, st.integers(min_value=1, max_value=30)).map(lambda t: f"{t[0]}-{int(t[0]) + t[1]}")
_date = st.dates().map(lambda d: f"{d.day} {d.strftime('%B')} {d.year:04d}")
_token = st.one_of(_word, _word, _word, _number, _year)


def _phrases(joiners):
    return st.lists(st.tuples(_token, st.sampled_from(joiners)), min_size=1, max_size=6).map(
        lambda parts: "".join(t + j for t, j in parts).strip(" ,.-'")
    )


_phrase = _phrases([" ", " ", "-", "'", ", ", ". "])
# A list item holding a comma is ambiguous in a comma-separated list, so list items have none.
_item = _phrases([" ", " ", "-", "'", ". "])
answers = st.one_of(_phrase, _range, _date, _number)
_digit = re.compile(r"\d")


def _typed(answer):
    return Card(id="c", kind=Kind.TYPED, question="q", answer=answer)


@given(answers)
def test_an_answer_is_right_against_itself(answer):
    assume(normalise(answer))
    assert judge(_typed(answer), answer).outcome is Outcome.CORRECT


@given(st.lists(_item, min_size=1, max_size=5))
def test_a_list_answer_is_right_against_itself(items):
    assume(all(normalise(i) for i in items))
    card = _typed(tuple(items))
    assert judge(card, "; ".join(items)).outcome is Outcome.CORRECT


@given(st.lists(_phrase, min_size=1, max_size=4))
def test_a_cloze_is_right_against_itself(answers_):
    assume(all(normalise(a) for a in answers_))
    card = Card(id="c", kind=Kind.CLOZE, question="q", answer=tuple(answers_), blanks=tuple(map(Blank, answers_)))
    assert judge(card, "|".join(answers_)).outcome is Outcome.CORRECT


@given(answers.filter(_digit.search), st.data())
def test_changing_one_digit_is_always_wrong(answer, data):
    positions = [m.start() for m in _digit.finditer(answer)]
    at = data.draw(st.sampled_from(positions), label="position")
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != answer[at]]), label="digit")
    response = answer[:at] + digit + answer[at + 1:]
    assert judge(_typed(answer), response).outcome is Outcome.WRONG


@given(st.text())
def test_normalisation_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(answers)
def test_normalisation_is_idempotent_on_answers(answer):
    once = normalise(answer)
    assert normalise(once) == once


# Rules 10 to 15: fair phrasings add words around the answer, never change the facts in it.
_titles = st.sampled_from(["President", "General", "Gen.", "Captain", "Capt.", "Colonel", "Col.", "Lt."])
_head_nouns = st.sampled_from(["region", "desert", "country", "people", "army", "movement", "group", "years"])
# A name made only of articles keeps them (rule 1), so it cannot be told from a wrapped one.
# A name with a rank in it follows the rank rule instead (rule 11: another rank is a wrong fact), as
# hypothesis found with `CAPT` answered `President CAPT`.
_RANKS = {"president", "pres", "general", "gen", "captain", "capt", "colonel", "col", "lieutenant", "lt", "major", "maj",
          "commander"}
_name = _phrases([" ", " ", "-", "'"]).filter(
    lambda name: set(normalise(name).split()) - {"the", "a", "an"} and not set(normalise(name).split()) & _RANKS)


def _digit_changed(text, data):
    at = data.draw(st.sampled_from([m.start() for m in _digit.finditer(text)]), label="position")
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != text[at]]), label="digit")
    return text[:at] + digit + text[at + 1:]


@given(_name, _titles)
def test_a_title_before_the_answer_is_still_right(answer, title):
    assert judge(_typed(answer), f"{title} {answer}").outcome is Outcome.CORRECT


@given(_name, _head_nouns, st.booleans())
def test_the_answer_with_a_head_noun_is_still_right(answer, noun, before):
    response = f"the {noun} of {answer}" if before else f"the {answer} {noun}"
    assert judge(_typed(answer), response).outcome is Outcome.CORRECT


@given(_year, st.sampled_from(["the year {}", "{} years", "in the year {}"]), st.data())
def test_changing_a_digit_in_a_wrapped_year_is_wrong(year, wrapping, data):
    card = Card(id="c", kind=Kind.TYPED, question="In which year?", answer=year)
    assert judge(card, wrapping.format(_digit_changed(year, data))).outcome is Outcome.WRONG


@given(_name.filter(_digit.search), _titles, _head_nouns, st.data())
def test_changing_a_digit_in_a_wrapped_answer_is_wrong(answer, title, noun, data):
    response = f"{title} {_digit_changed(answer, data)} {noun}"
    assert judge(_typed(answer), response).outcome is Outcome.WRONG


@given(_name, _name)
def test_the_parts_of_a_and_b_are_right_in_either_order(first, second):
    card = _typed(f"{first} and {second}")
    assume(normalise(card.answer).split().count("and") == 1)
    assert judge(card, f"{second} and {first}").outcome is Outcome.CORRECT


@given(_number, st.sampled_from(["about", "around", "nearly", "almost", "roughly", "some"]), st.data())
def test_an_approximate_answer_takes_any_approximation_word_but_not_another_number(count, word, data):
    card = _typed(f"about {count} years")
    assert judge(card, f"{word} {count} years").outcome is Outcome.CORRECT
    assert judge(card, f"{word} {_digit_changed(count, data)} years").outcome is Outcome.WRONG
