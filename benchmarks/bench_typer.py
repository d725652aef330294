"""What typer's pydantic coercion costs a real command. Run: python benchmarks/bench_typer.py DIR

DIR holds another typer, installed with `pip install --no-deps --target DIR 'typer==0.29.2'` (the first
release that coerces parameters through pydantic; pydantic itself must be importable). Runs
`quizzer decks` (empty library) with the installed typer and with DIR's, interleaved so both see the
same machine load, and reads typer._adapters' cumulative import time from `-X importtime`.
Prints medians and ranges; nothing here is a pass/fail test.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = 15


def main() -> None:
    other = sys.argv[1]
    with tempfile.TemporaryDirectory() as home:
        base = {**os.environ, "QUIZZER_HOME": home}
        setups = {"installed typer": base, f"typer from {other}": {**base, "PYTHONPATH": other}}
        times: dict[str, list[float]] = {name: [] for name in setups}
        adapters = []
        for _ in range(ROUNDS):
            for name, env in setups.items():
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "quizzer", "decks"], env=env, stdout=subprocess.DEVNULL,
                               check=True)
                times[name].append((time.perf_counter() - start) * 1000)
            traced = subprocess.run([sys.executable, "-X", "importtime", "-m", "quizzer", "decks"],
                                    env=setups[f"typer from {other}"], capture_output=True, text=True, check=True)
            adapters += [int(us) / 1000 for us in re.findall(r"\|\s+(\d+) \| typer\._adapters$", traced.stderr, re.M)]
    print(f"{ROUNDS} interleaved rounds, load average {os.getloadavg()[0]:.1f}")
    for name, samples in times.items():
        print(f"  quizzer decks, {name}: median {statistics.median(samples):.0f} ms "
              f"(range {min(samples):.0f}-{max(samples):.0f})")
    if adapters:
        print(f"  typer._adapters import (pydantic), typer from {other}: median {statistics.median(adapters):.0f} ms "
              f"(range {min(adapters):.0f}-{max(adapters):.0f})")
    else:
        print(f"  typer from {other} does not import typer._adapters")


if __name__ == "__main__":
    main()
