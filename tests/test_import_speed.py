"""What keeps `progress import` of a million answers fast (issue 14), each checked by counting work, never
by timing it: the replay builds no py-fsrs card, and lines as `progress export` writes them
are read without a JSON parse."""

import json
import random
import zlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from hostile.demo import ANSWER
from quizzer.model import Rating
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store
from quizzer.store import log, sync

T0 = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)


def random_logs(count: int, seed: int = 7) -> list[list[tuple[str, Rating, datetime]]]:
    rng = random.Random(seed)
    logs = []
    for _ in range(count):
        at, log = T0, []
        for _ in range(rng.randint(1, 14)):
            at += timedelta(minutes=rng.choice([1, 10, 600, 60 * 24 * rng.randint(1, 90)]))
            log.append((f"{rng.getrandbits(64):016x}", Rating(rng.choice([1, 2, 3, 3, 3, 4])), at))
        logs.append(log)
    return logs


def fuzz_as_py_fsrs_was_given_it(scheduler: fsrs.Scheduler, log) -> fsrs.Card:
    """The oracle: py-fsrs answer after answer, its fuzz drawn from random.Random(crc32(review id)) as every
    saved schedule was made."""
    card = fsrs.Card(card_id=0, due=log[0][2])
    original = fsrs.scheduler.random
    try:
        for review_id, rating, at in log:
            fsrs.scheduler.random = random.Random(zlib.crc32(review_id.encode())).random
            card, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), at)
    finally:
        fsrs.scheduler.random = original
    return card


@pytest.mark.parametrize("retention", [0.9, 0.8])
def test_a_replay_gives_what_py_fsrs_gives_answer_by_answer_with_the_fuzz_of_each_review_id(retention):
    scheduler = Scheduler(desired_retention=retention)
    for answers in random_logs(300):
        state = scheduler.replay(list(reversed(answers)), answers[0][2])
        expected = fuzz_as_py_fsrs_was_given_it(scheduler._fsrs, answers)
        assert (state.due, state.stability, state.difficulty, state.step, state.last_review) == (
            expected.due, expected.stability, expected.difficulty, expected.step, expected.last_review)
        live = new_state(answers[0][2])
        for review_id, rating, at in answers:
            live = scheduler.review(live, rating, at, review_id)
        assert state == live


def test_a_replay_of_no_answer_is_a_new_card():
    assert Scheduler().replay([], T0) == new_state(T0)


def test_a_replay_builds_no_py_fsrs_card_however_many_answers(monkeypatch):
    built = []

    class Counted(fsrs.Card):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(fsrs, "Card", Counted)
    log = [(f"r{n}", Rating.GOOD, T0 + timedelta(days=n)) for n in range(40)]
    Scheduler().replay(log, T0)
    assert built == []


def test_rebuilding_cards_without_events_makes_no_flags(tmp_path, monkeypatch):
    # A card with no events has no flags: nothing to build or compare per card (100,000 in an import).
    lines = [exported_line(review_id=f"r{n}", card=f"c{n % 40}") for n in range(80)]
    with Store(tmp_path / "q.db") as store:
        sync.import_reviews(store, lines, "f", replay, now=T0 + timedelta(days=1))
        built = []

        class Counted(log.Flags):
            def __init__(self, *args, **kwargs):
                built.append(1)
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(log, "Flags", Counted)
        rebuilt = store.transaction(lambda: log.rebuild(store.db, replay))
    assert len(rebuilt) == 40 and built == []


def exported_line(**changes) -> str:
    """A line as `progress export` writes it (json.dumps of the history keys, in their order)."""
    review = {**ANSWER, "kind": "study", "reschedules": True, **changes}
    return json.dumps({key: review[key] for key in sync.KEYS}, ensure_ascii=False) + "\n"


def test_lines_as_export_writes_them_are_imported_without_a_json_parse(tmp_path, monkeypatch):
    parsed = []
    loads = json.loads
    monkeypatch.setattr(sync.json, "loads", lambda text, **kw: parsed.append(text) or loads(text, **kw))
    lines = [exported_line(review_id=f"r{n}", response="Sanogo, dit « le capitaine »", session=None if n % 2 else "s")
             for n in range(50)]
    lines.append(exported_line(review_id="old").replace(', "kind": "study", "reschedules": true', ""))  # before quizzes
    with Store(tmp_path / "q.db") as store:
        result = sync.import_reviews(store, lines, "f", lambda log: new_state(log[-1][2]), now=T0 + timedelta(days=1))
        saved = store.db.execute("SELECT COUNT(*), SUM(reschedules), MIN(kind) FROM reviews").fetchone()
    assert (result.read, result.added) == (51, 51) and saved == (51, 51, "study")
    assert parsed == []


