"""Read an Anki collection (the SQLite file inside an .apkg or .colpkg) into plain values.

Both of Anki's schemas: the legacy one (11), with note types and decks as JSON in `col`, and the
current one (18), with `notetypes`, `fields`, `templates` and `decks` tables whose settings are
protobuf messages. The file is opened read-only and immutable: an import never changes it.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

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
    id: int = 0
    type: object = 0  # 0 new, 1 learning, 2 review, 3 relearning
    queue: object = 0  # as type, and -1 suspended, -2/-3 buried, 3 learning across days
    due: object = 0  # a day number (counted from the collection's creation) or, learning, epoch seconds


class AnkiReview(NamedTuple):  # a tuple: a package may hold a million rows
    """One row of Anki's review log (`revlog`). Values are as stored: a crafted file may hold anything."""

    id: object  # milliseconds since the epoch: when the answer was given
    card: object
    ease: object  # 1-4; 0 for manual entries
    ivl: object  # days after the answer; negative: seconds
    factor: object  # 0 in a filtered deck that does not reschedule
    time: object  # milliseconds spent answering
    type: object  # 0 learning, 1 review, 2 relearning, 3 filtered, 4 manual, 5 rescheduled


@dataclass(frozen=True)
class AnkiCollection:
    notetypes: dict[int, AnkiNotetype]
    decks: dict[int, str]  # id → full name, parts joined by '::'
    notes: dict[int, AnkiNote]
    cards: list[AnkiCard]  # in note order, then template or cloze order
    damaged: dict[int, str] = field(default_factory=dict)  # note id → why the note cannot be read
    revlog: list[AnkiReview] = field(default_factory=list)  # oldest first; empty without scheduling
    created: int = 0  # `col.crt`: the start of the collection's day 0, epoch seconds
    parameters: dict[str, tuple[float, ...]] = field(default_factory=dict)  # deck options name → FSRS parameters


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


def read_collection(path: Path, max_notes: int, max_reviews: int = 0) -> AnkiCollection:
    """The collection at `path`; AnkiError when it holds more than `max_notes` notes or cards, or more than
    `max_reviews` review log rows, before any is read. With `max_reviews` 0 the review log is not read."""
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
            parameters = _parameters_18(db) if max_reviews and "deck_config" in tables else {}
        else:
            notetypes, decks = _legacy(db)
            parameters = _parameters_legacy(db) if max_reviews else {}
        limits = {"notes": max_notes, "cards": max_notes}
        if max_reviews and "revlog" in tables:
            limits["revlog"] = max_reviews
        for table, most in limits.items():
            (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            if count > most:
                what = "review log rows" if table == "revlog" else table
                raise AnkiError(f"holds {count:,} {what}; quizzer imports at most {most:,} from one file")
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
            AnkiCard(note, deck, ord, card, kind, queue, due)
            for card, note, deck, ord, kind, queue, due in db.execute(
                # A card moved to a filtered deck keeps its own deck in `odid`, and its due date there in `odue`.
                "SELECT id, nid, CASE WHEN odid THEN odid ELSE did END, ord, type, queue, "
                "CASE WHEN odid THEN odue ELSE due END FROM cards "
                "ORDER BY nid, ord")
        ]
        revlog = list(map(AnkiReview._make, db.execute(
            "SELECT id, cid, ease, ivl, factor, time, type FROM revlog ORDER BY id"))) if "revlog" in limits else []
        (created,) = db.execute("SELECT crt FROM col").fetchone() or (0,)
        return AnkiCollection(notetypes, decks, notes, cards, damaged, revlog,
                              created if isinstance(created, int) else 0, parameters)
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


# Anki keeps the parameters of each FSRS version it ran, newest first here: FSRS-6, -5, -4.
_LEGACY_PARAMETERS = ("fsrsParams6", "fsrsParams5", "fsrsWeights")
_PARAMETER_FIELDS = (6, 5, 3)  # DeckConfig.Config: fsrs_params_6, fsrs_params_5, fsrs_params_4


def _parameters_legacy(db: sqlite3.Connection) -> dict[str, tuple[float, ...]]:
    """Each deck options group's FSRS parameters, if it has any (schema 11: JSON in `col.dconf`)."""
    try:
        (text,) = db.execute("SELECT dconf FROM col").fetchone()  # `_legacy` has found the row
        found = {}
        for config in json.loads(text).values():
            params = next((config[key] for key in _LEGACY_PARAMETERS if config.get(key)), None)
            if params:
                found[_text(config["name"], "a deck options name")] = tuple(float(p) for p in params)
        return found
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise AnkiError(f"the collection's deck options cannot be read ({exc!r})") from exc


def _parameters_18(db: sqlite3.Connection) -> dict[str, tuple[float, ...]]:
    """Each deck options group's FSRS parameters, if it has any (schema 18: protobuf in `deck_config`)."""
    found = {}
    for name, config in db.execute("SELECT name, config FROM deck_config"):
        what = f"deck options '{_text(name, 'a deck options name')}'"
        values = _protobuf(config, what)
        params = next((_floats(values[n], what) for n in _PARAMETER_FIELDS if values.get(n)), None)
        if params:
            found[name] = params
    return found


def _floats(values: list[int | bytes], what: str) -> tuple[float, ...]:
    """A repeated float field: packed (one byte string) or not (one 4-byte value each)."""
    if not all(isinstance(v, bytes) for v in values) or sum(map(len, values)) % 4:
        raise AnkiError(f"{what}: the FSRS parameters are damaged")
    packed = b"".join(values)
    return struct.unpack(f"<{len(packed) // 4}f", packed)


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


def _protobuf(blob: bytes, what: str = "a note type's settings") -> dict[int, list[int | bytes]]:
    """The fields of a protobuf message by number; enough of the wire format for Anki's settings. `what`
    names the message in errors."""
    values: dict[int, list[int | bytes]] = {}
    position = 0
    if blob is None:
        return values
    if not isinstance(blob, bytes):  # a crafted table holding text or a number where Anki keeps a BLOB
        raise AnkiError(f"{what} are {_kind(blob)}, not protobuf data; the collection is damaged")
    while position < len(blob):
        key, position = _varint(blob, position, what)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(blob, position, what)
        elif wire in (1, 2, 5):
            size = {1: 8, 5: 4}.get(wire)
            if size is None:
                size, position = _varint(blob, position, what)
            value, position = blob[position : position + size], position + size
        else:
            raise AnkiError(f"{what} are damaged")
        if position > len(blob):
            raise AnkiError(f"{what} are damaged")
        values.setdefault(number, []).append(value)
    return values


def _varint(blob: bytes, position: int, what: str) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(blob) or shift > 63:
            raise AnkiError(f"{what} are damaged")
        byte = blob[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position
