"""`quizzer sync`: two and three homes sharing a folder end with the same history and schedule, whatever
order and in whatever pieces the sync tool delivers the files (issue 16)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.cli.common import replay
from quizzer.store import Store
from quizzer import sync as folder_sync

DECK = """\
id: demo
title: Demo
cards:
  - id: leader
    type: typed
    question: Who led the coup?
    answer: Sanogo
  - id: deposed
    type: typed
    question: Who was deposed?
    answer: Toure
  - id: year
    type: typed
    question: Which year?
    answer: "2012"
"""
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


class Home:
    """One machine: its own QUIZZER_HOME, its own clock, and its own copy of the synced folder."""

    def __init__(self, root: Path, name: str, folder: Path, skew: timedelta = timedelta()):
        self.home, self.folder, self.skew = root / name, folder, skew
        (self.home / "decks").mkdir(parents=True)
        (self.home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
        self.at = T0

    def run(self, *args, input=""):
        env = {"QUIZZER_HOME": str(self.home), "QUIZZER_NOW": (self.at + self.skew).isoformat()}
        return CliRunner().invoke(app, list(args), input=input, env=env)

    def ok(self, *args, input=""):
        result = self.run(*args, input=input)
        assert result.exit_code == 0, result.output
        return result

    def study(self, *answers):
        return self.ok("study", "demo", "--plain", input="".join(a + "\n" for a in answers) + "q\n")

    def views(self):
        return (json.loads(self.ok("history", "--reviews", "--voided", "--json").output),
                json.loads(self.ok("cards", "--json").output))

    @property
    def device(self) -> str:
        return (self.home / "device-id").read_text().strip()


def homes(tmp_path, count, *, shared=True, skews=()):
    folders = [tmp_path / "shared"] * count if shared else [tmp_path / f"folder{i}" for i in range(count)]
    made = []
    for i in range(count):
        folders[i].mkdir(exist_ok=True)
        made.append(Home(tmp_path, "abc"[i], folders[i], skews[i] if i < len(skews) else timedelta()))
        made[-1].ok("sync", str(folders[i]))
    return made


def own_lines(home: Home) -> list[dict]:
    return [json.loads(line) for f in sorted((home.folder / "devices" / home.device).iterdir())
            for line in f.read_text().splitlines()]


def deliver(source: Home, target: Home, upto: int | None = None):
    """The sync tool copies `source`'s files into `target`'s folder, the first `upto` bytes of each."""
    mine = source.folder / "devices" / source.device
    there = target.folder / "devices" / source.device
    there.mkdir(parents=True, exist_ok=True)
    for f in mine.iterdir():
        data = f.read_bytes()
        (there / f.name).write_bytes(data if upto is None else data[:upto])


def test_interleaved_sessions_on_two_homes_end_identical_and_nothing_is_pushed_back(tmp_path):
    a, b = homes(tmp_path, 2)
    a.study("sanogo", "wrong")
    b.at += timedelta(minutes=5)
    b.study("toure")  # pulls a's answers first: a's cards are not new any more on b
    a.at += timedelta(minutes=10)
    a.study("x", ":undo", "sanogo")
    b.at += timedelta(minutes=20)
    b.ok("suspend", "demo/year")  # not a session: pushed by the next sync
    for home in (b, a):
        home.ok("sync")
    assert a.views() == b.views()
    history, cards = a.views()
    assert len(history) == 5 and sum(r["voided"] for r in history) == 1
    assert [c["card"] for c in cards if c["suspended"]] == ["year"]
    # Each device's files hold only what it did itself: pulled answers are never pushed back.
    assert {r["review_id"] for r in own_lines(a) if "review_id" in r} | \
        {r["review_id"] for r in own_lines(b) if "review_id" in r} == {r["review_id"] for r in history}
    assert len([r for r in own_lines(a) + own_lines(b) if "review_id" in r]) == 5


def test_three_homes_with_delayed_delivery_in_pieces_conflict_copies_and_temporary_files(tmp_path):
    homes3 = a, b, c = homes(tmp_path, 3, shared=False)
    for i, home in enumerate(homes3):
        home.at += timedelta(minutes=i)
        home.study("sanogo", "wrong", "2012")
    cut = len((a.folder / "devices" / a.device / "000001.jsonl").read_bytes()) // 2
    deliver(a, b, upto=cut)  # b sees a's file half copied: its last line cut off mid-write
    first = b.ok("sync").output
    assert "pulled 1 new" in first and "skipped" not in first
    deliver(a, b)  # the rest arrives: read from where it stopped, nothing twice
    assert "pulled 2 new" in b.ok("sync").output
    theirs = c.folder / "devices" / b.device
    deliver(b, c)
    shutil.copy(theirs / "000001.jsonl", theirs / "000001 (conflicted copy 2026-03-02).jsonl")
    shutil.copy(theirs / "000001.jsonl", theirs / "000001.sync-conflict-20260302-120000-ABCDEFG.jsonl")
    (theirs / ".syncthing.000001.jsonl.tmp").write_text("not json\n")
    (theirs / "~$000001.jsonl").write_text("not json\n")
    sync = c.ok("sync")
    assert "skipped" not in sync.output  # the temporary files are not read
    for source in homes3:
        for target in homes3:
            if source is not target:
                deliver(source, target)
    for home in homes3:
        home.ok("sync")
    assert a.views() == b.views() == c.views()
    assert len(a.views()[0]) == 9


def test_a_clock_an_hour_behind_and_the_same_card_answered_offline_on_both(tmp_path):
    a, b = homes(tmp_path, 2, shared=False, skews=(timedelta(), timedelta(hours=-1)))
    a.at += timedelta(minutes=30)
    a.study("sanogo")  # leader, at 12:30 by a's clock
    b.at += timedelta(minutes=40)
    b.study("wrong")  # leader too, offline, at 11:40 by b's clock: an hour behind
    deliver(a, b)
    deliver(b, a)
    a.ok("sync")
    b.ok("sync")
    assert a.views() == b.views()
    history, cards = a.views()
    leader = [(r["reviewed_at"], r["verdict"]) for r in history if r["card"] == "leader"]
    # Replayed in the order of the times the answers carry: b's earlier by its clock, then a's.
    assert sorted(leader) == [("2026-03-02T11:40:00.000000+00:00", "wrong"),
                              ("2026-03-02T12:30:00.000000+00:00", "correct")]
    card = next(c for c in cards if c["card"] == "leader")
    assert (card["last_verdict"], card["reviews"]) == ("correct", 2)


def test_answers_at_the_same_instant_replay_in_the_same_order_everywhere(tmp_path):
    """Two devices answering one card at the very same microsecond: ordered by review id on both."""
    a, b = homes(tmp_path, 2, shared=False)
    a.study("sanogo")
    b.study("wrong")
    deliver(a, b)
    deliver(b, a)
    a.ok("sync")
    b.ok("sync")
    assert a.views()[1] == b.views()[1]


def test_a_device_folder_that_disappears_keeps_its_answers_and_a_file_replaced_by_a_shorter_one_is_read_again(
        tmp_path):
    a, b = homes(tmp_path, 2, shared=False)
    a.study("sanogo", "toure", "2012")
    deliver(a, b)
    b.ok("sync")
    shutil.rmtree(b.folder / "devices" / a.device)
    b.ok("sync")
    assert len(b.views()[0]) == 3  # its answers stay
    # The folder comes back with a shorter file (an older copy, restored): read from its start again.
    a.at += timedelta(minutes=30)
    first = (a.folder / "devices" / a.device / "000001.jsonl").read_text().splitlines(keepends=True)[0]
    a.study("wrong")
    newest = (a.folder / "devices" / a.device / "000001.jsonl").read_text().splitlines(keepends=True)[-1]
    (b.folder / "devices" / a.device).mkdir()
    (b.folder / "devices" / a.device / "000001.jsonl").write_text(first + newest)
    assert "pulled 1 new" in b.ok("sync").output
    assert len(b.views()[0]) == 4


def test_a_missing_or_unwritable_folder_is_one_line_and_studying_goes_on(tmp_path):
    (a,) = homes(tmp_path, 1)
    shutil.rmtree(a.folder)
    studied = a.study("sanogo")
    warnings = [line for line in studied.output.splitlines() if line.startswith("quizzer:")]
    assert warnings == [f"quizzer: sync folder {a.folder} is not there; studying with this device's progress only"]
    assert len(a.views()[0]) == 1
    a.folder.mkdir()
    a.ok("sync")  # the answer saved while the folder was away is pushed now
    assert [r["card"] for r in own_lines(a)] == ["leader"]


def test_a_push_cut_short_is_written_again_identically_and_an_unpushed_answer_is_pushed_next_time(tmp_path):
    a, b = homes(tmp_path, 2)
    a.study("sanogo")
    segment = a.folder / "devices" / a.device / "000001.jsonl"
    whole = segment.read_bytes()
    # A push killed after appending, before sync.json was saved: the bytes are there, the mark is not.
    state = json.loads((a.home / "sync.json").read_text())
    state["pushed"] = {"reviews": 0, "events": 0, "segment": 1, "size": 0}
    (a.home / "sync.json").write_text(json.dumps(state))
    with segment.open("ab") as out:
        out.write(b'{"review_id": "cut')
    a.ok("sync")
    assert segment.read_bytes() == whole
    b.ok("sync")
    assert a.views() == b.views()


def test_sync_off_stops_and_status_names_devices_and_skipped_lines(tmp_path):
    a, b = homes(tmp_path, 2)
    a.study("sanogo")
    bad = a.folder / "devices" / "elsewhere" / "000001.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text("[]\n")
    pulled = b.ok("sync")
    assert f"skipped {bad}:1: each line must be one review" in pulled.output
    status = json.loads(b.ok("sync", "--status", "--json").output)
    assert status["device"] == b.device and status["folder"] == str(a.folder)
    assert [(d["device"], d["lines"]) for d in status["devices"]] == sorted([(a.device, 1), ("elsewhere", 1)])
    assert status["problem_count"] == 1 and status["problems"][0].startswith(f"{bad}:1: ")
    assert "skipped" not in b.ok("sync").output  # reported once, when read
    b.ok("sync", "--off")
    assert b.run("sync").exit_code == 2
    a.at += timedelta(minutes=5)
    a.study("wrong")
    b.study()
    assert len(b.views()[0]) == 1  # no longer pulls
    assert (a.folder / "devices" / b.device).is_dir()  # its files stay
    b.study("toure")
    b.ok("sync", str(b.folder))  # on again: appends what it did meanwhile, rewrites nothing
    (b.home / "sync.json").write_text("{damaged")
    b.ok("sync", str(b.folder))  # its marks lost: its whole log again, in a new file
    assert sorted(f.name for f in (b.folder / "devices" / b.device).iterdir()) == ["000001.jsonl", "000002.jsonl"]
    first, second = sorted((b.folder / "devices" / b.device).iterdir())
    assert len(first.read_text().splitlines()) == 1 and len(second.read_text().splitlines()) == 3
    a.ok("sync")
    assert a.views() == b.views()


# -- convergence over random delivery orders --------------------------------------------------------


@pytest.fixture(scope="module")
def three_logs(tmp_path_factory):
    """Three devices' files, each studied offline with undo, suspend and bury (two of them answering the same
    card at the same instant, so only the review id orders those answers): the pieces to deliver."""
    root = tmp_path_factory.mktemp("logs")
    made = []
    for i, answers in enumerate((("sanogo", "wrong", ":undo", "toure"), ("x", ":bury", "2012"),
                                 ("sanogo", ":suspend", "y"))):
        folder = root / f"folder{i}"
        folder.mkdir()
        home = Home(root, "abc"[i], folder, timedelta(minutes=7 * (i // 2)))  # a and b at the same instant
        home.ok("sync", str(folder))
        home.study(*answers)
        made.append((folder / "devices" / home.device / "000001.jsonl").read_bytes())
    return made


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deliveries=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 2000)), max_size=12))
def test_any_delivery_order_in_any_pieces_converges_to_the_same_log_and_schedule(tmp_path_factory, three_logs,
                                                                                   deliveries):
    def receive(steps) -> tuple:
        root = tmp_path_factory.mktemp("receiver")
        home, folder = root / "home", root / "folder"
        folder.mkdir()
        folder_sync.enable(home, folder)
        delivered, replayed = [0, 0, 0], replay()
        with Store(home / "quizzer.db") as store:
            for device, upto in steps:
                delivered[device] = max(delivered[device], upto)
                target = folder / "devices" / f"device{device}" / "000001.jsonl"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(three_logs[device][:delivered[device]])
                folder_sync.sync(store, home, replayed, T0 + timedelta(hours=1))
            return (store.db.execute("SELECT review_id, rating, reviewed_at FROM reviews ORDER BY review_id").fetchall(),
                    store.db.execute("SELECT event_id FROM events ORDER BY event_id").fetchall(),
                    store.db.execute("SELECT * FROM cards ORDER BY deck, card").fetchall(),
                    store.db.execute("SELECT * FROM card_flags ORDER BY deck, card").fetchall())

    everything = [(d, len(log)) for d, log in enumerate(three_logs)]
    assert receive(deliveries + everything) == receive(everything)


# -- SIGKILL in the middle ---------------------------------------------------------------------------

KILL_AT = {
    # the push has appended its lines, sync.json does not say so yet
    "push": "import quizzer.sync as s; s.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)",
    # the pull has merged a file into the database, sync.json does not say so yet
    "pull": "import quizzer.sync as s; merge = s.import_reviews; "
            "s.import_reviews = lambda *a, **k: (merge(*a, **k), os.kill(os.getpid(), signal.SIGKILL))",
}


@pytest.mark.parametrize("moment", sorted(KILL_AT))
def test_sigkill_during_a_push_or_a_pull_loses_nothing_and_duplicates_nothing(tmp_path, moment):
    a, b = homes(tmp_path, 2)
    a.study("sanogo", "wrong", "2012")
    a.at += timedelta(minutes=5)
    a.ok("suspend", "demo/year")
    killed = a if moment == "push" else b
    code = (f"import os, signal, sys; {KILL_AT[moment]}; from quizzer.cli import app; "
            "sys.argv = ['quizzer', 'sync']; app()")
    env = {**os.environ, "QUIZZER_HOME": str(killed.home), "QUIZZER_NOW": killed.at.isoformat()}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    for home in (a, b, a, b):
        home.ok("sync")
    assert a.views() == b.views()
    history, cards = b.views()
    assert len(history) == 3 and len({r["review_id"] for r in history}) == 3
    assert [c["card"] for c in cards if c["suspended"]] == ["year"]
    lines = own_lines(a)
    assert len(lines) == 4 and len({json.dumps(line) for line in lines}) == 4  # no line twice in the file


@pytest.mark.parametrize("columns", [60, 100])
def test_sync_status_fits_the_terminal_with_nothing_cut(tmp_path, columns):
    from terminal_screens import run_screens

    a, b = homes(tmp_path, 2)
    a.study("sanogo")
    b.ok("sync")
    env = {**os.environ, "QUIZZER_HOME": str(b.home), "QUIZZER_NOW": b.at.isoformat(), "TERM": "xterm"}
    shown = run_screens([("status", ["sync", "--status"]), ("sync", ["sync"])], env, columns, rows=30)
    lines = [line for line in shown["status"].replace("\r", "").splitlines() if line]
    assert lines[0] == f"This device  {b.device}" and f"Device       {a.device}" in lines
    assert "  1 line read, the latest from 2026-03-02 12:00" in lines
    assert all(len(line) <= columns for line in lines if str(tmp_path) not in line)  # a path stays whole
    # A message longer than the terminal is wrapped between words, never cut inside one.
    synced = [line for line in shown["sync"].replace("\r", "").splitlines() if line]
    assert " ".join(synced).endswith("pulled 0 new answers and events.")
    assert all(len(line) <= columns for line in synced if str(tmp_path) not in line), synced
    assert len(next(line for line in synced if "new answers" in line)) <= columns, synced  # not after the path


def test_a_quiz_pulls_before_choosing_and_pushes_its_answers_and_record(tmp_path):
    a, b = homes(tmp_path, 2)
    a.study("sanogo", "toure", "2012")
    b.ok("suspend", "demo/year")  # pushed by b's next sync: the quiz's
    unseen = b.run("quiz", "demo", "--select", "unseen", "--plain")
    assert unseen.exit_code == 2 and "no cards to quiz on in demo" in unseen.output  # a's answers were pulled
    b.ok("quiz", "demo", "-n", "3", "--plain", "--seed", "1", input="x\nx\nx\n")
    a.ok("sync")
    assert a.views() == b.views()
    history, cards = a.views()
    assert sum(r["kind"] == "quiz" for r in history) >= 2  # b's quiz answers reached a
    assert [c["card"] for c in cards if c["suspended"]] == ["year"]
    assert json.loads(a.ok("scores", "--json").output) == json.loads(b.ok("scores", "--json").output)