# Lines written like an export's but not a review as it is, or not in its exact form: the quick reading
# leaves each to the JSON reading (None), or reads it exactly as that does. Add a case as one line.
NEAR_EXPORTED = [
    exported_line(),
    exported_line(reviewed_at="2026-13-02T12:00:00.000000+00:00"),  # no 13th month
    exported_line(reviewed_at="2026-02-30T12:00:00.000000+00:00"),
    exported_line(next_due="2026-03-02T25:00:00.000000+00:00"),
    exported_line(reviewed_at="2026-03-02T12:00:00+00:00"),  # not the stored form: JSON reading normalises it
    exported_line(reviewed_at="2026-03-09T12:00:00.000000+00:00"),  # after tomorrow
    exported_line(reviewed_at="1969-12-31T23:59:59.999999+00:00"),
    exported_line(reviewed_at="1970-01-01T00:00:00.000000+00:00"),  # the first moment allowed
    exported_line(reviewed_at="2026-03-03T12:00:00.000000+00:00"),  # the last: a day after T0
    exported_line(next_due="2226-03-09T12:00:00.000000+00:00"),  # more than 100 years ahead
    exported_line(duration_ms=10**12),
    exported_line(duration_ms=10**12 + 1),
    exported_line(duration_ms=0),
    exported_line(rating=5),
    exported_line(rating=True),
    exported_line(verdict="correctish"),
    exported_line(phase="new ", kind="quiz", reschedules=False),
    exported_line(kind="exam"),
    exported_line(review_id=""),
    exported_line(session=""),
    exported_line(response=""),
    exported_line(response='say "hi"'),  # an escape: left to JSON
    exported_line(response="tab\there"),
    exported_line(deck="\ud800"),  # a lone surrogate, as standard input may carry one
    exported_line().replace('"duration_ms": 4000', '"duration_ms": 04000'),  # not JSON
    exported_line().replace('"rating": 3', '"rating": 3.0'),
    exported_line().replace("}\n", ', "extra": 1}\n'),
    exported_line().replace("}\n", "}  \r\n"),
    exported_line().replace("}\n", "} x\n"),
    exported_line().replace('{"review_id": "r1"', '{"review_id": "r1", "review_id": "r2"'),
]


@pytest.mark.parametrize("line", NEAR_EXPORTED, ids=range(len(NEAR_EXPORTED)))
def test_the_quick_reading_of_a_line_is_the_json_reading_or_leaves_the_line_to_it(line):
    window = sync._Window(T0)
    quick = sync._exported(window)(line)
    try:
        expected = sync._row(line, 1, "f", window)
    except sync.ProgressFileError:
        assert quick is None
    else:
        assert quick in (None, expected)


def test_the_quick_reading_takes_the_exported_form_itself():
    assert sync._exported(sync._Window(T0))(exported_line()) == sync._row(exported_line(), 1, "f", sync._Window(T0))


def answers_file(count: int, cards: int) -> list[str]:
    """`count` answers to `cards` cards, in time order as `progress export` writes them."""
    at = T0 - timedelta(days=400)
    return [exported_line(review_id=f"r{n:05d}", card=f"c{n % cards}", rating=1 + n % 4,
                          reviewed_at=(at + timedelta(hours=7 * n)).isoformat(timespec="microseconds"))
            for n in range(count)]


def replay(log):
    return Scheduler().replay(log, log[0][2])


