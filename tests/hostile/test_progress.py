"""Hostile progress files for `quizzer progress import`, and hostile rows already in the database.

Add a case as one line of the matching table.
"""

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from hostile.demo import ANSWER, DECK
from quizzer.cli import app


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def quizzer(*args):
    return CliRunner().invoke(app, list(args))


def from_now(**span) -> str:
    """A time `span` from now: the import's window moves with the clock (a day of slack, 100 years ahead)."""
    return (datetime.now(timezone.utc) + timedelta(**span)).isoformat()


def line(**changes) -> str:
    return json.dumps({**ANSWER, **changes})  # ensure_ascii: a lone surrogate is written as the escape \ud800


def rows(home, sql):
    db = sqlite3.connect(home / "quizzer.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


# -- a bad value: one line naming FILE:LINE and the value, exit 2, nothing saved ------------------------

BAD_LINES = [
    # (the bad line, what the message says)
    (line(reviewed_at="9999-12-31T23:00:00-05:00"), "'reviewed_at' '9999-12-31T23:00:00-05:00' is not between 1970-01-01"),
    (line(reviewed_at="0001-01-01T00:00:00+05:00"), "'reviewed_at' '0001-01-01T00:00:00+05:00' is not between 1970-01-01"),
    (line(reviewed_at="0001-01-01T00:00:00+00:00"), "no answer is older than 1970 or given after tomorrow"),
    (line(reviewed_at="1969-12-31T23:59:59+00:00"), "'reviewed_at' '1969-12-31T23:59:59+00:00' is not between"),
    (line(reviewed_at="2999-01-01T00:00:00+00:00"), "'reviewed_at' '2999-01-01T00:00:00+00:00' is not between"),
    (line(reviewed_at=from_now(days=2)), "no answer is older than 1970 or given after tomorrow"),
    (line(next_due=from_now(days=36_500 + 2)), "no card is due before 1970 or more than 100 years from now"),
    (line(next_due="9999-12-31T23:00:00-05:00"), "'next_due' '9999-12-31T23:00:00-05:00' is not between 1970-01-01"),
    (line(next_due="0001-01-01T00:00:00+05:00"), "no card is due before 1970 or more than 100 years from now"),
    (line(next_due="2300-01-01T00:00:00+00:00"), "'next_due' '2300-01-01T00:00:00+00:00' is not between"),
    (line(duration_ms=2**63), f"'duration_ms' must be a whole number from 0 to 1000000000000, not {2**63}"),
    (line(duration_ms=10**30), f"'duration_ms' must be a whole number from 0 to 1000000000000, not {10**30}"),
    (line(duration_ms=-1), "'duration_ms' must be a whole number from 0 to 1000000000000, not -1"),
    (line(response="\ud800"), "'response' holds '\\ud800', a lone surrogate that is not text"),
    (line(response="ok \udfff"), "'response' holds '\\udfff', a lone surrogate that is not text"),
    (line(deck="\ud83d"), "'deck' holds '\\ud83d', a lone surrogate that is not text"),
    ("[" * 100_000, "not JSON (nested too deeply)"),
    ('{"a": ' * 100_000, "not JSON (nested too deeply)"),
    (line(response="x" * 1000, rating=0), "'rating' must be 1, 2, 3 or 4, not 0"),
    (line(card="c" * 10_000, verdict=[]), "'verdict' must be one of correct"),
    (line(reschedules="yes"), "'reschedules' must be true or false, not 'yes'"),
    (line(response=7), "'response' must be text, not 7"),  # an empty response is allowed: "text", not "non-empty"
    (line(reviewed_at="2026-03-02T12:00:00"), "'reviewed_at' must include a time zone (UTC offset), not '2026-03-02T12:00:00'"),
    (line(next_due="soon"), "'next_due' must be a date and time like 2026-03-02T12:00:00+00:00, not 'soon'"),
    (line(rating="x" * 58), "'rating' must be 1, 2, 3 or 4, not '" + "x" * 58 + "';"),  # 60 characters: shown whole
    (line(rating="x" * 59), "'rating' must be 1, 2, 3 or 4, not '" + "x" * 56 + "...;"),  # 61: cut to 57 and ...
]


@pytest.mark.parametrize("bad, message", BAD_LINES, ids=range(len(BAD_LINES)))
def test_a_bad_value_is_one_line_naming_the_file_line_and_value_and_nothing_is_saved(home, tmp_path, bad, message):
    source = tmp_path / "progress.jsonl"
    source.write_text(line(review_id="fine") + "\n" + bad + "\n", encoding="utf-8")
    result = quizzer("progress", "import", str(source))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"quizzer: {source}:2: ") and message in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert len(result.output) < 400  # a huge value is cut short
    assert rows(home, "SELECT COUNT(*) FROM reviews") == [(0,)] and rows(home, "SELECT COUNT(*) FROM cards") == [(0,)]


