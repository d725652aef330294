"""FSRS fitted to the learner's own answers, how well it predicts them, and what desired retention costs.

The only module that imports `fsrs_rs_python` (FSRS's Rust optimizer, the optional extra `optimize`),
and only inside these functions: without the extra, everything else in quizzer works.

Answers become FSRS items at day granularity, as fsrs-rs and Anki expect: each review's `delta_t` is the
number of study days (local time, turning at `day_starts_at`) since the card's previous answer, 0 for a
second answer on the same day (FSRS's short-term memory). An item is a card's answers up to one whose
`delta_t` is at least 1; that last answer is the one predicted (Again = forgotten). docs/optimizer.md.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from quizzer.model import study_day_start
from quizzer.scheduler import DEFAULT_PARAMETERS, within_bounds

INSTALL_HINT = "pip install 'quizzer[optimize]'"
# fsrs-rs's own rule (training.rs, `compute_parameters`): with fewer training items than this, after its
# outlier filter, it returns the default parameters unchanged. Below 64 it fits only the four initial
# stabilities.
MINIMUM_ITEMS = 8
HELD_OUT = 0.2  # the last 20 % of the answers, by time, test parameters fitted on the first 80 %
RELEARNING_STEPS = 1  # quizzer relearns in one 10-minute step (scheduler.py); fsrs-rs bounds w17/w18 by it

Answer = tuple[str, str, datetime, int]  # (deck, card, time, rating), from Store.training_answers


class OptimizerMissing(Exception):
    """fsrs-rs-python, the optional extra `optimize`, is not installed."""


class NotEnoughReviews(Exception):
    """Too few answers on a later day than the card's previous one to fit anything: `have` of the `answered`
    left by fsrs-rs's outlier filter, `need` needed."""

    def __init__(self, have: int, answered: int, need: int):
        super().__init__(f"{have} of {need}")
        self.have, self.answered, self.need = have, answered, need


class FitFailed(Exception):
    """fsrs-rs refused the answers or gave no usable result (it says `InvalidInput`)."""


def _rs():
    try:
        import fsrs_rs_python
    except ImportError as exc:
        raise OptimizerMissing(f"fitting FSRS needs fsrs-rs-python: {INSTALL_HINT}") from exc
    return fsrs_rs_python


@dataclass(frozen=True)
class Card:
    """One card's answers, oldest first: rating, study days since the previous answer, and time."""

    ratings: tuple[int, ...]
    delta_t: tuple[int, ...]
    times: tuple[datetime, ...]

    @functools.cached_property
    def targets(self) -> tuple[int, ...]:
        """Positions of the answers FSRS predicts: those on a later day than the card's previous answer."""
        return tuple(i for i in range(1, len(self.delta_t)) if self.delta_t[i] > 0)

    def binned(self) -> Iterator[tuple[int, tuple[int, int, int]]]:
        """Each predicted answer's position and srs-benchmark bin: (days since the last answer, answers on
        separate days so far, lapses before it). Computed when needed: kept, they would double the memory."""
        long_term, lapses = 0, 0
        for i in self.targets:
            long_term += 1
            yield i, _bin(self.delta_t[i], long_term, lapses)
            lapses += self.ratings[i] == 1


def cards_of(answers: Iterable[Answer], day_starts_at: int) -> list[Card]:
    """Answers, card after card and oldest first, as each card's history in study days."""
    cards = []
    for _, group in itertools.groupby(answers, key=lambda answer: (answer[0], answer[1])):
        ratings, delta_t, times, previous = [], [], [], None
        for _, _, moment, rating in group:
            day = study_day_start(moment, day_starts_at).toordinal()
            ratings.append(int(rating))
            delta_t.append(0 if previous is None else day - previous)
            times.append(moment)
            previous = day
        cards.append(Card(tuple(ratings), tuple(delta_t), tuple(times)))
    return cards


