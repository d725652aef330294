"""quizzer in a real pseudo-terminal (pexpect), and killed with SIGKILL mid-session."""

import signal
import sqlite3
import subprocess
import sys
import time

import pexpect
import pytest
from terminal_screens import pty_env

DECK = """\
id: demo
title: Demo
cards:
  - id: acronym
    type: choice
    question: What does MNLA stand for?
    answer: National Movement for the Liberation of Azawad
    distractors: [National Committee for the Restoration of Democracy and State]
  - id: leader
    type: typed
    question: Who led the coup?
    answer: Amadou Haya Sanogo
    accept: [Sanogo]
  - id: deposed
    type: typed
    question: Who was deposed?
    answer: Amadou Toumani Touré
"""


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def test_arrow_keys_typing_and_quitting_in_a_real_terminal(home):
    child = pexpect.spawn(
        sys.executable, ["-m", "quizzer", "study", "demo", "--seed", "1"],
        env=pty_env(home), dimensions=(24, 80), encoding="utf-8", timeout=20,
    )
    child.expect("What does MNLA stand for")
    child.expect("choose · q quit")
    child.send("\x1b[B")  # arrow down to the second option
    child.send("\r")
    child.expect("Enter keep")
    child.send("\r")  # keep the proposed rating
    child.expect("Who led the coup")
    child.expect("Answer:")
    child.send("sanogo\r")
    child.expect("correct")
    child.expect("Enter keep")
    child.send("\r")
    child.expect("Who was deposed")
    child.send("\x03")  # Ctrl-C ends the session cleanly
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    rows = sqlite3.connect(home / "quizzer.db").execute(
        "SELECT card, verdict, response, rating FROM reviews ORDER BY reviewed_at"
    ).fetchall()
    assert len(rows) == 2
    assert rows[0][0] == "acronym" and rows[0][2] in (
        "National Movement for the Liberation of Azawad", "National Committee for the Restoration of Democracy and State",
    )
    assert rows[1] == ("leader", "correct", "sanogo", 3)


def test_a_rating_can_be_changed_with_one_key(home):
    child = pexpect.spawn(
        sys.executable, ["-m", "quizzer", "study", "demo", "--seed", "1"],
        env=pty_env(home), dimensions=(24, 100), encoding="utf-8", timeout=20,
    )
    child.expect("choose · q quit")
    child.send("\r")
    child.expect("Enter keep")
    child.send("4")  # Easy instead of what was proposed
    child.expect("Saved · easy")
    child.send("\x04")  # Ctrl-D at the next prompt also quits
    child.expect(pexpect.EOF)
    child.close()
    rows = sqlite3.connect(home / "quizzer.db").execute("SELECT rating FROM reviews").fetchall()
    assert rows == [(4,)]


def test_sigkill_after_some_answers_loses_nothing_that_was_confirmed(home):
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizzer", "study", "demo", "--plain", "--seed", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=pty_env(home), text=True, bufsize=1,
    )
    verdicts = 0
    proc.stdin.write("1\n")
    proc.stdin.flush()
    proc.stdin.write("sanogo\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 20
    while verdicts < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if " · back in " in line:
            verdicts += 1
    assert verdicts == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    db = sqlite3.connect(home / "quizzer.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [c for (c,) in db.execute("SELECT card FROM reviews ORDER BY reviewed_at")] == ["acronym", "leader"]
    assert db.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 2
