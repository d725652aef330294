"""FSRS scheduling through py-fsrs; the only module that imports `fsrs`."""

from __future__ import annotations

import contextlib
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
        # The same without fuzz, for the answers of a replay before the last: see `replay`.
        self._unfuzzed = (fsrs.Scheduler.from_dict({**self._fsrs.to_dict(), "enable_fuzzing": False}) if fuzz
                          else self._fsrs)
        self._passes: dict[tuple[Phase, int | None, timedelta], int] = {}  # answers_to_pass, see there

    def review(self, state: CardState, rating: Rating, at: datetime, review_id: str = "") -> CardState:
        """The card's state after answering with `rating` at `at` (a UTC datetime)."""
        return _from_fsrs(self._review(_to_fsrs(state), rating, at, review_id))

    def _review(self, card: fsrs.Card, rating: Rating, at: datetime, review_id: str) -> fsrs.Card:
        with _fuzz_seeded_by(review_id):
            card, _ = self._fsrs.review_card(card, _FSRS_RATINGS[rating], _utc(at))
        return card

    def preview(self, state: CardState, at: datetime, review_id: str = "") -> Preview:
        """How long until the card comes back for each rating, were review `review_id` given now."""
        return Preview(self, state, at, review_id)

    def replay(self, reviews: Iterable[tuple[str, Rating, datetime]], created: datetime) -> CardState:
        """Rebuild a card's state from its log of (review id, rating, time), in any order."""
        # As `review` answer after answer, but the card stays py-fsrs's between them (the conversions cost
        # as much as FSRS), and fuzz, which moves only the due time, is drawn for the last answer alone:
        # each answer sets the due time afresh without reading it, so only the last one's shows.
        ordered = sorted(reviews, key=lambda r: r[2])
        if not ordered:
            return new_state(created)
        card, review_card = _to_fsrs(new_state(created)), self._unfuzzed.review_card
        for _, rating, at in ordered[:-1]:
            card, _ = review_card(card, _FSRS_RATINGS[rating], _utc(at))
        review_id, rating, at = ordered[-1]
        return _from_fsrs(self._review(card, rating, at, review_id))

    def answers_to_pass(self, state: CardState, at: datetime, within: timedelta) -> int:
        """How many answers rated Good, each given when the card is due (not before `at`), the card takes
        until it next comes back more than `within` later: 1 in review, 2 for a new card (steps 1m, 10m).

        Within less than a day the count depends on the phase and step alone: Good moves a card through
        fixed steps whatever its memory state, and out of them at least a day ahead. So it is worked out
        once per (phase, step): a session may hold thousands of cards in learning."""
        key = (state.phase, state.step, within)
        if within >= timedelta(days=1):
            return self._count_passes(state, at, within)
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
