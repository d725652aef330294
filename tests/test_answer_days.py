"""The per-day sums `stats`, `history` and the daily limits read (`answer_days`, issue 14): after every
path that adds, voids or deletes an answer they equal a recomputation from the log, done here in Python,
and `stats --json` is byte-identical to the old computation from the log alone."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anki_builder import BASIC, Note, write_collection
from quizzer.cli import app
from quizzer.store import Store
from quizzer.store import stats as queries
from quizzer.store.sums import SUMS_FROM_LOG, fill_sums_from_log

DECK = """\
id: demo
title: Demo
cards:
  - {id: leader, type: typed, question: Who led the coup?, answer: Sanogo}
  - {id: deposed, type: typed, question: Who was deposed?, answer: Toure}
  - {id: year, type: typed, question: Which year?, answer: "2012"}
  - {id: flash, question: The capital?, answer: Bamako}
"""
OTHER = "id: other\ntitle: Other\ncards:\n  - {id: one, type: typed, question: One?, answer: one}\n"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
RIGHT_VERDICTS = {"correct", "close", "overridden"}


def expected_sums(db: sqlite3.Connection) -> dict:
    """Every table of sums worked out from the answers that count, in Python."""
    (anchor,) = db.execute("SELECT anchor FROM answer_days_anchor").fetchone()
    rows = db.execute("SELECT deck, card, reviewed_at, rating, verdict, duration_ms, phase, reschedules, session "
                      "FROM reviews WHERE rowid NOT IN (SELECT review_rowid FROM voided) ORDER BY reviewed_at, rowid")
    days: dict = {}
    cards: dict = {}
    sessions: dict = {}
    firsts = set()
    for deck, card, at, rating, verdict, duration, phase, reschedules, session in rows:
        day = at[:10] if at[11:16] >= anchor else (date.fromisoformat(at[:10]) - timedelta(days=1)).isoformat()
        right = verdict in RIGHT_VERDICTS or (verdict in ("self", "anki") and rating > 1)
        first = phase == "review" and reschedules == 1 and (deck, card, day) not in firsts
        if first:
            firsts.add((deck, card, day))
        sums = (1, right, duration, phase == "new", phase == "review", phase == "new" and reschedules == 1,
                phase == "review" and reschedules == 1, first, first and rating > 1)
        days[(day, deck)] = tuple(a + b for a, b in zip(days.get((day, deck), (0,) * 9), sums))
        cards[(deck, card)] = cards.get((deck, card), 0) + 1
        key = (b"\x00" if session is None else session, deck)
        sessions[key] = sessions.get(key, 0) + 1
    return {"answer_days": days, "answer_cards": cards, "answer_sessions": sessions}


def stored_sums(db: sqlite3.Connection) -> dict:
    tables = ("answer_days", "answer_cards", "answer_sessions")
    return {table: {row[:2]: row[2:] if table == "answer_days" else row[2]
                    for row in db.execute(f"SELECT * FROM {table}")} for table in tables}


class Home:
    """One learner's QUIZZER_HOME with its own clock, driven through the CLI."""

    def __init__(self, root: Path, name: str = "home"):
        self.home = root / name
        (self.home / "decks").mkdir(parents=True)
        (self.home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
        (self.home / "decks" / "other.yaml").write_text(OTHER, encoding="utf-8")
        self.at = T0

    def ok(self, *args, input=""):
        env = {"QUIZZER_HOME": str(self.home), "QUIZZER_NOW": self.at.isoformat()}
        result = CliRunner().invoke(app, list(args), input=input, env=env)
        assert result.exit_code == 0, result.output
        return result

    def study(self, *answers, deck="demo"):
        return self.ok("study", deck, "--plain", input="".join(a + "\n" for a in answers) + "q\n")

    def check(self) -> dict:
        """The cells (day, deck) → sums, after asserting that every table of sums equals the recomputation
        and that `doctor`'s comparison finds nothing."""
        with Store(self.home / "quizzer.db") as store:
            found, expected = stored_sums(store.db), expected_sums(store.db)
            assert store.sums_disagreeing() == []
        assert found == expected
        return found["answer_days"]


def later(home: Home, **delta) -> None:
    home.at += timedelta(**delta)


# Each step runs after the ones before it, and the cells must equal the log after each. Answers are
# typed at the prompts (flash cards take Enter, then a rating); "x" is wrong.
STEPS = [
    ("study three new cards", lambda h: h.study("sanogo", "x", "2012", "", "3")),
    ("study again ten minutes later", lambda h: (later(h, minutes=10), h.study("sanogo", "toure", "2012", "", "1"))),
    ("study in review on later days", lambda h: (later(h, days=3), h.study("x", "toure", "2012", "", "3", "sanogo"),
                                                  later(h, hours=2), h.study("sanogo", "toure", "2012", "", "3"))),
    ("another deck", lambda h: h.study("one", deck="other")),
    ("quiz without --reschedule", lambda h: (later(h, minutes=5),
                                             h.ok("quiz", "demo", "--plain", "--seed", "1", input="x\nx\nx\n"))),
    ("quiz with --reschedule", lambda h: (later(h, minutes=5), h.ok("quiz", "demo", "--plain", "--seed", "2",
                                                                     "--reschedule", input="x\nsanogo\nx\n"))),
    ("undo", lambda h: (h.ok("undo", "--yes"), h.ok("undo", "--yes"))),
    ("undo in a session", lambda h: (later(h, days=1), h.study("x", ":undo", "sanogo", "toure"))),
    ("suspend and unsuspend", lambda h: (h.ok("suspend", "demo/year"), h.ok("unsuspend", "demo/year"))),
    ("a day start that moves the cells", lambda h: ((h.home / "config.toml").write_text("day_starts_at = 7\n"),
                                                    later(h, days=1), h.study("sanogo", "toure", "2012"),
                                                    h.ok("stats", "--json"))),
    ("doctor --fix", lambda h: h.ok("doctor", "--fix")),
    ("removing a deck with its progress", lambda h: h.ok("decks", "remove", "other", "--purge", "--yes")),
]


def test_the_cells_equal_the_log_after_every_path_of_one_home(tmp_path):
    home = Home(tmp_path)
    for name, step in STEPS:
        step(home)
        assert home.check(), name


def test_a_time_zone_change_moves_the_cells_and_they_still_equal_the_log(tmp_path, monkeypatch):
    home = Home(tmp_path)
    for name, step in STEPS[:4]:
        step(home)
    anchors = set()
    try:
        for zone in ("Asia/Kathmandu", "America/St_Johns", "Australia/Eucla", "UTC"):  # +5:45, -3:30, +8:45
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            home.ok("stats", "--json")
            later(home, hours=7)
            home.study("sanogo", "x")
            assert home.check(), zone
            with Store(home.home / "quizzer.db") as store:
                anchors.add(store.db.execute("SELECT anchor FROM answer_days_anchor").fetchone()[0])
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
    assert anchors == {"22:15", "07:30", "19:15", "04:00"}  # 04:00 local in each zone, in UTC


def progress_export(home: Home, path: Path) -> Path:
    home.ok("progress", "export", str(path))
    return path


def imported(tmp_path) -> tuple[Home, Home]:
    """A home taken through the first eight steps, and a new one that imported its progress export."""
    source = Home(tmp_path, "source")
    for _, step in STEPS[:8]:
        step(source)
    target = Home(tmp_path, "target")
    target.at = source.at  # the same moment on the other machine: no answer comes from its future
    target.ok("progress", "import", str(progress_export(source, tmp_path / "progress.jsonl")))
    return source, target


def synced(tmp_path) -> tuple[Home, Home]:
    """Two homes that studied apart (one with an undo) and synced through a shared folder until both agree."""
    a, b = Home(tmp_path, "a"), Home(tmp_path, "b")
    (tmp_path / "shared").mkdir()
    for home in (a, b):
        home.ok("sync", str(tmp_path / "shared"))
    a.study("sanogo", "x", "2012")
    later(b, minutes=3)
    b.study("x", "toure", ":undo", "x")
    for home in (a, b, a):
        home.ok("sync")
    return a, b


def test_progress_import_and_sync_fill_the_cells_of_the_receiving_home(tmp_path):
    source, target = imported(tmp_path)
    assert target.check() == source.check()
    a, b = synced(tmp_path)
    assert a.check() == b.check() != {}


def test_an_anki_history_import_fills_the_cells(tmp_path):
    collection = tmp_path / "collection.anki2"
    write_collection(collection, [Note("near", BASIC, ("Near?", "yes")), Note("far", BASIC, ("Far?", "no"))],
                     {1: "Default"})
    at = int(T0.timestamp() * 1000)
    with sqlite3.connect(collection) as db:
        for offset, card, ease, interval in ((0, 1, 3, -600), (1, 2, 1, -600), (700_000, 1, 3, 1),
                                             (86_400_000 * 2, 1, 1, -600), (86_400_000 * 2 + 9, 2, 4, 4)):
            db.execute("INSERT INTO revlog VALUES (?, ?, 0, ?, ?, 0, 0, 2000, 0)", (at + offset, card, ease, interval))
    db.close()
    package = tmp_path / "two.apkg"
    with zipfile.ZipFile(package, "w") as archive:
        archive.write(collection, "collection.anki2")
    home = Home(tmp_path)
    later(home, days=3)  # answers from the future are left out
    home.ok("decks", "import", str(package))
    found = home.check()
    assert sum(sums[0] for sums in found.values()) == 5


# (table, damage, rows that differ, the first one's key as shown: a changed row counts once, by its key).
DAMAGE = [
    ("answer_days",
     "UPDATE answer_days SET first_passed = first_passed + 1 WHERE day = (SELECT MIN(day) FROM answer_days)",
     "1 row differs", "answer_days 2026-03-02 demo"),
    ("answer_cards", "DELETE FROM answer_cards WHERE card = 'leader'", "1 row differs", "answer_cards demo leader"),
    ("answer_cards", "UPDATE answer_cards SET answers = 7 WHERE card = 'year'", "1 row differs",
     "answer_cards demo year"),
    ("answer_sessions", "INSERT INTO answer_sessions VALUES ('ghost', 'demo', 3)", "1 row differs",
     "answer_sessions ghost demo"),
    # the four sessions of the first three steps, each of deck demo
    ("answer_sessions", "UPDATE answer_sessions SET answers = 9", "4 rows differ", "answer_sessions"),
]


@pytest.mark.parametrize("table, damage, rows, first", DAMAGE)
def test_doctor_reports_damaged_sums_in_one_line_and_fix_refills_them(tmp_path, table, damage, rows, first):
    home = Home(tmp_path)
    for _, step in STEPS[:3]:
        step(home)
    with Store(home.home / "quizzer.db") as store:
        store.db.execute(damage)
    env = {"QUIZZER_HOME": str(home.home), "QUIZZER_NOW": home.at.isoformat()}
    found = CliRunner().invoke(app, ["doctor"], env=env)
    assert found.exit_code == 1
    problem = [line for line in found.output.splitlines() if line.startswith("sums of answers")]
    assert len(problem) == 1 and problem[0].startswith(f"sums of answers: {rows} from the review log (first: {first}")
    shown = problem[0].split("(first: ")[1].removesuffix(")").split(" ")
    assert shown[0] == table and len(shown) == 3  # the table and a key of two columns
    assert "refilled the sums of answers (backup: " in home.ok("doctor", "--fix").output
    assert home.check()
    assert "sums of answers: all agree with the review log" in home.ok("doctor").output


# -- stats --json as the log alone gives it --------------------------------------------------------


def from_the_log_alone(monkeypatch) -> None:
    """Make every query read the log, as before the cells: the oracle for the byte-identical check."""
    monkeypatch.setattr(Store, "answer_days_from", lambda self, start: False)
    monkeypatch.setattr(queries, "_cells_from", lambda store, since: False)
    init = queries.Filter.__init__

    def log_only(self, store, scope):
        init(self, store, scope)
        self.whole_decks = False

    monkeypatch.setattr(queries.Filter, "__init__", log_only)


FLASH = "id: flash\ntitle: Flash\ncards:\n" + "".join(f"  - {{id: f{n}, question: Q{n}?, answer: A{n}}}\n"
                                                     for n in range(4))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Home:
    """A mixed history over 40 days from 20 February 2026: three decks, study and quiz answers (with and
    without --reschedule), undos, cards answered in review twice in a day, answers a minute either side
    of 04:00 UTC; the daylight-saving changes of New York (8 March) and Berlin (29 March) fall inside it."""
    home = Home(tmp_path_factory.mktemp("mixed"))
    (home.home / "decks" / "flash.yaml").write_text(FLASH, encoding="utf-8")
    start = datetime(2026, 2, 20, 3, 59, tzinfo=timezone.utc)
    for day in range(40):
        home.at = start + timedelta(days=day, seconds=day)
        ratings = [3, 3, 1, 4, 2][day % 5:] + [3, 3, 1, 4, 2][:day % 5]
        home.study(*[step for rating in ratings for step in ("", str(rating))], deck="flash")
        later(home, minutes=2)
        home.study(*["sanogo", "x", "2012", "toure"][day % 4:], "x", "sanogo")
        later(home, hours=8)
        quizzes = 0 if day % 3 else 2 if day % 2 else 1  # twice with --reschedule: cards in review again
        for _ in range(quizzes):
            later(home, hours=1)
            home.ok("quiz", "flash", "--types", "flash", "--plain", "--seed", str(day), "-n", "4",
                    *(["--reschedule"] if day % 2 else []), input="\n3\n\n1\n\n3\n\n4\n")
        if day % 7 == 0:
            home.ok("undo", "--yes")
        if day % 4 == 0:  # a session over two decks
            home.ok("study", "other", "flash", "--plain", input="one\n\n3\n\n3\nq\n")
        # In the hour a daylight-saving change moves a day start over: 02:30 and 22:30 UTC for Berlin
        # (04:00 and 00:00 local), 08:30 for New York (04:00 local).
        home.at = start + timedelta(days=day, hours=[-2, 4, 18][day % 3], minutes=31)
        home.ok("quiz", "flash", "--types", "flash", "--plain", "--seed", str(day), "-n", "2", "--reschedule",
                input="\n3\n\n1\n")
    return home


# (time zone, days from the history's end to the stats' now): clocks go forward in Berlin and New York
# within the history, back in Sydney (5 April) after it, so today's start is earlier, then later in UTC
# than that of the days before the change.
ZONES = [("UTC", 0), ("Europe/Berlin", 0), ("Asia/Kathmandu", 0), ("America/New_York", 0), ("Australia/Sydney", 10)]


@pytest.mark.parametrize("zone, days_later", ZONES)
@pytest.mark.parametrize("day_start", [4, 0])
def test_stats_json_is_byte_identical_to_the_log_alone(mixed, tmp_path, monkeypatch, zone, days_later, day_start):
    home = Home.__new__(Home)
    home.home, home.at = tmp_path / "copy", mixed.at
    shutil.copytree(mixed.home, home.home)
    (home.home / "config.toml").write_text(f"day_starts_at = {day_start}\n")
    try:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        now = (home.at + timedelta(days=days_later)).isoformat()
        wanted = [["stats", "--json", "--now", now], ["stats", "demo", "--json", "--now", now],
                  ["history", "--json"], ["history", "--deck", "demo", "--json"],
                  ["history", "--since", "2026-03-20", "--json"],
                  ["history", "--since", "2026-03-08", "--deck", "flash", "--json"]]
        ours = [home.ok(*args).stdout for args in wanted]
        sums = [sum(column) for column in zip(*home.check().values())]
        assert 0 < sums[7] < sums[6]  # some cards answered in review twice in one day: only the first counts
        from_the_log_alone(monkeypatch)
        assert [home.ok(*args).stdout for args in wanted] == ours
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
    data = json.loads(ours[0])
    assert data["answers"] > 150 and data["total"]["true_retention"]["30d"]["total"] > 10


@pytest.mark.parametrize("since", ["2026-02-19T04:00:00+00:00", "2026-02-20T04:00:00+00:00",
                                   "2026-02-20T03:45:00+00:00", "2026-03-10T23:00:00+00:00"])
def test_the_daily_limits_count_what_the_log_alone_counts(mixed, monkeypatch, since):
    """Answers to new cards and to cards in review since a study day's start, as study's limits read
    them: from the cells when that start is where they begin (the cells move there), else from the log."""
    moment = datetime.fromisoformat(since)
    with Store(mixed.home / "quizzer.db") as store:
        ours = store.new_cards_since(moment), store.review_answers_since(moment)
        (anchor,) = store.db.execute("SELECT anchor FROM answer_days_anchor").fetchone()
        assert anchor == since[11:16]
        monkeypatch.setattr(Store, "answer_days_from", lambda self, start: False)
        assert (store.new_cards_since(moment), store.review_answers_since(moment)) == ours
    assert ours[1] > 0 and (sum(ours[0].values()) > 0 or since > "2026-02-21")


# (card, reviewed_at, rating, phase, reschedules), inserted in this order: rowids do not follow time, two
# answers share a time (the first by rowid counts), cells meet at the anchor (04:00), one answer is voided.
AWKWARD_LOG = [
    ("a", "2026-03-03T05:00:00.000000+00:00", 1, "review", 1),
    ("a", "2026-03-03T04:30:00.000000+00:00", 3, "review", 1),
    ("a", "2026-03-03T04:30:00.000000+00:00", 1, "review", 1),
    ("a", "2026-03-03T03:59:59.999999+00:00", 4, "review", 1),
    ("a", "2026-03-03T04:00:00.000000+00:00", 2, "review", 0),
    ("b", "2026-03-04T03:00:00.000000+00:00", 1, "review", 1),  # voided below: the next one is b's first
    ("b", "2026-03-04T03:10:00.000000+00:00", 3, "review", 1),
    ("b", "2026-03-02T12:00:00.000000+00:00", 3, "new", 1),
    ("c", "2026-03-05T04:00:00.000000+00:00", 1, "learning", 1),
    ("c", "2026-03-05T04:00:00.000000+00:00", 2, "review", 1),
]


def insert_awkward_log(db) -> None:
    """AWKWARD_LOG's answers as `r0`, `r1`, … in the deck `demo`, in its order (the triggers keep the sums)."""
    for number, (card, at, rating, phase, reschedules) in enumerate(AWKWARD_LOG):
        db.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, "
                   "duration_ms, session, phase, due_after, reschedules) "
                   "VALUES (?, 'demo', ?, ?, ?, 'self', '', 1000, NULL, ?, ?, ?)",
                   (f"r{number}", card, at, rating, phase, at, reschedules))