def split_time(cards: Sequence[Card]) -> datetime | None:
    """The time of the first answer of the last 20 % (by time) of all answers; None when there are none."""
    times = sorted(moment for card in cards for moment in card.times)
    return times[int(len(times) * (1 - HELD_OUT))] if times else None


def everything(moment: datetime) -> bool:
    return True


def items(cards: Sequence[Card], keep=everything) -> tuple[list, list[datetime]]:
    """fsrs-rs items, one for each predicted answer at a time `keep` accepts: the card's answers up to and
    including it; and the time of each one's predicted answer."""
    rs = _rs()
    made, times = [], []
    for card in cards:
        reviews = [rs.FSRSReview(rating, days) for rating, days in zip(card.ratings, card.delta_t)]
        for i in card.targets:
            if keep(card.times[i]):
                made.append(rs.FSRSItem(reviews[: i + 1]))
                times.append(card.times[i])
    return made, times


def training_count(cards: Sequence[Card]) -> int:
    """How many items fsrs-rs would train on: those its outlier filter (`prepare_training_data`) keeps.

    The filter judges a card's first answer on a later day by its gap and the card's first rating, among
    the items that have only that one (one per card, passed whole: group sizes count); every longer item
    of the card stands or falls with that pair. So one item stands for each pair, counted as many times:
    the n-th carries n extra same-day answers (which the filter ignores) to be told apart on its return."""
    rs = _rs()
    first, longer = [], {}
    for card in cards:
        if card.targets:
            i = card.targets[0]
            first.append(rs.FSRSItem([rs.FSRSReview(r, d) for r, d in zip(card.ratings[: i + 1], card.delta_t)]))
            key = (card.ratings[0], card.delta_t[i])
            longer[key] = longer.get(key, 0) + len(card.targets) - 1
    pairs = [(key, count) for key, count in longer.items() if count]
    standing = [rs.FSRSItem([rs.FSRSReview(rating, 0), *[rs.FSRSReview(3, 0)] * n, rs.FSRSReview(3, days),
                             rs.FSRSReview(3, 1)]) for n, ((rating, days), _) in enumerate(pairs)]
    kept_first, kept = rs.filter_outlier(first, standing)
    return len(kept_first) + sum(pairs[len(item.reviews) - 3][1] for item in kept)


def fit_items(training_items: list) -> tuple[float, ...]:
    """Parameters fitted to `training_items` by fsrs-rs, rounded for config.toml and inside py-fsrs's bounds."""
    rs = _rs()
    try:
        fitted = rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(
            training_items, enable_short_term=True, num_relearning_steps=RELEARNING_STEPS,
        )
    except ValueError as exc:  # fsrs-rs's errors, such as parameters that came out infinite
        raise FitFailed(f"fsrs-rs could not fit your answers ({exc})") from exc
    if not all(math.isfinite(value) for value in fitted):
        raise FitFailed("fsrs-rs could not fit your answers (a parameter came out as NaN)")
    return within_bounds(tuple(fitted))


@dataclass(frozen=True)
class Metrics:
    """How well parameters predict recall: log loss, and RMSE over srs-benchmark's bins."""

    log_loss: float
    rmse_bins: float
    reviews: int

    def to_dict(self) -> dict:
        return {"log_loss": round(self.log_loss, 6), "rmse_bins": round(self.rmse_bins, 6), "reviews": self.reviews}


class Prediction(NamedTuple):  # a tuple: made once per answer predicted, a million times for a long history
    recall: float
    recalled: bool
    bin: tuple[int, int, int]
    time: datetime


