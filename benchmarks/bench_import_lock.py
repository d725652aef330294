"""How long `quizzer progress import` keeps other writers out: the longest stretch it holds the write lock.

    python benchmarks/bench_import_lock.py /tmp/lock-bench --reviews 400000

Writes a synthetic review log (see generate.py), imports it into a fresh QUIZZER_HOME in a child
process, and meanwhile tries to take the write lock every few milliseconds, as a study session
saving an answer would; reports the import's time and the longest wait such a writer saw.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_review_log  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--reviews", type=int, default=400_000)
    parser.add_argument("--cards", type=int, default=40_000)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    log = args.folder / f"reviews-{args.reviews}.jsonl"
    if not log.exists():
        write_review_log(log, args.cards, args.reviews, datetime.now(timezone.utc))
    home = args.folder / "home"
    for old in home.glob("quizzer.db*"):
        old.unlink()
    home.mkdir(exist_ok=True)
    env = {**os.environ, "QUIZZER_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "quizzer", "paths"], env=env, check=True, capture_output=True)
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "quizzer", "progress", "import", str(log)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = sqlite3.connect(home / "quizzer.db", timeout=0, isolation_level=None)
    longest = held_since = 0.0
    while child.poll() is None:
        now = time.monotonic()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            if held_since:
                longest, held_since = max(longest, now - held_since), 0.0
        except sqlite3.OperationalError:
            held_since = held_since or now
        time.sleep(0.002)
    out, err = child.communicate()
    print((out or err).decode().strip())
    print(f"{args.reviews:,} answers: import {time.monotonic() - started:.1f} s; "
          f"longest a writer waited for the lock {longest:.2f} s")


if __name__ == "__main__":
    main()
