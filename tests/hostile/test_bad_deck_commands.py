"""Every bad input to the deck commands: one clear line, exit status 2, and nothing changed on disk."""

import sqlite3
import zipfile

import pytest
import zstandard
from anki_builder import SAMPLE_NOTES, write_collection, write_package
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.formats import anki_package

GOOD = "id: mine\ntitle: Mine\ncards:\n  - id: a\n    question: Q\n    answer: A\n"


@pytest.fixture
def home(quizzer_home, tmp_path):
    """A home with an installed deck, a linked deck and some progress, to check that nothing changes."""
    runner = CliRunner()
    source = tmp_path / "mine.yaml"
    source.write_text(GOOD)
    linked = tmp_path / "linked.yaml"
    linked.write_text(GOOD.replace("id: mine", "id: linked"))
    assert runner.invoke(app, ["decks", "add", str(source)]).exit_code == 0
    assert runner.invoke(app, ["decks", "add", "--link", str(linked)]).exit_code == 0
    assert runner.invoke(app, ["study", "mine", "--new", "1"], input="\n3\n").exit_code == 0
    return quizzer_home


def snapshot(home):
    files = {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*"))
             if p.is_file() and not p.name.startswith("quizzer.db")}
    db = sqlite3.connect(home / "quizzer.db")
    rows = {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("reviews", "cards", "accepted")}
    db.close()
    assert rows["reviews"], "the fixture should have recorded progress"
    return files, rows


def latin1_csv(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("question,answer\nCapitale du Mali ?,Bamako\nFleuve ?,le Niger à Ségou\n".encode("latin-1"))
    return path


def zip_without_collection(tmp_path):
    path = tmp_path / "photos.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.jpg", b"\xff\xd8not really")
    return path


def not_a_zip(tmp_path):
    path = tmp_path / "broken.apkg"
    path.write_bytes(b"this was never a zip file")
    return path


def huge_declared_size(tmp_path):
    """A package whose zip directory says it unpacks to 250 MB (the data itself is tiny)."""
    path = write_package(tmp_path / "bomb.apkg", SAMPLE_NOTES)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = (250_000_000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def too_many_files(tmp_path):
    path = write_package(tmp_path / "many.apkg", SAMPLE_NOTES)
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(10_001):
            archive.writestr(f"m{i}", b"")
    return path


def damaged_collection(tmp_path):
    path = tmp_path / "damaged.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"SQLite format 3\x00" + b"garbage" * 100)
    return path


def damaged_zstd(tmp_path):
    path = tmp_path / "damaged.colpkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd not zstd after all")
    return path


def write(name, content):
    def build(tmp_path):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path
    return build


def folder(tmp_path):
    path = tmp_path / "a-folder.csv"
    path.mkdir()
    return path