def predictions(parameters: Sequence[float], cards: Sequence[Card]) -> Iterator[Prediction]:
    """For each answer predicted (on a later day than the card's previous one): the probability of recall
    `parameters` give it from the card's memory state before it, whether it was recalled (any rating but
    Again), its srs-benchmark bin and its time."""
    rs = _rs()
    model = rs.FSRS(list(parameters))
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    chosen = [card for card in cards if card.targets]
    for start in range(0, len(chosen), 10_000):  # memory states a slice at a time: a long history is never all held
        batch = chosen[start:start + 10_000]
        states = model.historical_memory_state_batch(
            [rs.FSRSItem([rs.FSRSReview(r, d) for r, d in zip(card.ratings, card.delta_t)]) for card in batch]
        )
        for card, history in zip(batch, states):
            for i, bin_ in card.binned():
                recall = (1 + factor * card.delta_t[i] / history[i - 1].stability) ** decay
                yield Prediction(recall, card.ratings[i] > 1, bin_, card.times[i])


def evaluate(parameters: Sequence[float], cards: Sequence[Card], keep=everything) -> Metrics | None:
    """Log loss and RMSE(bins) of the recall `parameters` predict for the answers `keep` accepts (None if none)."""
    return evaluate_parts(parameters, cards, {"": keep})[""]


def evaluate_parts(parameters: Sequence[float], cards: Sequence[Card], parts: dict) -> dict[str, Metrics | None]:
    """`evaluate` for several parts of the history ({name: which times}) in one pass over the memory states.

    Computed as srs-benchmark (and fsrs-rs `evaluate`, item by item) does: RMSE over bins of (days since the
    last answer, answers on separate days so far, lapses so far), each bin weighted by its answers."""
    totals = {name: [0.0, 0, {}] for name in parts}  # log loss, answers, bins
    for p, recalled, bin_, moment in predictions(parameters, cards):
        p = min(max(p, 1e-7), 1 - 1e-7)  # a certainty that turned out wrong costs a bounded loss
        loss = -math.log(p if recalled else 1 - p)
        for name, keep in parts.items():
            if keep(moment):
                total = totals[name]
                total[0] += loss
                total[1] += 1
                counts = total[2].setdefault(bin_, [0.0, 0, 0])
                counts[0] += p
                counts[1] += recalled
                counts[2] += 1
    return {name: Metrics(loss / count, math.sqrt(sum((p - y) ** 2 / n for p, y, n in bins.values()) / count), count)
            if count else None for name, (loss, count, bins) in totals.items()}


@functools.lru_cache(maxsize=4096)
def _bin(days: int, long_term: int, lapses: int) -> tuple[int, int, int]:
    # srs-benchmark's `rmse_matrix` bins, as fsrs-rs `FSRSItem::r_matrix_index` computes them.
    delta_bin = round(2.48 * 3.62 ** math.floor(math.log(days, 3.62)) * 100)
    length = long_term + 1
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapse_bin = round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73))) if lapses else 0
    return delta_bin, length_bin, lapse_bin


@dataclass(frozen=True)
class Fit:
    """What `quizzer optimize` found: the parameters fitted to the whole history, and how each set of
    parameters predicts the held-out answers (those fitted on the first 80 %) and the whole history."""

    parameters: tuple[float, ...]
    held_out_parameters: tuple[float, ...]
    answers: int
    cards: int
    items: int
    seconds: float
    held_out: dict[str, Metrics | None]  # "default", "current" (when fitted before), "fitted"
    whole: dict[str, Metrics | None]

    @property
    def baseline(self) -> str:
        return "current" if "current" in self.whole else "default"

    @property
    def better(self) -> bool:
        """Whether the fitted parameters predict the held-out answers with a lower log loss than those in use."""
        fitted, baseline = self.held_out["fitted"], self.held_out[self.baseline]
        return fitted is not None and baseline is not None and fitted.log_loss < baseline.log_loss

    def to_dict(self) -> dict:
        def metrics(name: str) -> dict:
            return {"held_out": _dict(self.held_out[name]), "whole": _dict(self.whole[name])}

        return {
            "parameters": list(self.parameters),
            "held_out_parameters": list(self.held_out_parameters),
            "answers": self.answers, "cards": self.cards, "reviews_fitted": self.items,
            "seconds": round(self.seconds, 3),
            **{name: metrics(name) for name in self.whole},
            "better": self.better,
        }


