"""The study engine driven by a scripted prompter and a hand-moved clock."""

import random
from datetime import datetime, timedelta, timezone

import pytest

from quizzer.model import Blank, Card, CardState, Deck, Kind, Outcome, Phase, Rating, Review
from quizzer.scheduler import Scheduler
from quizzer.session import Decision, Limits, Quit, StudySession
from quizzer.store import Store


def typed(card_id, answer, **extra):
    return Card(id=card_id, kind=Kind.TYPED, question=f"Q {card_id}?", answer=answer, **extra)


def deck_of(deck_id, *cards, tags=()):
    return Deck(id=deck_id, title=deck_id.title(), cards=tuple(cards), tags=tags)


class Script:
    """A prompter that answers from a list and remembers what it was asked."""

    def __init__(self, clock, answers, *, think=timedelta(seconds=3), decide=None):
        self.clock = clock
        self.answers = list(answers)
        self.think = think
        self.decide = decide
        self.asked = []
        self.outcomes = []

    def ask(self, question):
        self.asked.append((question.deck.id, question.card.id))
        self.question = question
        answer = self.answers.pop(0) if self.answers else Quit
        if answer is Quit:
            raise Quit
        self.clock.advance(seconds=self.think.total_seconds())
        if callable(answer):
            return answer(question)
        return answer

    def rate(self, question, intervals):
        self.intervals = intervals
        return Rating(int(self.answers.pop(0)))

    def confirm(self, question, response, verdict, proposed, intervals):
        self.verdict = verdict
        return self.decide(verdict, proposed) if self.decide else Decision(proposed)

    def saved(self, question, verdict, rating, due_in):
        self.outcomes.append((question.card.id, verdict.outcome, rating, due_in))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "q.db") as store:
        yield store


def session(store, clock, decks, **kwargs):
    return StudySession(store, Scheduler(fuzz=False), decks, clock=clock, rng=random.Random(1), **kwargs)


def reviews(store):
    return [(r["card"], r["verdict"], r["rating"]) for r in reversed(store.reviews())]


def test_new_cards_come_in_deck_order_and_each_answer_is_saved(store, clock):
    deck = deck_of("d", typed("a", "Gao"), typed("b", "Kidal"), typed("c", "Timbuktu"))
    script = Script(clock, ["gao", "wrong", "Timbuktu"])
    summary = session(store, clock, [deck]).run(script)
    assert script.asked[:3] == [("d", "a"), ("d", "b"), ("d", "c")]
    assert reviews(store)[:3] == [("a", "correct", 3), ("b", "wrong", 1), ("c", "correct", 3)]
    assert all(r["duration_ms"] == 3000 for r in store.reviews())
    assert summary.started and summary.new == 3 and summary.right == 2


def test_a_wrong_card_comes_back_once_its_step_has_passed(store, clock):
    deck = deck_of("d", typed("a", "Gao"), typed("b", "Kidal"))
    answers = ["nope", "Kidal", "Gao"]
    script = Script(clock, answers, think=timedelta(seconds=40))
    session(store, clock, [deck]).run(script)
    # a is wrong → due in 1 min; b takes 40 s; nothing else is left, so a comes back early, within 20 min.
    assert script.asked[:3] == [("d", "a"), ("d", "b"), ("d", "a")]
    assert reviews(store)[2] == ("a", "correct", 3)


def test_learning_cards_due_now_come_before_new_cards(store, clock):
    deck = deck_of("d", typed("a", "Gao"), typed("b", "Kidal"), typed("c", "Timbuktu"))
    script = Script(clock, ["x", "Kidal", "Gao"], think=timedelta(seconds=61))
    session(store, clock, [deck]).run(script)
    assert script.asked[:3] == [("d", "a"), ("d", "b"), ("d", "a")]


def test_new_card_limit_is_per_deck_and_per_day(store, clock):
    one = deck_of("one", *(typed(f"a{i}", f"x{i}") for i in range(5)))
    two = deck_of("two", *(typed(f"b{i}", f"y{i}") for i in range(5)))
    limits = Limits(new_per_day=2)
    script = Script(clock, [lambda q: q.card.answer] * 20, think=timedelta(minutes=30))
    session(store, clock, [one, two], limits=limits).run(script)
    firsts = [r for r in reversed(store.reviews()) if r["phase"] == "new"]
    assert [r["card"] for r in firsts] == ["a0", "a1", "b0", "b1"]
    # Later the same study day: no new cards left.
    clock.advance(hours=2)
    again = session(store, clock, [one, two], limits=limits)
    assert not [e for e in again.build_queue(clock()).new]
    # After the day boundary (04:00 local), two more per deck.
    clock.now = datetime(2026, 3, 3, 4, 0, tzinfo=timezone.utc)
    queue = session(store, clock, [one, two], limits=limits).build_queue(clock())
    assert [e.card.id for e in queue.new] == ["a2", "a3", "b2", "b3"]


