"""What one answer writes (issue 14): the log keeps one index on time (migration 0009 drops
`reviews_by_time`, a prefix of `reviews_by_time_covering`), and what read the dropped index reads the
covering one as well."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

import quizzer.store
from quizzer.store import Store
from quizzer.store.migrations import MIGRATIONS
from test_answer_days import STEPS, Home

# The indexes every answer writes: its id, its card's log, its session, time (covering), lapses.
LOG_INDEXES = {"sqlite_autoindex_reviews_1", "reviews_by_card", "reviews_by_session", "reviews_by_time_covering",
               "reviews_lapses"}


def log_indexes(db: sqlite3.Connection) -> set[str]:
    return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews'")}


def test_an_0008_database_upgrades_to_one_time_index_keeping_every_answer(tmp_path, monkeypatch):
    home = Home(tmp_path)
    monkeypatch.setattr(quizzer.store, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < "0009"])
    # Answers in learning, in two decks, and a quiz; not the third step, whose two answers to one card in
    # one frozen instant replay in review-id order, which is random, so `doctor` would flag them at random.
    for name, step in STEPS[:5]:
        if name != "study in review on later days":
            step(home)
    path = home.home / "quizzer.db"
    with sqlite3.connect(path) as old:
        assert log_indexes(old) == LOG_INDEXES | {"reviews_by_time"}
        before = old.execute("SELECT * FROM reviews ORDER BY rowid").fetchall()
    monkeypatch.undo()

    doctor = home.ok("doctor")  # opens the database: the upgrade, then the checks of the upgraded file
    assert "sums of answers: all agree with the review log" in doctor.output
    with Store(path) as store:
        assert log_indexes(store.db) == LOG_INDEXES
        assert store.db.execute("SELECT * FROM reviews ORDER BY rowid").fetchall() == before
    assert {row[11] for row in before} == {"study", "quiz"} and home.check()
    assert list((home.home / "backups").glob("quizzer-*-before-0009_*.db"))


SINCE = datetime(2026, 3, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("filters", [
    {}, {"limit": 3}, {"kind": "quiz", "limit": 3}, {"voided": True, "limit": 3}, {"since": SINCE, "limit": 3},
    {"card": "year", "limit": 3},
])
def test_the_newest_answers_are_read_in_time_order_from_the_covering_index(tmp_path, filters):
    """`history` and `progress export` read the newest answers first: walking the time index and
    stopping after `limit`, never sorting the whole log (what SQLite chose for a LIMIT once only the
    covering index was left, without a bound on time)."""
    with Store(tmp_path / "q.db") as store:
        statements: list[str] = []
        store.db.set_trace_callback(statements.append)
        store.reviews(**filters)
        store.db.set_trace_callback(None)
        (query,) = statements
        plan = [row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {query}")]
    assert any("USING INDEX reviews_by_time_covering (reviewed_at>?)" in step for step in plan), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan  # only ties of one time are sorted (RIGHT PART)
