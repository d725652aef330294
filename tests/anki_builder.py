"""Build real Anki packages for tests: a SQLite collection with Anki's own schema, zipped.

`legacy` packages hold `collection.anki2` (schema 11: note types and decks as JSON in `col`);
`current` ones hold `collection.anki21b` (schema 18: notetypes/fields/templates/decks tables with
protobuf settings, the file compressed with zstd) beside the stub legacy collection Anki adds.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

SCHEMA_11 = """
CREATE TABLE col (
  id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
  ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL,
  conf text NOT NULL, models text NOT NULL, decks text NOT NULL, dconf text NOT NULL, tags text NOT NULL
);
CREATE TABLE notes (
  id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
  usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL,
  csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE cards (
  id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL,
  due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL,
  lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL,
  flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE revlog (
  id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL, ease integer NOT NULL,
  ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL, time integer NOT NULL,
  type integer NOT NULL
);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
"""

SCHEMA_18_TABLES = """
CREATE TABLE deck_config (
  id integer PRIMARY KEY NOT NULL, name text NOT NULL, mtime_secs integer NOT NULL, usn integer NOT NULL,
  config blob NOT NULL
);
CREATE TABLE config (KEY text NOT NULL PRIMARY KEY, usn integer NOT NULL, mtime_secs integer NOT NULL,
  val blob NOT NULL) without rowid;
CREATE TABLE fields (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL, config blob NOT NULL,
  PRIMARY KEY (ntid, ord)) without rowid;
CREATE TABLE templates (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL, PRIMARY KEY (ntid, ord)) without rowid;
CREATE TABLE notetypes (id integer NOT NULL PRIMARY KEY, name text NOT NULL, mtime_secs integer NOT NULL,
  usn integer NOT NULL, config blob NOT NULL);
CREATE TABLE decks (id integer PRIMARY KEY NOT NULL, name text NOT NULL, mtime_secs integer NOT NULL,
  usn integer NOT NULL, common blob NOT NULL, kind blob NOT NULL);
CREATE TABLE tags (tag text NOT NULL PRIMARY KEY, usn integer NOT NULL, collapsed boolean NOT NULL,
  config blob NULL) without rowid;
"""


@dataclass(frozen=True)
class Notetype:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, qfmt, afmt)
    cloze: bool = False


BASIC = Notetype(1001, "Basic", ("Front", "Back"),
                 (("Card 1", "{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"),))
REVERSED = Notetype(1002, "Basic (and reversed card)", ("Front", "Back"), (
    ("Card 1", "{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"),
    ("Card 2", "{{Back}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}"),
))
CLOZE = Notetype(1003, "Cloze", ("Text", "Back Extra"),
                 (("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}"),), cloze=True)
TYPE_IN = Notetype(1004, "Basic (type in the answer)", ("Front", "Back"),
                   (("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"),))
NOTETYPES = (BASIC, REVERSED, CLOZE, TYPE_IN)


@dataclass(frozen=True)
class Note:
    guid: str
    notetype: Notetype
    fields: tuple[str, ...]
    tags: str = ""
    deck: int = 1
    cloze_numbers: tuple[int, ...] = field(default=(1,))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _pb_bytes(number: int, data: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _pb_int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def write_collection(path: Path, notes: list[Note], decks: dict[int, str], schema: int = 11, sql: str = "") -> None:
    """Anki's collection of `notes` in its legacy schema 11 or current 18, then changed by `sql`."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_11 + (SCHEMA_18_TABLES if schema == 18 else ""))
    models = {
        str(nt.id): {
            "id": nt.id, "name": nt.name, "type": 1 if nt.cloze else 0, "css": ".card {}", "sortf": 0,
            "flds": [{"name": name, "ord": i} for i, name in enumerate(nt.fields)],
            "tmpls": [{"name": t[0], "ord": i, "qfmt": t[1], "afmt": t[2]} for i, t in enumerate(nt.templates)],
        }
        for nt in NOTETYPES
    }
    deck_json = {str(i): {"id": i, "name": name} for i, name in decks.items()}
    if schema == 18:
        models, deck_json = {}, {}
        for nt in NOTETYPES:
            # Notetype.Config: kind = 1 (cloze), sort_field_idx = 2, css = 3; normal kind is the default, left out.
            config = (_pb_int(1, 1) if nt.cloze else b"") + _pb_bytes(3, b".card {}")
            db.execute("INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", (nt.id, nt.name, config))
            for i, name in enumerate(nt.fields):
                db.execute("INSERT INTO fields VALUES (?, ?, ?, ?)", (nt.id, i, name, b""))
            for i, (name, qfmt, afmt) in enumerate(nt.templates):
                config = _pb_bytes(1, qfmt.encode()) + _pb_bytes(2, afmt.encode())
                db.execute("INSERT INTO templates VALUES (?, ?, ?, 0, 0, ?)", (nt.id, i, name, config))
        for deck_id, name in decks.items():
            db.execute("INSERT INTO decks VALUES (?, ?, 0, 0, ?, ?)", (deck_id, name.replace("::", "\x1f"), b"", b""))
    db.execute("INSERT INTO col VALUES (1, 0, 0, 0, ?, 0, 0, 0, '{}', ?, ?, '{}', '{}')",
               (schema, json.dumps(models) if models else "", json.dumps(deck_json) if deck_json else ""))
    card_id = 1
    for note_id, note in enumerate(notes, start=1):
        db.execute("INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0, 0, '')",
                   (note_id, note.guid, note.notetype.id, f" {note.tags} " if note.tags else "",
                    "\x1f".join(note.fields), note.fields[0]))
        ords = [n - 1 for n in note.cloze_numbers] if note.notetype.cloze else range(len(note.notetype.templates))
        for ord in ords:
            db.execute("INSERT INTO cards VALUES (?, ?, ?, ?, 0, 0, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                       (card_id, note_id, note.deck, ord, card_id))
            card_id += 1
    db.commit()
    db.executescript(sql)
    db.close()


def write_package(path: Path, notes: list[Note], decks: dict[int, str] | None = None, *, form: str = "legacy",
                  media: dict[str, bytes] | None = None) -> Path:
    """An .apkg (or .colpkg) file holding `notes`, in Anki's legacy or current form."""
    decks = decks or {1: "Default"}
    work = path.parent / f".{path.name}.build"
    work.mkdir()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if form == "legacy":
            write_collection(work / "collection.anki2", notes, decks, schema=11)
            archive.write(work / "collection.anki2", "collection.anki2")
            archive.writestr("media", json.dumps({str(i): name for i, name in enumerate(media or {})}))
        else:
            write_collection(work / "real.anki2", notes, decks, schema=18)
            packed = zstandard.ZstdCompressor().compress((work / "real.anki2").read_bytes())
            archive.writestr("collection.anki21b", packed)
            stub = Note("stub", BASIC, ("Please update to the latest Anki version, then import the .colpkg/.apkg "
                                        "file again.", ""))
            write_collection(work / "stub.anki2", [stub], {1: "Default"}, schema=11)
            archive.write(work / "stub.anki2", "collection.anki2")
            archive.writestr("meta", _pb_int(1, 3))  # PackageMetadata.version = LATEST
            archive.writestr("media", zstandard.ZstdCompressor().compress(b""))
        for i, data in enumerate((media or {}).values()):
            archive.writestr(str(i), data)
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return path


SAMPLE_NOTES = [
    Note("Fq.h2:A~O1", BASIC, ("What is the capital of <b>Mali</b>?", "Bamako<br>on the Niger"), tags="geo africa"),
    Note("rev123", REVERSED, ("Timbuktu", "A city on the edge of the Sahara")),
    Note("clz456", CLOZE, ("{{c1::Bamako}} is the capital; {{c2::Gao}} is in the north", "Both are <i>cities</i>."),
         cloze_numbers=(1, 2)),
    Note("typ789", TYPE_IN, ("Year of the coup?", "2012")),
    Note("img000", BASIC, ('Which flag is this? <img src="flag.png">', "Mali&#39;s &amp; green")),
    Note("scr111", BASIC, ("&lt;script&gt;alert(1)&lt;/script&gt; [red]warning[/red]?", "literal<script>x()</script>")),
]
