"""The SQL behind `history`, `stats`, `cards`, `card` and `scores`: aggregates over the answers that count
(the `answers` view: the review log without voided answers) and the cached card states.

What describes the schedule (true retention, lapses, answers per card) reads the `scheduled` view, which
leaves out quiz answers given without --reschedule; activity (answers per day, time, streaks, sessions)
reads `answers`, quizzes included (docs/stats.md).

Study days are local days that start at a set hour, so their bounds come from the caller as UTC
ISO strings (`DayBounds`); every query groups by them in SQL, which keeps daylight-saving changes
right without SQL knowing the time zone. Sums over days of whole decks come from the per-day cells
(`answer_days`, docs/stats.md "Speed"): a day that starts and ends where the cells do is a range of
cells, any other is read from the log.
"""

from __future__ import annotations

import itertools
import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from quizzer.store import RIGHT, CardKey, Store, iso, parse_time

# A lapse, as in Anki: Again on a card that was in review.
LAPSE = "phase = 'review' AND rating = 1"
MATURE_DAYS = 21  # a review card whose interval is at least this many days is mature, as in Anki


def _interval(table: str = "") -> str:
    """A card's interval in days: from its last review to its due date (the state's day numbers, 0008)."""
    t = f"{table}." if table else ""
    return f"({t}due_day - {t}last_review_day)"


DayBounds = Sequence[tuple[int, str, str]]  # (day number, start, end) in UTC ISO, end excluded
Curve = tuple[float, float]  # FSRS's forgetting curve: (factor, decay), from Scheduler.forgetting_curve


@dataclass(frozen=True)
class Scope:
    """Which progress a query covers: every card of `decks` and the single `cards`, less `excluded`.

    `everything` covers the whole database.
    """

    decks: tuple[str, ...] = ()
    cards: tuple[CardKey, ...] = ()
    excluded: tuple[CardKey, ...] = ()
    everything: bool = False


class Filter:
    """A scope as a SQL condition; its single cards wait in temporary tables, filled once for every query."""

    _tables = itertools.count()

    def __init__(self, store: Store, scope: Scope):
        self.params: list = list(scope.decks)
        self.whole_decks = not scope.cards and not scope.excluded  # so the per-deck cells can answer
        if scope.everything:
            self._template = "1"
            return
        included = []
        if scope.decks:
            included.append(f"{{t}}deck IN ({','.join('?' * len(scope.decks))})")
        if scope.cards:
            included.append(f"({{t}}deck, {{t}}card) IN (SELECT deck, card FROM {self._table(store, scope.cards)})")
        self._template = f"({' OR '.join(included) or '0'})"
        if scope.excluded:
            self._template += (f" AND ({{t}}deck, {{t}}card) NOT IN "
                               f"(SELECT deck, card FROM {self._table(store, scope.excluded)})")

    @classmethod
    def _table(cls, store: Store, keys: Iterable[CardKey]) -> str:
        name = f"temp.stats_cards_{next(cls._tables)}"
        store.db.execute("PRAGMA temp_store = MEMORY")  # temporary tables never need the disk
        store.db.execute(f"CREATE TABLE {name} (deck TEXT, card TEXT, PRIMARY KEY (deck, card)) WITHOUT ROWID")
        store.db.executemany(f"INSERT OR IGNORE INTO {name} VALUES (?, ?)", keys)
        return name

    def on(self, table: str = "") -> str:
        """The condition, with columns qualified by `table` when given."""
        return self._template.format(t=f"{table}." if table else "")


def _days_cte(days: DayBounds) -> tuple[str, list]:
    values = ",".join("(?, ?, ?)" for _ in days) or "(NULL, NULL, NULL)"
    return f"days(day, start, stop) AS (VALUES {values})", [value for day in days for value in day]


def _split(store: Store, where: Filter, days: DayBounds) -> tuple[DayBounds, DayBounds]:
    """(days given by the cells, as (day, first cell, cell after the last), days to read from the log)."""
    if not days or not where.whole_decks or not store.answer_days_from(parse_time(days[0][1])):
        return (), days
    anchor = days[0][1][10:]
    cells, log = [], []
    for day, start, stop in days:
        if start[10:] == stop[10:] == anchor:
            cells.append((day, start[:10], stop[:10]))
        else:
            log.append((day, start, stop))
    return cells, log