def merged(path, lines, monkeypatch, at_once: int, earlier=()):
    """Import `earlier` then `lines` into a new database with AT_ONCE set; (transactions that took the write
    lock for `lines`, every saved row and the schema)."""
    monkeypatch.setattr(sync, "AT_ONCE", at_once)
    with Store(path) as store:
        if earlier:
            sync.import_reviews(store, earlier, "e", replay, now=T0, hold=0, pause=0)
        locked = []
        transaction = store.transaction
        monkeypatch.setattr(store, "transaction", lambda work, lock=True: locked.append(lock) or transaction(work, lock=lock))
        result = sync.import_reviews(store, lines, "f", replay, now=T0, hold=0, pause=0, cards=30)
        saved = {table: sorted(store.db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                 for table in ("reviews", "cards", "card_flags", "accepted", "voided", "events",
                               "answer_days", "answer_cards", "answer_sessions")}
        schema = store.db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        disagreeing = sync.check(store, set(), replay).disagreeing + store.sums_disagreeing()
    return result, locked.count(True), saved, schema, disagreeing


@pytest.mark.parametrize("earlier", [0, 100])
def test_a_file_that_doubles_the_log_is_merged_in_one_transaction_with_the_same_result(tmp_path, monkeypatch, earlier):
    lines = answers_file(900, cards=60)
    kept = answers_file(1000, cards=60)[1000 - earlier:] if earlier else []
    kept = [line.replace('"r0', '"k0') for line in kept]  # other ids: answers another machine gave
    at_once = merged(tmp_path / "once.db", lines, monkeypatch, 500, kept)
    in_turns = merged(tmp_path / "turns.db", lines, monkeypatch, 10**9, kept)
    assert at_once[1] == 2 and in_turns[1] > 10  # the answers, then the events (none here)
    assert replace(at_once[0], added_rowids=()) == replace(in_turns[0], added_rowids=())
    assert (at_once[0].added, at_once[0].cards, at_once[0].added_rowids) == (900, 60, (("reviews", earlier + 1, earlier + 900),))
    # The indexes and the triggers are made again as they were, and the sums of answers filled again.
    assert at_once[2:] == in_turns[2:] and at_once[4] == []


def test_a_file_adding_less_than_the_log_holds_is_merged_in_turns(tmp_path, monkeypatch):
    lines = answers_file(900, cards=60)
    _, locked, *_ = merged(tmp_path / "q.db", lines[:400], monkeypatch, 100, [line.replace('"r0', '"k0') for line in lines])
    assert locked > 5


def test_a_file_whose_new_answers_just_double_the_log_is_merged_in_one_transaction(tmp_path, monkeypatch):
    lines = answers_file(200, cards=60)
    earlier = [line.replace('"r0', '"k0') for line in lines[:100]]
    result, locked, *_ = merged(tmp_path / "q.db", lines[100:], monkeypatch, 100, earlier)
    # 100 new answers, AT_ONCE 100, a log of 100: one transaction for the answers, one for the events.
    assert (result.added, locked) == (100, 2)


def test_a_failure_during_a_merge_at_once_saves_nothing_and_keeps_every_index_and_trigger(tmp_path, monkeypatch):
    monkeypatch.setattr(sync, "AT_ONCE", 10)
    calls = []

    def failing(log):
        calls.append(1)
        if len(calls) == 50:
            raise OSError("killed")
        return replay(log)

    with Store(tmp_path / "q.db") as store:
        indexes = store.db.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')").fetchall()
        with pytest.raises(OSError):
            sync.import_reviews(store, answers_file(900, cards=60), "f", failing, now=T0, hold=0, pause=0, cards=30)
        assert store.db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)
        assert store.db.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')").fetchall() == indexes


# -- a first import: with no answers here, the answers after the first AT_ONCE go straight into the log ----


def test_a_first_import_puts_the_answers_after_the_first_at_once_straight_into_the_log(tmp_path, monkeypatch):
    """Copying them through temp.incoming, its indexes and a sort was a third of a million answers' import."""
    monkeypatch.setattr(sync, "AT_ONCE", 200)
    monkeypatch.setattr(sync, "_BATCH", 100)
    statements = []
    with Store(tmp_path / "q.db") as store:
        store.db.set_trace_callback(statements.append)  # each row of an executemany is one statement run
        result = sync.import_reviews(store, answers_file(900, cards=60), "f", replay, now=T0, hold=0, pause=0)
        assert sync.check(store, set(), replay).disagreeing + store.sums_disagreeing() == []
    assert (result.read, result.added, result.cards) == (900, 900, 60)
    assert sum(statement.startswith("INSERT INTO temp.incoming VALUES") for statement in statements) == 200
    # No id repeated, so no answer is read back to compare: every row of every batch was added.
    assert not any("FROM reviews WHERE review_id =" in statement for statement in statements)


