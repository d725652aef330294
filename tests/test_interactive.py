"""The interactive prompter driven through prompt_toolkit's pipe input, as questionary tests itself."""

import io
import random
from datetime import timedelta

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from quizzer.model import Blank, Card, Deck, Kind, Outcome, Phase, Rating, Verdict
from quizzer.scheduler import Scheduler
from quizzer.session import Question, Quit, StudySession
from quizzer.store import Store
from quizzer.ui.interactive import InteractivePrompter
from quizzer.ui.text import BACKGROUND_MARK

INTERVALS = {Rating.AGAIN: timedelta(minutes=1), Rating.HARD: timedelta(minutes=6),
             Rating.GOOD: timedelta(minutes=10), Rating.EASY: timedelta(days=8)}


@pytest.fixture
def terminal():
    with create_pipe_input() as pipe:
        screen = io.StringIO()
        prompter = InteractivePrompter(Console(file=screen, width=80, color_system=None), input=pipe,
                                       output=DummyOutput())
        yield prompter, pipe, screen


def question(card, options=()):
    return Question(Deck(id="d", title="Deck [b]x[/b]", cards=(card,)), card, Phase.NEW, options)


def test_deck_text_with_markup_and_escapes_is_shown_literally(terminal):
    prompter, pipe, screen = terminal
    card = Card(id="c", kind=Kind.TYPED, question="Who [bold]led[/] \x1b[31mit\x1b[0m?", answer="[red]Sanogo",
                explain="A [link=x]captain[/link].")
    pipe.send_text("sanogo\r")
    assert prompter.ask(question(card)) == "sanogo"
    pipe.send_text("\r")
    prompter.confirm(question(card), "sanogo", Verdict(Outcome.WRONG, "[i]no[/i]"), Rating.AGAIN, INTERVALS)
    shown = screen.getvalue()
    assert "Who [bold]led[/] it?" in shown and "Deck [b]x[/b]" in shown
    assert "Answer: [red]Sanogo" in shown and "A [link=x]captain[/link]." in shown and "[i]no[/i]" in shown
    assert "\x1b" not in shown


def test_arrow_keys_pick_a_choice(terminal):
    prompter, pipe, _ = terminal
    card = Card(id="c", kind=Kind.CHOICE, question="Q", answer="B", distractors=("A",))
    pipe.send_text("\x1b[B\r")
    assert prompter.ask(question(card, ("A", "B"))) == "B"


def test_order_by_numbers_and_truefalse(terminal):
    prompter, pipe, _ = terminal
    card = Card(id="o", kind=Kind.ORDER, question="Q", answer=("x", "y", "z"))
    pipe.send_text("3 1 2\r")
    assert prompter.ask(question(card, ("y", "z", "x"))) == ("x", "y", "z")
    tf = Card(id="t", kind=Kind.TRUEFALSE, question="Q", answer=True)
    pipe.send_text("\x1b[B\r")
    assert prompter.ask(question(tf)) == "false"


@pytest.mark.parametrize(
    "keys, rating, override, remember",
    [("\r", Rating.AGAIN, False, False), ("3", Rating.GOOD, False, False),
     ("o", Rating.GOOD, True, False), ("a", Rating.GOOD, True, True)],
)
def test_one_key_decides_after_the_verdict(terminal, keys, rating, override, remember):
    prompter, pipe, _ = terminal
    card = Card(id="c", kind=Kind.TYPED, question="Q", answer="Timbuktu")
    pipe.send_text(keys)
    decision = prompter.confirm(question(card), "Tombouctou", Verdict(Outcome.WRONG), Rating.AGAIN, INTERVALS)
    assert (decision.rating, decision.override, decision.remember) == (rating, override, remember)


def test_flash_cards_reveal_and_rate_with_intervals(terminal):
    prompter, pipe, screen = terminal
    card = Card(id="f", kind=Kind.FLASH, question="Why?", answer="Because.")
    pipe.send_text(" ")
    assert prompter.ask(question(card)) == ""
    pipe.send_text("4\r")  # the shortcut key moves to Easy, Enter picks it
    assert prompter.rate(question(card), INTERVALS) is Rating.EASY
    assert "Answer: Because." in screen.getvalue()


@pytest.mark.parametrize("key", ["\x03", "\x04", "q"])
def test_ctrl_c_ctrl_d_and_q_quit(terminal, key):
    prompter, pipe, _ = terminal
    card = Card(id="c", kind=Kind.TYPED, question="Q", answer="x")
    pipe.send_text(key + ("\r" if key == "q" else ""))
    with pytest.raises(Quit):
        prompter.ask(question(card))