def _cells_from(store: Store, since: datetime | None) -> bool:
    """Whether the cells can give the sums of the answers from `since` (of all answers when None: every
    answer that counts is in one cell)."""
    return since is None or store.answer_days_from(since)


def _from_cells(store: Store, where: Filter, cells: DayBounds, sums: str, having: str = "1") -> list[tuple]:
    """(day, deck, *sums) of the cells of each day and deck."""
    if not cells:
        return []
    cte, params = _days_cte(cells)
    return store.db.execute(
        f"WITH {cte} SELECT days.day, c.deck, {sums} FROM days JOIN answer_days AS c ON c.day >= start AND "
        f"c.day < stop WHERE {where.on('c')} GROUP BY days.day, c.deck HAVING {having}",
        params + where.params,
    ).fetchall()


def _retrievability(store: Store, table: str = "") -> str:
    """SQL for FSRS retrievability with the curve and the time now as the first two and third parameters."""
    try:
        store.db.execute("SELECT pow(2, 2)")
    except sqlite3.OperationalError:  # SQLite built without its math functions
        store.db.create_function("pow", 2, math.pow, deterministic=True)
    t = f"{table}." if table else ""
    elapsed = f"MAX(0, CAST(julianday(?) - {t}last_review_day AS INTEGER))"
    return f"pow(1 + ? * {elapsed} / {t}stability, ?)"


# -- card states ----------------------------------------------------------------------------------

# A deck's card ids as one string, split in Python: far cheaper than a row per card. Ids never hold \x1f.
_IDS = "group_concat(card, char(31))"


def state_counts(store: Store, where: Filter, day_end: datetime, curve: Curve, now: datetime
                 ) -> dict[str, dict[str, float]]:
    """Per deck: cards with progress by state (learning, young, mature), due before `day_end`, and
    the sum of their retrievability now."""
    return state_counts_and_ids(store, where, day_end, curve, now, ())[0]


def state_counts_and_ids(store: Store, where: Filter, day_end: datetime, curve: Curve, now: datetime,
                         ids_of: Sequence[str]) -> tuple[dict[str, dict[str, float]], dict[str, list[str]]]:
    """`state_counts`, and as `card_ids_with_progress` the ids of the cards with progress of the decks
    `ids_of` among them: both from one pass over the card states."""
    factor, decay = curve
    rows = store.db.execute(
        f"""
        SELECT deck,
               COUNT(*),
               SUM(phase IN ('learning', 'relearning')),
               -- TOTAL, not SUM: a time julianday() cannot read (year 9999) gives NULL, never a NULL sum
               CAST(TOTAL(phase = 'review' AND {_interval()} < ?) AS INTEGER),
               CAST(TOTAL(phase = 'review' AND {_interval()} >= ?) AS INTEGER),
               SUM(due < ?),
               TOTAL({_retrievability(store)}),
               {_IDS} FILTER (WHERE deck IN ({','.join('?' * len(ids_of))}))
        FROM cards WHERE {where.on()} GROUP BY deck
        """,
        [MATURE_DAYS, MATURE_DAYS, iso(day_end), factor, iso(now), decay, *ids_of, *where.params],
    )
    keys = ("studied", "learning", "young", "mature", "due", "recall")
    counts, ids = {}, {}
    for deck, *values, joined in rows:
        counts[deck] = dict(zip(keys, values))
        if joined is not None:
            ids[deck] = joined.split("\x1f")
    return counts, ids


def tag_sums(store: Store, where: Filter, tagged: Iterable[tuple[str, str, str]], curve: Curve, now: datetime
             ) -> dict[str, tuple[int, int, float]]:
    """Per tag of (deck, card, tag) rows: (cards with progress, mature cards, sum of retrievability now)."""
    factor, decay = curve
    store.db.execute("PRAGMA temp_store = MEMORY")
    store.db.execute("CREATE TEMP TABLE IF NOT EXISTS stats_tags (deck TEXT, card TEXT, tag TEXT)")
    store.db.execute("DELETE FROM temp.stats_tags")
    store.db.executemany("INSERT INTO temp.stats_tags VALUES (?, ?, ?)", tagged)
    rows = store.db.execute(
        f"""
        SELECT t.tag, COUNT(*), CAST(TOTAL(c.phase = 'review' AND {_interval('c')} >= ?) AS INTEGER),
               TOTAL({_retrievability(store, 'c')})
        FROM temp.stats_tags AS t JOIN cards AS c ON c.deck = t.deck AND c.card = t.card
        WHERE {where.on('c')} GROUP BY t.tag
        """,
        [MATURE_DAYS, factor, iso(now), decay, *where.params],
    )
    return {tag: (studied, mature, recall) for tag, studied, mature, recall in rows}


