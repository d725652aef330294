"""What keeps one answer in a study session cheap (issue 14, item 2), checked by what is computed, never by
timing it. The figures are benchmarks/anki_peer.py's (docs/benchmarks.md)."""

import pytest

from quizzer.model import Blank, Card, Deck, Kind
from quizzer.session import Neighbours

DECK = Deck(id="d", title="D", cards=(
    Card(id="mali", kind=Kind.TYPED, question="Capital of Mali?", answer="Bamako"),
    Card(id="coup", kind=Kind.CLOZE, question="{{Sanogo}} led it in {{2012}}.", answer="",
         blanks=(Blank("Sanogo"), Blank("2012"))),
    Card(id="flash", kind=Kind.FLASH, question="Who?", answer="Nobody types this"),
    Card(id="niger", kind=Kind.TYPED, question="Capital of Niger?", answer="Niamey"),
))


@pytest.mark.parametrize("card, expected", [
    ("mali", ("Sanogo", "2012", "Niamey")),
    ("coup", ("Bamako", "Niamey")),  # both of its own blanks left out
    ("flash", ("Bamako", "Sanogo", "2012", "Niamey")),
    ("niger", ("Bamako", "Sanogo", "2012")),
    ("not in the deck", ("Bamako", "Sanogo", "2012", "Niamey")),
])
def test_a_cards_neighbours_are_every_other_cards_typed_answers_in_deck_order(card, expected):
    neighbours = Neighbours(DECK).besides(card)
    assert (tuple(neighbours), tuple(neighbours), len(neighbours)) == (expected, expected, len(expected))


class Reads(tuple):
    """A deck's answers that count every read of them."""

    reads = 0

    def __getitem__(self, index):
        Reads.reads += 1
        return super().__getitem__(index)

    def __iter__(self):
        Reads.reads += 1
        return super().__iter__()


@pytest.mark.parametrize("card, response, outcome, read", [
    ("mali", "Bamako", "correct", False),  # right at the first comparison: never read, nor copied
    ("mali", "Niamey", "wrong", True),  # another card's answer: found among them
])
def test_judging_reads_the_other_answers_only_when_the_response_is_not_the_cards_own(card, response, outcome, read):
    from quizzer.grading import judge

    neighbours = Neighbours(DECK)
    neighbours._answers = Reads(neighbours._answers)
    Reads.reads = 0
    verdict = judge(DECK.card(card), response, neighbours=neighbours.besides(card))
    assert (verdict.outcome.value, Reads.reads > 0) == (outcome, read)


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
    from quizzer.study_queue import EARLY_LEARNING_WINDOW, Entry, Learning, Queue

    now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    learning = {("d", f"c{n}"): Entry(DECK, f"c{n}", CardState(Phase.LEARNING, now + timedelta(minutes=n % 40),
                                                                step=1), asks=1 + n % 2) for n in range(1000)}
    queue = Queue(learning=Learning(learning))
    soon = now + EARLY_LEARNING_WINDOW
    assert queue.asks(now) == sum(e.asks for e in learning.values() if e.state.due <= soon)  # 21 of each 40
    assert python_calls(lambda: queue.asks(now)) < 10
    assert python_calls(lambda: queue.pop(now + timedelta(minutes=1))) < 10


@pytest.mark.parametrize("response, worked_out", [
    ("Bamako", False),  # the card's own answer: its question's fair-phrasing rules are never needed
    ("the city of Bamako", True),  # a fair phrasing (rule 15): they are
])
def test_a_cards_fair_phrasing_rules_are_worked_out_only_for_a_response_that_needs_them(response, worked_out):
    from quizzer import grading

    card = Card(id="mali", kind=Kind.TYPED, question="Which city is the capital of Mali?", answer="Bamako")
    grading._fair_rules.cache_clear()
    verdict = grading.judge(card, response)
    assert (verdict.outcome.value, grading._fair_rules.cache_info().misses) == ("correct", int(worked_out))


