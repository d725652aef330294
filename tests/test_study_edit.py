"""Editing the card being studied: `e` on a verdict screen, `:edit` at any prompt (issue 11)."""

import random
import sqlite3
import sys
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.controls import Action
from quizzer.model import Card, Deck, Kind
from quizzer.scheduler import Scheduler
from quizzer.session import Limits, NotEditable, StudySession
from quizzer.store import Store

from test_deck_edit import FakeEditor
from terminal_screens import pty_env
from test_events import DECK, Script, typed


class Asked(Script):
    """Script, also noting each question's text as asked."""

    def __init__(self, clock, answers):
        super().__init__(clock, answers)
        self.questions = []

    def ask(self, question):
        self.questions.append(question.card.question)
        return super().ask(question)


def study(store, clock, answers, edit_card):
    deck = Deck(id="d", title="D", cards=(typed("a"), typed("b"), typed("c")))
    script = Asked(clock, answers)
    session = StudySession(store, Scheduler(fuzz=False), [deck], clock=clock, rng=random.Random(1),
                           limits=Limits(), edit_card=edit_card)
    summary = session.run(script)
    return script, summary, session


def test_an_edited_card_is_asked_again_as_the_file_now_has_it(tmp_path, clock):
    edits = []

    def edit_card(deck, card):
        edits.append((deck.id, card.id))
        return replace(deck, cards=(replace(card, question="Q a, reworded?"), *deck.cards[1:]))

    with Store(tmp_path / "q.db") as store:
        script, summary, session = study(store, clock, [Action.EDIT, "A", "B"], edit_card)
        assert edits == [("d", "a")]
        assert script.questions[:3] == ["Q a?", "Q a, reworded?", "Q b?"]
        assert script.notices == []
        assert session.decks[0].cards[0].question == "Q a, reworded?"  # later questions come from the new deck
        assert [(r["card"], r["response"]) for r in store.reviews()][-2:] == [("b", "B"), ("a", "A")]