# -- the same review id with other contents: a conflict, counted, the first kept -------------------------

CONFLICTS = [
    # (lines already imported, lines of the file, conflicts reported, their first line, response kept for r1)
    ([line()], [line(response="Keita")], 1, 1, "Sanogo"),
    ([line()], [line(review_id="r2"), line(rating=1, verdict="wrong")], 1, 2, "Sanogo"),
    ([], [line(), line(response="Keita"), line(duration_ms=1)], 2, 2, "Sanogo"),
    ([], [line(response="Keita"), line()], 1, 2, "Keita"),
    ([line()], [line(next_due="2026-03-02T12:10:00+00:00")], 0, None, "Sanogo"),  # the same time, written otherwise
    ([], [line(), line()], 0, None, "Sanogo"),
    ([line()], [line()], 0, None, "Sanogo"),
    ([line()], [line(response="Keita"), line(response="Keita", rating=1)], 2, 1, "Sanogo"),  # each line once
]


def test_the_window_moves_with_the_clock_quizzer_now_names(home, tmp_path, monkeypatch):
    # Five years past the machine's clock an answer is "given after tomorrow", unless $QUIZZER_NOW is then.
    ahead = datetime.now(timezone.utc) + timedelta(days=5 * 365)
    file = tmp_path / "ahead.jsonl"
    file.write_text(line(reviewed_at=ahead.isoformat(), next_due=(ahead + timedelta(days=1)).isoformat()) + "\n",
                    encoding="utf-8")
    refused = quizzer("progress", "import", str(file))
    assert refused.exit_code == 2 and "given after tomorrow" in refused.output
    monkeypatch.setenv("QUIZZER_NOW", (ahead + timedelta(hours=1)).isoformat())
    taken = quizzer("progress", "import", str(file))
    assert taken.exit_code == 0, taken.output
    assert rows(home, "SELECT COUNT(*) FROM reviews") == [(1,)]


@pytest.mark.parametrize("before, lines, count, first, kept", CONFLICTS, ids=range(len(CONFLICTS)))
def test_a_review_id_already_seen_with_other_contents_is_a_conflict_and_the_first_is_kept(
    home, tmp_path, before, lines, count, first, kept
):
    if before:
        (tmp_path / "before.jsonl").write_text("\n".join(before) + "\n", encoding="utf-8")
        assert quizzer("progress", "import", str(tmp_path / "before.jsonl")).exit_code == 0
    source = tmp_path / "progress.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = quizzer("progress", "import", str(source))
    assert result.exit_code == 0, result.output
    if count:
        assert f"{count} answers conflict: the review id of one already here" in result.output
        assert f"(first at {source}:{first})" in result.output
    else:
        assert "conflict" not in result.output
    new = len({json.loads(text)["review_id"] for text in lines} - {json.loads(text)["review_id"] for text in before})
    assert f"Imported {new} new answer{'s' * (new != 1)} from" in result.output
    assert f"({len(lines) - new - count} already here)" in result.output
    assert rows(home, "SELECT response FROM reviews WHERE review_id = 'r1'") == [(kept,)]


# -- a time spelt otherwise than the stored form: saved in the stored form (UTC, microseconds, "T") -------

SPELLINGS = [
    # (reviewed_at as the file spells it, as it is saved)
    ("2026-03-02T12:00:00.000000+00:00", "2026-03-02T12:00:00.000000+00:00"),  # the stored form, kept as it is
    ("2026-03-02T12:00:00.000000+05:00", "2026-03-02T07:00:00.000000+00:00"),  # its length, another zone
    ("2026-03-02T12:00:00.5+00:00", "2026-03-02T12:00:00.500000+00:00"),  # UTC, shorter
    ("2026-03-02T12:00:00.0000000+00:00", "2026-03-02T12:00:00.000000+00:00"),  # UTC, longer
    ("2026-03-02 12:00:00.000000+00:00", "2026-03-02T12:00:00.000000+00:00"),  # its length, another separator
    ("2026-03-02t12:00:00.000000+00:00", "2026-03-02T12:00:00.000000+00:00"),
    ("2026-03-02T12:00:00,000000+00:00", "2026-03-02T12:00:00.000000+00:00"),  # a decimal comma
    ("1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00.000000+00:00"),  # the earliest time there is
]


