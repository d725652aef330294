"""Files far larger than any deck or progress file: read with a bound (never by the size the file
reports), and limits on rows, notes and cards checked as the file is read, naming the user's file
(issue 10 #6, #7). One line per case in each table.
"""

import csv
import io
import os
import resource

import pytest
from anki_builder import BASIC, REVERSED, Note, write_package
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.decks import MAX_IMPORT_CARDS

# (command, the name /dev/zero is given) → the one-line problem.
ENDLESS = [
    (["decks", "validate"], "zero", "zero: the file is over 10 MB; decks are limited to 10 MB"),
    (["decks", "validate"], "zero.yaml", "zero.yaml: the file is over 10 MB; decks are limited to 10 MB"),
    (["decks", "validate"], "zero.csv", "zero.csv: the file is over 10 MB; decks are limited to 10 MB"),
    (["decks", "validate"], "zero.txt", "zero.txt: the file is over 10 MB; decks are limited to 10 MB"),
    (["decks", "add"], "zero.yaml", "zero.yaml: the file is over 10 MB; decks are limited to 10 MB"),
    (["decks", "add", "--link"], "zero.yaml", "zero.yaml: the file is over 10 MB; decks are limited to 10 MB"),
    (["decks", "import"], "zero.csv", "zero.csv: the file is over 10 MB; decks are limited to 10 MB"),
    (["decks", "import"], "zero.apkg", "zero.apkg: the file is empty"),
    (["progress", "import"], "zero.jsonl", "zero.jsonl:1: the line is longer than 1,048,576 characters"),
]

BIG_MEMORY = 600 * 1024 * 1024  # more than any bounded read needs; /dev/zero read whole would pass it in a second


def rows(count: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "answer"])
    writer.writerows([f"Question {n}?", f"Answer {n}"] for n in range(count))
    return out.getvalue()


def anki_text(count: int, notetype: str = "Basic", width: int = 10) -> str:
    return f"#separator:tab\n#notetype:{notetype}\n" + "".join(
        f"Front {n} {'f' * width}\tBack {n} {'b' * width}\n" for n in range(count))


def package(path, count: int, notetype=BASIC):
    return write_package(path, [Note(f"g{n}", notetype, (f"Front {n}?", f"Back {n}")) for n in range(count)])


LIMIT = MAX_IMPORT_CARDS
# (file name, how to write it) → what the one-line problem names; the file holds one card too many.
TOO_MANY = [
    ("big.csv", lambda p: p.write_text(rows(LIMIT + 1)), f"big.csv:{LIMIT + 2}: more than {LIMIT:,} rows"),
    ("big.txt", lambda p: p.write_text(anki_text(LIMIT + 1)), f"big.txt:{LIMIT + 3}: more than {LIMIT:,} notes"),
    ("big.txt", lambda p: p.write_text(anki_text(LIMIT // 2 + 1, "Basic (and reversed card)")),
     f"big.txt: more than {LIMIT:,} cards"),
    ("big.apkg", lambda p: package(p, LIMIT + 1), f"big.apkg: holds {LIMIT + 1:,} notes; quizzer imports at most"),
    ("big.apkg", lambda p: package(p, LIMIT // 2 + 1, REVERSED), f"big.apkg: holds {LIMIT + 2:,} cards"),
    ("wide.csv", lambda p: p.write_text(",".join(["question", "answer", *map(str, range(999))]) + "\nq,a\n"),
     "wide.csv:1: the header row has 1,001 columns; quizzer reads spreadsheets of at most 1,000"),
]

# (file name, content) within the card limit whose quizzer deck would pass 10 MB: named as the user's file.
TOO_BIG = [
    ("wide.txt", anki_text(1_500, "Basic (and reversed card)", width=3_000), "wide.txt: deck 'wide' is 18.2 MB"),
]


@pytest.fixture
def runner():
    return CliRunner()


def one_line(result) -> str:
    """The one problem reported (warnings aside), after checking the command failed with exit status 2."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.strip().splitlines() if ": warning: " not in line]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def bounded_memory():
    """An address-space cap for the test's process: an unbounded read of /dev/zero fails fast, not the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (used + BIG_MEMORY, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.parametrize("command, name, problem", ENDLESS, ids=[f"{' '.join(c)} {n}" for c, n, _ in ENDLESS])
def test_an_endless_file_is_read_with_a_bound(runner, tmp_path, quizzer_home, bounded_memory, command, name, problem):
    endless = tmp_path / name
    endless.symlink_to("/dev/zero")
    line = one_line(runner.invoke(app, [*command, str(endless)]))
    assert problem in line and line.startswith((str(tmp_path), f"quizzer: {tmp_path}"))
    assert not (quizzer_home / "decks").exists() or not any((quizzer_home / "decks").iterdir())


@pytest.mark.parametrize("name, write, problem", TOO_MANY, ids=[p.split(":")[0] + p.split(":")[-1][:20]
                                                               for _, _, p in TOO_MANY])
def test_too_many_rows_notes_or_cards_are_refused_naming_the_users_file(runner, tmp_path, quizzer_home, name, write,
                                                                        problem):
    path = tmp_path / name
    write(path)
    for command in (["decks", "validate"], ["decks", "import"]):
        line = one_line(runner.invoke(app, [*command, str(path)]))
        assert line.startswith(f"{tmp_path}/{problem}"), line
    assert not (quizzer_home / "decks").exists() or not any((quizzer_home / "decks").iterdir())


@pytest.mark.parametrize("name, content, problem", TOO_BIG, ids=[n for n, _, _ in TOO_BIG])
def test_a_deck_too_big_once_converted_names_the_users_file(runner, tmp_path, quizzer_home, name, content, problem):
    path = tmp_path / name
    path.write_text(content)
    line = one_line(runner.invoke(app, ["decks", "import", str(path)]))
    assert line.startswith(f"{tmp_path}/{problem}") and "decks are limited to 10 MB" in line
    assert not any((quizzer_home / "decks").glob("*.yaml"))
