"""`quizzer optimize` on a real review log and on 1,000,000 synthetic answers.

Run: python benchmarks/bench_optimizer.py [--log ../shared/data/review_logs.csv] [--answers 1000000]
(TZ=UTC is set for the quizzer runs: study days turn at 04:00 UTC on both sides.)

1. The log (columns card_id, review_rating 1-4, review_time UTC ISO, review_duration ms; read where it
   is, never copied into the project) becomes a quizzer history in a temporary QUIZZER_HOME: a progress
   file imported with `quizzer progress import`. `quizzer optimize --dry-run --json` then reports log
   loss and RMSE(bins), default vs fitted, on the last 20 % and the whole history, and its fitting time.
2. The same figures straight from fsrs-rs-python, on items this script builds from the CSV itself
   (study days turning at 04:00 UTC, as the run sets TZ=UTC): parameters from `compute_parameters`,
   predictions from `FSRS.evaluate` one item at a time, binned here as srs-benchmark's `rmse_matrix`
   does. They must agree with quizzer's within 0.001. `FSRS.evaluate` over all items at once is shown
   too: fsrs-rs-python 0.9.3 predicts differently for an item in a batch than alone (docs/optimizer.md).
3. 1,000,000 answers from benchmarks/generate.py, imported, then `quizzer optimize --dry-run --json`:
   wall time and peak resident memory (wait4).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
# ../shared/data/review_logs.csv beside the checkout (or a worktree's), the first found going up.
DEFAULT_LOG = next((folder / "shared/data/review_logs.csv" for folder in HERE.parents
                    if (folder / "shared/data/review_logs.csv").exists()), Path("../shared/data/review_logs.csv"))
ENV = {**os.environ, "TZ": "UTC", "NO_COLOR": "1"}


def run(home: Path, *args: str) -> tuple[str, float, int]:
    """`quizzer ARGS` in its own process: stdout, wall seconds, peak resident KiB (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "quizzer", *args], stdout=out, stderr=err,
                                   env={**ENV, "QUIZZER_HOME": str(home)})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise SystemExit(f"quizzer {' '.join(args)} failed: {err.read().strip()}")
        return out.read(), seconds, usage.ru_maxrss


def read_log(path: Path) -> list[tuple[str, datetime, int]]:
    with path.open(newline="") as file:
        return [(row["card_id"], datetime.fromisoformat(row["review_time"]), int(row["review_rating"]))
                for row in csv.DictReader(file)]


def write_progress(rows, path: Path) -> None:
    """The log as `quizzer progress import` reads it; phase and next_due are only recorded, the import
    replays each card's schedule itself."""
    seen = set()
    with path.open("w", encoding="utf-8") as out:
        for number, (card, moment, rating) in enumerate(sorted(rows, key=lambda r: r[1])):
            at = moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
            out.write(json.dumps({
                "review_id": f"log-{number}", "deck": "review-log", "card": f"c{card}", "reviewed_at": at,
                "rating": rating, "verdict": "self", "response": "", "duration_ms": 0, "session": None,
                "phase": "review" if card in seen else "new", "next_due": at,
            }) + "\n")
            seen.add(card)


