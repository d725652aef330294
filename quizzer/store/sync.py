"""Progress that moves between machines, and checks that nothing in it went wrong.

The review log travels as JSON Lines, one review per line with the keys of `history --reviews --json`.
Importing merges by review id (ids are random UUIDs, so the same answer is the same id everywhere):
importing a file twice changes nothing, and each card whose log grew gets its state rebuilt by
replaying its merged reviews in time order, so two machines that swap files end with one schedule.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from quizzer.model import CardState, Outcome, Phase, Rating
from quizzer.store import CardKey, Store, _card_state, explain, iso, parse_time

# The columns of `reviews` in table order, under the names `history --reviews --json` gives them.
KEYS = ("review_id", "deck", "card", "reviewed_at", "rating", "verdict", "response", "duration_ms", "session",
        "phase", "next_due")
_COLUMNS = "review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after"
_BATCH = 10_000

Replay = Callable[[list[tuple[str, Rating, datetime]]], CardState]


MAX_LINE = 1024 * 1024  # characters in one line of a progress file: one review, its response one typed line


def bounded_lines(file: IO[str], source: str) -> Iterator[str]:
    """The lines of a progress file, each read with a bound: a file with no line ends (/dev/zero) stops at
    line 1 instead of filling memory."""
    number = 0
    while line := file.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise ProgressFileError(source, number, f"the line is longer than {MAX_LINE:,} characters; "
                                    "each line holds one review")
        yield line


class ProgressFileError(Exception):
    """A line of a progress file cannot be imported; nothing from the file was saved."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class ImportResult:
    read: int  # reviews in the file
    added: int  # of those, new to this database
    cards: int  # cards whose state was rebuilt from their merged log


# -- export ---------------------------------------------------------------------------------------


def export_reviews(store: Store, out: IO[str]) -> int:
    """Write the whole review log to `out` as JSON Lines, oldest first; returns the number written."""
    count = 0
    rows = store.db.execute(f"SELECT {_COLUMNS} FROM reviews ORDER BY reviewed_at, rowid")
    while batch := rows.fetchmany(_BATCH):
        out.writelines(json.dumps(dict(zip(KEYS, row)), ensure_ascii=False) + "\n" for row in batch)
        count += len(batch)
    return count


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[IO[str]]:
    """A text file written beside `target` and renamed over it only once complete and on disk."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with open(handle, "w", encoding="utf-8") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


# -- import ---------------------------------------------------------------------------------------


def import_reviews(store: Store, lines: Iterable[str], source: str, replay: Replay) -> ImportResult:
    """Merge JSON Lines reviews into the log and rebuild the touched cards' states, in one transaction.

    A line that is not a valid review raises ProgressFileError naming it, and nothing is saved.
    """

    def work() -> ImportResult:
        db = store.db
        # 32 MB of page cache instead of 2: a million new rows touch every index (a quarter faster).
        db.execute("PRAGMA cache_size = -32768")
        db.execute(f"CREATE TEMP TABLE incoming AS SELECT {_COLUMNS} FROM reviews WHERE 0")
        try:
            read = 0
            numbered = enumerate(lines, 1)
            while batch := list(itertools.islice(numbered, _BATCH)):
                rows = [_row(text, number, source) for number, text in batch if text.strip()]
                db.executemany(f"INSERT INTO incoming VALUES ({', '.join('?' * len(KEYS))})", rows)
                read += len(rows)
            (last_before,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()
            # A review id already saved (or repeated in the file) is the same answer: it is kept once.
            db.execute(f"INSERT OR IGNORE INTO reviews ({_COLUMNS}) SELECT {_COLUMNS} FROM incoming ORDER BY reviewed_at")
            (added,) = db.execute("SELECT changes()").fetchone()
            touched = db.execute(
                "SELECT DISTINCT deck, card FROM reviews WHERE rowid > ?", (last_before,)
            ).fetchall()
            return ImportResult(read, added, _rebuild(store, touched, replay))
        finally:
            db.execute("DROP TABLE temp.incoming")

    return store._transaction(work)


class _Invalid(ValueError):
    """A value in a progress file that cannot be a review's."""


_VERDICTS = tuple(outcome.value for outcome in Outcome)
_PHASES = tuple(phase.value for phase in Phase)
_RATINGS = {int(rating): rating for rating in Rating}


def _row(text: str, number: int, source: str) -> tuple:
    """One line of a progress file as a `reviews` row, or ProgressFileError saying what is wrong."""
    try:
        review = json.loads(text)
    except ValueError as exc:
        raise ProgressFileError(source, number, f"not JSON ({exc})") from None
    if not isinstance(review, dict):
        raise ProgressFileError(
            source, number, "each line must be one review: a JSON object with the keys of `history --reviews --json`"
        )
    try:
        return (
            _text(review, "review_id"), _text(review, "deck"), _text(review, "card"), _time(review, "reviewed_at"),
            _whole(review, "rating", 1, 4), _one_of(review, "verdict", _VERDICTS),
            _text(review, "response", empty=True), _whole(review, "duration_ms", 0, None),
            _text(review, "session", null=True), _one_of(review, "phase", _PHASES), _time(review, "next_due"),
        )
    except KeyError as exc:
        raise ProgressFileError(source, number, f"missing '{exc.args[0]}'") from None
    except _Invalid as exc:
        raise ProgressFileError(source, number, str(exc)) from None


