import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

# Local time is part of the rules ("a day starts at 04:00 local time"): pin it for every test.
os.environ["TZ"] = "UTC"
time.tzset()

REPO = Path(__file__).resolve().parent.parent


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
