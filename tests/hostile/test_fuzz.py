"""Fuzzing every reader of user files through the CLI: whatever the bytes, the command exits 0 or 2 with a
message, never with a traceback.

A hundred examples per reader by default, with a fixed seed per test (CI stays quick and repeatable).
The big run sets QUIZZER_FUZZ_EXAMPLES and a seed, e.g.
    QUIZZER_FUZZ_EXAMPLES=3000 pytest tests/hostile/test_fuzz.py --hypothesis-seed=17
(figures in docs/testing.md). To fuzz a new reader, add a strategy and one test that calls `check`.
"""

import json
import os
import sqlite3
import string
import traceback
import zipfile
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizzer.cli import app
from anki_builder import BASIC, CLOZE, NOTETYPES, Note, write_collection

BIG_RUN = "QUIZZER_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(
    max_examples=int(os.environ.get("QUIZZER_FUZZ_EXAMPLES", "100")),
    derandomize=not BIG_RUN,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(*args: str):
    """Run the command; it must end with status 0, or 2 and a message, and never with a traceback."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        if COLLECT:
            collect(result.exception, args)
            return result
        raise AssertionError(f"quizzer {' '.join(args)} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.strip(), "exit status 2 without a message"
    return result


# The big run sets QUIZZER_FUZZ_COLLECT to a file: each kind of crash (command, exception, line of quizzer
# that raised it) is written there once with its first input, and the run goes on to its full count.
COLLECT = os.environ.get("QUIZZER_FUZZ_COLLECT")
_collected = set()


def collect(crash: BaseException, args) -> None:
    frames = [f for f in traceback.extract_tb(crash.__traceback__) if "/quizzer/" in f.filename]
    where = f"{frames[-1].filename.rsplit('/quizzer/', 1)[1]}:{frames[-1].lineno}" if frames else "?"
    kind = (" ".join(args[:2]), type(crash).__name__, where)
    if kind not in _collected:
        _collected.add(kind)
        given = next((open(a, "rb").read(300) for a in args if os.path.isfile(a)), b"")
        with open(COLLECT, "a", encoding="utf-8") as out:
            out.write(f"{' | '.join(kind)} | {str(crash)[:120]!r} | input {given!r}\n")


# -- pieces the strategies share ----------------------------------------------------------------------------

# Text that trips parsers: quotes, separators, markup, escapes, odd Unicode, lone surrogates excluded
# (files are written as UTF-8; the raw-bytes strategies cover invalid encodings).
TRICKY = ["", " ", "'", '"', "\\", ",", ";", "\t", "|", "#", "\n", "\r\n", "\x00", "\x1b[2J", "\x9b", "\u202e",
          "{{c1::x}}", "{{c1::a::b}}", "{{", "}}", "{{x}}", "<b>", "</div>", "&amp;", "&#0;", "[red]", "[/]", "::",
          "\ufeff", "ﬁ", "\U0001F600", "-", "=1+1", "@", "0", "-1", "1e400", "nan", "true", "null", "~"]
texts = st.one_of(st.text(max_size=40), st.sampled_from(TRICKY),
                  st.lists(st.sampled_from(TRICKY), max_size=6).map("".join))
raw_bytes = st.binary(max_size=300)


def write(path, content) -> str:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return str(path)


# -- YAML decks ----------------------------------------------------------------------------------------------

# Scalars YAML resolves to something other than text, and tags that ask it to.
YAML_SCALARS = ["2012-02-30", "2012-13-45", "2012-03-22", "2012-03-22T10:00:00", "!!int abc", "!!float abc",
                "!!timestamp xyz", "!!bool maybe", "!!int ''", "!!int 0x", "!!int 0b102", "!!binary x", "!!null x",
                "!!str", "!!set {a}", "!!omap [a]", "1" * 4400, "0x1F", "0o17", "1_000", ".inf", "-.nan", "yes",
                "~", "null", "[]", "{}", "[a, [b]]", "{a: b}", "&a x", "*a", "!custom x", "|\n  text", ">-\n  text",
                "'quoted'", '"\\x1b[31m"', '"\\ud800"', "? a", "- a", "12:30:00", "3.14", "true", "false"]
yaml_values = st.one_of(st.sampled_from(YAML_SCALARS), texts.map(json.dumps), texts)
CARD_KEYS = ["id", "type", "question", "answer", "accept", "reject", "distractors", "items", "text", "explain",
             "ref", "tags"]
TYPES = ["typed", "choice", "truefalse", "order", "cloze", "flash", "bogus"]


@st.composite
def yaml_decks(draw):
    """A deck shaped like a real one, with any of its values replaced by a hostile one."""
    lines = [f"id: {draw(st.sampled_from(['d', 'D d', '', '-', 'ünï']) | yaml_values)}",
             f"title: {draw(yaml_values)}"]
    if draw(st.booleans()):
        lines.append(f"tags: {draw(yaml_values)}")
    lines.append("cards:")
    for number in range(draw(st.integers(0, 4))):
        lines.append(f"  - id: c{number}")
        lines.append(f"    type: {draw(st.sampled_from(TYPES))}")
        for key in draw(st.lists(st.sampled_from(CARD_KEYS), max_size=5, unique=True)):
            lines.append(f"    {key}: {draw(yaml_values)}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(content=st.one_of(yaml_decks(), texts, raw_bytes))
def test_yaml_reader(tmp_path, content):
    check("decks", "validate", write(tmp_path / "deck.yaml", content))


# -- CSV / TSV and Anki text exports -------------------------------------------------------------------------

COLUMNS = ["question", "answer", "id", "type", "accept", "reject", "distractors", "explain", "ref", "tags",
           "ordered", "bogus", ""]


@st.composite
def tables(draw):
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=0, max_size=5))
    rows = draw(st.lists(st.lists(texts, max_size=6), max_size=6))
    quote = draw(st.booleans())

    def line(cells):
        return delimiter.join(f'"{c}"' if quote else c for c in cells)

    return "\n".join([line(header), *map(line, rows)]) + draw(st.sampled_from(["", "\n", "\r\n"]))


@FUZZ
@given(content=st.one_of(tables(), texts, raw_bytes), suffix=st.sampled_from([".csv", ".tsv"]))
def test_csv_reader(tmp_path, content, suffix):
    check("decks", "validate", write(tmp_path / f"deck{suffix}", content))


ANKI_HEADERS = ["#separator:tab", "#separator:comma", "#separator:Pipe", "#separator:x", "#html:true",
                "#html:false", "#html:maybe", "#tags column:3", "#tags column:0", "#tags column:x",
                "#columns:Front\tBack", "#notetype column:1", "#deck column:2", "#guid column:1", "#deck:D",
                "#notetype:Cloze", "#tags:a b", "#", "#bogus:1"]


@st.composite
def anki_texts(draw):
    headers = draw(st.lists(st.sampled_from(ANKI_HEADERS), max_size=4))
    separator = draw(st.sampled_from(["\t", ",", "|", ";"]))
    rows = draw(st.lists(st.lists(texts, max_size=5), max_size=6))
    return "\n".join([*headers, *(separator.join(cells) for cells in rows)]) + "\n"


@FUZZ
@given(content=st.one_of(anki_texts(), texts.map(lambda t: "#separator:tab\n" + t), raw_bytes))
def test_anki_text_reader(tmp_path, content):
    check("decks", "validate", write(tmp_path / "deck.txt", content))


# -- Anki packages -------------------------------------------------------------------------------------------

sql_values = st.one_of(st.none(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False), texts,
                       st.binary(max_size=20))
# Columns a crafted collection may fill with anything SQLite stores (NULL, a number, a BLOB).
CORRUPTIBLE = [("notes", "flds"), ("notes", "tags"), ("notes", "guid"), ("notes", "mid"), ("cards", "ord"),
               ("cards", "did"), ("col", "models"), ("col", "decks")]


@st.composite
def anki_packages(draw):
    """A legacy .apkg: fuzzed notes (fields, tags, guids, deck names), then maybe a column set to any value."""
    notes = []
    for _ in range(draw(st.integers(0, 4))):
        notetype = draw(st.sampled_from(NOTETYPES))
        fields = tuple(draw(texts) for _ in notetype.fields)
        if notetype is CLOZE and draw(st.booleans()):
            fields = (f"{{{{c{draw(st.integers(0, 3))}::{fields[0]}}}}}", *fields[1:])
        notes.append(Note(draw(texts), notetype, fields, tags=draw(texts), deck=draw(st.sampled_from([1, 2, 99])),
                          cloze_numbers=tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))))
    decks = {1: draw(texts), 2: draw(texts)}
    corrupt = draw(st.none() | st.tuples(st.sampled_from(CORRUPTIBLE), sql_values))
    return notes, decks, corrupt, draw(st.sampled_from(["collection.anki2", "collection.anki21", "other"]))


@FUZZ
@given(package=anki_packages())
def test_anki_package_reader(tmp_path, package):
    notes, decks, corrupt, member = package
    collection = tmp_path / "collection.db"
    collection.unlink(missing_ok=True)
    write_collection(collection, notes or [Note("g", BASIC, ("Q", "A"))], decks)
    if corrupt:  # Anki's schema says NOT NULL; a crafted file need not
        (table, column), value = corrupt
        db = sqlite3.connect(collection, isolation_level=None)
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = replace(sql, 'NOT NULL', '') WHERE type = 'table'")
        db.close()
        db = sqlite3.connect(collection, isolation_level=None)
        db.execute(f"UPDATE {table} SET {column} = ?", (value,))
        db.close()
    path = tmp_path / "deck.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, member)
        archive.writestr("media", "{}")
    check("decks", "validate", str(path))


@FUZZ
@given(content=raw_bytes.map(lambda b: b"PK\x03\x04" + b))
def test_anki_package_reader_on_bytes(tmp_path, content):
    check("decks", "validate", write(tmp_path / "deck.apkg", content))


# -- progress import -----------------------------------------------------------------------------------------

GOOD_REVIEW = {"review_id": "r1", "deck": "d", "card": "c", "reviewed_at": "2026-03-02T12:00:00.000000+00:00",
               "rating": 3, "verdict": "correct", "response": "x", "duration_ms": 1200, "session": "s",
               "phase": "new", "next_due": "2026-03-02T12:10:00.000000+00:00"}
# Values a naive check lets through: out-of-range times, integers too large for SQLite, lone surrogates.
HOSTILE = [None, True, False, 0, -1, 5, 2**63, -2**63 - 1, 10**30, 1.5, float("inf"), "", "\ud800", [], {},
           "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00+00:00",
           "2026-03-02T12:00:00", "2026-03-02", "2026-02-30T00:00:00+00:00", "1970-01-01T00:00:00Z"]
times = st.datetimes(timezones=st.timedeltas(timedelta(hours=-23), timedelta(hours=23)).map(timezone)).map(
    datetime.isoformat)
json_values = st.one_of(
    st.sampled_from(HOSTILE),
    times,
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=5),
)


@st.composite
def review_lines(draw):
    """A valid review with a key or two changed to any JSON value, or dropped; now and then another line."""
    review = dict(GOOD_REVIEW, review_id=draw(st.text(string.ascii_letters, min_size=1, max_size=8)))
    for key in draw(st.lists(st.sampled_from(sorted(GOOD_REVIEW)), max_size=2, unique=True)):
        if draw(st.integers(0, 3)):
            review[key] = draw(json_values)
        else:
            del review[key]
    line = json.dumps(review, ensure_ascii=draw(st.booleans()))
    return line if draw(st.integers(0, 9)) else draw(st.sampled_from(["[" * 10_000, "{}", "null", "[]"]) | texts)


@FUZZ
@given(lines=st.lists(review_lines(), min_size=1, max_size=3), tail=st.sampled_from(["", "\n", "\n\n"]))
def test_progress_import(tmp_path, lines, tail):
    result = check("progress", "import", write(tmp_path / "progress.jsonl", "\n".join(lines) + tail))
    if result.exit_code == 0:  # what was imported must not break the commands that read it
        check("stats", "--json")
        check("history", "--reviews", "--json")


@FUZZ
@given(content=raw_bytes)
def test_progress_import_on_bytes(tmp_path, content):
    check("progress", "import", write(tmp_path / "progress.jsonl", content))
