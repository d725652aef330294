"""Card states' times as day numbers (`cards.due_day`, `cards.last_review_day`, migration 0008, issue 14):
an upgrade fills them, every path that writes a state leaves them equal to its times (worked out here in
Python), and `stats` reads them instead of parsing each state's times."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from quizzer.scheduler import Scheduler
from quizzer.stats import compute_stats
import test_answer_days as answer_days
from quizzer.store import Store, iso
from quizzer.store.migrations import FUNCTIONS, MIGRATIONS
from test_answer_days import STEPS, Home

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MILLISECOND = 1 / 86_400_000  # SQLite keeps a Julian day to the millisecond


def julian(text: str | None) -> float | None:
    """The Julian day number of a stored time; None past the last millisecond SQLite's calendar reads."""
    if text is None or text.startswith("9999-12-31T23:59:59.9999"):
        return None
    return 2440587.5 + (datetime.fromisoformat(text) - EPOCH).total_seconds() / 86400


def check_days(path: Path) -> int:
    """How many states there are, after asserting that each one's day numbers equal its times."""
    with Store(path) as store:
        rows = store.db.execute("SELECT due, last_review, due_day, last_review_day FROM cards").fetchall()
    for due, last_review, due_day, last_review_day in rows:
        for text, number in ((due, due_day), (last_review, last_review_day)):
            expected = julian(text)
            assert (number is None) if expected is None else number == pytest.approx(expected, abs=MILLISECOND), text
    return len(rows)


def test_the_day_numbers_equal_the_times_after_every_path_of_one_home(tmp_path):
    home = Home(tmp_path)
    for name, step in STEPS:
        step(home)
        assert check_days(home.home / "quizzer.db"), name


def test_progress_import_sync_and_anki_import_fill_the_day_numbers(tmp_path):
    source, target = answer_days.imported(tmp_path)
    assert check_days(target.home / "quizzer.db") == check_days(source.home / "quizzer.db")

    a, b = answer_days.synced(tmp_path)
    assert check_days(a.home / "quizzer.db") == check_days(b.home / "quizzer.db") > 0

    anki = tmp_path / "anki"
    anki.mkdir()
    answer_days.test_an_anki_history_import_fills_the_cells(anki)
    assert check_days(anki / "home" / "quizzer.db") == 2


def at_0007(path: Path) -> None:
    """A database as quizzer left it before 0008, with three states: a card in review, one due in year
    9999 (past what SQLite's date functions read), one with no last review."""
    old = sqlite3.connect(path)
    for name, function in FUNCTIONS.items():
        old.create_function(name, -1, function)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in [m for m in MIGRATIONS if m[0] < "0008"]:
        old.executescript(sql)
        old.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    old.executemany("INSERT INTO cards VALUES ('d', ?, ?, ?, NULL, 3.5, 5.0, ?)", [
        ("review", "review", "2026-03-25T12:00:00.250000+00:00", "2026-03-02T11:30:00.000000+00:00"),
        ("far", "review", "9999-12-31T23:59:59.999999+00:00", "2026-03-02T11:30:00.000000+00:00"),
        ("learning", "learning", "2026-03-02T12:10:00.000000+00:00", None),
    ])
    old.commit()
    old.close()


def test_an_upgrade_keeps_every_state_and_fills_its_day_numbers(tmp_path):
    path = tmp_path / "q.db"
    at_0007(path)
    before = sqlite3.connect(path).execute("SELECT * FROM cards ORDER BY card").fetchall()
    assert check_days(path) == 3
    with Store(path) as store:
        columns = "deck, card, phase, due, step, stability, difficulty, last_review"
        assert store.db.execute(f"SELECT {columns} FROM cards ORDER BY card").fetchall() == before
        assert store.db.execute("SELECT due_day, last_review_day FROM cards WHERE card = 'review'").fetchone() \
            == (2461125.0000028935, 2461101.9791666665)  # 23 days and 30 min 0.25 s apart
        assert store.db.execute("EXPLAIN QUERY PLAN SELECT * FROM cards WHERE due < '2026'").fetchall()[0][3] \
            == "SEARCH cards USING INDEX cards_by_due (due<?)"
        with pytest.raises(sqlite3.OperationalError, match="generated column"):  # no writer can set them apart
            store.db.execute("UPDATE cards SET due_day = 0")


def test_stats_parses_no_state_time(tmp_path):
    """`stats` counts young and mature cards and sums recall from the day numbers: SQLite's julianday()
    runs only for the time now, never once per card state."""
    home = Home(tmp_path)
    for _, step in STEPS[:4]:
        step(home)
    calls = []

    def julianday(text):
        calls.append(text)
        return julian(text)

    with Store(home.home / "quizzer.db") as store:
        states = store.db.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
        store.db.create_function("julianday", 1, julianday, deterministic=True)
        result = compute_stats(store, Scheduler(), [], now=home.at)
    assert result.total.young + result.total.mature > 0 and states == 5
    assert set(calls) == {iso(home.at)} and len(calls) <= 3  # the time now, once per query at most