def forecast(store: Store, where: Filter, days: DayBounds) -> dict[int, int]:
    """Cards due per study day; the first day's start should be '' so that it takes in overdue cards."""
    cte, params = _days_cte(days)
    # Left to itself SQLite may walk each deck's cards once per day; the due index reads each card once.
    rows = store.db.execute(
        f"WITH {cte} SELECT day, COUNT(*) FROM days JOIN cards INDEXED BY cards_by_due "
        f"ON cards.due >= start AND cards.due < stop WHERE {where.on('cards')} GROUP BY day",
        params + where.params,
    )
    return dict(rows.fetchall())


def lapsed_cards(store: Store, where: Filter, now: datetime, *, leech_lapses: int, hardest: int) -> list[tuple]:
    """(deck, card, lapses, phase, due, step, stability, difficulty, last_review) of the leeches (at
    least `leech_lapses` lapses) and of the `hardest` cards with most lapses, in that order: most
    lapses first, then the least likely to be recalled now (the longest time since the last review
    for the stability, which orders cards as FSRS retrievability does)."""
    rows = store.db.execute(
        f"""
        WITH lapsed AS MATERIALIZED (
            SELECT deck, card, COUNT(*) AS lapses FROM scheduled WHERE {LAPSE} AND {where.on()} GROUP BY deck, card)
        SELECT c.deck, c.card, l.lapses, c.phase, c.due, c.step, c.stability, c.difficulty, c.last_review
        FROM lapsed AS l JOIN cards AS c ON c.deck = l.deck AND c.card = l.card
        WHERE l.lapses >= MIN(?, COALESCE((SELECT lapses FROM lapsed ORDER BY lapses DESC LIMIT 1 OFFSET ?), 1))
        ORDER BY l.lapses DESC, (julianday(?) - c.last_review_day) / MAX(c.stability, 1e-9) DESC,
                 c.deck, c.card
        """,
        [*where.params, leech_lapses, hardest - 1, iso(now)],
    )
    return rows.fetchall()


def card_rows(store: Store, where: Filter) -> dict[CardKey, tuple]:
    """Per card with progress: (phase, due, step, stability, difficulty, last_review, answers,
    lapses, last verdict, last rating)."""
    rows = store.db.execute(
        f"""
        SELECT c.deck, c.card, c.phase, c.due, c.step, c.stability, c.difficulty, c.last_review,
               (SELECT COUNT(*) FROM scheduled AS r WHERE r.deck = c.deck AND r.card = c.card),
               (SELECT COUNT(*) FROM scheduled AS r WHERE r.deck = c.deck AND r.card = c.card AND {LAPSE}),
               last.verdict, last.rating
        FROM cards AS c
        LEFT JOIN answers AS last ON last.rowid = (
            SELECT rowid FROM scheduled AS r WHERE r.deck = c.deck AND r.card = c.card
            ORDER BY r.reviewed_at DESC, r.review_id DESC LIMIT 1)
        WHERE {where.on('c')}
        """,
        where.params,
    )
    return {(deck, card): tuple(rest) for deck, card, *rest in rows}


def card_ids_with_progress(store: Store, decks: Sequence[str]) -> dict[str, list[str]]:
    """Per deck of `decks`, the ids of its cards that have progress."""
    marks = ",".join("?" * len(decks))
    rows = store.db.execute(f"SELECT deck, {_IDS} FROM cards WHERE deck IN ({marks}) GROUP BY deck", list(decks))
    return {deck: ids.split("\x1f") for deck, ids in rows}


