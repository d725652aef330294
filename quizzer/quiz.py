"""`quizzer quiz`: a scored test outside the FSRS schedule.

Chooses the cards (random, weakest, unseen, due), asks them through the study session's prompters and
judge, saves each answer in the one log as a quiz answer (one that reschedules only with
--reschedule) and the quiz's record as a `quiz` event (docs/events.md). Like the study session it
takes its clock and random source from the caller.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from quizzer import grading
from quizzer.cardtypes import CARD_TYPES, Judged
from quizzer.controls import Action, CardEvents, Control
from quizzer.model import (
    QUIZ_SELECTIONS, AnswerKind, Card, CardState, Deck, Event, EventKind, Kind, Outcome, Phase, QuizRecord,
    QuizScore, Rating, Review, Verdict,
)
from quizzer.scheduler import Scheduler, new_state
from quizzer.session import RATING_FOR, Neighbours, Prompter, Question, Quit, answer_time, keep_trying, saveable
from quizzer.store import CardKey, Store, StoreError
from quizzer.store import stats as queries

SELECTIONS = QUIZ_SELECTIONS
QUIZ_KINDS = frozenset(Kind) - {Kind.FLASH}  # a self-rating is not a test score: flash cards only when named
RIGHT, CLOSE, WRONG = "right", "close", "wrong"


class QuizPrompter(Prompter, Protocol):
    def feedback(self, question: Question, verdict: Verdict) -> None:
        """Practice mode: the verdict, the right answer and the explanation, before the next question."""


@dataclass(frozen=True)
class Plan:
    """What to quiz on; the CLI checks the values before building one."""

    count: int = 20
    selection: str = "random"
    exam: bool = False
    reschedule: bool = False
    kinds: frozenset[Kind] = QUIZ_KINDS
    tag: str | None = None
    named: tuple[str, ...] = ()  # the decks named on the command line, for the record


@dataclass(frozen=True)
class Result:
    """One question's outcome, for the end summary."""

    deck: Deck
    card: Card
    response: str
    mark: str  # right | close | wrong


@dataclass
class Quiz:
    quiz_id: str
    plan: Plan
    chosen: list[tuple[Deck, Card]]
    available: int  # cards that matched, of which `chosen` were taken
    started: datetime | None = None
    ended: datetime | None = None
    results: list[Result] = field(default_factory=list)
    finished: bool = False
    error: str | None = None  # why the quiz stopped, when an answer could not be saved

    @property
    def total(self) -> QuizScore:
        return _score(self.results)

    @property
    def mistakes(self) -> list[Result]:
        """Wrong answers and slips, in the order asked."""
        return [r for r in self.results if r.mark != RIGHT]

    def record(self) -> QuizRecord:
        by_deck: dict[str, list[Result]] = {}
        for result in self.results:
            by_deck.setdefault(result.deck.id, []).append(result)
        return QuizRecord(
            self.quiz_id, self.started, self.ended, self.plan.named, self.plan.tag, self.plan.selection,
            "exam" if self.plan.exam else "practice", self.plan.reschedule, self.plan.count, self.total,
            {deck: _score(results) for deck, results in by_deck.items()}, self.finished,
        )


def _score(results: Sequence[Result]) -> QuizScore:
    marks = [r.mark for r in results]
    return QuizScore(len(marks), marks.count(RIGHT), marks.count(CLOSE), marks.count(WRONG))


def choose(store: Store, scheduler: Scheduler, decks: Sequence[Deck], plan: Plan, now: datetime,
           rng: random.Random) -> Quiz:
    """Pick the quiz's cards: at most `plan.count` of the matching cards (of the kinds asked for, with the
    tag, not suspended), by `plan.selection`, asked in a shuffled order. The same seed picks the same."""
    suspended = {key for key, flags in store.flags().items() if flags.suspended}
    # (deck, card id) from the decks' ids, tags and kinds: only the chosen cards are built, at the end.
    pool = [(deck, deck.card_ids[n]) for deck in decks for n in deck.tagged_positions(plan.tag)
            if deck.card_kinds[n] in plan.kinds and (deck.id, deck.card_ids[n]) not in suspended]
    ids = [d.id for d in decks]
    rng.shuffle(pool)  # ties are broken at random, the same way for the same seed
    if plan.selection == "unseen":
        answered = queries.answered_cards(store, ids)
        pool = [entry for entry in pool if _key(entry) not in answered]
    elif plan.selection == "weakest":
        # Lowest recall now, then most lapses; cards never reviewed come after every reviewed one.
        states, lapses = store.states(ids), queries.lapse_counts(store, ids)

        def weakness(entry) -> tuple:
            state = states.get(_key(entry))
            recall = scheduler.retrievability(state, now) if state is not None else 2.0
            return (recall, -lapses.get(_key(entry), 0))

        pool.sort(key=weakness)
    elif plan.selection == "due":
        # Cramming: the cards due today come first (most overdue first), then those due soonest; then new ones.
        states = store.states(ids)
        pool.sort(key=lambda entry: (0, states[_key(entry)].due) if _key(entry) in states else (1, now))
    chosen = pool[:plan.count]
    rng.shuffle(chosen)
    return Quiz(str(uuid.uuid4()), plan, [(deck, deck.card(card_id)) for deck, card_id in chosen], len(pool))


