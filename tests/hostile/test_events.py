"""Hostile events in progress files (undo, suspend, bury, accept lines), and hostile command lines in plain study.

Add a case as one line of the matching table.
"""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from hostile.demo import ANSWER, DECK
from quizzer import controls
from quizzer.cli import app

VOID = {"event": "void", "event_id": "e1", "deck": "demo", "card": "leader",
        "at": "2026-03-02T12:01:00.000000+00:00", "target": "r1", "data": {}}
ACCEPT = {"event": "accept", "target": None, "data": {"response": "Captain Sanogo"}}  # over VOID: its other keys
QUIZ = {"event": "quiz", "event_id": "q1", "deck": "", "card": "", "at": "2026-03-02T12:05:00.000000+00:00",
        "target": None, "data": {
            "quiz": "q1", "started": "2026-03-02T12:00:00+00:00", "ended": "2026-03-02T12:05:00+00:00",
            "decks": ["demo"], "tag": None, "selection": "random", "mode": "practice", "reschedule": True,
            "requested": 1, "asked": 1, "right": 1, "close": 0, "wrong": 0, "score": 1.0, "finished": True,
            "by_deck": {"demo": {"asked": 1, "right": 1, "close": 0, "wrong": 0}}}}


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def quizzer(*args, input=""):
    return CliRunner().invoke(app, list(args), input=input)


def count(home, table):
    db = sqlite3.connect(home / "quizzer.db")
    try:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


@pytest.mark.parametrize("changes, message", [
    ({"event": "explode"}, "'event' must be one of void, suspend, unsuspend, bury, leech, quiz, accept, unaccept, not 'explode'"),
    ({"event": None}, "'event' must be one of void"),
    ({"event_id": ""}, "'event_id' must be non-empty text, not ''"),
    ({"target": None}, "'target' must be non-empty text, not None"),
    ({"event": "suspend"}, "'target' is only for a void, not 'suspend'"),
    ({"at": "yesterday"}, "'at' must be a date and time like"),
    ({"at": "1969-12-31T00:00:00+00:00"}, "'at' '1969-12-31T00:00:00+00:00' is not between 1970-01-01"),
    ({"data": [1]}, "'data' must be a JSON object, not [1]"),
    ({"event": "bury", "target": None, "data": {}}, "missing 'until'"),
    ({"event": "bury", "target": None, "data": {"until": "soon"}}, "'until' must be a date and time like"),
    ({"deck": 7}, "'deck' must be non-empty text, not 7"),
    ({**ACCEPT, "data": {}}, "an accept's 'data' must be {\"response\": TEXT}, not {}"),
    ({**ACCEPT, "event": "unaccept", "data": {"answer": "x"}}, "an unaccept's 'data' must be {\"response\": TEXT}"),
    ({**ACCEPT, "data": {"response": "x", "why": "y" * 5000}},
     "an accept's 'data' must be {\"response\": TEXT}, not {'response': 'x', 'why': 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...; nothing"),
    ({**ACCEPT, "data": {"response": 7}}, "'response' must be non-empty text, not 7"),
    ({**ACCEPT, "data": {"response": ["Sanogo"]}}, "'response' must be non-empty text, not ['Sanogo']"),
    ({**ACCEPT, "event": "unaccept", "data": {"response": ""}}, "'response' must be non-empty text, not ''"),
    ({**ACCEPT, "data": {"response": "\ud800"}}, "'response' holds '\\ud800', a lone surrogate that is not text"),
    ({**ACCEPT, "data": {"response": "x" * 2_000_000}}, "the line is longer than 1,048,576 characters"),
    ({**ACCEPT, "target": "r1"}, "'target' is only for a void, not 'accept'"),
    ({**ACCEPT, "card": ""}, "'card' must be non-empty text, not ''"),
    ({**QUIZ, "deck": "demo"}, "a quiz record's 'deck' and 'card' must be \"\" (it belongs to no card)"),
    ({**QUIZ, "data": {**QUIZ["data"], "requested": "1"}}, "quiz record 'requested' has the wrong type (str)"),
    ({**QUIZ, "event_id": "q2"}, "a quiz record's 'quiz' must be its 'event_id'"),
])
def test_a_bad_event_line_names_file_and_line_and_saves_nothing(home, tmp_path, changes, message):
    source = tmp_path / "progress.jsonl"
    source.write_text(json.dumps(ANSWER) + "\n" + json.dumps({**VOID, **changes}) + "\n", encoding="utf-8")
    result = quizzer("progress", "import", str(source))
    assert result.exit_code == 2
    assert result.output.startswith(f"quizzer: {source}:2: {message}"), result.output  # the message whole, from its start
    assert len(result.output.strip().splitlines()) == 1
    assert count(home, "reviews") == 0 and count(home, "events") == 0


