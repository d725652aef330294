"""The log — answers and events — and the one way card states are rebuilt from it.

The append-only `reviews` and `events` tables are the truth; `cards`, `card_flags` and `accepted` cache
what `replay_card` of each card's answers and events gives.
An answer that raced with another terminal, `progress import` and `doctor --fix` all rebuild through
`rebuild`, inside the caller's transaction: append the entries first, then rebuild the cards they touch.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timezone

from quizzer.model import CardState, Event, EventKind, Phase, Rating
from quizzer.store.sums import FirstReviews

CardKey = tuple[str, str]  # (deck id, card id)
Answer = tuple[str, Rating, datetime]  # (review id, rating, time): what a replay needs of an answer
Entry = tuple[str, Rating, datetime, bool]  # an answer in the log, and whether it reschedules the card
Replay = Callable[[list[Answer]], CardState]  # a card's answers that count, oldest first → its state


@dataclass(frozen=True)
class Flags:
    """What a card's events leave besides its schedule; cached in `card_flags`, and `accepted` in `accepted`."""

    suspended: bool = False
    buried_until: datetime | None = None
    leech: bool = False
    accepted: tuple[tuple[str, datetime], ...] = ()  # (response, accepted since), oldest first

    @property
    def flagged(self) -> bool:
        """Whether the card has a row of `card_flags`."""
        return self.suspended or self.buried_until is not None or self.leech


NO_FLAGS = Flags()  # a card with no events: not suspended, buried or a leech, no response accepted

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
    if 1 < moment.year < 9999 and moment.tzinfo is not None:  # every time quizzer writes; read 100,000s at a time
        # quizzer writes "+00:00", read as `timezone.utc` itself: no conversion to make (a million per import).
        return moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        return _FIRST if moment.year == 1 else _LAST
    return min(max(moment, _FIRST), _LAST)


_FIRST, _LAST = datetime(1, 1, 2, tzinfo=timezone.utc), datetime(9999, 12, 30, tzinfo=timezone.utc)


def parse_times(texts: Sequence[str]) -> list[datetime]:
    """`parse_time` of each text, in C loops when every one reads as UTC inside the calendar's ends, as
    every time quizzer writes does (a study session reads thousands before its first question)."""
    times = list(map(datetime.fromisoformat, texts))
    if all(map(operator.is_, map(_ZONE, times), itertools.repeat(timezone.utc))) and (
            not times or (1 < min(times).year and max(times).year < 9999)):
        return times
    return list(map(parse_time, texts))


_ZONE = operator.attrgetter("tzinfo")


PHASES = {phase.value: phase for phase in Phase}  # a dict lookup: Phase(text) costs more, 100,000 times
_RATINGS = {int(rating): rating for rating in Rating}
_STATE_COLUMNS = "phase, due, step, stability, difficulty, last_review"


