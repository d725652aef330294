"""FSRS scheduling through py-fsrs; the only module that imports `fsrs`."""

from __future__ import annotations

import contextlib
import math
import operator
import random
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone

import fsrs
import fsrs.scheduler

from quizzer.model import CardState, Phase, Rating

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
# FSRS-6's bounds, as py-fsrs checks them (`Scheduler._validate_parameters`); the optimizer's clipper
# (fsrs-rs `parameter_clipper`) keeps fitted values inside them.
_BOUNDS = tuple(zip(fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS))


def parameter_problem(values: tuple[float, ...]) -> str | None:
    """What is wrong with `values` as FSRS parameters (their count, or the first out of bounds); None if nothing."""
    if len(values) != len(_BOUNDS):
        return f"must be {len(_BOUNDS)} numbers (FSRS-6's parameters), not {len(values)}"
    for index, (value, (low, high)) in enumerate(zip(values, _BOUNDS)):
        if not low <= value <= high:  # NaN fails too
            return f"parameter {index} is {value!r}, outside FSRS's bounds {low} to {high}"
    return None


def within_bounds(values: tuple[float, ...], digits: int = 4) -> tuple[float, ...]:
    """`values` rounded for config.toml, each kept inside its bound (rounding may step over one)."""
    return tuple(min(max(round(value, digits), low), high) for value, (low, high) in zip(values, _BOUNDS))

_PHASES = {
    fsrs.State.Learning: Phase.LEARNING,
    fsrs.State.Review: Phase.REVIEW,
    fsrs.State.Relearning: Phase.RELEARNING,
}
_STATES = {phase: state for state, phase in _PHASES.items()}
_STATE_OF = {phase: int(state) for phase, state in _STATES.items()}
_PHASE_OF = {int(state): phase for state, phase in _PHASES.items()}
_FSRS_RATINGS = {rating: fsrs.Rating(int(rating)) for rating in Rating}


def new_state(now: datetime) -> CardState:
    return CardState(phase=Phase.NEW, due=now)


@contextlib.contextmanager
def _fuzz_seeded_by(review_id: str) -> Iterator[None]:
    # py-fsrs draws its interval fuzz from the global `random()`. Seeding it from the review id
    # makes a replay of the log give exactly the schedule the live review gave, on any machine.
    # Most reviews draw no fuzz (learning steps, short intervals): seed only when one is drawn.
    seeded = None

    def draw() -> float:
        nonlocal seeded
        if seeded is None:
            seeded = random.Random(zlib.crc32(review_id.encode())).random
        return seeded()

    original = fsrs.scheduler.random
    fsrs.scheduler.random = draw
    try:
        yield
    finally:
        fsrs.scheduler.random = original


