"""The progress store: one transaction per answer, migrations, rebuilding state from the log."""

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizzer.model import AnswerKind, CardState, Event, EventKind, Outcome, Phase, Rating, Review
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store, StoreError, log
from quizzer.store.migrations import MIGRATIONS

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def review(review_id, card="c1", at=T0, rating=Rating.GOOD, verdict=Outcome.CORRECT, deck="d"):
    return Review(review_id, deck, card, at, rating, verdict, "resp", 1200, "s1")


def record(store, scheduler, state, item, phase=None, accept=None):
    after = scheduler.review(state, item.rating, item.reviewed_at, item.review_id)
    store.record(item, phase or state.phase, after, accept=accept)
    return after


def applied(store) -> list[str]:
    return [name for (name,) in store.db.execute("SELECT name FROM migrations ORDER BY name")]


def test_a_blank_database_gets_every_migration(tmp_path):
    with Store(tmp_path / "q.db") as store:
        assert applied(store) == [name for name, _ in MIGRATIONS]
        tables = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"reviews", "cards", "sessions", "accepted", "migrations"} <= tables
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not (tmp_path / "backups").exists()  # nothing to back up before the first migration


def test_an_old_database_is_upgraded_keeping_its_reviews_after_a_backup(tmp_path):
    path = tmp_path / "q.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    name, sql = MIGRATIONS[0]
    old.executescript(sql)
    old.execute("INSERT INTO migrations VALUES (?, ?)", (name, "2026-01-01T00:00:00+00:00"))
    old.execute(
        "INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after) "
        "VALUES ('r1', 'd', 'c', '2026-01-01T00:00:00.000000+00:00', 3, 'correct', 'x', 5, 's',"
        " 'new', '2026-01-02T00:00:00.000000+00:00')"
    )
    old.commit()
    old.close()
    with Store(path) as store:
        assert applied(store) == [name for name, _ in MIGRATIONS]
        assert [r["review_id"] for r in store.reviews()] == ["r1"]
        record(store, Scheduler(), new_state(T0), review("r2", card="c"), accept="Keita")
        assert store.accepted() == [("d", "c", "Keita")]
    backups = list((tmp_path / "backups").glob("quizzer-*-before-0002_accepted_responses.db"))
    assert len(backups) == 1
    saved = sqlite3.connect(backups[0])
    assert [r[0] for r in saved.execute("SELECT name FROM migrations")] == [name]


def at_the_first_migration(path):
    """A database made by the first release: only the first migration applied, so opening it upgrades it."""
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    old.executescript(MIGRATIONS[0][1])
    old.execute("INSERT INTO migrations VALUES (?, 'then')", (MIGRATIONS[0][0],))
    old.commit()
    old.close()


