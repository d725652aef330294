"""Parsed decks kept between runs, so listing or studying a large library does not re-read every file.

An entry is reused only while its file has the same path, size and modification time, and only
if this very parser wrote it (the cache is keyed on the parser's own files). Files changed in the
last few seconds are never cached: a second edit within the file system's timestamp resolution
could otherwise keep the same size and time. The cache is a convenience: any problem reading or
writing it just means parsing the decks again.

The file is a small index, then the card bodies. The index (read in full, one `marshal.loads`) holds
each deck's fields, problems, its cards' ids as one JSON text and their tags and kinds packed (each
decoded only when first read), with where each card's body lies; a body is read (from the file kept
open) and built only when that card is first read (see `model.Cards`). So `quizzer decks` builds no
card and decodes no id of a deck whose every card is answered, and `study` builds only those it asks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import marshal
import os
import struct
import tempfile
import time
from array import array
from typing import Protocol
from pathlib import Path

from quizzer.model import Blank, Card, Cards, Deck, Kind, ids_json

FORMAT = 4  # 2: an index, then card bodies read on demand; 3: ids, tags and kinds decoded on demand too;
#            4: the ids by code point too, when that is not their file order
CACHE_FILE = "decks.cache"
SETTLE_SECONDS = 2.0  # a file changed more recently than this may change again within the same mtime
_KINDS = {kind.value: kind for kind in Kind}
# Cards and decks are stored as tuples in field order, so a new field is stored too (and the key changes).
_CARD_FIELDS = tuple(f.name for f in dataclasses.fields(Card))
_DECK_FIELDS = tuple(f.name for f in dataclasses.fields(Deck))
_KIND_AT, _BLANKS_AT, _CARDS_AT = _CARD_FIELDS.index("kind"), _CARD_FIELDS.index("blanks"), _DECK_FIELDS.index("cards")
_HEADER = struct.Struct("<QQ")  # the index's length, then the bodies' length: a cut-off file is seen at once
_OFFSET = "Q"

# marshal, not pickle: it only builds plain values, so a tampered cache file cannot run code.
# An entry: (size, mtime_ns, builtin, deck fields but its cards (or None), problems, how many cards,
# their ids as `ids_json` text, the same sorted by code point (None when that is their file order),
# their own tags and their kinds' values marshalled, where their bodies
# start (and, last, end) as array bytes). Unmarshalling 100,000 ids and tags was most of reading the
# index, and a session reads neither for a deck whose every card is answered (issue 14, sixth round).
# The count is checked against the offsets when the entry is read; the ids, tags and kinds against
# the count when they are decoded.
Entry = tuple
_COUNT, _IDS, _SORTED, _LABELS, _OFFSETS = 5, 6, 7, 8, 9


class Reparse(Protocol):
    """The deck file parsed again, for a cached deck found damaged only once read."""

    def deck(self, count: int) -> Deck: ...

    def card(self, card_id: str) -> Card: ...


def _parser_key() -> tuple:
    """Changes whenever the code that reads decks or defines cards changes (an upgrade, an edit)."""
    here = Path(__file__).resolve().parent
    files = (here / "decks.py", here / "cardtypes.py", here / "model.py", Path(__file__).resolve())
    return (FORMAT, _CARD_FIELDS, _DECK_FIELDS, *((f.stat().st_size, f.stat().st_mtime_ns) for f in files))


class ParseCache:
    def __init__(self, folder: Path | None):
        self.file = folder / CACHE_FILE if folder is not None else None
        self.entries: dict[str, Entry] = {}
        self.bodies: dict[str, bytes] = {}  # bodies of decks parsed this time, not yet in a file
        self.used: set[str] = set()
        self.changed = False
        self.stored = _Bodies(None, 0, 0)  # the bodies in the file read, kept open while its decks live
        try:
            self.key = _parser_key()
            if self.file is not None:
                self.entries, self.stored = _read(self.file, self.key)
        except (OSError, EOFError, ValueError, TypeError, IndexError, struct.error):
            self.entries, self.stored = {}, _Bodies(None, 0, 0)

    def get(self, path: Path, builtin: bool, reparse: Reparse) -> tuple[Deck | None, list[tuple]] | None:
        """The deck and problems parsed from `path` last time, if the file has not changed since.

        A card whose body, or a deck whose ids, tags or kinds, are found damaged when first read come
        from `reparse`.
        """
        name = str(path)
        entry = self.entries.get(name)
        if entry is None:
            return None
        try:
            info = path.stat()
            if entry[:3] != (info.st_size, info.st_mtime_ns, builtin):
                return None
            offsets = _offsets(entry, self.stored)
            deck = None if entry[3] is None else _deck(entry, offsets, self.stored, reparse)
            problems = list(entry[4])
        except (OSError, TypeError, ValueError, KeyError, IndexError):
            return None
        self.used.add(name)
        return deck, problems

    def put(self, path: Path, builtin: bool, deck: Deck | None, problems: list[tuple]) -> None:
        try:
            info = path.stat()
        except OSError:
            return
        if time.time() - info.st_mtime_ns / 1e9 < SETTLE_SECONDS:
            return
        name = str(path)
        bodies = [marshal.dumps(_plain_card(card)) for card in deck.cards] if deck else []
        offsets = array(_OFFSET, [0])
        for body in bodies:
            offsets.append(offsets[-1] + len(body))
        fields = None
        if deck:
            fields = tuple(None if at == _CARDS_AT else getattr(deck, f) for at, f in enumerate(_DECK_FIELDS))
        cards = deck.cards if deck else ()
        ids = [c.id for c in cards]
        in_order = sorted(ids)
        self.entries[name] = (info.st_size, info.st_mtime_ns, builtin, fields, tuple(problems), len(cards),
                              ids_json(ids), None if in_order == ids else ids_json(in_order),
                              marshal.dumps((tuple(c.tags for c in cards), tuple(c.kind.value for c in cards))),
                              offsets.tobytes())
        self.bodies[name] = b"".join(bodies)
        self.used.add(name)
        self.changed = True

    def save(self) -> None:
        """Write the entries used this time (a deleted deck's entry goes), atomically; failures are ignored."""
        if self.file is None or not (self.changed or set(self.entries) - self.used):
            return
        with contextlib.suppress(OSError, ValueError):
            index, spans, at = {}, [], 0
            for name, entry in self.entries.items():
                if name not in self.used:
                    continue
                offsets = memoryview(entry[_OFFSETS]).cast(_OFFSET)
                index[name] = (*entry[:_OFFSETS],
                               array(_OFFSET, (at + offset - offsets[0] for offset in offsets)).tobytes())
                spans.append((name, offsets[0], offsets[-1]))
                at += offsets[-1] - offsets[0]
            self.file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=f".{CACHE_FILE}.", suffix=".tmp")
            try:
                with open(handle, "wb") as out:
                    head = marshal.dumps((self.key, index))
                    out.write(_HEADER.pack(len(head), at))
                    out.write(head)
                    for name, start, end in spans:  # a deck at a time: the bodies are never all in memory
                        out.write(self.bodies[name] if name in self.bodies else self.stored.read(start, end))
                os.replace(temporary, self.file)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)


