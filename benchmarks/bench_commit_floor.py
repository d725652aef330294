"""The cheapest durable answer a Python program can save with sqlite3, against Anki's whole answer.

Run: python benchmarks/bench_commit_floor.py [--answers N]

The floor: one row appended to a log table and one state row updated, in one transaction (BEGIN
IMMEDIATE … COMMIT) on a connection set up as quizzer's must be — WAL, `synchronous = FULL` (each commit
fsynced before the next answer), shared locking (another terminal may open the file meanwhile). No
triggers, no secondary index, no judging, no scheduling: what any Python program keeping quizzer's
guarantees pays at least for one answer. Beside it, in alternating rounds in the same process:
the same floor with `locking_mode = exclusive` (Anki's choice, which quizzer cannot make), the floor
without the fsync (`synchronous = OFF`, for comparison only), quizzer's `Store.record` alone (its
statements, triggers, indexes and sums, and the store's Python; each answer's review and states built
before the clock starts), and Anki's whole answer
(get_queued_cards + build_answer + answer_card, anki_peer.py's loop) when `anki` is importable.
Prints the median wall and CPU time (this process's, which Anki's Rust backend runs in) per answer, and
each floor's CPU against Anki's answer. If the floor alone is at or above Anki's whole answer, no Python
program with these guarantees can reach 1.0×; docs/benchmarks.md "One answer, sixth round".
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

from anki_peer import CARDS, anki_available, anki_collection, anki_round, clocks, since

from quizzer.model import Outcome, Rating, Review
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store

ROUNDS = 6

# name → pragmas run after WAL and before the tables are made
FLOORS = {
    "floor: WAL, synchronous FULL, shared locking": ("PRAGMA synchronous = FULL",),
    "floor, locking_mode exclusive (Anki's; not quizzer's)": ("PRAGMA synchronous = FULL",
                                                               "PRAGMA locking_mode = exclusive"),
    "floor, synchronous OFF (no fsync; comparison only)": ("PRAGMA synchronous = OFF",),
}
RECORD = "quizzer's Store.record alone (same connection set-up, its schema and triggers)"


def floor_db(path: Path, pragmas: tuple[str, ...]) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for pragma in pragmas:
        db.execute(pragma)
    db.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, card TEXT NOT NULL, at TEXT NOT NULL, "
               "rating INTEGER NOT NULL)")
    db.execute("CREATE TABLE state (card TEXT PRIMARY KEY, due TEXT NOT NULL) WITHOUT ROWID")
    db.executemany("INSERT INTO state VALUES (?, '')", ((f"c{n}",) for n in range(CARDS)))
    return db


def floor_round(db: sqlite3.Connection, first: int, answers: int) -> list[tuple[float, float]]:
    samples = []
    for number in range(first, first + answers):
        card, at = f"c{number % CARDS}", f"2026-03-02T12:00:{number:09d}"
        start = clocks()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO log (card, at, rating) VALUES (?, ?, 3)", (card, at))
        db.execute("UPDATE state SET due = ? WHERE card = ?", (at, card))
        db.execute("COMMIT")
        samples.append(since(start))
    return samples


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


def median_ms(samples: list[tuple[float, float]], i: int) -> float:
    return statistics.median(s[i] for s in samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1200, help="answers on each side (default 1200)")
    args = parser.parse_args()
    per_round = args.answers // ROUNDS
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in [*FLOORS, RECORD]}
    anki: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        dbs = {name: floor_db(Path(folder) / f"floor{i}.db", pragmas) for i, (name, pragmas) in enumerate(FLOORS.items())}
        recording = Recording(Path(folder) / "quizzer.db")
        col = anki_collection(Path(folder)) if anki_available() else None
        try:
            for round_ in range(ROUNDS):
                for name, db in dbs.items():
                    samples[name] += floor_round(db, round_ * per_round, per_round)
                samples[RECORD] += recording.round(round_ * per_round, per_round)
                if col is not None:
                    anki += anki_round(col, per_round)
        finally:
            for db in dbs.values():
                db.close()
            recording.store.close()
            if col is not None:
                col.close()
    print(f"{per_round * ROUNDS} answers each, {ROUNDS} alternating rounds, load average {os.getloadavg()[0]:.1f}")
    anki_cpu = median_ms(anki, 1) if anki else None
    for name, taken in samples.items():
        line = f"  {name}: wall {median_ms(taken, 0):.3f} ms, CPU {median_ms(taken, 1):.3f} ms"
        if anki_cpu:
            line += f" ({median_ms(taken, 1) / anki_cpu:.2f}× Anki's whole answer)"
        print(line)
    if anki_cpu is None:
        print("  Anki: not installed (pip install anki)")
    else:
        print(f"  Anki, get_queued_cards + build_answer + answer_card: wall {median_ms(anki, 0):.3f} ms, "
              f"CPU {anki_cpu:.3f} ms")


if __name__ == "__main__":
    main()
