"""Parsed decks kept between runs, so listing or studying a large library does not re-read every file.

An entry is reused only while its file has the same path, size and modification time, and only
if this very parser wrote it (the cache is keyed on the parser's own files). Files changed in the
last few seconds are never cached: a second edit within the file system's timestamp resolution
could otherwise keep the same size and time. The cache is a convenience: any problem reading or
writing it just means parsing the decks again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
import os
import tempfile
import time
from pathlib import Path

from quizzer.model import Blank, Card, Deck, Kind

FORMAT = 1
CACHE_FILE = "decks.cache"
SETTLE_SECONDS = 2.0  # a file changed more recently than this may change again within the same mtime
_KINDS = {kind.value: kind for kind in Kind}
# Cards and decks are stored as tuples in field order, so a new field is stored too (and the key changes).
_CARD_FIELDS = tuple(f.name for f in dataclasses.fields(Card))
_DECK_FIELDS = tuple(f.name for f in dataclasses.fields(Deck))
_KIND_AT, _BLANKS_AT, _CARDS_AT = _CARD_FIELDS.index("kind"), _CARD_FIELDS.index("blanks"), _DECK_FIELDS.index("cards")

# marshal, not pickle: it only builds plain values, so a tampered cache file cannot run code.
Entry = tuple  # (size, mtime_ns, builtin, deck as plain tuples or None, problems as plain tuples)


def _parser_key() -> tuple:
    """Changes whenever the code that reads decks or defines cards changes (an upgrade, an edit)."""
    here = Path(__file__).resolve().parent
    files = (here / "decks.py", here / "cardtypes.py", here / "model.py", Path(__file__).resolve())
    return (FORMAT, _CARD_FIELDS, _DECK_FIELDS, *((f.stat().st_size, f.stat().st_mtime_ns) for f in files))


class ParseCache:
    def __init__(self, folder: Path | None):
        self.file = folder / CACHE_FILE if folder is not None else None
        self.entries: dict[str, Entry] = {}
        self.used: set[str] = set()
        self.changed = False
        try:
            self.key = _parser_key()
            if self.file is not None:
                stored = marshal.loads(self.file.read_bytes())
                if stored[0] == self.key:
                    self.entries = stored[1]
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            self.entries = {}

    def get(self, path: Path, builtin: bool) -> tuple[Deck | None, list[tuple]] | None:
        """The deck and problems parsed from `path` last time, if the file has not changed since."""
        name = str(path)
        entry = self.entries.get(name)
        if entry is None:
            return None
        try:
            info = path.stat()
            if entry[:3] != (info.st_size, info.st_mtime_ns, builtin):
                return None
            deck = _deck(entry[3]) if entry[3] is not None else None
        except (OSError, TypeError, ValueError, KeyError, IndexError):
            return None
        self.used.add(name)
        return deck, list(entry[4])

    def put(self, path: Path, builtin: bool, deck: Deck | None, problems: list[tuple]) -> None:
        try:
            info = path.stat()
        except OSError:
            return
        if time.time() - info.st_mtime_ns / 1e9 < SETTLE_SECONDS:
            return
        name = str(path)
        self.entries[name] = (info.st_size, info.st_mtime_ns, builtin, _plain_deck(deck) if deck else None,
                              tuple(problems))
        self.used.add(name)
        self.changed = True

    def save(self) -> None:
        """Write the entries used this time (a deleted deck's entry goes), atomically; failures are ignored."""
        if self.file is None or not (self.changed or set(self.entries) - self.used):
            return
        kept = {name: entry for name, entry in self.entries.items() if name in self.used}
        with contextlib.suppress(OSError, ValueError):
            self.file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=f".{CACHE_FILE}.", suffix=".tmp")
            try:
                with open(handle, "wb") as out:
                    marshal.dump((self.key, kept), out)
                os.replace(temporary, self.file)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)


def _plain_deck(deck: Deck) -> tuple:
    values = [getattr(deck, name) for name in _DECK_FIELDS]
    values[_CARDS_AT] = tuple(_plain_card(card) for card in deck.cards)
    return tuple(values)


def _plain_card(card: Card) -> tuple:
    values = [getattr(card, name) for name in _CARD_FIELDS]
    values[_KIND_AT] = card.kind.value
    values[_BLANKS_AT] = tuple((blank.answer, blank.accept) for blank in card.blanks)
    return tuple(values)


def _deck(plain: tuple) -> Deck:
    values = list(plain)
    values[_CARDS_AT] = tuple(map(_card, plain[_CARDS_AT]))
    return Deck(*values)


def _card(plain: tuple) -> Card:
    # Filling the instance dict directly is twice as fast as the frozen dataclass's __init__, which
    # matters at 100,000 cards; Card has no __post_init__ to skip, and a test compares with parsing.
    card = object.__new__(Card)
    fields = card.__dict__
    fields.update(zip(_CARD_FIELDS, plain))
    fields["kind"] = _KINDS[plain[_KIND_AT]]
    if plain[_BLANKS_AT]:
        fields["blanks"] = tuple(Blank(*blank) for blank in plain[_BLANKS_AT])
    return card
