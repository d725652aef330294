"""The study engine: build the queue, ask, judge, schedule and save each answer.

It talks to a `Prompter` (interactive or plain) and never to a terminal library, and takes its
clock and random source from the caller, so tests can drive it with a script and fixed times.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Protocol

from quizzer.cardtypes import CARD_TYPES, Judged
from quizzer.controls import Action, CardEvents, Control
from quizzer.model import (
    Card, CardState, Deck, Outcome, Phase, Rating, Review, Verdict, study_day_start,
)
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store, StoreBusy, StoreError
from quizzer.study_queue import EARLY_LEARNING_WINDOW, Entry, Learning, Queue, Stored, in_turn

WAITING = "another quizzer is writing to your progress (an import?); saving as soon as it is done, nothing is lost"
RATING_FOR = {Outcome.CORRECT: Rating.GOOD, Outcome.CLOSE: Rating.HARD, Outcome.WRONG: Rating.AGAIN}


class Quit(Exception):
    """The learner ended the session (q, Ctrl-C, Ctrl-D or end of input)."""


class NotEditable(Exception):
    """The card's deck cannot be edited here (a built-in deck, no terminal, no editor); the message says why."""


# Injected by cli (the session does not know editors): edits the card's deck file and returns the deck as
# it now is if the edit changed it, None if not (unchanged, or restored after errors); raises NotEditable.
EditCard = Callable[[Deck, Card], "Deck | None"]


@dataclass(frozen=True)
class Question:
    """One card as shown: choice options and order items already shuffled."""

    deck: Deck
    card: Card
    phase: Phase
    options: tuple[str, ...] = ()
    number: int = 1  # this is the session's n-th question (a card asked again counts again)
    total: int = 1  # the questions the session asks if every answer from here on is right
    quiz: bool = False  # asked in `quizzer quiz`: no schedule shown, no commands but quit


@dataclass(frozen=True)
class Decision:
    """What the learner settles on after seeing the verdict."""

    rating: Rating
    override: bool = False  # count a wrong or close answer as right
    remember: bool = False  # and accept this response for the card from now on


class Prompter(Protocol):
    def ask(self, question: Question) -> str | tuple[str, ...]:
        """Show the question and return the response (flash: after the reveal). Raise Quit to stop."""

    def rate(self, question: Question, intervals: Mapping[Rating, timedelta]) -> Rating:
        """Flash cards: show the answer, let the learner rate themself."""

    def confirm(
        self, question: Question, response: str, verdict: Verdict, proposed: Rating,
        intervals: Mapping[Rating, timedelta],
    ) -> Decision:
        """Judged cards: show the verdict; the learner may change the rating before it is saved."""

    def saved(self, question: Question, verdict: Verdict, rating: Rating, due_in: timedelta) -> None:
        """Called once the answer is saved: report the result and when the card comes back."""

    def waiting(self, message: str) -> None:
        """Another process is writing, so the answer (or the session's end) is not saved yet; it is retried."""

    def notice(self, message: str) -> None:
        """One line about what a command did (`undone deck/card`), or a leech."""


@dataclass(frozen=True)
class Limits:
    new_per_day: int = 20  # per deck
    reviews_per_day: int = 200
    day_starts_at: int = 4
    new_order: str = "mixed"  # several decks' new cards taken in turn ("mixed") or deck after deck ("deck")
    leech_action: str = "suspend"  # or "tag"


@dataclass
class Summary:
    session_id: str
    started: bool = False  # False when there was nothing to study
    answers: int = 0
    cards: int = 0
    new: int = 0
    reviews: int = 0
    right: int = 0
    wrong: int = 0
    answering_ms: int = 0  # time spent answering, each question shown to its answer, as `history` counts it
    next_due: datetime | None = None  # when nothing was left to study: the next card's due time
    error: str | None = None  # why the session stopped early, when an answer could not be saved

    @property
    def accuracy(self) -> float | None:
        return self.right / self.answers if self.answers else None


