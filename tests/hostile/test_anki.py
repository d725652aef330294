"""Hostile Anki packages: real collections (tests/anki_builder.py) edited into what Anki never writes.

Add a case as one line in a table: the SQL that damages the collection, and what the one-line problem says.
"""

import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anki_builder import BASIC, SAMPLE_NOTES, Note, write_collection
from quizzer.cli import app
from quizzer.decks import DeckError
from quizzer.formats import convert

# Anki declares the notes' columns NOT NULL; a copy of the table without the constraints lets a case break them.
LOOSE_NOTES = "CREATE TABLE n2 AS SELECT * FROM notes; DROP TABLE notes; ALTER TABLE n2 RENAME TO notes;"
LOOSE_CARDS = "CREATE TABLE c2 AS SELECT * FROM cards; DROP TABLE cards; ALTER TABLE c2 RENAME TO cards;"
MODEL = "UPDATE col SET models = json_set(models, '$.\"1001\".{path}', {value})"

# (what is damaged, SQL run on the collection of SAMPLE_NOTES, the one-line problem)
DAMAGED = [
    ("BLOB flds", LOOSE_NOTES + "UPDATE notes SET flds = CAST(flds AS BLOB) WHERE id = 2",
     "note nid:2: its fields are binary data (a BLOB), not text"),
    ("binary flds", LOOSE_NOTES + "UPDATE notes SET flds = x'ff00fe' WHERE id = 2",
     "note nid:2: its fields are binary data (a BLOB), not text"),
    ("NULL flds", LOOSE_NOTES + "UPDATE notes SET flds = NULL WHERE id = 3",
     "note nid:3: its fields are missing (NULL), not text"),
    ("NULL guid", LOOSE_NOTES + "UPDATE notes SET guid = NULL WHERE id = 1",
     "note nid:1: its guid is missing (NULL), not text"),
    ("BLOB tags", LOOSE_NOTES + "UPDATE notes SET tags = x'00' WHERE id = 1",
     "note nid:1: its tags are binary data (a BLOB), not text"),
    ("NULL note id", LOOSE_NOTES + "UPDATE notes SET id = NULL WHERE id = 1",
     "a note's id is missing (NULL), not a positive number; the collection is damaged"),
    ("integer deck name", "UPDATE col SET decks = json_set(decks, '$.\"1\".name', 5)",
     "deck 1's name is a number, not text; the collection is damaged"),
    ("NULL deck name", "UPDATE col SET decks = json_set(decks, '$.\"1\".name', json('null'))",
     "deck 1's name is missing (NULL), not text; the collection is damaged"),
    ("NULL qfmt", MODEL.format(path="tmpls[0].qfmt", value="json('null')"),
     "note type 'Basic': a question template is missing (NULL), not text; the collection is damaged"),
    ("integer afmt", MODEL.format(path="tmpls[0].afmt", value="7"),
     "note type 'Basic': an answer template is a number, not text; the collection is damaged"),
    ("NULL field name", MODEL.format(path="flds[0].name", value="json('null')"),
     "note type 'Basic': a field name is missing (NULL), not text; the collection is damaged"),
    ("NULL note type name", MODEL.format(path="name", value="json('null')"),
     "a note type's name is missing (NULL), not text; the collection is damaged"),
]



def untyped(table: str, columns: str) -> str:
    """SQL that gives `table` columns without a type, so a case can store a number or text where Anki keeps text
    or a BLOB (a typed column would convert it)."""
    return (f"CREATE TABLE x2({columns}); INSERT INTO x2 SELECT * FROM {table}; DROP TABLE {table}; "
            f"ALTER TABLE x2 RENAME TO {table};")


# The current schema (18): note types, fields, templates and decks in tables of their own.
DAMAGED_18 = [
    ("NULL deck name", untyped("decks", "id, name, mtime_secs, usn, common, kind") + "UPDATE decks SET name = NULL",
     "deck 1's name is missing (NULL), not text; the collection is damaged"),
    ("integer deck name", untyped("decks", "id, name, mtime_secs, usn, common, kind") + "UPDATE decks SET name = 5",
     "deck 1's name is a number, not text; the collection is damaged"),
    ("integer field name", untyped("fields", "ntid, ord, name, config") + "UPDATE fields SET name = 7 WHERE ord = 0",
     "note type 1001: a field name is a number, not text; the collection is damaged"),
    ("NULL note type name", untyped("notetypes", "id, name, mtime_secs, usn, config") + "UPDATE notetypes SET "
     "name = NULL WHERE id = 1001", "note type 1001's name is missing (NULL), not text; the collection is damaged"),
    ("text template config", untyped("templates", "ntid, ord, name, mtime_secs, usn, config") + "UPDATE templates "
     "SET config = 'q'", "a note type's settings are text, not protobuf data; the collection is damaged"),
    ("integer note type config", untyped("notetypes", "id, name, mtime_secs, usn, config") + "UPDATE notetypes SET "
     "config = 12", "a note type's settings are a number, not protobuf data; the collection is damaged"),
    ("integer flds", untyped("notes", "id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data") +
     "UPDATE notes SET flds = 5 WHERE id = 2", "note nid:2: its fields are a number, not text"),
    ("text note id", untyped("notes", "id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data") +
     "UPDATE notes SET id = 'x' WHERE id = 2", "a note's id is text, not a positive number; the collection is damaged"),
]

