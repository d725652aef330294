"""quizzer's own FSRS step (`scheduler._Memory`, for the replay and each live answer) against py-fsrs's
`Scheduler.review_card`, answer by answer: the same phase, step, last review and due time and the same bits of
stability and difficulty, on a real review log, on generated histories and on random ones with random
parameters (issue 14)."""

import csv
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzer.model import CardState, Phase, Rating
from quizzer.scheduler import _STATE_OF, DEFAULT_PARAMETERS, Scheduler, _Memory, new_state

T0 = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
# py-fsrs's test log (docs: GUIDE.md), beside the checkout or a worktree's; read in place, never copied.
REAL_LOG = next((folder / "shared/data/review_logs.csv" for folder in Path(__file__).resolve().parents
                 if (folder / "shared/data/review_logs.csv").exists()), None)


def bits(value: float | None) -> bytes | None:
    return None if value is None else struct.pack("<d", value)


def memory_of(card: fsrs.Card) -> tuple:
    return (card.state, card.step, bits(card.stability), bits(card.difficulty), card.last_review)


def oracle(scheduler: fsrs.Scheduler, log) -> list[tuple]:
    """py-fsrs itself, unfuzzed: what each prefix of `log` leaves."""
    card, after = fsrs.Card(card_id=0, due=log[0][2]), []
    for _, rating, at in log:
        card, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), at)
        after.append(memory_of(card))
    return after


def assert_same_as_py_fsrs(scheduler: fsrs.Scheduler, log) -> None:
    memory = _Memory(scheduler)
    expected = oracle(scheduler, log)
    for length in range(1, len(log) + 1):
        state, step, s, d = memory.replayed(log[:length])
        assert (state, step, bits(s), bits(d), log[length - 1][2]) == expected[length - 1], f"after answer {length}"


def unfuzzed(parameters=DEFAULT_PARAMETERS, retention=0.9, learning=(1, 10), relearning=(10,)) -> fsrs.Scheduler:
    return fsrs.Scheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=False,
                          learning_steps=[timedelta(minutes=m) for m in learning],
                          relearning_steps=[timedelta(minutes=m) for m in relearning])


@pytest.mark.skipif(REAL_LOG is None, reason="../shared/data/review_logs.csv is not beside this checkout")
def test_the_real_review_log_gives_py_fsrs_bits_after_every_answer():
    logs: dict[str, list] = {}
    with REAL_LOG.open(newline="") as file:
        for row in csv.DictReader(file):
            logs.setdefault(row["card_id"], []).append(
                (row["card_id"], Rating(int(row["review_rating"])), datetime.fromisoformat(row["review_time"])))
    assert sum(map(len, logs.values())) == 12_580
    scheduler = unfuzzed()
    for log in logs.values():
        assert_same_as_py_fsrs(scheduler, sorted(log, key=lambda answer: answer[2]))


def generated(count: int, seed: int) -> list[list]:
    """Histories as a learner makes them: steps within minutes, same-day repeats, days to months between."""
    rng, logs = random.Random(seed), []
    for _ in range(count):
        at, log = T0, []
        for n in range(rng.randint(1, 30)):
            at += timedelta(seconds=rng.choice([0, 1, 59, 60, 600, 3600 * 23, 86_399, 86_400, 86_401,
                                                86_400 * rng.randint(1, 400)]))
            log.append((f"r{n}", Rating(rng.choice([1, 1, 2, 3, 3, 3, 4])), at))
        logs.append(log)
    return logs


@pytest.mark.parametrize("scheduler", [
    unfuzzed(), unfuzzed(retention=0.7), unfuzzed(retention=0.97), unfuzzed(learning=(), relearning=()),
    unfuzzed(learning=(1,), relearning=(5, 30, 120)), unfuzzed(learning=(1, 5, 10, 60)),
], ids=["default", "retention 0.7", "retention 0.97", "no steps", "one learning step", "four learning steps"])
def test_generated_histories_give_py_fsrs_bits_after_every_answer(scheduler):
    for log in generated(150, seed=14):
        assert_same_as_py_fsrs(scheduler, log)


