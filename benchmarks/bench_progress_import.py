"""What `quizzer progress import` of a large file costs. Run: python benchmarks/bench_progress_import.py
[--reviews 1000000] [--rounds 2] [--against TREE] [--exported] [--by-statement] [--work DIR]

Writes benchmarks/generate.py's log (ten answers per card, scheduled by quizzer's FSRS, card after card)
or, with --exported, that log as `progress export` writes it (time order, every key), then times
`quizzer progress import FILE` into a fresh home: wall time, CPU (user + system, of every process it
started) and peak resident memory: the larger of wait4's (one process's) and the whole process tree's,
summed every 20 ms from /proc. With --against TREE (a folder holding another version's `quizzer`
package, e.g. `git archive main quizzer | tar -x -C TREE`) each round runs that version first, then
this one, so both see the same load. --by-statement times import_reviews in this process instead, per
SQL statement and for the replay. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE = os.sysconf("SC_PAGE_SIZE")
sys.path.insert(0, str(HERE))
from generate import write_review_log  # noqa: E402


def tree_rss(pid: int) -> int:
    """Resident bytes of the process `pid` and all its descendants now, from /proc (Linux); 0 once it is
    gone. Pages a forked child still shares with its parent count in both: an upper bound."""
    total, pending = 0, [pid]
    while pending:
        process = pending.pop()
        try:
            total += int(Path(f"/proc/{process}/statm").read_text().split()[1]) * PAGE
            for task in Path(f"/proc/{process}/task").iterdir():
                pending += map(int, (task / "children").read_text().split())
        except OSError:  # ended meanwhile
            continue
    return total


def sampled_peak(pid: int, every: float = 0.02) -> Callable[[], float]:
    """Sample `tree_rss(pid)` every `every` s in a thread; the function returned stops it and gives the
    largest seen, in MB. wait4's peak is one process's (the largest), so a worker's would not be added."""
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(every):
            peak[0] = max(peak[0], tree_rss(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()

    def stop() -> float:
        done.set()
        thread.join()
        return peak[0] / 2**20

    return stop


def import_once(file: Path, home: Path, tree: Path | None) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB) of one `quizzer progress import FILE` into an empty `home`. CPU
    counts every process the import started (wait4 adds those it waited for). The peak is the larger of
    wait4's (the largest single process) and the RSS of the whole process tree summed, sampled."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {**os.environ, "QUIZZER_HOME": str(home)}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    start = time.perf_counter()
    # cwd=home: `-m` puts the working directory first on sys.path, before PYTHONPATH, so started from the
    # checkout both versions would run this one.
    process = subprocess.Popen([sys.executable, "-m", "quizzer", "progress", "import", str(file)], env=env,
                               stdout=subprocess.DEVNULL, cwd=home)
    stop_sampling = sampled_peak(process.pid)
    # Sampled up to the end: wait4 would reap the process, and its /proc entry, first.
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    tree_peak = stop_sampling()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status:
        raise SystemExit(f"the import failed (status {status})")
    return wall, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss / 1024, tree_peak)


def by_statement(file: Path, home: Path) -> None:
    """import_reviews in this process, its wall and CPU time split by SQL statement and replay."""
    from quizzer.cli.common import replay
    from quizzer.store import Store
    from quizzer.store import sync

    spent, cpu, calls = collections.Counter(), collections.Counter(), collections.Counter()

    class Timed:
        def __init__(self, db):
            self._db = db

        def __getattr__(self, name):
            return getattr(self._db, name)

        def _run(self, method, sql, *args):
            key = f"{method} {' '.join(sql.split())[:80]}"
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                return getattr(self._db, method)(sql, *args)
            finally:
                spent[key] += time.perf_counter() - start
                cpu[key] += time.process_time() - start_cpu
                calls[key] += 1

        def execute(self, sql, *args):
            return self._run("execute", sql, *args)

        def executemany(self, sql, *args):
            return self._run("executemany", sql, *args)

    scheduled = replay()

    def timed_replay(log):
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return scheduled(log)
        finally:
            spent["replay (FSRS)"] += time.perf_counter() - start
            cpu["replay (FSRS)"] += time.process_time() - start_cpu
            calls["replay (FSRS)"] += 1

    shutil.rmtree(home, ignore_errors=True)
    with Store(home / "quizzer.db") as store, file.open(encoding="utf-8") as lines:
        store.db = Timed(store.db)
        start, start_cpu = time.perf_counter(), time.process_time()
        sync.import_reviews(store, sync.bounded_lines(lines, str(file)), str(file), timed_replay,
                            now=datetime.now(timezone.utc), read_ahead=True)
        total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"import_reviews: {total:.1f} s in all ({total_cpu:.1f} s CPU); the largest parts, wall and CPU:")
    for key, seconds in spent.most_common(14):
        print(f"  {seconds:7.2f} s {cpu[key]:6.2f} s {calls[key]:8,}×  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", type=Path, help="a folder holding another version's quizzer package")
    parser.add_argument("--exported", action="store_true", help="import the log as `progress export` writes it")
    parser.add_argument("--by-statement", action="store_true", help="split one import's time by SQL statement")
    parser.add_argument("--work", type=Path, help="keep the generated files here (reused when there)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="quizzer-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        file = work / f"reviews-{args.reviews}.jsonl"
        if not file.exists():
            write_review_log(file, args.reviews // 10, args.reviews, datetime.now(timezone.utc), 100)
        if args.exported:
            exported = work / f"exported-{args.reviews}.jsonl"
            if not exported.exists():
                import_once(file, work / "home", None)
                subprocess.run([sys.executable, "-m", "quizzer", "progress", "export", str(exported)], check=True,
                               env={**os.environ, "QUIZZER_HOME": str(work / "home")}, stdout=subprocess.DEVNULL)
            file = exported
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {args.reviews:,} "
              f"answers ({'exported form' if args.exported else 'generate.py form'}); load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        if args.by_statement:
            by_statement(file, work / "home")
            return
        versions = [("other", args.against), ("this", None)] if args.against else [("this", None)]
        for round_ in range(1, args.rounds + 1):
            for name, tree in versions:
                wall, cpu, peak = import_once(file, work / "home", tree)
                print(f"  round {round_}, {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {peak:.0f} MB peak "
                      f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