# Damage that costs only the cards it touches: the rest imports, with a warning. (case, SQL, the kind lost)
SKIPPED_CARDS = [
    ("NULL card ord", LOOSE_CARDS + "UPDATE cards SET ord = NULL WHERE nid = 4", "typed"),
    ("NULL cloze ord", LOOSE_CARDS + "UPDATE cards SET ord = NULL WHERE nid = 3", "cloze"),
    ("text card ord", "UPDATE cards SET ord = 'x' WHERE nid = 4", "typed"),
    ("NULL note type", LOOSE_NOTES + "UPDATE notes SET mid = NULL WHERE id = 4", "typed"),
]


def package(folder: Path, sql: str = "", notes=SAMPLE_NOTES, schema: int = 11) -> Path:
    """An .apkg of `notes` (its collection in Anki's legacy schema 11 or current 18), changed by `sql` first."""
    collection = folder / "collection.anki2"
    collection.unlink(missing_ok=True)
    write_collection(collection, list(notes), {1: "Default"}, schema=schema)
    with sqlite3.connect(collection) as db:
        db.executescript(sql)
    db.close()
    path = folder / "hostile.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
    return path


@pytest.mark.parametrize(("schema", "case", "sql", "message"),
                         [(11, *c) for c in DAMAGED] + [(18, *c) for c in DAMAGED_18],
                         ids=[f"11 {c[0]}" for c in DAMAGED] + [f"18 {c[0]}" for c in DAMAGED_18])
def test_a_damaged_note_or_note_type_is_one_line_naming_the_file(tmp_path, schema, case, sql, message):
    path = package(tmp_path, sql, schema=schema)
    with pytest.raises(DeckError) as raised:
        convert(path)
    assert [str(p) for p in raised.value.problems] == [f"{path}: {message}"]


@pytest.mark.parametrize(("case", "sql", "lost"), SKIPPED_CARDS, ids=[c[0] for c in SKIPPED_CARDS])
def test_a_damaged_card_is_skipped_with_a_warning(tmp_path, case, sql, lost):
    converted = convert(package(tmp_path, sql))
    kinds = {card.kind.value for deck in converted.decks for card in deck.cards}
    assert lost not in kinds and "flash" in kinds
    assert any("skipped" in w.message for w in converted.warnings)


def test_import_of_a_damaged_package_exits_2_and_installs_nothing(tmp_path, quizzer_home):
    path = package(tmp_path, DAMAGED[0][1])
    result = CliRunner().invoke(app, ["decks", "import", str(path)])
    assert result.exit_code == 2 and not isinstance(result.exception, Exception), result.output
    assert result.stderr.splitlines()[-1] == f"{path}: {DAMAGED[0][2]}"
    assert not (quizzer_home / "decks").exists()


TWINS = [Note("same", BASIC, ("First question", "First answer")), Note("other", BASIC, ("Q2", "A2")),
         Note("same", BASIC, ("Second question", "Second answer"))]


def test_two_notes_with_one_guid_are_reported_not_merged(tmp_path):
    with pytest.raises(DeckError) as raised:
        convert(package(tmp_path, notes=TWINS))
    assert [p.message for p in raised.value.problems] == [
        "note nid:3: its guid 'same' is also note nid:1's; the two would become one card"]


def test_skip_invalid_installs_the_other_notes_and_names_each_one_left_out(tmp_path, quizzer_home):
    path = package(tmp_path, LOOSE_NOTES + "UPDATE notes SET flds = NULL WHERE id = 2", notes=TWINS)
    result = CliRunner().invoke(app, ["decks", "import", str(path), "--skip-invalid", "--id", "twins"])
    assert result.exit_code == 0, result.output
    assert f"{path}: note nid:2: its fields are missing (NULL), not text" in result.stderr.splitlines()
    assert f"{path}: note nid:3: its guid 'same' is also note nid:1's; the two would become one card" in \
        result.stderr.splitlines()
    shown = CliRunner().invoke(app, ["decks", "show", "twins", "--json"])
    assert [(row["id"], row["question"]) for row in __import__("json").loads(shown.stdout)] == [
        ("same", "First question")]