def test_refilling_the_cells_from_an_awkward_log_equals_the_recomputation(tmp_path):
    with Store(tmp_path / "quizzer.db") as store:
        db = store.db
        insert_awkward_log(db)
        db.execute("INSERT INTO voided SELECT rowid FROM reviews WHERE review_id = 'r5'")
        db.execute("DELETE FROM answer_days")
        fill_sums_from_log(db)
        assert stored_sums(db) == expected_sums(db)
        assert stored_sums(db)["answer_days"][("2026-03-03", "demo")][7:] == (2, 2)  # first answers of a and b


def test_the_triggers_follow_each_answer_of_an_awkward_log_voided_unvoided_and_deleted_alone(tmp_path):
    """Each answer in turn, the others left in their cells: a first answer in review voided (undo) or deleted
    hands the count to the next one of its card and cell, or takes it away; unvoided, takes it back."""
    with Store(tmp_path / "quizzer.db") as store:
        db = store.db
        insert_awkward_log(db)
        rowids = [rowid for (rowid,) in db.execute("SELECT rowid FROM reviews ORDER BY rowid")]
        firsts = {}  # what the whole log counts, each answer voided in turn
        for rowid in rowids:
            db.execute("INSERT INTO voided VALUES (?)", (rowid,))
            assert stored_sums(db) == expected_sums(db), f"rowid {rowid} voided"
            firsts[rowid] = sum(sums[7] for sums in stored_sums(db)["answer_days"].values())
            db.execute("DELETE FROM voided WHERE review_rowid = ?", (rowid,))
            assert stored_sums(db) == expected_sums(db), f"rowid {rowid} unvoided"
        for rowid in rowids:
            db.execute("DELETE FROM reviews WHERE rowid = ?", (rowid,))
            assert stored_sums(db) == expected_sums(db), f"rowid {rowid} deleted"
    # Four first answers: a's in 03-02 (03-03 03:59:59, before the anchor) and in 03-03 (04:30, the lower
    # rowid), b's in 03-03 (03-04 03:00), c's in 03-05. Voided, a's or b's first in 03-03 hands the count to
    # the next of its cell; a's in 03-02 and c's are alone in theirs: one first answer less.
    assert [firsts[rowid] for rowid in rowids] == [4, 4, 4, 3, 4, 4, 4, 4, 4, 3]


