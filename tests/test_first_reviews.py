"""The first answers in review of each cell, counted in Python as a bulk import's rebuild reads each card's
log (`FirstReviews`, `fill_answer_days`), give exactly the rows of `answer_days` the SQL refill gives
(`ANSWER_DAYS_FROM_LOG`, which `doctor` compares and `doctor --fix` refills), on generated logs."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.model import CardState, Phase
from quizzer.store import Store, log
from quizzer.store.sums import ANSWER_DAYS_FROM_LOG, FirstReviews, fill_answer_days

# Times around the anchors below (one microsecond either side), on days next to each other, and far
# apart: 1970, the calendar's first day (its cell is the day before, year 0), and its last day, whose
# next day SQLite's date() cannot give (no first answer counts in that cell). Few, so that one card often has several answers in one cell and at one time.
TIMES = [f"{day}T{clock}+00:00" for day in ("2026-03-01", "2026-03-02", "2026-03-04")
         for clock in ("03:59:59.999999", "04:00:00.000000", "04:00:00.000001", "12:00:00.000000",
                       "23:30:00.000000")] + ["1970-01-01T00:00:00.000000+00:00", "9999-12-31T12:00:00.000000+00:00",
                                              "9999-12-31T03:00:00.000000+00:00", "0001-01-01T03:00:00.000000+00:00"]

answer = st.fixed_dictionaries({
    "deck": st.sampled_from(["demo", "other", "gone"]),  # "gone": no deck file holds it; its sums count all the same
    "card": st.sampled_from(["a", "b", "c"]),
    "at": st.sampled_from(TIMES),
    "rating": st.integers(1, 4),
    "phase": st.sampled_from(["review", "review", "new", "learning", "relearning"]),
    "reschedules": st.sampled_from([1, 1, 0]),
    "verdict": st.sampled_from(["correct", "wrong", "self", "anki", "close"]),
    "session": st.sampled_from([None, "s1", "s2"]),  # one session may span decks
    "voided": st.booleans(),
})
logs = st.lists(answer, max_size=40)
anchors = st.sampled_from(["04:00", "00:00", "23:30", "12:00"])


def stub_replay(answers):
    """The state is no part of the sums: a replay that cannot fail on far dates."""
    return CardState(Phase.REVIEW, answers[-1][2], None, 1.0, 5.0, answers[-1][2])


def logged(db: sqlite3.Connection, answers: list[dict], anchor: str, order: list[int]) -> None:
    """The answers saved in the order `order` gives (rowids then follow neither time nor review id), and a
    void event for each one marked voided, on its own card; one void more aims at another card's answer,
    which does not void it."""
    db.execute("UPDATE answer_days_anchor SET anchor = ?", (anchor,))
    for number in order:
        a = answers[number]
        db.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, "
                   "session, phase, due_after, reschedules) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
                   (f"r{(number * 7919) % 1000:03d}-{number}", a["deck"], a["card"], a["at"], a["rating"], a["verdict"],
                    100 * number, a["session"], a["phase"], a["at"], a["reschedules"]))
    voids = [(f"v{number}", a["deck"], a["card"], f"r{(number * 7919) % 1000:03d}-{number}")
             for number, a in enumerate(answers) if a["voided"]]
    if answers:
        voids.append(("v-elsewhere", "nowhere", "x", f"r{0:03d}-0"))
    db.executemany("INSERT INTO events (event_id, kind, deck, card, at, target) "
                   "VALUES (?, 'void', ?, ?, '2026-03-05T00:00:00.000000+00:00', ?)", voids)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=logs, anchor=anchors, data=st.data())
def test_counting_first_reviews_in_the_rebuild_gives_the_rows_of_the_sql_refill(tmp_path, answers, anchor, data):
    order = data.draw(st.permutations(range(len(answers))))
    split = data.draw(st.integers(0, 3))
    path = tmp_path / f"quizzer-{abs(hash((tuple(map(str, answers)), anchor, tuple(order), split)))}.db"
    with Store(path) as store:
        db = store.db
        logged(db, answers, anchor, order)
        firsts = FirstReviews(db)
        cards = sorted({(a["deck"], a["card"]) for a in answers})
        if split == 0:  # every card at once, as `doctor --fix` would
            log.rebuild(db, stub_replay, None, firsts)
        else:  # in chunks of cards, as an import does
            for start in range(0, len(cards), split):
                log.rebuild(db, stub_replay, cards[start:start + split], firsts)
        expected = sorted(db.execute(ANSWER_DAYS_FROM_LOG).fetchall())
        fill_answer_days(db, firsts)
        assert sorted(db.execute("SELECT * FROM answer_days").fetchall()) == expected
    path.unlink()


def test_first_reviews_of_one_card_by_hand():
    """Hand-worked: cells meet at the anchor; two answers at one time count in rowid order (the later
    rowid read first here, as a review id may order it); a voided answer is not first, and the next in
    its cell is; a cell before the latest one counts again, and leaves the latest as it was (the latest
    earlier cell is the greatest; cells written by other means need not follow time); a cell without a
    next day counts nothing."""
    firsts = FirstReviews(sqlite3.connect(":memory:"))  # for date(): 9999-12-31 has no next day
    # (deck, card, review id, rating, reviewed_at, reschedules, cell, rowid)
    rows = [
        ("d", "a", "x1", 1, "2026-03-02T05:00:00", 1, "2026-03-02", 9),
        ("d", "a", "x2", 3, "2026-03-02T05:00:00", 1, "2026-03-02", 4),  # same time, lower rowid: first, passed
        ("d", "a", "x3", 1, "2026-03-03T03:00:00", 1, "2026-03-02", 5),  # same cell: not first
        ("d", "a", "x4", 1, "2026-03-03T04:00:00", 1, "2026-03-03", 6),  # voided
        ("d", "a", "x5", 2, "2026-03-03T06:00:00", 1, "2026-03-03", 7),  # first of 03-03, passed
        ("d", "a", "x6", 1, "2026-03-04T06:00:00", 1, "2026-03-02", 8),  # a smaller cell after: counts again
        ("d", "a", "x7", 4, "2026-03-04T07:00:00", 1, "2026-03-03", 10),  # 03-03 is still the latest: not first
        ("d", "a", "x8", 4, "9999-12-31T07:00:00", 1, "9999-12-31", 11),  # no next day: never first
    ]
    firsts.add("d", rows, {"x4"})
    assert sorted(firsts.sums()) == [(1, 1, "2026-03-03", "d"), (2, 1, "2026-03-02", "d")]


def test_each_cells_next_day_is_asked_of_sqlite_once_however_many_answers_it_holds():
    # A million answers fall in some 90,000 cells: asking date() per answer was 0.45 s of an import.
    class CountingConnection:
        def __init__(self):
            self.db, self.asked = sqlite3.connect(":memory:"), []

        def execute(self, sql, params=()):
            self.asked.append(params)
            return self.db.execute(sql, params)

    connection = CountingConnection()
    firsts = FirstReviews(connection)
    # (…, review id, rating, reviewed_at, …, cell, rowid): three cards answered in review on two days each
    for card in "abc":
        firsts.add("demo", [(None, None, f"{card}{n}", 3, f"2026-03-0{day}T12:00:00", None, f"2026-03-0{day}", n)
                            for n, day in enumerate((1, 2))], set())
    assert sorted(firsts.sums()) == [(3, 3, "2026-03-01", "demo"), (3, 3, "2026-03-02", "demo")]
    assert sorted(connection.asked) == [("2026-03-01",), ("2026-03-02",)]


def test_the_rebuilds_read_passes_on_only_the_answers_in_review_that_reschedule_each_with_its_cell(tmp_path):
    """`log.logs(..., firsts=True)`: beside each card's entries, the rows `FirstReviews.add` counts (an answer
    in review that reschedules, with its cell from the anchor 04:00), for the whole log or chosen cards."""
    answer = {"rating": 3, "verdict": "self", "session": None, "voided": False}
    answers = [{**answer, "deck": "demo", "card": "a", "at": "2026-03-02T03:00:00.000000+00:00", "phase": "review",
                "reschedules": 1},
               {**answer, "deck": "demo", "card": "a", "at": "2026-03-02T05:00:00.000000+00:00", "phase": "new",
                "reschedules": 1},
               {**answer, "deck": "demo", "card": "a", "at": "2026-03-02T06:00:00.000000+00:00", "phase": "review",
                "reschedules": 0},
               {**answer, "deck": "demo", "card": "b", "at": "2026-03-02T04:00:00.000000+00:00", "phase": "review",
                "reschedules": 1}]
    with Store(tmp_path / "quizzer.db") as store:
        logged(store.db, answers, "04:00", [3, 2, 1, 0])

        def read(keys=None):
            return {key: (events, [(row[2], row[6]) for row in rows])
                    for key, _, events, rows in log.logs(store.db, keys, firsts=True)}

        whole, chosen = read(), read([("demo", "a"), ("demo", "b")])
    # review ids r000-0 and r757-3: answers 0 and 3; before 04:00, the cell is the day before; no events: a list
    assert chosen == {("demo", "a"): ([], [("r000-0", "2026-03-01")]), ("demo", "b"): ([], [("r757-3", "2026-03-02")])}
    events, rows = whole.pop(("nowhere", "x"))  # the void aimed at another card's answer: events only
    assert whole == chosen and rows == [] and [e.event_id for e in events] == ["v-elsewhere"]
