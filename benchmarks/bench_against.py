"""`quizzer decks` and `quizzer study` to the first question on a large library: this tree against another.

Usage: python benchmarks/bench_against.py OTHER_TREE WORK [--rounds N]

OTHER_TREE holds another version's `quizzer` package and `decks` folder (say, `git archive main quizzer
decks | tar -x -C /tmp/main`); WORK is a folder `run.py --work WORK` filled (its `library`, answers
imported). Each version gets its own copy of the library's home (its own parse cache; the database
copied, the decks linked), and each figure is taken beside the built-in-decks-only reference of the
same version, the two versions turn about, round after round. Prints medians, ranges, the ratios to
the reference and the largest peak resident size, and the same ratio in CPU time (user + system, up
to the first question for `study`), which a busy machine moves less than wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import wait_for_question

HERE = Path(__file__).resolve().parent


def environment(tree: Path | None, home: Path) -> dict:
    env = {**os.environ, "QUIZZER_HOME": str(home), "COLUMNS": "100"}
    env.pop("PYTHONPATH", None)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def cpu(usage) -> float:
    """Seconds of CPU (user + system) a child used: steadier than wall time on a shared machine."""
    return usage.ru_utime + usage.ru_stime


def decks(env: dict) -> tuple[float, float, float]:
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "quizzer", "decks"], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, cwd="/")
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError("quizzer decks failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, cpu(usage)


def first_question(env: dict) -> tuple[float, float, float]:
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "quizzer", "study", "--plain"], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, cwd="/")
    wait_for_question(child)
    took = time.perf_counter() - start
    child.kill()
    _, _, usage = os.wait4(child.pid, 0)
    child.stdout.close()
    child.stdin.close()
    return took, usage.ru_maxrss / 1024, cpu(usage)  # the child is killed at the prompt: CPU up to it


def home_for(work: Path, name: str) -> Path:
    """A home of its own for one version: the library's decks linked, its database copied."""
    home = work / f"against-{name}"
    if not home.is_dir():
        home.mkdir()
        (home / "decks").symlink_to(work / "library" / "decks")
        if (work / "library" / "quizzer.db").exists():
            shutil.copy2(work / "library" / "quizzer.db", home / "quizzer.db")
    (work / f"against-{name}-builtin").mkdir(exist_ok=True)
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="a folder holding the other version's quizzer/ and decks/")
    parser.add_argument("work", type=Path, help="a folder run.py --work filled")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    versions = {"installed quizzer": None, str(args.other): args.other.resolve()}
    envs = {}
    for number, (name, tree) in enumerate(versions.items()):
        home = home_for(args.work, str(number))
        envs[name] = (environment(tree, home), environment(tree, args.work / f"against-{number}-builtin"))
        for env in envs[name]:
            decks(env)  # fills each home's parse cache
    samples: dict[tuple, list] = {}
    for _ in range(args.rounds):
        for name, (library, builtin) in envs.items():
            for what, measure in (("decks", decks), ("study", first_question)):
                samples.setdefault((name, what, "library"), []).append(measure(library))
                samples.setdefault((name, what, "builtin"), []).append(measure(builtin))
    print(f"{args.rounds} interleaved rounds; load average at the end {os.getloadavg()[0]:.1f}")
    for name in versions:
        for what in ("decks", "study"):
            ours = [t * 1000 for t, _, _ in samples[(name, what, "library")]]
            ref = [t * 1000 for t, _, _ in samples[(name, what, "builtin")]]
            peak = max(m for _, m, _ in samples[(name, what, "library")])
            our_cpu = statistics.median(c * 1000 for _, _, c in samples[(name, what, "library")])
            ref_cpu = statistics.median(c * 1000 for _, _, c in samples[(name, what, "builtin")])
            print(f"{name}: {what:5} {statistics.median(ours):5.0f} ms ({min(ours):.0f}–{max(ours):.0f}), "
                  f"peak {peak:.0f} MB; built-in only {statistics.median(ref):.0f} ms "
                  f"({min(ref):.0f}–{max(ref):.0f}); "
                  f"{statistics.median(ours) / statistics.median(ref):.2f}×; CPU {our_cpu:.0f} vs {ref_cpu:.0f} ms, "
                  f"{our_cpu / ref_cpu:.2f}×")


if __name__ == "__main__":
    main()