def decks_with_progress(store: Store) -> list[str]:
    # Each next deck is one seek in the primary key: DISTINCT would read every card's state.
    rows = store.db.execute(
        "WITH RECURSIVE d(deck) AS (SELECT MIN(deck) FROM cards "
        "UNION ALL SELECT (SELECT MIN(deck) FROM cards WHERE deck > d.deck) FROM d WHERE d.deck IS NOT NULL) "
        "SELECT deck FROM d WHERE deck IS NOT NULL"
    )
    return [deck for (deck,) in rows]


# -- the review log -------------------------------------------------------------------------------


def daily_answers(store: Store, where: Filter, days: DayBounds) -> list[tuple[int, str, int, int, int]]:
    """(day, deck, answers, right, milliseconds answering) for each study day and deck with answers.

    A day off the cells' anchor (before a daylight-saving change) is the cells from the anchor time
    nearest its start to the one nearest its end, give or take the answers between those times and
    its own: an hour of the log, not a day."""
    cells, logged = _split(store, where, days)
    if not logged or not cells:  # nothing off the anchor, or no cells to lean on
        rows = _from_cells(store, where, cells, "SUM(answers), SUM(right_answers), SUM(duration_ms)")
        return rows + _daily_from_log(store, where, logged) if logged else rows
    anchor = days[0][1][10:]
    pieces = []
    for day, start, stop in logged:
        near_start, near_stop = _nearest(start, anchor), _nearest(stop, anchor)
        cells.append((day, near_start[:10], near_stop[:10]))
        pieces += [(day, 1, start, near_start) if start < near_start else (day, -1, near_start, start),
                   (day, 1, near_stop, stop) if near_stop < stop else (day, -1, stop, near_stop)]
    sums: dict = {}
    for day, deck, *values in _from_cells(store, where, cells, "SUM(answers), SUM(right_answers), SUM(duration_ms)"):
        sums[(day, deck)] = values
    values = ",".join("(?, ?, ?, ?)" for _ in pieces)
    rows = store.db.execute(
        f"WITH pieces(day, sign, start, stop) AS (VALUES {values}) "
        f"SELECT day, r.deck, sign * COUNT(*), sign * SUM({RIGHT}), sign * TOTAL(r.duration_ms) "
        "FROM pieces JOIN answers AS r ON r.reviewed_at >= start AND r.reviewed_at < stop "
        f"WHERE {where.on('r')} GROUP BY day, sign, r.deck",
        [value for piece in pieces for value in piece] + where.params,
    )
    for day, deck, *values in rows:
        sums[(day, deck)] = [a + b for a, b in zip(sums.get((day, deck), (0, 0, 0)), values)]
    return [(day, deck, answers, right, int(ms)) for (day, deck), (answers, right, ms) in sums.items() if answers]


def _nearest(moment: str, anchor: str) -> str:
    """The cell boundary (a UTC ISO time at `anchor`, 'THH:MM:...') nearest the UTC ISO time `moment`."""
    at = parse_time(moment)
    on_day = parse_time(moment[:10] + anchor)
    return iso(min((on_day + timedelta(days=k) for k in (-1, 0, 1)), key=lambda bound: abs(bound - at)))


def _daily_from_log(store: Store, where: Filter, days: DayBounds) -> list[tuple[int, str, int, int, int]]:
    cte, params = _days_cte(days)
    return store.db.execute(
        f"""
        WITH {cte}
        SELECT day, r.deck, COUNT(*), SUM({RIGHT}), CAST(TOTAL(r.duration_ms) AS INTEGER)
        FROM days JOIN answers AS r ON r.reviewed_at >= start AND r.reviewed_at < stop
        WHERE {where.on('r')} GROUP BY day, r.deck
        """,
        params + where.params,
    ).fetchall()


def first_reviews(store: Store, where: Filter, days: DayBounds) -> list[tuple[int, str, int, int]]:
    """(day, deck, reviews, passed) for true retention: of each card's answers while in review, only
    the first of each study day counts, and it passes unless rated Again."""
    cells, logged = _split(store, where, days)
    rows = _from_cells(store, where, cells, "SUM(first_reviews), SUM(first_passed)", "SUM(first_reviews) > 0")
    if not logged:
        return rows
    cte, params = _days_cte(logged)
    return rows + store.db.execute(
        f"""
        WITH {cte}
        SELECT day, deck, COUNT(*), SUM(rating > 1) FROM (
            -- SQLite takes the bare column `rating` from the row holding MIN(reviewed_at).
            SELECT day, r.deck AS deck, r.card, r.rating AS rating, MIN(r.reviewed_at)
            FROM days JOIN scheduled AS r ON r.reviewed_at >= start AND r.reviewed_at < stop
            WHERE r.phase = 'review' AND {where.on('r')}
            GROUP BY day, r.deck, r.card
        ) GROUP BY day, deck
        """,
        params + where.params,
    ).fetchall()


