"""The cheapest durable answer a Python program can save with sqlite3, against Anki's whole answer.

Run: python benchmarks/bench_commit_floor.py [--answers N]

The floor: one row appended to a log table and one state row updated, in one transaction (BEGIN
IMMEDIATE … COMMIT) on a connection set up as quizzer's must be — WAL, `synchronous = FULL` (each commit
fsynced before the next answer), shared locking (another terminal may open the file meanwhile). No
trigger, no judging, no scheduling: what any Python program keeping quizzer's guarantees pays at least
for one answer. Beside it, in alternating rounds in the same process:

- the floor with the indexes quizzer's reads need (a unique review id for sync and import, the log by
  card for the replay, the log by time covering `stats`, the states by due time for the queue), still
  plain SQL from Python: what a Python program pays for quizzer's schema without its sums of answers;
- the same with three tables of sums of answers (per day, per card, per session: one row of each
  updated by each answer, as quizzer's `stats` and `history` read them);
- the floor with `locking_mode = exclusive` (Anki's choice, which would lock out a second terminal);
- the floor without the fsync (`synchronous = OFF`, for comparison only);
- quizzer's `Store.record` alone (its statements, triggers, indexes and sums, and the store's Python;
  each answer's review and states built before the clock starts);
- Anki's whole answer (get_queued_cards + build_answer + answer_card, anki_peer.py's loop) when `anki`
  is importable.

Prints the median wall and CPU time (this process's, which Anki's Rust backend runs in) per answer, bytes
written per answer (`/proc/self/io`'s wchar over each round, checkpoints included; a WAL frame is 4,120
bytes), and each CPU time against Anki's answer. docs/benchmarks.md "One answer, sixth round".
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from anki_peer import CARDS, FRAME, anki_available, anki_collection, anki_round, clocks, since, written

from quizzer.model import Outcome, Rating, Review
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store

ROUNDS = 6

MINIMAL = """
    CREATE TABLE log (id INTEGER PRIMARY KEY, card TEXT NOT NULL, at TEXT NOT NULL, rating INTEGER NOT NULL);
    CREATE TABLE state (card TEXT PRIMARY KEY, due TEXT NOT NULL) WITHOUT ROWID;
"""
INDEXED = """
    CREATE TABLE log (id INTEGER PRIMARY KEY, review_id TEXT NOT NULL UNIQUE, card TEXT NOT NULL,
                      at TEXT NOT NULL, rating INTEGER NOT NULL);
    CREATE INDEX log_by_card ON log (card, at);
    CREATE INDEX log_by_time ON log (at, card, rating);
    CREATE TABLE state (card TEXT PRIMARY KEY, due TEXT NOT NULL) WITHOUT ROWID;
    CREATE INDEX state_by_due ON state (due);
