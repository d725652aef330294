"""The SQL behind `history`, `stats`, `cards` and `card`: aggregates over the append-only review log
and the cached card states.

Study days are local days that start at a set hour, so their bounds come from the caller as UTC
ISO strings (`DayBounds`); every query groups by them in SQL, which keeps daylight-saving changes
right without SQL knowing the time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from quizzer.store import CardKey, Store, iso

# An answer counts as right when judged right (or counted right by the learner), and a flash card
# when rated above Again; the same rule as the end-of-session summary.
RIGHT = "(verdict IN ('correct', 'close', 'overridden') OR (verdict = 'self' AND rating > 1))"
# A lapse, as in Anki: Again on a card that was in review.
LAPSE = "phase = 'review' AND rating = 1"
MATURE_DAYS = 21  # a review card whose interval is at least this many days is mature, as in Anki
INTERVAL_DAYS = "(julianday(due) - julianday(last_review))"

DayBounds = Sequence[tuple[int, str, str]]  # (day number, start, end) in UTC ISO, end excluded


@dataclass(frozen=True)
class Scope:
    """Which progress a query covers: every card of `decks`, and the single `cards`.

    `everything` covers the whole database; otherwise a card counts when its deck is in `decks`
    or its (deck, card) key is in `cards`.
    """

    decks: tuple[str, ...] = ()
    cards: tuple[CardKey, ...] = ()
    everything: bool = False


class Filter:
    """A scope turned into a SQL condition, with the single cards in a temporary table."""

    def __init__(self, store: Store, scope: Scope, table: str = ""):
        self.params: list = []
        if scope.everything:
            self.sql = "1"
            return
        alias = f"{table}." if table else ""
        parts = []
        if scope.decks:
            parts.append(f"{alias}deck IN ({','.join('?' * len(scope.decks))})")
            self.params += scope.decks
        if scope.cards:
            store.db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS stats_scope (deck TEXT, card TEXT, PRIMARY KEY (deck, card)) "
                "WITHOUT ROWID"
            )
            store.db.execute("DELETE FROM temp.stats_scope")
            store.db.executemany("INSERT OR IGNORE INTO temp.stats_scope VALUES (?, ?)", scope.cards)
            parts.append(f"({alias}deck, {alias}card) IN (SELECT deck, card FROM temp.stats_scope)")
        self.sql = f"({' OR '.join(parts)})" if parts else "0"


def _days_cte(days: DayBounds) -> tuple[str, list]:
    values = ",".join("(?, ?, ?)" for _ in days) or "(NULL, NULL, NULL)"
    return f"days(day, start, stop) AS (VALUES {values})", [value for day in days for value in day]


# -- card states ----------------------------------------------------------------------------------


def state_counts(store: Store, scope: Scope, day_end: datetime) -> dict[str, dict[str, int]]:
    """Per deck: cards with progress by state (learning, young, mature) and due before `day_end`."""
    where = Filter(store, scope)
    rows = store.db.execute(
        f"""
        SELECT deck,
               COUNT(*),
               SUM(phase IN ('learning', 'relearning')),
               SUM(phase = 'review' AND {INTERVAL_DAYS} < ?),
               SUM(phase = 'review' AND {INTERVAL_DAYS} >= ?),
               SUM(due < ?)
        FROM cards WHERE {where.sql} GROUP BY deck
        """,
        [MATURE_DAYS, MATURE_DAYS, iso(day_end), *where.params],
    )
    keys = ("studied", "learning", "young", "mature", "due")
    return {deck: dict(zip(keys, counts)) for deck, *counts in rows}


def forecast(store: Store, scope: Scope, days: DayBounds) -> dict[int, int]:
    """Cards due per study day; the first day's start should be '' so that it takes in overdue cards."""
    where = Filter(store, scope, "cards")
    cte, params = _days_cte(days)
    rows = store.db.execute(
        f"WITH {cte} SELECT day, COUNT(*) FROM days JOIN cards ON cards.due >= start AND cards.due < stop "
        f"WHERE {where.sql} GROUP BY day",
        params + where.params,
    )
    return dict(rows.fetchall())


