"""The study screens in a real pseudo-terminal at 60 and 100 columns, read back through a terminal
emulator (pyte): nothing cut off, every key hint visible, and a resize mid-question garbles nothing."""

import re
import sqlite3

import pexpect
import pytest

from terminal_screens import Terminal

LONG = [
    "Soldiers' wives protested in Bamako that the army had killed Malian soldiers in numbers not made public "
    "and left the rest without ammunition",
    "The president resigned at once and handed power to the speaker of the national assembly, as the "
    "constitution of 1992 provides",
    "Nothing happened in the capital",
]
DECK = f"""\
id: screen
title: The coup of March 2012 in Mali, a deck whose title is longer than sixty columns
cards:
  - id: aftermath
    type: choice
    question: What followed the killings at Aguelhok in January 2012?
    answer: "{LONG[0]}"
    distractors: ["{LONG[1]}", "{LONG[2]}"]
  - id: march
    type: truefalse
    question: The coup happened in March 2012.
    answer: true
  - id: river
    type: order
    question: Order these from source to sea.
    items: [Guinea highlands, Bamako, Mopti, Timbuktu]
  - id: why
    question: Why did the coup surprise observers?
    answer: Mali was seen as a stable democracy.
"""


def study(home, columns: int) -> Terminal:
    return Terminal(home, columns, "study", "screen", "--seed", "1")


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "screen.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


@pytest.mark.parametrize("columns", [60, 100])
def test_every_screen_shows_everything_and_its_keys(home, columns):
    term = study(home, columns)
    term.expect("choose · q quit")
    for option in LONG:  # wrapped, never cut
        assert option in term.text()
    assert "The coup of March 2012 in Mali, a deck whose title is longer than sixty columns" in term.text()
    assert "1 of 8" in term.text()
    assert any(line.startswith("1-3 answer · ↑↓ Enter choose · q quit") for line in term.lines)  # the commands follow
    wrong = next(re.match(r" *(\d)\. ", line).group(1) for line in term.lines if line.endswith(LONG[2]))
    term.send(wrong, "q quit")  # the number alone answers
    assert f"→ {wrong}. {LONG[2]}" in term.lines
    assert "Enter keep" in term.lines[-1] and "o right" in term.lines[-1] and "a accept" not in term.text()
    term.send("\r", "f/n false · ↑↓ Enter choose · q quit")
    assert any(line.startswith("t/y true · f/n false · ↑↓ Enter choose · q quit") for line in term.lines)  # the commands follow
    term.send("t", "q quit")
    term.send("\r", "Item numbers, in order:")
    assert "Order these from source to sea." in term.text() and "earliest" not in term.text()
    assert any(line.startswith("Enter answer · q Enter quit") for line in term.lines)  # the commands follow
    term.send("4 3 2 1\r", "q quit")
    term.send("\r", "Enter show answer · q quit")
    term.send("\r", "1-4 rate · ↑↓ Enter choose · q quit")
    assert re.search(r"again 1m +hard \d+m +good 10m +easy \d+d", term.text())
    assert any(line.startswith("1-4 rate · ↑↓ Enter choose · q quit") for line in term.lines)  # the commands follow
    term.send("q", pexpect.EOF)  # q on the rating list ends the session
    assert "Session summary" in term.text() and "Still due today" in term.text() and "Due tomorrow" in term.text()
    assert all(len(line) <= columns for line in term.lines)
    rows = sqlite3.connect(home / "quizzer.db").execute("SELECT card, response FROM reviews ORDER BY reviewed_at")
    assert [card for card, _ in rows] == ["aftermath", "march", "river"]


@pytest.mark.parametrize("before, after", [(100, 60), (60, 100)])
def test_resizing_during_a_question_leaves_later_screens_intact(home, before, after):
    term = study(home, before)
    term.expect("choose · q quit")
    term.resize(after)
    term.send("\x1b[B", "choose · q quit")  # a key after the resize: the picker redraws at the new width
    term.send("\r", "q quit")
    term.send("\r", "f/n false · ↑↓ Enter choose · q quit")
    # Everything printed after the resize is whole at the new width, and the answered prompts left
    # nothing behind: the only hint on screen is the one waiting now.
    lines = term.lines
    assert re.search(r"longer than sixty columns · new · 2 of [89] ╭─+╮ │ The coup happened in March 2012\. +│ ╰─+╯ "
                     r"true false t/y true", term.text())
    assert any(re.fullmatch(r"Saved · (again|good) · back in (1|10)m", line) for line in lines)
    assert [line for line in lines if "q quit" in line] == ["t/y true · f/n false · ↑↓ Enter choose · q quit"]
    assert all(len(line) <= after for line in lines[-6:])
    term.send("\x03", pexpect.EOF)
    assert "Session summary" in term.text()


# (keys, what the next screen ends with), from the start to each prompt in turn.
WALK = [
    ("", "choose · q quit"),  # 0: the choice
    ("1", "q quit"),  # 1: its verdict
    ("\r", "f/n false · ↑↓ Enter choose · q quit"),  # 2: the true/false card
    ("t", "q quit"),  # 3: its verdict
    ("\r", "Item numbers, in order:"),  # 4: the order card
    ("4 3 2 1\r", "q quit"),  # 5: its verdict
    ("\r", "Enter show answer · q quit"),  # 6: the flash card
    ("\r", "1-4 rate · ↑↓ Enter choose · q quit"),  # 7: its rating list
]


@pytest.mark.parametrize("prompt, keys, saved", [
    (0, "\x04", []), (1, "q", ["aftermath"]), (2, "\x03", ["aftermath"]), (2, "q", ["aftermath"]),
    (4, "q\r", ["aftermath", "march"]), (6, "q", ["aftermath", "march", "river"]),
    (7, "\x04", ["aftermath", "march", "river"]),
], ids=["choice ^D", "verdict q", "true/false ^C", "true/false q", "order q", "reveal q", "rating list ^D"])
def test_quit_works_on_every_prompt_and_keeps_every_answer_given(home, prompt, keys, saved):
    term = study(home, 60)
    for step, then in WALK[: prompt + 1]:
        term.send(step, then)
    term.send(keys, pexpect.EOF)
    assert "Session summary" in term.text()
    rows = sqlite3.connect(home / "quizzer.db").execute("SELECT card FROM reviews ORDER BY reviewed_at").fetchall()
    assert [card for (card,) in rows] == saved
