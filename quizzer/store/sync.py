"""Progress that moves between machines, and checks that nothing in it went wrong.

The log travels as JSON Lines: one review per line with the keys of `history --reviews --json`, then
one event (undo, suspend, bury...) per line with an `event` key (docs/events.md). Importing merges by
id (ids are random UUIDs, so the same answer or event is the same id everywhere): importing a file
twice changes nothing, and each card whose log grew gets its state rebuilt by replaying its merged
log, so two machines that swap files end with one schedule.
"""

from __future__ import annotations

import contextlib
import enum
import itertools
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from json.encoder import encode_basestring as _json_text  # a str as json.dumps writes it, unescaped Unicode
from typing import IO

from quizzer.model import AnswerKind, EventKind, Outcome, Phase, QuizRecord
from quizzer.store import CardKey, Store, explain, iso, log
from quizzer.store import read_ahead as ahead
from quizzer.store.log import EARLIEST, Replay
from quizzer.store.sums import FirstReviews, fill_answer_days, fill_sums_from_log

# The columns of `reviews` in table order, under the names `history --reviews --json` gives them.
KEYS = ("review_id", "deck", "card", "reviewed_at", "rating", "verdict", "response", "duration_ms", "session",
        "phase", "next_due", "kind", "reschedules")
_COLUMNS = ("review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after, "
            "kind, reschedules")
Skipped = tuple[str, int, int]  # ("reviews" or "events", first rowid, last rowid): rows a push leaves out
_BATCH = 10_000  # lines read, and rows exported, at a time
# Merging holds the write lock for about HOLD seconds at a time, however loaded the machine, then
# lets go for PAUSE: longer than the 0.1 s SQLite's busy handler sleeps at most between tries, so a
# study session saving an answer in another terminal gets in.
HOLD = 1.0
PAUSE = 0.15
MERGE_CARDS = 1_000  # reviews, whole cards at a time, merged between two looks at the clock
# New answers from which a file that at least doubles the log is merged in one transaction, the log's
# indexes made again (`_merge_at_once`): 4× faster for a million; studying meanwhile waits until it ends.
AT_ONCE = 100_000
REBUILD = 50_000  # answers whose cards `_into_empty_log` rebuilds at a time

# Times a progress file may hold. Nothing before EARLIEST (1970); a clock a day ahead is forgiven;
# nothing is scheduled further ahead than the scheduler's longest interval (100 years). The bounds also
# keep every date computed from these times (study days, streaks, forecasts) in range.
CLOCK_SLACK = timedelta(days=1)
LONGEST_INTERVAL = timedelta(days=36_500)
LONGEST_ANSWER_MS = 10**12  # 31 years: a million answers' total time still fits SQLite's integers


class Stage(enum.Enum):
    """Where a long import, export or check stands, told to its `progress` callback with (done, total or None)."""

    READ = "read"  # answers read from the file so far
    INDEX = "index"  # the log's indexes made again from the whole table
    REBUILD = "rebuild"  # cards whose schedules have been rebuilt, of those the file brought answers for
    SUMS = "sums"  # the sums of answers filled again from the whole log
    SAVE = "save"  # all in place: the one transaction commits
    WRITE = "write"  # answers exported, of all
    INTEGRITY = "integrity"  # SQLite reads every page of the file
    REPLAY = "replay"  # cards whose answers have been replayed so far
    PUSH = "push"  # lines appended to this device's file in a sync folder so far


Progress = Callable[[Stage, int, int | None], None]


def unwatched(stage: Stage, done: int, total: int | None) -> None:
    """The `progress` of work nobody watches (a sync, a test): reports go nowhere."""


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
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")

    def __reduce__(self):  # pickled whole: the process reading ahead (`read_ahead`) sends it back
        return ProgressFileError, (self.path, self.line, self.message)


@dataclass(frozen=True)
class Conflicts:
    """Reviews whose id is already here (or earlier in the file) with other contents; the first is kept."""

    count: int = 0
    first: str | None = None  # FILE:LINE of the first one


@dataclass(frozen=True)
class ImportResult:
    read: int  # reviews in the file
    added: int  # of those, new to this database
    cards: int  # cards whose state was rebuilt from their merged log
    conflicts: Conflicts = Conflicts()
    events_read: int = 0  # events (undo, suspend, bury...) in the file
    events_added: int = 0
    event_conflicts: Conflicts = Conflicts()
    added_rowids: tuple[Skipped, ...] = ()  # where the rows added went: a sync does not push them back


# -- export ---------------------------------------------------------------------------------------