def days_with_answers(store: Store, where: Filter, days: DayBounds) -> list[int]:
    """The study days among `days` with at least one answer (one index lookup per day)."""
    cte, params = _days_cte(days)
    rows = store.db.execute(
        f"""
        WITH {cte}
        SELECT day FROM days WHERE EXISTS (
            SELECT 1 FROM answers AS r WHERE r.reviewed_at >= start AND r.reviewed_at < stop AND {where.on('r')})
        ORDER BY day
        """,
        params + where.params,
    )
    return [day for (day,) in rows]


def totals(store: Store, where: Filter) -> tuple[int, int, str | None]:
    """(answers, milliseconds answering, time of the first answer) over the whole log."""
    # From the cells when they can answer: every answer that counts is in one.
    source = "SUM(answers), SUM(duration_ms) FROM answer_days" if where.whole_decks else \
        "COUNT(*), CAST(TOTAL(duration_ms) AS INTEGER) FROM answers"
    answers, duration = store.db.execute(f"SELECT {source} WHERE {where.on()}", where.params).fetchone()
    (first,) = store.db.execute(
        f"SELECT MIN(reviewed_at) FROM answers WHERE {where.on()}", where.params
    ).fetchone()
    return answers or 0, duration or 0, first


# -- sessions -------------------------------------------------------------------------------------


def _review_filter(deck: str | None, since: datetime | None) -> tuple[str, list]:
    conditions, params = ["1"], []
    if deck is not None:
        conditions.append("deck = ?")
        params.append(deck)
    if since is not None:
        conditions.append("reviewed_at >= ?")
        params.append(iso(since))
    return " AND ".join(conditions), params


def recent_sessions(store: Store, *, deck: str | None, since: datetime | None, limit: int | None) -> list:
    """Ids of the sessions with matching answers, the most recently answered first."""
    where, params = _review_filter(deck, since)
    found: dict = {}
    for (session,) in store.db.execute(
        f"SELECT session FROM answers WHERE {where} ORDER BY reviewed_at DESC", params
    ):
        found[session] = None
        if limit is not None and len(found) >= limit:
            break
    return list(found)


# Sums over answers: how many, to new cards, to cards in review, right, and the time spent answering.
_ANSWER_SUMS = ("COUNT(*)", "COALESCE(SUM(phase = 'new'), 0)", "COALESCE(SUM(phase = 'review'), 0)",
                f"COALESCE(SUM({RIGHT}), 0)", "CAST(TOTAL(duration_ms) AS INTEGER)")
_ANSWER_KEYS = ("answers", "new", "reviews", "right", "answering_ms")


def session_rows(store: Store, sessions: list | None, *, deck: str | None, since: datetime | None) -> list[dict]:
    """Sums of the matching answers of each session in `sessions` (every session when None), with its
    start, end, last answer, decks answered and distinct cards."""
    where, params = _review_filter(deck, since)
    if sessions is not None:
        if not sessions:
            return []
        # NULL never matches IN, so answers without a session are taken with IS NULL.
        known = [s for s in sessions if s is not None]
        where += f" AND (session IN ({','.join('?' * len(known))}){' OR session IS NULL' if None in sessions else ''})"
        params = [*params, *known]
    # Column names are unambiguous across the join: only `answers` has deck, card, phase, rating...
    rows = store.db.execute(
        f"""
        SELECT session, COALESCE(started_at, MIN(reviewed_at)), COALESCE(ended_at, MAX(reviewed_at)), MAX(reviewed_at),
               GROUP_CONCAT(DISTINCT deck), COUNT(DISTINCT deck || '/' || card), MAX(kind = 'quiz'),
               {', '.join(_ANSWER_SUMS)}
        FROM answers LEFT JOIN sessions ON session_id = session
        WHERE {where}
        GROUP BY session
        """,
        params,
    )
    return [
        {"session": session, "started_at": started, "ended_at": ended, "last_answer": last,
         "decks": sorted(decks.split(",")), "cards": cards, "quiz": bool(quiz), **dict(zip(_ANSWER_KEYS, sums))}
        for session, started, ended, last, decks, cards, quiz, *sums in rows
    ]


