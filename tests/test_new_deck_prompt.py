"""The guided `decks new` prompt, driven through prompt_toolkit's pipe input as questionary tests itself."""

import io

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from quizzer.decks import check_records
from quizzer.session import Quit
from quizzer.ui.new_deck import NewDeckPrompt

DOWN, UP, ENTER, CLEAR, CTRL_C = "\x1b[B", "\x1b[A", "\r", "\x15", "\x03"  # arrows, Enter, Ctrl-U clears the line
# The review's menu, top to bottom: write, edit a card, drop a card, add cards, throw the deck away.
WRITE, EDIT, DROP, ADD, DISCARD = (DOWN * n + ENTER for n in range(5))


@pytest.fixture
def prompt():
    with create_pipe_input() as pipe:
        screen = io.StringIO()
        console = Console(file=screen, width=100, color_system=None)
        yield NewDeckPrompt({"mali-2012-dates"}, console, input=pipe, output=DummyOutput()), pipe, screen


def line(text):
    return text + ENTER


def pick(moves):
    """Move the pointer from where it starts (the previous card's type) and choose."""
    return (DOWN * moves if moves > 0 else UP * -moves) + ENTER


def test_a_whole_deck_with_every_card_type_and_each_mistake_asked_again(prompt):
    wizard, pipe, screen = prompt
    keys = [
        line("Bad Id"), CLEAR, line("mali-2012-dates"), CLEAR, line("mali-quiz"),  # invalid, then taken, then ok
        line("Mali [b]quiz[/b]"), line("mali, 2012"),
        pick(1), line("Who led the coup?"), line("Amadou Haya Sanogo"), line("Sanogo | Captain Sanogo"),
        line("A captain."), "y",
        pick(1), line("CNRDR?"), line("National Committee"), line("National Committee"), CLEAR, line("MNLA | AQIM"),
        line(""), "y",
        pick(2), line("no blanks here"), CLEAR, line("Elected in {{2002}} for a {{second|2nd}} term."), line(""), "y",
        pick(-1), line("The coup was bloody."), pick(1), line(""), "y",
        pick(2), line("Earliest first."), line("1962"), CLEAR, line("1962 | 1990 | 2012"), line(""), "y",
        pick(-5), line("Who led the coup?"), line("Sanogo"), line(""), "n",
        WRITE,
    ]
    pipe.send_text("".join(keys))
    drafted = wizard.run()
    assert (drafted.id, drafted.title, drafted.tags) == ("mali-quiz", "Mali [b]quiz[/b]", ("mali", "2012"))
    assert list(drafted.cards) == [
        {"id": "who-led-the-coup", "type": "typed", "question": "Who led the coup?", "answer": "Amadou Haya Sanogo",
         "accept": ["Sanogo", "Captain Sanogo"], "explain": "A captain."},
        {"id": "cnrdr", "type": "choice", "question": "CNRDR?", "answer": "National Committee",
         "distractors": ["MNLA", "AQIM"]},
        {"id": "elected-in-2002-for-a-second-term", "type": "cloze",
         "text": "Elected in {{2002}} for a {{second|2nd}} term."},
        {"id": "the-coup-was-bloody", "type": "truefalse", "question": "The coup was bloody.", "answer": False},
        {"id": "earliest-first", "type": "order", "question": "Earliest first.", "items": ["1962", "1990", "2012"]},
        {"id": "who-led-the-coup-2", "type": "flash", "question": "Who led the coup?", "answer": "Sanogo"},
    ]
    deck, problems = check_records("new", {"id": drafted.id, "title": drafted.title, "tags": list(drafted.tags)},
                                   [(0, card) for card in drafted.cards])
    assert deck is not None and problems == []
    shown = screen.getvalue()
    assert "Mali [b]quiz[/b] (mali-quiz)" in shown and "answer: 1962 → 1990 → 2012" in shown


def test_declining_to_write_returns_nothing(prompt):
    wizard, pipe, _ = prompt
    pipe.send_text(line("d") + line("D") + line("") + pick(0) + line("Q") + line("A") + line("") + "n" + DISCARD + "y")
    assert wizard.run() is None