def _dict(metrics: Metrics | None) -> dict | None:
    return metrics.to_dict() if metrics else None


def fit(answers: Iterable[Answer], day_starts_at: int, current: tuple[float, ...] | None = None) -> Fit:
    """Fit FSRS to the answers, on the first 80 % and on all of them, and evaluate default, current (if any)
    and fitted parameters. NotEnoughReviews when fsrs-rs would have too few items to fit anything."""
    started = time.perf_counter()
    cards = cards_of(answers, day_starts_at)
    have = training_count(cards)
    if have < MINIMUM_ITEMS:
        raise NotEnoughReviews(have, sum(len(card.targets) for card in cards), MINIMUM_ITEMS)
    whole, times = items(cards)
    split = split_time(cards)
    early = [item for item, moment in zip(whole, times) if moment < split]
    held_out_parameters = fit_items(early) if early else DEFAULT_PARAMETERS
    del early
    parameters = fit_items(whole)
    del whole, times
    seconds = time.perf_counter() - started

    def after(moment: datetime) -> bool:
        return moment >= split

    held_out, whole_history = {}, {}
    candidates = {"default": DEFAULT_PARAMETERS}
    if current is not None and tuple(current) != DEFAULT_PARAMETERS:
        candidates["current"] = tuple(current)
    for name, used in candidates.items():  # the same parameters on both parts: one pass
        found = evaluate_parts(used, cards, {"held_out": after, "whole": everything})
        held_out[name], whole_history[name] = found["held_out"], found["whole"]
    held_out["fitted"] = evaluate(held_out_parameters, cards, after)
    whole_history["fitted"] = evaluate(parameters, cards)
    return Fit(
        parameters=parameters, held_out_parameters=held_out_parameters,
        answers=sum(len(card.ratings) for card in cards), cards=len(cards), items=sum(len(c.targets) for c in cards),
        seconds=seconds, held_out=held_out, whole=whole_history,
    )


# -- desired retention -------------------------------------------------------------------------------

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97)
SIMULATED_DAYS = 365


@dataclass(frozen=True)
class Workload:
    """A year of study simulated at one desired retention."""

    retention: float
    reviews_per_day: float  # answers to cards already learned, on average
    answers: int  # every answer of the year, first answers to new cards too
    known: float  # cards expected to be recalled on the last day

    @property
    def known_per_answer(self) -> float:
        return self.known / self.answers if self.answers else 0.0

    def to_dict(self) -> dict:
        return {"retention": self.retention, "reviews_per_day": round(self.reviews_per_day, 1),
                "answers": self.answers, "known": round(self.known, 1),
                "known_per_answer": round(self.known_per_answer, 4)}


def workloads(parameters: Sequence[float], retentions: Iterable[float], *, cards: int, new_per_day: int,
              reviews_per_day: int, seed: int = 42) -> list[Workload]:
    """fsrs-rs's simulator, one year of daily study of `cards` cards at each desired retention.

    New cards at most `new_per_day` a day and reviews at most `reviews_per_day`; time spent is not limited
    (quizzer's limits count cards). The ratings' odds and the learning steps' outcomes are fsrs-rs's
    defaults (from Anki users' logs). The same seed for every retention, so they differ only by it."""
    rs = _rs()
    config = rs.default_simulator_config()
    config.deck_size = cards
    config.learn_span = SIMULATED_DAYS
    config.learn_limit = new_per_day
    config.review_limit = reviews_per_day
    config.max_cost_perday = math.inf
    config.learning_step_count, config.relearning_step_count = 2, RELEARNING_STEPS
    found = []
    for retention in retentions:
        result = rs.simulate(list(parameters), retention, config, seed)
        reviews = sum(result.review_cnt_per_day)
        found.append(Workload(retention, reviews / SIMULATED_DAYS, reviews + sum(result.learn_cnt_per_day),
                              result.memorized_cnt_per_day[-1]))
    return found