def test_a_whole_session_through_the_interactive_prompter(terminal, tmp_path):
    prompter, pipe, screen = terminal
    deck = Deck(id="d", title="D", cards=(
        Card(id="a", kind=Kind.TYPED, question="Capital?", answer="Bamako"),
        Card(id="b", kind=Kind.TYPED, question="Other?", answer="Gao"),
    ))
    pipe.send_text("bamako\r\r")  # answer, keep Good
    pipe.send_text("\x03")  # quit at the next card
    with Store(tmp_path / "q.db") as store:
        summary = StudySession(store, Scheduler(fuzz=False), [deck], rng=random.Random(0)).run(prompter)
        assert [(r["card"], r["verdict"]) for r in store.reviews()] == [("a", "correct")]
    assert summary.answers == 1
    assert "Saved · good · back in 10m" in screen.getvalue()


def test_a_close_verdict_shows_the_slip_and_list_marks(terminal):
    prompter, pipe, screen = terminal
    card = Card(id="c", kind=Kind.TYPED, question="Q", answer="Amadou Haya Sanogo")
    pipe.send_text("\r")
    verdict = Verdict(Outcome.CLOSE, "typo: Sanogp → Sanogo", slip=("Amadou Haya Sanogp", "Amadou Haya Sanogo"))
    assert prompter.confirm(question(card), "Amadou Haya Sanogp", verdict, Rating.HARD, INTERVALS).rating is Rating.HARD
    shown = screen.getvalue()
    assert "close — typo: Sanogp → Sanogo" in shown
    assert "you typed: Amadou Haya Sanogp" in shown and "expected:  Amadou Haya Sanogo" in shown
    from quizzer.model import Mark

    pipe.send_text("\r")
    marks = (Mark("Gao", "found"), Mark("Kidal", "missing"), Mark("Mopti", "extra"))
    prompter.confirm(question(card), "Gao, Mopti", Verdict(Outcome.WRONG, "missing: Kidal", marks), Rating.AGAIN,
                     INTERVALS)
    assert "found: Gao" in screen.getvalue() and "missing: Kidal" in screen.getvalue()
    assert "extra: Mopti" in screen.getvalue()


CARDS = {
    "flash": Card(id="f", kind=Kind.FLASH, question="Why?", answer="Because."),
    "typed": Card(id="t", kind=Kind.TYPED, question="Who?", answer="Sanogo"),
    "cloze": Card(id="z", kind=Kind.CLOZE, question="In {{2012}}.", answer=("2012",),
                  blanks=(Blank("2012"),)),
    "choice": Card(id="c", kind=Kind.CHOICE, question="Which?", answer="B", distractors=("A",)),
    "truefalse": Card(id="b", kind=Kind.TRUEFALSE, question="So?", answer=True),
    "order": Card(id="o", kind=Kind.ORDER, question="Order these from source to sea.", answer=("x", "y")),
}
OPTIONS = {"choice": ("A", "B"), "order": ("y", "x")}


@pytest.mark.parametrize("kind", CARDS)
@pytest.mark.parametrize("key", ["q", "\x03", "\x04"])
def test_q_ctrl_c_and_ctrl_d_quit_every_question(terminal, kind, key):
    prompter, pipe, _ = terminal
    pipe.send_text(key + ("\r" if key == "q" else ""))  # a line editor needs Enter after q; a key prompt does not
    with pytest.raises(Quit):
        prompter.ask(question(CARDS[kind], OPTIONS.get(kind, ())))


@pytest.mark.parametrize("key", ["q", "\x03", "\x04"])
@pytest.mark.parametrize("prompt", [
    lambda prompter: prompter.rate(question(CARDS["flash"]), INTERVALS),
    lambda prompter: prompter.confirm(question(CARDS["typed"]), "x", Verdict(Outcome.WRONG), Rating.AGAIN, INTERVALS),
], ids=["rating list", "verdict"])
def test_q_ctrl_c_and_ctrl_d_quit_the_rating_list_and_the_verdict(terminal, key, prompt):
    prompter, pipe, _ = terminal
    pipe.send_text(key + ("\r" if key == "q" else ""))  # the Enter is never read: q alone quits
    with pytest.raises(Quit):
        prompt(prompter)


@pytest.mark.parametrize("key, said", [("t", "true"), ("y", "true"), ("f", "false"), ("n", "false")])
def test_one_letter_answers_a_true_false_card(terminal, key, said):
    prompter, pipe, screen = terminal
    pipe.send_text(key + "\x03")  # the letter alone answers; the Ctrl-C after it is never read
    assert prompter.ask(question(CARDS["truefalse"])) == said
    assert f"→ {said}" in screen.getvalue()


