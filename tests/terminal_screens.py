"""Run several quizzer commands one after another in one pseudo-terminal (one Python start-up, not one
per screen) and return each command's output by name."""

import json
import sys

import pexpect

RUNNER = """
import json, sys
from quizzer.cli import app
for name, args in json.loads(sys.argv[1]):
    print(f"\\n<<<{name}>>>", flush=True)
    try:
        app(args, prog_name="quizzer")
    except SystemExit:
        pass
    sys.stdout.flush()
    sys.stderr.flush()
print("\\n<<<end>>>", flush=True)
"""


def run_screens(screens: list[tuple[str, list[str]]], env: dict[str, str], columns: int, rows: int) -> dict[str, str]:
    """{name: what the terminal received while `quizzer ARGS` ran}, `columns` wide and `rows` high."""
    child = pexpect.spawn(sys.executable, ["-c", RUNNER, json.dumps(screens)], env=env, dimensions=(rows, columns),
                          encoding="utf-8", codec_errors="strict", timeout=60)
    child.expect_exact("<<<end>>>")
    output = child.before
    child.expect(pexpect.EOF)
    parts = output.split("\n<<<")[1:]
    return {part.split(">>>", 1)[0]: part.split(">>>", 1)[1] for part in parts}
