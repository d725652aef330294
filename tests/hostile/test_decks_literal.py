"""Hostile decks and input: fuzzed deck files, a 1 MB answer line, markup and escape sequences shown literally."""

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.decks import ALL_CARD_KEYS, DECK_KEYS, DeckError, check_deck, load_deck
from quizzer.formats import convert
from quizzer.formats.table import OPTIONAL, REQUIRED

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def loads_or_reports(data: bytes) -> None:
    """The deck loader's whole contract: a deck, or DeckError listing problems that name the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.yaml"
        path.write_bytes(data)
        deck, problems = check_deck(path)
        assert all(p.path == str(path) for p in problems)
        try:
            loaded = load_deck(path)
        except DeckError as exc:
            assert deck is None and exc.problems and all(not p.warning for p in exc.problems)
        else:
            assert loaded == deck is not None


YAML_PIECES = st.sampled_from([
    "id: x\n", "title: T\n", "cards:\n", "  - ", "question: ", "answer: ", "type: ", "cloze", "order", "choice",
    "typed", "truefalse", "text: ", "items: ", "distractors: ", "accept: ", "[", "]", "{", "}", "{{", "}}", "|",
    ">", "&a ", "*a", "<<: *a\n", "!!python/object/apply:os.system ['echo x']", "!!binary aGk=", "? ", ": ",
    "- ", "\n", "    ", "\t", "'", '"', "\\", "#", "---\n", "...\n", "%YAML 1.1\n", "~", "null", "true", "1e999",
    "0x1F", "2012-03-22", "\x1b[31m", "[bold]", "\ufeff", "é", "\x00", "\u2028", "*" * 3,
])


@FUZZ
@given(st.lists(YAML_PIECES, max_size=40).map("".join))
def test_yaml_made_of_deck_like_pieces_never_breaks_the_loader(text):
    loads_or_reports(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_break_the_loader(data):
    loads_or_reports(data)


SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=4), max_leaves=12)
CARDS = st.lists(st.dictionaries(st.sampled_from(ALL_CARD_KEYS + ("anwser", "")), VALUES, max_size=6), max_size=4)
DECKS = st.fixed_dictionaries({}, optional={key: VALUES for key in DECK_KEYS}).flatmap(
    lambda deck: st.fixed_dictionaries({**{k: st.just(v) for k, v in deck.items()}, "cards": CARDS})
)


@FUZZ
@given(DECKS)
def test_decks_with_the_right_keys_and_wrong_values_never_break_the_loader(deck):
    loads_or_reports(yaml.safe_dump(deck, allow_unicode=True).encode())


CSV_PIECES = st.sampled_from([
    *REQUIRED, *OPTIONAL, "anwser", "typed", "choice", "cloze", "order", "truefalse", "flash", "true", "{{x}}", "{{",
    ",", ";", "\t", "|", '"', '""', "\n", "\r\n", "\r", " ", "a", "Bamako", "2012", "\ufeff", "\x00", "\x1b[2J",
    "é", "#", "=cmd()", "-", "1e999",
])


HEADERS = st.sampled_from(["", "question,answer\n", "id,type,question,answer,distractors,accept\n",
                           "question\tanswer\ttags\tordered\n", "type;question;answer;explain\n"])


@FUZZ
@given(st.tuples(HEADERS, st.lists(CSV_PIECES, max_size=60).map("".join)).map("".join))
def test_spreadsheets_made_of_deck_like_pieces_never_break_the_csv_importer(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.csv"
        path.write_text(text, encoding="utf-8", newline="")
        try:
            converted = convert(path)
        except DeckError as exc:
            assert exc.problems and all(p.path == str(path) for p in exc.problems)
        else:
            assert converted.decks and all(deck.cards for deck in converted.decks)


# -- the whole program with hostile text --------------------------------------------------------------------

HOSTILE = "[bold red]Bamako[/] \x1b[31mred\x1b[0m \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ [link=http://x]y[/link]"
SHOWN = "[bold red]Bamako[/] red link [link=http://x]y[/link]"  # what must appear: markup as typed, no escapes

DECK = {
    "id": "hostile", "title": f"Title {HOSTILE}", "description": HOSTILE,
    "cards": [
        {"id": "capital", "type": "typed", "question": f"Capital? {HOSTILE}", "answer": "Bamako",
         "explain": f"Because {HOSTILE}"},
        {"id": "pick", "type": "choice", "question": "Pick", "answer": f"A {HOSTILE}", "distractors": ["B [i]x[/i]"]},
    ],
}


@pytest.fixture
def hostile_home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "hostile.yaml").write_text(yaml.safe_dump(DECK, allow_unicode=True), encoding="utf-8")
    return quizzer_home


def run(*args, input=None):
    # color=True: click strips escapes itself when output is not a terminal; a terminal would get them raw.
    return CliRunner().invoke(app, list(args), input=input, color=True, env={"COLUMNS": "500"})


def test_markup_and_escape_sequences_are_shown_literally_everywhere(hostile_home):
    study = run("study", "hostile", "--plain", "--seed", "1", input=f"{HOSTILE}\n1\nq\n")
    assert study.exit_code == 0, study.output
    assert f"Capital? {SHOWN}" in study.output and f"Because {SHOWN}" in study.output
    assert f"A {SHOWN}" in study.output and "B [i]x[/i]" in study.output
    screens = [study]
    for args in (["decks"], ["history"], ["history", "--reviews"], ["doctor"], ["stats"], ["cards", "hostile"],
                 ["card", "hostile/capital"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        screens.append(result)
    assert f"Title {SHOWN}" in screens[1].output
    assert SHOWN in screens[3].output  # the response as typed, in the answers table
    assert f"Capital? {SHOWN}" in screens[6].output and f"Capital? {SHOWN}" in screens[7].output
    for result in screens:
        assert "\x1b" not in result.output and "\x9b" not in result.output
    saved = sqlite3.connect(hostile_home / "quizzer.db").execute("SELECT response FROM reviews").fetchall()
    assert saved[0] == (HOSTILE,)  # kept exactly as typed; only the display is made safe


def test_escape_sequences_in_deck_problems_and_imported_ids_are_not_sent_to_the_terminal(hostile_home, tmp_path):
    broken = hostile_home / "decks" / "broken.yaml"
    broken.write_text('id: broken\ntitle: B\ncards:\n  - question: Q\n    answer: A\n    "\\e[2Jwipe": 1\n')
    listing = run("decks")
    assert "unknown key 'wipe'" in listing.output and "\x1b" not in listing.output
    review = {"review_id": "r1", "deck": "gone\x1b[2J", "card": "c\x1b]0;title\x07", "reviewed_at":
              "2026-03-02T12:00:00+00:00", "rating": 3, "verdict": "correct", "response": "x", "duration_ms": 5,
              "session": None, "phase": "new", "next_due": "2026-03-02T12:10:00+00:00"}
    (tmp_path / "in.jsonl").write_text(json.dumps(review) + "\n")
    assert run("progress", "import", str(tmp_path / "in.jsonl")).exit_code == 0
    for args in (["doctor"], ["history"], ["history", "--reviews"]):
        result = run(*args)
        assert "\x1b" not in result.output and "\x07" not in result.output, args


@pytest.mark.parametrize("line", [
    "x" * 1_048_576,
    "Sanogo, " * 131_072,
    "2012 " * 209_715,
    "[bold]" * 174_762,
], ids=["letters", "a list", "numbers", "markup"])
def test_a_1_mb_answer_line_in_plain_mode_is_judged_and_saved(hostile_home, line):
    result = run("study", "hostile", "--plain", "--seed", "1", input=f"{line}\nq\n")
    assert result.exit_code == 0, result.output[-500:]
    verdicts = [row for row in result.output.splitlines() if " · back in " in row]
    assert len(verdicts) == 1 and verdicts[0].startswith("wrong")
    saved = sqlite3.connect(hostile_home / "quizzer.db").execute("SELECT length(response) FROM reviews").fetchall()
    assert saved == [(len(line),)]
