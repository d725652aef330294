"""How long `quizzer decks import` takes on an Anki package with a long review history.
Run: python benchmarks/bench_anki_history.py [--reviews 100000]

Builds a package in Anki's schema (tests/anki_builder.py) of 5,000 Basic notes whose review log holds
REVIEWS rows, 20 a card over about two years (learning, then reviews days apart, an Again now and then),
then times the real command in a fresh QUIZZER_HOME: the first import (notes, answers, replay of every
card) and a second import of the same file (nothing added). Target: 100,000 reviews within 10 s.
Medians of repeated runs; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from anki_builder import BASIC, Note, write_collection  # noqa: E402

NOTES = 5_000
RUNS = 3
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def build(folder: Path, reviews: int) -> Path:
    collection = folder / "collection.anki2"
    notes = [Note(f"bench{n}", BASIC, (f"Question {n}?", f"Answer {n}")) for n in range(NOTES)]
    write_collection(collection, notes, {1: "History"})
    rng = random.Random(18)
    per_card = reviews // NOTES
    rows, start_ms = [], int(START.timestamp() * 1000)
    for card in range(1, NOTES + 1):
        at, interval = start_ms + card * 1_000, 0
        for k in range(per_card):
            ease = 1 if rng.random() < 0.1 else 3
            kind = 0 if k < 2 else 1
            interval = 1 if ease == 1 else min(64, max(1, interval * 2))
            row_id = at // 10_000 * 10_000 + card  # revlog ids are unique: the last digits name the card
            rows.append((row_id, card, 0, ease, interval, 0, 2500, 6_000, kind))
            at += interval * 86_400_000 // 4 + card  # a quarter of the interval: all within NOW
    with sqlite3.connect(collection) as db:
        db.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()
    path = folder / "history.apkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(collection, "collection.anki2")
    return path


def quizzer(home: Path, *args: str) -> tuple[float, float, float]:
    """Wall time and CPU time (user + system) in seconds, and peak memory in MB, of one command in its own
    process. On a machine shared with other work the CPU time is the steadier figure."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "quizzer", *args], stdout=subprocess.DEVNULL,
                             env={**os.environ, "QUIZZER_HOME": str(home), "QUIZZER_NOW": NOW.isoformat()})
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak memory
    if status:
        raise SystemExit(f"quizzer {' '.join(args)} failed")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    reviews = parser.parse_args().reviews
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = build(work, reviews)
        first, again = [], []
        for run in range(RUNS):
            home = work / f"home-{run}"
            first.append(quizzer(home, "decks", "import", str(path)))
            again.append(quizzer(home, "decks", "import", str(path)))
        with sqlite3.connect(work / "home-0" / "quizzer.db") as db:
            (saved,) = db.execute("SELECT COUNT(*) FROM reviews").fetchone()
        db.close()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"{NOTES:,} cards, {saved:,} reviews imported; median of {RUNS} runs")
    for what, runs in (("first import (notes, answers, replay)", first), ("import again (nothing added)", again)):
        print(f"{what:38} {statistics.median(t for t, _, _ in runs):6.2f} s wall, "
              f"{statistics.median(c for _, c, _ in runs):6.2f} s CPU, {max(m for _, _, m in runs):4.0f} MB peak")


if __name__ == "__main__":
    main()
