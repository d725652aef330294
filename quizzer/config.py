"""Where quizzer keeps its files, and the settings in config.toml."""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

HOME_VARIABLE = "QUIZZER_HOME"
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """config.toml or the data folder cannot be used."""


@dataclass(frozen=True)
class Settings:
    new_per_day: int = 20  # new cards per deck per day
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    day_starts_at: int = 4  # hour at which a new study day begins, local time
    new_order: str = "mixed"  # several decks' new cards in turn ("mixed") or deck after deck ("deck")
    leech_action: str = "suspend"  # at 8 lapses: suspend the card, or only "tag" it as a leech
    # FSRS's 21 weights fitted by `quizzer optimize`; None: py-fsrs's defaults. Part of every card's replay.
    parameters: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def database(self) -> Path:
        return self.home / "quizzer.db"

    @property
    def decks(self) -> Path:
        return self.home / "decks"

    @property
    def config(self) -> Path:
        return self.home / "config.toml"

    @property
    def linked(self) -> Path:
        """Deck files used where they are (`quizzer decks add --link`), by deck id."""
        return self.home / "linked.json"

    @property
    def cache(self) -> Path:
        """Parsed decks kept between runs; safe to delete."""
        return self.home / "cache"


def paths() -> Paths:
    """$QUIZZER_HOME if set, else the platform's user data folder."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return Paths(Path(override).expanduser())
    import platformdirs

    return Paths(platformdirs.user_data_path("quizzer"))


# What each setting may be: whole numbers in a range (an hour is a whole hour: the day turns on the
# hour everywhere it is shown), or the retention strictly between 0 and 1.
_WHOLE = {
    "new_per_day": (0, 100_000, "a whole number of cards from 0 to 100,000"),
    "reviews_per_day": (0, 1_000_000, "a whole number of cards from 0 to 1,000,000"),
    "day_starts_at": (0, 23, "a whole hour from 0 to 23"),
}
# Settings that take one of a few words.
_CHOICES = {"new_order": ("mixed", "deck"), "leech_action": ("suspend", "tag")}


# Says what is wrong with a list of finite numbers as FSRS parameters (count, bounds), or None.
ParameterCheck = Callable[[tuple[float, ...]], "str | None"]


def _tomllib():
    """The TOML parser, imported only when there is a config.toml to read (4 ms of each start-up otherwise)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def load_settings(path: Path, check_parameters: ParameterCheck | None = None) -> Settings:
    """Read config.toml; a missing file means the defaults. `parameters`, when present, must be finite
    numbers that `check_parameters` (the scheduler's rule, given by the caller) finds nothing wrong with."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_CONFIG_BYTES + 1)  # a bound, whatever size the file reports
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: the settings file is over 1 MB; it holds a few settings")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the settings file ({exc})") from exc
    tomllib = _tomllib()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except RecursionError:
        raise ConfigError(f"{path}: values nested too deeply") from None
    known = [f.name for f in fields(Settings)]
    values = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown setting '{key}' (known: {', '.join(known)})")
        if key == "parameters":
            values[key] = _parameters(path, raw.decode("utf-8"), value, check_parameters)
        else:
            values[key] = _setting(path, key, value)
    return Settings(**values)


def _parameters(path: Path, text: str, value: object, check: ParameterCheck | None) -> tuple[float, ...]:
    where = f"{path}:{_line_of_parameters(text)}"
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'parameters' must be a list of numbers like [0.212, 1.2931, …], "
                          f"not {_shown(value)}")
    for index, number in enumerate(value):
        if type(number) not in (int, float) or not math.isfinite(number):
            raise ConfigError(f"{where}: 'parameters' must be finite numbers; parameter {index} is {_shown(number)}")
    numbers = tuple(float(number) for number in value)
    problem = check(numbers) if check else None
    if problem:
        raise ConfigError(f"{where}: 'parameters' {problem}; `quizzer optimize --reset` goes back to the defaults")
    return numbers


# Where `parameters` is set: `parameters =` (its key maybe quoted) or a `[parameters]` table, at a line's start.
PARAMETERS_LINE = re.compile(r"^[ \t]*(\[[ \t]*)?[\"']?parameters[\"']?[ \t]*[=\]]", re.MULTILINE)


def _line_of_parameters(text: str) -> int:
    found = PARAMETERS_LINE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _shown(value: object) -> str:
    return repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"


_NOTE = "# Fitted to your answers by `quizzer optimize`; `quizzer optimize --reset` removes them.\n"


def save_parameters(path: Path, parameters: tuple[float, ...] | None) -> None:
    """Set `parameters` in config.toml (remove it when None), keeping every other line and comment as it
    was; the file is replaced at once, never left half-written."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    lines = text.splitlines(keepends=True)
    tomllib = _tomllib()
    start = _line_of_parameters(text) - 1 if "parameters" in tomllib.loads(text) else None
    if start is not None:
        end = start + 1
        while True:  # the setting may span lines: it ends where what it has read parses on its own
            try:
                tomllib.loads("".join(lines[start:end]))
                break
            except tomllib.TOMLDecodeError:
                end += 1
        if start and lines[start - 1] == _NOTE:
            start -= 1
        del lines[start:end]
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if parameters is not None:
        lines.append(_NOTE)
        lines.append("parameters = [" + ", ".join(repr(p) for p in parameters) + "]\n")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write("".join(lines))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _setting(path: Path, key: str, value: object) -> int | float | str:
    shown = _shown(value)
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise ConfigError(f"{path}: '{key}' must be {' or '.join(map(repr, _CHOICES[key]))}, not {shown}")
        return value
    if key in _WHOLE:
        low, high, what = _WHOLE[key]
        if type(value) is not int or not low <= value <= high:
            raise ConfigError(f"{path}: '{key}' must be {what}, not {shown}")
        return value
    if type(value) not in (int, float) or not 0 < value < 1:  # NaN fails the comparison too
        raise ConfigError(f"{path}: '{key}' must be a number between 0 and 1 (like 0.9), not {shown}")
    return float(value)
