"""Hostile YAML decks: scalars YAML resolves to something they are not, and a broken deck among good ones.

Add a case as one line in the matching table.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.decks import Problem, check_deck
from quizzer.library import deck_id_problem



def deck_with(key: str, value: str) -> str:
    """A one-card deck whose last line is `key: value`."""
    others = [f"    {k}: {v}" for k, v in (("id", "c"), ("answer", "A")) if k != key]
    return "\n".join(["id: d", "title: T", "cards:", "  - question: Q", *others, f"    {key}: {value}", ""])


def last_line(text: str) -> int:
    return text.count("\n")

# (key, value as written in the deck, what the one-line problem says)
BAD_SCALARS = [
    ("answer", "2012-02-30", "'2012-02-30' is not a valid date"),
    ("answer", "2012-13-45", "'2012-13-45' is not a valid date"),
    ("answer", "!!int abc", "'abc' is not a valid integer"),
    ("answer", "!!float abc", "'abc' is not a valid number"),
    ("answer", "!!timestamp xyz", "'xyz' is not a valid date"),
    ("answer", "!!bool maybe", "'maybe' is not a valid true/false value"),
    ("answer", '!!int ""', "'' is not a valid integer"),
    ("answer", "!!int 0x", "'0x' is not a valid integer"),
    ("answer", "!!int 0b102", "'0b102' is not a valid integer"),
    ("answer", "9" * 4400, f"'{'9' * 40}…' is not a valid integer"),
    ("answer", "!!int " + "x" * 40, f"'{'x' * 40}' is not a valid integer"),  # 40 characters are shown whole
    ("answer", "!!int " + "x" * 41, f"'{'x' * 40}…' is not a valid integer"),
    ("answer", "2012-03-22", "answer must be text, not date; put it in quotes"),
    ("answer", "yes", "answer must be text, not bool; put it in quotes"),
    ("id", "2012-02-30", "the card id: '2012-02-30' is not a valid date"),
    ("explain", "!!int 0o9", "explain: '0o9' is not a valid integer"),
    ("tags", "[a, !!float x]", "an item of tags: 'x' is not a valid number"),
]

# Numbers in a text field are kept as written: YAML 1.1 would read `010` as 8 and `1:30` as 90.
AS_WRITTEN = ["010", "1:30", "1_000", ".nan", "-.inf", "0x1F", "1.50", "9" * 4000]


@pytest.mark.parametrize(("key", "value", "message"), BAD_SCALARS, ids=lambda v: str(v)[:20])
def test_a_bad_scalar_is_one_problem_naming_its_line(write_deck, key, value, message):
    text = deck_with(key, value)
    deck, problems = check_deck(write_deck(text))
    assert deck is None
    assert [(p.line, message in p.message) for p in problems] == [(last_line(text), True)], problems


@pytest.mark.parametrize("value", ["!!bool maybe", "2012-02-30", "!!int x"])
@pytest.mark.parametrize("key", ["answer", "ordered"])
def test_a_bad_scalar_where_true_or_false_is_expected_is_reported_once(write_deck, key, value):
    text = (f"id: d\ntitle: T\ncards:\n  - id: c\n    type: {'truefalse' if key == 'answer' else 'typed'}\n"
            f"    question: Q\n    {'answer: A' + chr(10) + '    ' if key == 'ordered' else ''}{key}: {value}\n")
    deck, problems = check_deck(write_deck(text))
    assert deck is None and len(problems) == 1 and "is not a valid" in problems[0].message
    assert problems[0].message.startswith(f"card 'c': {key}: '"), problems  # the key at fault named


@pytest.mark.parametrize("value", AS_WRITTEN, ids=lambda v: v[:10])
def test_a_number_in_a_text_field_is_kept_as_written(write_deck, value):
    deck, problems = check_deck(write_deck(deck_with("answer", value)))
    assert problems == [] and deck.cards[0].answer == value


def test_validate_prints_one_line_and_exits_2(write_deck):
    path = write_deck(deck_with("answer", "!!int abc"))
    result = CliRunner().invoke(app, ["decks", "validate", str(path)])
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert result.output == f"{path}:6: card 'c': answer: 'abc' is not a valid integer; put it in quotes to keep it as text\n"


# Every command that reads the library, with one deck broken after it was installed.
LIBRARY_COMMANDS = [
    (["decks"], 0), (["decks", "--json"], 0), (["decks", "show", "good"], 0), (["stats"], 0), (["cards"], 0),
    (["doctor"], 0), (["study", "good", "--seed", "1"], 0), (["decks", "export", "good"], 0),
    (["decks", "show", "broken"], 2),
]
GOOD = "id: good\ntitle: Good\ncards:\n  - id: c\n    question: Q\n    answer: A\n"
BROKEN = "id: broken\ntitle: Broken\ncards:\n  - id: c\n    question: Q\n    answer: {value}\n"


@pytest.fixture(params=["linked", "in the decks folder"])
def broken_library(request, quizzer_home, tmp_path):
    """A library of a good deck and one installed cleanly, then edited into a bad scalar."""
    runner = CliRunner()
    good, broken = tmp_path / "good.yaml", tmp_path / "broken.yaml"
    good.write_text(GOOD)
    broken.write_text(BROKEN.format(value="A"))
    link = ["--link"] if request.param == "linked" else []
    assert runner.invoke(app, ["decks", "add", str(good), str(broken), *link]).exit_code == 0
    installed = broken.resolve() if link else quizzer_home / "decks" / "broken.yaml"
    installed.write_text(BROKEN.format(value="!!int 0x"))
    return installed


@pytest.mark.parametrize(("command", "status"), LIBRARY_COMMANDS, ids=lambda c: " ".join(c) if isinstance(c, list) else "")
def test_a_broken_deck_is_skipped_with_one_warning_and_the_rest_works(broken_library, command, status):
    result = CliRunner().invoke(app, command, input="A\n")
    assert result.exit_code == status and not isinstance(result.exception, Exception), result.output
    warning = f"quizzer: {broken_library}:6: card 'c': answer: '0x' is not a valid integer; put it in quotes to keep it as " \
              "text (deck skipped)"
    assert result.stderr.splitlines()[0] == warning
    if command == ["decks", "--json"]:
        assert [row["id"] for row in json.loads(result.stdout) if not row["builtin"]] == ["good"]


def test_a_deck_with_many_problems_costs_one_line_of_warning(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    broken = quizzer_home / "decks" / "broken.yaml"
    # 50 more cards, each with 4 problems: the unknown key, no question, no answer, the id of the first card
    broken.write_text(BROKEN.format(value="!!int 0x") + "".join(f"  - id: c\n    anwser: {n}\n" for n in range(50)))
    result = CliRunner().invoke(app, ["decks", "--json"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"quizzer: {broken}:6: card 'c': answer: '0x' is not a valid integer; put it in quotes to keep it as text "
        f"(deck skipped; 200 more: `quizzer decks validate {broken}`)"]


TAGS = st.sampled_from(["", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!null ", "!!str ", "!!binary ",
                        "!!set ", "!!omap ", "!!merge ", "!!value ", "!foo ", "!<tag:yaml.org,2002:int> "])
SCALARS = st.sampled_from(["abc", '""', "0x", "0b102", "1e999", "1.0e+999", ".nan", "-.inf", "2012-02-30",
                           "2001-12-14 99:99:99", "2012-01-01T00:00:00+99:00", "9" * 4400, "1:2:3", "0o", "~",
                           "yes", "[1]", "{a: 1}", "@@", "190:20:30", "1_", "0x_", "-0b", "true"])
KEYS = st.sampled_from(["id", "question", "answer", "explain", "ref", "tags", "accept", "ordered", "distractors",
                        "items", "text", "type"])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=KEYS, tag=TAGS, value=SCALARS, kind=st.sampled_from(["flash", "typed", "choice", "truefalse", "order"]))
def test_any_tagged_scalar_anywhere_is_a_deck_or_problems_naming_the_file(tmp_path_factory, key, tag, value, kind):
    text = f"id: d\ntitle: T\ncards:\n  - type: {kind}\n    question: Q\n    {key}: {tag}{value}\n"
    path = tmp_path_factory.mktemp("fuzz") / "deck.yaml"
    path.write_text(text)
    deck, problems = check_deck(path)  # never raises
    assert deck is not None or any(not p.warning and p.path == str(path) for p in problems)


# Broken YAML: (deck text, the line named, the one problem's whole message: PyYAML's words, then a hint).
CARD = "id: d\ntitle: T\ncards:\n  - id: a\n"
INDENT = "; check the indentation of the lines above"
SYNTAX_ERRORS = [
    (CARD + "    question: Q\n     answer: A\n", 6, "mapping values are not allowed in this context" + INDENT),
    (CARD + "    question: Q\n   answer: A\n", 6, "did not find expected '-' indicator" + INDENT),
    (CARD + "    question: Q\n    answer: A\n - id: b\n", 7, "did not find expected key" + INDENT),
    (CARD + "    question: Q\n    answer: A\n    - x\n", 7, "did not find expected key" + INDENT),
    (CARD + "    question: Who: the army?\n", 5,
     "mapping values are not allowed in this context; a text holding ': ' needs quotes around it"),
    (CARD + "\tquestion: Q\n", 5, "found a tab character that violates indentation; indent with spaces, not tabs"),
    ("id: d\ntitle: 'T\ncards:\n", 4, "found unexpected end of stream; the quote opened on line 2 is not closed"),
    ("id: d\ntitle: T\ntags: [a, b\ncards:\n", 4,
     "did not find expected ',' or ']'; the bracket opened on line 3 is not closed"),
    ("id: d\ntitle: *T\n", 2, "found undefined alias; a text starting with * needs quotes around it"),
    ("id: d\ntitle: @T\n", 2,
     "found character that cannot start any token; a text starting with @, ` or % needs quotes around it"),
    ("id: d\ntitle: !x!y T\n", 2, "found undefined tag handle"),  # no hint, so nothing after PyYAML's words
    # The reader's error has no line, and its message's second line (the position) is left out.
    ("id: d\ntitle: T\x07\n", 0, "unacceptable character #x0007: control characters are not allowed"),
]


@pytest.mark.parametrize(("text", "line", "message"), SYNTAX_ERRORS, ids=lambda v: str(v)[:30])
def test_a_yaml_syntax_error_is_one_problem_with_a_hint(write_deck, text, line, message):
    path = write_deck(text)
    deck, problems = check_deck(path)
    assert deck is None and problems == [Problem(str(path), line, "YAML syntax error: " + message)], problems


def test_every_card_problem_of_a_deck_is_listed_in_one_run(write_deck):
    text = CARD + ("    type: typo\n    anwser: A\n    explain: [x]\n"  # a card with an unknown type: its other
                   "  - id: a\n    question: Q\n    answer: B\n"        # keys are still checked; its id still counts
                   "  - id: b\n    question: Q\n")
    deck, problems = check_deck(write_deck(text))
    assert deck is None
    assert [str(p).split(":", 1)[1] for p in problems] == [
        "5: card 'a': unknown card type 'typo' (one of flash, typed, choice, truefalse, cloze, order); "
        "did you mean 'typed'?",
        "6: card 'a': unknown key 'anwser'; did you mean 'answer'?",
        "7: card 'a': explain must be a single value, not a list or mapping",
        "8: duplicate card id 'a' (first used on line 4)",
        "11: card 'b': a flash card needs 'answer'",
    ]


# Ids end where the text ends: `$` in a pattern also matched before a final newline, so `decks import
# --id "d<newline>"` named a file with a newline in it.
@pytest.mark.parametrize("deck_id", ["d\n", "a--b", "-ab", "ab-"])
def test_a_deck_id_with_a_final_newline_or_stray_hyphens_is_refused(deck_id):
    assert "is not a valid deck id" in deck_id_problem(deck_id)


@pytest.mark.parametrize(("deck_id", "message"), [
    ("a--b", "deck id 'a--b' may use only"),
    ("-ab", "deck id '-ab' may use only"),
])
def test_a_deck_file_with_stray_hyphens_in_its_id_is_refused(write_deck, deck_id, message):
    deck, problems = check_deck(write_deck(f"id: {deck_id}\ntitle: T\ncards:\n  - id: c\n"
                                           "    question: Q\n    answer: A\n"))
    assert deck is None and any(message in p.message for p in problems), problems
