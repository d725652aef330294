"""`quizzer quiz` and `quizzer scores` in a real pseudo-terminal at 60 and 100 columns, read back through a
terminal emulator (pyte): the question, the feedback, the end summary and the scores fit, every key hint
is visible, and q, Ctrl-C and Ctrl-D end a quiz early with it saved as unfinished."""

import json
import os
import re
import sqlite3

import pexpect
import pytest

from terminal_screens import Terminal, run_screens

LONG = [
    "Soldiers' wives protested in Bamako that the army had left Malian soldiers in the north without ammunition",
    "The president resigned at once and handed power to the speaker of the national assembly as provided",
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
    explain: The protests began in Kati and spread to the capital within days, a sign of anger in the ranks.
  - id: march
    type: truefalse
    question: The coup happened in March 2012.
    answer: true
  - id: april
    type: truefalse
    question: The coup happened in April 2012.
    answer: false
    explain: It began on 21 March 2012, a month before the planned election.
  - id: capital
    type: typed
    question: Which city is the capital of Mali?
    answer: Bamako
"""


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "screen.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def quiz_records(home) -> list[dict]:
    rows = sqlite3.connect(home / "quizzer.db").execute("SELECT data FROM events WHERE kind = 'quiz'")
    return [json.loads(data) for (data,) in rows]


def quiz_answers(home) -> int:
    return sqlite3.connect(home / "quizzer.db").execute("SELECT COUNT(*) FROM reviews WHERE kind = 'quiz'").fetchone()[0]


@pytest.mark.parametrize("columns", [60, 100])
def test_practice_shows_question_feedback_and_summary_within_the_width(home, columns):
    term = Terminal(home, columns, "quiz", "screen", "--types", "choice,typed", "--seed", "1")
    term.expect("choose · q quit")
    assert "Only 2 cards match (of type choice, typed): asking all 2." in term.text()
    for option in LONG:  # wrapped, never cut
        assert option in term.text()
    assert "The coup of March 2012 in Mali, a deck whose title is longer than sixty columns" in term.text()
    assert "quiz · 1 of 2" in term.text()
    term.settle()
    assert "q quit" in term.lines[-1] and "undo" not in term.text()  # study's commands are not a quiz's
    wrong = next(re.match(r" *(\d)\. ", line).group(1) for line in term.lines if line.endswith(LONG[2]))
    term.send(wrong, "q quit")  # the number alone answers, then the feedback
    assert "wrong" in term.text() and "The protests began in Kati and spread to the capital" in term.text()
    assert term.lines[-1].startswith("Enter next question · q quit")
    term.send("\r", "Answer:")
    assert any(line.startswith("Enter answer · q Enter quit") for line in term.lines)
    assert ":undo" not in term.lines[-2]
    term.send("Bamako\r", "next question")
    term.send("\r", pexpect.EOF)
    text = term.text()
    assert "Score: 1/2 (50%)" in text and "Mistakes" in text
    assert f"you: {LONG[2]}" in text and f"answer: {LONG[0]}" in text  # the mistake in full, wrapped
    assert all(len(line) <= columns for line in term.lines)
    (record,) = quiz_records(home)
    assert record["finished"] and (record["asked"], record["right"], record["wrong"]) == (2, 1, 1)


@pytest.mark.parametrize("columns", [60, 100])
def test_exam_shows_nothing_until_the_end_then_every_mistake(home, columns):
    term = Terminal(home, columns, "quiz", "screen", "--types", "truefalse", "--exam", "--seed", "2")
    term.expect("f/n false")
    term.send("t", "f/n false")  # straight to the next question: no feedback in an exam
    assert "Enter next question" not in term.text()
    term.send("t", pexpect.EOF)
    text = term.text()
    assert "Score: 1/2 (50%)" in text
    assert "wrong screen/april The coup happened in April 2012. you: true answer: false" in text
    assert "It began on 21 March 2012, a month before the planned election." in text
    assert all(len(line) <= columns for line in term.lines)
    you = max(i for i, line in enumerate(term.lines) if line.lstrip().startswith("you: "))
    assert all(line.startswith("  ") for line in term.lines[you:])  # the block stays indented when it wraps


def test_all_right_answers_in_a_terminal_score_100_percent(home):
    term = Terminal(home, 60, "quiz", "screen", "--types", "truefalse", "--exam")
    for _ in range(2):
        term.expect("f/n false")
        shown = [line for line in term.lines if "The coup happened in" in line][-1]
        term.child.send("f" if "April" in shown else "t")
    term.expect(pexpect.EOF)
    assert "Score: 2/2 (100%)" in term.text() and "Mistakes" not in term.text()
    assert quiz_records(home)[0]["score"] == 1.0


@pytest.mark.parametrize("keys, where", [
    ("q", "question"), ("\x03", "question"), ("\x04", "question"), ("q", "feedback"), ("\x03", "feedback"),
    ("q\r", "plain"), ("\x03", "plain"), ("\x04", "plain"),
])
def test_q_ctrl_c_and_ctrl_d_end_early_and_the_quiz_is_saved_as_unfinished(home, keys, where):
    plain = ["--plain"] if where == "plain" else []
    term = Terminal(home, 60, "quiz", "screen", "--types", "truefalse", "--seed", "2", *plain)
    term.expect("true or false> " if plain else "f/n false")
    if where == "feedback":
        term.send("t", "Enter next question")
    term.send(keys, pexpect.EOF)
    answered = 1 if where == "feedback" else 0
    (record,) = quiz_records(home)
    assert not record["finished"] and record["asked"] == answered == quiz_answers(home)
    assert f"Ended early: {answered} of 2 questions answered" in term.text()


SCORES_DECK = "a-long-deck-id-on-narrow-screens"


@pytest.mark.parametrize("columns", [60, 100])
def test_scores_fit_the_width_with_deck_ids_whole(home, columns):
    (home / "decks" / "long.yaml").write_text(DECK.replace("id: screen", f"id: {SCORES_DECK}", 1), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"QUIZZER_HOME": str(home), "TERM": "xterm", "NO_COLOR": "1"}
    for deck in ("screen", SCORES_DECK):
        Terminal(home, columns, "quiz", deck, "--types", "truefalse", "--exam", "--seed", "2").send("tt", pexpect.EOF)
    shown = run_screens([("scores", ["scores"]), ("stats", ["stats", SCORES_DECK])], env, columns, rows=30)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in shown["scores"].replace("\r\n", "\n").splitlines()]
    assert all(len(line) <= columns for line in lines)
    assert any(SCORES_DECK in line for line in lines) and "…" not in shown["scores"]
    assert sum("50%" in line for line in lines) >= 2 and "▅" in shown["scores"]
    assert "Last quiz score" in shown["stats"]
