"""The study session's queue: the cards to ask, in the order a session asks them, and how many questions
they take. Cards put back by a command come first, then learning cards whose step has passed, then due
reviews, then new cards, then learning cards up to EARLY_LEARNING_WINDOW early. `session` builds it from
the store and the decks and takes from it; nothing here reads the store or the clock itself."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from quizzer.model import Card, CardState, Deck

EARLY_LEARNING_WINDOW = timedelta(minutes=20)  # when nothing else is left, show learning cards this early


@dataclass
class Entry:
    deck: Deck
    card_id: str  # the card is built from its deck when it is asked: thousands may be queued, few asked
    state: CardState
    asks: int = 1  # questions it takes today if every answer is right (Scheduler.answers_to_pass)

    @property
    def card(self) -> Card:
        return self.deck.card(self.card_id)

    @property
    def key(self) -> tuple[str, str]:
        return (self.deck.id, self.card_id)


_ASKS = operator.attrgetter("asks")
_THIRD = operator.itemgetter(2)  # asks, in a put-back card's place


class Stored:
    """The cards in learning when the session began, soonest due first (then by deck and card id), with
    the questions each takes. A large library has thousands, all counted before every question, and the
    session asks a few: each card's state is read (by `make`, from the store) only when it comes up. None was
    written by this session before then, since answering a card takes it from here first."""

    def __init__(self, cards: list[tuple[datetime, str, str, int]], decks: Mapping[str, Deck],
                 make: Callable[[Deck, str], Entry]):
        self.decks, self.make = decks, make
        self._index(sorted(cards))

    def _index(self, cards: list[tuple[datetime, str, str, int]]) -> None:
        self.cards, self.next = cards, 0
        self.dues = [card[0] for card in cards]
        self.sums = list(itertools.accumulate((card[3] for card in cards), initial=0))  # asks before each card

    def __len__(self) -> int:
        return len(self.cards) - self.next

    def due(self) -> datetime | None:
        return self.dues[self.next] if self.next < len(self.dues) else None

    def asks(self, soon: datetime) -> int:
        """The questions the cards due by `soon` take."""
        return self.sums[bisect.bisect_right(self.dues, soon, self.next)] - self.sums[self.next]

    def take(self) -> Entry:
        _, deck, card, _ = self.cards[self.next]
        self.next += 1
        return self.make(self.decks[deck], card)

    def entries(self) -> list[Entry]:
        """The cards still to come, their states read now."""
        return [self.make(self.decks[deck], card) for _, deck, card, _ in self.cards[self.next:]]

    def replace(self, deck: Deck) -> None:
        """Study the edited `deck` from here on: its cards no longer in it leave."""
        self.decks = {**self.decks, deck.id: deck}
        ids = set(deck.card_ids)
        self._index([c for c in self.cards[self.next:] if c[1] != deck.id or c[2] in ids])


class Learning:
    """The queue's cards in learning: those this session put back after answering them, by key, and those
    in learning when it began (`Stored`). Of two due at the same time, a stored one comes first, then the
    one put back first (a key put back again keeps its turn, as a dict keeps a key's place)."""

    def __init__(self, answered: Mapping[tuple[str, str], Entry] | None = None, stored: Stored | None = None):
        self.stored = Stored([], {}, Entry) if stored is None else stored  # none to make
        # `asks` and `soonest` run before every question: the cards put back are kept soonest due first, each
        # as (due, its turn, asks, key), with the sum of their asks, so that neither walks them all.
        self._order: list[tuple[datetime, int, int, tuple[str, str]]] = []
        self._answered: dict[tuple[str, str], tuple[tuple[datetime, int, int, tuple[str, str]], Entry]] = {}
        self._asks = 0
        self._turns = itertools.count()
        for key, entry in (answered or {}).items():
            self[key] = entry

    def __len__(self) -> int:
        return len(self._answered) + len(self.stored)

    def __setitem__(self, key: tuple[str, str], entry: Entry) -> None:
        old = self._answered.get(key)
        if old is not None:
            self._unplace(old[0])
        place = (entry.state.due, next(self._turns) if old is None else old[0][1], entry.asks, key)
        bisect.insort(self._order, place)
        self._answered[key] = place, entry
        self._asks += entry.asks

    def _unplace(self, place: tuple[datetime, int, int, tuple[str, str]]) -> None:
        del self._order[bisect.bisect_left(self._order, place)]
        self._asks -= place[2]

    def _remove(self, key: tuple[str, str]) -> Entry:
        place, entry = self._answered.pop(key)
        self._unplace(place)
        return entry

    def discard(self, key: tuple[str, str]) -> None:
        """Take an answered card out (an undo): a stored card still to come has not been answered."""
        if key in self._answered:
            self._remove(key)

    def values(self) -> list[Entry]:
        return [*(entry for _, entry in self._answered.values()), *self.stored.entries()]

    def replace(self, deck: Deck) -> None:
        """Study the edited `deck` from here on: its cards no longer in it leave, the others keep their turn."""
        ids = set(deck.card_ids)
        for key, (_, entry) in list(self._answered.items()):
            if entry.deck.id == deck.id:
                if entry.card_id in ids:
                    self._answered[key] = self._answered[key][0], dataclasses.replace(entry, deck=deck)
                else:
                    self._remove(key)
        self.stored.replace(deck)

    def asks(self, soon: datetime) -> int:
        later = bisect.bisect_right(self._order, (soon, math.inf))  # the first due after `soon`
        return self._asks - sum(map(_THIRD, itertools.islice(self._order, later, None))) + self.stored.asks(soon)

    def _answered_first(self) -> bool:
        """Whether the card to come next is one put back (False when none is left, or a stored one is due first)."""
        stored = self.stored.due()
        return bool(self._order) and (stored is None or self._order[0][0] < stored)

    def soonest(self) -> datetime | None:
        """When the card `take` gives is due; None when there is none."""
        return self._order[0][0] if self._answered_first() else self.stored.due()

    def take(self) -> Entry:
        return self._remove(self._order[0][3]) if self._answered_first() else self.stored.take()


@dataclass
class Queue:
    again: list[Entry] = field(default_factory=list)  # put back by a command: asked before anything else
    learning: Learning = field(default_factory=Learning)
    reviews: list[Entry] = field(default_factory=list)
    new: list[Entry] = field(default_factory=list)

    # The questions `reviews` and `new` take, by name: (the list summed, its length then, the sum). Counted
    # before every question, these lists hold hundreds of cards: each is summed once, then kept as `pop`
    # takes from its front; a list replaced or grown otherwise (an edit, an undo) is summed again.
    _sums: dict[str, tuple[list[Entry], int, int]] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.again) + len(self.learning) + len(self.reviews) + len(self.new)

    def asks(self, now: datetime) -> int:
        """Questions still to come if every answer is right; a learning card due later than `pop` would
        take it early counts once its time comes."""
        return sum(map(_ASKS, self.again)) + self._asks_in("reviews") + self._asks_in("new") + self.learning.asks(
            now + EARLY_LEARNING_WINDOW)

    def _asks_in(self, name: str) -> int:
        entries = getattr(self, name)
        counted = self._sums.get(name)
        if counted is None or counted[0] is not entries or counted[1] != len(entries):
            counted = self._sums[name] = (entries, len(entries), sum(map(_ASKS, entries)))
        return counted[2]

    def _pop_front(self, name: str) -> Entry:
        entries = getattr(self, name)
        entry = entries.pop(0)
        counted = self._sums.get(name)
        if counted is not None and counted[0] is entries and counted[1] == len(entries) + 1:
            self._sums[name] = (entries, len(entries), counted[2] - entry.asks)
        return entry

    def pop(self, now: datetime) -> Entry | None:
        """Cards put back, learning cards whose step has passed, then due reviews, then new cards, then early
        learning."""
        if self.again:
            return self.again.pop(0)
        learning = self.learning.soonest()
        if learning is not None and learning <= now:
            return self.learning.take()
        if self.reviews:
            return self._pop_front("reviews")
        if self.new:
            return self._pop_front("new")
        if learning is not None and learning <= now + EARLY_LEARNING_WINDOW:
            return self.learning.take()
        return None


def in_turn(lists: list[list[Entry]]) -> list[Entry]:
    """The first of each list, then the second of each, and so on: each list keeps its order."""
    return [e for row in itertools.zip_longest(*lists) for e in row if e is not None]