@pytest.mark.parametrize("written, saved", SPELLINGS, ids=range(len(SPELLINGS)))
def test_a_time_is_saved_in_the_stored_form_however_it_is_spelt(home, tmp_path, written, saved):
    source = tmp_path / "progress.jsonl"
    source.write_text(line(reviewed_at=written, next_due="2026-03-03T12:00:00+00:00") + "\n", encoding="utf-8")
    result = quizzer("progress", "import", str(source))
    assert result.exit_code == 0, result.output
    assert rows(home, "SELECT reviewed_at FROM reviews") == [(saved,)]


# -- a time no import accepts, written into the database by other means: every view still works ---------

STORED_TIMES = [
    # (the time in every column of one review, its card and its session; the local time zone)
    ("0001-01-01T00:00:00.000000+00:00", "UTC"),
    ("9999-12-31T23:59:59.999999+00:00", "Asia/Tokyo"),
    ("0001-01-01T00:00:00.000000+05:00", "America/New_York"),
    ("9999-12-31T23:00:00.000000-05:00", "UTC"),
    ("0001-01-01T00:00:00", "Asia/Tokyo"),
    ("9999-12-31T23:59:59", "America/New_York"),
    ("1969-07-20T20:17:40.000000+00:00", "UTC"),
]
VIEWS = [
    # (command, what its JSON must hold: None when it prints a screen)
    (["stats", "--json"], lambda out: out["answers"] == 1),
    (["stats"], None),
    (["history", "--json"], lambda out: out["total"]["answers"] == 1),
    (["history"], None),
    (["history", "--reviews", "--json"], lambda out: [r["review_id"] for r in out] == ["x"]),
    (["history", "--reviews"], None),
    (["cards", "demo", "--json"], lambda out: [c["reviews"] for c in out] == [1]),
    (["cards"], None),
    (["card", "demo/leader", "--json"], lambda out: len(out["history"]) == 1),
    (["card", "demo/leader"], None),
]


@pytest.mark.parametrize("moment, zone", STORED_TIMES, ids=range(len(STORED_TIMES)))
def test_statistics_history_and_cards_show_a_stored_time_at_the_calendars_ends(home, moment, zone):
    import os
    import time

    assert quizzer("cards").exit_code == 0  # creates the database
    db = sqlite3.connect(home / "quizzer.db")
    with db:
        db.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after) "
        "VALUES ('x', 'demo', 'leader', ?, 3, 'correct', 'r', 1000, 's', 'review', ?)",
                   (moment, moment))
        db.execute("INSERT INTO cards VALUES ('demo', 'leader', 'review', ?, NULL, 1.0, 5.0, ?)", (moment, moment))
        db.execute("INSERT INTO sessions VALUES ('s', ?, ?, '[\"demo\"]')", (moment, moment))
    db.close()
    os.environ["TZ"] = zone
    time.tzset()
    try:
        for command, holds in VIEWS:
            result = quizzer(*command)
            assert result.exit_code == 0 and "Traceback" not in result.output, (command, result.output)
            assert holds is None or holds(json.loads(result.stdout)), (command, result.stdout)
    finally:
        os.environ["TZ"] = "UTC"
        time.tzset()


def test_durations_too_long_to_add_up_in_sqlite_are_shown_not_a_failure(home):
    assert quizzer("cards").exit_code == 0
    db = sqlite3.connect(home / "quizzer.db")
    with db:
        for review_id in ("x", "y"):  # together past SQLite's largest integer
            db.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after) "
        "VALUES (?, 'demo', 'leader', '2026-03-02T12:00:00.000000+00:00', 3, "
                       "'correct', 'r', ?, 's', 'new', '2026-03-02T12:10:00.000000+00:00')", (review_id, 2**63 - 1))
        db.execute("INSERT INTO sessions VALUES ('s', '2026-03-02T12:00:00.000000+00:00', NULL, '[\"demo\"]')")
    db.close()
    stats = quizzer("stats", "--json", "--now", "2026-03-02T13:00:00+00:00")
    assert stats.exit_code == 0 and json.loads(stats.stdout)["answers"] == 2, stats.output
    history = quizzer("history", "--json")
    assert history.exit_code == 0 and json.loads(history.stdout)["total"]["answers"] == 2, history.output