NO_DATA = {key: value for key, value in VOID.items() if key != "data"}
BURY = {**VOID, "event": "bury", "target": None}
GOOD_EVENTS = [
    # (an event line that is unusual but valid, its `data` as saved, the card's `buried_until` then)
    (NO_DATA, "{}", None),  # no 'data': an empty object
    ({**BURY, "data": {"until": "2026-03-03T09:00:00+05:00"}}, '{"until": "2026-03-03T09:00:00+05:00"}',
     "2026-03-03T04:00:00.000000+00:00"),
    (QUIZ, json.dumps(QUIZ["data"], sort_keys=True), None),  # a quiz's record: no card, its data kept whole
]


@pytest.mark.parametrize("event, data, buried", GOOD_EVENTS, ids=range(len(GOOD_EVENTS)))
def test_an_unusual_but_valid_event_line_is_imported_as_it_is(home, tmp_path, event, data, buried):
    source = tmp_path / "progress.jsonl"
    source.write_text(json.dumps(ANSWER) + "\n" + json.dumps(event) + "\n", encoding="utf-8")
    result = quizzer("progress", "import", str(source))
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(home / "quizzer.db")
    try:
        assert db.execute("SELECT data FROM events").fetchall() == [(data,)]
        assert db.execute("SELECT buried_until FROM card_flags").fetchall() == ([(buried,)] if buried else [])
    finally:
        db.close()


def test_an_event_id_seen_with_other_contents_is_a_conflict_and_the_first_is_kept(home, tmp_path):
    source = tmp_path / "progress.jsonl"
    other = {**VOID, "at": "2026-03-02T12:02:00.000000+00:00"}
    source.write_text("\n".join(json.dumps(x) for x in (ANSWER, VOID, other)) + "\n", encoding="utf-8")
    result = quizzer("progress", "import", str(source))
    assert result.exit_code == 0
    assert f"1 events conflict: the event id of one already here or earlier in the file, with other contents " \
           f"(first at {source}:3)" in result.output
    assert count(home, "events") == 1


@pytest.mark.parametrize("typed, saved", [
    ("::undo", ":undo"),  # a leading :: is one literal colon
    (":::", "::"),
    ("  ::x  ", ":x"),
    ("x:undo", "x:undo"),  # a colon further in is just text
])
def test_escaped_colons_are_answers(home, typed, saved):
    quizzer("study", "demo", input=f"{typed}\n")
    answers = json.loads(quizzer("history", "--reviews", "--json").output)
    assert [a["response"] for a in answers] == [saved]


@pytest.mark.parametrize("typed", [":", ":UNDOX", ":\x1b[31mred", ":undo now"])
def test_an_unknown_command_is_named_safely_and_the_prompt_asked_again(home, typed):
    result = quizzer("study", "demo", input=f"{typed}\nsanogo\n")
    assert "\x1b" not in result.output
    assert any(line.startswith("unknown command :") and line.endswith(controls.USAGE)
               for line in result.output.splitlines())
    answers = json.loads(quizzer("history", "--reviews", "--json").output)
    assert [a["response"] for a in answers] == ["sanogo"]
