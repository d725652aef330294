"""`quizzer decks new` end to end in a real pseudo-terminal (pexpect): prompts, a re-asked answer, the written deck,
and Ctrl-C asking before the cards are thrown away."""

import os
import sys

import pexpect

from quizzer.decks import load_deck


def test_decks_new_in_a_real_terminal_writes_a_valid_deck(quizzer_home):
    env = {**os.environ, "QUIZZER_HOME": str(quizzer_home), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "decks", "new"], env=env, dimensions=(30, 100),
                          encoding="utf-8", timeout=20)
    child.expect("Deck id")
    child.send("mali-2012-dates\r")  # a built-in id: asked again
    child.expect("is taken")
    child.send("\x15my-mali\r")
    child.expect("Title:")
    child.send("My Mali deck\r")
    child.expect("Tags")
    child.send("\r")
    child.expect("Card type")
    child.send("\x1b[B\r")  # typed
    child.expect("Question:")
    child.send("Capital of Mali?\r")
    child.expect("Answer:")
    child.send("Bamako\r")
    child.expect("Other answers")
    child.send("\r")
    child.expect("Explanation")
    child.send("On the Niger.\r")
    child.expect("Add another card")
    child.send("n")
    child.expect("What now")
    child.send("\r")  # the first choice: write the deck
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    deck = load_deck(quizzer_home / "decks" / "my-mali.yaml")
    assert (deck.title, [(c.id, c.kind.value, c.answer, c.explain) for c in deck.cards]) == (
        "My Mali deck", [("capital-of-mali", "typed", "Bamako", "On the Niger.")])


def test_ctrl_c_in_a_real_terminal_asks_before_throwing_cards_away(quizzer_home):
    env = {**os.environ, "QUIZZER_HOME": str(quizzer_home), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "decks", "new"], env=env, dimensions=(24, 60),
                          encoding="utf-8", timeout=20)
    for expected, keys in [("Deck id", "kept\r"), ("Title:", "Kept\r"), ("Tags", "\r"), ("Card type", "\r"),
                           ("Question:", "Capital of Mali?\r"), ("Answer:", "Bamako\r"), ("Explanation", "\r"),
                           ("Add another card", "y"), ("Card type", "\r"), ("Question:", "half a\x03"),
                           ("Throw away the 1 card written so far", "n"), ("What now", "\r")]:
        child.expect(expected)
        child.send(keys)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    deck = load_deck(quizzer_home / "decks" / "kept.yaml")
    assert [(c.id, c.answer) for c in deck.cards] == [("capital-of-mali", "Bamako")]
    # Ctrl-C, then yes: nothing is written and the command says so.
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "decks", "new"], env=env, dimensions=(24, 60),
                          encoding="utf-8", timeout=20)
    for expected, keys in [("Deck id", "gone\r"), ("Title:", "Gone\r"), ("Tags", "\r"), ("Card type", "\r"),
                           ("Question:", "Q\r"), ("Answer:", "A\r"), ("Explanation", "\r"),
                           ("Add another card", "\x03"), ("Throw away the 1 card written so far", "y")]:
        child.expect(expected)
        child.send(keys)
    child.expect("Nothing written.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and not (quizzer_home / "decks" / "gone.yaml").exists()
