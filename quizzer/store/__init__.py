"""Progress in SQLite; the only place that runs SQL.

The append-only `reviews` and `events` tables are the truth (docs/events.md). `cards`, `card_flags` and
`accepted` cache each card's FSRS state, flags and accepted responses and can be rebuilt from the log at any time. The `answers` view
is the answers that count (none voided): what statistics, history and daily limits read.
Every answer is one transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

from quizzer.model import CardState, Deck, Event, EventKind, Phase, Review
from quizzer.store import log
from quizzer.store.log import CardKey, Flags, Replay, iso, parse_time
from quizzer.store.migrations import FUNCTIONS, MIGRATIONS
from quizzer.store.sums import SUMS_FROM_LOG, fill_sums_from_log

BUSY_TIMEOUT_MS = 10_000
KEEP_BACKUPS = 3
FULL_BELOW = 1024 * 1024  # free bytes under which an I/O error is taken for a full disk

# An answer counts as right when judged right (or counted right by the learner), and a flash card or an
# answer from Anki when rated above Again: one rule for statistics and the end-of-session summary.
RIGHT = "(verdict IN ('correct', 'close', 'overridden') OR (verdict IN ('self', 'anki') AND rating > 1))"

# What the CLI catches when a read finds the database damaged mid-command (it never imports sqlite3).
SQLiteError = sqlite3.DatabaseError


class StoreError(Exception):
    """The progress database cannot be used; the message says what to do."""


class StoreBusy(StoreError):
    """Another process held the write lock for the whole busy timeout; trying again may succeed."""


def explain(exc: sqlite3.Error | OSError, path: Path) -> StoreError:
    """A StoreError that names the file and what to do, by the kind of failure SQLite reported."""
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+; older versions only have the message
    text = str(exc).lower()
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return StoreError(
            f"{path} is damaged or is not a quizzer database ({exc}). quizzer has not changed it; move it aside "
            f"and restore a copy from {path.parent / 'backups'} or one made with `quizzer backup`."
        )
    if name.startswith("SQLITE_FULL") or "full" in text or (
        (name.startswith("SQLITE_IOERR") or "disk i/o error" in text) and _no_room(path.parent)
    ):
        return StoreError(f"could not save to {path}: the disk is full ({exc}). Earlier answers are safe.")
    if isinstance(exc, OSError) or name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or (
        "readonly" in text or "unable to open" in text
    ):
        return StoreError(
            f"cannot write to {path} ({exc}); make sure you may write to it and to its folder {path.parent}, "
            "or set QUIZZER_HOME to a folder you can write to."
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StoreBusy(
            f"{path} stayed locked by another program for {BUSY_TIMEOUT_MS // 1000} s ({exc}); try again. "
            "Earlier answers are safe."
        )
    return StoreError(f"could not use {path}: {exc}. Earlier answers are safe.")


def _no_room(folder: Path) -> bool:
    """Whether the disk holding `folder` is full, or as good as: SQLite reports some writes that fail for
    want of space (growing the WAL index when a session starts) as a plain I/O error."""
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):  # no such folder; no statvfs on Windows
        return False
    return info.f_bavail * info.f_frsize < FULL_BELOW


class Store:
    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # timeout: SQLite's busy handler waits this long for another terminal's write (PRAGMA busy_timeout).
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise explain(exc, path) from exc
        try:
            self._use_wal()
            # FULL: a commit is on disk before the next question is shown.
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            for name, function in FUNCTIONS.items():
                self.db.create_function(name, -1, function, deterministic=True)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise explain(exc, path) from exc
        except StoreError:
            self.db.close()
            raise

    def _use_wal(self) -> None:
        # Switching a new file to WAL needs it alone for a moment, and SQLite reports "locked" at once
        # rather than waiting: two terminals started together would otherwise fail.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------------

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {name for (name,) in self.db.execute("SELECT name FROM migrations")}
        known = {name for name, _ in MIGRATIONS}
        unknown = sorted(done - known)
        if unknown:
            raise StoreError(
                f"{self.path} was written by a newer quizzer (migration {unknown[-1]}); "
                "upgrade quizzer to use it. Nothing was changed."
            )
        pending = [(name, sql) for name, sql in MIGRATIONS if name not in done]
        if pending and done:
            self._backup_before(pending[0][0])
        for name, sql in pending:
            self.transaction(lambda: self._apply(name, sql))

    def _apply(self, name: str, sql: str) -> None:
        # Checked again inside the write lock: another process may have just applied it.
        if self.db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
            return
        for statement in _statements(sql):
            self.db.execute(statement)
        self.db.execute("INSERT INTO migrations VALUES (?, ?)", (name, iso(datetime.now(timezone.utc))))

    def _backup_before(self, migration: str) -> None:
        folder = self.path.parent / "backups"
        folder.mkdir(exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        self.backup(folder / f"quizzer-{stamp}-before-{migration}.db")
        for old in sorted(folder.glob("quizzer-*-before-*.db"))[:-KEEP_BACKUPS]:
            old.unlink()

    def backup(self, target: Path) -> None:
        """A consistent copy of the database, even while another process writes to it.

        The copy is made beside `target`, checked, and only then renamed to it: a crash never leaves
        a half-written file that looks like a backup.
        """
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(handle)
        try:
            copy = sqlite3.connect(temporary)
            try:
                self.db.backup(copy)
                (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
            finally:
                copy.close()
            if verdict != "ok":
                problem = " ".join(verdict.split())
                raise StoreError(f"the copy of {self.path} failed its check ({problem}); run `quizzer doctor`")
            os.replace(temporary, target)
        except sqlite3.DatabaseError as exc:
            raise explain(exc, self.path) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    def transaction(self, work, *, lock: bool = True):
        """Run `work()` in one transaction: all of it is saved, or none of it.

        `lock=False` for work that writes only temporary tables: other processes may write meanwhile."""
        try:
            self.db.execute("BEGIN IMMEDIATE" if lock else "BEGIN")
            try:
                result = work()
                self.db.execute("COMMIT")
                return result
            except BaseException:
                # SQLite may have rolled back already (a full disk does): a second ROLLBACK would fail
                # and hide the real error.
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            if type(exc) not in (sqlite3.DatabaseError, sqlite3.OperationalError):
                raise  # a constraint or programming error is a bug, not a condition to explain
            raise explain(exc, self.path) from exc

    # -- writing ----------------------------------------------------------------------------

    def start_session(self, session_id: str, decks: Iterable[str], at: datetime) -> None:
        self.transaction(
            lambda: self.db.execute(
                "INSERT INTO sessions (session_id, started_at, decks) VALUES (?, ?, ?)",
                (session_id, iso(at), json.dumps(list(decks))),
            )
        )

    def end_session(self, session_id: str, at: datetime) -> None:
        self.transaction(
            lambda: self.db.execute("UPDATE sessions SET ended_at = ? WHERE session_id = ?", (iso(at), session_id))
        )

    def record(
        self, review: Review, phase_before: Phase, after: CardState, *,
        based_on: CardState | None = None, replay: Replay | None = None, accept: str | None = None,
    ) -> CardState:
        """Append the review and update the card's cached state, in one transaction; returns the state saved.

        A review that does not reschedule (a quiz answer without --reschedule) leaves the cached state as
        it is: the replay skips it too. With `replay`, `after` is trusted only if the card's cached state is still `based_on` (the state
        the answer was scheduled from). If another process answered the card meanwhile, the state is
        rebuilt from the card's whole log, so it always equals a replay. With `accept`, an `accept` event
        makes that response count as right for the card from now on, saved in the same transaction.
        """
        key = (review.deck, review.card)

        def work() -> CardState:
            saved, phase, raced = after, phase_before, False
            if replay is not None and review.reschedules:
                expected = None if based_on is None or based_on.phase is Phase.NEW else based_on
                if not log.put_state_if(self.db, key, after, expected):
                    current = log.state(self.db, key)
                    phase, raced = (current.phase if current else Phase.NEW), True
            elif review.reschedules:  # else a quiz answer: the schedule stays as it was
                log.put_state(self.db, key, after)
            self.db.execute(
                f"INSERT INTO reviews ({_REVIEW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    review.review_id, review.deck, review.card, iso(review.reviewed_at), int(review.rating),
                    review.verdict.value, review.response, review.duration_ms, review.session,
                    phase.value, iso(after.due), review.kind.value, int(review.reschedules),
                ),
            )
            if raced:
                saved = log.rebuild(self.db, replay, [key])[key]
                self.db.execute("UPDATE reviews SET due_after = ? WHERE review_id = ?",
                                (iso(saved.due), review.review_id))
            if accept is not None:
                log.append_events(self.db, [Event(str(uuid.uuid4()), EventKind.ACCEPT, *key, review.reviewed_at,
                                                  data={"response": accept})])
                log.refill_accepted(self.db, key)
            return saved

        return self.transaction(work)

    def add_events(self, events: Iterable[Event], replay: Replay) -> dict[CardKey, CardState]:
        """Append events and rebuild the cards they touch, in one transaction; returns their new states."""
        return self.transaction(lambda: log.rebuild(self.db, replay, log.append_events(self.db, events)))

    def import_answers(
        self, answers: Iterable[tuple[Review, Phase, datetime]], events: Iterable[Event], replay: Replay, *,
        then: Callable[[], None] = lambda: None,
    ) -> tuple[int, int]:
        """Append answers from another program (each with its card's phase before it and due date after it)
        and events, and rebuild the cards that gained any, in one transaction; `then()` runs last inside
        it, so if it fails nothing is saved. Returns (answers added, events added).

        An answer is left out when its id is here, or when its card has an answer given in the same
        millisecond: one of quizzer's own that went to the other program and came back."""

        def work() -> tuple[int, int]:
            db = self.db
            db.execute("CREATE TEMP TABLE IF NOT EXISTS incoming_answers AS SELECT * FROM reviews WHERE 0")
            db.execute("DELETE FROM temp.incoming_answers")
            db.executemany(
                f"INSERT INTO temp.incoming_answers ({_REVIEW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((r.review_id, r.deck, r.card, iso(r.reviewed_at), int(r.rating), r.verdict.value, r.response,
                  r.duration_ms, r.session, phase.value, iso(due), r.kind.value, int(r.reschedules))
                 for r, phase, due in answers),
            )
            (last_before,) = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM reviews").fetchone()
            # Times are stored in UTC with a fixed width: their first 23 characters name the millisecond.
            db.execute(
                f"INSERT OR IGNORE INTO reviews ({_REVIEW_COLUMNS}) SELECT {_REVIEW_COLUMNS} FROM temp.incoming_answers i "
                "WHERE NOT EXISTS ("
                "SELECT 1 FROM reviews r WHERE r.deck = i.deck AND r.card = i.card "
                "AND substr(r.reviewed_at, 1, 23) = substr(i.reviewed_at, 1, 23)) ORDER BY reviewed_at"
            )
            (added,) = db.execute("SELECT changes()").fetchone()
            db.execute("DROP TABLE temp.incoming_answers")
            touched = db.execute("SELECT DISTINCT deck, card FROM reviews NOT INDEXED WHERE rowid > ?",
                                 (last_before,)).fetchall()
            before = db.total_changes
            touched += log.append_events(db, events)
            events_added = db.total_changes - before
            log.rebuild(db, replay, dict.fromkeys(touched))
            then()
            return added, events_added

        return self.transaction(work)

    def remove_accepted(self, deck: str, card: str, response: str, at: datetime) -> bool:
        """Append an `unaccept` of a response accepted for the card, at `at`; False if it is not accepted."""

        def work() -> bool:
            if not self.db.execute("SELECT 1 FROM accepted WHERE deck = ? AND card = ? AND response = ?",
                                   (deck, card, response)).fetchone():
                return False
            log.append_events(self.db, [Event(str(uuid.uuid4()), EventKind.UNACCEPT, deck, card, at,
                                              data={"response": response})])
            log.refill_accepted(self.db, (deck, card))
            return True

        return self.transaction(work)

    def delete_deck_progress(self, deck: str) -> int:
        """Delete a deck's answers, card states and accepted responses in one transaction; returns the answers deleted."""

        def work() -> int:
            # First: a rowid freed below may be given to a later answer, which must not count as voided.
            self.db.execute("DELETE FROM voided WHERE review_rowid IN (SELECT rowid FROM reviews WHERE deck = ?)",
                            (deck,))
            deleted = self.db.execute("DELETE FROM reviews WHERE deck = ?", (deck,)).rowcount
            self.db.execute("DELETE FROM events WHERE deck = ?", (deck,))
            self.db.execute("DELETE FROM card_flags WHERE deck = ?", (deck,))
            self.db.execute("DELETE FROM cards WHERE deck = ?", (deck,))
            self.db.execute("DELETE FROM accepted WHERE deck = ?", (deck,))
            return deleted

        return self.transaction(work)

    def rebuild_states(self, replay: Replay, keys: Iterable[CardKey] | None = None) -> int:
        """Recompute the cached states of `keys` (all cards when None) from the review log; returns how many."""
        return len(self.transaction(lambda: log.rebuild(self.db, replay, keys)))

    def reschedule(self, replay: Replay) -> tuple[int, int]:
        """Rebuild every card's state with `replay` (new FSRS parameters), in one transaction; returns how many
        cards' due dates moved earlier and how many later."""

        def work() -> tuple[int, int]:
            before = {key: state.due for key, state in log.states(self.db)}
            after = log.rebuild(self.db, replay)
            earlier = sum(1 for key, state in after.items() if key in before and state.due < before[key])
            later = sum(1 for key, state in after.items() if key in before and state.due > before[key])
            return earlier, later

        return self.transaction(work)

    # -- the per-day sums (answer_days) -------------------------------------------------------

    def answer_days_from(self, start: datetime) -> bool:
        """Whether the `answer_days` cells begin at `start`'s time of day (UTC), so that study days starting
        then are one cell each. If they begin at another time (a new time zone, day start or daylight-saving
        time) they are moved there and refilled from the log, once; False if that cannot be saved, or
        `start` is not on a whole minute."""
        text = iso(start)
        if text[16:] != ":00.000000+00:00":
            return False
        anchor = text[11:16]
        if self._anchor() == anchor:
            return True

        def move() -> None:
            if self._anchor() != anchor:  # checked again inside the write lock: another process may have moved it
                self.db.execute("UPDATE answer_days_anchor SET anchor = ?", (anchor,))
                fill_sums_from_log(self.db, ["answer_days"])

        try:
            self.transaction(move)
        except StoreError:  # a read-only file, or one locked too long: the log still answers
            return False
        return True

    def _anchor(self) -> str:
        (anchor,) = self.db.execute("SELECT anchor FROM answer_days_anchor").fetchone()
        return anchor

    def sums_disagreeing(self) -> list[tuple[str, tuple]]:
        """(table, key) of the rows of the tables of sums that differ from the sums of the log, for `doctor`:
        keys are (day, deck) in `answer_days`, (deck, card) in `answer_cards`, (session, deck) in
        `answer_sessions`."""
        found: list = []
        for table, from_log in SUMS_FROM_LOG.items():
            rows = self.db.execute(
                f"WITH expected AS MATERIALIZED ({from_log}) "
                f"SELECT * FROM (SELECT * FROM expected EXCEPT SELECT * FROM {table}) "
                f"UNION SELECT * FROM (SELECT * FROM {table} EXCEPT SELECT * FROM expected) ORDER BY 1, 2")
            found += dict.fromkeys((table, tuple(row[:2])) for row in rows)  # a changed row shows twice
        return found

    def refill_sums(self) -> None:
        """Refill the tables of sums from the log, in one transaction (`doctor --fix`)."""
        self.transaction(lambda: fill_sums_from_log(self.db))

    # -- reading ----------------------------------------------------------------------------

    def state(self, key: CardKey) -> CardState | None:
        """One card's cached state; None for a card never answered."""
        return log.state(self.db, key)

    def states(self, decks: Iterable[str], *, due_before: datetime | None = None) -> dict[CardKey, CardState]:
        """Cached states of every reviewed card in `decks` (only those due before `due_before`, if given);
        cards never reviewed are absent."""
        return {(deck, card): log.card_state(*state) for deck, card, *state in self.state_rows(decks, due_before)}

    def state_rows(self, decks: Iterable[str], due_before: datetime | None = None, *,
                   reviews: bool = False) -> sqlite3.Cursor:
        """`states` as rows (deck, card, phase, due, step, stability, difficulty, last_review), for a caller
        that makes the states of a few of many (`row_state`). `reviews`: only cards out of learning and
        relearning, most overdue first, so the caller reads only as far as it needs (`due` is UTC text of
        fixed width: text order is time order)."""
        deck_list = list(decks)
        marks = ",".join("?" * len(deck_list))
        due = "" if due_before is None else " AND due < ?"
        phase = " AND phase NOT IN ('learning', 'relearning') ORDER BY due" if reviews else ""
        return self.db.execute(
            f"SELECT deck, card, phase, due, step, stability, difficulty, last_review FROM cards "
            f"WHERE deck IN ({marks}){due}{phase}",
            deck_list if due_before is None else [*deck_list, iso(due_before)],
        )

    @staticmethod
    def row_state(row: Sequence) -> CardState:
        """The CardState of a `state_rows` row."""
        return log.card_state(*row[2:])

    def reviewed(self, decks: Iterable[str]) -> set[CardKey]:
        """Every card in `decks` with a state, i.e. answered at least once. Much cheaper than reading their
        states."""
        deck_list = list(decks)
        marks = ",".join("?" * len(deck_list))
        return set(self.db.execute(f"SELECT deck, card FROM cards WHERE deck IN ({marks})", deck_list))

    def answered_and_due(self, decks: Sequence[Deck], due_before: datetime) -> dict[str, tuple[int, int]]:
        """Per deck: how many of its cards have a state (were answered) and how many of those are due before
        `due_before`; a deck none of whose cards has a state is absent. States of cards gone from the deck's
        file do not count. SQLite hands over each deck's answered ids as JSON text and counts its due
        states: a deck whose every card is answered (`Deck.has_exactly`) takes both counts as they are,
        with no id parsed; another's answered and due ids are counted with sets. Looking each card's id up
        in SQLite took twice as long at 100,000 cards, and parsing and hashing every id a third (issue 14)."""
        by_id = {d.id: d for d in decks}
        rows = self.db.execute(
            f"SELECT deck, count(*), json_group_array(card), count(*) FILTER (WHERE due < ?) FROM cards "
            f"WHERE deck IN ({','.join('?' * len(by_id))}) GROUP BY deck",
            [iso(due_before), *by_id],
        ).fetchall()
        counts = {}
        for deck_id, count, answered, due in rows:
            deck = by_id[deck_id]
            if deck.has_exactly(count, answered):
                counts[deck_id] = (count, due)
                continue
            named = set(deck.card_ids)
            if found := len(named.intersection(json.loads(answered))):
                (due_ids,) = self.db.execute("SELECT json_group_array(card) FROM cards WHERE deck = ? AND due < ?",
                                             (deck_id, iso(due_before))).fetchone()
                counts[deck_id] = (found, len(named.intersection(json.loads(due_ids))))
        return counts

    def answered_and_learning(
        self, decks: Iterable[str], due_before: datetime,
    ) -> dict[str, tuple[int, str, list[tuple[str, Phase, datetime, int | None]]]]:
        """Per deck in `decks` with a card answered: how many of its cards have a state, their ids as a
        JSON array (by code point, the text `model.ids_json` makes of them), and (card, phase, due, step)
        of those in learning or relearning due before `due_before`; other decks are absent. One pass over
        the table, each deck's ids and learning cards as JSON arrays: a row per card costs SQLite and
        Python more, and reading the two apart costs a second pass. The ids are left as text: a deck whose
        every card is answered is found by comparing it with the deck's, with no id parsed (issue 14)."""
        deck_list = list(decks)
        rows = self.db.execute(
            f"SELECT deck, count(*), json_group_array(card), json_group_array(json_array(card, phase, due, step)) "
            f"FILTER (WHERE phase IN ('learning', 'relearning') AND due < ?) FROM cards "
            f"WHERE deck IN ({','.join('?' * len(deck_list))}) GROUP BY deck",
            [iso(due_before), *deck_list],
        )
        found = {}
        for deck, count, ids, learning in rows:
            cards, phases, dues, steps = list(zip(*json.loads(learning))) or [()] * 4  # columns: loops in C
            found[deck] = (count, ids, list(zip(cards, map(log.PHASES.__getitem__, phases),
                                                log.parse_times(dues), steps)))
        return found

    def flags(self) -> dict[CardKey, Flags]:
        """Cards suspended, buried or flagged as leeches (others are absent)."""
        return log.flags(self.db)

    def hidden(self, now: datetime) -> set[CardKey]:
        """Cards not to be asked at `now`: suspended, or buried until later."""
        rows = self.db.execute("SELECT deck, card FROM card_flags WHERE suspended OR buried_until > ?", (iso(now),))
        return set(rows)

    def lapses(self, deck: str, card: str) -> int:
        """Again on a card in review, voided answers and quiz answers that did not reschedule not counted."""
        (count,) = self.db.execute(
            "SELECT COUNT(*) FROM scheduled WHERE deck = ? AND card = ? AND phase = 'review' AND rating = 1",
            (deck, card)
        ).fetchone()
        return count

    def answer_count(self, deck: str) -> int:
        """How many answers the review log holds for a deck."""
        (count,) = self.db.execute("SELECT COUNT(*) FROM reviews WHERE deck = ?", (deck,)).fetchone()
        return count

    def new_cards_since(self, since: datetime) -> dict[str, int]:
        """How many cards per deck had their first review at or after `since` (a quiz answer that did not
        reschedule leaves a card new)."""
        if self.answer_days_from(since):
            rows = self.db.execute("SELECT deck, SUM(scheduled_new) FROM answer_days WHERE day >= ? "
                                   "GROUP BY deck HAVING SUM(scheduled_new) > 0", (iso(since)[:10],))
        else:
            rows = self.db.execute(
                "SELECT deck, COUNT(*) FROM scheduled WHERE reviewed_at >= ? AND phase = 'new' GROUP BY deck",
                (iso(since),),
            )
        return dict(rows.fetchall())

    def review_answers_since(self, since: datetime) -> int:
        """Answers given since `since` to cards that were in review (counted against the daily limit; quiz
        answers only if they rescheduled)."""
        if self.answer_days_from(since):
            (count,) = self.db.execute("SELECT COALESCE(SUM(scheduled_reviews), 0) FROM answer_days WHERE day >= ?",
                                       (iso(since)[:10],)).fetchone()
        else:
            (count,) = self.db.execute(
                "SELECT COUNT(*) FROM scheduled WHERE reviewed_at >= ? AND phase = 'review'", (iso(since),)
            ).fetchone()
        return count

    def training_answers(self) -> Iterator[tuple[str, str, datetime, int]]:
        """The answers FSRS's optimizer learns from, as (deck, card, time, rating), card after card, oldest
        first: those that count (none voided) and shaped the schedule (no quiz answer given without
        --reschedule). The one place that chooses them."""
        rows = self.db.execute("SELECT deck, card, reviewed_at, rating FROM scheduled ORDER BY deck, card, reviewed_at")
        return ((deck, card, parse_time(at), rating) for deck, card, at, rating in rows)

    def accepted(self, decks: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
        """Remembered (deck, card, response) alternatives, for some decks or all (the `accepted` cache)."""
        rows = self.db.execute("SELECT deck, card, response FROM accepted ORDER BY deck, card, added_at")
        wanted = set(decks) if decks is not None else None
        return [row for row in rows if wanted is None or row[0] in wanted]

    def session_counts(self, session_id: str) -> dict[str, int]:
        """Counts for one session, from the review log."""
        row = self.db.execute(
            f"""
            SELECT COUNT(*), COUNT(DISTINCT deck || '/' || card),
                   COALESCE(SUM(phase = 'new'), 0), COALESCE(SUM(phase = 'review'), 0),
                   COALESCE(SUM({RIGHT}), 0),
                   CAST(TOTAL(duration_ms) AS INTEGER)
            FROM answers WHERE session = ?
            """,
            (session_id,),
        ).fetchone()
        answers, cards, new, reviews, right, duration = row
        return {
            "answers": answers, "cards": cards, "new": new, "reviews": reviews,
            "right": right, "wrong": answers - right, "duration_ms": duration,
        }

    def reviews(
        self, *, deck: str | None = None, card: str | None = None, since: datetime | None = None,
        limit: int | None = None, session: str | None = None, voided: bool = False, kind: str | None = None,
    ) -> list[dict]:
        """The answers that count, newest first, as plain dicts with the keys of `history --reviews --json`.

        Only one deck's (and one card's, one session's, one kind's) answers when given, only those at or
        after `since`. With `voided`, undone answers too, each with `"voided": true`."""
        return list(self.iter_reviews(deck=deck, card=card, since=since, limit=limit, session=session,
                                      voided=voided, kind=kind))

    def iter_reviews(
        self, *, deck: str | None = None, card: str | None = None, since: datetime | None = None,
        limit: int | None = None, session: str | None = None, voided: bool = False, kind: str | None = None,
    ) -> Iterator[dict]:
        """`reviews`, one at a time: a long log is never all in memory."""
        # With `voided`, every answer and whether it is voided; else only the answers that count.
        source, flag = (("reviews AS a LEFT JOIN voided ON review_rowid = a.rowid", ", review_rowid IS NOT NULL")
                        if voided else ("answers AS a", ""))
        query = (
            "SELECT review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, "
            f"phase, due_after, kind, reschedules{flag} FROM {source} WHERE 1"
        )
        params: list = []
        for column, value in (("deck = ?", deck), ("card = ?", card), ("reviewed_at >= ?", since),
                              ("session = ?", session), ("kind = ?", kind)):
            if value is not None:
                query += f" AND {column}"
                params.append(iso(value) if isinstance(value, datetime) else value)
        query += " ORDER BY reviewed_at DESC, review_id DESC"  # the replay's order: the same on every device
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        keys = ("review_id", "deck", "card", "reviewed_at", "rating", "verdict", "response", "duration_ms",
                "session", "phase", "next_due", "kind", "reschedules", "voided")
        for row in self.db.execute(query, params):
            answer = dict(zip(keys, row))
            answer["reschedules"] = bool(answer["reschedules"])
            if voided:
                answer["voided"] = bool(answer["voided"])
            yield answer


_REVIEW_COLUMNS = ("review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, "
                   "due_after, kind, reschedules")


def _statements(script: str) -> list[str]:
    # executescript() would commit on its own; splitting keeps each migration in our transaction.
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    return statements