def test_day_boundary_is_04_00_local_time(store, clock):
    deck = deck_of("d", *(typed(f"a{i}", f"x{i}") for i in range(4)))
    limits = Limits(new_per_day=1)
    clock.now = datetime(2026, 3, 3, 3, 30, tzinfo=timezone.utc)  # still the study day of 2 March
    session(store, clock, [deck], limits=limits).run(Script(clock, ["x0"]))
    clock.now = datetime(2026, 3, 3, 3, 59, tzinfo=timezone.utc)
    assert not session(store, clock, [deck], limits=limits).build_queue(clock()).new
    clock.now = datetime(2026, 3, 3, 4, 0, tzinfo=timezone.utc)
    assert [e.card.id for e in session(store, clock, [deck], limits=limits).build_queue(clock()).new] == ["a1"]


def test_due_reviews_come_most_overdue_first_and_respect_the_review_limit(store, clock):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"), typed("c", "z"))
    # Learn a, b, c with Easy on different days so their due dates differ.
    for card in ("a", "b", "c"):
        single = deck_of("d", next(c for c in deck.cards if c.id == card))
        s = session(store, clock, [single])
        s.run(Script(clock, [lambda q: q.card.answer], decide=lambda v, p: Decision(Rating.EASY)))
        clock.advance(days=1)
    states = store.states(["d"])
    assert all(s.phase is Phase.REVIEW for s in states.values())
    clock.now = max(s.due for s in states.values()) + timedelta(hours=1)
    queue = session(store, clock, [deck], limits=Limits(reviews_per_day=2)).build_queue(clock())
    assert [e.card.id for e in queue.reviews] == ["a", "b"]
    assert not queue.new and not queue.learning


def test_nothing_to_study_reports_the_next_due_time(store, clock):
    deck = deck_of("d", typed("a", "x"))
    session(store, clock, [deck]).run(Script(clock, ["x"], decide=lambda v, p: Decision(Rating.EASY)))
    summary = session(store, clock, [deck]).run(Script(clock, []))
    assert not summary.started
    assert summary.next_due == store.states(["d"])[("d", "a")].due


def test_quit_ends_the_session_with_a_summary_and_keeps_answers(store, clock):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"), typed("c", "z"))
    summary = session(store, clock, [deck]).run(Script(clock, ["x", Quit]))
    assert summary.answers == 1 and summary.cards == 1
    assert reviews(store) == [("a", "correct", 3)]
    ended = store.db.execute("SELECT ended_at FROM sessions").fetchone()[0]
    assert ended is not None


def test_flash_cards_are_rated_by_the_learner_with_interval_previews(store, clock):
    deck = deck_of("d", Card(id="f", kind=Kind.FLASH, question="Why?", answer="Because."))
    script = Script(clock, ["", "4"])
    session(store, clock, [deck]).run(script)
    assert reviews(store) == [("f", "self", 4)]
    assert script.intervals[Rating.AGAIN] == timedelta(minutes=1)
    assert script.intervals[Rating.EASY] > timedelta(days=1)


def test_choice_truefalse_order_and_cloze(store, clock):
    deck = deck_of(
        "d",
        Card(id="ch", kind=Kind.CHOICE, question="Q", answer="Right", distractors=("W1", "W2")),
        Card(id="tf", kind=Kind.TRUEFALSE, question="Q", answer=False),
        Card(id="or", kind=Kind.ORDER, question="Q", answer=("1962", "1990", "2012")),
    )
    script = Script(clock, ["Right", "no", ("1962", "2012", "1990")])
    session(store, clock, [deck]).run(script)
    assert reviews(store)[:3] == [("ch", "correct", 3), ("tf", "correct", 3), ("or", "wrong", 1)]


def first_question(store, clock, card, seed):
    """The question as a session with this random seed first shows `card`."""
    script = Script(clock, [Quit])
    StudySession(store, Scheduler(fuzz=False), [deck_of("d", card)], clock=clock, rng=random.Random(seed)).run(script)
    return script.question


def test_choice_options_are_shuffled(store, clock):
    card = Card(id="ch", kind=Kind.CHOICE, question="Q", answer="Right", distractors=("W1", "W2", "W3"))
    firsts = {first_question(store, clock, card, seed).options[0] for seed in range(40)}
    assert firsts == {"Right", "W1", "W2", "W3"}  # the answer is not always first, nor any option