def _key(entry: tuple[Deck, str]) -> CardKey:
    return (entry[0].id, entry[1])


class QuizRun:
    """Asks a chosen quiz and saves it: each answer as it is given, the record when it ends."""

    def __init__(self, store: Store, scheduler: Scheduler, quiz: Quiz, *,
                 clock: Callable[[], datetime], rng: random.Random, leech_action: str = "suspend",
                 day_starts_at: int = 4):
        self.store = store
        self.scheduler = scheduler
        self.quiz = quiz
        self.clock = clock
        self.rng = rng
        self.events = CardEvents(store, scheduler, day_starts_at=day_starts_at, leech_action=leech_action)
        self._neighbours: dict[str, Neighbours] = {}
        self._accepted: dict[CardKey, list[str]] = {}
        for deck, card, response in store.accepted({d.id for d, _ in quiz.chosen}):
            self._accepted.setdefault((deck, card), []).append(response)

    def run(self, prompter: QuizPrompter) -> Quiz:
        """Ask every chosen card, or until the learner quits; the quiz is saved either way."""
        quiz = self.quiz
        quiz.started = self.clock()
        self.store.start_session(quiz.quiz_id, sorted({d.id for d, _ in quiz.chosen}), quiz.started)
        try:
            for number, (deck, card) in enumerate(quiz.chosen, 1):
                self._ask(prompter, deck, card, number)
            quiz.finished = True
        except (Quit, KeyboardInterrupt, EOFError):
            pass
        except StoreError as exc:  # e.g. a full disk: every answer before this one is saved
            quiz.error = str(exc)
        finally:
            quiz.ended = self.clock()
            record = quiz.record()
            event = Event(quiz.quiz_id, EventKind.QUIZ, "", "", quiz.ended, None, record.to_dict())
            try:
                keep_trying(prompter, lambda: self.store.end_session(quiz.quiz_id, quiz.ended))
                keep_trying(prompter, lambda: self.store.add_events([event], self.events.replay))
            except StoreError as exc:
                quiz.error = quiz.error or str(exc)
        return quiz

    def _ask(self, prompter: QuizPrompter, deck: Deck, card: Card, number: int) -> None:
        key = (deck.id, card.id)
        state = self.store.state(key)
        question = Question(deck, card, Phase.NEW if state is None else state.phase, CARD_TYPES[card.kind].options(card, self.rng), number=number,
                            total=len(self.quiz.chosen), quiz=True)
        asked = self.clock()
        while True:
            try:
                response = saveable(prompter.ask(question))
                break
            except Control as control:  # undo, suspend, bury and edit belong to study sessions
                if control.command.action is Action.QUIT:
                    raise Quit from None
                prompter.notice(f"{control.command.word} is for study sessions; in a quiz, q or :quit ends it")
        review_id = str(uuid.uuid4())
        answered = self.clock()
        before = state or new_state(answered)
        if CARD_TYPES[card.kind].judged is Judged.SELF:
            intervals = self.scheduler.preview(before, answered, review_id) if self.quiz.plan.reschedule else {}
            rating = prompter.rate(question, intervals)
            verdict, response_text = Verdict(Outcome.SELF), ""
            mark = WRONG if rating is Rating.AGAIN else RIGHT
        else:
            response_text = response if isinstance(response, str) else "\n".join(response)
            if deck.id not in self._neighbours:  # gathered once per deck: a deck may hold thousands of cards
                self._neighbours[deck.id] = Neighbours(deck)
            verdict = grading.judge(card, response, neighbours=self._neighbours[deck.id].besides(card.id),
                                    accepted=self._accepted.get(key, ()))
            rating = RATING_FOR[verdict.outcome]
            mark = {Outcome.CORRECT: RIGHT, Outcome.CLOSE: CLOSE}.get(verdict.outcome, WRONG)
        saved_at = answer_time(self.clock(), before)
        self._save(prompter, Review(
            review_id=review_id, deck=deck.id, card=card.id, reviewed_at=saved_at, rating=rating,
            verdict=verdict.outcome, response=response_text,
            duration_ms=max(0, int((answered - asked).total_seconds() * 1000)), session=self.quiz.quiz_id,
            kind=AnswerKind.QUIZ, reschedules=self.quiz.plan.reschedule,
        ), before)
        self.quiz.results.append(Result(deck, card, response_text, mark))
        if not self.quiz.plan.exam and verdict.outcome is not Outcome.SELF:
            prompter.feedback(question, verdict)

    def _save(self, prompter: QuizPrompter, review: Review, before: CardState) -> None:
        """Append the answer; with --reschedule it is an ordinary review of the card (leeches included)."""
        if not review.reschedules:
            keep_trying(prompter, lambda: self.store.record(review, before.phase, before))
            return
        after = self.scheduler.review(before, review.rating, review.reviewed_at, review.review_id)
        keep_trying(prompter, lambda: self.store.record(
            review, before.phase, after, based_on=before,
            replay=lambda log: self.scheduler.replay(log, review.reviewed_at)))
        if review.rating is Rating.AGAIN and before.phase is Phase.REVIEW:
            leech = keep_trying(prompter, lambda: self.events.after_lapse((review.deck, review.card),
                                                                           review.reviewed_at))
            if leech is not None:
                prompter.notice(leech)
