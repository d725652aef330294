"""What every command shares: the user's folders, settings, errors as one line and exit status 2."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from typing import NoReturn

import typer

EXIT_BAD_INPUT = 2
NOW_VARIABLE = "QUIZZER_NOW"  # an ISO time every command takes as "now": tests never depend on the hour they run at


def version_callback(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"quizzer {version('quizzer')}")
        raise typer.Exit()


def now():
    """The current UTC time, or the time $QUIZZER_NOW names."""
    from datetime import datetime, timezone

    fixed = os.environ.get(NOW_VARIABLE)
    return parse_moment(fixed, f"${NOW_VARIABLE}") if fixed else datetime.now(timezone.utc)


def parse_moment(text: str, source: str):
    """An ISO date and time given by the user; UTC when it names no zone."""
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{source}: '{text}' is not an ISO date and time")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def fail(message: str) -> NoReturn:
    warn(message)
    raise typer.Exit(EXIT_BAD_INPUT)


def warn(message: str) -> None:
    from quizzer.ui.text import literal

    # Messages quote deck files, ids and paths: their escape sequences must not reach the terminal.
    typer.echo(f"quizzer: {literal(message)}", err=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's typed errors into a one-line message and exit status 2."""
    from quizzer.config import ConfigError
    from quizzer.decks import DeckError
    from quizzer.store import SQLiteError, StoreError, explain

    try:
        yield
    except DeckError as exc:
        from quizzer.ui.text import literal

        for problem in exc.problems:
            typer.echo(literal(str(problem)), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    except SQLiteError as exc:  # a read found the database damaged after it opened cleanly
        from quizzer.config import paths

        fail(str(explain(exc, paths().database)))


def open_store():
    from quizzer.store import Store

    return Store(_checked_home().database)


def _checked_home():
    from quizzer.config import paths

    where = paths()
    if where.home.exists() and not where.home.is_dir():
        fail(f"QUIZZER_HOME {where.home} is a file, not a folder")
    return where


def settings():
    from quizzer.config import load_settings

    return load_settings(_checked_home().config)


def library():
    """All decks that load cleanly; problems in user decks are reported and the deck skipped."""
    from quizzer.decks import load_library
    from quizzer.library import read_links

    where = _checked_home()
    # The decks live until the command ends: freezing them (before the collector runs again) spares
    # every later collection a scan of the whole library, a quarter of `quizzer decks` at 100,000 cards.
    gc.disable()
    try:
        decks, problems = load_library(where.decks, linked=read_links(where.linked).values(), cache_dir=where.cache)
    finally:
        gc.freeze()
        gc.enable()
    for problem in problems:
        warn(f"{problem} (deck skipped)")
    return decks


def user_decks():
    """The user's own decks (copies in the decks folder and linked files), for commands that change them."""
    from quizzer.library import UserDecks

    where = _checked_home()
    return UserDecks(where.decks, where.linked)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