parameters = st.tuples(*(st.floats(low, high) for low, high in zip(fsrs.scheduler.LOWER_BOUNDS_PARAMETERS,
                                                                  fsrs.scheduler.UPPER_BOUNDS_PARAMETERS)))
answers = st.lists(st.tuples(st.sampled_from(list(Rating)),
                             st.integers(0, 86_400 * 3).map(lambda s: timedelta(seconds=s))
                             | st.integers(1, 36_500).map(lambda d: timedelta(days=d))),
                   min_size=1, max_size=40)


def timed(steps: list[tuple[Rating, timedelta]]) -> list[tuple[str, Rating, datetime]]:
    """A log of answers, each its gap after the one before, from T0."""
    at, log = T0, []
    for n, (rating, gap) in enumerate(steps):
        at += gap
        log.append((f"r{n}", rating, at))
    return log


@settings(max_examples=300, deadline=None)
@given(parameters, st.floats(0.7, 0.99), answers)
def test_any_parameters_and_history_give_py_fsrs_bits_after_every_answer(values, retention, steps):
    assert_same_as_py_fsrs(unfuzzed(values, retention), timed(steps))


@pytest.mark.parametrize("phase, step",
                         [(fsrs.State.Learning, 2), (fsrs.State.Learning, 3), (fsrs.State.Relearning, 1)],
                         ids=["learning at its 2 steps", "learning past them", "relearning at its 1 step"])
@pytest.mark.parametrize("rating", list(Rating), ids=lambda rating: rating.name)
def test_a_card_at_or_past_its_last_step_moves_as_py_fsrs_moves_it(phase, step, rating):
    # Steps shortened after a card took them (py-fsrs's arithmetic allows it): Again restarts, others graduate.
    scheduler = unfuzzed()
    card = fsrs.Card(card_id=0, state=phase, step=step, stability=3.0, difficulty=5.0, due=T0, last_review=T0)
    at = T0 + timedelta(hours=1)
    expected, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), at)
    after = _Memory(scheduler).after(int(phase), step, 3.0, 5.0, T0, int(rating), at)
    assert after == (int(expected.state), expected.step, expected.stability, expected.difficulty)


def test_a_replay_never_reaches_py_fsrs_review_card(monkeypatch):
    # Its last answer too is `_Memory` and `_interval`, as a live answer is (a py-fsrs Card cost 15 µs a card).
    monkeypatch.setattr(fsrs.Scheduler, "review_card", lambda *args, **kwargs: pytest.fail("py-fsrs reached"))
    log = [(f"r{n}", Rating.GOOD, T0 + timedelta(days=n)) for n in range(40)]
    assert Scheduler().replay(log, T0).phase is Phase.REVIEW


def fuzzed_like_a_review_id(monkeypatch, review_id: str) -> None:
    monkeypatch.setattr(fsrs.scheduler, "random", random.Random(zlib.crc32(review_id.encode())).random)


def with_steps(scheduler: Scheduler, learning, relearning) -> Scheduler:
    """`scheduler` with other learning steps (quizzer's are fixed; py-fsrs's arithmetic is not)."""
    settings_ = {**scheduler._fsrs.to_dict(), "learning_steps": [60 * m for m in learning],
                 "relearning_steps": [60 * m for m in relearning]}
    scheduler._fsrs = fsrs.Scheduler.from_dict(settings_)
    scheduler._memory = _Memory(scheduler._fsrs)
    return scheduler


def assert_live_answers_are_py_fsrs_answers(scheduler: Scheduler, log, monkeypatch) -> None:
    state, card = new_state(log[0][2]), fsrs.Card(card_id=0, due=log[0][2])
    for n, (review_id, rating, at) in enumerate(log, 1):
        state = scheduler.review(state, rating, at, review_id)
        with monkeypatch.context() as patched:
            fuzzed_like_a_review_id(patched, review_id)
            card, _ = scheduler._fsrs.review_card(card, fsrs.Rating(int(rating)), at)
        assert (state.due, *memory_of_state(state)) == (card.due, *memory_of(card)), f"after answer {n}"