@pytest.mark.parametrize("key, option", [("1", "C"), ("2", "A"), ("3", "B")])
def test_a_number_key_picks_and_submits_a_choice(terminal, key, option):
    prompter, pipe, screen = terminal
    pipe.send_text(key + "\x03")
    assert prompter.ask(question(CARDS["choice"], ("C", "A", "B"))) == option
    assert f"→ {key}. {option}" in screen.getvalue()


def test_a_number_key_rates_a_flash_card_at_once(terminal):
    prompter, pipe, _ = terminal
    pipe.send_text("2\x03")
    assert prompter.rate(question(CARDS["flash"]), INTERVALS) is Rating.HARD


@pytest.mark.parametrize("kind", ["choice", "truefalse", "order"])
def test_always_accept_is_not_offered_where_it_does_nothing(terminal, kind):
    prompter, pipe, screen = terminal
    pipe.send_text("a\r")  # a is not a key here; Enter keeps the proposed rating
    decision = prompter.confirm(question(CARDS[kind], OPTIONS.get(kind, ())), "x", Verdict(Outcome.WRONG),
                                Rating.AGAIN, INTERVALS)
    assert (decision.rating, decision.override, decision.remember) == (Rating.AGAIN, False, False)


def every_key_list():
    from quizzer.ui.keys import question_keys, rating_keys, verdict_keys

    for kind, card in CARDS.items():
        yield f"{kind} question", question_keys(card, OPTIONS.get(kind, ()))
        for outcome, proposed in ((Outcome.CORRECT, Rating.GOOD), (Outcome.CLOSE, Rating.HARD),
                                  (Outcome.WRONG, Rating.AGAIN), (Outcome.OVERRIDDEN, Rating.GOOD)):
            yield f"{kind} {outcome.value}", verdict_keys(card, outcome, proposed, INTERVALS)
    yield "rating list", rating_keys()


def test_every_hint_fits_60_columns_in_two_lines_and_says_how_to_quit_and_undo():
    from quizzer.ui.keys import hint_lines

    for screen, keys in every_key_list():
        lines = hint_lines(keys)
        assert len(lines) <= 2 and all(len(line) <= 60 for line in lines), (screen, lines)
        assert "quit" in lines[0] and "undo" in " ".join(lines), (screen, lines)


def test_a_long_hint_wraps_between_keys_never_inside_one():
    from quizzer.ui.keys import Key, hint_lines

    keys = [Key(f"k{n}", "does something") for n in range(12)]
    lines = hint_lines(keys, width=40)
    assert all(len(line) <= 40 for line in lines) and len(lines) > 1
    assert " · ".join(lines) == " · ".join(f"k{n} does something" for n in range(12))


def test_ten_options_or_more_are_picked_with_arrows_only():
    from quizzer.ui.keys import hint_lines, question_keys

    options = tuple(f"option {n}" for n in range(10))
    keys = question_keys(CARDS["choice"], options)
    assert not any(name.isdigit() for key in keys for name in key.bindings)  # 1 would be ambiguous with 10
    assert hint_lines(keys) == ["↑↓ Enter choose · q quit · u undo · s suspend · b bury", "e edit"]  # wrapped at 60
    assert hint_lines(question_keys(CARDS["choice"], options[:9]))[0].startswith("1-9 answer · ")


@pytest.mark.parametrize("tags, marked", [(("background",), True), (("dates",), False)])
def test_a_background_card_says_so_above_the_question_wrapped_to_60_columns(tags, marked):
    card = Card(id="c", kind=Kind.TYPED, question="In what year?", answer="1960", tags=tags)
    deck = Deck(id="d", title="Mali 2012 — dates and spans", cards=(card,), tags=("mali-2012",))
    with create_pipe_input() as pipe:
        screen = io.StringIO()
        prompter = InteractivePrompter(Console(file=screen, width=60, color_system=None), input=pipe,
                                       output=DummyOutput())
        pipe.send_text("1960\r")
        prompter.ask(Question(deck, card, Phase.REVIEW, number=12, total=120))
    lines = screen.getvalue().splitlines()
    assert "Mali 2012 — dates and spans · review · 12 of 120" in lines
    assert (BACKGROUND_MARK in lines) is marked  # a line of its own: the header would pass 60 columns
    assert all(len(line) <= 60 for line in lines)
