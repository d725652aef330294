"""Measure every speed target of quizzer and print one table. Run: python benchmarks/run.py [--quick] [--work DIR]

Synthetic data comes from generate.py: 100 decks / 100,000 cards, a 10,000-card deck and 1,000,000
answers (--quick: a tenth of each, for a fast look). Every command runs in its own process, as a
learner would run it; figures are medians of repeated runs, peak memory the largest resident size.
Each figure stands beside its target and, where the issue names one, a reference measured in the
same run. Then the other scripts here run and print their own tables (judging answers, statistics,
deck import and export, hostile input at its size limits). --start-up-only measures just the two
figures against a bare typer app's --help, with no data built. Nothing here is a pass/fail test;
docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import anki_peer  # noqa: E402
from generate import deck_text, write_library, write_review_log  # noqa: E402

BARE_TYPER_APP = """
import typer
app = typer.Typer(add_completion=False)
@app.callback()
def main():
    "A bare typer app."
@app.command()
def study():
    "Study."
app()
"""
# -P (Python 3.11+): `-m` would put the working folder first on sys.path, so a benchmark started in a
# source tree ran that tree's quizzer for every version it compared, whatever PYTHONPATH said.
QUIZZER = [sys.executable, *(["-P"] if sys.version_info >= (3, 11) else []), "-m", "quizzer"]
# Measure quizzer as installed: pip writes each module's bytecode on install, so no run of an installed
# quizzer compiles source. With PYTHONDONTWRITEBYTECODE set in the shell, every run of the editable
# install compiled its ~40 modules again (50-70 ms of `stats`), while bare typer, compiled in
# site-packages, compiled nothing. The bytecode goes to a folder of its own, never into the tree.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "quizzer-bench-bytecode"))
# How the plain prompts end: "answer> ", "true or false> ", ..., and a flash card's reveal prompt.
PROMPT_ENDS = (b"> ", b"(press Enter to show the answer) ")


# wait4 gives a child's peak resident size as at least what the parent held when it forked (Linux
# keeps the high-water mark through fork and exec), and by then this process holds Anki's backend
# and the generated data: `quizzer decks` read as 117 MB here and 49 MB under /usr/bin/time. So a
# small launcher starts each command and reports that command's own time and peak.
LAUNCHER = """
import os, sys, time
report = int(sys.argv[1])
start = time.perf_counter()
child = os.fork()
if child == 0:
    os.close(report)
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(child, 0)
os.write(report, f"{time.perf_counter() - start} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}".encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(argv: list[str], env: dict, runs: int, cpu: list[float] | None = None) -> tuple[float, float]:
    """(median seconds, largest peak resident MB) of running `argv` to completion `runs` times; each run's
    CPU seconds (user and system) are added to `cpu` when given."""
    times, peaks = [], []
    for _ in range(runs):
        read, write = os.pipe()
        with tempfile.TemporaryFile() as errors:
            child = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(write), *argv], env=env, pass_fds=(write,),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
            os.close(write)
            with os.fdopen(read, "rb") as report:
                measured = report.read().split()
            if child.wait():
                errors.seek(0)
                raise RuntimeError(f"{' '.join(argv[2:])} failed: {errors.read().decode().strip()}")
        times.append(float(measured[0]))
        peaks.append(int(measured[1]) / 1024)  # kilobytes on Linux
        if cpu is not None:
            cpu.append(float(measured[2]))
    return statistics.median(times), max(peaks)


