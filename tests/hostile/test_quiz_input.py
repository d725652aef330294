"""Odd values given to `quizzer quiz` and `quizzer scores`, and odd quiz records in a progress file: one line
naming what is wrong, exit status 2, no traceback, nothing saved (issue 12).

Each table takes one line per case.
"""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from quizzer.cli import app

DECK = """\
id: demo
title: Demo
cards:
  - id: capital
    type: typed
    question: Capital of Mali?
    answer: Bamako
  - id: hello
    type: flash
    question: Greet
    answer: hi
"""

# Arguments → what the one line says.
BAD_ARGUMENTS = [
    (["quiz", "nosuchdeck"], "nosuchdeck"),
    (["quiz", "-n", "0"], "-n/--count: '0' is not a number of questions from 1 to 100,000"),
    (["quiz", "-n", "-3"], "-n/--count: '-3' is not a number of questions"),
    (["quiz", "-n", "ten"], "-n/--count: 'ten' is not a number of questions"),
    (["quiz", "-n", "100001"], "-n/--count: '100001' is not a number of questions"),
    (["quiz", "--select", "hardest"], "--select: 'hardest' is not one of random, weakest, unseen, due"),
    (["quiz", "--select", "\x1b[2Jdue"], "--select: 'due' is not one of random"),  # the escape never shown
    (["quiz", "--types", "essay"], "--types: 'essay' is not a card type; use flash, typed"),
    (["quiz", "--types", "typed,essay"], "--types: 'essay' is not a card type"),
    (["quiz", "--types", ","], "--types: ',' is not a card type"),
    (["quiz", "demo", "--tag", "nosuchtag"], "no cards to quiz on in demo (tagged 'nosuchtag')"),
    (["quiz", "demo", "--types", "order"], "no cards to quiz on in demo (of type order)"),
    (["scores", "--since", "2026-02-30"], "--since: '2026-02-30' is not a date like 2026-03-02"),
    (["scores", "--since", "1969-12-31"], "--since: 1969-12-31 is before 1970-01-01"),
    (["scores", "nosuchdeck"], "nosuchdeck"),
    (["scores", "--json", "--csv"], "choose one of --json and --csv"),
]

GOOD_RECORD = {
    "quiz": "q1", "started": "2026-03-02T12:00:00+00:00", "ended": "2026-03-02T12:05:00+00:00", "decks": ["demo"],
    "tag": None, "selection": "random", "mode": "practice", "reschedule": False, "requested": 20, "asked": 1,
    "right": 1, "close": 0, "wrong": 0, "score": 1.0, "finished": True,
    "by_deck": {"demo": {"asked": 1, "right": 1, "close": 0, "wrong": 0}},
}

# A quiz record line changed so → what the one line says (after "FILE:LINE: ").
BAD_RECORDS = [
    ({"deck": "demo"}, "a quiz record's 'deck' and 'card' must be \"\""),
    ({"data": {**GOOD_RECORD, "asked": "1"}}, "quiz record 'asked' must be a whole number"),
    ({"data": {**GOOD_RECORD, "right": 5}}, "quiz record: right, close and wrong do not add up to asked"),
    ({"data": {**GOOD_RECORD, "mode": "\x1b[31mexam"}}, "quiz record 'selection' must be one of"),
    ({"data": {**GOOD_RECORD, "ended": "yesterday"}}, "quiz record 'ended' is not an ISO time"),
    ({"data": {**GOOD_RECORD, "started": "2026-03-02T12:00:00"}}, "quiz record 'started' has no time zone"),
    ({"data": {**GOOD_RECORD, "decks": [1]}}, "quiz record 'decks' or 'by_deck' holds something"),
    ({"data": {**GOOD_RECORD, "finished": "yes"}}, "quiz record 'finished' has the wrong type"),
    ({"data": {k: v for k, v in GOOD_RECORD.items() if k != "by_deck"}}, "quiz record without 'by_deck'"),
    ({"data": {**GOOD_RECORD, "quiz": "q2"}}, "a quiz record's 'quiz' must be its 'event_id'"),
]

