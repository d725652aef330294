"""The FSRS adapter, with fixed times and no fuzz unless a test asks for it."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from quizzer.model import Phase, Rating
from quizzer.scheduler import DEFAULT_PARAMETERS, Scheduler, new_state

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def test_new_card_follows_the_learning_steps():
    scheduler = Scheduler(fuzz=False)
    state = new_state(T0)
    assert state.phase is Phase.NEW
    again = scheduler.review(state, Rating.AGAIN, T0)
    assert again.phase is Phase.LEARNING and again.due - T0 == timedelta(minutes=1)
    good = scheduler.review(state, Rating.GOOD, T0)
    assert good.phase is Phase.LEARNING and good.due - T0 == timedelta(minutes=10)
    graduated = scheduler.review(good, Rating.GOOD, T0 + timedelta(minutes=10))
    assert graduated.phase is Phase.REVIEW and graduated.due - graduated.last_review >= timedelta(days=1)


def test_well_known_cards_wait_longer():
    scheduler = Scheduler(fuzz=False)
    easy = scheduler.review(new_state(T0), Rating.EASY, T0)
    good = scheduler.review(scheduler.review(new_state(T0), Rating.GOOD, T0), Rating.GOOD, T0 + timedelta(minutes=10))
    assert easy.phase is Phase.REVIEW
    assert easy.due - T0 > good.due - T0 - timedelta(minutes=10) > timedelta(0)


def test_preview_matches_what_a_review_gives():
    scheduler = Scheduler(fuzz=True)
    state = scheduler.review(new_state(T0), Rating.EASY, T0, "r1")
    later = state.due + timedelta(days=1)
    preview = scheduler.preview(state, later, "r2")
    for rating in Rating:
        assert scheduler.review(state, rating, later, "r2").due - later == preview[rating]
    assert preview[Rating.AGAIN] < preview[Rating.HARD] <= preview[Rating.GOOD] < preview[Rating.EASY]


def test_replay_rebuilds_the_live_state_even_with_fuzz():
    scheduler = Scheduler(fuzz=True)
    log, state, at = [], new_state(T0), T0
    for number, rating in enumerate([Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD, Rating.EASY]):
        review_id = f"review-{number}"
        state = scheduler.review(state, rating, at, review_id)
        log.append((review_id, rating, at))
        at = state.due
    assert scheduler.replay(reversed(log), T0) == state


def test_fuzz_changes_long_intervals_but_not_the_global_random_state():
    import random

    scheduler = Scheduler()  # study and progress import fuzz by default
    state = scheduler.review(new_state(T0), Rating.EASY, T0, "a")
    later = state.due
    dues = {scheduler.review(state, Rating.EASY, later, f"id-{i}").due for i in range(20)}
    assert len(dues) > 1
    random.seed(7)
    expected = random.random()
    random.seed(7)
    scheduler.review(state, Rating.EASY, later, "x")
    assert random.random() == expected


def test_any_utc_timezone_is_accepted():
    # py-fsrs rejects a ZoneInfo("UTC"); the adapter converts.
    scheduler = Scheduler(fuzz=False)
    state = scheduler.review(new_state(T0), Rating.GOOD, T0.astimezone(ZoneInfo("UTC")))
    assert state.due.tzinfo is timezone.utc


def test_retrievability_falls_with_time():
    scheduler = Scheduler(fuzz=False)
    assert scheduler.retrievability(new_state(T0), T0) == 0
    state = scheduler.review(new_state(T0), Rating.EASY, T0)
    soon = scheduler.retrievability(state, T0 + timedelta(days=1))
    late = scheduler.retrievability(state, T0 + timedelta(days=60))
    assert 1 >= soon > late > 0


def test_answers_to_pass_counts_the_learning_steps_within_the_window():
    s = Scheduler(fuzz=False)
    fresh = new_state(T0)
    minutes = lambda m: timedelta(minutes=m)  # noqa: E731
    # Steps 1m and 10m: Good moves a new card to the 10m step, Good again graduates it.
    assert s.answers_to_pass(fresh, T0, minutes(20)) == 2
    assert s.answers_to_pass(fresh, T0, minutes(10)) == 2
    assert s.answers_to_pass(fresh, T0, minutes(9)) == 1  # the 10m step is past the window
    missed = s.review(fresh, Rating.AGAIN, T0)  # back to the 1m step
    assert s.answers_to_pass(missed, T0, minutes(20)) == 2
    graduated = s.review(s.review(fresh, Rating.GOOD, T0), Rating.GOOD, T0 + minutes(10))
    assert s.answers_to_pass(graduated, T0 + timedelta(days=30), minutes(20)) == 1


def test_answers_to_pass_is_worked_out_once_per_phase_and_step_and_agrees_with_each_card_alone():
    # A session at 100,000 cards may hold thousands in learning: one count per (phase, step), not per card.
    s = Scheduler(fuzz=False)
    states = []
    for n in range(30):  # learning and relearning cards of differing memory, due at differing times
        at = T0 + timedelta(days=n)
        state = new_state(at)
        for rating in [Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY][n % 4:][:1 + n % 3]:
            state = s.review(state, rating, at)
            at += timedelta(minutes=n)
        if n % 2:  # graduate, then lapse: relearning
            state = s.review(s.review(s.review(new_state(at), Rating.EASY, at), Rating.AGAIN, at + timedelta(days=9)),
                             Rating.HARD, at + timedelta(days=9, minutes=n))
        states.append(state)
    at = T0 + timedelta(days=40)
    window = timedelta(minutes=20)
    alone = [Scheduler(fuzz=False).answers_to_pass(state, at, window) for state in states]
    calls = []
    review = s.review
    s.review = lambda *args, **kwargs: calls.append(1) or review(*args, **kwargs)
    assert [s.answers_to_pass(state, at, window) for state in states] == alone
    kinds = {(state.phase, state.step) for state in states}
    assert {state.phase for state in states} >= {Phase.LEARNING, Phase.RELEARNING}
    assert len(calls) <= 2 * len(kinds) < len(states)


def test_a_preview_reads_like_a_dict_of_the_four_ratings():
    preview = Scheduler(fuzz=False).preview(new_state(T0), T0)
    assert list(preview) == list(Rating) and len(preview) == 4
    assert preview.get(7) is None and preview.get(3) == preview[Rating.GOOD]
    with pytest.raises(KeyError, match="^7$"):
        preview[7]


def test_replay_orders_the_log_by_time_not_by_review_id():
    # Review ids are random text: here the later answer's id sorts first. Good at T0 moves a new card
    # to the 10-minute step, Good 10 minutes later graduates it, so the last review is the later one.
    later = T0 + timedelta(minutes=10)
    state = Scheduler(fuzz=False).replay([("b-first", Rating.GOOD, T0), ("a-second", Rating.GOOD, later)], T0)
    assert state.phase is Phase.REVIEW and state.last_review == later


def test_a_review_never_waits(monkeypatch):
    # py-fsrs sleeps 1 ms to make a card id when given none: a replay of 100,000 answers would wait 100 s.
    import time

    def no_sleep(seconds):
        raise AssertionError(f"slept {seconds} s")

    monkeypatch.setattr(time, "sleep", no_sleep)
    scheduler = Scheduler(fuzz=False)
    state = scheduler.review(new_state(T0), Rating.GOOD, T0)
    scheduler.review(state, Rating.GOOD, T0 + timedelta(minutes=10))
    scheduler.retrievability(state, T0)
    scheduler.retrievability(new_state(T0), T0)
    scheduler.replay([("a", Rating.GOOD, T0)], T0)  # a new py-fsrs card
    scheduler.replay([("a", Rating.GOOD, T0), ("b", Rating.GOOD, T0 + timedelta(minutes=10))], T0)  # a seen one


def test_a_forgotten_card_relearns_in_one_10_minute_step():
    scheduler = Scheduler(fuzz=False)
    graduated = scheduler.review(new_state(T0), Rating.EASY, T0)
    at = graduated.due
    forgotten = scheduler.review(graduated, Rating.AGAIN, at)
    assert forgotten.phase is Phase.RELEARNING and forgotten.due - at == timedelta(minutes=10)
    relearned = scheduler.review(forgotten, Rating.GOOD, forgotten.due)
    assert relearned.phase is Phase.REVIEW


# FSRS-6 with py-fsrs 6's default parameters: a new card answered Easy goes to review with stability
# w3 = 8.2956 days, and the interval for retention R is S / F * (R ** (1 / D) - 1) days, rounded, with
# D = -w20 = -0.1542 and F = 0.9 ** (1 / D) - 1 = 0.98039: 8.2956 → 8 days at 0.9, 77.049 → 77 at 0.7.
# The schedulers are built in the test, not at collection, so that a mutation test's switch reaches them.
@pytest.mark.parametrize("settings, days", [
    ({}, 8),
    ({"desired_retention": 0.7}, 77),
    ({"parameters": (*DEFAULT_PARAMETERS[:3], 20.0, *DEFAULT_PARAMETERS[4:])}, 20),  # S = w3 = 20
], ids=["defaults", "retention 0.7", "w3 20"])
def test_an_easy_new_card_waits_the_interval_of_the_retention_and_parameters_given(settings, days):
    scheduler = Scheduler(fuzz=False, **settings)
    for n in range(20):  # with fuzz the days would vary with the review id (8 over 6 to 10)
        state = scheduler.review(new_state(T0), Rating.EASY, T0, f"id-{n}")
        assert (state.phase, state.due - T0) == (Phase.REVIEW, timedelta(days=days))


def test_a_replay_of_no_answer_or_one_is_the_live_state():
    scheduler = Scheduler(fuzz=False)
    assert scheduler.replay([], T0) == new_state(T0)
    for rating in Rating:
        live = scheduler.review(new_state(T0), rating, T0, "r")
        assert scheduler.replay([("r", rating, T0)], T0 - timedelta(days=1)) == live
    assert scheduler.replay([("r", Rating.GOOD, T0)], T0).step == 1  # the 10-minute step