def lapsed_cards(store: Store, scope: Scope, now: datetime, *, leech_lapses: int, hardest: int) -> list[tuple]:
    """(deck, card, lapses, phase, due, step, stability, difficulty, last_review) of the leeches (at
    least `leech_lapses` lapses) and of the `hardest` cards with most lapses, in that order: most
    lapses first, then the least likely to be recalled now (the longest time since the last review
    for the stability, which orders cards as FSRS retrievability does)."""
    where = Filter(store, scope)
    rows = store.db.execute(
        f"""
        WITH lapsed AS MATERIALIZED (
            SELECT deck, card, COUNT(*) AS lapses FROM reviews WHERE {LAPSE} AND {where.sql} GROUP BY deck, card)
        SELECT c.deck, c.card, l.lapses, c.phase, c.due, c.step, c.stability, c.difficulty, c.last_review
        FROM lapsed AS l JOIN cards AS c ON c.deck = l.deck AND c.card = l.card
        WHERE l.lapses >= MIN(?, COALESCE((SELECT lapses FROM lapsed ORDER BY lapses DESC LIMIT 1 OFFSET ?), 1))
        ORDER BY l.lapses DESC, (julianday(?) - julianday(c.last_review)) / MAX(c.stability, 1e-9) DESC,
                 c.deck, c.card
        """,
        [*where.params, leech_lapses, hardest - 1, iso(now)],
    )
    return rows.fetchall()


def card_rows(store: Store, scope: Scope) -> dict[CardKey, tuple]:
    """Per card with progress: (phase, due, step, stability, difficulty, last_review, answers,
    lapses, last verdict, last rating)."""
    where = Filter(store, scope, "c")
    rows = store.db.execute(
        f"""
        SELECT c.deck, c.card, c.phase, c.due, c.step, c.stability, c.difficulty, c.last_review,
               (SELECT COUNT(*) FROM reviews AS r WHERE r.deck = c.deck AND r.card = c.card),
               (SELECT COUNT(*) FROM reviews AS r WHERE r.deck = c.deck AND r.card = c.card AND {LAPSE}),
               last.verdict, last.rating
        FROM cards AS c
        LEFT JOIN reviews AS last ON last.rowid = (
            SELECT rowid FROM reviews AS r WHERE r.deck = c.deck AND r.card = c.card
            ORDER BY r.reviewed_at DESC, r.rowid DESC LIMIT 1)
        WHERE {where.sql}
        """,
        where.params,
    )
    return {(deck, card): tuple(rest) for deck, card, *rest in rows}


def decks_with_progress(store: Store) -> list[str]:
    return [deck for (deck,) in store.db.execute("SELECT DISTINCT deck FROM cards ORDER BY deck")]


# -- the review log -------------------------------------------------------------------------------


def daily_answers(store: Store, scope: Scope, days: DayBounds) -> list[tuple[int, str, int, int, int]]:
    """(day, deck, answers, right, milliseconds answering) for each study day and deck with answers."""
    where = Filter(store, scope, "r")
    cte, params = _days_cte(days)
    rows = store.db.execute(
        f"""
        WITH {cte}
        SELECT day, r.deck, COUNT(*), SUM({RIGHT}), SUM(r.duration_ms)
        FROM days JOIN reviews AS r ON r.reviewed_at >= start AND r.reviewed_at < stop
        WHERE {where.sql} GROUP BY day, r.deck
        """,
        params + where.params,
    )
    return rows.fetchall()


def first_reviews(store: Store, scope: Scope, days: DayBounds) -> list[tuple[int, str, int, int]]:
    """(day, deck, reviews, passed) for true retention: of each card's answers while in review, only
    the first of each study day counts, and it passes unless rated Again."""
    where = Filter(store, scope, "r")
    cte, params = _days_cte(days)
    rows = store.db.execute(
        f"""
        WITH {cte}
        SELECT day, deck, COUNT(*), SUM(rating > 1) FROM (
            -- SQLite takes the bare column `rating` from the row holding MIN(reviewed_at).
            SELECT day, r.deck AS deck, r.card, r.rating AS rating, MIN(r.reviewed_at)
            FROM days JOIN reviews AS r ON r.reviewed_at >= start AND r.reviewed_at < stop
            WHERE r.phase = 'review' AND {where.sql}
            GROUP BY day, r.deck, r.card
        ) GROUP BY day, deck
        """,
        params + where.params,
    )
    return rows.fetchall()


