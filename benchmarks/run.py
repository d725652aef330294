"""Measure quizzer's speed targets and print a table. Run: python benchmarks/run.py

Figures are medians over repeated runs on this machine; nothing here is a pass/fail test.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

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


def timed_runs(command: list[str], runs: int, env: dict | None = None) -> float:
    """Median wall time of running `command` to completion."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def help_vs_bare_typer(runs: int = 15) -> tuple[float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as bare:
        bare.write(BARE_TYPER_APP)
    try:
        ours, theirs = [], []
        for _ in range(runs):  # interleaved so both see the same machine load
            ours.append(timed_runs([sys.executable, "-m", "quizzer", "--help"], 1))
            theirs.append(timed_runs([sys.executable, bare.name, "--help"], 1))
        return statistics.median(ours), statistics.median(theirs)
    finally:
        os.unlink(bare.name)


def time_to_first_question(runs: int = 10) -> float:
    """From starting `quizzer study --plain` to its first answer prompt on screen (built-in decks)."""
    times = []
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QUIZZER_HOME": home}
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "quizzer", "study", "--plain"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            )
            seen = b""
            while b"> " not in seen:  # every plain prompt ends in "> "
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError("quizzer ended before showing a question")
                seen += chunk
            times.append(time.perf_counter() - start)
            proc.kill()
            proc.wait()
    return statistics.median(times)


def save_one_answer(answers: int = 500) -> tuple[float, float]:
    """Grade + schedule + commit one answer, in milliseconds: (median, 99th percentile)."""
    from quizzer.grading import judge
    from quizzer.model import Card, Kind, Outcome, Rating, Review
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
                state.phase, after,
            )
            times.append((time.perf_counter() - start) * 1000)
            now += timedelta(seconds=5)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    rows = []
    ours, bare = help_vs_bare_typer()
    rows.append(("quizzer --help vs bare typer app", f"{ours * 1000:.0f} ms vs {bare * 1000:.0f} ms "
                 f"({ours / bare:.2f}x)", "within 1.2x"))
    first = time_to_first_question()
    rows.append(("quizzer study → first question (built-in decks)", f"{first * 1000:.0f} ms", "under 300 ms"))
    median, p99 = save_one_answer()
    rows.append(("save one answer (grade + schedule + commit)", f"{median:.2f} ms median, {p99:.2f} ms p99",
                 "under 5 ms median"))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'measured':<34}  target")
    for what, measured, target in rows:
        print(f"{what:<{width}}  {measured:<34}  {target}")


if __name__ == "__main__":
    main()