def test_refilling_the_cells_sorts_the_log_once(tmp_path):
    """The refill reads the log in the card index's order: its one sort is the GROUP BY of the cells (a
    window partitioned by cell sorted the whole log a second time, and doubled `progress import`'s refill)."""
    with Store(tmp_path / "quizzer.db") as store:
        plan = [row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {SUMS_FROM_LOG['answer_days']}")]
    assert [step for step in plan if "TEMP B-TREE" in step] == ["USE TEMP B-TREE FOR GROUP BY"]
    assert any(step.startswith("SCAN r USING INDEX reviews_by_card") for step in plan)


def test_refilling_the_sessions_reads_the_session_index_without_sorting_the_log(tmp_path):
    """`answer_sessions` is grouped in the order of the session index (session, deck): only the answers
    counted under x'00' are sorted (by deck), never the whole log (1.4 s of a 1,000,000-answer import)."""
    with Store(tmp_path / "quizzer.db") as store:
        plan = [row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {SUMS_FROM_LOG['answer_sessions']}")]
    assert plan.count("USE TEMP B-TREE FOR GROUP BY") == 1
    assert plan.index("USE TEMP B-TREE FOR GROUP BY") > plan.index("UNION ALL")
    assert "SEARCH reviews USING COVERING INDEX reviews_by_session (session>?)" in plan


def test_refilling_the_sessions_counts_no_session_and_the_blob_x00_as_one(tmp_path):
    """What the triggers add to under COALESCE(session, x'00'), the refill groups as one session per deck:
    answers without a session and one saved by other means under the blob x'00' itself."""
    with Store(tmp_path / "quizzer.db") as store:
        db = store.db
        for number, (deck, session) in enumerate([("demo", None), ("demo", b"\x00"), ("demo", "s1"), ("other", "s1"),
                                                  ("other", None), ("demo", "s1"), ("demo", "s2")]):
            db.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, "
                       "duration_ms, session, phase, due_after) VALUES (?, ?, 'a', ?, 3, 'self', '', 1000, ?, "
                       "'new', '2026-03-09T12:00:00.000000+00:00')", (f"r{number}", deck, T0.isoformat(), session))
        kept = stored_sums(db)["answer_sessions"]
        fill_sums_from_log(db, ["answer_sessions"])
        refilled = stored_sums(db)["answer_sessions"]
    assert refilled == kept == {(b"\x00", "demo"): 2, (b"\x00", "other"): 1, ("s1", "demo"): 2, ("s1", "other"): 1,
                                ("s2", "demo"): 1}


def test_an_0009_database_upgrades_to_the_session_and_deck_index_with_the_same_sums(tmp_path, monkeypatch):
    import quizzer.store
    from quizzer.store.migrations import MIGRATIONS

    home = Home(tmp_path)
    monkeypatch.setattr(quizzer.store, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < "0010"])
    for name, step in STEPS[:4]:
        if name != "study in review on later days":  # two answers in one frozen instant: see test_one_answer.py
            step(home)
    path = home.home / "quizzer.db"
    index = "SELECT sql FROM sqlite_master WHERE name = 'reviews_by_session'"
    with sqlite3.connect(path) as old:
        assert old.execute(index).fetchone() == ("CREATE INDEX reviews_by_session ON reviews (session)",)
        before = old.execute("SELECT * FROM answer_sessions").fetchall()
    monkeypatch.undo()

    assert "sums of answers: all agree with the review log" in home.ok("doctor").output  # upgrades, then checks
    with Store(path) as store:
        assert store.db.execute(index).fetchone() == ("CREATE INDEX reviews_by_session ON reviews (session, deck)",)
        assert store.db.execute("SELECT * FROM answer_sessions").fetchall() == before
        fill_sums_from_log(store.db, ["answer_sessions"])
        assert store.db.execute("SELECT * FROM answer_sessions").fetchall() == before
    assert len(before) == 3 and home.check()  # two sessions of demo, one of other
    assert list((home.home / "backups").glob("quizzer-*-before-0010_*.db"))
