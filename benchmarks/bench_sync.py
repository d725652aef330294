"""What `quizzer sync` costs. Run: python benchmarks/bench_sync.py [--reviews 1000000]

1. A pull of another device's file holding REVIEWS answers (benchmarks/generate.py's log: ten answers per
   card, scheduled by quizzer's FSRS) into an empty home: `quizzer sync DIR` in its own process, wall time
   and peak resident memory (from wait4).
2. A pull with nothing new on that synced home, as `study` and `quiz` do before choosing cards: the median
   of RUNS calls of `quizzer.sync.sync` in one process (the database already open, as in `study`).
Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_review_log  # noqa: E402

RUNS = 50
NOW = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)


def timed(home: Path, *args: str) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one `quizzer` command in its own process."""
    env = {**os.environ, "QUIZZER_HOME": str(home), "QUIZZER_NOW": NOW.isoformat()}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "quizzer", *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status:
        raise SystemExit(f"quizzer {' '.join(args)} failed ({status})")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    cards = max(1, args.reviews // 10)
    with tempfile.TemporaryDirectory() as work:
        folder, home = Path(work) / "shared", Path(work) / "home"
        theirs = folder / "devices" / "other-device"
        theirs.mkdir(parents=True)
        written = write_review_log(theirs / "000001.jsonl", cards, args.reviews, NOW)
        size = (theirs / "000001.jsonl").stat().st_size / 1e6
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
        wall, peak = timed(home, "sync", str(folder))
        print(f"pull of {written:,} answers ({size:.0f} MB, {cards:,} cards) into an empty home: "
              f"{wall:.1f} s, peak {peak:.0f} MB")

        os.environ["QUIZZER_HOME"] = str(home)
        from quizzer import sync
        from quizzer.cli.common import replay
        from quizzer.store import Store

        with Store(home / "quizzer.db") as store:
            costs = []
            for _ in range(RUNS):
                start = time.perf_counter()
                result = sync.sync(store, home, replay(), NOW)  # the replay as the hook in `study` makes it
                costs.append(time.perf_counter() - start)
                assert result is not None and result.pulled == 0 and result.pushed == 0
        print(f"pull with nothing new, on that home: median {statistics.median(costs) * 1000:.1f} ms, "
              f"slowest {max(costs) * 1000:.1f} ms ({RUNS} runs)")


if __name__ == "__main__":
    main()
