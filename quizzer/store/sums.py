"""The sums of answers per day, card and session (migration 0007): what `stats`, `history` and the daily
limits read instead of the log. Their tables and the triggers that keep them on every path that adds,
voids or deletes an answer; the queries that work them out from the whole log (`doctor` compares them,
`doctor --fix` and the imports refill them); and `FirstReviews`, the first answers in review counted in
Python by a bulk import's replay (docs/stats.md "Speed")."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Set

# The cell of an answer: the UTC date of its time less the anchor 'HH:MM', worked out on the text (as every
# query compares times), so an answer at the anchor opens its cell and none is moved by float rounding.
# A time no date function reads falls in the cell ''.
_ANCHOR = "(SELECT anchor FROM answer_days_anchor)"


def _day_of(row: str) -> str:
    """SQL for the cell of the answer `row` (a table alias, NEW or OLD)."""
    return (f"(CASE WHEN substr({row}.reviewed_at, 12, 5) >= {_ANCHOR} THEN substr({row}.reviewed_at, 1, 10) "
            f"ELSE COALESCE(date(substr({row}.reviewed_at, 1, 10), '-1 day'), '') END)")


# What an answer `{r}` adds to its cell's sums, in this order: one answer, right or not, its time answering,
# whether to a new card, to a card in review, and each of those only if it shaped the schedule (daily limits).
_SUMS = ("answers", "right_answers", "duration_ms", "new", "reviews", "scheduled_new", "scheduled_reviews")
_TERMS = ("1", "(({r}.verdict IN ('correct', 'close', 'overridden') OR ({r}.verdict IN ('self', 'anki') "
          "AND {r}.rating > 1)))", "{r}.duration_ms", "({r}.phase = 'new')", "({r}.phase = 'review')",
          "({r}.phase = 'new' AND {r}.reschedules = 1)", "({r}.phase = 'review' AND {r}.reschedules = 1)")


# An answer saved without a session is counted under the blob x'00', which no session id (text) equals:
# COUNT(DISTINCT session) then counts them as one session, as `history` does.
_SESSION = "COALESCE({r}.session, x'00')"


def _first(x: str, visible: str, also: bool = False) -> str:
    """The rating of the first answer in review that shaped the schedule of `x`'s card in `x`'s cell, among
    the answers `visible` says count, and `x` itself when `also` (NULL if none): true retention counts
    only that one."""
    day = _day_of(x)
    first = (f"SELECT * FROM (SELECT f.reviewed_at AS at, f.rowid AS id, f.rating AS rating FROM reviews AS f "
             f"WHERE f.deck = {x}.deck AND f.card = {x}.card AND f.reviewed_at >= {day} || 'T' || {_ANCHOR} "
             f"AND f.reviewed_at < date({day}, '+1 day') || 'T' || {_ANCHOR} AND f.phase = 'review' "
             f"AND f.reschedules = 1 AND {visible} ORDER BY f.reviewed_at, f.rowid LIMIT 1)")
    if also:
        first = f"SELECT {x}.reviewed_at AS at, {x}.rowid AS id, {x}.rating AS rating UNION ALL {first}"
    return f"(SELECT rating FROM ({first}) ORDER BY at, id LIMIT 1)"


_COUNTS = "f.rowid NOT IN (SELECT review_rowid FROM voided)"


def _change(x: str, sign: int, before: str, *, row: str = "", gone: bool = False) -> str:
    """Statements that add (sign 1) or take away (-1) the answer `x` in the sums: NEW or OLD, or the
    answer `v` whose rowid is `row`. `before` says which answers counted before the change, for the first
    answer in review of `x`'s card and cell; `gone`: `x` is no longer in `reviews`. Taking away deletes
    the rows that fall to no answers."""
    source = f"FROM reviews AS v WHERE v.rowid = {row} AND" if row else "WHERE"
    terms = ", ".join(f"{sign} * {term.format(r=x)}" for term in _TERMS)
    updates = ", ".join(f"{name} = {name} + excluded.{name}" for name in _SUMS)
    session = _SESSION.format(r=x)
    statements = [
        f"""INSERT INTO answer_days (day, deck, {', '.join(_SUMS)}, first_reviews, first_passed)
            SELECT {_day_of(x)}, {x}.deck, {terms}, 0, 0 {source} 1
            ON CONFLICT (day, deck) DO UPDATE SET {updates}""",
        f"""UPDATE answer_days SET (first_reviews, first_passed) = (
            SELECT first_reviews + (now IS NOT NULL) - (was IS NOT NULL),
                   first_passed + COALESCE(now > 1, 0) - COALESCE(was > 1, 0)
            FROM (SELECT {_first(x, _COUNTS)} AS now, {_first(x, before, also=gone)} AS was))
            {source} (answer_days.day, answer_days.deck) = ({_day_of(x)}, {x}.deck)
            AND {x}.phase = 'review' AND {x}.reschedules = 1""",
        f"""INSERT INTO answer_cards SELECT {x}.deck, {x}.card, {sign} {source} 1
            ON CONFLICT (deck, card) DO UPDATE SET answers = answers + excluded.answers""",
        f"""INSERT INTO answer_sessions SELECT {session}, {x}.deck, {sign} {source} 1
            ON CONFLICT (session, deck) DO UPDATE SET answers = answers + excluded.answers""",
    ]
    if sign < 0:
        statements += [
            f"DELETE FROM answer_days WHERE (day, deck) IN (SELECT {_day_of(x)}, {x}.deck {source} 1) AND answers = 0",
            f"DELETE FROM answer_cards WHERE (deck, card) IN (SELECT {x}.deck, {x}.card {source} 1) AND answers = 0",
            f"DELETE FROM answer_sessions WHERE (session, deck) IN (SELECT {session}, {x}.deck {source} 1) "
            "AND answers = 0",
        ]
    return "".join(f"\n        {statement};" for statement in statements)


def _trigger(name: str, event: str, when: str, change: str) -> str:
    return f"CREATE TRIGGER {name} AFTER {event} {when}BEGIN{change}\nEND;\n"


# Every cell from the log: what the migration fills, a change of anchor refills, and `doctor` compares.
# One pass over the card index (deck, card, reviewed_at, then rowid: the replay's order, no sort) and one
# GROUP BY: an answer is its card's first in review in its cell when no earlier such answer of the card
# has that cell. Stored times (ISO, UTC) make cells follow time order, so the latest earlier cell is
# MAX(cell); a window partitioned by cell instead sorted the whole log again (twice the time).
_FIRST_CANDIDATE = "c.phase = 'review' AND c.reschedules = 1 AND date(c.day, '+1 day') IS NOT NULL"
ANSWER_DAYS_FROM_LOG = f"""
    SELECT day, deck, {', '.join(f"SUM({term.format(r='k')})" for term in _TERMS)},
           SUM(first), SUM(first AND rating > 1)
    FROM (SELECT c.*, ({_FIRST_CANDIDATE} AND c.day IS NOT MAX(CASE WHEN {_FIRST_CANDIDATE} THEN c.day END)
                       OVER (PARTITION BY c.deck, c.card ORDER BY c.reviewed_at, c.id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS first
          FROM (SELECT {_day_of('r')} AS day, r.rowid AS id, r.deck, r.card, r.reviewed_at, r.phase, r.rating,
                       r.verdict, r.duration_ms, r.reschedules
                FROM reviews AS r WHERE r.rowid NOT IN (SELECT review_rowid FROM voided)) AS c) AS k
    GROUP BY day, deck
"""

ANSWER_CARDS_FROM_LOG = "SELECT deck, card, COUNT(*) FROM answers GROUP BY deck, card"
# Grouped by the session index's (session, deck), which SQLite reads in order without sorting the log (a
# GROUP BY of the COALESCE would sort it: 1.4 s of a 1,000,000-answer import). The sessions that
# `_SESSION` counts under x'00', NULL and that blob itself, are grouped apart.
ANSWER_SESSIONS_FROM_LOG = (
    "SELECT session, deck, COUNT(*) FROM answers WHERE session IS NOT NULL AND session IS NOT x'00' "
    "GROUP BY session, deck "
    "UNION ALL SELECT x'00', deck, COUNT(*) FROM answers WHERE session IS NULL OR session = x'00' GROUP BY deck")


# `answer_days` but its last two sums: one GROUP BY, no window (under half of ANSWER_DAYS_FROM_LOG's time).
_ANSWER_DAYS_BUT_FIRSTS = f"""
    SELECT {_day_of('r')} AS cell, r.deck, {', '.join(f"SUM({term.format(r='r')})" for term in _TERMS)}, 0, 0
    FROM reviews AS r WHERE r.rowid NOT IN (SELECT review_rowid FROM voided) GROUP BY cell, r.deck
"""


class FirstReviews:
    """The first answers in review of each cell, counted card by card as a replay reads each card's log,
    oldest first: ANSWER_DAYS_FROM_LOG's `first` in Python (the tests hold the two equal), so that a
    bulk import fills `answer_days` without the window that sorts the whole log again (`fill_answer_days`)."""

    # Read beside each answer `r` of the log: its cell if it is in review and reschedules (NULL for any
    # other answer), and its rowid, which orders answers given at the same time.
    COLUMNS = f"CASE WHEN r.phase = 'review' AND r.reschedules = 1 THEN {_day_of('r')} END, r.rowid"

    def __init__(self, db) -> None:
        self._db = db
        # deck → cell → its first answers in review, and those of them rated above Again. Ints in a dict per
        # deck rather than a pair per (cell, deck): 90,000 cells for a million answers, held until the fill.
        self._firsts: dict[str, dict[str, int]] = {}
        self._passed: dict[str, dict[str, int]] = {}
        # Whether SQLite's date() names a cell's next day (not past 9999-12-31, not ''), as the SQL's
        # candidates need: asked once per cell here, not once per answer in COLUMNS (0.45 s a million).
        self._has_next_day: dict[str, bool] = {}

    def _counts(self, cell: str) -> bool:
        known = self._has_next_day.get(cell)
        if known is None:
            (known,) = self._db.execute("SELECT date(?, '+1 day') IS NOT NULL", (cell,)).fetchone()
            self._has_next_day[cell] = known = bool(known)
        return known

    def add(self, deck: str, candidates: list[tuple], voided: Set[str]) -> None:
        """Count one card's first answers in review: `candidates` are its log's rows for which COLUMNS gave a
        cell, each (..., review id, rating, reviewed_at, ..., cell, rowid), in any order (sorted here, in
        place); `voided` the review ids its events void. As in the SQL: an answer is first when no earlier
        one (by time, then rowid) has its cell, the latest earlier cell being the greatest."""
        candidates.sort(key=_BY_TIME_AND_ROWID)
        firsts, passed = self._firsts.get(deck), self._passed.get(deck)
        if firsts is None:
            firsts = self._firsts[deck] = {}
            passed = self._passed[deck] = {}
        latest = None
        for row in candidates:
            cell = row[6]
            if cell == latest or (voided and row[2] in voided) or not self._counts(cell):
                continue
            firsts[cell] = firsts.get(cell, 0) + 1
            if row[3] > 1:
                passed[cell] = passed.get(cell, 0) + 1
            if latest is None or cell > latest:
                latest = cell

    def sums(self) -> Iterator[tuple[int, int, str, str]]:
        """(first_reviews, first_passed, day, deck) of each cell with a first answer in review."""
        for deck, firsts in self._firsts.items():
            passed = self._passed[deck]
            for cell, count in firsts.items():
                yield count, passed.get(cell, 0), cell, deck


_BY_TIME_AND_ROWID = operator.itemgetter(4, 7)  # the window's order; the log is read by time, then review id


def fill_answer_days(db, firsts: FirstReviews) -> None:
    """`fill_sums_from_log(db, ["answer_days"])`, with the first answers in review of the whole log counted
    by `firsts`, in the caller's transaction."""
    db.execute("DELETE FROM answer_days")
    db.execute(f"INSERT INTO answer_days {_ANSWER_DAYS_BUT_FIRSTS}")
    db.executemany("UPDATE answer_days SET first_reviews = ?, first_passed = ? WHERE day = ? AND deck = ?",
                   firsts.sums())


# What each table of sums holds, from the log: `doctor` compares them and `doctor --fix` refills them.
SUMS_FROM_LOG = {"answer_days": ANSWER_DAYS_FROM_LOG, "answer_cards": ANSWER_CARDS_FROM_LOG,
                 "answer_sessions": ANSWER_SESSIONS_FROM_LOG}


def fill_sums_from_log(db, tables: Iterable[str] = tuple(SUMS_FROM_LOG)) -> None:
    """Fill tables of sums again from the log, in the caller's transaction."""
    for table in tables:
        db.execute(f"DELETE FROM {table}")
        db.execute(f"INSERT INTO {table} {SUMS_FROM_LOG[table]}")

ANSWER_DAYS = f"""
    -- Sums of the answers that count, per deck and UTC day from the anchor time (docs/stats.md "Speed"):
    -- `stats`, `history` and the daily limits read a few thousand of these rows instead of the log.
    -- A cache like `cards`, kept by the triggers below on every path that adds, voids or deletes an
    -- answer, and compared with the log by `doctor`.
    CREATE TABLE answer_days (
        day               TEXT NOT NULL,      -- YYYY-MM-DD: answers from that date's anchor time to the next
        deck              TEXT NOT NULL,
        {' '.join(f'{name} INTEGER NOT NULL,' for name in _SUMS)}
        first_reviews     INTEGER NOT NULL,   -- cards answered in review: the first such answer of each card
        first_passed      INTEGER NOT NULL,   -- of those, rated above Again (true retention)
        PRIMARY KEY (day, deck)
    ) WITHOUT ROWID;
    -- Answers per card and per session and deck, for `history`'s count of distinct cards and sessions.
    CREATE TABLE answer_cards (deck TEXT NOT NULL, card TEXT NOT NULL, answers INTEGER NOT NULL,
                               PRIMARY KEY (deck, card)) WITHOUT ROWID;
    CREATE TABLE answer_sessions (session NOT NULL, deck TEXT NOT NULL, answers INTEGER NOT NULL,
                                  PRIMARY KEY (session, deck)) WITHOUT ROWID;
    INSERT INTO answer_cards {ANSWER_CARDS_FROM_LOG};
    INSERT INTO answer_sessions {ANSWER_SESSIONS_FROM_LOG};
    -- The UTC time ('HH:MM') at which cells start: `stats` moves it to where the learner's study days
    -- start, and refills the cells, so that each study day is one cell.
    CREATE TABLE answer_days_anchor (only INTEGER PRIMARY KEY CHECK (only = 1), anchor TEXT NOT NULL);
    INSERT INTO answer_days_anchor VALUES (1, '04:00');
    INSERT INTO answer_days {ANSWER_DAYS_FROM_LOG};
    {_trigger("answer_days_add", "INSERT ON reviews", "WHEN NEW.rowid NOT IN (SELECT review_rowid FROM voided) ",
              _change("NEW", 1, f"f.rowid != NEW.rowid AND {_COUNTS}"))}
    {_trigger("answer_days_delete", "DELETE ON reviews", "WHEN OLD.rowid NOT IN (SELECT review_rowid FROM voided) ",
              _change("OLD", -1, _COUNTS, gone=True))}
    {_trigger("answer_days_void", "INSERT ON voided", "",
              _change("v", -1, f"(f.rowid = v.rowid OR {_COUNTS})", row="NEW.review_rowid"))}
    {_trigger("answer_days_unvoid", "DELETE ON voided", "",
              _change("v", 1, f"f.rowid != v.rowid AND {_COUNTS}", row="OLD.review_rowid"))}
"""

