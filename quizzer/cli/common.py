"""What every command shares: the user's folders, settings, errors as one line and exit status 2."""

import contextlib
import gc
import inspect
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NoReturn, TextIO

import typer
import typer.core

EXIT_BAD_INPUT = 2
_REQUIRED = re.compile(r"^\{(.*)\}(\.\.\.)?$")  # typer's usage for a required argument: {FILE} or {FILE}...


class _Help:
    """`--help` as the README writes commands: a flag shows no `<bool>` value (it takes none), a
    required argument reads DECK rather than typer's {DECK}, an optional one [DECK], a group lists
    each command by the first paragraph of its help as one sentence, and each paragraph of the help is
    wrapped at the terminal's width, not where the docstring's source lines break (typer keeps those)."""

    def __init__(self, *args, **settings):
        super().__init__(*args, **settings)
        if self.help:
            self.help = _unwrapped(self.help)
            self.short_help = self.short_help or self.help.split("\n\n")[0]

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False):
                param.metavar = ""  # typer shows the metavar, when set, in place of the type
        return params

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [_REQUIRED.sub(r"\1\2", piece) for piece in super().collect_usage_pieces(ctx)]


def _unwrapped(help_text: str) -> str:
    """A docstring with the line breaks inside each paragraph taken out, but before an example line
    ("$ quizzer ..."): each example keeps its own line under "Examples:"."""
    paragraphs = []
    for paragraph in inspect.cleandoc(help_text).split("\n\n"):
        first, *rest = (line.strip() for line in paragraph.split("\n"))
        paragraphs.append(first + "".join(("\n" if line.startswith("$ ") else " ") + line for line in rest))
    return "\n\n".join(paragraphs)


class Command(_Help, typer.core.TyperCommand):
    pass


class Group(_Help, typer.core.TyperGroup):
    pass


class Typer(typer.Typer):
    """A typer app whose commands and groups show help the quizzer way (see `_Help`)."""

    def __init__(self, **settings):
        super().__init__(cls=Group, **settings)

    def command(self, *args, cls=Command, **settings):
        return super().command(*args, cls=cls, **settings)

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
    say(f"quizzer: {message}", err=True)


def say(message: str, *, err: bool = False) -> None:
    """A line for the learner. Messages quote deck text, ids, paths and answers, so all of it goes
    through the display function: no escape sequence or control character reaches the terminal. On a
    terminal a long line is wrapped between words, and a path wider than the terminal after a "/"
    (`ui.text.wrapped`); piped, it stays one line."""
    from quizzer.ui.text import literal, wrapped

    text = literal(message)
    if (sys.stderr if err else sys.stdout).isatty():
        import shutil

        text = wrapped(text, shutil.get_terminal_size().columns)
    typer.echo(text, err=err)


class _Filtered:
    """A text stream that changes every piece written before passing it on."""

    def __init__(self, stream: TextIO, change: Callable[[str], str]):
        self.stream, self.change = stream, change

    def write(self, text: str) -> int:
        return self.stream.write(self.change(text))

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()


def data_out() -> TextIO:
    """Standard output for data (CSV, YAML, Anki text): verbatim into a pipe or file, which keeps the
    text exact for the program reading it; through the display function when it is a terminal."""
    if sys.stdout.isatty():
        from quizzer.ui.text import literal

        return _Filtered(sys.stdout, literal)
    return sys.stdout


def json_out() -> TextIO:
    """Standard output for JSON: the characters a terminal would act on are written as \\u escapes,
    which any JSON reader turns back into the same text."""
    from quizzer.ui.text import json_safe

    return _Filtered(sys.stdout, json_safe)