def days_with_answers(store: Store, scope: Scope, days: DayBounds) -> list[int]:
    """The study days among `days` with at least one answer (one index lookup per day)."""
    where = Filter(store, scope, "r")
    cte, params = _days_cte(days)
    rows = store.db.execute(
        f"""
        WITH {cte}
        SELECT day FROM days WHERE EXISTS (
            SELECT 1 FROM reviews AS r WHERE r.reviewed_at >= start AND r.reviewed_at < stop AND {where.sql})
        ORDER BY day
        """,
        params + where.params,
    )
    return [day for (day,) in rows]


def totals(store: Store, scope: Scope) -> tuple[int, int, str | None]:
    """(answers, milliseconds answering, time of the first answer) over the whole log."""
    where = Filter(store, scope)
    answers, duration = store.db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(duration_ms), 0) FROM reviews WHERE {where.sql}", where.params
    ).fetchone()
    (first,) = store.db.execute(
        f"SELECT MIN(reviewed_at) FROM reviews WHERE {where.sql}", where.params
    ).fetchone()
    return answers, duration, first


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
        f"SELECT session FROM reviews WHERE {where} ORDER BY reviewed_at DESC", params
    ):
        found[session] = None
        if limit is not None and len(found) >= limit:
            break
    return list(found)


# Sums over answers: how many, to new cards, to cards in review, right, and the time spent answering.
_ANSWER_SUMS = ("COUNT(*)", "COALESCE(SUM(phase = 'new'), 0)", "COALESCE(SUM(phase = 'review'), 0)",
                f"COALESCE(SUM({RIGHT}), 0)", "COALESCE(SUM(duration_ms), 0)")
_ANSWER_KEYS = ("answers", "new", "reviews", "right", "answering_ms")


def session_rows(store: Store, sessions: Iterable, *, deck: str | None, since: datetime | None) -> list[dict]:
    """Sums of the matching answers of each session, with its start, end, decks answered and distinct cards."""
    ids = list(sessions)
    if not ids:
        return []
    where, params = _review_filter(deck, since)
    # NULL never matches IN, so answers without a session are taken with IS NULL.
    known = [s for s in ids if s is not None]
    match = f"(session IN ({','.join('?' * len(known))}){' OR session IS NULL' if None in ids else ''})"
    # Column names are unambiguous across the join: only `reviews` has deck, card, phase, rating...
    rows = store.db.execute(
        f"""
        SELECT session, COALESCE(started_at, MIN(reviewed_at)), COALESCE(ended_at, MAX(reviewed_at)),
               GROUP_CONCAT(DISTINCT deck), COUNT(DISTINCT deck || '/' || card), {', '.join(_ANSWER_SUMS)}
        FROM reviews LEFT JOIN sessions ON session_id = session
        WHERE {match} AND {where}
        GROUP BY session
        """,
        [*known, *params],
    )
    return [
        {"session": session, "started_at": started, "ended_at": ended, "decks": sorted(decks.split(",")),
         "cards": cards, **dict(zip(_ANSWER_KEYS, sums))}
        for session, started, ended, decks, cards, *sums in rows
    ]


def session_totals(store: Store, *, deck: str | None, since: datetime | None) -> dict:
    """Sums over every matching answer, with the number of sessions and of distinct cards."""
    where, params = _review_filter(deck, since)
    sums = store.db.execute(f"SELECT {', '.join(_ANSWER_SUMS)} FROM reviews WHERE {where}", params).fetchone()
    # Counted apart, each of these scans the narrow index that holds its columns.
    (cards,) = store.db.execute(
        f"SELECT COUNT(*) FROM (SELECT DISTINCT deck, card FROM reviews WHERE {where})", params
    ).fetchone()
    (sessions,) = store.db.execute(
        f"SELECT COUNT(*) FROM (SELECT DISTINCT session FROM reviews WHERE {where})", params
    ).fetchone()
    return {"sessions": sessions, "cards": cards, **dict(zip(_ANSWER_KEYS, sums))}


def review_count(store: Store, *, deck: str | None, since: datetime | None) -> int:
    where, params = _review_filter(deck, since)
    (count,) = store.db.execute(f"SELECT COUNT(*) FROM reviews WHERE {where}", params).fetchone()
    return count