def test_the_queues_count_reads_each_review_and_new_card_once_not_before_every_question():
    # The count runs before every question; a session starts with hundreds of reviews and new cards queued.
    from datetime import datetime, timezone

    from quizzer.model import CardState, Phase
    from quizzer.study_queue import Entry, Queue

    class Counted(Entry):
        reads = 0

        @property
        def asks(self):
            Counted.reads += 1
            return self._asks

        @asks.setter
        def asks(self, value):
            self._asks = value

    now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)

    def entries(count, asks):
        return [Counted(DECK, "mali", CardState(Phase.NEW, now), asks=asks) for _ in range(count)]

    queue = Queue(reviews=entries(300, 1), new=entries(700, 2))  # 300 + 1,400 questions
    counts = []
    for _ in range(302):  # every review, then two new cards
        counts.append(queue.asks(now))
        queue.pop(now)
    assert counts == [*range(1700, 1400, -1), 1400, 1398]
    assert Counted.reads <= 1000 + 302  # each card summed once, and read once more as it is taken
    queue.new = queue.new[:10]  # replaced, as an edit of the deck does: summed again
    assert queue.asks(now) == 20
    queue.new = entries(10, 3)  # replaced by as many cards
    assert queue.asks(now) == 30
    queue.new.append(entries(1, 4)[0])  # grown in place
    assert queue.asks(now) == 34
    queue.new = entries(11, 5)  # replaced by as many cards, one taken before the next count
    queue.pop(now)
    assert queue.asks(now) == 50


def test_a_response_typed_exactly_as_an_answer_uses_that_answers_cached_analysis(monkeypatch):
    # The cheapest right answer, and a common one: the card's text as written (anki_peer.py answers so).
    from quizzer import grading

    card = Card(id="mali", kind=Kind.TYPED, question="Capital of Mali?", answer="Bamako", accept=("Bamaco",))
    analysed, analyse = [], grading._analyse
    monkeypatch.setattr(grading, "_analyse", lambda text: analysed.append(text) or analyse(text))
    outcomes = [grading.judge(card, response).outcome.value for response in ("Bamako", "Bamaco", "bamako ", "Bamak")]
    assert (outcomes, analysed) == (["correct", "correct", "correct", "close"], ["bamako ", "Bamak"])


def test_the_learning_cards_put_back_are_not_read_again_before_every_question():
    # A long session puts back hundreds of cards; before each question the queue counts them and looks for
    # the soonest due: neither reads the cards again (a walk over them all read them 277,500 times here).
    from datetime import datetime, timedelta, timezone

    from quizzer.model import CardState, Phase
    from quizzer.study_queue import Entry, Queue

    class Counted(Entry):
        reads = 0

        def __getattribute__(self, name):
            if name in ("state", "asks"):
                Counted.reads += 1
            return super().__getattribute__(name)

    now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    queue = Queue()
    for n in range(500):
        queue.learning[("d", f"c{n}")] = Counted(DECK, f"c{n}", CardState(Phase.LEARNING, now + timedelta(
            minutes=n % 50), step=1), asks=1 + n % 2)
    Counted.reads, counts = 0, []
    for minute in range(50):  # the ten due each minute, then the next count
        counts.append(queue.asks(now + timedelta(minutes=minute)))
        taken = [queue.pop(now + timedelta(minutes=minute)) for _ in range(10)]
        assert {e.state.due for e in taken} == {now + timedelta(minutes=minute)}
    assert queue.pop(now + timedelta(hours=1)) is None
    # Those due within 20 minutes: ten a minute, asked once at an even minute and twice at an odd one.
    assert counts[:2] == [11 * 10 + 10 * 20, 10 * 10 + 11 * 20] and counts[-1] == 20
    assert Counted.reads <= 500 + 500  # this test's own reads above, and at most one a card as it is taken