def test_a_first_import_looks_at_the_log_again_once_it_holds_the_write_lock(tmp_path, monkeypatch):
    """Another terminal saves an answer between the first look at the log and the lock: the file is then
    merged as into any log, after that answer."""
    monkeypatch.setattr(sync, "AT_ONCE", 200)
    monkeypatch.setattr(sync, "_BATCH", 100)
    path, others = tmp_path / "q.db", []
    with Store(path) as store:
        transaction = store.transaction

        def another_terminal_first(work, lock=True):
            if lock and not others:
                with Store(path) as other:
                    others.append(sync.import_reviews(other, [exported_line(review_id="k1", card="c1")], "o",
                                                      replay, now=T0, hold=0, pause=0))
            return transaction(work, lock=lock)

        monkeypatch.setattr(store, "transaction", another_terminal_first)
        lines = answers_file(900, cards=60) + [event_line("suspend", "e1", "c3")]
        result = sync.import_reviews(store, lines, "f", replay, now=T0, hold=0, pause=0)
        assert store.db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (901,)
        assert sync.check(store, set(), replay).disagreeing + store.sums_disagreeing() == []
    assert others[0].added == 1
    # The first 200 answers read before the look, the other 700 and the event after it; the 60 cards
    # rebuilt for the answers, and c3 again for its suspension.
    assert (result.read, result.added, result.cards, result.events_read, result.events_added) == (900, 900, 61, 1, 1)
    assert result.added_rowids[0] == ("reviews", 2, 901)


def event_line(kind: str, event_id: str, card: str, target: str | None = None, data: dict | None = None) -> str:
    return json.dumps({"event": kind, "event_id": event_id, "deck": ANSWER["deck"], "card": card,
                       "at": "2025-06-01T00:00:00.000000+00:00", "target": target, "data": data or {}}) + "\n"


def hostile_first_import() -> list[str]:
    """900 answers with, before and after the 200th line, an id repeated as it was and with other contents,
    one repeating an id of the first 200 lines, voids, a suspension among the answers (events are counted
    in more than one batch) and two lines that are not reviews."""
    lines = answers_file(900, cards=60)
    other = lines[5].replace('"rating": 2', '"rating": 4')
    lines[50:50] = [lines[10], other, "not json\n"]
    lines[500:500] = [lines[400], lines[600].replace('"duration_ms": ', '"duration_ms": 1'),
                      other.replace('"rating": 4', '"rating": 1'), '{"review_id": "late"}\n',
                      lines[7].replace('"r00007"', '"r00999"').replace('"c7"', '"c59"')]
    lines[700:700] = [event_line("suspend", "e3", "c3")]
    lines += [event_line("void", "e1", "c40", target="r00100"), event_line("void", "e2", "c20", target="r00620"),
              event_line("void", "e1", "c41", target="r00101")]
    return lines


