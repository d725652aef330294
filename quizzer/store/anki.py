"""Read an Anki collection (the SQLite file inside an .apkg or .colpkg) into plain values.

Both of Anki's schemas: the legacy one (11), with note types and decks as JSON in `col`, and the
current one (18), with `notetypes`, `fields`, `templates` and `decks` tables whose settings are
protobuf messages. The file is opened read-only and immutable: an import never changes it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

FIELD_SEPARATOR = "\x1f"  # between a note's fields in `notes.flds`, and between deck name parts in schema 18
CLOZE_KIND = 1  # Notetype.Config.kind, and a legacy model's "type"


class AnkiError(Exception):
    """The file is not an Anki collection quizzer can read; the message says why."""


@dataclass(frozen=True)
class AnkiTemplate:
    ord: int
    qfmt: str
    afmt: str


@dataclass(frozen=True)
class AnkiNotetype:
    name: str
    cloze: bool
    fields: tuple[str, ...]
    templates: tuple[AnkiTemplate, ...]


@dataclass(frozen=True)
class AnkiNote:
    id: int
    guid: str
    notetype: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class AnkiCard:
    note: int
    deck: int
    ord: int


@dataclass(frozen=True)
class AnkiCollection:
    notetypes: dict[int, AnkiNotetype]
    decks: dict[int, str]  # id → full name, parts joined by '::'
    notes: dict[int, AnkiNote]
    cards: list[AnkiCard]  # in note order, then template or cloze order
    damaged: dict[int, str] = field(default_factory=dict)  # note id → why the note cannot be read


def _note_problem(guid: object, fields: object, tags: object) -> str | None:
    if not isinstance(fields, str):
        return f"its fields are {_kind(fields)}, not text"
    if not isinstance(guid, str):
        return f"its guid is {_kind(guid)}, not text"
    if tags is not None and not isinstance(tags, str):  # no tags at all is harmless
        return f"its tags are {_kind(tags)}, not text"
    return None


def _kind(value: object) -> str:
    return {type(None): "missing (NULL)", bytes: "binary data (a BLOB)", int: "a number", float: "a number",
            str: "text"}.get(type(value), type(value).__name__)


def read_collection(path: Path, max_notes: int) -> AnkiCollection:
    """The collection at `path`; AnkiError when it holds more than `max_notes` notes or cards, before
    any is read."""
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise AnkiError(f"cannot open the collection ({exc})") from exc
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"col", "notes", "cards"} <= tables:
            raise AnkiError("the collection has no notes or cards table; it is not an Anki collection")
        if "notetypes" in tables and db.execute("SELECT 1 FROM notetypes LIMIT 1").fetchone():
            notetypes, decks = _notetypes_18(db), _decks_18(db)
        else:
            notetypes, decks = _legacy(db)
        for table in ("notes", "cards"):
            (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            if count > max_notes:
                raise AnkiError(f"holds {count:,} {table}; quizzer imports at most {max_notes:,} from one file")
        notes: dict[int, AnkiNote] = {}
        damaged: dict[int, str] = {}
        for note_id, guid, notetype, fields, tags in db.execute("SELECT id, guid, mid, flds, tags FROM notes"):
            # Anki declares these NOT NULL and text, but SQLite enforces neither in a crafted file.
            if not isinstance(note_id, int) or note_id <= 0:
                raise AnkiError(f"a note's id is {_kind(note_id)}, not a positive number; the collection is damaged")
            problem = _note_problem(guid, fields, tags)
            if problem:
                damaged[note_id] = problem
                continue
            notes[note_id] = AnkiNote(note_id, guid, notetype, tuple(fields.split(FIELD_SEPARATOR)),
                                      tuple((tags or "").split()))
        cards = [
            AnkiCard(note, deck, ord)
            for note, deck, ord in db.execute("SELECT nid, did, ord FROM cards ORDER BY nid, ord")
        ]
        return AnkiCollection(notetypes, decks, notes, cards, damaged)
    except sqlite3.DatabaseError as exc:
        raise AnkiError(f"the collection is damaged or not an Anki collection ({exc})") from exc
    finally:
        db.close()


def _legacy(db: sqlite3.Connection) -> tuple[dict[int, AnkiNotetype], dict[int, str]]:
    row = db.execute("SELECT models, decks FROM col").fetchone()
    if row is None:
        raise AnkiError("the collection's `col` table is empty")
    try:
        models, decks = json.loads(row[0]), json.loads(row[1])
        notetypes = {
            int(model_id): AnkiNotetype(
                name=_text(model["name"], "a note type's name"),
                cloze=model.get("type") == CLOZE_KIND,
                fields=tuple(_text(f["name"], f"note type '{model['name']}': a field name")
                             for f in sorted(model["flds"], key=lambda f: f["ord"])),
                templates=tuple(
                    AnkiTemplate(t["ord"], _text(t["qfmt"], f"note type '{model['name']}': a question template"),
                                 _text(t["afmt"], f"note type '{model['name']}': an answer template"))
                    for t in sorted(model["tmpls"], key=lambda t: t["ord"])
                ),
            )
            for model_id, model in models.items()
        }
        names = {int(deck_id): _text(deck["name"], f"deck {deck_id}'s name") for deck_id, deck in decks.items()}
        return notetypes, names
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise AnkiError(f"the collection's note types or decks cannot be read ({exc!r})") from exc


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise AnkiError(f"{what} is {_kind(value)}, not text; the collection is damaged")
    return value


def _notetypes_18(db: sqlite3.Connection) -> dict[int, AnkiNotetype]:
    fields: dict[int, list[str]] = {}
    for notetype, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(notetype, []).append(_text(name, f"note type {notetype}: a field name"))
    templates: dict[int, list[AnkiTemplate]] = {}
    for notetype, ord, config in db.execute("SELECT ntid, ord, config FROM templates ORDER BY ntid, ord"):
        values = _protobuf(config)  # Notetype.Template.Config: q_format = 1, a_format = 2
        templates.setdefault(notetype, []).append(AnkiTemplate(ord, _string(values, 1), _string(values, 2)))
    result = {}
    for notetype, name, config in db.execute("SELECT id, name, config FROM notetypes"):
        kind = _protobuf(config).get(1, [0])[-1]  # Notetype.Config.kind; absent means normal
        result[notetype] = AnkiNotetype(
            _text(name, f"note type {notetype}'s name"), kind == CLOZE_KIND, tuple(fields.get(notetype, ())),
            tuple(templates.get(notetype, ()))
        )
    return result


def _decks_18(db: sqlite3.Connection) -> dict[int, str]:
    return {deck_id: _text(name, f"deck {deck_id}'s name").replace(FIELD_SEPARATOR, "::")
            for deck_id, name in db.execute("SELECT id, name FROM decks")}


def _string(values: dict[int, list], number: int) -> str:
    raw = values.get(number, [b""])[-1]
    if not isinstance(raw, bytes):
        raise AnkiError("a card template's settings are damaged")
    return raw.decode("utf-8", "replace")


def _protobuf(blob: bytes) -> dict[int, list[int | bytes]]:
    """The fields of a protobuf message by number; enough of the wire format for Anki's settings."""
    values: dict[int, list[int | bytes]] = {}
    position = 0
    if blob is None:
        return values
    if not isinstance(blob, bytes):  # a crafted table holding text or a number where Anki keeps a BLOB
        raise AnkiError(f"a note type's settings are {_kind(blob)}, not protobuf data; the collection is damaged")
    while position < len(blob):
        key, position = _varint(blob, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(blob, position)
        elif wire in (1, 2, 5):
            size = {1: 8, 5: 4}.get(wire)
            if size is None:
                size, position = _varint(blob, position)
            value, position = blob[position : position + size], position + size
        else:
            raise AnkiError("a note type's settings are damaged")
        if position > len(blob):
            raise AnkiError("a note type's settings are damaged")
        values.setdefault(number, []).append(value)
    return values


def _varint(blob: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(blob) or shift > 63:
            raise AnkiError("a note type's settings are damaged")
        byte = blob[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position