class _Bodies:
    """The card bodies of a cache file, read a span at a time. The file stays open as long as a deck
    needs it: a run that replaces the cache meanwhile leaves this one reading the file its index came from."""

    def __init__(self, fd: int | None, start: int, length: int):
        self.fd, self.start, self.length = fd, start, length

    def read(self, start: int, end: int) -> bytes:
        if not 0 <= start <= end <= self.length:
            raise ValueError("outside the bodies")
        if start == end:
            return b""
        os.lseek(self.fd, self.start + start, os.SEEK_SET)
        data = os.read(self.fd, end - start)
        if len(data) != end - start:
            raise ValueError("a cut-off cache file")
        return data

    def __del__(self):
        if self.fd is not None:
            os.close(self.fd)


def _read(file: Path, key: tuple) -> tuple[dict[str, Entry], _Bodies]:
    """The index and the bodies of a cache file written with `key`; ValueError if it is not whole."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        with open(fd, "rb", closefd=False) as handle:
            size = os.fstat(fd).st_size
            head, bodies = _HEADER.unpack(handle.read(_HEADER.size))
            if size != _HEADER.size + head + bodies:
                raise ValueError("a cut-off or padded cache file")
            stored = marshal.loads(handle.read(head))
        if stored[0] != key or not isinstance(stored[1], dict):
            raise ValueError("written by another parser")
    except BaseException:
        os.close(fd)
        raise
    return stored[1], _Bodies(fd, _HEADER.size + head, bodies)


def _plain_card(card: Card) -> tuple:
    values = [getattr(card, name) for name in _CARD_FIELDS]
    values[_KIND_AT] = card.kind.value
    values[_BLANKS_AT] = tuple((blank.answer, blank.accept) for blank in card.blanks)
    return tuple(values)


def _offsets(entry: Entry, stored: _Bodies) -> memoryview:
    """Where the entry's card bodies start and end; ValueError or TypeError if they cannot be right. Each
    card's own span is checked when it is read, so this takes no step per card."""
    offsets = memoryview(entry[_OFFSETS]).cast(_OFFSET)
    if (not isinstance(entry[_IDS], str) or not isinstance(entry[_LABELS], bytes) or len(entry) != _OFFSETS + 1
            or len(offsets) != entry[_COUNT] + 1 or not offsets[0] <= offsets[-1] <= stored.length):
        raise ValueError("a damaged cache entry")
    return offsets


def _deck(entry: Entry, offsets: memoryview, stored: _Bodies, reparse: Reparse) -> Deck:
    count = entry[_COUNT]

    def ids() -> tuple[str, ...]:
        with contextlib.suppress(ValueError):
            found = json.loads(entry[_IDS])
            if type(found) is list and len(found) == count:
                return tuple(found)
        return reparse.deck(count).card_ids

    def labels() -> tuple[tuple[tuple[str, ...], ...], tuple[Kind, ...]]:
        with contextlib.suppress(EOFError, ValueError, TypeError, KeyError):
            tags, kinds = marshal.loads(entry[_LABELS])
            if len(tags) == len(kinds) == count:
                return tags, tuple(map(_KINDS.__getitem__, kinds))
        found = reparse.deck(count)
        return found.card_own_tags, found.card_kinds

    def build(n: int) -> Card:
        with contextlib.suppress(OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
            card = _card(marshal.loads(stored.read(offsets[n], offsets[n + 1])))
            if card.id == cards.ids[n]:  # a body read from another card's place is damage too
                return card
        return reparse.card(cards.ids[n])

    values = list(entry[3])
    values[_CARDS_AT] = cards = Cards(count, ids, labels, build, entry[_SORTED] or entry[_IDS])
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
