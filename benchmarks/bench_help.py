"""`quizzer --help` and `quizzer study` to the first question (built-in decks): this tree against another,
each beside a bare typer app's `--help`, the reference of issue 14's ratios.

Usage: python benchmarks/bench_help.py --against OTHER_TREE [--rounds N]

OTHER_TREE holds another version's `quizzer` package and `decks` folder (say, `git archive main quizzer
decks | tar -x -C /tmp/main`). Every command runs in a process of its own, as run.py runs them (bytecode
written once, outside the trees); each round runs the bare app, then each version's `--help` and `study`,
so all see the same machine load. Prints the least and the median wall and CPU time (user + system, up
to the first question for `study`) and their ratios to the bare app; CPU moves less with the load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_against import first_question
from run import BARE_TYPER_APP, QUIZZER, run_measured

HERE = Path(__file__).resolve().parent


def help_run(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of one `argv --help` run to its end."""
    spent: list[float] = []
    wall, _ = run_measured([*argv, "--help"], env, 1, spent)
    return wall, spent[0]


def study_run(env: dict) -> tuple[float, float]:
    wall, _, used = first_question(env)
    return wall, used


def summary(samples: list[tuple[float, float]], reference: list[tuple[float, float]]) -> str:
    parts = []
    for index, kind in ((0, "wall"), (1, "CPU")):
        ours = [sample[index] * 1000 for sample in samples]
        theirs = [sample[index] * 1000 for sample in reference]
        parts.append(f"{kind} least {min(ours):.0f} ms ({min(ours) / min(theirs):.2f}×), "
                     f"median {statistics.median(ours):.0f} ms ({statistics.median(ours) / statistics.median(theirs):.2f}×)")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="a folder holding another quizzer/ and decks/")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    trees = {"this tree": HERE.parent, str(args.against): args.against.resolve()}
    with tempfile.TemporaryDirectory(prefix="quizzer-help-") as work:
        bare_app = Path(work) / "bare_typer.py"
        bare_app.write_text(BARE_TYPER_APP, encoding="utf-8")
        bare = [sys.executable, str(bare_app)]
        envs = {}
        for number, (name, tree) in enumerate(trees.items()):
            home = Path(work) / f"home-{number}"  # built-in decks only
            home.mkdir()
            envs[name] = {**os.environ, "PYTHONPATH": str(tree), "QUIZZER_HOME": str(home), "COLUMNS": "100"}
            help_run(QUIZZER, envs[name])  # bytecode written before the first measured run
            study_run(envs[name])
        samples: dict[str, list] = {}
        loads = [os.getloadavg()[0]]
        start = time.perf_counter()
        for _ in range(args.rounds):
            samples.setdefault("bare typer --help", []).append(help_run(bare, {**os.environ, "COLUMNS": "100"}))
            for name, env in envs.items():
                samples.setdefault(f"{name}: --help", []).append(help_run(QUIZZER, env))
                samples.setdefault(f"{name}: study", []).append(study_run(env))
            loads.append(os.getloadavg()[0])
    print(f"{args.rounds} interleaved rounds in {time.perf_counter() - start:.0f} s, "
          f"load average {min(loads):.1f}–{max(loads):.1f}")
    reference = samples["bare typer --help"]
    print(f"  bare typer --help: {summary(reference, reference)}")
    for name in trees:
        for what in ("--help", "study"):
            print(f"  {name}: {what}: {summary(samples[f'{name}: {what}'], reference)}")


if __name__ == "__main__":
    main()
