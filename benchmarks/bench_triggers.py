"""What the triggers that keep the sums of answers (migration 0007) cost a bulk `progress import`.

Run: python benchmarks/bench_triggers.py [--cards 10000] [--reviews 100000] [--runs 3] [--work DIR]

generate.py's library and log (100 decks); each round imports the log into two fresh homes, one
with the triggers and one where they were dropped before the import, turn about so both see the
same machine load. Prints the median wall time, CPU time (user + system, from wait4) and the
largest peak resident memory of each. Nothing here is a pass/fail test; docs/benchmarks.md records
the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import write_library, write_review_log  # noqa: E402

TRIGGERS = ("answer_days_add", "answer_days_delete", "answer_days_void", "answer_days_unvoid")


def fresh_home(work: Path, name: str, library: Path, triggers: bool) -> Path:
    from quizzer.store import Store

    home = work / name
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(library / "decks", home / "decks")
    with Store(home / "quizzer.db") as store:
        for trigger in () if triggers else TRIGGERS:
            store.db.execute(f"DROP TRIGGER {trigger}")
    return home


def import_into(home: Path, log: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of `quizzer progress import LOG` into `home`."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "quizzer", "progress", "import", str(log)],
                             env={**os.environ, "QUIZZER_HOME": str(home)}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError("progress import failed")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="build the data here and keep it (reused when there)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="quizzer-triggers-"))
    library, log = work / "library", work / "reviews.jsonl"
    if not (library / "decks").is_dir():
        write_library(library, 100, args.cards)
    if not log.exists():
        write_review_log(log, args.cards, args.reviews, datetime.now(timezone.utc), 100)
    results: dict[str, list] = {"with the triggers": [], "without them": []}
    for _ in range(args.runs):
        for name, triggers in (("with the triggers", True), ("without them", False)):
            results[name].append(import_into(fresh_home(work, "home", library, triggers), log))
    print(f"progress import of {args.reviews:,} answers to {args.cards:,} cards, {args.runs} rounds, "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, runs in results.items():
        print(f"  {name:18} wall {statistics.median(r[0] for r in runs):6.1f} s "
              f"({min(r[0] for r in runs):.1f}–{max(r[0] for r in runs):.1f}), "
              f"CPU {statistics.median(r[1] for r in runs):6.1f} s, peak {max(r[2] for r in runs):.0f} MB")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