def first_import(path, lines, monkeypatch, at_once: int):
    """A first import with AT_ONCE set, bad lines skipped; (result, bad lines, every saved row, doctor's findings)."""
    monkeypatch.setattr(sync, "AT_ONCE", at_once)
    monkeypatch.setattr(sync, "_BATCH", 100)
    invalid = []
    with Store(path) as store:
        result = sync.import_reviews(store, lines, "f", replay, now=T0, hold=0, pause=0, cards=30, invalid=invalid)
        saved = {table: sorted(store.db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                 for table in ("reviews", "cards", "card_flags", "accepted", "events", "answer_days", "answer_cards",
                               "answer_sessions")}
        # By review id: rowids follow the order the rows were added in.
        saved["voided"] = store.db.execute("SELECT r.review_id FROM voided v JOIN reviews r "
                                           "ON r.rowid = v.review_rowid ORDER BY 1").fetchall()
        disagreeing = sync.check(store, set(), replay).disagreeing + store.sums_disagreeing()
    return replace(result, added_rowids=()), [str(bad) for bad in invalid], saved, disagreeing


def test_a_first_import_straight_into_the_log_saves_and_reports_what_merging_in_turns_does(tmp_path, monkeypatch):
    lines = hostile_first_import()
    straight = first_import(tmp_path / "straight.db", lines, monkeypatch, 200)
    in_turns = first_import(tmp_path / "turns.db", lines, monkeypatch, 10**9)
    assert straight == in_turns
    result, invalid, saved, disagreeing = straight
    # Hand-counted: 906 answers read (the 900, 5 repeated ids, one new: r00999); the repeats with other
    # contents at lines 52, 502 and 503 conflict and the first line of each id is kept; e1 twice conflicts.
    assert (result.read, result.added, result.conflicts) == (906, 901, sync.Conflicts(3, "f:52"))
    assert (result.events_read, result.events_added, result.event_conflicts) == (4, 3, sync.Conflicts(1, "f:912"))
    assert invalid[0].startswith("f:53: not JSON") and invalid[1].startswith("f:504: missing 'deck'")
    assert saved["voided"] == [("r00100",), ("r00620",)] and disagreeing == []
    assert ("r00005", 2) in {(row[0], row[4]) for row in saved["reviews"]}


def test_a_bad_line_after_the_first_at_once_answers_saves_nothing_and_keeps_every_index_and_trigger(
        tmp_path, monkeypatch):
    monkeypatch.setattr(sync, "AT_ONCE", 200)
    monkeypatch.setattr(sync, "_BATCH", 100)
    lines = answers_file(900, cards=60)
    lines[700] = lines[700].replace('"rating": ', '"rating": 9')
    with Store(tmp_path / "q.db") as store:
        schema = store.db.execute("SELECT name, sql FROM sqlite_master").fetchall()
        with pytest.raises(sync.ProgressFileError, match=r"^f:701: 'rating' must be 1, 2, 3 or 4, not 9"):
            sync.import_reviews(store, lines, "f", replay, now=T0, hold=0, pause=0)
        assert [store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("reviews", "cards", "answer_days", "answer_cards", "answer_sessions")] == [0] * 5
        assert store.db.execute("SELECT name, sql FROM sqlite_master").fetchall() == schema


def test_a_replay_that_fails_leaves_no_statement_running(tmp_path):
    """The import drops its temporary tables after a failure, which SQLite refuses while a read is running."""
    from quizzer.store import log

    with Store(tmp_path / "q.db") as store:
        sync.import_reviews(store, answers_file(30, cards=3), "f", replay, now=T0, hold=0, pause=0)
        store.db.execute("CREATE TEMP TABLE scratch (x)")

        def failing(_):
            raise OSError("killed")

        try:
            log.rebuild(store.db, failing)
        except OSError:  # the failure still held, as in the import's `finally`
            store.db.execute("DROP TABLE temp.scratch")
        assert store.db.execute("SELECT name FROM temp.sqlite_master WHERE name = 'scratch'").fetchall() == []


def test_a_first_import_voided_by_events_already_here_fills_the_sums_as_merging_in_turns_does(tmp_path, monkeypatch):
    """Void events can come before the answers they void (a file of events alone, imported first): the
    rebuild of a first import straight into the log voids those answers before it counts the first
    answers in review of each cell, so the sums leave them out as the SQL refill does."""
    at = T0 - timedelta(days=40)
    # Five cards answered in review every 2 hours (each about twice per cell), ratings 1 to 4 in turn.
    lines = [exported_line(review_id=f"r{n:05d}", card=f"c{n % 5}", rating=1 + n % 4, phase="review",
                           reviewed_at=(at + timedelta(hours=2 * n)).isoformat(timespec="microseconds"))
             for n in range(300)]
    # Hand-worked, from 12:00 on day 0: c0's r00020 (04:00 on day 2, at the anchor) is its cell's first,
    # rated 1, and r00025 (14:00, rated 2) comes next; c1's r00036 (12:00 on day 3, rated 1) and r00041
    # (22:00, rated 2) are its only answers in that cell.
    voids = [event_line("void", "e1", "c0", target="r00020"), event_line("void", "e2", "c1", target="r00036"),
             event_line("void", "e3", "c1", target="r00041")]
    saved = []
    for name, at_once, earlier in (("straight", 100, voids), ("turns", 10**9, voids), ("unvoided", 100, [])):
        monkeypatch.setattr(sync, "AT_ONCE", at_once)
        monkeypatch.setattr(sync, "_BATCH", 50)
        with Store(tmp_path / f"{name}.db") as store:
            if earlier:
                sync.import_reviews(store, earlier, "v", replay, now=T0, hold=0, pause=0)
            sync.import_reviews(store, lines, "f", replay, now=T0, hold=0, pause=0)
            assert store.db.execute("SELECT COUNT(*) FROM voided").fetchone() == (len(earlier),)
            assert store.sums_disagreeing() == []
            saved.append([sorted(store.db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                          for table in ("answer_days", "answer_cards", "answer_sessions")])
    assert saved[0] == saved[1]
    # Without the voids: c1's cell has a first (not passed), and c0's first is r00020, not passed either.
    firsts = [(sum(row[9] for row in days), sum(row[10] for row in days)) for days, _, _ in saved]
    assert firsts[2] == (firsts[0][0] + 1, firsts[0][1] - 1) and sum(row[2] for row in saved[0][0]) == 297