class Scheduler:
    """FSRS with the given parameters (the library's defaults when None); learning steps 1 and 10 min,
    relearning 10 min."""

    def __init__(self, *, desired_retention: float = 0.9, fuzz: bool = True,
                 parameters: tuple[float, ...] | None = None):
        self._fsrs = fsrs.Scheduler(
            parameters=DEFAULT_PARAMETERS if parameters is None else parameters,
            desired_retention=desired_retention,
            learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
            relearning_steps=(timedelta(minutes=10),),
            enable_fuzzing=fuzz,
        )
        self._memory = _Memory(self._fsrs)
        self._passes: dict[tuple[Phase, int | None, timedelta], int] = {}  # answers_to_pass, see there

    def review(self, state: CardState, rating: Rating, at: datetime, review_id: str = "") -> CardState:
        """The card's state after answering with `rating` at `at` (a UTC datetime)."""
        # `_Memory` and py-fsrs's own interval and fuzz, without a py-fsrs Card (a third of each answer's FSRS
        # cost, twice per answer with the preview); a state py-fsrs alone can take goes to py-fsrs.
        at = _utc(at)
        if state.phase is Phase.NEW:
            before, step, s, d, last = _LEARNING, 0, None, None, None
        elif state.stability is None or state.difficulty is None or state.last_review is None:
            return _from_fsrs(self._review(_to_fsrs(state), rating, at, review_id))
        else:
            before, step, s, d, last = _STATE_OF[state.phase], state.step, state.stability, state.difficulty, \
                state.last_review
        after, step, s, d = self._memory.after(before, step, s, d, last, rating, at)
        return CardState(_PHASE_OF[after], at + self._interval(after, step, s, rating, review_id), step, s, d, at)

    def _interval(self, state: int, step: int | None, stability: float, rating: Rating, review_id: str) -> timedelta:
        """How long `review_card` schedules a card answered `rating` that is now in `state` at `step`."""
        scheduler = self._fsrs
        if state == _REVIEW:
            interval = timedelta(days=scheduler._next_interval(stability=stability))
            if scheduler.enable_fuzzing:
                with _fuzz_seeded_by(review_id):
                    interval = scheduler._get_fuzzed_interval(interval=interval)
            return interval
        steps = scheduler.learning_steps if state == _LEARNING else scheduler.relearning_steps
        if rating == Rating.HARD and step == 0:  # Hard keeps the step: between it and the next
            return steps[0] * 1.5 if len(steps) == 1 else (steps[0] + steps[1]) / 2.0
        return steps[step]

    def _review(self, card: fsrs.Card, rating: Rating, at: datetime, review_id: str) -> fsrs.Card:
        with _fuzz_seeded_by(review_id):
            card, _ = self._fsrs.review_card(card, _FSRS_RATINGS[rating], _utc(at))
        return card

    def preview(self, state: CardState, at: datetime, review_id: str = "") -> Preview:
        """How long until the card comes back for each rating, were review `review_id` given now."""
        return Preview(self, state, at, review_id)

    def replay(self, reviews: Iterable[tuple[str, Rating, datetime]], created: datetime) -> CardState:
        """Rebuild a card's state from its log of (review id, rating, time), in any order."""
        # As `review` answer after answer, without a CardState between them: `_Memory` carries the memory
        # and only the last answer's due time is worked out (with its fuzz), since each answer sets it
        # afresh without reading it. No py-fsrs Card: building one cost more than a card's whole FSRS.
        ordered = sorted(reviews, key=_TIME)
        if not ordered:
            return new_state(created)
        state, step, s, d = self._memory.replayed(ordered)
        review_id, rating, at = ordered[-1]
        at = _utc(at)
        return CardState(_PHASE_OF[state], at + self._interval(state, step, s, rating, review_id), step, s, d, at)

    def answers_to_pass(self, state: CardState, at: datetime, within: timedelta) -> int:
        """How many answers rated Good, each given when the card is due (not before `at`), the card takes
        until it next comes back more than `within` later: 1 in review, 2 for a new card (steps 1m, 10m).

        The count depends on the phase and step alone: Good moves a card through fixed steps whatever its
        memory state, and the count ends when the card leaves them or waits past `within`. So it is worked
        out once per (phase, step): a session may hold thousands of cards in learning."""
        key = (state.phase, state.step, within)
        if key not in self._passes:
            self._passes[key] = self._count_passes(state, at, within)
        return self._passes[key]

    def _count_passes(self, state: CardState, at: datetime, within: timedelta) -> int:
        answers = 0
        while True:
            answers += 1
            at = max(at, state.due)
            state = self.review(state, Rating.GOOD, at)
            if state.phase not in (Phase.LEARNING, Phase.RELEARNING) or state.due - at > within:
                return answers

    def retrievability(self, state: CardState, at: datetime) -> float:
        """Probability of recalling the card at `at`; 0 for a card never reviewed."""
        return float(self._fsrs.get_card_retrievability(_to_fsrs(state), _utc(at)))

    def forgetting_curve(self) -> tuple[float, float]:
        """(factor, decay) of the curve `retrievability` follows, (1 + factor * days / stability) ** decay
        with days the whole days since the last review, so statistics can compute it for many cards at once."""
        decay = -self._fsrs.parameters[20]
        return 0.9 ** (1 / decay) - 1, decay


