"""Where quizzer keeps its files, and the settings in config.toml."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HOME_VARIABLE = "QUIZZER_HOME"


class ConfigError(Exception):
    """config.toml or the data folder cannot be used."""


@dataclass(frozen=True)
class Settings:
    new_per_day: int = 20  # new cards per deck per day
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    day_starts_at: int = 4  # hour at which a new study day begins, local time
    new_order: str = "mixed"  # several decks' new cards in turn ("mixed") or deck after deck ("deck")


CHOICES = {"new_order": ("mixed", "deck")}  # settings that take one of a few words


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


def load_settings(path: Path) -> Settings:
    """Read config.toml; a missing file means the defaults."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the settings file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    known = {f.name: f.type for f in fields(Settings)}
    values = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown setting '{key}' (known: {', '.join(known)})")
        if key in CHOICES:
            if value not in CHOICES[key]:
                raise ConfigError(f"{path}: '{key}' must be {' or '.join(map(repr, CHOICES[key]))}, not {value!r}")
            values[key] = value
            continue
        expected = float if known[key] == "float" else int
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{path}: '{key}' must be a non-negative number, not {value!r}")
        values[key] = expected(value)
    settings = Settings(**values)
    if not 0 < settings.desired_retention < 1:
        raise ConfigError(f"{path}: 'desired_retention' must be between 0 and 1")
    if not 0 <= settings.day_starts_at <= 23:
        raise ConfigError(f"{path}: 'day_starts_at' must be an hour from 0 to 23")
    return settings
