"""Hostile Anki packages: real collections (tests/anki_builder.py) edited into what Anki never writes.

Add a case as one line in a table: the SQL that damages the collection, and what the one-line problem says.
"""

import re
import zipfile
from datetime import datetime, timezone
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
    ("BLOB guid", "UPDATE notes SET guid = x'00' WHERE id = 1", "note nid:1: its guid is binary data (a BLOB), not text"),
    ("BLOB tags", LOOSE_NOTES + "UPDATE notes SET tags = x'00' WHERE id = 1",
     "note nid:1: its tags are binary data (a BLOB), not text"),
    ("NULL note id", LOOSE_NOTES + "UPDATE notes SET id = NULL WHERE id = 1",
     "a note's id is missing (NULL), not a positive number; the collection is damaged"),
    ("note id 0", "UPDATE notes SET id = 0 WHERE id = 1",
     "a note's id is a number, not a positive number; the collection is damaged"),
    ("integer deck name", "UPDATE col SET decks = json_set(decks, '$.\"1\".name', 5)",
     "deck 1's name is a number, not text; the collection is damaged"),
    ("NULL deck name", "UPDATE col SET decks = json_set(decks, '$.\"1\".name', json('null'))",
     "deck 1's name is missing (NULL), not text; the collection is damaged"),
    ("list deck name", "UPDATE col SET decks = json_set(decks, '$.\"1\".name', json('[1]'))",
     "deck 1's name is list, not text; the collection is damaged"),
    ("NULL qfmt", MODEL.format(path="tmpls[0].qfmt", value="json('null')"),
     "note type 'Basic': a question template is missing (NULL), not text; the collection is damaged"),
    ("integer afmt", MODEL.format(path="tmpls[0].afmt", value="7"),
     "note type 'Basic': an answer template is a number, not text; the collection is damaged"),
    ("NULL field name", MODEL.format(path="flds[0].name", value="json('null')"),
     "note type 'Basic': a field name is missing (NULL), not text; the collection is damaged"),
    ("NULL note type name", MODEL.format(path="name", value="json('null')"),
     "a note type's name is missing (NULL), not text; the collection is damaged"),
    ("no cards table", "DROP TABLE cards", "the collection has no notes or cards table; it is not an Anki collection"),
    ("empty col table", "DELETE FROM col", "the collection's `col` table is empty"),
    ("note types not JSON", "UPDATE col SET models = '{'", "the collection's note types or decks cannot be read "
     "(JSONDecodeError('Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'))"),
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
    ("fraction deck name", untyped("decks", "id, name, mtime_secs, usn, common, kind") + "UPDATE decks SET name = 1.5",
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
    *[(f"note type settings: {case}", f"UPDATE notetypes SET config = x'{blob}' WHERE id = 1001",
       "a note type's settings are damaged") for case, blob in [
        ("wire type 3", "0b"), ("wire type 6", "0e"), ("length past the end", "1a056162"),
        ("varint cut short", "0880"), ("varint of eleven bytes", "08" + "ff" * 10 + "01"),
        ("fixed64 cut short", "11" + "00" * 7), ("fixed32 cut short", "15000000")]],
    ("template question a number", "UPDATE templates SET config = x'0801' WHERE ntid = 1001",
     "a card template's settings are damaged"),
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
    write_collection(collection, list(notes), {1: "Default"}, schema=schema, sql=sql)
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


# Damaged rows of the review log: each is named and left out, and the rest of the history still imports.
# (case, SQL run on the collection of SAMPLE_NOTES, the one-line problem); cards 1-8 are in it.
GOOD_TIME = 1767225600000  # 2026-01-01 00:00 UTC, in milliseconds like a revlog id
LOOSE_REVLOG = untyped("revlog", "id, cid, usn, ease, ivl, lastIvl, factor, time, type")
REVLOG = "INSERT INTO revlog VALUES ({id}, {cid}, 0, {ease}, 1, 0, 2500, {time}, {type});"


def revlog(id=GOOD_TIME, cid=1, ease=3, time=5000, type=1) -> str:
    return REVLOG.format(id=id, cid=cid, ease=ease, time=time, type=type)


BAD_REVLOG = [
    ("card not in package", revlog(cid=99), "its card 99 is not in the package"),
    ("ease 0", revlog(ease=0), "its ease 0 is not a rating from 1 to 4"),
    ("ease 5", revlog(ease=5), "its ease 5 is not a rating from 1 to 4"),
    ("before 2006", revlog(id=1104537600000), "its time (2005-01-01 00:00 UTC) is before 2006, when Anki began"),
    ("in the future", revlog(id=1893456000000), "its time (2030-01-01 00:00 UTC) is in the future"),
    ("past year 9999", revlog(id=2**62), "its time (4611686018427387904 ms from 1970) is in the future"),
    ("unknown type", revlog(type=9), "its type 9 is none of Anki's (0-5)"),
    ("negative answer time", revlog(time=-5), "its answer time -5 ms is out of range"),
    ("text ease", LOOSE_REVLOG + revlog(ease="'x'"), "its ease is text, not a whole number"),
    ("NULL card", LOOSE_REVLOG + revlog(cid="NULL"), "its card id (cid) is missing (NULL), not a whole number"),
    ("fraction time", LOOSE_REVLOG + revlog(time=1.5), "its answer time is a fraction, not a whole number"),
    ("huge interval", LOOSE_REVLOG + revlog().replace(", 1, 0, 2500", ", 99999999, 0, 2500"),
     "its interval 99999999 is out of range"),
]
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(("case", "sql", "message"), BAD_REVLOG, ids=[c[0] for c in BAD_REVLOG])
def test_a_damaged_revlog_row_is_named_and_left_out(tmp_path, case, sql, message):
    path = package(tmp_path, sql + revlog(id=GOOD_TIME + 1, cid=2))
    history = convert(path, now=NOW).history
    row_id = re.search(r"VALUES \(([^,]+),", sql).group(1)
    assert [str(p) for p in history.problems] == [f"{path}: revlog id {row_id}: {message}"]
    assert [(r.card, r.reviewed_at) for r, _, _ in history.answers] == [
        ("rev123", datetime(2026, 1, 1, 0, 0, 0, 1000, tzinfo=timezone.utc))]


def test_every_damaged_revlog_row_is_named_in_one_run_and_the_good_ones_imported(tmp_path, quizzer_home):
    path = package(tmp_path, LOOSE_REVLOG + "".join(c[1].replace(LOOSE_REVLOG, "") for c in BAD_REVLOG)
                   .replace(f"({GOOD_TIME},", f"({GOOD_TIME + 7},") + revlog(id=GOOD_TIME + 1, cid=2))
    result = CliRunner().invoke(app, ["decks", "import", str(path)], env={"QUIZZER_NOW": NOW.isoformat()})
    assert result.exit_code == 0, result.output
    named = [line for line in result.stderr.splitlines() if ": revlog id " in line]
    assert len(named) == len(BAD_REVLOG)
    assert f"Imported 1 review of 1 card from Anki; left out {len(BAD_REVLOG)} damaged rows (above)." in result.stdout


# Damaged FSRS parameters in the deck options make the collection unreadable, in one line.
# (schema, SQL, the problem)
DAMAGED_PARAMETERS = [
    (18, "INSERT INTO deck_config VALUES (1, 'Default', 0, 0, x'3005')",  # fsrs_params_6 as a number
     "deck options 'Default': the FSRS parameters are damaged"),
    (18, "INSERT INTO deck_config VALUES (1, 'Default', 0, 0, x'3203000000')",  # 3 bytes: not whole floats
     "deck options 'Default': the FSRS parameters are damaged"),
    (18, "INSERT INTO deck_config VALUES (1, 'Default', 0, 0, x'3209')",  # longer than the blob
     "deck options 'Default' are damaged"),
    *[(18, f"INSERT INTO deck_config VALUES (1, 'Default', 0, 0, x'{blob}')", "deck options 'Default' are damaged")
      for blob in ("80", "3080", "32")],  # cut short in a field's number, its value, its length
    (18, "INSERT INTO deck_config VALUES (1, 'Default', 0, 0, 'text')",
     "deck options 'Default' are text, not protobuf data; the collection is damaged"),
    (18, untyped("deck_config", "id, name, mtime_secs, usn, config") + "INSERT INTO deck_config VALUES "
     "(1, NULL, 0, 0, x'')", "a deck options name is missing (NULL), not text; the collection is damaged"),
    (11, """UPDATE col SET dconf = '{"1": {"name": "Default", "fsrsParams6": ["x"]}}'""",
     "the collection's deck options cannot be read (ValueError(\"could not convert string to float: 'x'\"))"),
    (11, """UPDATE col SET dconf = '[1]'""",
     "the collection's deck options cannot be read (AttributeError(\"'list' object has no attribute 'values'\"))"),
    (11, """UPDATE col SET dconf = '{"1": {"name": 5, "fsrsParams6": [0.5]}}'""",
     "a deck options name is a number, not text; the collection is damaged"),
]


@pytest.mark.parametrize(("schema", "sql", "message"), DAMAGED_PARAMETERS, ids=[c[2][:40] for c in DAMAGED_PARAMETERS])
def test_damaged_fsrs_parameters_are_one_line_naming_the_file(tmp_path, schema, sql, message):
    path = package(tmp_path, sql, schema=schema)
    with pytest.raises(DeckError) as raised:
        convert(path, now=NOW)
    assert [str(p) for p in raised.value.problems] == [f"{path}: {message}"]


# FSRS parameters as Anki may store them, read to the float. (schema, SQL, deck options name → parameters)
READ_PARAMETERS = [
    # fsrs_params_6 (field 6) not packed: each float a 4-byte value of its own (wire type 5), 0.5 then 0.25.
    (18, "INSERT INTO deck_config VALUES (1, 'Default', 0, 0, x'350000003f350000803e')", {"Default": (0.5, 0.25)}),
]


@pytest.mark.parametrize(("schema", "sql", "parameters"), READ_PARAMETERS, ids=[c[1][-40:] for c in READ_PARAMETERS])
def test_fsrs_parameters_are_read_from_the_deck_options(tmp_path, schema, sql, parameters):
    assert convert(package(tmp_path, sql, schema=schema), now=NOW).history.parameters == parameters


def test_a_review_log_longer_than_the_cap_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from quizzer.formats import anki_package

    monkeypatch.setattr(anki_package, "MAX_REVIEWS", 2)
    path = package(tmp_path, revlog() + revlog(id=GOOD_TIME + 1) + revlog(id=GOOD_TIME + 2))
    with pytest.raises(DeckError) as raised:
        convert(path, now=NOW)
    assert [str(p) for p in raised.value.problems] == [
        f"{path}: holds 3 review log rows; quizzer imports at most 2 from one file"]
    assert convert(path).decks  # without the history the notes still import


def test_reviews_of_a_card_left_out_are_counted_not_imported(tmp_path, quizzer_home):
    sql = SKIPPED_CARDS[3][1]  # note 4's note type is NULL: its typed card (card 6) is skipped with a warning
    path = package(tmp_path, sql + ";" + revlog(cid=6) + revlog(id=GOOD_TIME + 1, cid=2))
    result = CliRunner().invoke(app, ["decks", "import", str(path)], env={"QUIZZER_NOW": NOW.isoformat()})
    assert "Imported 1 review of 1 card from Anki; left out 1 review of cards not imported (above)." in result.stdout


def test_a_hostile_deck_options_name_reaches_the_terminal_as_text(tmp_path, quizzer_home):
    # fsrs_params_6 = [0.5]: one packed float, so the parameters line names the options group.
    config = "x'32040000003f'"
    path = package(tmp_path, f"INSERT INTO deck_config VALUES (1, 'Evil\x1b]52;c;aGk=\x07[red]x[/red]', 0, 0, "
                             f"{config}); " + revlog(), schema=18)
    result = CliRunner().invoke(app, ["decks", "import", str(path)], env={"QUIZZER_NOW": NOW.isoformat()})
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "FSRS parameters" in line)
    assert "\x1b" not in line and "\x07" not in line and "[red]x[/red]" in line and "[0.5000]" in line