def _text(review: dict, key: str, *, empty: bool = False, null: bool = False) -> str | None:
    value = review[key]
    if value is None and null:
        return None
    if type(value) is not str or not (value or empty):
        raise _Invalid(f"'{key}' must be {'text' if empty else 'non-empty text'}, not {value!r}")
    return value


def _time(review: dict, key: str) -> str:
    value = _text(review, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"'{key}' must be a date and time like 2026-03-02T12:00:00+00:00, not {value!r}") from None
    if moment.tzinfo is None:
        raise _Invalid(f"'{key}' must include a time zone (UTC offset), not {value!r}")
    # Already in the stored form (as `progress export` writes it): keep the text, a third of the cost.
    if len(value) == 32 and value[10] == "T" and value[19] == "." and value.endswith("+00:00"):
        return value
    return iso(moment)


def _whole(review: dict, key: str, low: int, high: int | None) -> int:
    value = review[key]
    if type(value) is not int or value < low or (high is not None and value > high):
        allowed = f"{', '.join(map(str, range(low, high)))} or {high}" if high else f"a whole number from {low}"
        raise _Invalid(f"'{key}' must be {allowed}, not {value!r}")
    return value


def _one_of(review: dict, key: str, allowed: tuple[str, ...]) -> str:
    value = review[key]
    if value not in allowed:
        raise _Invalid(f"'{key}' must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _rebuild(store: Store, keys: list[CardKey], replay: Replay) -> int:
    """Replace the cached states of `keys` by a replay of each card's whole log."""
    for key, log in _logs(store, keys):
        store._put_state(*key, replay(log))
    return len(keys)


def _logs(store: Store, keys: list[CardKey] | None = None) -> Iterator[tuple[CardKey, list]]:
    """Each card's review log, oldest first, as (key, [(review id, rating, time), ...]); all cards or `keys`."""
    db = store.db
    if keys is None:
        rows = db.execute(
            "SELECT deck, card, review_id, rating, reviewed_at FROM reviews ORDER BY deck, card, reviewed_at"
        )
    else:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (deck TEXT, card TEXT, PRIMARY KEY (deck, card))")
        db.execute("DELETE FROM temp.wanted")
        db.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?, ?)", keys)
        rows = db.execute(
            "SELECT r.deck, r.card, review_id, rating, reviewed_at FROM temp.wanted w "
            "JOIN reviews r ON r.deck = w.deck AND r.card = w.card ORDER BY r.deck, r.card, reviewed_at"
        )
    for key, group in itertools.groupby(rows, key=lambda row: (row[0], row[1])):
        yield key, [(review_id, _RATINGS[rating], parse_time(at)) for _, _, review_id, rating, at in group]


# -- doctor ---------------------------------------------------------------------------------------


@dataclass
class Checkup:
    """What `quizzer doctor` found."""

    integrity: list[str] = field(default_factory=list)  # SQLite's integrity_check problems; empty when sound
    orphaned: dict[str, int] = field(default_factory=dict)  # deck → cards with progress not in any installed deck
    disagreeing: list[CardKey] = field(default_factory=list)  # cached states that differ from a replay
    cards: int = 0  # cards with progress

    @property
    def healthy(self) -> bool:
        return not self.integrity and not self.disagreeing


def integrity_problems(store: Store) -> list[str]:
    try:
        found = [line for (line,) in store.db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(explain(exc, store.path))]
    return [] if found == ["ok"] else found


def check(store: Store, installed: set[CardKey], replay: Replay) -> Checkup:
    """Integrity, progress on cards no longer installed, and cached states that disagree with a replay."""
    result = Checkup(integrity=integrity_problems(store))
    if result.integrity:
        return result  # reading further from a damaged file proves nothing
    cached = dict(_cached_states(store))
    seen: set[CardKey] = set()
    for key, log in _logs(store):
        seen.add(key)
        if cached.get(key) != replay(log):
            result.disagreeing.append(key)
    result.disagreeing += sorted(set(cached) - seen)  # a state with no review behind it
    keys = seen | set(cached)
    result.cards = len(keys)
    for deck, _ in sorted(keys - installed):
        result.orphaned[deck] = result.orphaned.get(deck, 0) + 1
    return result


def _cached_states(store: Store) -> Iterator[tuple[CardKey, CardState]]:
    for deck, card, *state in store.db.execute(
        "SELECT deck, card, phase, due, step, stability, difficulty, last_review FROM cards"
    ):
        yield (deck, card), _card_state(*state)
