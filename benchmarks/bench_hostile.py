"""Hostile input at its size limit: every pattern's time, and the commands issue 10 found slow or greedy.

A script, not a test: `python benchmarks/bench_hostile.py [--quick]`. First each file of issue 10
#3–#7 goes through the command that reported it, in its own process: wall time and peak resident
memory. Then each case of tests/hostile/test_patterns.py (one per pattern, plus judging) runs once
on adversarial input of its size limit (10 MB for deck files, 1 MB for a response or an Anki field).
--quick uses a tenth of each size and skips the million-note package.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "tests" / "hostile"))

from anki_builder import BASIC, CLOZE, Note, write_package  # noqa: E402
from test_patterns import CASES  # noqa: E402

QUIZZER = [sys.executable, "-m", "quizzer"]


def patterns(scale: int) -> None:
    print(f"{'pattern':28} {'input':24} {'size':>10} {'seconds':>8}")
    for case in CASES:
        size = case.limit // scale
        text = case.text(size)
        start = time.perf_counter()
        case.run(text)
        seconds = time.perf_counter() - start
        shown = repr(case.head + case.unit + case.tail)[:24]
        print(f"{case.pattern:28} {shown:24} {len(text):>10,} {seconds:>8.3f}", flush=True)


def measured(argv: list[str], home: Path) -> tuple[float, float, int]:
    """(seconds, peak resident MB, exit status) of one run of quizzer with `argv`."""
    start = time.perf_counter()
    child = subprocess.Popen([*QUIZZER, *argv], env={**os.environ, "QUIZZER_HOME": str(home)},
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def files(work: Path, scale: int, quick: bool) -> list[tuple[str, list[str]]]:
    """The files issue 10 reported, written into `work`, each with the command that ran it."""
    runs = []
    for repeats in (1000, 2000):  # 668 bytes and 16 KB of "{{c1::a:" took 24 s and 194 s
        package = write_package(work / f"cloze-{repeats}.apkg", [Note("c", CLOZE, ("{{c1::a:" * repeats, ""))])
        runs.append((f"cloze note of '{{{{c1::a:' × {repeats:,} (.apkg of {package.stat().st_size:,} bytes)",
                     ["decks", "validate", str(package)]))
    for repeats in (40_000, 3_400_000 // scale):  # 120 KB took 27 s; 10 MB is the limit
        deck = work / f"blank-{repeats}.yaml"
        deck.write_text(f"id: x\ntitle: X\ncards:\n  - type: cloze\n    text: \"{'{{a' * repeats}{{{{b}}}}\"\n")
        runs.append((f"YAML cloze of '{{{{a' × {repeats:,} ({deck.stat().st_size / 1e6:.1f} MB)",
                     ["decks", "validate", str(deck)]))
    zero = work / "zero"
    zero.symlink_to("/dev/zero")
    runs += [("/dev/zero", ["decks", "validate", str(zero)]), ("/dev/zero", ["progress", "import", str(zero)])]
    rows = 300_000 // scale
    table = work / f"{rows}.csv"
    with table.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["question", "answer"])
        writer.writerows([f"Q{n}?", f"A{n}"] for n in range(rows))
    runs.append((f"CSV of {rows:,} rows ({table.stat().st_size / 1e6:.1f} MB)", ["decks", "import", str(table)]))
    if not quick:  # written by another process: this one's peak memory would count in every child's
        notes = work / "1m.apkg"
        subprocess.run([sys.executable, __file__, "--million", str(notes)], check=True)
        runs.append((f"package of 1,000,000 notes ({notes.stat().st_size / 1e6:.0f} MB)",
                     ["decks", "import", str(notes)]))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each size, no million-note package")
    parser.add_argument("--million", type=Path, help=argparse.SUPPRESS)  # write the million-note package there
    args = parser.parse_args()
    if args.million:
        write_package(args.million, [Note(f"g{n}", BASIC, (f"Q{n}?", f"A{n}")) for n in range(1_000_000)])
        return
    scale = 10 if args.quick else 1
    # The commands first, while this process is small: a child's peak memory counts its parent's too.
    with tempfile.TemporaryDirectory(prefix="quizzer-hostile-") as folder:
        work = Path(folder)
        print(f"{'file':56} {'command':18} {'seconds':>8} {'peak MB':>8} {'exit':>4}")
        for what, argv in files(work, scale, args.quick):
            seconds, peak, status = measured(argv, work / "home")
            print(f"{what:56} {' '.join(argv[:2]):18} {seconds:>8.2f} {peak:>8.0f} {status:>4}", flush=True)
    print()
    patterns(scale)


if __name__ == "__main__":
    main()
