"""What keeps `progress import` of a million answers fast (issue 14), each checked by counting work, never
by timing it: the replay keeps py-fsrs's card between answers, and lines as `progress export` writes them
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
from quizzer.store import sync

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
    for log in random_logs(300):
        state = scheduler.replay(list(reversed(log)), log[0][2])
        expected = fuzz_as_py_fsrs_was_given_it(scheduler._fsrs, log)
        assert (state.due, state.stability, state.difficulty, state.step, state.last_review) == (
            expected.due, expected.stability, expected.difficulty, expected.step, expected.last_review)
        live = new_state(log[0][2])
        for review_id, rating, at in log:
            live = scheduler.review(live, rating, at, review_id)
        assert state == live


def test_a_replay_of_no_answer_is_a_new_card():
    assert Scheduler().replay([], T0) == new_state(T0)


def test_a_replay_builds_one_py_fsrs_card_however_many_answers(monkeypatch):
    built = []

    class Counted(fsrs.Card):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(fsrs, "Card", Counted)
    log = [(f"r{n}", Rating.GOOD, T0 + timedelta(days=n)) for n in range(40)]
    Scheduler().replay(log, T0)
    assert len(built) == 1


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