def test_cards_an_edit_removes_leave_the_queue_and_the_one_on_screen_is_named(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        script, summary, _ = study(store, clock, [Action.EDIT, "C"],
                                   lambda deck, card: replace(deck, cards=deck.cards[2:]))  # a and b removed
        assert script.asked[:2] == ["a", "c"]
        assert script.notices == ["d/a is no longer in the deck (its id changed or it was removed); going on"]
        assert {r["card"] for r in store.reviews()} == {"c"}


@pytest.mark.parametrize("edit_card, notice", [
    (None, ":edit is not available here"),
    (lambda deck, card: None, None),  # unchanged, or restored after errors
    (lambda deck, card: (_ for _ in ()).throw(NotEditable("'d' is a built-in deck and cannot be edited")),
     "'d' is a built-in deck and cannot be edited"),
])
def test_an_edit_that_changes_nothing_asks_the_same_card(tmp_path, clock, edit_card, notice):
    with Store(tmp_path / "q.db") as store:
        script, _, _ = study(store, clock, [Action.EDIT, "A"], edit_card)
        assert script.questions[:2] == ["Q a?", "Q a?"]
        assert script.notices == ([notice] if notice else [])


def test_an_edit_after_an_undo_asks_the_card_on_screen_before_the_rest(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        script, _, _ = study(store, clock, ["A", Action.UNDO, Action.EDIT, "A", "B"], lambda deck, card: None)
        assert script.asked[:5] == ["a", "b", "a", "a", "b"]


def test_an_edit_changes_only_its_own_deck(tmp_path, clock):
    edited = Deck(id="d", title="D", cards=(typed("a"), typed("b")))
    other = Deck(id="e", title="E", cards=(typed("x"),))
    reworded = replace(edited, cards=(replace(edited.cards[0], question="Q a, reworded?"), edited.cards[1]))
    with Store(tmp_path / "q.db") as store:
        script = Asked(clock, [Action.EDIT, "A", "X"])
        session = StudySession(store, Scheduler(fuzz=False), [edited, other], clock=clock, rng=random.Random(1),
                               limits=Limits(), edit_card=lambda deck, card: reworded)
        session.run(script)
        assert script.questions[:3] == ["Q a?", "Q a, reworded?", "Q x?"]
        assert session.decks == [reworded, other]
        assert [(r["deck"], r["card"]) for r in store.reviews()] == [("e", "x"), ("d", "a")]


def test_an_edited_answer_is_another_cards_neighbour_at_once(tmp_path, clock):
    # "Austria" is a slip for "Australia" unless another card's answer is "Austria"; the deck's answers
    # were gathered at the first answer, before the edit.
    def card(card_id, answer):
        return Card(id=card_id, kind=Kind.TYPED, question=f"Q {card_id}?", answer=answer)

    deck = Deck(id="d", title="D", cards=(card("c", "Mali"), card("a", "Australia"), card("b", "Germany")))
    renamed = replace(deck, cards=(*deck.cards[:2], card("b", "Austria")))
    with Store(tmp_path / "q.db") as store:
        StudySession(store, Scheduler(fuzz=False), [deck], clock=clock, rng=random.Random(1), limits=Limits(),
                     edit_card=lambda deck, card: renamed).run(Asked(clock, ["Mali", Action.EDIT, "Austria"]))
        assert [(r["card"], r["verdict"]) for r in store.reviews()] == [("a", "wrong"), ("c", "correct")]


@pytest.fixture
def demo(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True, exist_ok=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def test_plain_edit_without_a_terminal_says_so_and_asks_again(demo):
    result = CliRunner().invoke(app, ["study", "demo"], input=":edit\nsanogo\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    said = [line for line in lines if "needs a terminal" in line]
    assert said == [f"editing a card opens an editor, which needs a terminal; edit the deck file itself "
                    f"({demo / 'decks' / 'demo.yaml'}) and study on"]
    assert sum("Who led the coup" in line for line in lines) == 2
    assert (demo / "decks" / "demo.yaml").read_text(encoding="utf-8") == DECK


def test_builtin_decks_are_read_only_in_a_session(monkeypatch, tmp_path):
    from quizzer.cli import study as study_command

    monkeypatch.setattr(study_command, "stdin_is_terminal", lambda: True)
    deck = Deck(id="sample", title="Sample", cards=(typed("a"),), path=str(tmp_path / "sample.yaml"), builtin=True)
    with pytest.raises(NotEditable, match=r"^'sample' is a built-in deck and cannot be edited; copy it with "
                                          r"`quizzer decks export sample"):
        study_command._card_editor()(deck, deck.cards[0])


def test_edit_key_in_a_real_terminal_at_60_columns(demo, tmp_path):
    import pexpect

    editor = FakeEditor(tmp_path, name="vi")  # an editor that takes +LINE
    edited = DECK.replace("Who led the coup?", "Who led the March 2012 coup?")
    editor.will({"text": edited})
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "study", "demo", "--seed", "1"],
                          env=pty_env(demo, **editor.env()),
                          dimensions=(30, 60), encoding="utf-8", timeout=20)
    child.expect("Who led the coup")
    child.expect("Answer:")
    child.send("nope\r")
    child.expect("e edit")  # the key is on the verdict screen's hint line
    child.send("e")  # this answer is not saved; the card is asked again as edited
    child.expect("Who led the March 2012 coup")
    child.expect("Answer:")
    child.send("sanogo\r")
    child.expect("e edit")
    child.send("\r")
    child.expect("What punctuation")
    child.expect("Answer:")
    child.send("\x04")
    child.expect(pexpect.EOF)
    child.close()
    assert editor.calls == [["+4", str(demo / "decks" / "demo.yaml")]]  # the card's line
    assert (demo / "decks" / "demo.yaml").read_text(encoding="utf-8") == edited
    db = sqlite3.connect(demo / "quizzer.db")
    assert db.execute("SELECT card, response FROM answers").fetchall() == [("leader", "sanogo")]