def export_reviews(store: Store, out: IO[str], progress: Progress = unwatched) -> tuple[int, int]:
    """Write the whole log to `out` as JSON Lines: every review (voided ones too: their voids refer to them),
    oldest first, then every event; returns (reviews, events) written."""
    count = 0
    (total,) = store.db.execute("SELECT COUNT(*) FROM reviews").fetchone()
    rows = store.db.execute(f"SELECT {_COLUMNS} FROM reviews ORDER BY reviewed_at, rowid")
    while batch := rows.fetchmany(_BATCH):
        out.writelines(_review_line(row) for row in batch)
        count += len(batch)
        progress(Stage.WRITE, count, total)
    events = 0
    for row in store.db.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY at, rowid"):
        out.write(_event_line(row))
        events += 1
    return count, events


def _review_line(row: tuple) -> str:
    """The row as `json.dumps` writes it (keys in KEYS' order, `reschedules` as a boolean), put together from
    each text's JSON form: a third of the time, most of a million-answer export's."""
    review_id, deck, card, at, rating, verdict, response, ms, session, phase, due, kind, reschedules = row
    if type(rating) is int and type(ms) is int:  # as the schema keeps them; anything else is json.dumps's
        with contextlib.suppress(TypeError):  # a text column holding a number: json.dumps's too
            return (f'{{"review_id": {_json_text(review_id)}, "deck": {_json_text(deck)}, "card": {_json_text(card)}, '
                    f'"reviewed_at": {_json_text(at)}, "rating": {rating}, "verdict": {_json_text(verdict)}, '
                    f'"response": {_json_text(response)}, "duration_ms": {ms}, '
                    f'"session": {"null" if session is None else _json_text(session)}, "phase": {_json_text(phase)}, '
                    f'"next_due": {_json_text(due)}, "kind": {_json_text(kind)}, '
                    f'"reschedules": {"true" if reschedules else "false"}}}\n')
    return json.dumps({**dict(zip(KEYS, row)), "reschedules": bool(reschedules)}, ensure_ascii=False) + "\n"


def _event_line(row: tuple) -> str:
    event_id, kind, deck, card, at, target, data = row
    return json.dumps({"event": kind, "event_id": event_id, "deck": deck, "card": card, "at": at, "target": target,
                       "data": json.loads(data)}, ensure_ascii=False) + "\n"


def lines_after(store: Store, reviews_after: int, events_after: int,
                skipped: Iterable[Skipped] = ()) -> Iterator[tuple[str, int, str]]:
    """The log's rows added after the given rowids, in the order they were saved, as lines of
    `progress export`: (table, rowid, line). Rows in a `skipped` range (those a pull brought) are left out."""
    for table, after, columns, line in (("reviews", reviews_after, _COLUMNS, _review_line),
                                        ("events", events_after, _EVENT_COLUMNS, _event_line)):
        ranges = [(first, last) for name, first, last in skipped if name == table]
        outside = "".join(" AND rowid NOT BETWEEN ? AND ?" for _ in ranges)
        rows = store.db.execute(f"SELECT rowid, {columns} FROM {table} WHERE rowid > ?{outside} ORDER BY rowid",
                                (after, *itertools.chain.from_iterable(ranges)))
        while batch := rows.fetchmany(_BATCH):
            for rowid, *row in batch:
                yield table, rowid, line(tuple(row))


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


