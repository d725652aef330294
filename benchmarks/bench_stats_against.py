"""`quizzer stats` on a large library and history: this tree against another, beside bare typer `--help`.

Usage: python benchmarks/bench_stats_against.py OTHER_TREE WORK [--rounds N] [-- STATS ARGUMENTS]

OTHER_TREE and WORK as for bench_against.py (`git archive main quizzer decks | tar -x -C /tmp/main`; a
folder `run.py --work WORK` filled). Each version has its own home (its own parse cache); in each round
both versions run `quizzer stats` and then the bare typer app of run.py prints its help, so all three see
the same load. Prints medians, ranges and the ratios to bare typer `--help`, the issue-14 target, in wall
time and in CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from bench_against import environment, home_for
from run import BARE_TYPER_APP, QUIZZER, run_measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="a folder holding the other version's quizzer/ and decks/")
    parser.add_argument("work", type=Path, help="a folder run.py --work filled")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("arguments", nargs="*", help="arguments for `quizzer stats`, after --")
    args = parser.parse_args()
    bare = args.work / "bare_typer.py"
    bare.write_text(BARE_TYPER_APP, encoding="utf-8")
    envs = {"installed quizzer": environment(None, home_for(args.work, "0")),
            str(args.other): environment(args.other.resolve(), home_for(args.work, "1"))}
    command = [*QUIZZER, "stats", *args.arguments]
    for env in envs.values():
        run_measured(command, env, 1)  # fills each home's parse cache (and the bytecode folder: run.py)
    run_measured([sys.executable, str(bare), "--help"], os.environ.copy(), 1)
    samples: dict[str, list[float]] = {name: [] for name in [*envs, "bare typer --help"]}
    cpu: dict[str, list[float]] = {name: [] for name in samples}
    for _ in range(args.rounds):
        for name, env in envs.items():
            samples[name].append(run_measured(command, env, 1, cpu[name])[0] * 1000)
        bare_help = run_measured([sys.executable, str(bare), "--help"], os.environ.copy(), 1, cpu["bare typer --help"])
        samples["bare typer --help"].append(bare_help[0] * 1000)
    reference = statistics.median(samples["bare typer --help"])
    cpu_reference = statistics.median(cpu["bare typer --help"])
    print(f"{args.rounds} interleaved rounds of `quizzer {' '.join(['stats', *args.arguments])}`; "
          f"load average at the end {os.getloadavg()[0]:.1f}")
    # CPU time (user + system) moves far less with the load than wall time: the ratio a quiet machine approaches.
    for name, times in samples.items():
        print(f"{name}: {statistics.median(times):5.0f} ms ({min(times):.0f}–{max(times):.0f}), "
              f"{statistics.median(times) / reference:.2f}× bare typer --help; CPU "
              f"{statistics.median(cpu[name]) * 1000:.0f} ms, {statistics.median(cpu[name]) / cpu_reference:.2f}×")

if __name__ == "__main__":
    main()
