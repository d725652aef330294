"""Your own decks: copies in the decks folder, and deck files linked where they are (listed in linked.json).

Every change is all-or-nothing: a copy is written to a temporary file in the decks folder, checked
there, and renamed over the old file; linked.json is replaced the same way. Progress is keyed on
(deck id, card id), so updating a deck keeps the progress of every card whose id stays.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from quizzer.decks import MAX_DECK_BYTES, DeckError, Problem, check_deck, load_library
from quizzer.model import DECK_ID_PATTERN, Deck

MAX_DECK_ID_LENGTH = 64  # the id names the installed file


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

    On any failure the temporary file is removed and `target` is as it was.
    """
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise DeckError([Problem(str(target), 0, f"cannot write here: {exc.strerror}")]) from None
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
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
        self.folder.mkdir(parents=True, exist_ok=True)
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
        self.links_file.parent.mkdir(parents=True, exist_ok=True)
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
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DeckError([Problem(str(links_file), 0, f"the list of linked decks cannot be read ({exc}); "
                                 "fix or delete it (your deck files are not in it)")]) from None
