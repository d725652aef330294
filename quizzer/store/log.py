"""The review log, and the one way card states are rebuilt from it.

The append-only `reviews` table is the truth; `cards` caches what a replay of each card's log gives.
An answer that raced with another terminal, `progress import` and `doctor --fix` all rebuild through
`rebuild`, inside the caller's transaction: append the entries first, then rebuild the cards they touch.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone

from quizzer.model import CardState, Phase, Rating

CardKey = tuple[str, str]  # (deck id, card id)
Entry = tuple[str, Rating, datetime]  # (review id, rating, time): what a replay needs of an answer
Replay = Callable[[list[Entry]], CardState]  # a card's whole log, oldest first → its state


# No answer in the log is older: `progress import` refuses earlier times, and statistics ignore them
# in a database written by other means (before it, dates of study days may leave Python's range).
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with a fixed width, so text order is time order in SQL."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    """A stored time in UTC. One written by other means than quizzer may lack its offset (it is taken as
    UTC) or lie at the calendar's very ends: it is kept a day inside them, so any local time of it exists."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None and 1 < moment.year < 9999:  # every time quizzer writes; read 100,000s at a time
        return moment.astimezone(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        return _FIRST if moment.year == 1 else _LAST
    return min(max(moment, _FIRST), _LAST)


_FIRST, _LAST = datetime(1, 1, 2, tzinfo=timezone.utc), datetime(9999, 12, 30, tzinfo=timezone.utc)


_PHASES = {phase.value: phase for phase in Phase}  # a dict lookup: Phase(text) costs more, 100,000 times
_RATINGS = {int(rating): rating for rating in Rating}
_STATE_COLUMNS = "phase, due, step, stability, difficulty, last_review"


def card_state(phase, due, step, stability, difficulty, last_review) -> CardState:
    """A `cards` row (without its key) as a CardState."""
    return CardState(
        _PHASES[phase], parse_time(due), step, stability, difficulty,
        parse_time(last_review) if last_review else None,
    )


def state(db: sqlite3.Connection, key: CardKey) -> CardState | None:
    """One card's cached state; None for a card never answered."""
    row = db.execute(f"SELECT {_STATE_COLUMNS} FROM cards WHERE deck = ? AND card = ?", key).fetchone()
    return card_state(*row) if row else None


def states(db: sqlite3.Connection) -> Iterator[tuple[CardKey, CardState]]:
    """Every cached state."""
    for deck, card, *row in db.execute(f"SELECT deck, card, {_STATE_COLUMNS} FROM cards"):
        yield (deck, card), card_state(*row)


def logs(db: sqlite3.Connection, keys: Iterable[CardKey] | None = None) -> Iterator[tuple[CardKey, list[Entry]]]:
    """Each card's log, oldest first; every card with answers, or only `keys` (those without answers are absent)."""
    if keys is None:
        rows = db.execute(
            "SELECT deck, card, review_id, rating, reviewed_at FROM reviews ORDER BY deck, card, reviewed_at"
        )
    else:
        _want(db, keys)
        # CROSS JOIN: SQLite would otherwise walk every review to probe the wanted keys.
        rows = db.execute(
            "SELECT r.deck, r.card, review_id, rating, reviewed_at FROM temp.wanted w "
            "CROSS JOIN reviews r ON r.deck = w.deck AND r.card = w.card ORDER BY w.deck, w.card, reviewed_at"
        )
    return (
        (key, [(review_id, _RATINGS[rating], parse_time(at)) for _, _, review_id, rating, at in group])
        for key, group in itertools.groupby(rows, key=lambda row: (row[0], row[1]))
    )


def rebuild(db: sqlite3.Connection, replay: Replay, keys: Iterable[CardKey] | None = None) -> dict[CardKey, CardState]:
    """Replace the cached states of `keys` (of every card when None) by `replay` of each one's whole log.

    Runs in the caller's transaction, so the entries that made the rebuild necessary and the states
    they lead to are saved together. A card left without answers loses its state. Returns the new states.
    """
    if keys is None:
        db.execute("DELETE FROM cards")
        chosen = logs(db)
    else:
        chosen = logs(db, keys)  # fills temp.wanted at once, which the DELETE below reads
        db.execute("DELETE FROM cards WHERE (deck, card) IN (SELECT deck, card FROM temp.wanted)")
    rebuilt = {key: replay(log) for key, log in chosen}
    db.executemany(_PUT, [_row(key, s) for key, s in rebuilt.items()])
    return rebuilt


def put_state(db: sqlite3.Connection, key: CardKey, new: CardState) -> None:
    """Cache one card's state as the review just appended left it (a replay of its log would agree)."""
    db.execute(_PUT, _row(key, new))


_PUT = "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def _row(key: CardKey, s: CardState) -> tuple:
    return (*key, s.phase.value, iso(s.due), s.step, s.stability, s.difficulty,
            iso(s.last_review) if s.last_review else None)


def _want(db: sqlite3.Connection, keys: Iterable[CardKey]) -> None:
    # A temporary table joins any number of keys; SQLite caps the parameters of one statement.
    db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (deck TEXT, card TEXT, PRIMARY KEY (deck, card))")
    db.execute("DELETE FROM temp.wanted")
    db.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?, ?)", keys)