def print_json(data) -> None:
    """`data` as JSON on stdout, laid out as json.dumps(indent=2) would. Lists and generators, at the
    top or as values of a top-level dict, are written item by item: a long one never becomes one
    huge string."""
    import json

    out = json_out()

    def dumps(value, level: int) -> str:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)

    def stream(items, level: int) -> None:
        out.write("[")
        separator = "\n" + "  " * (level + 1)
        wrote = False
        for item in items:
            out.write(("," if wrote else "") + separator + dumps(item, level + 1))
            wrote = True
        out.write("\n" + "  " * level + "]" if wrote else "]")

    if isinstance(data, dict):
        out.write("{")
        for index, (key, value) in enumerate(data.items()):
            out.write(("," if index else "") + "\n  " + json.dumps(key) + ": ")
            if isinstance(value, dict) or not isinstance(value, Iterable) or isinstance(value, str):
                out.write(dumps(value, 1))
            else:
                stream(value, 1)
        out.write("\n}\n" if data else "}\n")
    else:
        stream(data, 0)
        out.write("\n")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's typed errors into a one-line message and exit status 2."""
    from quizzer.config import ConfigError
    from quizzer.decks import DeckError
    from quizzer.store import SQLiteError, StoreError, explain

    try:
        yield
    except DeckError as exc:
        for problem in exc.problems:
            say(str(problem), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (StoreError, ConfigError) as exc:
        fail(str(exc))
    except SQLiteError as exc:  # a read found the database damaged after it opened cleanly
        from quizzer.config import paths

        fail(str(explain(exc, paths().database)))


@contextlib.contextmanager
def progress_line() -> Iterator[Callable]:
    """The `progress` callback that shows where a long import, export, check or sync pull stands (`Stage`) on
    a status line (`ui.status`), cleared when the block ends: before any message about how it ended."""
    from quizzer.store.sync import Stage
    from quizzer.ui.status import StatusLine

    words = {
        Stage.READ: "Reading answers: {done:,}",
        Stage.INDEX: "Indexing the answers…",
        Stage.REBUILD: "Rebuilding schedules: {done:,} of {total:,} cards",
        Stage.SUMS: "Counting answers per day…",
        Stage.SAVE: "Saving…",
        Stage.WRITE: "Writing answers: {done:,} of {total:,}",
        Stage.INTEGRITY: "Checking every page of the database…",
        Stage.REPLAY: "Replaying answers: {done:,} cards",
        Stage.PUSH: "Writing to the sync folder: {done:,} lines",
    }
    with StatusLine() as line:
        yield lambda stage, done, total: line.show(words[stage].format(done=done, total=total))


@contextlib.contextmanager
def showing(text: str) -> Iterator[None]:
    """`text` on a status line of the terminal while the block runs, once it has taken half a second, and
    cleared when it ends (`ui.status`): for one long step of a command, before the lines it leads to."""
    from quizzer.ui.status import StatusLine

    with StatusLine() as line:
        line.show(text)
        yield


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

    return load_settings(_checked_home().config, _parameter_problem)


def _parameter_problem(values):
    from quizzer.scheduler import parameter_problem  # loads fsrs only when config.toml sets parameters

    return parameter_problem(values)


def scheduler(config, *, fuzz: bool = True):
    """FSRS as the learner set it up in config.toml: desired retention and, once fitted, parameters."""
    from quizzer.scheduler import Scheduler

    return Scheduler(desired_retention=config.desired_retention, fuzz=fuzz, parameters=config.parameters)


def replay(config=None):
    """Rebuild one card's state from its log with the learner's own FSRS settings (those of `config`, else
    config.toml's): desired retention and parameters are both part of the replay."""
    fsrs = scheduler(config or settings())
    return lambda log: fsrs.replay(log, log[0][2])


def library():
    """All decks that load cleanly; problems in user decks are reported and the deck skipped."""
    from quizzer.decks import load_library
    from quizzer.library import read_links

    where = _checked_home()
    _sweep(where)
    # The decks live until the command ends: freezing them (before the collector runs again) spares
    # every later collection a scan of the whole library, a quarter of `quizzer decks` at 100,000 cards.
    gc.disable()
    try:  # a large library parsed again (its files edited, or quizzer upgraded) takes seconds
        with showing("Reading your decks…"):
            decks, problems = load_library(where.decks, linked=read_links(where.linked).values(), cache_dir=where.cache)
    finally:
        gc.freeze()
        gc.enable()
    by_file: dict[str, list] = {}
    for problem in problems:
        by_file.setdefault(problem.path, []).append(problem)
    for path, found in by_file.items():  # one line per skipped deck, however broken it is
        more = f"; {len(found) - 1:,} more: `quizzer decks validate {path}`" if len(found) > 1 else ""
        warn(f"{found[0]} (deck skipped{more})")
    return decks


def user_decks():
    """The user's own decks (copies in the decks folder and linked files), for commands that change them."""
    from quizzer.library import UserDecks

    where = _checked_home()
    _sweep(where)
    return UserDecks(where.decks, where.linked)


def _sweep(where) -> None:
    """Temporary files left by a run that was killed while writing decks, linked.json or the deck cache go."""
    from quizzer.library import sweep_temporaries

    sweep_temporaries(where.decks, where.home, where.cache)


def unused_name(folder: Path, stem: str, suffix: str) -> Path:
    """`{stem}-STAMP{suffix}` in `folder` (STAMP: UTC time to the second), numbered if that name is taken:
    a backup never overwrites another."""
    import itertools
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    for number in itertools.count(1):
        candidate = folder / f"{stem}-{stamp}{'' if number == 1 else f'-{number}'}{suffix}"
        if not candidate.exists():
            return candidate


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
