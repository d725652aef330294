"""Speed and memory of `quizzer stats` and `quizzer history` on a large progress database.

Run: python benchmarks/bench_stats.py [--cards 100000] [--reviews 1000000] [--runs 5] [--keep DIR]

A generator writes a database of synthetic progress straight into SQLite (one transaction,
executemany), then each command runs in a subprocess against it. Figures are medians of wall time
and the largest peak resident memory of the runs; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

DECKS = 100
HISTORY_DAYS = 3 * 365  # three years of study: about 900 answers a day, every day
RIGHT_SHARE = 0.85  # most answers are right, as in real study
ANSWER_HOURS = range(7, 23)  # UTC hours in which the synthetic learner studies


def build_database(home: Path, cards: int, reviews: int, now: datetime, seed: int = 1) -> None:
    """A quizzer.db in `home` with `cards` cards in 100 decks and `reviews` answers in all.

    Each card gets an equal share of the answers on days drawn evenly over three years (about 900
    answers a day): the first while new, the others in review, with lapses into relearning. Each
    card is due again within the next two months. Answers fall into one session per deck per day;
    card states follow the last answer.
    """
    from quizzer.store import Store, iso

    rng = random.Random(seed)
    per_card = max(1, reviews // cards)
    sessions: dict[str, list] = {}
    final_states: list[tuple] = []

    def card_history(number: int):
        deck = f"bench-{number % DECKS:03d}"
        card = f"card-{number:06d}"
        # Answer days drawn evenly over the whole history, so every week is equally busy.
        days = sorted(rng.randrange(1, HISTORY_DAYS) for _ in range(per_card))
        phase = "new"
        for count, days_ago in enumerate(reversed(days), 1):
            right = rng.random() < RIGHT_SHARE
            rating = rng.choice((2, 3, 3, 3, 4)) if right else 1
            after = "review" if right else "relearning" if phase in ("review", "relearning") else "learning"
            at = (now - timedelta(days=days_ago)).replace(
                hour=rng.choice(ANSWER_HOURS), minute=rng.randrange(60), second=rng.randrange(60))
            verdict = ("correct" if rating > 1 else "wrong") if number % 5 else "self"
            # The last answer schedules the card into the next two months; the others, their next answer.
            due = now + timedelta(days=rng.uniform(0, 60)) if count == per_card else at + timedelta(days=1)
            session = f"{deck}-{at.date()}"
            bounds = sessions.setdefault(session, [at, at, deck])
            bounds[0], bounds[1] = min(bounds[0], at), max(bounds[1], at)
            yield (str(uuid.UUID(int=rng.getrandbits(128))), deck, card, iso(at), rating, verdict,
                   "an answer" if verdict != "self" else "", rng.randrange(2000, 20000), session, phase, iso(due))
            phase = after
        final_states.append((deck, card, phase, iso(due), None if phase == "review" else 0,
                             (due - at).days + 0.5, rng.uniform(1, 10), iso(at)))

    with Store(home / "quizzer.db") as store:
        db = store.db
        db.execute("PRAGMA synchronous = OFF")  # a throwaway database: speed over durability
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row for number in range(cards) for row in card_history(number)),
        )
        db.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?)", final_states)
        db.executemany(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)",
            ((sid, iso(first), iso(last + timedelta(seconds=20)), f'["{deck}"]')
             for sid, (first, last, deck) in sessions.items()),
        )
        db.execute("COMMIT")
        db.execute("ANALYZE")


def measure(command: list[str], env: dict, runs: int) -> tuple[float, float]:
    """(median seconds, largest peak resident MB) of `quizzer COMMAND`, each run in its own process."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "quizzer", *command], env=env, stdout=subprocess.DEVNULL)
        # wait4 gives this child's own peak memory, not the largest of every child so far.
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise RuntimeError(f"quizzer {' '.join(command)} exited with {child.returncode}")
        peaks.append(usage.ru_maxrss / 1024)  # kilobytes on Linux
    return statistics.median(times), max(peaks)


COMMANDS = (["stats"], ["history"], ["history", "--reviews"], ["stats", "--json"])


def rows(home: Path | None = None, *, cards: int = 100_000, reviews: int = 1_000_000, runs: int = 5):
    """(what, measured, target) for each command, building the database first when `home` has none."""
    folder = home or Path(tempfile.mkdtemp(prefix="quizzer-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not (folder / "quizzer.db").exists():
            start = time.perf_counter()
            # Built in a child process: a child's peak memory counts what it inherits at fork, so
            # this process must stay small for the measurements below.
            builder = multiprocessing.get_context("fork").Process(
                target=build_database, args=(folder, cards, reviews, datetime.now(timezone.utc)))
            builder.start()
            builder.join()
            if builder.exitcode:
                raise SystemExit("building the database failed")
            print(f"built {cards:,} cards / {reviews:,} reviews in {time.perf_counter() - start:.1f} s "
                  f"({(folder / 'quizzer.db').stat().st_size / 1e6:.0f} MB) at {folder}")
        env = {**os.environ, "QUIZZER_HOME": str(folder), "COLUMNS": "100"}
        found = []
        for command in COMMANDS:
            seconds, megabytes = measure(command, env, runs)
            found.append((f"quizzer {' '.join(command)}, {reviews:,} reviews",
                          f"{seconds * 1000:.0f} ms, {megabytes:.0f} MB peak", "under 1 s, under 200 MB"))
        return found
    finally:
        if home is None:
            shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the database in this folder (or reuse it) and keep it")
    args = parser.parse_args()
    for what, measured, target in rows(args.keep, cards=args.cards, reviews=args.reviews, runs=args.runs):
        print(f"{what:<45} {measured:<22} {target}")


if __name__ == "__main__":
    main()