def direct(rows, day_starts_at: int = 4) -> dict:
    """The figures from fsrs-rs-python on items built here, independently of quizzer's code."""
    import fsrs_rs_python as rs

    by_card = defaultdict(list)
    for card, moment, rating in rows:
        by_card[card].append((moment, rating))
    cards = []
    for answers in by_card.values():
        answers.sort()
        days = [(moment - timedelta(hours=day_starts_at)).date().toordinal() for moment, _ in answers]
        cards.append([(rating, 0 if i == 0 else days[i] - days[i - 1], moment)
                      for i, ((moment, rating), _) in enumerate(zip(answers, days))])
    times = sorted(moment for card in cards for _, _, moment in card)
    split = times[int(len(times) * 0.8)]

    def targets(keep):
        found = []  # (item, delta_t, long-term answers so far, lapses before, recalled)
        for card in cards:
            reviews = [rs.FSRSReview(rating, delta) for rating, delta, _ in card]
            for i in range(1, len(card)):
                if card[i][1] > 0 and keep(card[i][2]):
                    long_term = sum(1 for _, d, _ in card[: i + 1] if d > 0)
                    lapses = sum(1 for r, d, _ in card[:i] if d > 0 and r == 1)
                    found.append((rs.FSRSItem(reviews[: i + 1]), card[i][1], long_term, lapses, card[i][0] > 1))
        return found

    def fitted(chosen):
        return rs.FSRS(list(rs.DEFAULT_PARAMETERS)).compute_parameters([t[0] for t in chosen],
                                                                       enable_short_term=True, num_relearning_steps=1)

    def metrics(parameters, chosen) -> dict:
        model = rs.FSRS([round(p, 4) for p in parameters])
        loss, bins = 0.0, defaultdict(lambda: [0.0, 0.0, 0])
        for item, delta, long_term, lapses, recalled in chosen:
            item_loss = model.evaluate([item]).log_loss  # alone: no batch effect
            p = math.exp(-item_loss) if recalled else 1 - math.exp(-item_loss)
            loss += item_loss
            key = (round(2.48 * 3.62 ** math.floor(math.log(delta) / math.log(3.62)), 2),
                   round(1.99 * 1.89 ** math.floor(math.log(long_term + 1) / math.log(1.89))),
                   round(1.65 * 1.73 ** math.floor(math.log(lapses) / math.log(1.73))) if lapses else 0)
            bins[key][0] += p
            bins[key][1] += recalled
            bins[key][2] += 1
        rmse = math.sqrt(sum(n * (p / n - y / n) ** 2 for p, y, n in bins.values()) / len(chosen))
        batch = model.evaluate([t[0] for t in chosen])
        return {"log_loss": loss / len(chosen), "rmse_bins": rmse,
                "batch_evaluate": {"log_loss": batch.log_loss, "rmse_bins": batch.rmse_bins}}

    early, late, whole = targets(lambda m: m < split), targets(lambda m: m >= split), targets(lambda m: True)
    started = time.perf_counter()
    held_out_parameters = fitted(early)
    parameters = fitted(whole)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "default": {"held_out": metrics(rs.DEFAULT_PARAMETERS, late), "whole": metrics(rs.DEFAULT_PARAMETERS, whole)},
        "fitted": {"held_out": metrics(held_out_parameters, late), "whole": metrics(parameters, whole)},
    }


def real_log(log: Path) -> None:
    rows = read_log(log)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        write_progress(rows, home / "log.jsonl")
        run(home, "progress", "import", str(home / "log.jsonl"))
        out, seconds, peak = run(home, "optimize", "--dry-run", "--json")
    ours = json.loads(out)
    theirs = direct(rows)
    print(f"{log.name}: {ours['answers']:,} answers of {ours['cards']:,} cards, {ours['reviews_fitted']:,} "
          "predicted (on a later day than the card's previous answer)")
    print(f"`quizzer optimize --dry-run --json`: {seconds:.2f} s in all, fitting {ours['seconds']:.3f} s, "
          f"{peak / 1024:.0f} MB; fsrs-rs-python directly: fitting {theirs['seconds']:.3f} s")
    print("| part | parameters | quizzer log loss | quizzer RMSE(bins) | fsrs-rs log loss | fsrs-rs RMSE(bins) "
          "| fsrs-rs batch `evaluate` |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    for part, title in (("held_out", "last 20 %"), ("whole", "whole history")):
        for name in ("default", "fitted"):
            mine, other = ours[name][part], theirs[name][part]
            worst = max(worst, abs(mine["log_loss"] - other["log_loss"]), abs(mine["rmse_bins"] - other["rmse_bins"]))
            batch = other["batch_evaluate"]
            print(f"| {title} | {name} | {mine['log_loss']:.4f} | {mine['rmse_bins']:.4f} | {other['log_loss']:.4f} "
                  f"| {other['rmse_bins']:.4f} | {batch['log_loss']:.4f} / {batch['rmse_bins']:.4f} |")
    print(f"largest difference quizzer vs fsrs-rs-python: {worst:.6f} ({'within' if worst < 0.001 else 'OVER'} 0.001)")


def million(answers: int) -> None:
    sys.path.insert(0, str(HERE))
    from generate import write_library, write_review_log

    cards = answers // 10
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        write_library(home, decks=100, cards=cards)
        written = write_review_log(home / "reviews.jsonl", cards, answers, datetime.now(timezone.utc))
        _, imported, _ = run(home, "progress", "import", str(home / "reviews.jsonl"))
        out, seconds, peak = run(home, "optimize", "--dry-run", "--json")
    fit = json.loads(out)
    print(f"{written:,} synthetic answers of {cards:,} cards (imported in {imported:.1f} s): "
          f"`quizzer optimize --dry-run --json` {seconds:.1f} s (fitting {fit['seconds']:.1f} s), "
          f"peak {peak / 1024:.0f} MB; {fit['reviews_fitted']:,} answers predicted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG)
    parser.add_argument("--answers", type=int, default=1_000_000, help="synthetic answers; 0 skips this part")
    arguments = parser.parse_args()
    real_log(arguments.log)
    if arguments.answers:
        million(arguments.answers)


if __name__ == "__main__":
    main()