def session_totals(store: Store, *, deck: str | None, since: datetime | None) -> dict:
    """Sums over every matching answer, with the number of sessions and of distinct cards."""
    where, params = _review_filter(deck, since)
    if _cells_from(store, since):  # the tables of sums, kept by triggers (migration 0007)
        cells, cell_params = _review_filter(deck, None)
        sums = store.db.execute(
            "SELECT COALESCE(SUM(answers), 0), COALESCE(SUM(new), 0), COALESCE(SUM(reviews), 0), "
            f"COALESCE(SUM(right_answers), 0), COALESCE(SUM(duration_ms), 0) FROM answer_days WHERE {cells}"
            + (" AND day >= ?" if since is not None else ""),
            [*cell_params, *([iso(since)[:10]] if since is not None else [])]).fetchone()
        if since is None:
            (cards,) = store.db.execute(f"SELECT COUNT(*) FROM answer_cards WHERE {cells}", cell_params).fetchone()
            # An answer without a session counts under x'00' there: one more distinct value, as below.
            (sessions,) = store.db.execute(f"SELECT COUNT(DISTINCT session) FROM answer_sessions WHERE {cells}",
                                           cell_params).fetchone()
            return {"sessions": sessions, "cards": cards, **dict(zip(_ANSWER_KEYS, sums))}
    else:
        sums = store.db.execute(f"SELECT {', '.join(_ANSWER_SUMS)} FROM answers WHERE {where}", params).fetchone()
    # Counted apart, each of these scans the narrow index that holds its columns.
    (cards,) = store.db.execute(
        f"SELECT COUNT(*) FROM (SELECT DISTINCT deck, card FROM answers WHERE {where})", params
    ).fetchone()
    # COUNT(DISTINCT) lets SQLite pick the session index or the time range; NULL is counted apart.
    (sessions,) = store.db.execute(
        f"SELECT COUNT(DISTINCT session) + EXISTS (SELECT 1 FROM answers WHERE session IS NULL AND {where}) "
        f"FROM answers WHERE {where}",
        params + params,
    ).fetchone()
    return {"sessions": sessions, "cards": cards, **dict(zip(_ANSWER_KEYS, sums))}


def review_count(store: Store, *, deck: str | None, since: datetime | None, voided: bool = False) -> int:
    """Answers that count; with `voided`, undone ones too."""
    where, params = _review_filter(deck, since)
    table = "reviews" if voided else "answers"
    (count,) = store.db.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()
    return count


# -- quizzes --------------------------------------------------------------------------------------


def lapse_counts(store: Store, decks: Sequence[str]) -> dict[CardKey, int]:
    """Lapses per card of `decks` that has any, as the schedule counts them (from the partial lapse index)."""
    marks = ",".join("?" * len(decks))
    rows = store.db.execute(
        f"SELECT deck, card, COUNT(*) FROM scheduled WHERE {LAPSE} AND deck IN ({marks}) "
        "GROUP BY deck, card", list(decks))
    return {(deck, card): lapses for deck, card, lapses in rows}


def answered_cards(store: Store, decks: Sequence[str]) -> set[CardKey]:
    """Cards of `decks` with any answer that counts, in study or in a quiz."""
    marks = ",".join("?" * len(decks))
    return set(store.db.execute(f"SELECT DISTINCT deck, card FROM answers WHERE deck IN ({marks})", list(decks)))


def quiz_records(store: Store, since: datetime | None = None) -> list[tuple[str, str, str]]:
    """(quiz id, ended at, record as JSON) of every quiz ended at or after `since`, newest first."""
    rows = store.db.execute(
        "SELECT event_id, at, data FROM events WHERE kind = 'quiz' AND at >= ? ORDER BY at DESC, rowid DESC",
        (iso(since) if since is not None else "",))
    return rows.fetchall()
