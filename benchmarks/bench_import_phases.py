"""The Python phases of `progress import`, each timed alone in a fresh process. Run: python
benchmarks/bench_import_phases.py [--reviews 1000000] [--rounds 3] [--against TREE] [--exported] [--work DIR]

Reading and checking the file's lines (`sync._checked`, no database), turning the imported log back into
each card's entries (`log.logs`) and replaying every card (`log.replay_card`, the entries read
beforehand): process time (user + system) of each, the minimum of --rounds. With --against TREE (a
folder holding another version's `quizzer` package, e.g. `git archive main quizzer | tar -x -C TREE`)
every round runs that version first, then this one, so both see the same load. The log is imported
once, by this version, into WORK/phases-home. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PHASES = ("read", "logs", "replay")


def phase(name: str, file: str, database: str) -> float:
    """Process time of one phase, in this process (the `quizzer` on sys.path)."""
    import sqlite3

    from quizzer.cli.common import replay
    from quizzer.store import log, sync

    if name == "read":
        with open(file, encoding="utf-8") as lines:
            numbered = enumerate(sync.bounded_lines(lines, file), 1)
            start = time.process_time()
            for _ in sync._checked(numbered, file, sync._Window(datetime.now(timezone.utc)), None):
                pass
            return time.process_time() - start
    db = sqlite3.connect(database)
    if name == "logs":
        start = time.process_time()
        for _ in log.logs(db):
            pass
        return time.process_time() - start
    logs, replayed = list(log.logs(db)), replay()
    start = time.process_time()
    for _, entries, events in logs:
        log.replay_card(entries, events, replayed)
    return time.process_time() - start


def in_child(name: str, file: Path, database: Path, tree: Path | None) -> float:
    env = {**os.environ, **({"PYTHONPATH": str(tree)} if tree else {})}
    done = subprocess.run([sys.executable, __file__, "--child", name, str(file), str(database)], env=env,
                          cwd=tempfile.gettempdir(), check=True, capture_output=True, text=True)
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path, help="a folder holding another version's quizzer package")
    parser.add_argument("--exported", action="store_true", help="read the log as `progress export` writes it")
    parser.add_argument("--work", type=Path, help="keep the generated files here (reused when there)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(phase(*args.child))
        return
    from bench_progress_import import import_once
    from generate import write_review_log

    work = args.work or Path(tempfile.mkdtemp(prefix="quizzer-phases-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    file = work / f"reviews-{args.reviews}.jsonl"
    if not file.exists():
        write_review_log(file, args.reviews // 10, args.reviews, datetime.now(timezone.utc), 100)
    database = work / "phases-home" / "quizzer.db"
    if not database.exists():
        import_once(file, database.parent, None)
    if args.exported:
        file = work / f"exported-{args.reviews}.jsonl"
        if not file.exists():
            subprocess.run([sys.executable, "-m", "quizzer", "progress", "export", str(file)], check=True,
                           env={**os.environ, "QUIZZER_HOME": str(database.parent)}, stdout=subprocess.DEVNULL)
    versions = [("other", args.against), ("this", None)] if args.against else [("this", None)]
    best: dict[tuple[str, str], float] = {}
    print(f"{args.reviews:,} answers ({'exported form' if args.exported else 'generate.py form'}); process time, "
          f"the least of {args.rounds} rounds; load average {os.getloadavg()[0]:.1f}", flush=True)
    for _ in range(args.rounds):
        for name in PHASES:
            for version, tree in versions:
                seconds = in_child(name, file, database, tree)
                best[name, version] = min(best.get((name, version), seconds), seconds)
    for name in PHASES:
        print(f"  {name:7}" + "".join(f"  {version}: {best[name, version]:.2f} s" for version, _ in versions))
    print(f"  (load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