"""
# Sums of answers per day, per card and per session, each a row updated by the answer (quizzer's
# `answer_days`, `answer_cards`, `answer_sessions`, which its triggers keep)
SUMS = ("CREATE TABLE per_day (day TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID; "
        "CREATE TABLE per_card (card TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID; "
        "CREATE TABLE per_session (session TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;")
SUMMING = tuple(f"INSERT INTO {table} VALUES (?, 1) ON CONFLICT DO UPDATE SET n = n + 1"
                for table in ("per_day", "per_card", "per_session"))
# name → (pragmas run after WAL, schema)
FLOORS = {
    "floor: WAL, synchronous FULL, shared locking": (("PRAGMA synchronous = FULL",), MINIMAL),
    "floor with the indexes quizzer's reads need": (("PRAGMA synchronous = FULL",), INDEXED),
    "floor with those indexes and three sums of answers": (("PRAGMA synchronous = FULL",), INDEXED + SUMS),
    "floor, locking_mode exclusive (Anki's; not quizzer's)": (
        ("PRAGMA synchronous = FULL", "PRAGMA locking_mode = exclusive"), MINIMAL),
    "floor, synchronous OFF (no fsync; comparison only)": (("PRAGMA synchronous = OFF",), MINIMAL),
}
RECORD = "quizzer's Store.record alone (its connection, schema, triggers)"
ANKI = "Anki, get_queued_cards + build_answer + answer_card"


class Floor:
    def __init__(self, path: Path, pragmas: tuple[str, ...], schema: str):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        for pragma in pragmas:
            self.db.execute(pragma)
        self.db.executescript(schema)
        self.db.executemany("INSERT INTO state VALUES (?, '')", ((f"c{n}",) for n in range(CARDS)))
        self.insert = ("INSERT INTO log (review_id, card, at, rating) VALUES (?, ?, ?, 3)" if "review_id" in schema
                       else "INSERT INTO log (card, at, rating) VALUES (?, ?, 3)")
        self.summing = SUMMING if "per_day" in schema else ()

    def round(self, first: int, answers: int) -> list[tuple[float, float]]:
        samples = []
        for number in range(first, first + answers):
            card, at = f"c{number % CARDS}", f"2026-03-02T12:00:{number:09d}"
            row = (str(uuid.uuid4()), card, at) if "review_id" in self.insert else (card, at)
            start = clocks()
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(self.insert, row)
            self.db.execute("UPDATE state SET due = ? WHERE card = ?", (at, card))
            for statement, key in zip(self.summing, (at[:10], card, "session")):
                self.db.execute(statement, (key,))
            self.db.execute("COMMIT")
            samples.append(since(start))
        return samples

    def close(self) -> None:
        self.db.close()


class Recording:
    """quizzer's `Store.record` as a study session calls it, every answer Good, 1,000 cards in turn."""

    def __init__(self, path: Path):
        self.store, self.scheduler = Store(path), Scheduler()
        self.start = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
        self.states = [new_state(self.start)] * CARDS

    def round(self, first: int, answers: int) -> list[tuple[float, float]]:
        samples = []
        for number in range(first, first + answers):
            at, card, review_id = self.start + timedelta(seconds=number), number % CARDS, str(uuid.uuid4())
            before = self.states[card]
            after = self.scheduler.review(before, Rating.GOOD, at, review_id)
            review = Review(review_id, "peer", f"c{card}", at, Rating.GOOD, Outcome.CORRECT, "answer", 2000,
                            "session")
            start = clocks()
            self.states[card] = self.store.record(review, before.phase, after, based_on=before,
                                                  replay=lambda log: self.scheduler.replay(log, at))
            samples.append(since(start))
        return samples

    def close(self) -> None:
        self.store.close()


class Anki:
    def __init__(self, folder: Path):
        self.col = anki_collection(folder)

    def round(self, first: int, answers: int) -> list[tuple[float, float]]:
        return anki_round(self.col, answers)

    def close(self) -> None:
        self.col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1200, help="answers on each side (default 1200)")
    args = parser.parse_args()
    per_round = args.answers // ROUNDS
    with tempfile.TemporaryDirectory() as folder:
        sides = {name: Floor(Path(folder) / f"floor{i}.db", *setting)
                                      for i, (name, setting) in enumerate(FLOORS.items())}
        sides[RECORD] = Recording(Path(folder) / "quizzer.db")
        if anki_available():
            sides[ANKI] = Anki(Path(folder))
        samples = {name: [] for name in sides}
        wrote = dict.fromkeys(sides, 0)
        try:
            for round_ in range(ROUNDS):
                for name, side in sides.items():
                    before = written()
                    samples[name] += side.round(round_ * per_round, per_round)
                    wrote[name] += written() - before
        finally:
            for side in sides.values():
                side.close()
    print(f"{per_round * ROUNDS} answers each, {ROUNDS} alternating rounds, load average {os.getloadavg()[0]:.1f}")
    cpu = {name: statistics.median(s[1] for s in taken) * 1000 for name, taken in samples.items()}
    for name, taken in samples.items():
        per_answer = wrote[name] / len(taken)
        line = (f"  {name}: wall {statistics.median(s[0] for s in taken) * 1000:.3f} ms, CPU {cpu[name]:.3f} ms, "
                f"{per_answer / 1000:.1f} KB written ({per_answer / FRAME:.1f} frames' worth)")
        if ANKI in cpu and name != ANKI:
            line += f", CPU {cpu[name] / cpu[ANKI]:.2f}× Anki's whole answer"
        print(line)
    if ANKI not in cpu:
        print("  Anki: not installed (pip install anki)")


if __name__ == "__main__":
    main()
