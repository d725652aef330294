"""Read an Anki collection (the SQLite file inside an .apkg or .colpkg) into plain values.

Both of Anki's schemas: the legacy one (11), with note types and decks as JSON in `col`, and the
current one (18), with `notetypes`, `fields`, `templates` and `decks` tables whose settings are
protobuf messages. The file is opened read-only and immutable: an import never changes it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
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
        notes = {
            note_id: AnkiNote(note_id, guid, notetype, tuple(fields.split(FIELD_SEPARATOR)), tuple(tags.split()))
            for note_id, guid, notetype, fields, tags in db.execute("SELECT id, guid, mid, flds, tags FROM notes")
        }
        cards = [
            AnkiCard(note, deck, ord)
            for note, deck, ord in db.execute("SELECT nid, did, ord FROM cards ORDER BY nid, ord")
        ]
        return AnkiCollection(notetypes, decks, notes, cards)
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
                name=model["name"],
                cloze=model.get("type") == CLOZE_KIND,
                fields=tuple(f["name"] for f in sorted(model["flds"], key=lambda f: f["ord"])),
                templates=tuple(
                    AnkiTemplate(t["ord"], t["qfmt"], t["afmt"]) for t in sorted(model["tmpls"], key=lambda t: t["ord"])
                ),
            )
            for model_id, model in models.items()
        }
        return notetypes, {int(deck_id): deck["name"] for deck_id, deck in decks.items()}
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise AnkiError(f"the collection's note types or decks cannot be read ({exc!r})") from exc


def _notetypes_18(db: sqlite3.Connection) -> dict[int, AnkiNotetype]:
    fields: dict[int, list[str]] = {}
    for notetype, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(notetype, []).append(name)
    templates: dict[int, list[AnkiTemplate]] = {}
    for notetype, ord, config in db.execute("SELECT ntid, ord, config FROM templates ORDER BY ntid, ord"):
        values = _protobuf(config)  # Notetype.Template.Config: q_format = 1, a_format = 2
        templates.setdefault(notetype, []).append(AnkiTemplate(ord, _string(values, 1), _string(values, 2)))
    result = {}
    for notetype, name, config in db.execute("SELECT id, name, config FROM notetypes"):
        kind = _protobuf(config).get(1, [0])[-1]  # Notetype.Config.kind; absent means normal
        result[notetype] = AnkiNotetype(
            name, kind == CLOZE_KIND, tuple(fields.get(notetype, ())), tuple(templates.get(notetype, ()))
        )
    return result


def _decks_18(db: sqlite3.Connection) -> dict[int, str]:
    return {deck_id: name.replace(FIELD_SEPARATOR, "::") for deck_id, name in db.execute("SELECT id, name FROM decks")}


def _string(values: dict[int, list], number: int) -> str:
    raw = values.get(number, [b""])[-1]
    if not isinstance(raw, bytes):
        raise AnkiError("a card template's settings are damaged")
    return raw.decode("utf-8", "replace")


def _protobuf(blob: bytes) -> dict[int, list[int | bytes]]:
    """The fields of a protobuf message by number; enough of the wire format for Anki's settings."""
    values: dict[int, list[int | bytes]] = {}
    position = 0
    blob = bytes(blob or b"")
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
