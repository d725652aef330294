"""The queue's learning cards kept in due order (issue 14, seventh round) ask the same cards in the same
order, and count the same questions, as the dict the sixth round walked before every question."""

import dataclasses
from datetime import datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from quizzer.model import Card, CardState, Deck, Kind, Phase
from quizzer.study_queue import Entry, Learning, Stored

NOW = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
CARD_IDS = [f"c{n}" for n in range(4)]


def deck(deck_id: str, card_ids) -> Deck:
    return Deck(id=deck_id, title=deck_id, cards=tuple(
        Card(id=card, kind=Kind.TYPED, question=f"{card}?", answer=card) for card in card_ids))


def entry(of: Deck, card: str, minutes: int, asks: int) -> Entry:
    return Entry(of, card, CardState(Phase.LEARNING, NOW + timedelta(minutes=minutes), step=1), asks=asks)


class Walked:
    """The sixth round's `Learning`: the cards put back in a dict, walked for the sum and the soonest."""

    def __init__(self, stored: Stored):
        self.answered, self.stored = {}, stored

    def __len__(self):
        return len(self.answered) + len(self.stored)

    def __setitem__(self, key, put):
        self.answered[key] = put

    def discard(self, key):
        self.answered.pop(key, None)

    def values(self):
        return [*self.answered.values(), *self.stored.entries()]

    def replace(self, edited: Deck):
        ids = set(edited.card_ids)
        self.answered = {e.key: e if e.deck.id != edited.id else dataclasses.replace(e, deck=edited)
                         for e in self.answered.values() if e.deck.id != edited.id or e.card_id in ids}
        self.stored.replace(edited)

    def asks(self, soon):
        return sum(e.asks for e in self.answered.values() if e.state.due <= soon) + self.stored.asks(soon)

    def _next(self):
        answered, stored = min(self.answered.values(), key=lambda e: e.state.due, default=None), self.stored.due()
        if answered is None or (stored is not None and stored <= answered.state.due):
            return stored, None
        return answered.state.due, answered

    def soonest(self):
        return self._next()[0]

    def take(self):
        answered = self._next()[1]
        return self.stored.take() if answered is None else self.answered.pop(answered.key)


minutes = st.integers(0, 4)  # few due times: many ties
keys = st.tuples(st.sampled_from(["d", "e"]), st.sampled_from(CARD_IDS))
operations = st.lists(st.one_of(
    st.tuples(st.just("put"), keys, minutes, st.integers(1, 3)),
    st.tuples(st.just("take")),
    st.tuples(st.just("discard"), keys),
    st.tuples(st.just("edit"), st.sampled_from(["d", "e"]), st.sets(st.sampled_from(CARD_IDS))),
    st.tuples(st.just("count"), st.integers(-1, 5)),
), max_size=60)


@settings(max_examples=300, deadline=None)
@example(stored=[], operations=[("put", ("d", "c0"), 0, 1), ("put", ("d", "c1"), 0, 1), ("put", ("d", "c0"), 0, 2),
                                ("take",)])  # a card put back again keeps its turn among those due with it
@given(stored=st.lists(st.tuples(minutes, keys, st.integers(1, 3)), unique_by=lambda s: s[1], max_size=6),
       operations=operations)
def test_the_learning_cards_in_due_order_give_what_the_walk_over_them_gave(stored, operations):
    decks = {"d": deck("d", CARD_IDS), "e": deck("e", CARD_IDS)}

    def made(of, card):
        return entry(of, card, 7, 2)  # its state as the store has it when it comes up

    def stored_cards():
        return Stored([(NOW + timedelta(minutes=m), d, card, asks) for m, (d, card), asks in stored], decks, made)

    kept, walked = Learning(stored=stored_cards()), Walked(stored_cards())
    for operation in operations:
        kind, *args = operation
        if kind == "put":
            (deck_id, card), due, asks = args
            put = entry(decks[deck_id], card, due, asks)
            kept[put.key], walked[put.key] = put, put
        elif kind == "take" and len(walked):
            taken, expected = kept.take(), walked.take()
            assert (taken.key, taken.state, taken.asks, taken.deck) == \
                (expected.key, expected.state, expected.asks, expected.deck)
        elif kind == "discard":
            kept.discard(args[0])
            walked.discard(args[0])
        elif kind == "edit":
            deck_id, removed = args
            decks[deck_id] = edited = deck(deck_id, [c for c in CARD_IDS if c not in removed])
            kept.replace(edited)
            walked.replace(edited)
        elif kind == "count":
            soon = NOW + timedelta(minutes=args[0])
            assert kept.asks(soon) == walked.asks(soon)
        assert (len(kept), kept.soonest()) == (len(walked), walked.soonest())
    assert [(e.key, e.state, e.deck) for e in kept.values()] == [(e.key, e.state, e.deck) for e in walked.values()]
    assert [kept.take().key for _ in range(len(kept))] == [walked.take().key for _ in range(len(walked))]