def card_state(phase, due, step, stability, difficulty, last_review) -> CardState:
    """A `cards` row (without its key) as a CardState."""
    return CardState(
        PHASES[phase], parse_time(due), step, stability, difficulty,
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


def logs(
    db: sqlite3.Connection, keys: Iterable[CardKey] | None = None, *, firsts: bool = False,
) -> Iterator[tuple]:
    """Each card's answers and events, oldest first, as (key, entries, events); every card with either, or
    only `keys` (those with neither are absent). Voided answers and quiz answers that do not reschedule are
    included: `replay_card` skips them. With `firsts`, a fourth item follows: the card's rows that
    `FirstReviews.add` counts (a bulk import's rebuild)."""
    more = f", {FirstReviews.COLUMNS}" if firsts else ""
    if keys is None:
        rows = db.execute(
            f"SELECT deck, card, review_id, rating, reviewed_at, reschedules{more} FROM reviews AS r "
            "ORDER BY deck, card, reviewed_at, review_id"
        )
        events = db.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE {_OF_A_CARD} ORDER BY deck, card, at, event_id")
    else:
        _want(db, keys)
        # CROSS JOIN: SQLite would otherwise walk every review to probe the wanted keys.
        rows = db.execute(
            f"SELECT r.deck, r.card, review_id, rating, reviewed_at, reschedules{more} FROM temp.wanted w "
            "CROSS JOIN reviews r ON r.deck = w.deck AND r.card = w.card ORDER BY w.deck, w.card, reviewed_at, review_id"
        )
        events = db.execute(
            f"SELECT {', '.join('e.' + c for c in _EVENT_COLUMNS.split(', '))} FROM temp.wanted w "
            "CROSS JOIN events e ON e.deck = w.deck AND e.card = w.card ORDER BY e.deck, e.card, e.at, e.event_id"
        )
    # Events are few (a handful per card at most), so they are read at once; answers stream.
    by_card: dict[CardKey, list[Event]] = {}
    for row in events.fetchall():
        by_card.setdefault((row[2], row[3]), []).append(event(*row))
    answers = (
        (key, [(review_id, _RATINGS[rating], parse_time(at), bool(reschedules))
               for _, _, review_id, rating, at, reschedules in group])
        for key, group in itertools.groupby(rows, key=_CARD_OF_ROW)
    ) if not firsts else (
        (key, [(review_id, _RATINGS[rating], parse_time(at), bool(reschedules))
               for _, _, review_id, rating, at, reschedules, _, _ in group],
         [row for row in group if row[6] is not None])  # those with a cell
        for key, group in ((key, list(group)) for key, group in itertools.groupby(rows, key=_CARD_OF_ROW))
    )

    def merged() -> Iterator[tuple]:
        try:
            for key, entries, *candidates in answers:
                yield key, entries, by_card.pop(key, []), *candidates
        finally:  # closed early (a replay failed): no statement left running, which would lock DROP TABLE
            rows.close()
        for key, only_events in by_card.items():  # cards with events and no answers
            yield key, [], only_events, *([[]] if firsts else [])

    return merged()


_CARD_OF_ROW = operator.itemgetter(0, 1)
_NONE: frozenset[str] = frozenset()  # no answer voided: a card without events


def voided_by(events: list[Event]) -> Set[str]:
    """The review ids of the answers `events` void (undone)."""
    return {e.target for e in events if e.kind is EventKind.VOID} if events else _NONE


def replay_card(entries: list[Entry], events: list[Event], replay: Replay) -> tuple[CardState | None, Flags]:
    """THE replay: a card's answers and events, oldest first → its state (None if no answer counts) and flags.

    A voided answer is skipped, and so is a quiz answer given without --reschedule (it never changes
    the schedule); suspend/unsuspend/bury/leech set the flags in time order, accept/unaccept the
    accepted responses."""
    if not events:  # most cards: no flag to set, nothing voided (100,000 cards in an import)
        counted = [(review_id, rating, at) for review_id, rating, at, reschedules in entries if reschedules]
        return (replay(counted) if counted else None), NO_FLAGS
    voided = voided_by(events)
    counted = [(review_id, rating, at) for review_id, rating, at, reschedules in entries
               if reschedules and review_id not in voided]
    suspended, buried_until, leech = False, None, False
    for e in events:
        if e.kind is EventKind.SUSPEND:
            suspended = True
        elif e.kind is EventKind.UNSUSPEND:
            suspended = False
        elif e.kind is EventKind.BURY:
            buried_until = parse_time(e.data["until"])
        elif e.kind is EventKind.LEECH:
            leech = True
    return (replay(counted) if counted else None), Flags(suspended, buried_until, leech, accepted_by(events))


def accepted_by(events: list[Event]) -> tuple[tuple[str, datetime], ...]:
    """The responses a card's events (oldest first) leave accepted, each since its accept: accepting one
    already accepted keeps the earlier time, unaccepting one not accepted does nothing."""
    accepted: dict[str, datetime] = {}
    for e in events:
        if e.kind is EventKind.ACCEPT:
            accepted.setdefault(e.data["response"], e.at)
        elif e.kind is EventKind.UNACCEPT:
            accepted.pop(e.data["response"], None)
    return tuple(sorted(accepted.items(), key=lambda pair: (pair[1], pair[0])))  # the cache's order


def rebuild(db: sqlite3.Connection, replay: Replay, keys: Iterable[CardKey] | None = None,
            firsts: FirstReviews | None = None) -> dict[CardKey, CardState]:
    """Replace the cached states and flags of `keys` (of every card when None) by `replay_card` of each one's
    whole log, and count each card's first answers in review into `firsts` when given.

    Runs in the caller's transaction, so the entries that made the rebuild necessary and the states
    they lead to are saved together. A card left without answers loses its state. Returns the new states.
    """
    voided = _VOIDED
    if keys is None:
        db.execute("DELETE FROM cards")
        db.execute("DELETE FROM card_flags")
        db.execute("DELETE FROM accepted")
        db.execute("DELETE FROM voided")
        db.execute(f"INSERT OR IGNORE INTO voided SELECT r.rowid FROM events e{voided}")
        chosen = logs(db, firsts=firsts is not None)
    else:
        chosen = logs(db, keys, firsts=firsts is not None)  # fills temp.wanted at once, which the statements below read
        db.execute("DELETE FROM cards WHERE (deck, card) IN (SELECT deck, card FROM temp.wanted)")
        db.execute("DELETE FROM card_flags WHERE (deck, card) IN (SELECT deck, card FROM temp.wanted)")
        db.execute("DELETE FROM accepted WHERE (deck, card) IN (SELECT deck, card FROM temp.wanted)")
        # Walks the voided answers, few, not the cards' whole logs.
        db.execute("DELETE FROM voided WHERE review_rowid IN (SELECT v.review_rowid FROM voided v "
                   "CROSS JOIN reviews r ON r.rowid = v.review_rowid "
                   "WHERE (r.deck, r.card) IN (SELECT deck, card FROM temp.wanted))")
        db.execute("INSERT OR IGNORE INTO voided SELECT r.rowid FROM temp.wanted w "
                   f"CROSS JOIN events e ON e.deck = w.deck AND e.card = w.card{voided}")
    rebuilt, flagged = {}, {}
    with contextlib.closing(chosen):
        for key, entries, events, *candidates in chosen:
            state, flags = replay_card(entries, events, replay)
            if firsts is not None:
                firsts.add(key[0], candidates[0], voided_by(events))
            if state is not None:
                rebuilt[key] = state
            if flags != NO_FLAGS:
                flagged[key] = flags
    db.executemany(_PUT, [_row(key, s) for key, s in rebuilt.items()])
    db.executemany(
        "INSERT INTO card_flags VALUES (?, ?, ?, ?, ?)",
        [(*key, int(f.suspended), iso(f.buried_until) if f.buried_until else None, int(f.leech))
         for key, f in flagged.items() if f.flagged],
    )
    _put_accepted(db, {key: f.accepted for key, f in flagged.items()})
    return rebuilt


def refill_accepted(db: sqlite3.Connection, key: CardKey) -> None:
    """Replace one card's rows of the `accepted` cache by what its events say, after an accept or unaccept
    was appended: cheaper than `rebuild`, which replays its answers through FSRS too."""
    db.execute("DELETE FROM accepted WHERE deck = ? AND card = ?", key)
    events = db.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE deck = ? AND card = ? "
                        "AND kind IN ('accept', 'unaccept') ORDER BY at, event_id", key)
    _put_accepted(db, {key: accepted_by([event(*row) for row in events.fetchall()])})


