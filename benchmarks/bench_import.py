"""How long `quizzer decks import` and `export` take on large decks. Run: python benchmarks/bench_import.py

Builds a 10,000-row CSV and 10,000-note Anki packages (legacy and zstd forms, with Anki's schema, as
the tests do), then times the real command in a fresh QUIZZER_HOME: the first import, a re-import
that updates the deck, and an export. Medians of repeated runs; nothing here is a pass/fail test.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from anki_builder import BASIC, CLOZE, REVERSED, Note, write_package  # noqa: E402

CARDS = 10_000
RUNS = 3


def quizzer(home: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "quizzer", *args], env={**os.environ, "QUIZZER_HOME": str(home)},
                   capture_output=True, check=True)
    return time.perf_counter() - start


def measure(work: Path, file: Path) -> tuple[float, float, float]:
    first, again, export = [], [], []
    for run in range(RUNS):
        home = work / f"home-{file.stem}-{run}"
        first.append(quizzer(home, "decks", "import", str(file), "--id", "big"))
        again.append(quizzer(home, "decks", "import", str(file), "--id", "big"))
        export.append(quizzer(home, "decks", "export", "big", "-o", str(work / f"out-{run}.csv")))
        shutil.rmtree(home)
    return statistics.median(first), statistics.median(again), statistics.median(export)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        csv_file = work / "big.csv"
        rows = ["id,type,question,answer,accept,explain,tags"]
        rows += [f"c{i},typed,Question number {i}?,Answer {i},Alt {i}|Other {i},Because {i}.,t{i % 7}"
                 for i in range(CARDS)]
        csv_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
        notes = [Note(f"n{i}", (BASIC, REVERSED, CLOZE)[i % 3],
                      (f"<b>Front</b> {i} {{{{c1::cloze {i}}}}}", f"Back {i}<br>more") if i % 3 == 2 else
                      (f"<b>Front</b> {i}", f"Back {i}<br>more")) for i in range(CARDS)]
        packages = [write_package(work / "legacy.apkg", notes, form="legacy"),
                    write_package(work / "current.apkg", notes, form="current")]
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{platform.system()}; medians of {RUNS} runs")
        print(f"{'file':<34} {'import':>8} {'re-import':>10} {'export csv':>11}")
        for file, label in [(csv_file, f"CSV, {CARDS:,} rows"),
                            (packages[0], f"legacy .apkg, {CARDS:,} notes"),
                            (packages[1], f"current .apkg (zstd), {CARDS:,} notes")]:
            first, again, export = measure(work, file)
            print(f"{label:<34} {first:>7.2f}s {again:>9.2f}s {export:>10.2f}s")


if __name__ == "__main__":
    main()
