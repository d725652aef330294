"""Where one `quizzer stats` run spends its CPU: each phase timed in one process, as the command runs them.

Usage: QUIZZER_HOME=HOME python -P benchmarks/bench_stats_phases.py [--columns 100]

HOME a home run.py filled (its decks served by the parse cache: run `quizzer stats` there once first);
`PYTHONPATH=TREE` times another tree's quizzer. Prints CPU milliseconds (`time.process_time`) per phase:
imports, settings, library, `compute_stats`, the screens' import and the drawing into a string, and
whether PyYAML's and tomllib's code ran.
"""

from __future__ import annotations

import time

START = time.process_time()
import argparse  # noqa: E402 - the clock starts before every import
import io  # noqa: E402
import sys  # noqa: E402

_last = [START]


def phase(name: str) -> None:
    now = time.process_time()
    print(f"{name:22s} {(now - _last[0]) * 1000:6.1f} ms")
    _last[0] = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=100)
    args = parser.parse_args()
    import typer  # noqa: F401 - the command line's own import, timed

    phase("import typer")
    from quizzer.cli.common import library, now, open_store, scheduler, settings
    from quizzer.stats import compute_stats

    phase("import quizzer.stats")
    config = settings()
    phase("settings")
    decks = library()
    phase("library")
    with open_store() as store:
        result = compute_stats(store, scheduler(config, fuzz=True), decks, now=now(),
                               day_starts_at=config.day_starts_at)
    phase("compute_stats")
    from rich.console import Console

    from quizzer.ui.stats import stats_view

    phase("import the screens")
    screen = Console(highlight=False, file=io.StringIO(), width=args.columns)
    screen.print(stats_view(result, args.columns))
    phase("draw")
    print(f"{'total':22s} {(time.process_time() - START) * 1000:6.1f} ms; PyYAML run: "
          f"{'yaml.error' in sys.modules}, tomllib imported: {'tomllib' in sys.modules}")


if __name__ == "__main__":
    main()