def _put_accepted(db: sqlite3.Connection, accepted: dict[CardKey, tuple[tuple[str, datetime], ...]]) -> None:
    db.executemany("INSERT INTO accepted VALUES (?, ?, ?, ?)",
                   [(*key, response, iso(at)) for key, pairs in accepted.items() for response, at in pairs])


def accepted(db: sqlite3.Connection) -> dict[CardKey, tuple[tuple[str, datetime], ...]]:
    """Every card's cached accepted responses, each since when, oldest first (cards without any are absent)."""
    cached: dict[CardKey, list[tuple[str, datetime]]] = {}
    for deck, card, response, at in db.execute("SELECT deck, card, response, added_at FROM accepted "
                                               "ORDER BY deck, card, added_at, response"):
        cached.setdefault((deck, card), []).append((response, parse_time(at)))
    return {key: tuple(pairs) for key, pairs in cached.items()}


def voided_disagreeing(db: sqlite3.Connection) -> list[CardKey]:
    """Cards whose rows of the `voided` cache differ from what their void events say."""
    expected = f"SELECT r.rowid FROM events e{_VOIDED}"
    rows = db.execute(
        f"SELECT deck, card FROM reviews WHERE rowid IN (SELECT * FROM ({expected} EXCEPT SELECT review_rowid FROM voided)) "
        f"OR rowid IN (SELECT * FROM (SELECT review_rowid FROM voided EXCEPT {expected}))"
    )
    return sorted(set(rows))