def test_ctrl_c_quits(prompt):
    wizard, pipe, _ = prompt
    pipe.send_text(line("d") + "\x03")
    with pytest.raises(Quit):
        wizard.run()


def start(title="d"):
    return line(title) + line("D") + line("")


def flash(question, answer, explain=""):
    return line(question) + line(answer) + line(explain)


@pytest.mark.parametrize(("question", "card_id"), [
    ("Who was the president of Mali when the coup happened?", "who-was-the-president-of-mali-when-the"),
    ("Supercalifragilisticexpialidociousnessandmore?", "supercalifragilisticexpialidociousnessan"),
    ("Où est Tombouctou ?", "ou-est-tombouctou"),
    ("?!", "card"),
])
def test_card_ids_are_whole_words_of_the_question(prompt, question, card_id):
    wizard, pipe, _ = prompt
    pipe.send_text(start() + pick(0) + flash(question, "A") + "n" + WRITE)
    assert [card["id"] for card in wizard.run().cards] == [card_id]


def test_each_card_starts_with_the_type_of_the_card_before(prompt):
    wizard, pipe, _ = prompt
    typed = line("") + line("")  # accept, explain
    pipe.send_text(start() + pick(1) + line("Q1") + line("A1") + typed + "y"
                   + ENTER + line("Q2") + line("A2") + typed + "y"  # Enter keeps 'typed'
                   + pick(3) + line("{{Gao}} is north") + line("") + "n" + WRITE)
    assert [card["type"] for card in wizard.run().cards] == ["typed", "typed", "cloze"]


def test_the_review_edits_and_drops_cards_before_writing(prompt):
    wizard, pipe, screen = prompt
    keys = [
        start(), pick(1), line("Capital of Mali?"), line("Bamak"), line("Bko"), line(""), "y",
        ENTER, flash("Gone?", "Yes") + ENTER, "y",  # typed cards: the question, answer, accept and explain
        ENTER, flash("Kept?", "Yes") + ENTER, "n",
        EDIT, pick(0),  # the first card, asked again with its answers filled in: fix the answer only
        ENTER, line(""), line("o"), line(""), line("On the Niger."),
        DROP, pick(1),
        ADD, ENTER, flash("Added?", "Yes") + ENTER, "n",
        WRITE,
    ]
    pipe.send_text("".join(keys))
    drafted = wizard.run()
    assert list(drafted.cards) == [
        {"id": "capital-of-mali", "type": "typed", "question": "Capital of Mali?", "answer": "Bamako",
         "accept": ["Bko"], "explain": "On the Niger."},
        {"id": "kept", "type": "typed", "question": "Kept?", "answer": "Yes"},
        {"id": "added", "type": "typed", "question": "Added?", "answer": "Yes"},
    ]
    assert "Gone?" in screen.getvalue()  # it was shown in the review before it was dropped


def test_without_cards_the_review_offers_only_adding_and_throwing_away(prompt):
    wizard, pipe, _ = prompt
    add_first = ENTER  # the empty deck's menu: add cards, throw the deck away
    pipe.send_text(start() + pick(0) + flash("Q1", "A1") + "n" + DROP + pick(0) + add_first + ENTER
                   + flash("Q2", "A2") + "n" + WRITE)
    assert [card["question"] for card in wizard.run().cards] == ["Q2"]


def test_ctrl_c_asks_before_throwing_the_cards_away(prompt):
    wizard, pipe, _ = prompt
    pipe.send_text(start() + pick(0) + flash("Q1", "A1") + "y" + ENTER + line("half a question") + CTRL_C
                   + "n" + WRITE)
    assert [card["question"] for card in wizard.run().cards] == ["Q1"]


def test_ctrl_c_while_editing_a_card_asks_too(prompt):
    wizard, pipe, _ = prompt
    pipe.send_text(start() + pick(0) + flash("Q1", "A1") + "n" + EDIT + pick(0) + ENTER + CTRL_C + "n" + WRITE)
    assert [card["question"] for card in wizard.run().cards] == ["Q1"]


def test_ctrl_c_then_yes_throws_the_cards_away(prompt):
    wizard, pipe, _ = prompt
    pipe.send_text(start() + pick(0) + flash("Q1", "A1") + CTRL_C + "y")
    with pytest.raises(Quit):
        wizard.run()