def import_reviews(
    store: Store, lines: Iterable[str], source: str, replay: Replay, *, now: datetime,
    hold: float = HOLD, pause: float = PAUSE, cards: int = MERGE_CARDS,
    first_line: int = 1, invalid: list[ProgressFileError] | None = None, read_ahead: bool = False,
    progress: Progress = unwatched,
) -> ImportResult:
    """Merge JSON Lines reviews into the log and rebuild the states of the cards that gained answers.

    First every line is checked, into a temporary table and without locking the database: a line
    that is not a valid review raises ProgressFileError naming it, and nothing is saved. Then the
    reviews are merged a few cards at a time (about `cards` reviews), in transactions of about `hold`
    seconds that add the reviews and rebuild those cards, with a `pause` between them so a study
    session in another terminal can save its answers meanwhile. Stopped between transactions (killed,
    a full disk), the database holds part of the file with every card's state still the replay of its
    log, and importing the file again adds the rest: merging by review id makes a re-run complete it.
    A file whose new reviews (AT_ONCE or more) at least double the log is merged in one transaction
    instead (`_merge_at_once`); into a log with no answers yet, the reviews after the first AT_ONCE are
    added to it as they are read, in that one transaction, without the temporary table (`_into_empty_log`).

    `lines` are numbered from `first_line`. Given an `invalid` list, a bad line is added to it and
    skipped instead of stopping the import (a sync reads files it cannot ask anyone to fix). With
    `read_ahead`, the lines after the first AT_ONCE answers are read and checked in a second process
    while this one saves those before (`read_ahead.read_ahead`); `lines` must then not be read by
    anything else meanwhile, since that process reads them (a sync counts the lines it gives itself).
    `progress` hears where the import stands (`Stage`), from this process only.
    """
    db = store.db
    # 32 MB of page cache instead of 2: a million new rows touch every index (a quarter faster).
    db.execute("PRAGMA cache_size = -32768")
    batches = _checked(enumerate(lines, first_line), source, _Window(now), invalid)
    reading = _Reading(progress)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(db.execute, "DROP TABLE IF EXISTS temp.incoming_events")  # whatever happens
        cleanup.callback(db.execute, "DROP TABLE IF EXISTS temp.incoming")
        read, events_read, more = store.transaction(lambda: _fill_incoming(db, reading.through(batches), AT_ONCE),
                                                    lock=False)
        if more and read_ahead:  # a large file: a second core reads the rest while this one saves
            batches = cleanup.enter_context(ahead.read_ahead(batches, invalid))
        # At least AT_ONCE answers for a log that holds none (a new machine's first import):
        # the rest of the file goes straight into the log, in the one transaction `_into_empty_log` makes
        # (the log looked at again once locked: another terminal may have saved an answer meanwhile).
        into_empty = more and _no_answers(db) and store.transaction(
            lambda: _into_empty_log(db, reading.through(batches), source, replay, progress)
            if _no_answers(db) else None)
        if into_empty:
            added, rebuilt, rowids, more_read, more_events, conflicts = into_empty
            read, events_read = read + more_read, events_read + more_events
            event_conflicts = store.transaction(lambda: _event_conflicts(db, source), lock=False)
        else:
            if more:
                more_read, more_events, _ = store.transaction(lambda: _fill_incoming(db, reading.through(batches)),
                                                              lock=False)
                read, events_read = read + more_read, events_read + more_events
            conflicts, event_conflicts = store.transaction(lambda: _incoming_conflicts(db, source), lock=False)
            groups = db.execute("SELECT deck, card, COUNT(*) FROM temp.incoming GROUP BY deck, card").fetchall()
            (new,) = db.execute("SELECT COUNT(*) FROM temp.incoming i WHERE NOT EXISTS "
                                "(SELECT 1 FROM main.reviews r WHERE r.review_id = i.review_id)").fetchone()
            (logged,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()
            if new >= max(AT_ONCE, logged):
                added, rebuilt, rowids = store.transaction(lambda: _merge_at_once(db, groups, replay, cards, progress))
            else:
                added, rebuilt, rowids = _merge_in_turns(store, groups, replay, hold, pause, cards, progress)
        # Events after the answers they may void; few, so in one transaction.
        events_added, events_rebuilt, added_events = store.transaction(lambda: _merge_events(db, replay))
        return ImportResult(read, added, rebuilt + events_rebuilt, conflicts, events_read, events_added,
                            event_conflicts, (*rowids, *added_events))


Batch = tuple[list[tuple], list[tuple]]  # checked review rows and event rows, each led by its line number


class _Reading:
    """Counts the answers read, through however many loops take batches in turn, and tells `progress`.
    Each loop gets its own `through`, so the generator that reads the file stays bare: the process that
    reads ahead continues that one, and reports nothing from its side."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.read = 0

    def through(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        for batch in batches:  # told before the batch is saved: a loop that stops at a limit takes no more
            self.read += len(batch[0])
            self.progress(Stage.READ, self.read, None)
            yield batch


def _checked(numbered: Iterator[tuple[int, str]], source: str, window: _Window,
             invalid: list[ProgressFileError] | None) -> Iterator[Batch]:
    """The file's lines, checked, _BATCH lines at a time; a bad line raises ProgressFileError, or is added
    to `invalid` and left out."""
    exported = _exported(window)
    while chunk := list(itertools.islice(numbered, _BATCH)):
        rows, event_rows = [], []
        for number, text in chunk:
            if row := exported(text):
                rows.append((number, *row))
            elif text.strip():
                try:
                    row = _row(text, number, source, window)
                except ProgressFileError as exc:
                    if invalid is None:
                        raise
                    invalid.append(exc)
                    continue
                (event_rows if len(row) == _EVENT_FIELDS else rows).append((number, *row))
        yield rows, event_rows


def _fill_incoming(db, batches: Iterator[Batch], limit: int | None = None) -> tuple[int, int, bool]:
    """Checked lines into temp.incoming (reviews) and temp.incoming_events until `limit` reviews have been
    read, or to the end; (reviews, events, whether it stopped at the limit)."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming (line INTEGER PRIMARY KEY, {_COLUMNS})")
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming_events (line INTEGER PRIMARY KEY, {_EVENT_COLUMNS})")
    read = events = 0
    for rows, event_rows in batches:
        db.executemany(f"INSERT INTO temp.incoming VALUES (?, {', '.join('?' * len(KEYS))})", rows)
        events += _keep_events(db, event_rows)
        read += len(rows)
        if limit is not None and read >= limit:
            return read, events, True
    return read, events, False