class StudySession:
    def __init__(
        self,
        store: Store,
        scheduler: Scheduler,
        decks: Sequence[Deck],
        *,
        limits: Limits = Limits(),
        tag: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        rng: random.Random | None = None,
        edit_card: EditCard | None = None,
    ):
        self.store = store
        self.scheduler = scheduler
        self.decks = list(decks)
        self.limits = limits
        self.tag = tag
        self.clock = clock
        self.rng = rng or random.Random()
        self.edit_card = edit_card
        self.summary = Summary(session_id=str(uuid.uuid4()))
        self.events = CardEvents(store, scheduler, day_starts_at=limits.day_starts_at,
                                 leech_action=limits.leech_action)
        self._neighbours: dict[str, Neighbours] = {}  # per deck, gathered when first needed
        self._accepted: dict[tuple[str, str], list[str]] = {}
        for deck, card, response in store.accepted(d.id for d in self.decks):
            self._accepted.setdefault((deck, card), []).append(response)

    def cards_in_scope(self) -> set[tuple[str, str]]:
        """(deck id, card id) of every card this session may ask, new or not."""
        return {(d.id, d.card_ids[n]) for d in self.decks for n in d.tagged_positions(self.tag)}

    def build_queue(self, now: datetime) -> Queue:
        day_start = study_day_start(now, self.limits.day_starts_at)
        hidden = self.store.hidden(now)  # suspended or buried
        reviews_left = self.limits.reviews_per_day - self.store.review_answers_since(day_start)
        queue = Queue()
        # Only the cards due today are read, none is built, and a state is made only for each card queued:
        # a large library has thousands due, and a session asks a few hundred of the reviews.
        day_end = day_start + timedelta(days=1)
        # deck id -> (its position, the deck, the positions of its cards tagged, None for all)
        decks = {d.id: (position, d, None if self.tag is None else set(d.tagged_positions(self.tag)))
                 for position, d in enumerate(self.decks)}

        def place(deck_id: str, card: str) -> tuple[int, int, Deck] | None:
            """(deck position, card position, deck) of a card to ask; None for one removed from its deck,
            suspended, buried or not tagged."""
            deck_position, deck, tagged = decks[deck_id]
            n = deck.position(card)
            if n is None or (deck_id, card) in hidden or (tagged is not None and n not in tagged):
                return None
            return deck_position, n, deck

        answered = {}  # deck id -> the ids of its cards answered (EVERY_CARD: exactly the deck's)
        stored, asks = [], {}  # (phase, step) -> questions: Good moves a learning card through fixed steps
        for deck_id, (count, ids_text, learning) in self.store.answered_and_learning(decks, day_end).items():
            _, deck, tagged = decks[deck_id]
            if deck.has_exactly(count, ids_text):
                answered[deck_id], gone = EVERY_CARD, ()
            else:
                answered[deck_id] = ids = set(json.loads(ids_text))
                gone = ids.difference(deck.card_ids) if learning else ()  # answered, no longer in the deck's file
            for card, phase, due, step in learning:
                if card in gone or (deck_id, card) in hidden or (
                        tagged is not None and deck.position(card) not in tagged):
                    continue
                if (phase, step) not in asks:
                    asks[phase, step] = self._asks(self.store.state((deck_id, card)), now)
                stored.append((due, deck_id, card, asks[phase, step]))
        queue.learning = Learning(stored=Stored(stored, {d.id: d for d in self.decks}, self._stored_entry(now)))
        reviews = []  # (due, deck position, card position, deck, row), most overdue first
        if reviews_left > 0:
            with contextlib.closing(self.store.state_rows(decks, day_end, reviews=True)) as rows:
                for row in rows:
                    if len(reviews) >= reviews_left and row[3] != reviews[-1][0]:
                        break  # the day's limit is reached, with every card due at the same time as the last
                    if found := place(*row[:2]):
                        reviews.append((row[3], *found, row))
        reviews.sort(key=lambda r: r[:3])  # most overdue first, then file order
        # Good keeps a card in review: one question (no scheduler call for each)
        queue.reviews = [Entry(deck, row[1], self.store.row_state(row)) for *_, deck, row in reviews[:reviews_left]]
        queue.new = self._new_cards(day_start, now, hidden, answered)
        return queue

    def _stored_entry(self, now: datetime) -> Callable[[Deck, str], Entry]:
        """How a card in learning when the session began is queued once it comes up: with its state as the
        store has it (none if its progress was deleted meanwhile: a new card)."""

        def make(deck: Deck, card_id: str) -> Entry:
            state = self.store.state((deck.id, card_id)) or new_state(now)
            return Entry(deck, card_id, state, self._asks(state, now))

        return make

    def _new_cards(self, day_start: datetime, now: datetime, hidden: set[tuple[str, str]],
                   answered: Mapping[str, set[str]]) -> list[Entry]:
        """Each deck's first cards never answered, in file order, up to its new-card limit for today."""
        new_today = self.store.new_cards_since(day_start)
        fresh = new_state(now)
        fresh_asks = self._asks(fresh, now)
        new_per_deck = []
        for deck in self.decks:
            new_per_deck.append(entries := [])
            left = self.limits.new_per_day - new_today.get(deck.id, 0)
            if left <= 0:
                continue
            if answered.get(deck.id) is EVERY_CARD:
                continue
            ids = deck.card_ids
            skip = answered.get(deck.id, set()) | {card for d, card in hidden if d == deck.id}
            if skip.issuperset(ids):  # every card answered (or hidden): no id to look at one by one
                continue
            fresh_ids = (ids[n] for n in deck.tagged_positions(self.tag) if ids[n] not in skip)
            entries += [Entry(deck, card_id, fresh, fresh_asks) for card_id in itertools.islice(fresh_ids, left)]
        return in_turn(new_per_deck) if self.limits.new_order == "mixed" else sum(new_per_deck, [])

    def next_due(self) -> datetime | None:
        states = self.store.states(d.id for d in self.decks)
        wanted = self.cards_in_scope()
        return min((s.due for k, s in states.items() if k in wanted), default=None)

    def run(self, prompter: Prompter) -> Summary:
        """Study until the queue is empty or the learner quits; every answer is saved as it is given."""
        started = self.clock()
        queue = self.build_queue(started)
        if not queue:
            self.summary.next_due = self.next_due()
            return self.summary
        self.store.start_session(self.summary.session_id, [d.id for d in self.decks], started)
        self.summary.started = True
        asked = 0  # questions answered and kept: an undo takes one back, a command on screen answers none
        try:
            while (entry := queue.pop(now := self.clock())) is not None:
                try:
                    self._study(prompter, entry, queue, asked + 1, asked + entry.asks + queue.asks(now))
                    asked += 1
                except Control as control:
                    if self._command(prompter, control.command.action, entry, queue):
                        asked -= 1
        except (Quit, KeyboardInterrupt, EOFError):
            pass
        except StoreError as exc:  # e.g. a full disk: stop here; every answer before this one is saved
            self.summary.error = str(exc)
        finally:
            ended = self.clock()
            try:
                keep_trying(prompter, lambda: self.store.end_session(self.summary.session_id, ended))
            except StoreError as exc:
                self.summary.error = self.summary.error or str(exc)
            self._finish_summary()
        return self.summary

    def _asks(self, state: CardState, now: datetime) -> int:
        return self.scheduler.answers_to_pass(state, now, EARLY_LEARNING_WINDOW)

    def _study(self, prompter: Prompter, entry: Entry, queue: Queue, number: int, total: int) -> None:
        card = entry.card
        question = Question(
            entry.deck, card, entry.state.phase, CARD_TYPES[card.kind].options(card, self.rng), number=number,
            total=total,
        )
        asked = self.clock()
        quitting = False
        response = saveable(prompter.ask(question))
        review_id = str(uuid.uuid4())
        answered = self.clock()
        intervals = self.scheduler.preview(entry.state, answered, review_id)
        accept = None  # a response the learner asks to count as right from now on
        if CARD_TYPES[card.kind].judged is Judged.SELF:
            verdict = Verdict(Outcome.SELF)
            rating = prompter.rate(question, intervals)
            response_text = ""
        else:
            from quizzer import grading  # with rapidfuzz, loaded while the first question is on screen

            response_text = response if isinstance(response, str) else "\n".join(response)
            verdict = grading.judge(
                card, response,
                # Other cards' answers: a response nearer to one of them is never a slip for this one.
                neighbours=self._typed_answers(entry.deck).besides(card.id),
                accepted=self._accepted.get(entry.key, ()),
            )
            try:
                decision = prompter.confirm(question, response_text, verdict, RATING_FOR[verdict.outcome], intervals)
            except Quit:  # quitting at the verdict keeps the answer given, as judged
                decision, quitting = Decision(RATING_FOR[verdict.outcome]), True
            rating = decision.rating
            if decision.override and verdict.outcome in (Outcome.WRONG, Outcome.CLOSE):
                verdict = Verdict(Outcome.OVERRIDDEN, "counted as right by you")
                if decision.remember and response_text.strip() and CARD_TYPES[card.kind].remembers_responses:
                    accept = response_text.strip()
        saved_at = answer_time(self.clock(), entry.state)
        after = self.scheduler.review(entry.state, rating, saved_at, review_id)
        review = Review(
            review_id=review_id, deck=entry.deck.id, card=card.id, reviewed_at=saved_at, rating=rating,
            verdict=verdict.outcome, response=response_text,
            duration_ms=max(0, int((answered - asked).total_seconds() * 1000)), session=self.summary.session_id,
        )
        # Another terminal may have answered this card meanwhile; the store then saves a replay instead.
        try:
            after = keep_trying(prompter, lambda: self.store.record(
                review, entry.state.phase, after, based_on=entry.state,
                replay=lambda log: self.scheduler.replay(log, saved_at), accept=accept,
            ))
        except KeyboardInterrupt:
            self.summary.error = "stopped while waiting to save: your last answer was not saved"
            raise
        if accept is not None:
            self._accepted.setdefault(entry.key, []).append(accept)
        prompter.saved(question, verdict, rating, after.due - saved_at)
        if rating is Rating.AGAIN and entry.state.phase is Phase.REVIEW:
            leech = keep_trying(prompter, lambda: self.events.after_lapse(entry.key, saved_at))
            if leech is not None:
                prompter.notice(leech)
                if entry.key in self.store.hidden(saved_at):
                    return
        day_end = study_day_start(saved_at, self.limits.day_starts_at) + timedelta(days=1)
        if after.phase in (Phase.LEARNING, Phase.RELEARNING) and after.due < day_end:
            queue.learning[entry.key] = Entry(entry.deck, entry.card_id, after, self._asks(after, saved_at))
        if quitting:
            raise Quit

    def _command(self, prompter: Prompter, action: Action, entry: Entry, queue: Queue) -> bool:
        """Carry out a command given while `entry` was on screen; its answer, if any, was not saved.
        True when an earlier answer was undone."""
        now = self.clock()
        label = f"{entry.deck.id}/{entry.card.id}"
        if action is Action.QUIT:
            raise Quit
        if action is Action.SUSPEND:
            keep_trying(prompter, lambda: self.events.suspend([entry.key], now))
            prompter.notice(f"suspended {label}; `quizzer unsuspend {label}` brings it back")
        elif action is Action.BURY:
            until = keep_trying(prompter, lambda: self.events.bury([entry.key], now))
            prompter.notice(f"buried {label} until {until.astimezone():%Y-%m-%d %H:%M}")
        elif action is Action.UNDO:
            queue.again.insert(0, entry)  # the card on screen comes after the one undone
            undone = keep_trying(prompter, lambda: self.events.undo(now, session=self.summary.session_id))
            if undone is None:
                prompter.notice("nothing to undo in this session")
                return False
            key = (undone["deck"], undone["card"])
            queue.learning.discard(key)
            queue.again = [e for e in queue.again if e.key != key]
            deck = next(d for d in self.decks if d.id == key[0])
            state = self.store.states([key[0]]).get(key) or new_state(now)
            queue.again.insert(0, Entry(deck, key[1], state, self._asks(state, now)))
            prompter.notice(f"undone {key[0]}/{key[1]}: asking it again")
            return True
        elif action is Action.EDIT:
            self._edit(prompter, entry, queue)
        return False

    def _edit(self, prompter: Prompter, entry: Entry, queue: Queue) -> None:
        """Edit the card's deck file, then ask the card again as the file now has it. Not an event: the
        file is the truth for card content, and progress follows the card's id."""
        queue.again.insert(0, entry)
        if self.edit_card is None:
            prompter.notice(":edit is not available here")
            return
        try:
            deck = self.edit_card(entry.deck, entry.card)
        except NotEditable as exc:
            prompter.notice(str(exc))
            return
        if deck is None:
            return
        self._replace_deck(deck, queue)
        if not any(e.key == entry.key for e in queue.again):
            prompter.notice(f"{entry.deck.id}/{entry.card.id} is no longer in the deck (its id changed or it was "
                            "removed); going on")

    def _replace_deck(self, deck: Deck, queue: Queue) -> None:
        """Study the edited `deck` from here on: queued cards come from it, removed ones leave the queue.
        Cards it adds wait for the next session."""
        self.decks = [deck if d.id == deck.id else d for d in self.decks]
        self._neighbours.pop(deck.id, None)
        cards = set(deck.card_ids)

        def renewed(entries: list[Entry]) -> list[Entry]:
            return [e if e.deck.id != deck.id else replace(e, deck=deck)
                    for e in entries if e.deck.id != deck.id or e.card_id in cards]

        queue.again, queue.reviews, queue.new = renewed(queue.again), renewed(queue.reviews), renewed(queue.new)
        queue.learning.replace(deck)

    def _typed_answers(self, deck: Deck) -> Neighbours:
        if deck.id not in self._neighbours:
            self._neighbours[deck.id] = Neighbours(deck)
        return self._neighbours[deck.id]

    def _finish_summary(self) -> None:
        counts = self.store.session_counts(self.summary.session_id)
        s = self.summary
        s.answers, s.cards, s.new, s.reviews = counts["answers"], counts["cards"], counts["new"], counts["reviews"]
        s.right, s.wrong = counts["right"], counts["wrong"]
        s.answering_ms = counts["duration_ms"]


