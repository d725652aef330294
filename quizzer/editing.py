"""The editor round trip: open a deck file in the user's editor, then validate what it holds.

The file is edited in place (a linked deck stays in its own folder or git repository) and a copy
taken before the editor opens is what "restore" puts back; the copy is deleted once the round trip
ends, and stays in the backups folder only if quizzer is killed meanwhile. Whatever the editor
leaves, the deck ends either valid under its id or exactly as it was.

`cli` wires this to `quizzer decks edit`; a study session can call `Editor.edit_card` the same way.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from quizzer.decks import DeckError, Problem, check_deck
from quizzer.library import Changes, compare, write_atomically
from quizzer.model import Card, Deck

FALLBACK_EDITORS = ("nano", "vi")
# Editors that open a file at a line given as `+LINE` before it; others get the file alone.
PLUS_LINE = {"vi", "vim", "nvim", "view", "gvim", "nano", "pico", "emacs", "emacsclient", "micro", "kak",
             "joe", "jed", "mg", "ne"}
# Editors that take `FILE:LINE` (VS Code needs -g for it).
FILE_COLON_LINE = {"code": ("-g",), "codium": ("-g",), "subl": (), "hx": (), "helix": ()}

EDIT, RESTORE = "edit", "restore"
# Asked when the edited file has errors: returns EDIT (open the editor again) or RESTORE.
Choose = Callable[[list[Problem]], str]


@dataclass(frozen=True)
class Edited:
    """What an edit did. `deck` is the deck as it now is (the old one unless `changed`)."""

    deck: Deck | None
    changed: bool
    changes: Changes | None = None  # None when nothing changed or the deck did not load before
    restored: bool = False  # the edit had errors and the file was put back as it was


def editor_command(env: Mapping[str, str]) -> list[str]:
    """$VISUAL, else $EDITOR (split as a shell would: `code -w`), else nano, else vi."""
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError as exc:
                raise DeckError([Problem(f"${name}", 0, f"cannot split '{value}' into words ({exc})")]) from None
            if words:
                return words
    for name in FALLBACK_EDITORS:
        if shutil.which(name, path=env.get("PATH")):
            return [name]
    raise DeckError([Problem("$EDITOR", 0, "no editor: set VISUAL or EDITOR (say, EDITOR=nano)")])


def at_line(command: Sequence[str], path: Path, line: int) -> list[str]:
    """The editor command opening `path` at `line`, in the form the editor understands."""
    name = Path(command[0]).name.lower().removesuffix(".exe")
    if line > 1 and name in PLUS_LINE:
        return [*command, f"+{line}", str(path)]
    if line > 1 and name in FILE_COLON_LINE:
        return [*command, *FILE_COLON_LINE[name], f"{path}:{line}"]
    return [*command, str(path)]


def _wait(argv: list[str], env: Mapping[str, str]) -> int:
    """Run the editor and return its exit status. Ctrl-C belongs to the editor (nano shows the cursor
    position with it), so quizzer keeps waiting instead of leaving the file half-checked."""
    try:
        process = subprocess.Popen(argv, env=dict(env))
    except OSError as exc:
        raise DeckError([Problem(argv[0], 0, f"cannot start the editor ({exc.strerror}); "
                                 "set VISUAL or EDITOR to one you have")]) from None
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


class Editor:
    """Opens deck files in the user's editor. `choose` is asked what to do when an edit has errors."""

    def __init__(self, choose: Choose, backups: Path, env: Mapping[str, str] | None = None,
                 run: Callable[[list[str], Mapping[str, str]], int] = _wait):
        self.choose = choose
        self.backups = backups
        self.env = dict(os.environ if env is None else env)
        self.run = run

    def edit_card(self, deck: Deck, card: Card) -> Edited:
        """Edit `deck`'s file at `card`'s line; for the study session's "edit this card"."""
        return self.edit_deck(deck.id, Path(deck.path), deck, card.line)

    def edit_deck(self, deck_id: str, path: Path, old: Deck | None, line: int = 1) -> Edited:
        """Edit the file of the user deck `deck_id` (`old` is the deck it holds, None if it is broken).

        On errors `choose` decides: edit again (at the first error's line) or restore the file. The
        deck id must stay, since progress and the file's name follow it.
        """
        if old is not None and old.builtin:
            raise DeckError([Problem(str(path), 0, f"'{deck_id}' is a built-in deck and cannot be edited; copy it "
                                     f"with `quizzer decks export {deck_id} -o my-deck.yaml`, give it a new id, "
                                     "then `quizzer decks add my-deck.yaml`")])
        try:
            original = path.read_bytes()
        except OSError as exc:
            raise DeckError([Problem(str(path), 0, f"cannot read the file: {exc.strerror}")]) from None
        before = path.stat()
        copy = self._keep_copy(deck_id, original)
        command = editor_command(self.env)
        try:
            while True:
                status = self.run(at_line(command, path, line), self.env)
                if status != 0:
                    self._restore(path, original, before)
                    raise DeckError([Problem(str(path), 0, f"the editor ({command[0]}) exited with status "
                                             f"{status}; the deck is as it was")])
                if _read(path) == original:
                    return Edited(old, changed=False)
                deck, problems = check_deck(path)
                errors = [p for p in problems if not p.warning]
                if deck is not None and deck.id != deck_id:
                    errors.append(Problem(str(path), 1, f"the deck id must stay '{deck_id}' (progress and the "
                                          f"file follow it), not '{deck.id}'"))
                if not errors:
                    _make_stale(path, before)
                    return Edited(deck, changed=True, changes=compare(old, deck) if old else None)
                if self.choose(errors) != EDIT:
                    self._restore(path, original, before)
                    return Edited(old, changed=False, restored=True)
                line = min((p.line for p in errors if p.line), default=line)
        except BaseException:  # Ctrl-C at the question, a crash: never leave a broken deck behind
            if _read(path) != original and not _loads_as(path, deck_id):
                self._restore(path, original, before)
            raise
        finally:
            copy.unlink(missing_ok=True)

    def _keep_copy(self, deck_id: str, data: bytes) -> Path:
        try:
            self.backups.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.backups, prefix=f"{deck_id}.before-edit.", suffix=".yaml")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise DeckError([Problem(str(self.backups), 0, f"cannot keep a copy before editing: {exc.strerror}")]) \
                from None
        return Path(name)

    @staticmethod
    def _restore(path: Path, original: bytes, before: os.stat_result) -> None:
        if _read(path) != original:
            path = path.resolve()  # a symlinked deck keeps its link; its target gets the bytes back
            write_atomically(path, original)
            os.chmod(path, stat.S_IMODE(before.st_mode))  # the temporary file it was written to is private


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _loads_as(path: Path, deck_id: str) -> bool:
    deck, _ = check_deck(path)
    return deck is not None and deck.id == deck_id


def _make_stale(path: Path, before: os.stat_result) -> None:
    """An editor that wrote the same number of bytes and kept the modification time (some restore it)
    would fool the parse cache, which trusts size and time: move the time on."""
    now = path.stat()
    if (now.st_size, now.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
        os.utime(path, ns=(now.st_atime_ns, now.st_mtime_ns + 1_000_000))
