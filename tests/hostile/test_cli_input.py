"""Odd values on the command line, in config.toml and typed at the prompts: one line naming what is
wrong, exit status 2, no traceback, nothing saved lost (issue 10 #12, #14, #20).

Each table takes one line per case.
"""

import os
import sqlite3
import sys

import pexpect
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
"""

# config.toml content → what the one-line error says (after "config.toml: ").
BAD_CONFIG = [
    ("reviews_per_day = 1e400", "'reviews_per_day' must be a whole number of cards from 0 to 1,000,000, not inf"),
    ("reviews_per_day = nan", "'reviews_per_day' must be a whole number of cards from 0 to 1,000,000, not nan"),
    ("reviews_per_day = 20.5", "'reviews_per_day' must be a whole number of cards from 0 to 1,000,000, not 20.5"),
    ("reviews_per_day = 9223372036854775807", "'reviews_per_day' must be a whole number of cards from 0 to 1,000,000"),
    ("new_per_day = -1", "'new_per_day' must be a whole number of cards from 0 to 100,000, not -1"),
    ("new_per_day = true", "'new_per_day' must be a whole number of cards from 0 to 100,000, not True"),
    ("new_per_day = [1]", "'new_per_day' must be a whole number of cards from 0 to 100,000, not [1]"),
    ("new_per_day = 1979-05-27", "'new_per_day' must be a whole number of cards from 0 to 100,000"),
    ("day_starts_at = 4.5", "'day_starts_at' must be a whole hour from 0 to 23, not 4.5"),
    ("day_starts_at = 24", "'day_starts_at' must be a whole hour from 0 to 23, not 24"),
    ("desired_retention = 1e400", "'desired_retention' must be a number between 0 and 1 (like 0.9), not inf"),
    ("desired_retention = nan", "'desired_retention' must be a number between 0 and 1 (like 0.9), not nan"),
    ("desired_retention = 1", "'desired_retention' must be a number between 0 and 1 (like 0.9), not 1"),
    ("desired_retention = '0.9'", "'desired_retention' must be a number between 0 and 1 (like 0.9), not '0.9'"),
    ("x = " + "[" * 5000 + "]" * 5000, "values nested too deeply"),
    ("new_per_day = '" + "x" * 1000 + "'", "not '" + "x" * 39 + "…"),
    ("# " + "x" * (1024 * 1024), "the settings file is over 1 MB"),
]

# Commands that read the settings: one bad value must not crash any of them.
COMMANDS = [["study", "demo"], ["stats"], ["cards"], ["card", "demo/capital"], ["history", "--since", "2026-03-02"],
            ["doctor", "--fix"]]

# --since values → the one-line error.
BAD_SINCE = [
    ("0001-01-01", "--since: 0001-01-01 is before 1970-01-01"),
    ("1969-12-31", "--since: 1969-12-31 is before 1970-01-01"),
    ("2026-02-30", "--since: '2026-02-30' is not a date like 2026-03-02"),
    ("9999-99-99", "--since: '9999-99-99' is not a date like 2026-03-02"),
    ("\x1b[2J2026", "--since: '2026' is not a date like 2026-03-02"),
]

# Bytes typed as an answer → the response saved (bytes that are not UTF-8 become U+FFFD).
TYPED_BYTES = [
    (b"\xff\xfe\x80abc", "\ufffd\ufffd\ufffdabc"),
    (b"Bam\xc3ako", "Bam\ufffdako"),
    (b"\xed\xa0\x80", "\ufffd\ufffd\ufffd"),  # an encoded lone surrogate
    ("Bamakó".encode(), "Bamakó"),
]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("content, message", BAD_CONFIG, ids=[c[:40] for c, _ in BAD_CONFIG])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_bad_setting_is_one_line_naming_the_file_and_key(runner, home, content, message, command):
    config = home / "config.toml"
    config.write_text(content + "\n", encoding="utf-8")
    line = one_line_error(runner.invoke(app, command, input=""))
    assert line.startswith(f"quizzer: {config}: ") and message in line


def test_settings_are_read_with_a_bound_whatever_size_the_file_reports(runner, home):
    (home / "config.toml").symlink_to("/dev/zero")
    line = one_line_error(runner.invoke(app, ["stats"]))
    assert "the settings file is over 1 MB" in line


@pytest.mark.parametrize("since, message", BAD_SINCE, ids=[s for s, _ in BAD_SINCE])
@pytest.mark.parametrize("extra", [[], ["--reviews"], ["--reviews", "--json"]], ids=" ".join)
def test_history_since_a_date_out_of_range_is_one_line(runner, home, since, message, extra):
    line = one_line_error(runner.invoke(app, ["history", "--since", since, *extra]))
    assert line == f"quizzer: {message}" or line.startswith(f"quizzer: {message};")


def saved_responses(home) -> list[str]:
    return [r for (r,) in sqlite3.connect(home / "quizzer.db").execute("SELECT response FROM reviews")]


@pytest.mark.parametrize("typed, saved", TYPED_BYTES, ids=[repr(t) for t, _ in TYPED_BYTES])
def test_bytes_typed_in_plain_mode_are_saved_and_the_session_goes_on(runner, home, typed, saved):
    result = runner.invoke(app, ["study", "demo", "--plain"], input=typed + b"\nq\n")
    assert result.exit_code == 0, result.output
    assert "Cards studied: 1" in result.output
    assert saved_responses(home) == [saved]


@pytest.mark.parametrize("typed, saved", TYPED_BYTES[:2], ids=[repr(t) for t, _ in TYPED_BYTES[:2]])
def test_bytes_typed_in_a_real_terminal_are_saved_and_the_session_goes_on(home, typed, saved):
    # At a fixed noon: run in the minute before 04:00, the card's next step fell in the next study day.
    env = {**os.environ, "QUIZZER_HOME": str(home), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1",
           "QUIZZER_NOW": "2026-03-02T12:00:00+00:00"}
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "study", "demo"], env=env, dimensions=(24, 80), timeout=20)
    child.expect("Capital of Mali")
    child.expect("Answer:")
    child.send(typed + b"\r")
    child.expect("Enter keep")
    child.send("\r")
    child.expect("Answer:")  # the card again, a minute later in its learning steps
    child.send("\x03")  # Ctrl-C ends the session
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert saved_responses(home) == [saved]
