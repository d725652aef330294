"""Your own decks: copies in the decks folder, and deck files linked where they are (listed in linked.json).

Every change is all-or-nothing: a copy is written to a temporary file in the decks folder, checked
there, and renamed over the old file; linked.json is replaced the same way. Progress is keyed on
(deck id, card id), so updating a deck keeps the progress of every card whose id stays.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from quizzer.decks import MAX_DECK_BYTES, DeckError, Problem, check_deck, load_library
from quizzer.model import DECK_ID_PATTERN, Deck

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

MAX_DECK_ID_LENGTH = 64  # the id names the installed file
# What write_atomically and the deck cache name their temporary files: mkstemp(prefix=".NAME.", suffix=".tmp").
TEMPORARY = re.compile(r"^\.(?:.+\.ya?ml|linked\.json|decks\.cache)\.[a-z0-9_]{8}\.tmp$")
STALE_AFTER_SECONDS = 60  # a temporary file this old and unlocked was left by a killed run
STALE_AFTER_SECONDS_WITHOUT_LOCKS = 3600


def deck_id_problem(deck_id: str) -> str | None:
    """Why `deck_id` cannot name a deck (or None): the id becomes a file name in the decks folder."""
    if not DECK_ID_PATTERN.match(deck_id):
        return f"'{deck_id}' is not a valid deck id: use lowercase letters, digits and '-' (like 'spanish-verbs')"
    if len(deck_id) > MAX_DECK_ID_LENGTH:
        return f"deck id '{deck_id[:20]}…' is {len(deck_id)} characters; at most {MAX_DECK_ID_LENGTH}"
    return None


@dataclass(frozen=True)
class Changes:
    """How an update changes a deck's cards, compared by card id."""

    added: int
    changed: int
    unchanged: int
    removed: int

    def __str__(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged, {self.removed} removed"


def compare(old: Deck, new: Deck) -> Changes:
    before = {card.id: replace(card, line=0) for card in old.cards}
    after = {card.id: replace(card, line=0) for card in new.cards}
    kept = before.keys() & after.keys()
    changed = sum(before[i] != after[i] for i in kept)
    return Changes(len(after.keys() - kept), changed, len(kept) - changed, len(before.keys() - kept))


@dataclass(frozen=True)
class Installed:
    deck: Deck
    path: Path
    linked: bool
    changes: Changes | None  # None when no deck had this id before


@dataclass(frozen=True)
class Installation:
    """Where one installed user deck lives."""

    deck_id: str
    path: Path
    linked: bool


def write_atomically(target: Path, data: bytes, check=None) -> None:
    """Write `data` to a temporary file beside `target`, run `check(temp_path)`, then rename it over `target`.

    On any failure the temporary file is removed and `target` is as it was. The temporary file stays
    locked until it is renamed, which tells `sweep_temporaries` it is not left over from a killed run.
    """
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise DeckError([Problem(str(target), 0, f"cannot write here: {exc.strerror}")]) from None
    temp = Path(name)
    file = os.fdopen(handle, "wb")
    try:
        if fcntl is not None:
            with contextlib.suppress(OSError):  # a file system without locks: the sweep then never takes it
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
        if fcntl is None:  # without POSIX locks (Windows) an open file cannot be renamed
            file.close()
        if check is not None:
            check(temp)
        os.replace(temp, target)
        _sync_folder(target.parent)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise DeckError([Problem(str(target), 0, f"cannot write the file: {exc.strerror}")]) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        file.close()


def sweep_temporaries(*folders: Path, now: float | None = None) -> list[Path]:
    """Delete the temporary files a killed run left in quizzer's own folders (say, a SIGKILL during
    `decks import`), and return them.

    Only our own names (`.NAME.XXXXXXXX.tmp` for a deck, linked.json or the deck cache) are touched,
    and only stale ones: older than a minute and, where POSIX locks exist, not locked (a writer holds
    its lock until it renames the file; a killed one holds nothing). Without locks, only files older
    than an hour go. Failures are ignored: the sweep only saves disk space.
    """
    now = time.time() if now is None else now
    oldest = STALE_AFTER_SECONDS if fcntl is not None else STALE_AFTER_SECONDS_WITHOUT_LOCKS
    swept = []
    for folder in folders:
        try:
            names = [entry for entry in os.scandir(folder) if TEMPORARY.match(entry.name) and entry.is_file()]
        except OSError:
            continue
        for entry in names:
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime >= oldest:
                    _remove_unless_locked(Path(entry.path))
                    swept.append(Path(entry.path))
    return swept


def _remove_unless_locked(path: Path) -> None:
    """Delete `path`, or raise OSError (BlockingIOError) when a writer holds its lock."""
    if fcntl is None:
        path.unlink()
        return
    handle = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path.unlink()
    finally:
        os.close(handle)


def make_folder(folder: Path) -> None:
    """Create a data folder (and its parents) if needed; DeckError says why it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a file of that name is in the way" if isinstance(exc, FileExistsError) else exc.strerror
        raise DeckError([Problem(str(folder), 0, f"cannot create this folder ({why}); make sure you may "
                                 "write to its parent, or set QUIZZER_HOME to a folder you can write to")]) from None


def _sync_folder(folder: Path) -> None:
    """Make a rename durable: the folder's entry is on disk too (POSIX; elsewhere a no-op)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_deck_file(target: Path, text: str, expected_id: str) -> Deck:
    """Write a YAML deck atomically, refusing (and writing nothing) unless it loads as deck `expected_id`."""
    loaded: list[Deck] = []

    def check(temp: Path) -> None:
        deck, problems = check_deck(temp)
        errors = [replace(p, path=str(target)) for p in problems if not p.warning]
        if deck is None or errors:
            raise DeckError(errors or [Problem(str(target), 0, "the deck did not load")])
        if deck.id != expected_id:
            raise DeckError([Problem(str(target), 0, f"the file now holds deck '{deck.id}', not '{expected_id}'")])
        loaded.append(replace(deck, path=str(target)))

    write_atomically(target, text.encode("utf-8") if isinstance(text, str) else text, check)
    return loaded[0]


class UserDecks:
    def __init__(self, folder: Path, links_file: Path):
        self.folder = folder
        self.links_file = links_file

    # -- reading ----------------------------------------------------------------------------

    def links(self) -> dict[str, Path]:
        return read_links(self.links_file)

    def load(self) -> tuple[list[Deck], list[Problem]]:
        return load_library(self.folder, linked=self.links().values())

    def installation(self, deck_id: str, decks: list[Deck]) -> Installation | None:
        """Where the user deck `deck_id` lives, even when its file is broken or gone; None if not installed."""
        links = self.links()
        if deck_id in links:
            return Installation(deck_id, links[deck_id], linked=True)
        found = next((d for d in decks if d.id == deck_id and not d.builtin), None)
        if found is not None:
            return Installation(deck_id, Path(found.path), linked=False)
        copy = self.folder / f"{deck_id}.yaml"
        return Installation(deck_id, copy, linked=False) if copy.is_file() else None

    # -- installing -------------------------------------------------------------------------

    def check_new(self, deck: Deck, source: Path, decks: list[Deck]) -> None:
        """Refuse, before anything is written, a deck that cannot be installed under its id."""
        problem = deck_id_problem(deck.id)
        if problem is None and any(d.id == deck.id and d.builtin for d in decks):
            problem = f"deck id '{deck.id}' belongs to a built-in deck; give your deck another id"
        target = self.folder / f"{deck.id}.yaml"
        holder = next((d for d in decks if Path(d.path) == target and d.id != deck.id), None)
        if problem is None and holder is not None:
            problem = f"{target} already holds deck '{holder.id}'; rename that file first"
        if problem:
            raise DeckError([Problem(str(source), 0, problem)])

    def install_copy(self, deck: Deck, text: str | bytes, decks: list[Deck], source: Path | None = None) -> Installed:
        """Install (or update) `deck` as a copy named after its id; `text` is the deck file's content, converted
        from `source` when that is given (a problem with the whole deck names the user's file, not the copy)."""
        size = len(text.encode("utf-8") if isinstance(text, str) else text)
        if size > MAX_DECK_BYTES:
            raise DeckError([Problem(str(source or deck.path), 0, f"deck '{deck.id}' is {size / 1e6:.1f} MB as a "
                                     "quizzer deck; decks are limited to 10 MB (split it into smaller files)")])
        old = next((d for d in decks if d.id == deck.id and not d.builtin), None)
        before = self.installation(deck.id, decks)
        make_folder(self.folder)
        target = self.folder / f"{deck.id}.yaml"
        installed = write_deck_file(target, text, deck.id)
        if before is not None and before.linked:
            self._write_links({k: v for k, v in self.links().items() if k != deck.id})
        elif before is not None and before.path != target:
            before.path.unlink(missing_ok=True)
        return Installed(installed, target, False, compare(old, installed) if old else None)

    def install_link(self, deck: Deck, source: Path, decks: list[Deck]) -> Installed:
        """Register `source` in place as the deck `deck.id`; a copy of the same id is removed."""
        source = source.resolve()
        if source.parent == self.folder.resolve():
            raise DeckError([Problem(str(source), 0, "is in the decks folder already, so it is installed as it is")])
        old = next((d for d in decks if d.id == deck.id and not d.builtin), None)
        before = self.installation(deck.id, decks)
        links = {k: v for k, v in self.links().items() if v != source}
        links[deck.id] = source
        self._write_links(links)
        if before is not None and not before.linked:
            before.path.unlink(missing_ok=True)
        return Installed(replace(deck, path=str(source)), source, True, compare(old, deck) if old else None)

    # -- removing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def removing(self, where: Installation) -> Iterator[None]:
        """Remove the deck once the body succeeds (a copy is moved aside first and put back on failure).

        A linked file is only unregistered, never deleted.
        """
        if where.linked:
            yield
            self._write_links({k: v for k, v in self.links().items() if k != where.deck_id})
            return
        aside = where.path.with_name(f".{where.path.name}.removing")
        try:
            os.replace(where.path, aside)
        except OSError as exc:
            raise DeckError([Problem(str(where.path), 0, f"cannot remove the file: {exc.strerror}")]) from None
        try:
            yield
        except BaseException:
            os.replace(aside, where.path)
            raise
        aside.unlink()

    def _write_links(self, links: dict[str, Path]) -> None:
        make_folder(self.links_file.parent)
        data = {"version": 1, "decks": {deck_id: str(path) for deck_id, path in sorted(links.items())}}
        write_atomically(self.links_file, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())


def read_links(links_file: Path) -> dict[str, Path]:
    """Linked deck files by deck id, from linked.json (none if the file does not exist)."""
    try:
        with links_file.open("rb") as file:
            raw = file.read(MAX_DECK_BYTES + 1)  # a bound, whatever size the file reports
        if len(raw) > MAX_DECK_BYTES:
            raise ValueError("over 10 MB")
        data = json.loads(raw)
        return {str(deck_id): Path(path) for deck_id, path in data["decks"].items()}
    except (FileNotFoundError, NotADirectoryError):  # no list yet (or no home folder yet: writing will say why)
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DeckError([Problem(str(links_file), 0, f"the list of linked decks cannot be read ({exc}); "
                                 "fix or delete it (your deck files are not in it)")]) from None
