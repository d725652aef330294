"""Nothing lost, ever: SIGKILL at random moments, two terminals at once, a full disk, damaged or unwritable files."""

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.scheduler import Scheduler
from quizzer.store import Store
from quizzer.store.sync import check

CARDS = 40
DECK = "id: drill\ntitle: Drill\ncards:\n" + "".join(
    f"  - id: q{n}\n    type: typed\n    question: Question {n}?\n    answer: answer{n}\n" for n in range(CARDS)
)
VERDICTS = ("correct ", "close ", "wrong ")


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "drill.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def start_study(home, seed):
    return subprocess.Popen(
        [sys.executable, "-m", "quizzer", "study", "drill", "--plain", "--new", "1000", "--seed", str(seed)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "QUIZZER_HOME": str(home)},
    )


def answers(rng, count):
    """Mostly wrong answers, so cards stay in learning and the session never runs dry."""
    return "".join(f"answer{rng.randrange(CARDS)}\n" for _ in range(count)).encode()


def read_until(proc, verdicts_wanted, timeout=20.0):
    """Read the child's output until `verdicts_wanted` verdict lines have appeared (or it ends)."""
    seen, deadline = b"", time.monotonic() + timeout
    while len(printed_verdicts(seen)) < verdicts_wanted and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.05)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
    return seen


def printed_verdicts(output: bytes):
    """(card id, verdict) for every complete verdict line, with the card from the question above it."""
    found, card = [], None
    for line in output.decode(errors="replace").split("\n")[:-1]:  # a last line without \n was cut short
        if line.startswith("Question "):
            card = "q" + line.split()[1].rstrip("?")
        elif line.startswith(VERDICTS) and " · back in " in line:
            found.append((card, line.split()[0]))
    return found


def saved_since(db_path, rowid):
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return db.execute("SELECT rowid, card, verdict FROM reviews WHERE rowid > ? ORDER BY rowid", (rowid,)).fetchall()
    finally:
        db.close()


def replay_disagreements(home):
    scheduler = Scheduler()
    with Store(home / "quizzer.db") as store:
        found = check(store, set(), lambda log: scheduler.replay(log, log[0][2]))
    assert not found.integrity
    return found.disagreeing


def test_sigkill_at_50_random_moments_keeps_every_printed_answer_exactly_once(home):
    rng = random.Random(7)
    last_rowid = 0
    for run in range(50):
        proc = start_study(home, run)
        proc.stdin.write(answers(rng, 30))
        proc.stdin.flush()  # stdin stays open: the session waits for more rather than ending
        seen = read_until(proc, rng.randrange(6))
        time.sleep(rng.uniform(0, 0.05))  # land anywhere: reading, judging, mid-commit, printing
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        printed = printed_verdicts(seen + rest)
        if not (home / "quizzer.db").exists():
            assert printed == []  # killed before the database was even created
            continue
        saved = saved_since(home / "quizzer.db", last_rowid)
        # Every answer whose verdict was printed is saved, in order and exactly once; at most the
        # one answer that was being printed when the kill came is saved without its line.
        assert [(card, verdict) for _, card, verdict in saved[: len(printed)]] == printed, f"run {run}"
        assert len(saved) - len(printed) in (0, 1), f"run {run}"
        last_rowid = saved[-1][0] if saved else last_rowid
    assert last_rowid > 50  # the kills did land after answers, not only during start-up
    assert replay_disagreements(home) == []


def test_two_terminals_answering_the_same_cards_at_once_lose_nothing(home):
    first, second = start_study(home, 1), start_study(home, 2)  # both race to create the database too
    rng = random.Random(3)
    outputs = []
    for proc in (first, second):
        proc.stdin.write(answers(rng, 60) + b"q\n")
        proc.stdin.close()
    for proc in (first, second):
        out, err = proc.stdout.read(), proc.stderr.read()  # a few KB each: no pipe fills up meanwhile
        assert proc.wait(timeout=60) == 0, err.decode()
        assert b"locked" not in out + err and b"Traceback" not in err
        outputs.append(printed_verdicts(out))
    assert all(len(printed) == 60 for printed in outputs)
    saved = saved_since(home / "quizzer.db", 0)
    assert len(saved) == 120
    assert sorted(card for _, card, _ in saved) == sorted(card for printed in outputs for card, _ in printed)
    assert replay_disagreements(home) == []