def answer_time(now: datetime, state: CardState) -> datetime:
    """`now`, or just after the card's last answer when the clock says otherwise (set back, or held still
    as $QUIZZER_NOW holds it): the log replays a card's answers in time order, so each answer must come
    after the one its state was scheduled from, or a replay could give another state."""
    last = state.last_review
    return now if last is None or now > last else last + timedelta(microseconds=1)


def keep_trying(prompter: Prompter, save: Callable[[], object]):
    """Save what the learner did, however long another process (a large import) holds the lock."""
    while True:
        try:
            return save()
        except StoreBusy:
            prompter.waiting(WAITING)


EVERY_CARD: set[str] = set()  # stands for a deck's answered ids when they are exactly its own


def saveable(response: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """The response with bytes that were not UTF-8 as U+FFFD. A terminal passes such bytes on as lone
    surrogates, which the database cannot store: the answer would be lost at save time."""
    if isinstance(response, tuple):
        return tuple(saveable(item) for item in response)
    try:
        raw = response.encode("utf-8", "surrogateescape")  # the bytes as typed, where they were escaped
    except UnicodeEncodeError:
        raw = response.encode("utf-8", "surrogatepass")  # any other lone surrogate
    return raw.decode("utf-8", "replace")


def typed_answers(deck: Deck) -> list[tuple[str, str]]:
    """(card id, answer) for every answer typed in the deck: typed answers and cloze blanks."""
    return [(card.id, a) for card in deck.cards for a in CARD_TYPES[card.kind].typed_answers(card)]


class Neighbours:
    """A deck's `typed_answers`, gathered once, for judging each card's response against the other cards'."""

    def __init__(self, deck: Deck):
        pairs = typed_answers(deck)
        self._answers = tuple(answer for _, answer in pairs)
        self._own: dict[str, tuple[int, int]] = {}  # card id → where its answers lie (ids are unique in a deck)
        for at, (card_id, _) in enumerate(pairs):
            self._own[card_id] = (self._own.get(card_id, (at, at))[0], at + 1)

    def besides(self, card_id: str) -> Besides:
        """The answers of every card but `card_id`, read where they lie: not a pass over the deck, nor a copy
        of it, on each answer."""
        start, stop = self._own.get(card_id, (0, 0))
        return Besides(self._answers, start, stop)


class Besides:
    """A deck's answers but those in [start, stop), read in place when judging iterates them: most answers
    are right at the first comparison and never read them (issue 14)."""

    __slots__ = ("_answers", "_start", "_stop")

    def __init__(self, answers: tuple[str, ...], start: int, stop: int):
        self._answers, self._start, self._stop = answers, start, stop

    def __iter__(self):
        return itertools.chain(itertools.islice(self._answers, self._start),
                               itertools.islice(self._answers, self._stop, None))

    def __len__(self) -> int:
        return len(self._answers) - (self._stop - self._start)