def test_order_items_never_start_in_the_right_order(store, clock):
    # Two items: a single shuffle keeps the right order half the time.
    card = Card(id="or", kind=Kind.ORDER, question="Q", answer=("a", "b"))
    assert {first_question(store, clock, card, seed).options for seed in range(40)} == {("b", "a")}
    three = Card(id="or3", kind=Kind.ORDER, question="Q", answer=("a", "b", "c"))
    shown = {first_question(store, clock, three, seed).options for seed in range(40)}
    assert ("a", "b", "c") not in shown and len(shown) == 5


def test_close_is_hard_and_the_learner_can_override(store, clock):
    deck = deck_of("d", typed("a", "Timbuktu"), typed("b", "Kidal"))
    decide = lambda verdict, proposed: Decision(Rating.GOOD, override=True, remember=True)  # noqa: E731
    script = Script(clock, ["Tombouctou", "Kidal"], decide=decide)
    session(store, clock, [deck]).run(script)
    assert reviews(store)[0] == ("a", "overridden", 3)
    assert store.accepted() == [("d", "a", "Tombouctou")]
    # Next time the remembered response is simply correct.
    clock.advance(days=30)
    session(store, clock, [deck]).run(Script(clock, ["Tombouctou"] * 2))
    latest = {r["card"]: r["verdict"] for r in reversed(store.reviews())}
    assert latest == {"a": Outcome.CORRECT.value, "b": Outcome.WRONG.value}


def test_tag_limits_the_cards(store, clock):
    deck = deck_of("d", typed("a", "x", tags=("people",)), typed("b", "y"))
    s = session(store, clock, [deck], tag="people")
    assert s.cards_in_scope() == {("d", "a")}
    assert [e.card.id for e in s.build_queue(clock()).new] == ["a"]


def test_a_tag_on_the_deck_takes_all_its_cards(store, clock):
    tagged = deck_of("t", typed("a", "x"), typed("b", "y"), tags=("mali",))
    other = deck_of("o", typed("c", "z"), typed("d", "w", tags=("mali",)))
    s = session(store, clock, [tagged, other], tag="mali")
    assert s.cards_in_scope() == {("t", "a"), ("t", "b"), ("o", "d")}


@pytest.mark.parametrize("other", [
    typed("b", "Austria"),
    Card(id="b", kind=Kind.CLOZE, question="Vienna is in {{Austria}}.", answer="", blanks=(Blank("Austria"),)),
], ids=["typed", "cloze"])
def test_a_response_nearer_to_another_cards_answer_is_wrong_in_study(store, clock, other):
    # "Austria" alone would be a slip for "Australia"; the deck's other answer makes it wrong.
    deck = deck_of("d", typed("a", "Australia"), other)
    script = Script(clock, ["Austria", Quit])
    session(store, clock, [deck]).run(script)
    assert script.verdict.outcome is Outcome.WRONG and "Austria" in script.verdict.reason
    assert reviews(store) == [("a", "wrong", 1)]


@pytest.mark.parametrize("minutes_ahead, shown", [(19, True), (21, False), (60 * 8, False)])
def test_with_nothing_else_left_learning_cards_come_up_to_20_minutes_early(store, clock, minutes_ahead, shown):
    deck = deck_of("d", typed("a", "x"))
    learning = CardState(Phase.LEARNING, due=clock() + timedelta(minutes=minutes_ahead), step=1, stability=2.3,
                         difficulty=5.0, last_review=clock())
    store.record(Review("r1", "d", "a", clock(), Rating.GOOD, Outcome.CORRECT, "x", 1000, "s0"), Phase.NEW, learning)
    script = Script(clock, ["x"])
    session(store, clock, [deck]).run(script)
    assert script.asked == ([("d", "a")] if shown else [])


def test_cards_removed_from_a_deck_keep_their_history_and_are_not_shown(store, clock):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"))
    session(store, clock, [deck]).run(Script(clock, ["x", "y"]))
    edited = deck_of("d", typed("b", "y"), typed("c", "z"))
    clock.advance(days=1)
    queue = session(store, clock, [edited]).build_queue(clock())
    assert "a" not in {e.card.id for e in (*queue.reviews, *queue.new, *queue.learning.values())}
    assert {r["card"] for r in store.reviews()} == {"a", "b"}
    assert ("d", "b") in store.states(["d"])


def test_summary_counts(store, clock):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"))
    summary = session(store, clock, [deck]).run(Script(clock, ["x", "no", "y", Quit], think=timedelta(minutes=2)))
    assert (summary.answers, summary.cards, summary.new, summary.right, summary.wrong) == (3, 2, 2, 2, 1)
    assert summary.accuracy == pytest.approx(2 / 3)
    assert summary.duration == timedelta(minutes=6)
    assert summary.due_tomorrow == 2