def test_a_study_session_keeps_every_answer_while_a_large_import_holds_the_lock(home, tmp_path):
    # 30,000 answers to 3,000 other cards: merging them keeps the database busy for a second or more.
    progress = tmp_path / "other.jsonl"
    with progress.open("w", encoding="utf-8") as out:
        for number in range(30_000):
            at = f"2026-01-{1 + number % 10:02d}T12:00:00.000000+00:00"
            out.write(json.dumps({
                "review_id": f"import-{number}", "deck": "other", "card": f"c{number // 10}", "reviewed_at": at,
                "rating": 3, "verdict": "correct", "response": "x", "duration_ms": 1000, "session": None,
                "phase": "review", "next_due": at,
            }) + "\n")
    # The study session gives up on the lock after 0.2 s instead of 10, so the import outlasts it.
    study = subprocess.Popen(
        [sys.executable, "-c", "import quizzer.store as s; s.BUSY_TIMEOUT_MS = 200; from quizzer.cli import main; main()",
         "study", "drill", "--plain", "--new", "1000", "--seed", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "QUIZZER_HOME": str(home)},
    )
    started = b""
    while b"Question" not in started:  # the first question is shown: the session has begun
        started += os.read(study.stdout.fileno(), 65536)
    importer = subprocess.Popen(
        [sys.executable, "-m", "quizzer", "progress", "import", str(progress)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "QUIZZER_HOME": str(home)},
    )
    deadline = time.monotonic() + 60
    while not write_lock_is_held(home / "quizzer.db"):  # answer while the import is merging
        assert importer.poll() is None and time.monotonic() < deadline, "the import never took the write lock"
        time.sleep(0.005)
    out, err = study.communicate(answers(random.Random(5), 20) + b"q\n", timeout=120)
    out = started + out
    imported, import_err = importer.communicate(timeout=120)
    assert importer.returncode == 0 and b"Imported 30,000 new answers" in imported, import_err.decode()
    assert study.returncode == 0, err.decode()
    assert len(printed_verdicts(out)) == 20
    assert [card for _, card, _ in saved_since(home / "quizzer.db", 0) if card.startswith("q")] == [
        card for card, _ in printed_verdicts(out)]
    assert replay_disagreements(home) == []


def write_lock_is_held(db_path) -> bool:
    if not db_path.exists():
        return False
    db = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        db.close()


def test_a_sigkill_while_a_first_import_adds_answers_straight_into_the_log_leaves_the_home_as_it_was(tmp_path):
    from datetime import timedelta

    from test_import_speed import T0, exported_line

    home = tmp_path / "home"
    with Store(home / "quizzer.db") as store:
        schema = store.db.execute("SELECT name, sql FROM sqlite_master").fetchall()
    progress = tmp_path / "first.jsonl"
    progress.write_text("".join(exported_line(review_id=f"r{n}", card=f"c{n % 4_000}", reviewed_at=(
        T0 + timedelta(minutes=n)).isoformat(timespec="microseconds")) for n in range(40_000)), encoding="utf-8")
    # AT_ONCE 100: all but the first 100 answers go straight into the log, holding the write lock meanwhile.
    importer = subprocess.Popen(
        [sys.executable, "-c", "import quizzer.store.sync as s; s.AT_ONCE = 100; from quizzer.cli import main; main()",
         "progress", "import", str(progress)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "QUIZZER_HOME": str(home)})
    deadline = time.monotonic() + 60
    while not write_lock_is_held(home / "quizzer.db"):
        assert importer.poll() is None and time.monotonic() < deadline, importer.stderr.read().decode()
        time.sleep(0.002)
    importer.send_signal(signal.SIGKILL)
    assert importer.wait(timeout=60) == -signal.SIGKILL
    with Store(home / "quizzer.db") as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert store.db.execute("SELECT name, sql FROM sqlite_master").fetchall() == schema
        assert [store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("reviews", "cards", "answer_days", "answer_cards", "answer_sessions")] == [0] * 5