def memory_of_state(state) -> tuple:
    return (int(_STATE_OF[state.phase]), state.step, bits(state.stability), bits(state.difficulty), state.last_review)


@pytest.mark.parametrize("steps", [((1, 10), (10,)), ((), ()), ((1,), (5, 30, 120)), ((1, 5, 10, 60), (10,))],
                         ids=["quizzer's", "none", "one learning step", "four learning steps"])
@pytest.mark.parametrize("fuzz", [True, False], ids=["fuzz", "no fuzz"])
def test_a_live_answer_is_py_fsrs_answer_with_the_fuzz_of_its_review_id(steps, fuzz, monkeypatch):
    scheduler = with_steps(Scheduler(fuzz=fuzz), *steps)
    for log in generated(100, seed=15):
        log = [(f"{log[0][2]:%s}-{n}", *rest) for n, (_, *rest) in enumerate(log)]  # ids whose fuzz varies
        assert_live_answers_are_py_fsrs_answers(scheduler, log, monkeypatch)


@settings(max_examples=200, deadline=None)
@given(parameters, st.floats(0.7, 0.99), answers)
def test_any_parameters_and_history_give_py_fsrs_answers_live(values, retention, steps):
    log = timed(steps)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_live_answers_are_py_fsrs_answers(Scheduler(desired_retention=retention, parameters=values), log,
                                                monkeypatch)


# States that lack part of their memory (written by hand or by older code) go to py-fsrs whole, fuzz and all.
@pytest.mark.parametrize("state", [
    CardState(Phase.LEARNING, T0, step=1, stability=None, difficulty=None, last_review=T0),
    CardState(Phase.LEARNING, T0, step=1, stability=3.0, difficulty=None, last_review=T0),
    CardState(Phase.LEARNING, T0, step=1, stability=None, difficulty=5.0, last_review=T0),
    CardState(Phase.LEARNING, T0, step=1, stability=3.0, difficulty=5.0, last_review=None),
    CardState(Phase.REVIEW, T0, step=None, stability=3.0, difficulty=5.0, last_review=None),
], ids=["no stability or difficulty", "no difficulty", "no stability", "no last review", "in review, no last review"])
@pytest.mark.parametrize("rating", list(Rating), ids=lambda rating: rating.name)
def test_a_state_without_its_memory_is_answered_by_py_fsrs_itself(state, rating, monkeypatch):
    at = T0 + timedelta(minutes=10)
    after = Scheduler().review(state, rating, at, "r")
    card = fsrs.Card(card_id=0, state=fsrs.State(_STATE_OF[state.phase]), step=state.step, stability=state.stability,
                     difficulty=state.difficulty, due=T0, last_review=state.last_review)
    fuzzed_like_a_review_id(monkeypatch, "r")
    card, _ = Scheduler()._fsrs.review_card(card, fsrs.Rating(int(rating)), at)
    assert (after.due, *memory_of_state(after)) == (card.due, *memory_of(card))


def test_a_live_answer_of_a_card_with_its_memory_never_reaches_py_fsrs(monkeypatch):
    # Building a py-fsrs Card costs more than FSRS's arithmetic: `_Memory` answers every state that has its memory.
    scheduler = Scheduler()
    states = [new_state(T0)]
    for rating in [Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY]:
        states.append(scheduler.review(states[-1], rating, max(T0, states[-1].due), f"r{len(states)}"))
    monkeypatch.setattr(fsrs.Scheduler, "review_card", lambda *args, **kwargs: pytest.fail("py-fsrs reached"))
    for state in states:
        for rating in Rating:
            scheduler.review(state, rating, state.due + timedelta(days=3), "x")
