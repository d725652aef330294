"""quizzer in a real pseudo-terminal: `run_screens` runs several commands one after another in one (one
Python start-up, not one per screen) and returns each command's output by name; `Terminal` drives one
interactive command and reads its screen back."""

import json
import os
import signal
import sys
from datetime import datetime, timezone

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


def _as_from_a_shell_prompt() -> None:
    """Ctrl-C interrupts, as for a program started at a shell prompt: a test run started in the background
    of a script ignores SIGINT and SIGQUIT, and its children would inherit that (a plain-mode Ctrl-C test
    then waited forever)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def pty_env(home, **more: str) -> dict[str, str]:
    """The environment of quizzer in a test's pseudo-terminal: its own home, and today's noon as the clock,
    fixed, since a session started in the minute before the 04:00 study-day boundary would otherwise see
    its next learning step fall into the next day and end early."""
    noon = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0).isoformat()
    return {"QUIZZER_NOW": noon, **os.environ, "QUIZZER_HOME": str(home), "TERM": "xterm",
            "PROMPT_TOOLKIT_NO_CPR": "1", **more}


class Terminal:
    """`quizzer ARGS` in a pseudo-terminal, its output kept on an emulated screen (pyte) tall enough never to
    scroll, so a test reads back what a person would see at that width."""

    def __init__(self, home, columns: int, *args: str):
        import pyte

        self.child = pexpect.spawn(sys.executable, ["-m", "quizzer", *args], env=pty_env(home),
                                   dimensions=(30, columns), encoding="utf-8", timeout=20,
                                   preexec_fn=_as_from_a_shell_prompt)
        self.screen = pyte.Screen(columns, 1000)
        self.stream = pyte.Stream(self.screen)

    def expect(self, pattern) -> None:
        try:
            self.child.expect(pattern)
        except pexpect.TIMEOUT:
            self.stream.feed(self.child.before)
            raise AssertionError(f"waited in vain for {pattern!r} ({self._process()}); on screen:\n"
                                 + "\n".join(self.lines)) from None
        self.stream.feed(self.child.before + (self.child.after if isinstance(self.child.after, str) else ""))

    def _process(self) -> str:
        """What the program was doing when a wait failed: its state, where the kernel holds it, and which
        signals it blocks, ignores and catches (Ctrl-C has once gone unanswered in a full run)."""
        try:
            status = open(f"/proc/{self.child.pid}/status").read().splitlines()
            wchan = open(f"/proc/{self.child.pid}/wchan").read()
        except OSError:
            return "no /proc to read"
        fields = [line for line in status if line.startswith(("State", "SigBlk", "SigIgn", "SigCgt", "Threads"))]
        return ", ".join([*fields, f"wchan: {wchan}"])

    def send(self, keys: str, then) -> None:
        self.child.send(keys)
        self.expect(then)

    def settle(self) -> None:
        """Take in whatever else the screen draws within a moment (the rest of a hint line)."""
        self.child.expect(pexpect.TIMEOUT, timeout=0.5)
        self.stream.feed(self.child.before)

    def resize(self, columns: int) -> None:
        self.child.setwinsize(30, columns)
        self.screen.resize(1000, columns)

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display if line.strip()]

    def text(self) -> str:
        """Every word on screen, one space between them (lines joined)."""
        return " ".join(" ".join(self.lines).split())