class _Memory:
    """What py-fsrs's `Scheduler.review_card` (6.3) carries from one answer to the next — phase, step,
    stability, difficulty — worked out with its arithmetic, operation for operation so every float is
    the same bits, without building a py-fsrs Card per answer (the copies cost more than the
    arithmetic). For the replay and for each live answer; the due time stays py-fsrs's (`_interval`: its
    `_next_interval` and `_get_fuzzed_interval`). tests/test_scheduler_memory.py holds it equal to py-fsrs on a real
    log and on random ones, for any parameters in bounds."""

    def __init__(self, scheduler: fsrs.Scheduler):
        p, e = scheduler.parameters, math.e
        self._learning_steps, self._relearning_steps = len(scheduler.learning_steps), len(scheduler.relearning_steps)
        self._factor, self._decay = scheduler._FACTOR, scheduler._DECAY
        ratings = range(1, 5)
        # The parts of each formula that depend on the rating alone, computed as py-fsrs computes them.
        self._initial = {  # _initial_stability, _initial_difficulty(clamp=True)
            r: (max(p[r - 1], _STABILITY_MIN),
                min(max(p[4] - (e ** (p[5] * (r - 1))) + 1, _MIN_DIFFICULTY), _MAX_DIFFICULTY))
            for r in ratings}
        self._short_term = {r: e ** (p[17] * (r - 3 + p[18])) for r in ratings}  # _short_term_stability
        self._delta = {r: -(p[6] * (r - 3)) for r in ratings}  # _next_difficulty
        self._reverted = p[7] * (p[4] - (e ** (p[5] * (4 - 1))) + 1)  # its mean reversion to Easy's
        self._kept = 1 - p[7]
        self._bonus = {2: p[15], 3: 1, 4: p[16]}  # _next_recall_stability's hard penalty × easy bonus (no Again)
        self._recall, self._p9, self._p10 = e ** p[8], -p[9], p[10]
        self._p11, self._p12, self._p13, self._p14 = p[11], -p[12], p[13], p[14]
        self._forget_short = e ** (p[17] * p[18])
        self._p19 = -p[19]

    def replayed(self, answers: Iterable[tuple[str, Rating, datetime]]) -> tuple[int, int | None, float, float]:
        """(state, step, stability, difficulty) of a new card after `answers`, oldest first (at least one)."""
        state, step, s, d, last = _LEARNING, 0, None, None, None
        after = self.after
        for _, rating, at in answers:
            state, step, s, d = after(state, step, s, d, last, rating, at)
            last = at
        return state, step, s, d

    def after(self, state: int, step: int | None, s: float | None, d: float | None, last: datetime | None,
              rating: int, at: datetime) -> tuple[int, int | None, float, float]:
        """(state, step, stability, difficulty) after answering `rating` at `at` a card in py-fsrs's `state`
        (a new card: Learning, step 0, no stability) last reviewed at `last`."""
        if s is None:  # the first answer: _initial_stability, _initial_difficulty(clamp=True)
            s, d = self._initial[rating]
        else:
            days = (at - last).days
            if days < 1:  # _short_term_stability
                increase = self._short_term[rating] * (s ** self._p19)
                if rating != 1 and 1.0 > increase:
                    increase = 1.0
                s = s * increase
            else:  # _next_stability, with get_card_retrievability (days ≥ 1: its max(0, ...) holds)
                r = (1 + self._factor * days / s) ** self._decay
                if rating == 1:  # _next_forget_stability
                    long = (self._p11 * (d ** self._p12) * (((s + 1) ** self._p13) - 1)
                            * (math.e ** ((1 - r) * self._p14)))
                    short = s / self._forget_short
                    s = short if short < long else long
                else:  # _next_recall_stability
                    s = s * (1 + self._recall * (11 - d) * (s ** self._p9) * ((math.e ** ((1 - r) * self._p10)) - 1)
                             * self._bonus[rating])
            if _STABILITY_MIN > s:  # _clamp_stability
                s = _STABILITY_MIN
            d = self._reverted + self._kept * (d + (10.0 - d) * self._delta[rating] / 9.0)  # _next_difficulty
            d = _MIN_DIFFICULTY if _MIN_DIFFICULTY > d else d  # then clamped (py-fsrs's bound: the damping
            d = _MAX_DIFFICULTY if _MAX_DIFFICULTY < d else d  # keeps d under 10)
        # The phase and step, as review_card's match statements move them.
        if state == _REVIEW:
            if rating == 1 and self._relearning_steps:
                return _RELEARNING, 0, s, d
            return state, step, s, d
        steps = self._learning_steps if state == _LEARNING else self._relearning_steps
        if steps == 0 or (step >= steps and rating != 1) or rating == 4 or (rating == 3 and step + 1 == steps):
            return _REVIEW, None, s, d
        if rating == 1:
            return state, 0, s, d
        return state, step + 1 if rating == 3 else step, s, d


_TIME = operator.itemgetter(2)  # an answer's time
_LEARNING, _REVIEW, _RELEARNING = map(int, (fsrs.State.Learning, fsrs.State.Review, fsrs.State.Relearning))
_STABILITY_MIN = fsrs.scheduler.STABILITY_MIN
_MIN_DIFFICULTY, _MAX_DIFFICULTY = fsrs.scheduler.MIN_DIFFICULTY, fsrs.scheduler.MAX_DIFFICULTY


class Preview(Mapping[Rating, timedelta]):
    """Scheduler.preview: each rating's interval is worked out when first read, because a judged card's
    screen shows only the proposed one (three FSRS calls saved on each answer)."""

    def __init__(self, scheduler: Scheduler, state: CardState, at: datetime, review_id: str):
        self._scheduler, self._state, self._at, self._review_id = scheduler, state, at, review_id
        self._spans: dict[Rating, timedelta] = {}

    def __getitem__(self, rating: Rating) -> timedelta:
        try:
            rating = Rating(rating)
        except ValueError:
            raise KeyError(rating) from None
        if rating not in self._spans:
            after = self._scheduler.review(self._state, rating, self._at, self._review_id)
            self._spans[rating] = after.due - _utc(self._at)
        return self._spans[rating]

    def __iter__(self) -> Iterator[Rating]:
        return iter(Rating)

    def __len__(self) -> int:
        return len(Rating)


def _utc(at: datetime) -> datetime:
    # py-fsrs accepts exactly `timezone.utc`, not another UTC tzinfo.
    return at.astimezone(timezone.utc)


def _to_fsrs(state: CardState) -> fsrs.Card:
    if state.phase is Phase.NEW:
        return fsrs.Card(card_id=0, due=_utc(state.due))
    return fsrs.Card(
        card_id=0,  # an explicit id: without one py-fsrs sleeps 1 ms to make a unique one
        state=_STATES[state.phase],
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=_utc(state.due),
        last_review=_utc(state.last_review) if state.last_review else None,
    )


def _from_fsrs(card: fsrs.Card) -> CardState:
    return CardState(
        phase=_PHASES[card.state],
        due=card.due,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review,
    )