def interleaved(first, second, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Run two measurements (each returning (seconds, peak MB)) turn about: ((median, peak), (median, peak))."""
    samples: tuple[list, list] = ([], [])
    for _ in range(runs):
        for measure, kept in zip((first, second), samples):
            kept.append(measure())
    return tuple((statistics.median(t for t, _ in kept), max(m for _, m in kept)) for kept in samples)


def help_vs_bare_typer(bare: Path, runs: int) -> tuple[float, float]:
    ours, theirs = [], []
    for _ in range(runs):  # interleaved so both see the same machine load
        ours.append(run_measured([*QUIZZER, "--help"], os.environ.copy(), 1)[0])
        theirs.append(run_measured([sys.executable, str(bare), "--help"], os.environ.copy(), 1)[0])
    return statistics.median(ours), statistics.median(theirs)


def wait_for_question(proc: subprocess.Popen) -> None:
    """Read `proc`'s output until its first answer prompt."""
    seen = b""
    while not any(prompt in seen for prompt in PROMPT_ENDS):
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            raise RuntimeError("quizzer ended before showing a question")
        seen += chunk


def time_to_first_question(home: Path, runs: int, command: tuple[str, ...] = ("study", "--plain")) -> float:
    """From starting `quizzer study --plain` (or `command`) to its first answer prompt on screen."""
    times = []
    env = {**os.environ, "QUIZZER_HOME": str(home)}
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([*QUIZZER, *command], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        wait_for_question(proc)
        times.append(time.perf_counter() - start)
        proc.kill()
        proc.wait()
    return statistics.median(times)


def save_one_answer(answers: int = 500) -> tuple[float, float]:
    """Grade + schedule + commit one answer as a study session does, in milliseconds: (median, p99)."""
    from quizzer.grading import judge
    from quizzer.model import Card, Kind, Rating, Review
    from quizzer.scheduler import Scheduler, new_state
    from quizzer.session import RATING_FOR
    from quizzer.store import Store

    card = Card(id="c", kind=Kind.TYPED, question="Who?", answer="Amadou Toumani Touré", accept=("Touré",))
    scheduler = Scheduler()
    times = []
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "q.db") as store:
        now = datetime.now(timezone.utc)
        for number in range(answers):
            state = new_state(now)
            start = time.perf_counter()
            verdict = judge(card, random.choice(["Amadou Toumani Toure", "Toure", "Sanogo"]))
            review_id = str(uuid.uuid4())
            rating = RATING_FOR.get(verdict.outcome, Rating.GOOD)
            after = scheduler.review(state, rating, now, review_id)
            store.record(
                Review(review_id, "bench", f"card-{number}", now, rating, verdict.outcome, "x", 1000, "s"),
                state.phase, after, based_on=state, replay=lambda log: scheduler.replay(log, now),
            )
            times.append((time.perf_counter() - start) * 1000)
            now += timedelta(seconds=5)
    return statistics.median(times), statistics.quantiles(times, n=100)[98]


def judging(rounds: int) -> tuple[float, float]:
    """bench_grading.py's mix of responses: microseconds per judgement, (median, p99)."""
    from bench_grading import MIX, timings

    cases = [case for group in MIX.values() for case in group]
    timings(cases, 1)  # warm the card-side caches, as the first card of a session does
    samples = timings(cases, rounds)
    return statistics.median(samples), statistics.quantiles(samples, n=100)[98]


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, measured: str, target: str, ratio: float | None = None) -> None:
        """`ratio`: measured / target, when the target is a limit (below 1 is met)."""
        verdict = "" if ratio is None else "met" if ratio <= 1 else f"missed ({ratio:.2f}× the target)"
        self.rows.append((what, measured, target, verdict))
        print(f"  {what}: {measured}  [target {target}] {verdict}", flush=True)

    def print(self) -> None:
        widths = [max(len(row[i]) for row in [("what", "measured", "target", "")] + self.rows) for i in range(4)]
        print()
        for row in [("what", "measured", "target", ""), *self.rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data and fewer runs")
    parser.add_argument("--work", type=Path, help="build the data in this folder and keep it (reused when there)")
    parser.add_argument("--targets-only", action="store_true", help="skip the other benchmark scripts")
    parser.add_argument("--start-up-only", action="store_true",
                        help="only --help and the built-in decks' first question beside bare typer (no data built)")
    args = parser.parse_args()
    if args.start_up_only:
        with tempfile.TemporaryDirectory(prefix="quizzer-bench-") as work:
            table = Table()
            measure_start_up(Path(work), table, args.quick)
            table.print()
    elif args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        measure_all(args, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="quizzer-bench-") as work:
            measure_all(args, Path(work))
    if not (args.targets_only or args.start_up_only):
        other_benchmarks(args.quick)


def measure_start_up(work: Path, table: Table, quick: bool) -> Path:
    """The two figures that are ratios to a bare typer app's --help: quizzer's --help, and the built-in decks'
    first question (an empty home). Returns the bare app, the reference of later rows."""
    bare_app = work / "bare_typer.py"
    bare_app.write_text(BARE_TYPER_APP, encoding="utf-8")
    builtin_only = work / "builtin-only"
    builtin_only.mkdir(exist_ok=True)
    ours, bare = help_vs_bare_typer(bare_app, 15 if not quick else 5)
    table.add("quizzer --help (vs a bare typer app)", f"{ours * 1000:.0f} ms vs {bare * 1000:.0f} ms "
              f"({ours / bare:.2f}×)", "within 1.2×", ours / bare / 1.2)
    (first, _), (bare, _) = interleaved(lambda: (time_to_first_question(builtin_only, 1), 0),
                                        lambda: run_measured([sys.executable, str(bare_app), "--help"],
                                                             {**os.environ, "COLUMNS": "100"}, 1),
                                        15 if not quick else 5)
    table.add("quizzer study → first question, built-in decks (vs a bare typer app's --help)",
              f"{first * 1000:.0f} ms vs {bare * 1000:.0f} ms ({first / bare:.2f}×)", "within 1.0×", first / bare)
    return bare_app


def measure_all(args: argparse.Namespace, work: Path) -> None:
    scale = 10 if args.quick else 1
    runs = 3 if args.quick else 7
    decks, cards, reviews, big_deck = 100, 100_000 // scale, 1_000_000 // scale, 10_000 // scale

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; data in {work}")
    library, builtin_only = work / "library", work / "builtin-only"
    if not (library / "decks").is_dir():
        write_library(library, decks, cards)
    big = work / "big.yaml"
    if not big.exists():
        big.write_text(deck_text("big", "Big deck", range(big_deck)), encoding="utf-8")
    log = work / "reviews.jsonl"
    if not log.exists():
        write_review_log(log, cards, reviews, datetime.now(timezone.utc), decks)
    env = {**os.environ, "QUIZZER_HOME": str(library), "COLUMNS": "100"}
    table = Table()
    bare_app = measure_start_up(work, table, args.quick)

    validate, _ = run_measured([*QUIZZER, "decks", "validate", str(big)], env, runs)
    table.add(f"quizzer decks validate, one {big_deck:,}-card deck", f"{validate * 1000:.0f} ms", "under 0.5 s",
              validate / 0.5)

    median, p99 = save_one_answer()
    table.add("saving one answer (grade + schedule + commit)", f"{median:.2f} ms median, {p99:.2f} ms p99",
              "under 5 ms median, 20 ms p99", max(median / 5, p99 / 20))
    judged, judged_p99 = judging(200 if not args.quick else 20)
    table.add("  of which judging (bench_grading.py's mix)", f"{judged:.0f} µs median, {judged_p99:.0f} µs p99", "–")
    ours, anki = anki_peer.measure(1200 if not args.quick else 300)
    if anki is None:
        table.add("one answer in a StudySession vs Anki (anki_peer.py)", f"{ours:.2f} ms; Anki not installed", "–")
    else:
        table.add("one answer in a StudySession vs Anki (anki_peer.py)",
                  f"{ours:.2f} ms vs {anki:.2f} ms ({ours / anki:.2f}×)", "within 1.0× Anki", ours / anki)

    for stale in library.glob("quizzer.db*"):
        stale.unlink()
    shutil.rmtree(library / "cache", ignore_errors=True)
    cold, _ = run_measured([*QUIZZER, "decks"], env, 1)
    builtin_env = {**env, "QUIZZER_HOME": str(builtin_only)}
    library_and = f"{decks} decks / {cards:,} cards"
    for progress in ("no answers yet", f"{reviews:,} answers"):
        if progress != "no answers yet":
            imported, peak = run_measured([*QUIZZER, "progress", "import", str(log)], env, 1)
            # Issue 14: 1,000,000 answers in 15 s and 200 MB; --quick's tenth of the answers, a tenth of the time.
            limit = 15 * reviews / 1_000_000
            table.add(f"quizzer progress import, {reviews:,} answers", f"{imported:.1f} s ({peak:.0f} MB)",
                      f"under {limit:g} s, 200 MB", max(imported / limit, peak / 200))
        # Each run beside one with only the built-in decks, the reference the targets are ratios of.
        (warm, peak), (builtin_decks, _) = interleaved(lambda: run_measured([*QUIZZER, "decks"], env, 1),
                                                       lambda: run_measured([*QUIZZER, "decks"], builtin_env, 1), runs)
        table.add(f"quizzer decks, {library_and}, {progress}", f"{warm * 1000:.0f} ms ({peak:.0f} MB), "
                  f"{warm / builtin_decks:.2f}× built-in decks only ({builtin_decks * 1000:.0f} ms)"
                  + ("" if progress != "no answers yet" else f"; parsing every file: {cold:.1f} s"),
                  "within 1.5× built-in, 100 MB", max(warm / builtin_decks / 1.5, peak / 100))
        (first, _), (reference, _) = interleaved(lambda: (time_to_first_question(library, 1), 0),
                                                 lambda: (time_to_first_question(builtin_only, 1), 0), runs)
        table.add(f"quizzer study → first question, {library_and}, {progress}",
                  f"{first * 1000:.0f} ms, {first / reference:.2f}× built-in decks only ({reference * 1000:.0f} ms)",
                  "within 1.5× built-in", first / reference / 1.5)

    exported, peak = run_measured([*QUIZZER, "progress", "export", str(work / "exported.jsonl")], env, 1)
    table.add(f"quizzer progress export, {reviews:,} answers", f"{exported:.1f} s ({peak:.0f} MB)", "–")
    # Each beside bare typer's --help, the reference of the ratios.
    for command, ratio in ((["stats"], 3), (["history"], 2.5), (["history", "--reviews"], None)):
        ours_cpu: list[float] = []
        bare_cpu: list[float] = []
        (seconds, peak), (bare, _) = interleaved(lambda: run_measured([*QUIZZER, *command], env, 1, ours_cpu),
                                                 lambda: run_measured([sys.executable, str(bare_app), "--help"], env, 1,
                                                                      bare_cpu),
                                                 runs)
        # CPU time moves far less with the machine's load than wall time: the ratio a quiet machine approaches.
        table.add(f"quizzer {' '.join(command)}, {reviews:,} answers",
                  f"{seconds * 1000:.0f} ms, {peak:.0f} MB peak, {seconds / bare:.2f}× bare typer --help "
                  f"({bare * 1000:.0f} ms); CPU {statistics.median(ours_cpu) / statistics.median(bare_cpu):.2f}×",
                  f"within {ratio}× bare typer, 200 MB" if ratio else "under 1 s, 200 MB",
                  max(seconds / bare / ratio if ratio else seconds, peak / 200))
    table.print()


# The other benchmark scripts, with the arguments that shrink them for --quick.
OTHERS = {
    "bench_grading.py": ["--rounds", "200"],
    "bench_stats.py": ["--cards", "10000", "--reviews", "100000", "--runs", "2"],
    "bench_import.py": [],
    "bench_hostile.py": ["--quick"],
    "bench_anki_history.py": ["--reviews", "10000"],
    "bench_quiz.py": ["--cards", "2000", "--reviews", "20000", "--runs", "3"],
}


def other_benchmarks(quick: bool) -> None:
    for script, quick_args in OTHERS.items():
        print(f"\n== {script}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *(quick_args if quick else [])], check=True)


if __name__ == "__main__":
    main()