@pytest.fixture
def disk_fills_after(monkeypatch):
    """Cap the database at its size on opening plus `pages` pages: SQLite then reports a full disk."""
    room = {}
    opened = Store.__init__

    def capped(self, path):
        opened(self, path)
        (count,) = self.db.execute("PRAGMA page_count").fetchone()
        self.db.execute(f"PRAGMA max_page_count = {count + room['pages']}")

    monkeypatch.setattr(Store, "__init__", capped)
    return lambda pages: room.update(pages=pages)


def test_a_full_disk_ends_the_session_cleanly_and_keeps_every_earlier_answer(home, disk_fills_after):
    disk_fills_after(40)  # a 4 KB page each: room for a few answers of 20 KB
    lines = "".join(f"answer{n} {'x' * 20_000}\n" for n in range(CARDS))
    result = CliRunner().invoke(app, ["study", "drill", "--seed", "1"], input=lines)
    assert result.exit_code == 2
    printed = printed_verdicts(result.stdout.encode())
    assert 0 < len(printed) < CARDS
    assert f"Cards studied: {len(printed)}" in result.stdout  # the summary is still shown
    assert result.stderr.count("\n") == 1 and "the disk is full" in result.stderr
    assert "Earlier answers are safe" in result.stderr and "Traceback" not in result.output
    saved = saved_since(home / "quizzer.db", 0)
    assert [(card, verdict) for _, card, verdict in saved] == printed