def flags(db: sqlite3.Connection) -> dict[CardKey, Flags]:
    """Every card's cached flags, without its accepted responses (cards without any are absent)."""
    return {
        (deck, card): Flags(bool(suspended), parse_time(until) if until else None, bool(leech))
        for deck, card, suspended, until, leech in db.execute("SELECT * FROM card_flags")
    }


_EVENT_COLUMNS = "event_id, kind, deck, card, at, target, data"
_OF_A_CARD = "kind != 'quiz'"  # a quiz's record belongs to no card: no card's log holds it
# Joined to `events e`: the rowids of the answers its voids cancel (a void counts only on its own card).
_VOIDED = " CROSS JOIN reviews r ON r.review_id = e.target AND r.deck = e.deck AND r.card = e.card WHERE e.kind = 'void'"


def event(event_id, kind, deck, card, at, target, data) -> Event:
    """An `events` row as an Event."""
    return Event(event_id, EventKind(kind), deck, card, parse_time(at), target, json.loads(data))


def append_events(db: sqlite3.Connection, events: Iterable[Event]) -> list[CardKey]:
    """Add events to the log (an id already there is kept as it is); returns the cards they belong to."""
    rows = [(e.event_id, e.kind.value, e.deck, e.card, iso(e.at), e.target, json.dumps(e.data, sort_keys=True))
            for e in events]
    db.executemany(f"INSERT OR IGNORE INTO events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return list(dict.fromkeys((row[2], row[3]) for row in rows if row[1] != EventKind.QUIZ.value))


def put_state(db: sqlite3.Connection, key: CardKey, new: CardState) -> None:
    """Cache one card's state as the review just appended left it (a replay of its log would agree)."""
    db.execute(_PUT, _row(key, new))


_PUT = "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def put_state_if(db: sqlite3.Connection, key: CardKey, new: CardState, expected: CardState | None) -> bool:
    """`put_state`, only if the card's cached state is still `expected` (None: it has none); False, with
    nothing written, when it is not. The check and the write are one statement: one answer's commit
    runs no read before it (issue 14)."""
    row = _row(key, new)
    if expected is None:
        return db.execute(_PUT_NEW, row).rowcount == 1
    return db.execute(_PUT_IF, (*row[2:], *key, *_row(key, expected)[2:])).rowcount == 1


_PUT_NEW = "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
_PUT_IF = (f"UPDATE cards SET ({_STATE_COLUMNS}) = (?, ?, ?, ?, ?, ?) "
           f"WHERE deck = ? AND card = ? AND ({_STATE_COLUMNS}) IS (?, ?, ?, ?, ?, ?)")


def _row(key: CardKey, s: CardState) -> tuple:
    return (*key, s.phase.value, iso(s.due), s.step, s.stability, s.difficulty,
            iso(s.last_review) if s.last_review else None)


def _want(db: sqlite3.Connection, keys: Iterable[CardKey]) -> None:
    # A temporary table joins any number of keys; SQLite caps the parameters of one statement.
    db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (deck TEXT, card TEXT, PRIMARY KEY (deck, card))")
    db.execute("DELETE FROM temp.wanted")
    db.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?, ?)", keys)
