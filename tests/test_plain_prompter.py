"""The plain prompter: what each kind of card accepts on its one line, judged as the session judges it."""

import io
from datetime import timedelta

import pytest

from quizzer.grading import judge
from quizzer.model import Card, Deck, Kind, Outcome, Phase, Rating
from quizzer.session import Question
from quizzer.ui.plain import PlainPrompter
from quizzer.ui.text import BACKGROUND_MARK

CHOICE = Card(id="ch", kind=Kind.CHOICE, question="What does MNLA stand for?",
              answer="National Movement for the Liberation of Azawad", distractors=("Mali Army", "Bamako Guard"))
ORDER = Card(id="or", kind=Kind.ORDER, question="Earliest first.", answer=("1962", "1990", "2012"))
FLASH = Card(id="fl", kind=Kind.FLASH, question="Why?", answer="Because.")
DECK = Deck(id="d", title="D", cards=(CHOICE, ORDER, FLASH))
INTERVALS = {rating: timedelta(minutes=rating.value) for rating in Rating}


def prompter(typed: str) -> PlainPrompter:
    return PlainPrompter(io.StringIO(typed), io.StringIO())


def asked(card: Card, options: tuple[str, ...], typed: str):
    return prompter(typed).ask(Question(DECK, card, Phase.NEW, options))


@pytest.mark.parametrize("typed", [
    "3\n",
    "National Movement for the Liberation of Azawad\n",
    "  national movement for the liberation of azawad \n",
])
def test_a_choice_is_answered_by_its_number_or_its_text(typed):
    options = ("Mali Army", "Bamako Guard", "National Movement for the Liberation of Azawad")
    response = asked(CHOICE, options, typed)
    assert judge(CHOICE, response).outcome is Outcome.CORRECT


@pytest.mark.parametrize("typed", ["2 3 1\n", "2,3,1\n", "2, 3, 1\n", " 2 ,3 , 1\n"])
def test_order_numbers_are_separated_by_spaces_or_commas(typed):
    response = asked(ORDER, ("2012", "1962", "1990"), typed)
    assert response == ("1962", "1990", "2012")
    assert judge(ORDER, response).outcome is Outcome.CORRECT


@pytest.mark.parametrize("typed, rating", [
    ("1\n", Rating.AGAIN), ("again\n", Rating.AGAIN), ("hard\n", Rating.HARD), ("Good\n", Rating.GOOD),
    ("EASY\n", Rating.EASY), ("4\n", Rating.EASY), ("maybe\n5\nhard\n", Rating.HARD),
])
def test_flash_ratings_are_numbers_or_words(typed, rating):
    assert prompter(typed).rate(Question(DECK, FLASH, Phase.NEW), INTERVALS) is rating


LONG_ID = "a-deck-id-long-enough-to-push-the-header-on"


@pytest.mark.parametrize("deck_id, lines", [
    ("d", [f"[1 of 1] d · new · {BACKGROUND_MARK}"]),  # 58 columns: one line
    (LONG_ID, [f"[1 of 1] {LONG_ID} · new", BACKGROUND_MARK]),  # wrapped before the mark, never cut
])
def test_a_background_card_says_so_in_the_header_within_60_columns(deck_id, lines):
    card = Card(id="bg", kind=Kind.TYPED, question="When?", answer="1960", tags=("background",))
    out = io.StringIO()
    PlainPrompter(io.StringIO("1960\n"), out).ask(Question(Deck(id=deck_id, title="D", cards=(card,)), card,
                                                           Phase.NEW))
    header = out.getvalue().split("\n\n", 1)[1].split("\nWhen?")[0]
    assert header.splitlines() == lines and all(len(line) <= 60 for line in lines)