@pytest.fixture
def unwritable_folder(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # running as root, which ignores permissions
        folder = Path("/proc")  # a folder nobody may create files in
        if not folder.is_dir():
            pytest.skip("no folder that even root cannot write to")
    yield folder
    (tmp_path / "read-only").chmod(0o755)


COMMANDS = [["study"], ["decks"], ["history"], ["backup"], ["progress", "export", "-"], ["doctor"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_an_unwritable_data_folder_exits_2_with_a_clear_message(unwritable_folder, command):
    result = CliRunner().invoke(app, command, env={"QUIZZER_HOME": str(unwritable_folder)}, input="")
    assert result.exit_code == 2, result.output
    assert f"cannot write to {unwritable_folder / 'quizzer.db'}" in result.output and "QUIZZER_HOME" in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_data_folder_that_cannot_be_made_or_is_a_file_exits_2(tmp_path, command):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    inside_a_file = CliRunner().invoke(app, command, env={"QUIZZER_HOME": str(blocker / "sub")}, input="")
    assert inside_a_file.exit_code == 2 and "Not a directory" in inside_a_file.output
    is_a_file = CliRunner().invoke(app, command, env={"QUIZZER_HOME": str(blocker)}, input="")
    assert is_a_file.exit_code == 2 and "is a file, not a folder" in is_a_file.output
    assert "Traceback" not in inside_a_file.output + is_a_file.output
    assert blocker.read_text() == "x"


# Commands that write deck files or linked.json before they open the database.
DECK_WRITES = [["decks", "add", "{deck}"], ["decks", "add", "--link", "{deck}"], ["decks", "import", "{table}"]]


@pytest.mark.parametrize("command", DECK_WRITES, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("home", ["unwritable", "inside a file", "with a file for a decks folder"])
def test_installing_into_an_unwritable_data_folder_exits_2_with_one_line(request, tmp_path, command, home):
    deck, table = tmp_path / "mine.yaml", tmp_path / "mine.csv"
    deck.write_text("id: mine\ntitle: Mine\ncards:\n  - id: c\n    question: Q\n    answer: A\n")
    table.write_text("id,question,answer\nc,Q,A\n")
    if home == "unwritable":
        folder = request.getfixturevalue("unwritable_folder")
    elif home == "inside a file":
        (tmp_path / "file").write_text("x")
        folder = tmp_path / "file" / "home"
    else:
        if "--link" in command:
            pytest.skip("a link is written beside the decks folder, not in it")
        folder = tmp_path / "home"
        folder.mkdir()
        (folder / "decks").write_text("x")
    args = [arg.format(deck=deck, table=table) for arg in command]
    result = CliRunner().invoke(app, args, env={"QUIZZER_HOME": str(folder)})
    assert result.exit_code == 2 and not isinstance(result.exception, Exception), result.output
    assert len(result.stderr.splitlines()) == 1 and str(folder) in result.stderr
    assert "cannot" in result.stderr and "Traceback" not in result.output
    if home == "with a file for a decks folder":
        assert "a file of that name is in the way" in result.stderr and (folder / "decks").read_text() == "x"


def test_a_sigkill_during_decks_import_leaves_a_temporary_file_that_a_later_run_removes(home, tmp_path):
    table = tmp_path / "big.csv"
    table.write_text("id,question,answer\n" + "".join(f"q{n},Question {n}?,answer {n}\n" for n in range(2000)))
    # Killed at the worst moment: the temporary copy is written in full and is being checked.
    killed_while_checking = (
        "import os, signal, sys; from quizzer import library; "
        "library.check_deck = lambda path, **kw: os.kill(os.getpid(), signal.SIGKILL); "
        "from quizzer.cli import app; sys.argv = ['quizzer', 'decks', 'import', sys.argv[1]]; app()"
    )
    run = subprocess.run([sys.executable, "-c", killed_while_checking, str(table)], capture_output=True,
                         env={**os.environ, "QUIZZER_HOME": str(home)}, timeout=60)
    assert run.returncode == -signal.SIGKILL
    (left,) = (home / "decks").glob(".big.yaml.*.tmp")
    assert left.stat().st_size > 100_000

    assert CliRunner().invoke(app, ["decks"]).exit_code == 0
    assert left.exists()  # a minute's grace: it could be a writer that has not locked its file yet
    os.utime(left, (time.time() - 120, time.time() - 120))
    assert CliRunner().invoke(app, ["decks"]).exit_code == 0
    assert sorted(p.name for p in (home / "decks").iterdir()) == ["drill.yaml"]


# (file name, whether a sweep may delete it once it is old and unlocked)
TEMPORARY_NAMES = [
    (".mine.yaml.a1b2c3d4.tmp", True), (".mine.yml.zz_9yyyy.tmp", True), (".linked.json.k2j3h4g5.tmp", True),
    (".decks.cache.abcdefgh.tmp", True), (".notes.txt.abcdefgh.tmp", False), ("mine.yaml.abcdefgh.tmp", False),
    (".mine.yaml.removing", False), (".mine.yaml.abc.tmp", False), ("notes.tmp", False),
]


@pytest.mark.parametrize(("name", "ours"), TEMPORARY_NAMES, ids=[n for n, _ in TEMPORARY_NAMES])
def test_a_sweep_removes_only_our_own_stale_unlocked_temporary_files(tmp_path, name, ours):
    fcntl = pytest.importorskip("fcntl")
    from quizzer.library import sweep_temporaries

    path = tmp_path / name
    path.write_text("half a deck")
    now = path.stat().st_mtime
    assert sweep_temporaries(tmp_path, now=now + 59) == []  # too young
    with path.open("rb") as writer:  # a live writer holds its lock, however long it takes
        fcntl.flock(writer, fcntl.LOCK_EX)
        assert sweep_temporaries(tmp_path, now=now + 3600) == []
    assert sweep_temporaries(tmp_path, now=now + 60) == ([path] if ours else [])
    assert path.exists() is not ours


def test_a_sweep_never_takes_the_file_of_a_writer_still_at_work(tmp_path):
    pytest.importorskip("fcntl")
    from quizzer.library import sweep_temporaries, write_atomically

    swept = []

    def slow_check(temp):  # an hour into checking a big deck, another quizzer sweeps the folder
        swept.extend(sweep_temporaries(tmp_path, now=temp.stat().st_mtime + 3600))

    write_atomically(tmp_path / "mine.yaml", b"id: mine\n", check=slow_check)
    assert swept == [] and (tmp_path / "mine.yaml").read_bytes() == b"id: mine\n"


def test_a_database_that_refuses_writes_stops_study_before_the_first_question(home, monkeypatch):
    assert CliRunner().invoke(app, ["decks"]).exit_code == 0  # creates the database
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda path, **kw: connect(f"file:{path}?mode=ro", uri=True, **kw))
    listing = CliRunner().invoke(app, ["decks", "--json"])
    assert listing.exit_code == 0  # reading still works
    result = CliRunner().invoke(app, ["study", "drill"], input="answer0\n")
    assert result.exit_code == 2 and "cannot write to" in result.output and "readonly" in result.output
    assert "Question" not in result.output


def damage(path: Path, how: str) -> bytes:
    data = path.read_bytes()
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "header overwritten":
        data = b"\0" * 100 + data[100:]
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("how", ["truncated", "header overwritten"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_damaged_database_is_named_with_how_to_restore_and_left_untouched(home, how, command):
    runner = CliRunner()
    runner.invoke(app, ["study", "drill"], input="".join(f"answer{n}\n" for n in range(30)))
    with Store(home / "quizzer.db") as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damaged = damage(home / "quizzer.db", how)
    result = runner.invoke(app, command, input="")
    assert result.exit_code == 2, result.output
    message = result.output
    assert f"{home / 'quizzer.db'} is damaged" in message and "restore a copy from" in message
    assert "Traceback" not in message
    assert (home / "quizzer.db").read_bytes() == damaged


def test_a_database_from_a_newer_quizzer_is_refused_by_every_command(home):
    runner = CliRunner()
    runner.invoke(app, ["decks"])
    db = sqlite3.connect(home / "quizzer.db")
    db.execute("INSERT INTO migrations VALUES ('9999_from_the_future', 'later')")
    db.commit()
    db.close()
    before = (home / "quizzer.db").read_bytes()
    for command in COMMANDS:
        result = runner.invoke(app, command, input="answer0\n")
        assert result.exit_code == 2 and "newer quizzer" in result.output, command
    assert (home / "quizzer.db").read_bytes() == before


@pytest.mark.parametrize("free, says", [
    (0, "the disk is full (disk I/O error)"),
    (64 * 1024, "the disk is full (disk I/O error)"),
    (10 * 1024**3, "could not use"),  # room enough: an I/O error is not taken for a full disk
])
def test_a_full_disk_at_session_start_is_called_a_full_disk(home, monkeypatch, free, says):
    """On a nearly full disk SQLite fails to grow the WAL index at start-up with SQLITE_IOERR_SHMSIZE,
    "disk I/O error" (seen on a 200 KB tmpfs); statvfs tells whether the disk is the cause."""

    def no_room_for_the_index(self):
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"
        raise error

    monkeypatch.setattr(Store, "_use_wal", no_room_for_the_index)
    monkeypatch.setattr(os, "statvfs", lambda folder: os.statvfs_result((4096, 4096, 1000, 0, free // 4096,
                                                                           10, 0, 0, 0, 255)))
    result = CliRunner().invoke(app, ["study", "drill"], input="answer0\n")
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert says in result.output and "Traceback" not in result.output