# An answer line changed so → what the one line says.
BAD_ANSWERS = [
    ({"kind": "cram"}, "'kind' must be one of study, quiz, not 'cram'"),
    ({"reschedules": "no"}, "'reschedules' must be true or false, not 'no'"),
    ({"reschedules": 0}, "'reschedules' must be true or false, not 0"),
]

ANSWER = {"review_id": "r1", "deck": "demo", "card": "capital", "reviewed_at": "2026-03-02T12:00:00.000000+00:00",
          "rating": 3, "verdict": "correct", "response": "Bamako", "duration_ms": 1000, "session": "q1",
          "phase": "new", "next_due": "2026-03-02T12:10:00.000000+00:00", "kind": "quiz", "reschedules": False}


@pytest.fixture
def home(quizzer_home, monkeypatch):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("QUIZZER_NOW", "2026-03-02T13:00:00+00:00")
    return quizzer_home


def one_line_exit_2(result, message):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in result.output and "\x1b" not in result.output


@pytest.mark.parametrize("args, message", BAD_ARGUMENTS)
def test_a_bad_argument_is_one_line_and_exit_2_and_nothing_is_saved(home, args, message):
    result = CliRunner().invoke(app, args, input="Bamako\n")
    one_line_exit_2(result, message)
    if (home / "quizzer.db").exists():
        db = sqlite3.connect(home / "quizzer.db")
        assert db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)


def event_line(change):
    return json.dumps({"event": "quiz", "event_id": "q1", "deck": "", "card": "", "at": GOOD_RECORD["ended"],
                       "target": None, "data": GOOD_RECORD, **change})


@pytest.mark.parametrize("change, message", BAD_RECORDS)
def test_a_bad_quiz_record_in_a_progress_file_is_one_line_naming_it(home, tmp_path, change, message):
    progress = tmp_path / "progress.jsonl"
    progress.write_text(json.dumps(ANSWER) + "\n" + event_line(change) + "\n", encoding="utf-8")
    one_line_exit_2(CliRunner().invoke(app, ["progress", "import", str(progress)]), f"progress.jsonl:2: {message}")
    assert json.loads(CliRunner().invoke(app, ["scores", "--json"]).stdout)["quizzes"] == []


@pytest.mark.parametrize("change, message", BAD_ANSWERS)
def test_a_bad_answer_kind_in_a_progress_file_is_one_line_naming_it(home, tmp_path, change, message):
    progress = tmp_path / "progress.jsonl"
    progress.write_text(json.dumps({**ANSWER, **change}) + "\n", encoding="utf-8")
    one_line_exit_2(CliRunner().invoke(app, ["progress", "import", str(progress)]), f"progress.jsonl:1: {message}")


def test_a_good_record_imports_and_shows(home, tmp_path):
    progress = tmp_path / "progress.jsonl"
    progress.write_text(json.dumps(ANSWER) + "\n" + event_line({}) + "\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["progress", "import", str(progress)]).exit_code == 0
    assert json.loads(CliRunner().invoke(app, ["scores", "--json"]).stdout)["quizzes"][0]["quiz"] == "q1"


# Text in a deck field → what the quiz shows of it instead (escapes and control characters dropped,
# bidi controls named, markup as typed).
HOSTILE_TEXT = [
    ("\x1b[2J\x1b[31mred", "red"),
    ("a\x07b", "ab"),
    ("\u202eevil", "<U+202E>evil"),
    ("[bold]not bold[/bold]", "[bold]not bold[/bold]"),
]


@pytest.mark.parametrize("field", ["question", "answer", "explain"])
@pytest.mark.parametrize("text, shown", HOSTILE_TEXT)
def test_deck_text_reaches_the_quiz_screens_only_through_the_display_function(home, field, text, shown):
    card = {"id": "c", "type": "typed", "question": "Q?", "answer": "A", "explain": "E", field: text}
    (home / "decks" / "demo.yaml").write_text(json.dumps({"id": "demo", "title": "Demo", "cards": [card]}),
                                              encoding="utf-8")
    result = CliRunner().invoke(app, ["quiz", "demo", "--plain", "--exam"], input="wrong answer\n")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\u202e" not in result.output
    mistake = result.output.splitlines()[-1]
    assert mistake.startswith("wrong: demo/c · ") and shown in mistake