CASES = [
    # (command, file builder, extra args, expected message)
    ("import", lambda t: t / "missing.csv", [], "missing.csv: no such file"),
    ("import", lambda t: t / "missing.apkg", [], "missing.apkg: no such file"),
    ("add", lambda t: t / "missing.yaml", [], "missing.yaml: no such file"),
    ("validate", lambda t: t / "missing.csv", [], "missing.csv: no such file"),
    ("import", folder, [], "a-folder.csv: is a folder, not a deck file"),
    ("add", folder, [], "a-folder.csv: is a folder, not a deck file"),
    ("import", write("empty.csv", ""), [], "empty.csv: the file is empty"),
    ("import", write("empty.txt", ""), [], "empty.txt: the file is empty"),
    ("import", write("empty.apkg", b""), [], "empty.apkg: the file is empty"),
    ("add", write("empty.yaml", ""), [], "empty.yaml: the file is empty"),
    ("import", latin1_csv, [], "latin1.csv:3: the file is not UTF-8 text; save it as UTF-8"),
    ("import", write("latin1.txt", "#separator:tab\nQ\tSégou\n".encode("latin-1")), [],
     "latin1.txt:2: the file is not UTF-8 text"),
    ("import", write("no-question.csv", "front,answer\nQ,A\n"), [], "no-question.csv:1: no 'question' column"),
    ("import", write("no-answer.csv", "question,back\nQ,A\n"), [], "no-answer.csv:1: no 'answer' column"),
    ("import", write("ragged.csv", "question,answer\nQ1,A1\nQ2,A2,A3\nQ4,A4\n"), [],
     "ragged.csv:3: 3 fields, but the header row has 2"),
    ("import", write("ragged.tsv", "question\tanswer\nQ1\n"), [], "ragged.tsv:2: 1 field, but the header row has 2"),
    ("import", not_a_zip, [], "broken.apkg: is not an Anki package"),
    ("import", zip_without_collection, [], "photos.apkg: is a zip file but not an Anki package"),
    ("import", damaged_collection, [], "damaged.apkg: the collection is damaged or not an Anki collection"),
    ("import", damaged_zstd, [], "damaged.colpkg: the package is damaged: cannot unpack collection.anki21b"),
    ("import", huge_declared_size, [], "bomb.apkg: would unpack to 250 MB; quizzer opens packages of at most 200 MB"),
    ("import", too_many_files, [], "many.apkg: holds 10,003 files; quizzer opens packages of at most 10,000 files"),
    ("import", write("ok.csv", "question,answer\nQ,A\n"), ["--id", "../x"], "'../x' is not a valid deck id"),
    ("import", write("ok.csv", "question,answer\nQ,A\n"), ["--id", "Bad Id"], "'Bad Id' is not a valid deck id"),
    ("import", write("ok.csv", "question,answer\nQ,A\n"), ["--id", "x" * 65], "is 65 characters; at most 64"),
    ("import", write("ok.csv", "question,answer\nQ,A\n"), ["--id", "mali-2012-dates"],
     "deck id 'mali-2012-dates' belongs to a built-in deck"),
    ("import", write("ok.csv", "question,answer\nQ,A\n"), ["--title", "  "], "--title is empty"),
    ("add", write("escape.yaml", GOOD.replace("id: mine", "id: ../x")), [], "deck id '../x' may use only lowercase"),
    ("import", write("deck.yaml", GOOD), [],
     "deck.yaml: is already a quizzer deck; install it with `quizzer decks add`"),
    ("export", lambda t: "mine", ["--format", "xlsx"], "unknown format 'xlsx' (one of yaml, csv, anki-txt, apkg)"),
    ("export", lambda t: "mine", ["--format", "csv", "--with-history"],
     "--with-history is for --format apkg: the other formats hold cards, not progress"),
    ("export", lambda t: "mine", ["--format", "apkg", "--with-history", "-o", "."], "quizzer: . is a folder; give a file name"),
]


@pytest.mark.parametrize("command, build, extra, expected", CASES, ids=[c[3][:40] for c in CASES])
def test_bad_input_says_what_is_wrong_and_changes_nothing(home, tmp_path, command, build, extra, expected):
    path = build(tmp_path)
    before = snapshot(home)
    result = CliRunner().invoke(app, ["decks", command, str(path), *extra])
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert snapshot(home) == before
    assert not list(home.rglob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_a_package_that_unpacks_past_the_limit_is_stopped_while_unpacking(home, tmp_path, monkeypatch):
    # A zstd collection declares no size in the zip; the limit holds while it is decompressed.
    work = tmp_path / "c.anki2"
    write_collection(work, SAMPLE_NOTES, {1: "Default"}, schema=18)
    data = work.read_bytes() + b"\0" * 3_000_000
    path = tmp_path / "bomb.colpkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki21b", zstandard.ZstdCompressor().compress(data))
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(anki_package, "MAX_UNPACKED_BYTES", 2_000_000)
    before = snapshot(home)
    result = CliRunner().invoke(app, ["decks", "import", str(path)])
    assert result.exit_code == 2 and "bomb.colpkg: unpacks to more than 2 MB; quizzer stops there" in result.output
    assert snapshot(home) == before


def test_a_failed_write_leaves_the_installed_deck_as_it_was(home, tmp_path, monkeypatch):
    import os

    source = tmp_path / "mine.yaml"
    source.write_text(GOOD.replace("answer: A", "answer: changed"))
    before = snapshot(home)

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = CliRunner().invoke(app, ["decks", "add", str(source)])
    assert result.exit_code == 2 and "mine.yaml: cannot write the file: No space left on device" in result.output
    assert snapshot(home) == before
    assert not [p for p in (home / "decks").iterdir() if p.name.startswith(".")]
