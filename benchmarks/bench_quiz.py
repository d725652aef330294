"""`quizzer quiz` start-up against `quizzer study` on one large deck (issue 12: "a quiz on 10,000 cards
starts within the same time as study on them"). Run: python benchmarks/bench_quiz.py [--cards N]
[--reviews N] [--runs N] [--work DIR]

Each figure is the median time from starting the command (plain mode) to its first answer prompt,
with no answers yet and again after importing a review log of the deck (generate.py). Not a test:
docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import write_library, write_review_log  # noqa: E402
from run import QUIZZER, time_to_first_question  # noqa: E402

COMMANDS = {
    "study": ("study", "--plain"),
    "quiz (random)": ("quiz", "--plain"),
    "quiz --select weakest": ("quiz", "--plain", "--select", "weakest"),
    "quiz --select due": ("quiz", "--plain", "--select", "due"),
    "quiz --select unseen": ("quiz", "--plain", "--select", "unseen"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=Path, help="keep the data here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = (args.work or Path(scratch)) / "quiz-home"
        write_library(home, decks=1, cards=args.cards)
        log = home.parent / "quiz-reviews.jsonl"
        write_review_log(log, args.cards, args.reviews, datetime.now(timezone.utc), decks=1)
        print(f"one deck of {args.cards:,} cards; median of {args.runs} runs, ms to the first question")
        print(f"| command | no answers | {args.reviews:,} answers |\n|---|---|---|")
        results: dict[str, list[str]] = {name: [] for name in COMMANDS}
        for stage in ("fresh", "answered"):
            if stage == "answered":
                subprocess.run([*QUIZZER, "progress", "import", str(log)], check=True, capture_output=True,
                               env={**os.environ, "QUIZZER_HOME": str(home)})
            time_to_first_question(home, 1)  # the deck cache is filled once, as after any first run
            for name, command in COMMANDS.items():
                if stage == "answered" and name == "quiz --select unseen":
                    results[name].append("– (every card answered)")
                    continue
                results[name].append(f"{time_to_first_question(home, args.runs, command) * 1000:.0f}")
        for name, figures in results.items():
            print(f"| `quizzer {' '.join(COMMANDS[name][:1] + COMMANDS[name][2:])}` | {' | '.join(figures)} |")


if __name__ == "__main__":
    main()