def _keep_events(db, event_rows: list[tuple]) -> int:
    db.executemany(f"INSERT INTO temp.incoming_events VALUES (?, {', '.join('?' * _EVENT_FIELDS)})", event_rows)
    return len(event_rows)


def _incoming_conflicts(db, source: str) -> tuple[Conflicts, Conflicts]:
    """Leave each review id once in temp.incoming (its first line); those known here or earlier in the file
    with other contents are conflicts, and the same for events."""
    db.execute("CREATE INDEX temp.incoming_ids ON incoming (review_id, line)")
    db.execute("CREATE INDEX temp.incoming_cards ON incoming (deck, card)")
    # The same id twice is the same answer, kept once: the first line in the file, or the copy already here.
    repeated = db.execute(
        # One pass over the index of ids finds those given twice; only their lines are compared.
        "WITH twice AS (SELECT review_id, MIN(line) AS first FROM incoming GROUP BY review_id HAVING COUNT(*) > 1) "
        f"SELECT b.line, ({_DIFFERS}) FROM twice t JOIN incoming a ON a.line = t.first "
        "JOIN incoming b ON b.review_id = t.review_id AND b.line > t.first"
    ).fetchall()
    known = db.execute(
        f"SELECT b.line FROM incoming b JOIN main.reviews a ON a.review_id = b.review_id WHERE {_DIFFERS}"
    ).fetchall()
    db.executemany("DELETE FROM incoming WHERE line = ?", [(line,) for line, _ in repeated])
    lines_in_conflict = {line for line, different in repeated if different} | {line for (line,) in known}
    return _conflicts(source, lines_in_conflict), _event_conflicts(db, source)


# Two rows `a` and `b` of reviews with the same id that are not the same answer.
_DIFFERS = " OR ".join(f"a.{column} IS NOT b.{column}" for column in _COLUMNS.split(", ")[1:])


def _conflicts(source: str, lines: set[int]) -> Conflicts:
    return Conflicts(len(lines), f"{source}:{min(lines)}" if lines else None)


def _no_answers(db) -> bool:
    return db.execute("SELECT NOT EXISTS (SELECT 1 FROM main.reviews)").fetchone()[0]


