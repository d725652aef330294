"""What one answer writes (issue 14): the log keeps one index on time (migration 0009 drops
`reviews_by_time`, a prefix of `reviews_by_time_covering`), and what read the dropped index reads the
covering one as well."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import datetime, timedelta, timezone

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


class Statements:
    """The store's connection, noting each statement it runs with its parameters (a trace callback sees
    them filled in as literals, which SQLite may plan otherwise: a literal LIMIT is)."""

    def __init__(self, db: sqlite3.Connection):
        self.db, self.run = db, []

    def execute(self, sql, parameters=()):
        self.run.append((sql, parameters))
        return self.db.execute(sql, parameters)


@pytest.mark.parametrize("filters", [
    {}, {"limit": 20}, {"kind": "study", "limit": 1}, {"voided": True, "limit": 3}, {"since": SINCE, "limit": 3},
    {"card": "year", "limit": 3},
])
def test_the_newest_answers_are_read_in_time_order_from_the_covering_index(tmp_path, filters):
    """`history` and `undo` read the newest answers first: walking the time index and stopping after
    `limit`, never sorting the whole log."""
    with Store(tmp_path / "q.db") as store:
        store.db = Statements(store.db)
        store.reviews(**filters)
        ((query, parameters),) = store.db.run
        plan = [row[3] for row in store.db.db.execute(f"EXPLAIN QUERY PLAN {query}", parameters)]
        store.db = store.db.db
    assert any("USING INDEX reviews_by_time_covering" in step for step in plan), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan  # only ties of one time are sorted (RIGHT PART)


# -- one answer's statements ----------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)


def answer(store: Store, scheduler, review_id: str, at: datetime):
    """Answer card d/c Good at `at` as a session does, from its cached state; (the state scheduled, the
    state saved, the first word of each statement run). SQLite reports a statement again for each step
    of a trigger it fires: those repeats are left out."""
    from quizzer.model import Outcome, Rating, Review
    from quizzer.scheduler import new_state

    before = store.state(("d", "c")) or new_state(at)
    after = scheduler.review(before, Rating.GOOD, at, review_id)
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    saved = store.record(Review(review_id, "d", "c", at, Rating.GOOD, Outcome.CORRECT, "x", 900, "s"),
                         before.phase, after, based_on=before, replay=lambda log: scheduler.replay(log, at))
    store.db.set_trace_callback(None)
    return after, saved, [statement.split()[0] for statement, _ in itertools.groupby(statements)]


def test_one_answer_writes_its_state_without_reading_it_first(tmp_path):
    """The check that no other terminal answered the card meanwhile is the state's write itself."""
    from quizzer.scheduler import Scheduler

    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        for n, verb in enumerate(("INSERT", "UPDATE", "UPDATE")):  # a new card, then one in learning, twice
            after, saved, statements = answer(store, scheduler, f"r{n}", T0 + timedelta(minutes=10 * n))
            assert statements == ["BEGIN", verb, "INSERT", "COMMIT"] and saved == after == store.state(("d", "c"))


def test_a_cached_state_written_in_another_form_still_ends_as_the_replay(tmp_path):
    """A state another program wrote with the same times in other text (no microseconds) fails the
    write's check; the answer is then saved as the replay of the card's log, which is the same state."""
    from quizzer.model import Rating
    from quizzer.scheduler import Scheduler

    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        answer(store, scheduler, "r0", T0)
        store.db.execute("UPDATE cards SET due = substr(due, 1, 19) || '+00:00', "
                         "last_review = substr(last_review, 1, 19) || '+00:00'")
        after, saved, statements = answer(store, scheduler, "r1", T0 + timedelta(minutes=10))
        assert "SELECT" in statements  # the check failed: the log was read and replayed
        later = T0 + timedelta(minutes=10)
        replayed = scheduler.replay([("r0", Rating.GOOD, T0), ("r1", Rating.GOOD, later)], later)
        assert saved == after == store.state(("d", "c")) == replayed
