"""Answer times written into the database by other means than quizzer (another tool, an old bug): the
triggers that keep the sums of answers (migration 0007) must take any text without failing the insert,
the void, the un-void or the delete, and the sums must still equal the log's, as `doctor` compares them.
One row per case: (name, reviewed_at as stored)."""

from __future__ import annotations

import pytest
from quizzer.store import Store

CASES = [
    ("garbage", "garbage"),
    ("empty", ""),
    ("no offset", "2026-03-02T12:00:00"),
    ("another offset", "2026-03-02T02:00:00+05:00"),
    ("a space for the T", "2026-03-02 03:59:59.999999+00:00"),
    ("just before the anchor, below a millisecond", "2026-03-02T03:59:59.9999999+00:00"),
    ("the first day there is", "0001-01-01T00:00:00.000000+00:00"),
    ("the last day there is", "9999-12-31T23:59:59.999999+00:00"),
    ("an impossible date", "2026-02-30T12:00:00.000000+00:00"),
    ("a date only", "2026-03-02"),
    ("control characters", "2026-03-02T\x1b[31m12:00"),
]


@pytest.mark.parametrize("name, stored", CASES, ids=[name for name, _ in CASES])
def test_an_odd_stored_time_keeps_the_sums_right(quizzer_home, name, stored):
    with Store(quizzer_home / "quizzer.db") as store:
        for n, (at, phase) in enumerate([(stored, "review"), ("2026-03-02T12:00:00.000000+00:00", "review"),
                                         (stored, "new")]):
            store.db.execute(
                "INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, "
                "session, phase, due_after) VALUES (?, 'd', 'c', ?, 3, 'correct', 'x', 1000, NULL, ?, ?)",
                (f"r{n}", at, phase, "2026-03-05T12:00:00.000000+00:00"))
        store.db.execute("INSERT INTO voided SELECT rowid FROM reviews WHERE review_id = 'r2'")
        assert store.sums_disagreeing() == []
        store.db.execute("DELETE FROM voided")
        store.db.execute("DELETE FROM reviews WHERE review_id = 'r1'")
        assert store.sums_disagreeing() == []