def test_a_migration_backup_is_named_by_the_utc_time_so_names_sort_in_time_order(tmp_path, monkeypatch):
    import re
    import time

    path = tmp_path / "q.db"
    at_the_first_migration(path)
    monkeypatch.setenv("TZ", "America/New_York")  # the suite runs in UTC, where local time would pass
    time.tzset()
    try:
        before = datetime.now(timezone.utc)
        Store(path).close()
        after = datetime.now(timezone.utc)
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
    names = sorted(p.name for p in (tmp_path / "backups").iterdir())
    stamps = [re.fullmatch(r"quizzer-(\d{8}T\d{12})-before-\w+\.db", name) for name in names]
    assert names and all(stamps), names
    for stamp in stamps:
        made = datetime.strptime(stamp[1], "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc)
        assert before - timedelta(seconds=1) <= made <= after + timedelta(seconds=1)


def test_only_the_last_three_migration_backups_are_kept(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20200101", "20200102", "20200103", "20200104"):
        (folder / f"quizzer-{stamp}-before-x.db").write_text("")
    path = tmp_path / "q.db"
    at_the_first_migration(path)
    Store(path).close()
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 3 and "quizzer-20200101-before-x.db" not in kept


def test_each_answer_is_committed_before_record_returns(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        record(store, scheduler, new_state(T0), review("r1"))
        # A second connection (another process, or the next run after a crash) sees it at once.
        other = sqlite3.connect(tmp_path / "q.db")
        assert other.execute("SELECT review_id, phase FROM reviews").fetchall() == [("r1", "new")]
        assert other.execute("SELECT phase FROM cards").fetchall() == [("learning",)]


def test_a_failed_answer_leaves_no_half_write(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        record(store, scheduler, new_state(T0), review("r1", card="a"))
        with pytest.raises(StoreError):  # the second statement fails: the first must be rolled back
            store.transaction(lambda: (store.db.execute("UPDATE cards SET phase = 'x'"),
                                        store.db.execute("SELECT * FROM nowhere")))
        assert store.db.execute("SELECT phase FROM cards").fetchall() == [("learning",)]


def test_record_is_one_transaction_a_failing_state_write_keeps_no_review(tmp_path, monkeypatch):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        def full_disk(*args):
            raise sqlite3.OperationalError("database or disk is full")

        # The review row is written first; the state write after it fails as a full disk would.
        monkeypatch.setattr(log, "put_state", full_disk)
        with pytest.raises(StoreError) as raised:
            record(store, scheduler, new_state(T0), review("r1"))
        assert str(raised.value) == FULL.format(path=tmp_path / "q.db", exc="database or disk is full")
        assert store.db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)
        assert not store.db.in_transaction


def test_states_can_be_rebuilt_from_the_review_log(tmp_path):
    scheduler = Scheduler(fuzz=True)
    with Store(tmp_path / "q.db") as store:
        state, at = new_state(T0), T0
        for number, rating in enumerate([Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD, Rating.EASY]):
            state = record(store, scheduler, state, review(f"r{number}", at=at, rating=rating))
            at = state.due + timedelta(hours=1)
        live = store.states(["d"])
        store.db.execute("UPDATE cards SET stability = 99, phase = 'review'")
        assert store.rebuild_states(lambda log: scheduler.replay(log, T0)) == 1
        assert store.states(["d"]) == live
        # Rebuilding chosen cards: a state with no answer behind it goes, the others are left alone.
        store.db.execute("INSERT INTO cards SELECT deck, 'ghost', phase, due, step, stability, difficulty, "
                         "last_review FROM cards")
        store.db.execute("UPDATE cards SET stability = 99 WHERE card = 'c1'")
        assert store.rebuild_states(lambda log: scheduler.replay(log, T0), [("d", "ghost")]) == 0
        assert set(store.states(["d"])) == {("d", "c1")} and store.states(["d"])[("d", "c1")].stability == 99


def test_an_answer_that_raced_another_terminal_saves_the_replay_of_the_whole_log(tmp_path):
    scheduler = Scheduler(fuzz=False)
    replayed = []
    replay = lambda log: replayed.append(log) or scheduler.replay(log, T0)  # noqa: E731
    with Store(tmp_path / "q.db") as store:
        record(store, scheduler, new_state(T0), review("other", deck="e"))  # not replayed: not the card answered
        # The other terminal answered first (Easy); this one scheduled Good from the card as new.
        record(store, scheduler, new_state(T0), review("r1", rating=Rating.EASY))
        late = review("r2", at=T0 + timedelta(minutes=1))
        stale = scheduler.review(new_state(T0), Rating.GOOD, late.reviewed_at, "r2")
        saved = store.record(late, Phase.NEW, stale, based_on=new_state(T0), replay=replay)
        expected = scheduler.replay([("r1", Rating.EASY, T0), ("r2", Rating.GOOD, late.reviewed_at)], T0)
        assert saved == expected and expected.due > stale.due + timedelta(days=1)
        assert store.states(["d"]) == {("d", "c1"): expected}
        row = store.db.execute("SELECT phase, due_after FROM reviews WHERE review_id = 'r2'").fetchone()
        assert row == ("review", expected.due.isoformat(timespec="microseconds"))
    assert [[answer[0] for answer in log] for log in replayed] == [["r1", "r2"]]  # that card's log alone


def test_an_answer_to_a_card_whose_progress_went_meanwhile_is_saved_as_its_first(tmp_path):
    scheduler = Scheduler(fuzz=False)
    learning = scheduler.review(new_state(T0), Rating.GOOD, T0, "r0")  # what this terminal still had
    late = review("r1", at=T0 + timedelta(minutes=10))
    stale = scheduler.review(learning, Rating.GOOD, late.reviewed_at, "r1")
    with Store(tmp_path / "q.db") as store:  # no state: another terminal removed the deck's progress
        saved = store.record(late, Phase.LEARNING, stale, based_on=learning,
                             replay=lambda log: scheduler.replay(log, T0))
        assert saved == scheduler.replay([("r1", Rating.GOOD, late.reviewed_at)], T0) != stale
        assert store.db.execute("SELECT phase FROM reviews").fetchall() == [("new",)]



def test_an_answer_scheduled_from_the_cached_state_is_saved_without_a_replay(tmp_path):
    def replay(log):
        raise AssertionError("no other terminal answered: nothing to replay")

    learning = CardState(Phase.LEARNING, T0 + timedelta(minutes=10), step=1, stability=2.5, difficulty=5.0,
                         last_review=T0)
    later = CardState(Phase.REVIEW, T0 + timedelta(days=3), stability=3.0, difficulty=5.0,
                      last_review=T0 + timedelta(minutes=10))
    with Store(tmp_path / "q.db") as store:
        assert store.record(review("r1"), Phase.NEW, learning, based_on=new_state(T0), replay=replay) == learning
        assert store.record(review("r2", at=T0 + timedelta(minutes=10)), Phase.LEARNING, later, based_on=learning,
                            replay=replay) == later
        assert store.state(("d", "c1")) == later

def test_a_database_from_a_newer_quizzer_is_refused_untouched(tmp_path):
    path = tmp_path / "q.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO migrations VALUES ('9999_future', 'later')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as raised:
        Store(path)
    assert str(raised.value) == (f"{path} was written by a newer quizzer (migration 9999_future); upgrade quizzer to "
                                 "use it. Nothing was changed.")
    assert path.read_bytes() == before


def test_a_damaged_database_is_named_and_left_alone(tmp_path):
    path = tmp_path / "q.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError) as raised:
        Store(path)
    assert str(path) in str(raised.value) and "restore" in str(raised.value)
    assert path.read_bytes() == before


def test_counts_for_limits_and_sessions(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        s1 = record(store, scheduler, new_state(T0), review("r1", card="a"))
        record(store, scheduler, s1, review("r2", card="a", at=T0 + timedelta(minutes=1), rating=Rating.AGAIN,
                                            verdict=Outcome.WRONG))
        record(store, scheduler, new_state(T0), review("r3", card="b", deck="e"))
        assert store.new_cards_since(T0) == {"d": 1, "e": 1}
        assert store.new_cards_since(T0 + timedelta(seconds=1)) == {}
        assert store.review_answers_since(T0) == 0
        counts = store.session_counts("s1")
        assert counts == {"answers": 3, "cards": 2, "new": 2, "reviews": 0, "right": 2, "wrong": 1,
                          "duration_ms": 3600}


def test_backup_is_a_consistent_copy(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        record(store, scheduler, new_state(T0), review("r1"))
        store.backup(tmp_path / "copy.db")
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT review_id FROM reviews").fetchall() == [("r1",)]
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_backup_is_written_beside_its_target_under_a_hidden_temporary_name(tmp_path, monkeypatch):
    import os

    renamed = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: renamed.append((Path(src), Path(dst))) or replace(src, dst))
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "copy.db"
    with Store(tmp_path / "q.db") as store:
        store.backup(target)
    [(temporary, into)] = renamed
    assert into == target and temporary.parent == target.parent  # a rename within one folder is atomic
    assert temporary.name.startswith(".copy.db.") and temporary.name.endswith(".tmp")
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.db"]


def _copies_checked_as(monkeypatch, checked):
    """Make the backup's copy answer its PRAGMA quick_check with `checked()` (a verdict, or an error)."""

    class Copy(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.strip().lower() == "pragma quick_check":
                verdict = checked()

                class Rows:
                    def fetchone(self):
                        return (verdict,)

                return Rows()
            return super().execute(sql, *args)

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda path, **kw: connect(path, factory=Copy, **kw))


def test_a_backup_that_fails_its_check_is_not_kept_and_says_what_the_check_found(tmp_path, monkeypatch):
    with Store(tmp_path / "q.db") as store:
        _copies_checked_as(monkeypatch, lambda: "*** in database main ***\nPage 3:  never used")
        with pytest.raises(StoreError) as caught:
            store.backup(tmp_path / "copy.db")
    assert str(caught.value) == (f"the copy of {tmp_path / 'q.db'} failed its check (*** in database main *** "
                                 "Page 3: never used); run `quizzer doctor`")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("q.db")) == []


def test_a_backup_whose_copy_cannot_be_read_names_the_database_copied(tmp_path, monkeypatch):
    def damaged():
        raise sqlite3.DatabaseError("database disk image is malformed")

    with Store(tmp_path / "q.db") as store:
        _copies_checked_as(monkeypatch, damaged)
        with pytest.raises(StoreError, match=r"^\S*q\.db is damaged or is not a quizzer database \(database disk "
                                            r"image is malformed\)") as caught:
            store.backup(tmp_path / "copy.db")
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert not (tmp_path / "copy.db").exists()


def test_states_due_before_and_the_cards_reviewed(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        soon = record(store, scheduler, new_state(T0), review("r1", card="soon", rating=Rating.AGAIN))
        later = record(store, scheduler, new_state(T0), review("r2", card="later", rating=Rating.EASY))
        record(store, scheduler, new_state(T0), review("r3", card="other", deck="e"))
        assert soon.due < later.due
        assert store.reviewed(["d"]) == {("d", "soon"), ("d", "later")}
        assert store.reviewed(["d", "e", "f"]) == {("d", "soon"), ("d", "later"), ("e", "other")}
        assert set(store.states(["e", "d"])) == {("d", "soon"), ("d", "later"), ("e", "other")}
        assert store.states(["d"], due_before=later.due) == {("d", "soon"): soon}
        assert set(store.states(["d"], due_before=later.due + timedelta(microseconds=1))) == {
            ("d", "soon"), ("d", "later")}


def test_state_rows_of_reviews_leave_out_learning_cards_and_come_most_overdue_first(tmp_path):
    """What a session reads for its reviews: it stops reading once it has the day's limit."""
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        record(store, scheduler, new_state(T0), review("r1", card="recent", at=T0 - timedelta(days=10), rating=Rating.EASY))
        record(store, scheduler, new_state(T0), review("r2", card="oldest", at=T0 - timedelta(days=20), rating=Rating.EASY))
        record(store, scheduler, new_state(T0), review("r3", card="learning", rating=Rating.AGAIN))
        rows = list(store.state_rows(["d"], reviews=True))
        assert [(card, phase) for _, card, phase, *_ in rows] == [("oldest", "review"), ("recent", "review")]
        assert rows[0][3] < rows[1][3]
        assert {card for _, card, *_ in store.state_rows(["d"])} == {"recent", "oldest", "learning"}


def deck_named(deck_id, *ids):
    from quizzer.model import Card, Deck, Kind

    return Deck(deck_id, deck_id.upper(), tuple(Card(id=i, kind=Kind.FLASH, question="Q", answer="A") for i in ids))


def test_answered_and_due_counts_only_the_cards_named(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        soon = record(store, scheduler, new_state(T0), review("r1", card="soon", rating=Rating.AGAIN))
        later = record(store, scheduler, new_state(T0), review("r2", card="later", rating=Rating.EASY))
        record(store, scheduler, new_state(T0), review("r3", card="removed", rating=Rating.AGAIN))
        record(store, scheduler, new_state(T0), review("r4", card="soon", deck="e", rating=Rating.AGAIN))
        record(store, scheduler, new_state(T0), review("r5", card="b", deck="g", rating=Rating.AGAIN))
        record(store, scheduler, new_state(T0), review("r6", card="a", deck="g", rating=Rating.EASY))
        record(store, scheduler, new_state(T0), review("r7", card="x", deck="h", rating=Rating.AGAIN))
        decks = [deck_named("d", "new", "soon", "later"), deck_named("e", "other"), deck_named("f", "soon"),
                 deck_named("g", "a", "b"), deck_named("h", "x", "y")]
        # d: soon and later answered, only soon due; "removed" has a state but is no longer in the deck.
        # g: every card answered (found by one comparison); h, after it, still counted.
        assert store.answered_and_due(decks, later.due) == {"d": (2, 1), "g": (2, 1), "h": (1, 1)}
        assert store.answered_and_due(decks, later.due + timedelta(microseconds=1)) == {
            "d": (2, 2), "g": (2, 2), "h": (1, 1)}
        assert store.answered_and_due(decks, soon.due) == {"d": (2, 0), "g": (2, 0), "h": (1, 0)}
        assert store.answered_and_due([], later.due) == {}


def test_answered_and_due_asks_sqlite_for_the_states_not_for_each_card_named(tmp_path):
    # `quizzer decks` names every card of every deck (100,000 at run.py's size); SQLite's work follows the
    # states, and Python's sets count those named (issue 14). Looking each named id up was twice as slow.
    def steps(named: int) -> int:
        with Store(tmp_path / f"{named}.db") as store:
            at = log.iso(T0)
            store.db.executemany("INSERT INTO cards (deck, card, phase, due) VALUES ('d', ?, 'review', ?)",
                                 [(f"c{n}", at) for n in range(20)])
            count = []
            store.db.set_progress_handler(lambda: count.append(1), 100)
            deck = deck_named("d", *(f"c{n}" for n in range(named)))
            assert store.answered_and_due([deck], T0 + timedelta(days=1)) == {"d": (min(named, 20), min(named, 20))}
            return len(count)

    assert steps(20_000) <= steps(20) + 5  # the same work however many cards the deck names


def test_decks_counts_parse_no_answered_id_of_a_deck_whose_cards_are_all_answered(tmp_path, monkeypatch):
    # run.py's 100 decks of 1,000 cards, every one answered: parsing the 100,000 answered and 27,000 due
    # ids SQLite handed over, and hashing them into sets, was most of `Store.answered_and_due` (issue 14,
    # sixth round). Here the counts come from SQLite as they are.
    import json

    parsed = []
    real = json.loads
    monkeypatch.setattr(json, "loads", lambda text, **kw: parsed.append(real(text)) or parsed[-1])
    with Store(tmp_path / "q.db") as store:
        store.db.executemany("INSERT INTO cards (deck, card, phase, due) VALUES ('d', ?, 'review', ?)",
                             [(f"c{n:03}", log.iso(T0 + timedelta(days=n % 3))) for n in range(300)])
        deck = deck_named("d", *(f"c{n:03}" for n in range(300)))
        assert store.answered_and_due([deck], T0 + timedelta(hours=1)) == {"d": (300, 100)}
        assert parsed == []
        fewer = deck_named("d", *(f"c{n:03}" for n in range(1, 300)))  # c000 gone from the file: sets count
        assert store.answered_and_due([fewer], T0 + timedelta(hours=1)) == {"d": (299, 99)}


def test_reading_one_cards_log_does_not_walk_the_whole_log(tmp_path):
    from quizzer.store import log

    def steps(others):  # SQLite virtual-machine steps (in hundreds) to read card c0's log
        with Store(tmp_path / f"{others}.db") as store:
            at = "2026-03-02T12:00:00.000000+00:00"
            store.db.executemany(
                "INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after) "
        "VALUES (?, 'd', ?, ?, 3, 'correct', '', 0, NULL, 'new', ?)",
                [(f"r{n}", f"c{n}", at, at) for n in range(others)],
            )
            count = []
            store.db.set_progress_handler(lambda: count.append(1), 100)
            assert [key for key, _, _ in log.logs(store.db, [("d", "c0")])] == [("d", "c0")]
            return len(count)

    assert steps(20_000) <= steps(1_000) + 5  # the same work however long the rest of the log


def test_stored_times_are_written_and_read_as_utc_whatever_the_local_zone(monkeypatch):
    # py-fsrs takes exactly timezone.utc, and text order is time order only with one offset.
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        noon = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
        assert log.iso(noon.astimezone(timezone(timedelta(hours=1)))) == "2026-03-02T12:00:00.000000+00:00"
        for text in ["2026-03-02T13:00:00+01:00", "2026-03-02T12:00:00"]:  # an offset; none, taken as UTC
            moment = log.parse_time(text)
            assert moment == noon and moment.tzinfo is timezone.utc
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


@pytest.mark.parametrize("text, kept", [
    ("0001-01-01T00:30:00+01:00", datetime(1, 1, 2, tzinfo=timezone.utc)),  # before year 1 in UTC
    ("9999-12-31T23:00:00-05:00", datetime(9999, 12, 30, tzinfo=timezone.utc)),  # after year 9999 in UTC
    ("0001-01-01T00:00:00", datetime(1, 1, 2, tzinfo=timezone.utc)),
    ("9999-12-31T23:59:59+00:00", datetime(9999, 12, 30, tzinfo=timezone.utc)),
])
def test_a_stored_time_past_the_calendars_ends_is_kept_a_day_inside_them(text, kept):
    assert log.parse_time(text) == kept


def test_the_decks_with_progress_are_found_without_reading_every_card_state(tmp_path):
    from quizzer.store.stats import decks_with_progress

    def steps(cards):  # SQLite virtual-machine steps (in hundreds) to list the decks
        with Store(tmp_path / f"{cards}.db") as store:
            at = "2026-03-02T12:00:00.000000+00:00"
            store.db.executemany("INSERT INTO cards (deck, card, phase, due) VALUES (?, ?, 'review', ?)",
                                 [(deck, f"c{n}", at) for deck in ("b", "a", "c") for n in range(cards)])
            count = []
            store.db.set_progress_handler(lambda: count.append(1), 100)
            assert decks_with_progress(store) == ["a", "b", "c"]
            return len(count)

    assert steps(20_000) <= steps(100) + 5  # the same work however many cards each deck has


# -- what a failing database is explained as (store.explain), message by message ---------------------

def _sqlite_error(message: str, name: str = "") -> sqlite3.Error:
    exc = sqlite3.OperationalError(message)
    if name:
        exc.sqlite_errorname = name
    return exc


DAMAGED = ("{path} is damaged or is not a quizzer database ({exc}). quizzer has not changed it; move it aside "
           "and restore a copy from {backups} or one made with `quizzer backup`.")
FULL = "could not save to {path}: the disk is full ({exc}). Earlier answers are safe."
UNWRITABLE = ("cannot write to {path} ({exc}); make sure you may write to it and to its folder {folder}, "
              "or set QUIZZER_HOME to a folder you can write to.")
BUSY = "{path} stayed locked by another program for 10 s ({exc}); try again. Earlier answers are safe."
OTHER = "could not use {path}: {exc}. Earlier answers are safe."

# (what SQLite or the system raised, the message it becomes, and whether it is StoreBusy): by error name,
# and by message alone for a Python whose errors carry no name.
EXPLAINED = [
    (_sqlite_error("oops", "SQLITE_CORRUPT"), DAMAGED, False),
    (_sqlite_error("oops", "SQLITE_CORRUPT_VTAB"), DAMAGED, False),
    (_sqlite_error("oops", "SQLITE_NOTADB"), DAMAGED, False),
    (_sqlite_error("database disk image is Malformed"), DAMAGED, False),
    (_sqlite_error("file is Not a Database"), DAMAGED, False),
    (_sqlite_error("oops", "SQLITE_FULL"), FULL, False),
    (_sqlite_error("database or disk is Full"), FULL, False),
    (_sqlite_error("oops", "SQLITE_READONLY"), UNWRITABLE, False),
    (_sqlite_error("oops", "SQLITE_READONLY_DBMOVED"), UNWRITABLE, False),
    (_sqlite_error("oops", "SQLITE_CANTOPEN"), UNWRITABLE, False),
    (_sqlite_error("oops", "SQLITE_PERM"), UNWRITABLE, False),
    (_sqlite_error("attempt to write a Readonly database"), UNWRITABLE, False),
    (_sqlite_error("Unable to open database file"), UNWRITABLE, False),
    (PermissionError(13, "Permission denied"), UNWRITABLE, False),
    (_sqlite_error("oops", "SQLITE_BUSY"), BUSY, True),
    (_sqlite_error("oops", "SQLITE_LOCKED_SHAREDCACHE"), BUSY, True),
    (_sqlite_error("database is Locked"), BUSY, True),
    (_sqlite_error("oops", "SQLITE_IOERR"), OTHER, False),  # with room on the disk: not taken for full
    (_sqlite_error("Disk I/O error"), OTHER, False),
    (_sqlite_error("no such table: x", "SQLITE_ERROR"), OTHER, False),
]


@pytest.mark.parametrize(("exc", "message", "busy"), EXPLAINED,
                         ids=[getattr(exc, "sqlite_errorname", None) or str(exc) for exc, *_ in EXPLAINED])
def test_a_database_failure_is_explained_by_its_kind(tmp_path, exc, message, busy):
    from quizzer.store import StoreBusy, explain

    path = tmp_path / "quizzer.db"
    error = explain(exc, path)
    assert type(error) is (StoreBusy if busy else StoreError)
    assert str(error) == message.format(path=path, exc=exc, backups=tmp_path / "backups", folder=tmp_path)


@pytest.mark.parametrize("exc", [_sqlite_error("oops", "SQLITE_IOERR_WRITE"), _sqlite_error("Disk I/O Error")])
def test_an_io_error_on_a_disk_with_no_room_is_a_full_disk(tmp_path, monkeypatch, exc):
    import os

    from quizzer.store import FULL_BELOW, explain

    class Stat:
        f_frsize = 4096
        f_bavail = FULL_BELOW // 4096 - 1  # one block short of the threshold

    seen = []
    monkeypatch.setattr(os, "statvfs", lambda folder: seen.append(folder) or Stat())
    path = tmp_path / "quizzer.db"
    assert str(explain(exc, path)) == FULL.format(path=path, exc=exc)
    assert seen == [tmp_path]
    Stat.f_bavail = FULL_BELOW // 4096  # exactly at it: room enough
    assert str(explain(exc, path)) == OTHER.format(path=path, exc=exc)


def test_an_io_error_in_a_folder_that_cannot_be_read_is_not_a_full_disk(tmp_path):
    from quizzer.store import explain

    exc = _sqlite_error("oops", "SQLITE_IOERR")
    path = tmp_path / "gone" / "quizzer.db"
    assert str(explain(exc, path)) == OTHER.format(path=path, exc=exc)


def test_rescheduling_counts_only_the_due_dates_that_moved(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        for card in ("a", "b", "c"):  # two answers each: in review, where the retention sets the interval
            state = record(store, scheduler, new_state(T0), review(f"{card}1", card=card))
            record(store, scheduler, state, review(f"{card}2", card=card, at=T0 + timedelta(minutes=15)))
        same = lambda answers: scheduler.replay(answers, answers[0][2])  # noqa: E731
        assert store.reschedule(same) == (0, 0)  # nothing moved: neither earlier nor later
        keener = Scheduler(desired_retention=0.97, fuzz=False)
        assert store.reschedule(lambda answers: keener.replay(answers, answers[0][2])) == (3, 0)
        assert store.reschedule(same) == (0, 3)


def test_the_daily_counts_read_the_log_when_the_day_cells_cannot_serve(tmp_path):
    """A start off the whole minute (as no study day has) is read from the log, not from `answer_days`:
    both give the same counts."""
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        # e/a is answered at 02:00, before the study day that starts at 04:00 the same date; the others at noon.
        for deck, card, first in (("d", "a", T0), ("d", "b", T0), ("e", "b", T0), ("e", "a", T0.replace(hour=2))):
            state = record(store, scheduler, new_state(first), review(f"{deck}{card}1", deck=deck, card=card, at=first))
            state = record(store, scheduler, state, review(f"{deck}{card}2", deck=deck, card=card,
                                                           at=first + timedelta(minutes=15)))
            record(store, scheduler, state, review(f"{deck}{card}3", deck=deck, card=card,
                                                   at=first + timedelta(days=3)))
        for day in (T0.replace(hour=4), T0.replace(hour=4) + timedelta(days=3)):
            off_the_minute = day + timedelta(seconds=1)
            assert store.new_cards_since(day) == store.new_cards_since(off_the_minute)
            assert store.review_answers_since(day) == store.review_answers_since(off_the_minute)
        off_the_minute = T0.replace(hour=4, second=1)
        assert store.new_cards_since(off_the_minute) == {"d": 2, "e": 1}
        assert store.review_answers_since(off_the_minute + timedelta(days=3)) == 3


def test_reviews_hands_each_filter_on(tmp_path):
    from dataclasses import replace

    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        for n, session in enumerate(("s1", "s1", "s2", "s2")):
            item = replace(review(f"r{n}", card=f"c{n}", at=T0 + timedelta(days=n)), session=session)
            record(store, scheduler, new_state(T0), item)
        ids = lambda **filters: [r["review_id"] for r in store.reviews(**filters)]  # noqa: E731
        assert ids() == ["r3", "r2", "r1", "r0"]  # newest first
        assert ids(since=T0 + timedelta(days=2)) == ["r3", "r2"]
        assert ids(since=T0 + timedelta(days=2, hours=1)) == ["r3"]  # compared as stored text, not a datetime
        assert ids(limit=3) == ["r3", "r2", "r1"]
        assert ids(session="s1") == ["r1", "r0"]
        assert ids(since=T0 + timedelta(days=1), limit=1, session="s1") == ["r1"]
        record(store, scheduler, new_state(T0), replace(review("q", card="c0", deck="e"), kind=AnswerKind.QUIZ))
        assert ids(deck="e") == ["q"]
        assert ids(card="c0") == ["r0", "q"]  # the same time: by review id, descending
        assert ids(kind="quiz") == ["q"]


def test_each_unaccept_is_an_event_of_its_own(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        state = record(store, scheduler, new_state(T0), review("r1"), accept="Keita")
        record(store, scheduler, state, review("r2", at=T0 + timedelta(minutes=15)), accept="Keïta")
        assert store.remove_accepted("d", "c1", "Keita", T0 + timedelta(hours=1))
        assert store.remove_accepted("d", "c1", "Keïta", T0 + timedelta(hours=2))
        assert not store.remove_accepted("d", "c1", "Keïta", T0 + timedelta(hours=3))  # no longer accepted
        assert store.accepted() == []
        ids = [row[0] for row in store.db.execute("SELECT event_id FROM events WHERE kind = 'unaccept'")]
    assert len(set(ids)) == 2


def test_training_answers_are_the_scheduling_answers_card_after_card_oldest_first(tmp_path):
    from dataclasses import replace

    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        # Recorded out of order: b before a, and a's later answer first.
        state = record(store, scheduler, new_state(T0), review("b1", card="b", at=T0, rating=Rating.AGAIN))
        late = record(store, scheduler, new_state(T0), review("a2", card="a", at=T0 + timedelta(hours=2)))
        record(store, scheduler, new_state(T0), review("a1", card="a", at=T0 + timedelta(hours=1), rating=Rating.HARD))
        record(store, scheduler, state, review("b2", card="b", at=T0 + timedelta(days=1)))
        quiz = replace(review("b3", card="b", at=T0 + timedelta(days=2)), reschedules=False)
        store.record(quiz, state.phase, state)  # a quiz answer without --reschedule
        record(store, scheduler, late, review("a3", card="a", at=T0 + timedelta(days=3)))
        store.db.execute("INSERT INTO voided SELECT rowid FROM reviews WHERE review_id = 'a3'")  # undone
        assert list(store.training_answers()) == [
            ("d", "a", T0 + timedelta(hours=1), Rating.HARD),
            ("d", "a", T0 + timedelta(hours=2), Rating.GOOD),
            ("d", "b", T0, Rating.AGAIN),
            ("d", "b", T0 + timedelta(days=1), Rating.GOOD),
        ]


def test_an_import_rebuilds_the_cards_it_gave_answers_or_events_and_counts_what_it_added(tmp_path):
    scheduler = Scheduler(fuzz=False)
    replay = lambda answers: scheduler.replay(answers, answers[0][2])  # noqa: E731
    answers = [(review("a1", card="a"), Phase.NEW, T0 + timedelta(minutes=1)),
               (review("a2", card="a", at=T0 + timedelta(minutes=15)), Phase.LEARNING, T0 + timedelta(days=2))]
    suspend = Event("e1", EventKind.SUSPEND, "d", "b", T0 + timedelta(hours=1))
    with Store(tmp_path / "q.db") as store:
        record(store, scheduler, new_state(T0), review("b1", card="b"))
        assert store.import_answers(answers, [suspend], replay) == (2, 1)
        # a's state is the replay of its two answers, not the due date the other program gave it
        first = scheduler.review(new_state(T0), Rating.GOOD, T0, "a1")
        assert store.state(("d", "a")) == scheduler.review(first, Rating.GOOD, T0 + timedelta(minutes=15), "a2")
        assert store.flags()[("d", "b")].suspended
        assert store.import_answers(answers, [suspend], replay) == (0, 0)  # each known already


def test_each_answer_reads_back_whole_and_an_undone_one_only_when_asked(tmp_path):
    # `decks`' export calls iter_reviews with no `voided`: undone answers stay out, with no "voided" key.
    from dataclasses import replace

    with Store(tmp_path / "q.db") as store:
        learning = CardState(Phase.LEARNING, T0 + timedelta(minutes=10), step=1, stability=2.5, difficulty=5.0,
                             last_review=T0)
        store.record(review("r1"), Phase.NEW, learning)
        store.record(replace(review("r2", at=T0 + timedelta(minutes=10), rating=Rating.AGAIN, verdict=Outcome.WRONG),
                             kind=AnswerKind.QUIZ, reschedules=False), Phase.LEARNING, learning)
        store.db.execute("INSERT INTO voided SELECT rowid FROM reviews WHERE review_id = 'r2'")
        first = {"review_id": "r1", "deck": "d", "card": "c1", "reviewed_at": "2026-03-02T12:00:00.000000+00:00",
                 "rating": 3, "verdict": "correct", "response": "resp", "duration_ms": 1200, "session": "s1",
                 "phase": "new", "next_due": "2026-03-02T12:10:00.000000+00:00", "kind": "study",
                 "reschedules": True}
        assert list(store.iter_reviews()) == [first]
        assert [(r["review_id"], r["kind"], r["reschedules"], r["voided"]) for r in store.iter_reviews(voided=True)] == [
            ("r2", "quiz", False, True), ("r1", "study", True, False)]


def test_a_session_is_saved_with_its_decks_when_it_starts_and_its_end_when_it_ends(tmp_path):
    with Store(tmp_path / "q.db") as store:
        store.start_session("s1", iter(["d", "e"]), T0)
        assert store.db.execute("SELECT session_id, started_at, ended_at, decks FROM sessions").fetchall() == [
            ("s1", "2026-03-02T12:00:00.000000+00:00", None, '["d", "e"]')]
        store.end_session("s1", T0 + timedelta(minutes=5))
        assert store.db.execute("SELECT ended_at FROM sessions").fetchall() == [("2026-03-02T12:05:00.000000+00:00",)]


@pytest.mark.parametrize("odd", [
    None,  # every time as quizzer writes them
    "2026-03-02T13:00:00+01:00",  # another offset
    "2026-03-02T12:00:00",  # none, taken as UTC
    "0001-01-01T00:00:00+00:00",  # the calendar's ends, kept a day inside them
    "9999-12-31T23:59:59+00:00",
])
def test_many_stored_times_read_as_each_alone_would(odd):
    texts = [log.iso(datetime(2026, 3, 2, 12, tzinfo=timezone.utc) + timedelta(minutes=n)) for n in range(5)]
    texts[2:2] = [odd] if odd else []
    times = log.parse_times(texts)
    assert times == [log.parse_time(t) for t in texts]
    assert all(t.tzinfo is timezone.utc for t in times)  # py-fsrs takes exactly timezone.utc


def test_stored_times_as_quizzer_writes_them_are_read_without_a_python_step_each():
    from test_session import python_steps

    texts = {count: [log.iso(datetime(2026, 3, 2, tzinfo=timezone.utc) + timedelta(seconds=n)) for n in range(count)]
             for count in (10, 1000)}
    steps = {count: python_steps(lambda: log.parse_times(texts[count])) for count in texts}
    assert steps[1000] == steps[10]


def test_a_transaction_takes_the_write_lock_before_its_work_unless_it_writes_only_temporary_tables(tmp_path):
    from quizzer.store import StoreBusy

    with Store(tmp_path / "q.db") as store:
        store.db.execute("PRAGMA busy_timeout = 0")  # fail at once, not after the 10 s wait
        other = sqlite3.connect(tmp_path / "q.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process is writing
        ran = []
        with pytest.raises(StoreBusy):
            store.transaction(lambda: ran.append("work"))
        assert ran == []  # a read then a write in it can never find the lock taken in between
        count = lambda: store.db.execute("SELECT COUNT(*) FROM reviews").fetchone()  # noqa: E731
        assert store.transaction(count, lock=False) == (0,)
        other.execute("ROLLBACK")
        other.close()


def test_the_remembered_answers_of_some_decks_are_theirs_alone(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        for deck, card, response in (("e", "c1", "Mopti"), ("d", "c2", "Ségou"), ("d", "c1", "Gao"), ("f", "c1", "Kayes")):
            record(store, scheduler, new_state(T0), review(f"{deck}{card}", card=card, deck=deck), accept=response)
        assert store.accepted(iter(["d", "e"])) == [("d", "c1", "Gao"), ("d", "c2", "Ségou"), ("e", "c1", "Mopti")]
        assert store.accepted(["c1"]) == []  # decks, not cards
        assert store.accepted() == [("d", "c1", "Gao"), ("d", "c2", "Ségou"), ("e", "c1", "Mopti"), ("f", "c1", "Kayes")]


class _WalRefused(sqlite3.Connection):
    """A connection whose first `refusals` switches to WAL fail with `error` (another process switching the
    same new file, or a failing disk)."""
    error, refusals, tries = "database is locked", 0, 0

    def execute(self, sql, *args):
        if sql.upper().startswith("PRAGMA JOURNAL_MODE ="):
            type(self).tries += 1
            if type(self).tries <= type(self).refusals:
                raise sqlite3.OperationalError(self.error)
        return super().execute(sql, *args)


class _SleepClock:
    """`time` for the store: only sleeping moves the clock; a minute of waiting is taken for a loop."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        if self.now > 60:
            raise AssertionError("still waiting after a minute")


@pytest.fixture
def wal_refused(monkeypatch):
    import quizzer.store

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *args, **kwargs: connect(*args, factory=_WalRefused, **kwargs))
    monkeypatch.setattr(_WalRefused, "tries", 0)
    clock = _SleepClock()
    monkeypatch.setattr(quizzer.store, "time", clock)
    return clock


@pytest.mark.parametrize("refusals", [1, 3])
def test_a_new_file_another_process_is_switching_to_wal_is_waited_for_briefly(tmp_path, monkeypatch, wal_refused,
                                                                              refusals):
    monkeypatch.setattr(_WalRefused, "refusals", refusals)
    with Store(tmp_path / "q.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert _WalRefused.tries == refusals + 1
    assert len(wal_refused.sleeps) == refusals and all(0 < pause <= 0.05 for pause in wal_refused.sleeps)


def test_a_file_locked_for_the_whole_busy_timeout_is_busy_and_any_other_failure_is_not_waited_for(
        tmp_path, monkeypatch, wal_refused):
    from quizzer.store import BUSY_TIMEOUT_MS, StoreBusy

    monkeypatch.setattr(_WalRefused, "refusals", 10**9)
    with pytest.raises(StoreBusy):
        Store(tmp_path / "q.db")
    assert BUSY_TIMEOUT_MS / 1000 <= wal_refused.now <= BUSY_TIMEOUT_MS / 1000 + 0.1

    monkeypatch.setattr(_WalRefused, "tries", 0)
    monkeypatch.setattr(_WalRefused, "error", "disk I/O error")
    wal_refused.sleeps.clear()
    with pytest.raises(StoreError, match="disk I/O error"):
        Store(tmp_path / "other.db")
    assert _WalRefused.tries == 1 and wal_refused.sleeps == []


def test_the_database_folder_is_made_and_a_place_that_cannot_hold_it_is_named(tmp_path):
    Store(tmp_path / "new" / "home" / "q.db").close()
    assert (tmp_path / "new" / "home" / "q.db").is_file()
    (tmp_path / "file").write_text("")
    for path in (tmp_path / "file" / "q.db", tmp_path / "new"):  # a file where the folder goes; a folder
        with pytest.raises(StoreError) as raised:
            Store(path)
        assert str(raised.value) == UNWRITABLE.format(path=path, exc=raised.value.__cause__, folder=path.parent)


def test_the_day_cells_move_to_a_whole_minute_only_and_only_when_the_move_can_be_saved(tmp_path):
    scheduler = Scheduler(fuzz=False)
    anchor = lambda: store.db.execute("SELECT anchor FROM answer_days_anchor").fetchone()[0]  # noqa: E731
    days = lambda: store.db.execute("SELECT day, deck FROM answer_days").fetchall()  # noqa: E731
    with Store(tmp_path / "q.db") as store:
        record(store, scheduler, new_state(T0), review("r1", at=T0.replace(hour=3)))  # 03:00 UTC
        assert anchor() == "04:00" and store.answer_days_from(T0.replace(hour=4))
        assert not store.answer_days_from(T0.replace(hour=2, second=30))  # not on a whole minute
        assert not store.answer_days_from(T0.replace(hour=2, microsecond=1))
        assert anchor() == "04:00" and days() == [("2026-03-01", "d")]  # a day before 04:00
        assert store.answer_days_from(T0.replace(hour=2, minute=30))
        assert anchor() == "02:30" and days() == [("2026-03-02", "d")]
        store.db.execute("PRAGMA busy_timeout = 0")
        other = sqlite3.connect(tmp_path / "q.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock: the cells stay, the log answers
        assert not store.answer_days_from(T0.replace(hour=4))
        assert anchor() == "02:30" and store.answer_days_from(T0.replace(hour=2, minute=30))
        other.execute("ROLLBACK")
        other.close()


def test_a_store_waits_the_whole_busy_timeout_for_another_terminal(tmp_path):
    """SQLite's busy handler is set once, by the connection's timeout: BUSY_TIMEOUT_MS, not a default."""
    from quizzer.store import BUSY_TIMEOUT_MS

    with Store(tmp_path / "q.db") as store:
        assert store.db.execute("PRAGMA busy_timeout").fetchone() == (BUSY_TIMEOUT_MS,)