def _into_empty_log(db, batches: Iterator[Batch], source: str, replay: Replay, progress: Progress,
                    ) -> tuple[int, int, list[Skipped], int, int, Conflicts]:
    """Move temp.incoming into the empty log, add the rest of the file's answers to it as they are read,
    and rebuild the cards answered, in the caller's one transaction; (added, rebuilt, where the answers
    went, answers and events read here, conflicts).

    Copying a million answers through temp.incoming, its two indexes and a sort is saved: with no
    answers here, the log's own key finds a repeated id (the first line's answer is kept), and only the
    batches in which one was left out are compared. The log's indexes and triggers are dropped and made
    again as in `_merge_at_once`, the triggers after the rebuild of every card, which counts the first
    answers in review for the sums. A bad line rolls everything back; the write lock is held while the
    rest of the file is read."""
    schema = _drop_indexes_and_triggers(db)
    db.execute(f"INSERT OR IGNORE INTO reviews ({_COLUMNS}) SELECT {_COLUMNS} FROM temp.incoming ORDER BY line")
    conflicting = {line for (line,) in db.execute(
        f"SELECT b.line FROM temp.incoming b JOIN main.reviews a ON a.review_id = b.review_id WHERE {_DIFFERS}")}
    # ?1, the line number, is left out of the row.
    insert = (f"INSERT OR IGNORE INTO reviews ({_COLUMNS}) VALUES "
              f"({', '.join(f'?{n}' for n in range(2, len(KEYS) + 2))})")
    stored = f"SELECT ?1, {_COLUMNS} FROM reviews WHERE review_id = ?2"
    read = events = 0
    for rows, event_rows in batches:
        before = db.total_changes
        db.executemany(insert, rows)
        if db.total_changes - before < len(rows):  # an id already in the log: the first line's answer is kept
            conflicting.update(row[0] for row in rows if db.execute(stored, row[:2]).fetchone() != row)
        events += _keep_events(db, event_rows)
        read += len(rows)
    (added,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()  # rowids from 1, none gone
    progress(Stage.INDEX, 0, None)
    _remake(db, [made for made in schema if made[0] == "index"])
    rowids = [("reviews", 1, added)] if added else []
    groups = db.execute("SELECT deck, card, COUNT(*) FROM reviews GROUP BY deck, card").fetchall()
    # Every card is rebuilt, each one's log read in order: the first answers in review of each cell are
    # counted on the way, which spares `answer_days` its window over the whole log. The sums are filled
    # once the rebuild has voided what the events void, then the triggers that keep them are made.
    firsts = FirstReviews(db)
    # Some thousands of cards at a time: a few MB of states held, not 100,000 cards' at once.
    rebuilt = _rebuilt_in_chunks(db, replay, _chunks(groups, REBUILD), len(groups), progress, firsts)
    progress(Stage.SUMS, 0, None)
    fill_answer_days(db, firsts)
    fill_sums_from_log(db, ("answer_cards", "answer_sessions"))
    _remake(db, [made for made in schema if made[0] == "trigger"])
    progress(Stage.SAVE, 0, None)
    return added, rebuilt, rowids, read, events, _conflicts(source, conflicting)


_EVENT_COLUMNS = "event_id, kind, deck, card, at, target, data"
_EVENT_FIELDS = len(_EVENT_COLUMNS.split(", "))


def _event_conflicts(db, source: str) -> Conflicts:
    """As for reviews: an event id twice keeps its first line; one known here with other contents conflicts."""
    differs = " OR ".join(f"a.{c} IS NOT b.{c}" for c in _EVENT_COLUMNS.split(", ")[1:])
    repeated = db.execute(
        f"SELECT b.line, ({differs}) FROM incoming_events a JOIN incoming_events b "
        "ON b.event_id = a.event_id AND b.line > a.line"
    ).fetchall()
    known = db.execute(
        f"SELECT b.line FROM incoming_events b JOIN main.events a ON a.event_id = b.event_id WHERE {differs}"
    ).fetchall()
    db.executemany("DELETE FROM incoming_events WHERE line = ?", [(line,) for line, _ in repeated])
    return _conflicts(source, {line for line, different in repeated if different} | {line for (line,) in known})


def _merge_events(db, replay: Replay) -> tuple[int, int, tuple[Skipped, ...]]:
    """Add the incoming events that are new here and rebuild their cards; (added, rebuilt, where they went)."""
    new = db.execute(
        f"SELECT {_EVENT_COLUMNS} FROM temp.incoming_events i "
        "WHERE NOT EXISTS (SELECT 1 FROM main.events e WHERE e.event_id = i.event_id) ORDER BY line"
    ).fetchall()
    (before,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM events").fetchone()
    db.executemany(f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", new)
    touched = list(dict.fromkeys((deck, card) for _, kind, deck, card, *_ in new if kind != EventKind.QUIZ.value))
    added = (("events", before + 1, before + len(new)),) if new else ()
    return len(new), len(log.rebuild(db, replay, touched)) if touched else 0, added


def _chunks(groups: list[tuple[str, str, int]], size: int) -> Iterator[list[CardKey]]:
    """Cards in groups of about `size` reviews: each card's reviews are merged, and it is rebuilt, once."""
    chosen, count = [], 0
    for deck, card, reviews in groups:
        chosen.append((deck, card))
        count += reviews
        if count >= size:
            yield chosen
            chosen, count = [], 0
    if chosen:
        yield chosen


def _merge_in_turns(store: Store, groups: list[tuple[str, str, int]], replay: Replay, hold: float, pause: float,
                    cards: int, progress: Progress) -> tuple[int, int, list[Skipped]]:
    """Merge the incoming reviews a few cards at a time, in transactions of about `hold` seconds with a
    `pause` between them; (added, rebuilt, where the reviews went)."""
    db = store.db
    chunks = _chunks(groups, cards)
    totals = [0, 0, 0]  # answers added, cards rebuilt, cards merged
    rowids: list[Skipped] = []

    def merge_for_a_while(chunk: list[CardKey]) -> list[CardKey] | None:
        """Merge chunks until `hold` seconds have passed; the next chunk, None when all are merged."""
        deadline = time.monotonic() + hold
        (before,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()
        while chunk is not None:
            added, rebuilt = _merge(db, chunk, replay)
            totals[0], totals[1], totals[2] = totals[0] + added, totals[1] + rebuilt, totals[2] + len(chunk)
            progress(Stage.REBUILD, totals[2], len(groups))
            chunk = next(chunks, None)
            if time.monotonic() >= deadline:
                break
        (after,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()
        if after > before:  # one writer in a transaction: the rows in between are all this import's
            rowids.append(("reviews", before + 1, after))
        return chunk

    chunk = next(chunks, None)
    while chunk is not None:
        chunk = store.transaction(lambda: merge_for_a_while(chunk))
        if chunk is not None:
            time.sleep(pause)
    return totals[0], totals[1], rowids


def _merge_at_once(db, groups: list[tuple[str, str, int]], replay: Replay, cards: int, progress: Progress,
                   ) -> tuple[int, int, list[Skipped]]:
    """Add every incoming review and rebuild the cards that gained any, in the caller's one transaction;
    (added, rebuilt, where the reviews went).

    For a file that at least doubles the log (a first import on a new machine): the log's indexes are
    dropped and made again from the whole table, which is a fraction of the cost of keeping them up to
    date row by row (review ids, and so the primary key's order, are random). Made from the SQL that
    made them, inside the transaction: a kill leaves them as they were. The triggers that keep the sums
    of answers go too (each looks a card's day up in an index, and a row at a time costs +47 % on bulk
    inserts); the sums are filled again from the whole log afterwards, as `doctor --fix` does."""
    (before,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()
    schema = _drop_indexes_and_triggers(db)
    # Each card's answers side by side in the table: the rebuild below reads them card after card.
    db.execute(f"INSERT OR IGNORE INTO reviews ({_COLUMNS}) SELECT {_COLUMNS} FROM temp.incoming "
               "ORDER BY deck, card, reviewed_at")
    (added,) = db.execute("SELECT changes()").fetchone()
    progress(Stage.INDEX, 0, None)
    _remake(db, schema)
    progress(Stage.SUMS, 0, None)
    fill_sums_from_log(db)
    gained = set(db.execute("SELECT DISTINCT deck, card FROM reviews NOT INDEXED WHERE rowid > ?", (before,)))
    merged = [group for group in groups if group[:2] in gained]
    # A chunk at a time: not the states of 100,000 cards held at once.
    rebuilt = _rebuilt_in_chunks(db, replay, _chunks(merged, cards), len(merged), progress)
    progress(Stage.SAVE, 0, None)
    return added, rebuilt, [("reviews", before + 1, before + added)] if added else []


def _rebuilt_in_chunks(db, replay: Replay, chunks: Iterator[list[CardKey]], cards: int, progress: Progress,
                       firsts: FirstReviews | None = None) -> int:
    """`log.rebuild` of each chunk of cards in turn, telling `progress` how many of `cards` are done; the
    number of states rebuilt."""
    rebuilt = done = 0
    for chunk in chunks:
        rebuilt += len(log.rebuild(db, replay, chunk, firsts))
        done += len(chunk)
        progress(Stage.REBUILD, done, cards)
    return rebuilt


def _drop_indexes_and_triggers(db) -> list[tuple[str, str, str]]:
    """Drop the log's indexes and triggers; returns what `_remake` needs to make them again."""
    schema = db.execute("SELECT type, name, sql FROM main.sqlite_master "
                        "WHERE type IN ('index', 'trigger') AND tbl_name = 'reviews' AND sql IS NOT NULL").fetchall()
    for kind, name, _ in schema:
        db.execute(f'DROP {kind.upper()} main."{name}"')
    return schema


def _remake(db, schema: list[tuple[str, str, str]]) -> None:
    """Indexes and triggers of the log that `_drop_indexes_and_triggers` dropped, made again from the whole table."""
    for _, _, sql in schema:
        db.execute(sql)


def _merge(db, cards: list[CardKey], replay: Replay) -> tuple[int, int]:
    """Add the incoming reviews of `cards` to the log and rebuild those that gained any; (added, rebuilt)."""
    (last_before,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()
    db.execute("CREATE TEMP TABLE IF NOT EXISTS merging (deck TEXT, card TEXT, PRIMARY KEY (deck, card))")
    db.execute("DELETE FROM temp.merging")
    db.executemany("INSERT INTO temp.merging VALUES (?, ?)", cards)
    db.execute(
        f"INSERT OR IGNORE INTO reviews ({_COLUMNS}) SELECT {', '.join('i.' + c for c in _COLUMNS.split(', '))} "
        # CROSS JOIN: SQLite would otherwise walk all of temp.incoming for each chunk of cards.
        "FROM temp.merging m CROSS JOIN temp.incoming i ON i.deck = m.deck AND i.card = m.card ORDER BY i.reviewed_at"
    )
    (added,) = db.execute("SELECT changes()").fetchone()
    # NOT INDEXED: read only the rows just added, not an index of the whole log.
    touched = db.execute("SELECT DISTINCT deck, card FROM reviews NOT INDEXED WHERE rowid > ?",
                         (last_before,)).fetchall()
    return added, len(log.rebuild(db, replay, touched))


class _Invalid(ValueError):
    """A value in a progress file that cannot be a review's."""


_VERDICTS = tuple(outcome.value for outcome in Outcome)
_ANSWER_KINDS = tuple(kind.value for kind in AnswerKind)
_PHASES = tuple(phase.value for phase in Phase)


@dataclass(frozen=True)
class _Window:
    """The times a review may carry, as of `now`."""

    now: datetime

    @property
    def answered(self) -> tuple[datetime, datetime, str]:
        return EARLIEST, self.now + CLOCK_SLACK, "no answer is older than 1970 or given after tomorrow"

    @property
    def due(self) -> tuple[datetime, datetime, str]:
        return (EARLIEST, self.now + CLOCK_SLACK + LONGEST_INTERVAL,
                "no card is due before 1970 or more than 100 years from now")


def _exported(window: _Window) -> Callable[[str], tuple | None]:
    """A quick reading of a review line exactly as `progress export` writes it (its keys in its order, its
    spacing, times in the stored form, text without escapes) as a `reviews` row; None for any other line,
    which `_row` reads instead, and explains if it is wrong. JSON parsing was most of an import's reading."""
    text = r'"([^"\\\x00-\x1f]+)"'
    # The time of day checked here, the date by `real_day` below: a study log spans a few hundred days.
    stored_time = r'"((\d{4}-\d\d-\d\d)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}\+00:00)"'

    def one_of(values: tuple[str, ...]) -> str:
        return '"(' + "|".join(map(re.escape, values)) + ')"'

    line = re.compile(
        "{" + ", ".join(f'"{key}": {value}' for key, value in (
            ("review_id", text), ("deck", text), ("card", text), ("reviewed_at", stored_time), ("rating", "([1-4])"),
            ("verdict", one_of(_VERDICTS)), ("response", text.replace("]+", "]*")),
            ("duration_ms", r"(0|[1-9]\d{0,12})"), ("session", f"(?:null|{text})"), ("phase", one_of(_PHASES)),
            ("next_due", stored_time),
        )) + f'(?:, "kind": {one_of(_ANSWER_KINDS)})?(?:, "reschedules": (true|false))?' + "}[ \t\n\r]*"
    ).fullmatch
    # In the stored form text order is time order: the window's bounds compare as text.
    earliest, answered, due = iso(window.answered[0]), iso(window.answered[1]), iso(window.due[1])
    real_days: set[str] = set()
    study = AnswerKind.STUDY.value

    def real_day(day: str) -> bool:  # no 13th month, no 30th of February
        if day not in real_days:
            try:
                datetime.fromisoformat(day)
            except ValueError:
                return False
            real_days.add(day)
        return True

    def exported(line_text: str) -> tuple | None:
        found = line(line_text)
        if found is None:
            return None
        (review_id, deck, card, at, at_day, rating, verdict, response, ms, session, phase, next_due, due_day, kind,
         again) = found.groups()
        if not (earliest <= at <= answered and earliest <= next_due <= due and int(ms) <= LONGEST_ANSWER_MS
                and real_day(at_day) and real_day(due_day)):
            return None
        if not line_text.isascii():
            try:
                line_text.encode("utf-8")  # no lone surrogate (standard input may carry one)
            except UnicodeEncodeError:
                return None
        return (review_id, deck, card, at, int(rating), verdict, response, int(ms), session, phase, next_due,
                kind or study, 0 if again == "false" else 1)

    return exported


def _row(text: str, number: int, source: str, window: _Window) -> tuple:
    """One line of a progress file as a `reviews` row (or an `events` row, for a line with an `event` key),
    or ProgressFileError saying what is wrong."""
    try:
        review = json.loads(text)
    except ValueError as exc:
        raise ProgressFileError(source, number, f"not JSON ({exc})") from None
    except RecursionError:
        raise ProgressFileError(source, number, "not JSON (nested too deeply)") from None
    if not isinstance(review, dict):
        raise ProgressFileError(
            source, number, "each line must be one review: a JSON object with the keys of `history --reviews --json`"
        )
    try:
        if "event" in review:
            return _event_row(review, window)
        return (
            _text(review, "review_id"), _text(review, "deck"), _text(review, "card"),
            _time(review, "reviewed_at", window.answered),
            _whole(review, "rating", 1, 4), _one_of(review, "verdict", _VERDICTS),
            _text(review, "response", empty=True), _whole(review, "duration_ms", 0, LONGEST_ANSWER_MS),
            _text(review, "session", null=True), _one_of(review, "phase", _PHASES),
            _time(review, "next_due", window.due),
            # Files written before quizzes have neither key: every answer in them was a study answer.
            _one_of(review, "kind", _ANSWER_KINDS) if "kind" in review else AnswerKind.STUDY.value,
            int(_flag(review, "reschedules")) if "reschedules" in review else 1,
        )
    except KeyError as exc:
        raise ProgressFileError(source, number, f"missing '{exc.args[0]}'") from None
    except _Invalid as exc:
        raise ProgressFileError(source, number, str(exc)) from None


_KINDS = tuple(kind.value for kind in EventKind)


def _event_row(event: dict, window: _Window) -> tuple:
    """An event line as an `events` row; a void names the review it cancels, a bury when it ends."""
    kind = _one_of(event, "event", _KINDS)
    data = event.get("data", {})
    if type(data) is not dict:
        raise _Invalid(f"'data' must be a JSON object, not {_shown(data)}")
    if kind == EventKind.BURY.value:
        _time(data, "until", window.due)
    if kind in (EventKind.ACCEPT.value, EventKind.UNACCEPT.value):
        if set(data) != {"response"}:
            raise _Invalid(f"an {kind}'s 'data' must be {{\"response\": TEXT}}, not {_shown(data)}")
        _text(data, "response")
    target = _text(event, "target") if kind == EventKind.VOID.value else _absent(event, "target")
    quiz = kind == EventKind.QUIZ.value  # a quiz's record belongs to no card: its deck and card are ""
    if quiz:
        if (event.get("deck"), event.get("card")) != ("", ""):
            raise _Invalid("a quiz record's 'deck' and 'card' must be \"\" (it belongs to no card)")
        try:
            record = QuizRecord.from_dict(data)
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
        if record.quiz_id != event.get("event_id"):
            raise _Invalid("a quiz record's 'quiz' must be its 'event_id'")
    return (_text(event, "event_id"), kind, _text(event, "deck", empty=quiz), _text(event, "card", empty=quiz),
            _time(event, "at", window.answered), target, json.dumps(data, sort_keys=True))


def _flag(review: dict, key: str) -> bool:
    value = review[key]
    if type(value) is not bool:
        raise _Invalid(f"'{key}' must be true or false, not {_shown(value)}")
    return value


def _absent(event: dict, key: str) -> None:
    if event.get(key) is not None:
        raise _Invalid(f"'{key}' is only for a void, not {_shown(event['event'])}")
    return None


def _text(review: dict, key: str, *, empty: bool = False, null: bool = False) -> str | None:
    value = review[key]
    if value is None and null:
        return None
    if type(value) is not str or not (value or empty):
        raise _Invalid(f"'{key}' must be {'text' if empty else 'non-empty text'}, not {_shown(value)}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # JSON's "\ud800" escape: half of a UTF-16 pair, not a character
            bad = exc.object[exc.start:exc.end]
            raise _Invalid(f"'{key}' holds {bad!r}, a lone surrogate that is not text") from None
    return value


def _time(review: dict, key: str, window: tuple[datetime, datetime, str]) -> str:
    value = _text(review, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"'{key}' must be a date and time like 2026-03-02T12:00:00+00:00, not {_shown(value)}") from None
    if moment.tzinfo is None:
        raise _Invalid(f"'{key}' must include a time zone (UTC offset), not {_shown(value)}")
    earliest, latest, why = window
    if not earliest <= moment <= latest:
        raise _Invalid(f"'{key}' {_shown(value)} is not between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d}: {why}")
    # Already in the stored form (as `progress export` writes it): keep the text, a third of the cost.
    if len(value) == 32 and value[10] == "T" and value[19] == "." and value.endswith("+00:00"):
        return value
    return iso(moment)


def _whole(review: dict, key: str, low: int, high: int) -> int:
    value = review[key]
    if type(value) is not int or not low <= value <= high:
        allowed = f"{', '.join(map(str, range(low, high)))} or {high}" if high - low < 5 else f"a whole number from {low} to {high}"
        raise _Invalid(f"'{key}' must be {allowed}, not {_shown(value)}")
    return value


def _shown(value: object) -> str:
    """A value quoted in a message, cut short: a line of the file may be megabytes long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_of(review: dict, key: str, allowed: tuple[str, ...]) -> str:
    value = review[key]
    if value not in allowed:
        raise _Invalid(f"'{key}' must be one of {', '.join(allowed)}, not {_shown(value)}")
    return value


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


def check(store: Store, installed: set[CardKey], replay: Replay, progress: Progress = unwatched) -> Checkup:
    """Integrity, progress on cards no longer installed, and cached states that disagree with a replay."""
    progress(Stage.INTEGRITY, 0, None)
    result = Checkup(integrity=integrity_problems(store))
    if result.integrity:
        return result  # reading further from a damaged file proves nothing
    cached, cached_flags, cached_accepted = dict(log.states(store.db)), log.flags(store.db), log.accepted(store.db)
    seen: set[CardKey] = set()
    for key, entries, events in log.logs(store.db):
        seen.add(key)
        if len(seen) % _BATCH == 0:
            progress(Stage.REPLAY, len(seen), None)
        state, flags = log.replay_card(entries, events, replay)
        if (cached.get(key) != state or cached_flags.get(key, log.Flags()) != replace(flags, accepted=())
                or cached_accepted.get(key, ()) != flags.accepted):
            result.disagreeing.append(key)
    # A state, flag or accepted response with no log behind it.
    result.disagreeing += sorted((set(cached) | set(cached_flags) | set(cached_accepted)) - seen)
    result.disagreeing += sorted(set(log.voided_disagreeing(store.db)) - set(result.disagreeing))
    keys = seen | set(cached)
    result.cards = len(keys)
    for deck, _ in sorted(keys - installed):
        result.orphaned[deck] = result.orphaned.get(deck, 0) + 1
    return result

