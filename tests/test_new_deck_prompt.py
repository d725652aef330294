"""The guided `decks new` prompt, driven through prompt_toolkit's pipe input as questionary tests itself."""

import io

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from quizzer.decks import check_records
from quizzer.session import Quit
from quizzer.ui.new_deck import NewDeckPrompt

DOWN, ENTER, CLEAR = "\x1b[B", "\r", "\x15"  # arrow down, Enter, Ctrl-U (clear the line)


@pytest.fixture
def prompt():
    with create_pipe_input() as pipe:
        screen = io.StringIO()
        console = Console(file=screen, width=100, color_system=None)
        yield NewDeckPrompt({"mali-2012-dates"}, console, input=pipe, output=DummyOutput()), pipe, screen


def line(text):
    return text + ENTER


def pick(downs):
    return DOWN * downs + ENTER


def test_a_whole_deck_with_every_card_type_and_each_mistake_asked_again(prompt):
    wizard, pipe, screen = prompt
    keys = [
        line("Bad Id"), CLEAR, line("mali-2012-dates"), CLEAR, line("mali-quiz"),  # invalid, then taken, then ok
        line("Mali [b]quiz[/b]"), line("mali, 2012"),
        pick(1), line("Who led the coup?"), line("Amadou Haya Sanogo"), line("Sanogo | Captain Sanogo"),
        line("A captain."), "y",
        pick(2), line("CNRDR?"), line("National Committee"), line("National Committee"), CLEAR, line("MNLA | AQIM"),
        line(""), "y",
        pick(4), line("no blanks here"), CLEAR, line("Elected in {{2002}} for a {{second|2nd}} term."), line(""), "y",
        pick(3), line("The coup was bloody."), pick(1), line(""), "y",
        pick(5), line("Earliest first."), line("1962"), CLEAR, line("1962 | 1990 | 2012"), line(""), "y",
        pick(0), line("Who led the coup?"), line("Sanogo"), line(""), "n",
        "y",
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
    pipe.send_text(line("d") + line("D") + line("") + pick(0) + line("Q") + line("A") + line("") + "n" + "n")
    assert wizard.run() is None


def test_ctrl_c_quits(prompt):
    wizard, pipe, _ = prompt
    pipe.send_text(line("d") + "\x03")
    with pytest.raises(Quit):
        wizard.run()
