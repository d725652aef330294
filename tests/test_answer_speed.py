"""What keeps one answer in a study session cheap (issue 14, item 2), checked by what is computed, never by
timing it. The figures are benchmarks/anki_peer.py's (docs/benchmarks.md)."""

from quizzer.model import Blank, Card, Deck, Kind
from quizzer.session import Neighbours

DECK = Deck(id="d", title="D", cards=(
    Card(id="mali", kind=Kind.TYPED, question="Capital of Mali?", answer="Bamako"),
    Card(id="coup", kind=Kind.CLOZE, question="{{Sanogo}} led it in {{2012}}.", answer="",
         blanks=(Blank("Sanogo"), Blank("2012"))),
    Card(id="flash", kind=Kind.FLASH, question="Who?", answer="Nobody types this"),
    Card(id="niger", kind=Kind.TYPED, question="Capital of Niger?", answer="Niamey"),
))


def test_a_cards_neighbours_are_every_other_cards_typed_answers_in_deck_order():
    neighbours = Neighbours(DECK)
    assert neighbours.besides("mali") == ("Sanogo", "2012", "Niamey")
    assert neighbours.besides("coup") == ("Bamako", "Niamey")  # both of its own blanks left out
    assert neighbours.besides("flash") == ("Bamako", "Sanogo", "2012", "Niamey")
    assert neighbours.besides("niger") == ("Bamako", "Sanogo", "2012")
    assert neighbours.besides("not in the deck") == ("Bamako", "Sanogo", "2012", "Niamey")


def python_calls(work) -> int:
    """Python-level function calls (and generator resumptions) made by `work()`, built-ins not counted."""
    import sys

    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(1) if event == "call" else None)
    try:
        work()
    finally:
        sys.setprofile(None)
    return len(calls) - 1  # the lambda `work` itself


def test_the_queues_count_and_next_card_visit_learning_cards_without_python_calls_per_card():
    # Both run before every question, over every card in learning: thousands in a long session.
    from datetime import datetime, timedelta, timezone

    from quizzer.model import CardState, Phase
    from quizzer.session import EARLY_LEARNING_WINDOW, _Entry, _Learning, _Queue

    now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    learning = {("d", f"c{n}"): _Entry(DECK, f"c{n}", CardState(Phase.LEARNING, now + timedelta(minutes=n % 40),
                                                                step=1), asks=1 + n % 2) for n in range(1000)}
    queue = _Queue(learning=_Learning(learning))
    soon = now + EARLY_LEARNING_WINDOW
    assert queue.asks(now) == sum(e.asks for e in learning.values() if e.state.due <= soon)  # 21 of each 40
    assert python_calls(lambda: queue.asks(now)) < 10
    assert python_calls(lambda: queue.pop(now + timedelta(minutes=1))) < 10
