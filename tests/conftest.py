import os
import shutil
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

# Local time is part of the rules ("a day starts at 04:00 local time"): pin it for every test.
os.environ["TZ"] = "UTC"
time.tzset()

REPO = Path(__file__).resolve().parent.parent

# The last guard of the real home: a test that loses QUIZZER_HOME (`monkeypatch.undo()` also undoes the
# fixture below) falls back to the platform's data folder, which is here, and the run fails (below).
STRAY_DATA = Path(tempfile.mkdtemp(prefix="quizzer-stray-"))
os.environ["XDG_DATA_HOME"] = str(STRAY_DATA)


def pytest_sessionfinish(session, exitstatus):
    written = sorted(str(path.relative_to(STRAY_DATA)) for path in STRAY_DATA.rglob("*"))
    shutil.rmtree(STRAY_DATA, ignore_errors=True)
    if written:
        session.config.get_terminal_writer().line(f"a test ran without QUIZZER_HOME and wrote {written}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def quizzer_home(tmp_path, monkeypatch):
    """Every test gets its own QUIZZER_HOME; none touches the real home directory."""
    home = tmp_path / "quizzer-home"
    monkeypatch.setenv("QUIZZER_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def write_deck(tmp_path):
    """Write deck text to a file and return its path."""

    def write(text: str, name: str = "deck.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


class FakeClock:
    """A clock the test moves by hand; starts at a fixed UTC time."""

    def __init__(self, start=datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock():
    return FakeClock()
