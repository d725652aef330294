"""The study engine driven by a scripted prompter and a hand-moved clock."""

import json
import random
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from quizzer.model import Blank, Card, Cards, CardState, Deck, Kind, Outcome, Phase, Rating, Review, ids_json
from quizzer.scheduler import Scheduler, new_state
from quizzer.session import Decision, Limits, Quit, StudySession, saveable
from quizzer.store import Store, StoreBusy, StoreError


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
        self.confirmed = []  # (question, response) as each verdict was shown
        self.saved_verdicts = []

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
        self.intervals, self.rated = intervals, question
        return Rating(int(self.answers.pop(0)))

    def confirm(self, question, response, verdict, proposed, intervals):
        self.verdict, self.intervals = verdict, intervals
        self.confirmed.append((question, response))
        return self.decide(verdict, proposed) if self.decide else Decision(proposed)

    def saved(self, question, verdict, rating, due_in):
        self.outcomes.append((question.card.id, verdict.outcome, rating, due_in))
        self.saved_verdicts.append(verdict)


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


def test_a_card_answered_twice_at_one_clock_time_is_saved_in_the_order_answered(store, clock):
    # A clock held still ($QUIZZER_NOW) or set back: the log replays a card's answers in time order, so the
    # second answer is saved a microsecond after the first, and the replay gives the state saved.
    deck = deck_of("d", typed("a", "Gao"))
    session(store, clock, [deck]).run(Script(clock, ["nope", "Gao"], think=timedelta(0)))
    log = sorted(store.reviews(), key=lambda r: r["reviewed_at"])
    assert [(r["verdict"], r["reviewed_at"]) for r in log] == [
        ("wrong", "2026-03-02T12:00:00.000000+00:00"), ("correct", "2026-03-02T12:00:00.000001+00:00")]
    saved = store.state(("d", "a"))
    store.rebuild_states(lambda answers: Scheduler(fuzz=False).replay(answers, clock()), [("d", "a")])
    assert store.state(("d", "a")) == saved


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
    assert [r["card"] for r in firsts] == ["a0", "b0", "a1", "b1"]
    # Later the same study day: no new cards left.
    clock.advance(hours=2)
    again = session(store, clock, [one, two], limits=limits)
    assert not [e for e in again.build_queue(clock()).new]
    # After the day boundary (04:00 local), two more per deck.
    clock.now = datetime(2026, 3, 3, 4, 0, tzinfo=timezone.utc)
    queue = session(store, clock, [one, two], limits=limits).build_queue(clock())
    assert [e.card.id for e in queue.new] == ["a2", "b2", "a3", "b3"]


def test_a_deck_at_its_new_card_limit_leaves_the_next_decks_theirs(store, clock):
    one, two = deck_of("one", typed("a0", "x"), typed("a1", "x")), deck_of("two", typed("b0", "x"), typed("b1", "x"))
    session(store, clock, [one], limits=Limits(new_per_day=1)).run(Script(clock, ["x"]))
    queue = session(store, clock, [one, two], limits=Limits(new_per_day=1)).build_queue(clock())
    assert [e.card.id for e in queue.new] == ["b0"]


def test_a_deck_with_every_card_answered_leaves_the_next_decks_theirs(store, clock):
    done, two = deck_of("done", typed("a0", "x")), deck_of("two", typed("b0", "x"), typed("b1", "x"))
    session(store, clock, [done], limits=Limits(new_per_day=2)).run(Script(clock, ["x"]))
    queue = session(store, clock, [done, two], limits=Limits(new_per_day=2)).build_queue(clock())
    assert [e.card.id for e in queue.new] == ["b0", "b1"]


@pytest.mark.parametrize("hour", [4, 6])  # the default, and day_starts_at = 6
def test_day_boundary_is_day_starts_at_local_time(store, clock, hour):
    deck = deck_of("d", *(typed(f"a{i}", f"x{i}") for i in range(4)))
    limits = Limits(new_per_day=1, day_starts_at=hour)
    clock.now = datetime(2026, 3, 3, hour - 1, 30, tzinfo=timezone.utc)  # still the study day of 2 March
    session(store, clock, [deck], limits=limits).run(Script(clock, ["x0"]))
    clock.now = datetime(2026, 3, 3, hour - 1, 59, tzinfo=timezone.utc)
    assert not session(store, clock, [deck], limits=limits).build_queue(clock()).new
    clock.now = datetime(2026, 3, 3, hour, 0, tzinfo=timezone.utc)
    assert [e.card.id for e in session(store, clock, [deck], limits=limits).build_queue(clock()).new] == ["a1"]


@pytest.mark.parametrize("day_starts_at, asked", [(4, 1), (6, 2)])
def test_a_learning_card_due_when_the_next_study_day_starts_waits_for_it(store, clock, day_starts_at, asked):
    # Answered right at 03:50 a new card comes back at 04:00 exactly: the next study day if days start
    # at 04:00 (not asked again now, though within the 20 early minutes), still today if they start at 06:00.
    clock.now = datetime(2026, 3, 3, 3, 50, tzinfo=timezone.utc)
    script = Script(clock, ["x", "x"], think=timedelta(0))
    session(store, clock, [deck_of("d", typed("a", "x"))], limits=Limits(day_starts_at=day_starts_at)).run(script)
    assert script.asked == [("d", "a")] * asked


@pytest.mark.parametrize("day_starts_at, asked", [(4, []), (6, [("d", "a")])])
def test_a_session_started_later_leaves_a_learning_card_due_the_next_study_day_for_it(
        store, clock, day_starts_at, asked):
    # The card above, due at 04:00, and a new session at 03:55: its queue reads today's learning cards only.
    clock.now = datetime(2026, 3, 3, 3, 50, tzinfo=timezone.utc)
    limits, deck = Limits(day_starts_at=day_starts_at), deck_of("d", typed("a", "x"))
    session(store, clock, [deck], limits=limits).run(Script(clock, ["x", Quit], think=timedelta(0)))
    clock.now = datetime(2026, 3, 3, 3, 55, tzinfo=timezone.utc)
    script = Script(clock, ["x"], think=timedelta(0))
    session(store, clock, [deck], limits=limits).run(script)
    assert script.asked == asked


def test_a_learning_card_due_now_comes_before_reviews_and_new_cards(store, clock):
    from quizzer.study_queue import Entry, Learning, Queue

    deck = deck_of("d", typed("a", "x"), typed("b", "y"))
    learning = Entry(deck, "a", CardState(phase=Phase.LEARNING, due=clock(), step=1))
    queue = Queue(learning=Learning({learning.key: learning}), new=[Entry(deck, "b", new_state(clock()))])
    assert queue.pop(clock()) is learning


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
    assert not session(store, clock, [deck], limits=Limits(reviews_per_day=0)).build_queue(clock()).reviews
    # One review answered today leaves one of the two.
    session(store, clock, [deck], limits=Limits(reviews_per_day=2)).run(Script(clock, ["x", Quit]))
    queue = session(store, clock, [deck], limits=Limits(reviews_per_day=2)).build_queue(clock())
    assert [e.card.id for e in queue.reviews] == ["b"]


def test_nothing_to_study_reports_the_next_due_time(store, clock):
    deck = deck_of("d", typed("a", "x"))
    session(store, clock, [deck]).run(Script(clock, ["x"], decide=lambda v, p: Decision(Rating.EASY)))
    summary = session(store, clock, [deck]).run(Script(clock, []))
    assert not summary.started
    assert summary.next_due == store.states(["d"])[("d", "a")].due


def test_nothing_to_study_and_nothing_scheduled_has_no_next_due_time(store, clock):
    deck = deck_of("d", typed("a", "x"))
    summary = session(store, clock, [deck], limits=Limits(new_per_day=0)).run(Script(clock, []))
    assert not summary.started and summary.next_due is None


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
    assert reviews(store) == [("f", "self", 4)] and store.reviews()[0]["response"] == ""
    assert script.rated is script.question
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
    assert [r["response"] for r in reversed(store.reviews())][:3] == ["Right", "no", "1962\n2012\n1990"]


def first_question(store, clock, card, seed):
    """The question as a session with this random seed first shows `card`."""
    script = Script(clock, [Quit])
    StudySession(store, Scheduler(fuzz=False), [deck_of("d", card)], clock=clock, rng=random.Random(seed)).run(script)
    return script.question


def test_choice_options_are_shuffled(store, clock):
    card = Card(id="ch", kind=Kind.CHOICE, question="Q", answer="Right", distractors=("W1", "W2", "W3"))
    firsts = {first_question(store, clock, card, seed).options[0] for seed in range(40)}
    assert firsts == {"Right", "W1", "W2", "W3"}  # the answer is not always first, nor any option


def test_the_same_seed_shows_the_same_options_and_no_seed_shuffles_too(store, clock):
    card = Card(id="ch", kind=Kind.CHOICE, question="Q", answer="Right", distractors=tuple(f"W{i}" for i in range(9)))
    assert first_question(store, clock, card, 5).options == first_question(store, clock, card, 5).options
    script = Script(clock, [Quit])
    StudySession(store, Scheduler(fuzz=False), [deck_of("d", card)], clock=clock).run(script)
    assert sorted(script.question.options) == sorted(("Right", *card.distractors))


def test_order_items_never_start_in_the_right_order(store, clock):
    # Two items: a single shuffle keeps the right order half the time.
    card = Card(id="or", kind=Kind.ORDER, question="Q", answer=("a", "b"))
    assert {first_question(store, clock, card, seed).options for seed in range(40)} == {("b", "a")}
    three = Card(id="or3", kind=Kind.ORDER, question="Q", answer=("a", "b", "c"))
    shown = {first_question(store, clock, three, seed).options for seed in range(40)}
    assert ("a", "b", "c") not in shown and len(shown) == 5


def test_the_interval_shown_is_the_one_saved_though_fuzz_moves_it(store, clock, monkeypatch):
    # Fuzz is drawn from the review's id (on in study): the preview must draw it from the same id.
    ids = iter(range(1000))
    monkeypatch.setattr("quizzer.session.uuid", type("Ids", (), {"uuid4": staticmethod(lambda: next(ids))}))
    deck, scheduler = deck_of("d", typed("a", "x")), Scheduler(fuzz=True)
    state = new_state(clock())
    for n in range(3):  # three Easy answers, each when due: a long interval, which fuzz moves by days
        after = scheduler.review(state, Rating.EASY, clock(), f"r{n}")
        store.record(Review(f"r{n}", "d", "a", clock(), Rating.EASY, Outcome.CORRECT, "x", 1000, "s0"), state.phase,
                     after)
        state, clock.now = after, after.due
    script = Script(clock, ["x"])
    StudySession(store, scheduler, [deck], clock=clock, rng=random.Random(1)).run(script)
    [(_, _, rating, due_in)] = script.outcomes
    assert rating is Rating.GOOD and script.intervals[Rating.GOOD] == due_in > timedelta(days=100)


def test_close_is_hard_and_the_learner_can_override(store, clock):
    deck = deck_of("d", typed("a", "Timbuktu"), typed("b", "Kidal"))
    decide = lambda verdict, proposed: Decision(Rating.GOOD, override=True, remember=True)  # noqa: E731
    script = Script(clock, ["Tombouctou", "Kidal"], decide=decide)
    session(store, clock, [deck]).run(script)
    assert [(q.card.id, response) for q, response in script.confirmed] == [("a", "Tombouctou"), ("b", "Kidal")]
    assert script.saved_verdicts[0].reason == "counted as right by you"
    assert reviews(store)[0] == ("a", "overridden", 3)
    assert store.accepted() == [("d", "a", "Tombouctou")]
    # Next time the remembered response is simply correct.
    clock.advance(days=30)
    session(store, clock, [deck]).run(Script(clock, ["Tombouctou"] * 2))
    latest = {r["card"]: r["verdict"] for r in reversed(store.reviews())}
    assert latest == {"a": Outcome.CORRECT.value, "b": Outcome.WRONG.value}


def test_a_response_accepted_counts_as_right_when_the_card_comes_back_in_the_same_session(store, clock):
    deck = deck_of("d", typed("a", "Timbuktu"))
    decide = lambda verdict, proposed: Decision(Rating.GOOD, override=True, remember=True)  # noqa: E731
    session(store, clock, [deck]).run(Script(clock, ["Tombouctou", "Tombouctou"], decide=decide))
    assert reviews(store) == [("a", "overridden", 3), ("a", "correct", 3)]


def test_an_answer_and_the_response_it_accepts_are_saved_together_or_not_at_all(store, clock):
    deck = deck_of("d", typed("a", "Timbuktu"))
    decide = lambda verdict, proposed: Decision(Rating.GOOD, override=True, remember=True)  # noqa: E731
    # Saving the card's new state fails, after the review row is written and before anything else.
    store.db.execute("CREATE TEMP TRIGGER fail BEFORE INSERT ON main.cards BEGIN SELECT RAISE(ABORT, 'injected'); END")
    with pytest.raises(sqlite3.IntegrityError, match="injected"):
        session(store, clock, [deck]).run(Script(clock, ["Tombouctou"], decide=decide))
    assert store.reviews() == [] and store.accepted() == []


def test_an_answer_and_the_sessions_end_wait_for_a_busy_database_with_a_message_and_are_saved(store, clock, monkeypatch):
    deck = deck_of("d", typed("a", "Timbuktu"))
    busy, record = [StoreBusy("locked"), StoreBusy("locked")], store.record

    def record_when_free(*args, **kwargs):
        if busy:
            raise busy.pop()
        return record(*args, **kwargs)

    end, ended = store.end_session, [StoreBusy("locked")]

    def end_when_free(*args):
        if ended:
            raise ended.pop()
        return end(*args)

    monkeypatch.setattr(store, "record", record_when_free)
    monkeypatch.setattr(store, "end_session", end_when_free)
    script = Script(clock, ["Timbuktu"])
    script.waiting = lambda message: script.outcomes.append(("waiting", message))
    summary = session(store, clock, [deck]).run(script)
    assert [outcome[0] for outcome in script.outcomes] == ["waiting", "waiting", "a", "waiting"]
    assert store.db.execute("SELECT ended_at IS NOT NULL FROM sessions").fetchall() == [(1,)]
    assert "nothing is lost" in script.outcomes[0][1]
    assert reviews(store) == [("a", "correct", 3)] and summary.error is None


def failing(method, errors):
    """`method`, raising each of `errors` in turn on its first calls (None: do the work), then working."""
    def call(*args, **kwargs):
        error = errors.pop(0) if errors else None
        if error is not None:
            raise error
        return method(*args, **kwargs)
    return call


def test_a_failed_save_stops_the_session_and_says_why_keeping_the_answers_before(store, clock, monkeypatch):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"), typed("c", "z"))
    monkeypatch.setattr(store, "record", failing(store.record, [None, StoreError("the disk is full")]))
    script = Script(clock, ["x", "y", "z"])
    summary = session(store, clock, [deck]).run(script)
    assert summary.error == "the disk is full" and script.asked == [("d", "a"), ("d", "b")]
    assert reviews(store) == [("a", "correct", 3)] and summary.answers == 1


def test_ctrl_c_while_waiting_to_save_stops_and_says_the_answer_was_not_saved(store, clock, monkeypatch):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"))
    monkeypatch.setattr(store, "record", failing(store.record, [None, KeyboardInterrupt()]))
    summary = session(store, clock, [deck]).run(Script(clock, ["x", "y"]))
    assert summary.error == "stopped while waiting to save: your last answer was not saved"
    assert reviews(store) == [("a", "correct", 3)]


@pytest.mark.parametrize("record, error", [
    ([], "the session's end: disk full"),
    ([StoreError("an answer: disk full")], "an answer: disk full"),  # the first failure is the one told
])
def test_a_sessions_end_that_cannot_be_saved_is_told(store, clock, monkeypatch, record, error):
    deck = deck_of("d", typed("a", "x"))
    monkeypatch.setattr(store, "record", failing(store.record, record))
    monkeypatch.setattr(store, "end_session", failing(store.end_session, [StoreError("the session's end: disk full")]))
    assert session(store, clock, [deck]).run(Script(clock, ["x"])).error == error


def test_an_answer_given_in_another_terminal_meanwhile_is_replayed_with_this_one(store, clock):
    deck = deck_of("d", typed("a", "x"))
    scheduler = Scheduler(fuzz=False)

    def answered_elsewhere_first(question):  # another terminal answers a (wrong) while this one asks it
        at = clock() - timedelta(seconds=1)
        store.record(Review("elsewhere", "d", "a", at, Rating.AGAIN, Outcome.WRONG, "?", 1000, "s0"), Phase.NEW,
                     scheduler.review(new_state(at), Rating.AGAIN, at))
        return "x"

    session(store, clock, [deck]).run(Script(clock, [answered_elsewhere_first]))
    # This answer came second: the card was in learning then, not new, and its state is the log's.
    assert [(r["response"], r["phase"]) for r in reversed(store.reviews())] == [("?", "new"), ("x", "learning")]
    cached = store.state(("d", "a"))
    store.rebuild_states(lambda log: scheduler.replay(log, clock()))
    assert store.state(("d", "a")) == cached


def test_a_learning_card_another_terminal_answers_before_it_comes_up_is_still_asked_and_replayed(store, clock):
    # The queue reads a learning card's state when it comes up (issue 14, fifth round), so here it reads the
    # state the other terminal saved; before, it asked from the state read at the start and saved a replay.
    deck = deck_of("d", typed("a", "x"), typed("b", "y"))
    scheduler = Scheduler(fuzz=False)
    at = clock() - timedelta(minutes=30)
    for card in ("a", "b"):  # both in learning and due, a first
        store.record(Review(f"r-{card}", "d", card, at, Rating.AGAIN, Outcome.WRONG, "?", 1000, "s0"), Phase.NEW,
                     scheduler.review(new_state(at), Rating.AGAIN, at + timedelta(seconds=ord(card))))

    def b_answered_elsewhere(question):  # while a is on screen
        was = store.state(("d", "b"))
        store.record(Review("elsewhere", "d", "b", clock(), Rating.GOOD, Outcome.CORRECT, "y", 1000, "s1"),
                     was.phase, scheduler.review(was, Rating.GOOD, clock()))
        return "x"

    script = Script(clock, [b_answered_elsewhere, "y"])
    ours = session(store, clock, [deck]).run(script).session_id
    assert script.asked[:2] == [("d", "a"), ("d", "b")]
    assert [(r["response"], r["session"]) for r in reversed(store.reviews(card="b"))][1:] == [
        ("y", "s1"), ("y", ours)]
    cached = store.state(("d", "b"))
    store.rebuild_states(lambda log: scheduler.replay(log, clock()))
    assert store.state(("d", "b")) == cached


@pytest.mark.parametrize("think", [timedelta(0), timedelta(seconds=-3)])  # the clock stood still or went back
def test_an_answer_takes_no_less_than_no_time(store, clock, think):
    session(store, clock, [deck_of("d", typed("a", "x"))]).run(Script(clock, ["x"], think=think))
    assert store.reviews()[0]["duration_ms"] == 0


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


@pytest.mark.parametrize("minutes_ahead, shown", [(19, True), (20, True), (21, False), (60 * 8, False)])
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
    # Time answering, as `history` counts it: three questions of two minutes each, not the wall clock
    # (the Quit came after another two minutes of thinking).
    assert summary.answering_ms == 6 * 60_000
    assert store.db.execute("SELECT SUM(duration_ms) FROM reviews").fetchone()[0] == summary.answering_ms


def test_new_cards_of_several_decks_are_taken_in_turn_each_in_file_order(store, clock):
    one = deck_of("one", *(typed(f"a{i}", "x") for i in range(3)))
    two = deck_of("two", typed("b0", "x"))
    three = deck_of("three", *(typed(f"c{i}", "x") for i in range(2)))
    mixed = session(store, clock, [one, two, three]).build_queue(clock())
    assert [e.card.id for e in mixed.new] == ["a0", "b0", "c0", "a1", "c1", "a2"]
    by_deck = session(store, clock, [one, two, three], limits=Limits(new_order="deck")).build_queue(clock())
    assert [e.card.id for e in by_deck.new] == ["a0", "a1", "a2", "b0", "c0", "c1"]


def test_the_counter_is_n_of_what_the_session_asks_if_every_answer_is_right(store, clock):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"), typed("c", "z"))
    counters = []

    def answer(text):
        def give(question):
            counters.append((question.card.id, question.number, question.total))
            return text
        return give

    # A new card passes after two Good answers (steps 1m and 10m): 3 cards → 6 questions. b is
    # missed once, which sends it back to the first step: one question more. Then nothing else is
    # left, so the learning cards come early, soonest due first: b (1m), a (10m), c (10m), b (10m).
    script = Script(clock, [answer("x"), answer("no"), answer("z"), answer("y"), answer("x"), answer("z"),
                            answer("y")])
    session(store, clock, [deck]).run(script)
    assert counters == [("a", 1, 6), ("b", 2, 6), ("c", 3, 7), ("b", 4, 7), ("a", 5, 7), ("c", 6, 7),
                        ("b", 7, 7)]
    assert len(store.reviews()) == 7


def test_a_card_left_in_learning_counts_its_answers_to_pass_in_the_next_session(store, clock):
    # A new card missed goes back to the first step: two Good answers to pass (steps 1m and 10m).
    deck = deck_of("d", typed("a", "x"))
    session(store, clock, [deck]).run(Script(clock, ["no", Quit]))
    script = Script(clock, [Quit])
    session(store, clock, [deck]).run(script)
    assert script.asked == [("d", "a")] and script.question.total == 2


def test_always_accept_is_only_kept_where_the_judge_reads_it(store, clock):
    deck = deck_of(
        "d",
        Card(id="ch", kind=Kind.CHOICE, question="Q", answer="Right", distractors=("W1", "W2")),
        Card(id="tf", kind=Kind.TRUEFALSE, question="Q", answer=False),
        typed("ty", "Gao"),
    )
    remember = lambda verdict, proposed: Decision(Rating.GOOD, override=True, remember=True)  # noqa: E731
    session(store, clock, [deck]).run(Script(clock, ["W1", "true", "Gau"], decide=remember))
    assert [r[1] for r in reviews(store)] == ["overridden"] * 3
    assert store.accepted() == [("d", "ty", "Gau")]


def test_what_is_due_after_a_session_is_counted_as_stats_counts_it(store, clock):
    from quizzer.stats import compute_stats, due_soon

    deck = deck_of("d", typed("a", "x"), typed("b", "y"), typed("c", "z"))
    clock.now = datetime(2026, 3, 3, 3, 50, tzinfo=timezone.utc)  # ten minutes before the day turns
    session(store, clock, [deck]).run(Script(clock, ["x", "no", Quit]))
    # a (right: back in 10m, after 04:00) is due tomorrow; b (wrong: back in 1m) is still due today;
    # c was never answered, so it is new, not due.
    assert due_soon(store, [deck], now=clock()) == (1, 1)
    forecast = compute_stats(store, Scheduler(fuzz=False), [deck], now=clock()).forecast
    assert (forecast[0].count, forecast[1].count) == (1, 1)


def test_quitting_at_the_verdict_keeps_that_answer_as_judged(store, clock):
    deck = deck_of("d", typed("a", "x"), typed("b", "y"))

    def quit_here(verdict, proposed):
        raise Quit

    summary = session(store, clock, [deck]).run(Script(clock, ["no", "y"], decide=quit_here))
    assert reviews(store) == [("a", "wrong", 1)]
    assert summary.answers == 1


def test_a_learning_card_due_later_than_the_early_window_counts_once_it_is_within_it(store, clock):
    from quizzer.model import CardState
    from quizzer.study_queue import EARLY_LEARNING_WINDOW, Entry, Learning, Queue

    deck = deck_of("d", typed("a", "x"))
    later = CardState(phase=Phase.LEARNING, due=clock() + timedelta(hours=2), step=1)
    queue = Queue(learning=Learning({("d", "a"): Entry(deck, "a", later, asks=1)}))
    assert queue.asks(clock()) == 0
    assert queue.asks(later.due - EARLY_LEARNING_WINDOW) == 1


def test_the_questions_to_come_count_every_queue_and_the_learning_cards_due_soon(store, clock):
    from quizzer.study_queue import Entry, Learning, Queue

    deck = deck_of("d", typed("a", "x"))

    def entry(asks, due=clock()):
        return Entry(deck, "a", CardState(phase=Phase.LEARNING, due=due, step=1), asks=asks)

    queue = Queue(again=[entry(1)], reviews=[entry(10)], new=[entry(100)],
                   learning=Learning({("d", "a"): entry(1000), ("d", "b"): entry(10000, due=clock() + timedelta(hours=1))}))
    assert queue.asks(clock()) == 1111 and len(queue) == 5


def test_reviews_due_at_the_same_time_are_cut_at_the_limit_in_file_order(store, clock):
    # The store reads cards due at the same moment in its own order (here by id, and in the order they were
    # answered: both the reverse of the file's); the limit still keeps the first in the file.
    deck = deck_of("d", typed("z", "1"), typed("y", "2"), typed("x", "3"))
    start = clock.now
    for card in ("x", "y", "z"):
        clock.now = start
        single = deck_of("d", next(c for c in deck.cards if c.id == card))
        session(store, clock, [single]).run(Script(clock, [lambda q: q.card.answer], think=timedelta(0),
                                                   decide=lambda v, p: Decision(Rating.EASY)))
    (due,) = {s.due for s in store.states(["d"]).values()}
    clock.now = due + timedelta(hours=1)
    queue = session(store, clock, [deck], limits=Limits(reviews_per_day=2)).build_queue(clock())
    assert [e.card.id for e in queue.reviews] == ["z", "y"]


def test_a_background_card_does_not_take_its_decks_tags(store, clock):
    deck = deck_of("t", typed("a", "x"), typed("b", "y", tags=("background",)), tags=("mali",))
    assert session(store, clock, [deck], tag="mali").cards_in_scope() == {("t", "a")}
    assert session(store, clock, [deck], tag="background").cards_in_scope() == {("t", "b")}
    assert session(store, clock, [deck]).cards_in_scope() == {("t", "a"), ("t", "b")}


def old_queue(s, now):
    """build_queue as it was before issue 14 (every card of every deck visited): the oracle it must equal."""
    from quizzer.session import study_day_start
    from quizzer.study_queue import EARLY_LEARNING_WINDOW, in_turn

    day_start = study_day_start(now, s.limits.day_starts_at)
    reviewed = s.store.reviewed(d.id for d in s.decks)
    states = s.store.states((d.id for d in s.decks), due_before=day_start + timedelta(days=1))
    new_today = s.store.new_cards_since(day_start)
    reviews_left = max(0, s.limits.reviews_per_day - s.store.review_answers_since(day_start))
    hidden = s.store.hidden(now)
    asks = lambda state: Scheduler(fuzz=False).answers_to_pass(state, now, EARLY_LEARNING_WINDOW)  # noqa: E731
    learning, reviews, new_per_deck = {}, [], []
    for deck in s.decks:
        new_left = max(0, s.limits.new_per_day - new_today.get(deck.id, 0))
        new_per_deck.append([])
        for card in deck.tagged(s.tag):
            key, state = (deck.id, card.id), states.get((deck.id, card.id))
            if key in hidden:
                continue
            if key not in reviewed:
                if new_left > 0:
                    new_per_deck[-1].append((key, new_state(now), asks(new_state(now))))
                    new_left -= 1
            elif state is None:
                continue
            elif state.phase in (Phase.LEARNING, Phase.RELEARNING):
                learning[key] = (key, state, asks(state))
            else:
                reviews.append((key, state, 1))
    new = in_turn(new_per_deck) if s.limits.new_order == "mixed" else sum(new_per_deck, [])
    reviews.sort(key=lambda e: e[1].due)
    return learning, reviews[:reviews_left], new


def test_the_queue_is_the_one_every_card_visited_gave_on_a_mixed_library(store, clock):
    from quizzer.controls import CardEvents

    rng = random.Random(7)
    tags = lambda i: (("odd",) if i % 2 else ()) + (("background",) if i % 7 == 0 else ())  # noqa: E731
    decks = [deck_of(f"d{n}", *(typed(f"c{i}", f"a{n}x{i}", tags=tags(i)) for i in range(60)),
                     tags=("deck",) if n == 1 else ()) for n in range(3)]
    events = CardEvents(store, Scheduler(fuzz=False))
    for day in range(12):  # right and wrong answers over twelve days, so states of every phase are due
        answers = [lambda q: q.card.answer if rng.random() < 0.7 else "nope"] * rng.randint(5, 40)
        script = Script(clock, answers, think=timedelta(minutes=3))
        session(store, clock, decks, limits=Limits(new_per_day=4)).run(script)
        if day in (4, 11):  # answered cards and new ones, so some hidden cards are due or next
            events.suspend([("d0", "c5"), ("d1", "c59"), *(("d2", f"c{i}") for i in range(day - 4, day + 2))], clock())
            events.bury([(f"d{n}", f"c{i}") for n in (0, 1) for i in (*range(day - 4, day + 2), 40)], clock())
        clock.advance(hours=rng.choice([5, 20, 26]))
    scheduler = Scheduler(fuzz=False)
    for deck, card in [("d2", "c57"), ("d1", "c58"), ("d2", "c56"), ("d1", "c57")]:  # equal due times: file order
        after = scheduler.review(new_state(clock()), Rating.EASY, clock())
        store.record(Review(f"tie-{deck}-{card}", deck, card, clock(), Rating.EASY, Outcome.CORRECT, "x", 1, "s"),
                     Phase.NEW, after)
    # Cards removed from a deck keep their history; decks listed against the order of their ids.
    shrunk = [decks[2], decks[1], deck_of("d0", *decks[0].cards[3:])]
    compared = 0
    for now in (*(clock() + timedelta(hours=hours) for hours in (0, 1, 9, 30, 80)), after.due + timedelta(hours=1)):
        for tag in (None, "odd", "deck"):
            for limits in (Limits(), Limits(new_per_day=3, reviews_per_day=4, new_order="deck")):
                s = session(store, clock, shrunk, limits=limits, tag=tag)
                queue, (learning, reviews, new) = s.build_queue(now), old_queue(s, now)
                as_tuples = lambda entries: [(e.key, e.state, e.asks) for e in entries]  # noqa: E731
                assert sorted(as_tuples(queue.learning.values())) == sorted(learning.values())
                assert as_tuples(queue.reviews) == reviews and as_tuples(queue.new) == new
                compared += len(learning) + len(reviews) + len(new)
    assert compared > 200  # the library really had cards of every kind to queue


class EagerSession(StudySession):
    """The session as it was before the fifth round of issue 14: every card in learning made an entry (its state
    read) when the session began, in the order SQLite gave them (deck id, card id), from `old_queue`."""

    def build_queue(self, now):
        from quizzer.study_queue import Entry, Learning, Queue

        learning, reviews, new = old_queue(self, now)
        decks = {d.id: d for d in self.decks}
        entries = lambda found: [Entry(decks[key[0]], key[1], state, asks) for key, state, asks in found]  # noqa: E731
        return Queue(learning=Learning({e.key: e for e in entries(sorted(learning.values()))}),
                      reviews=entries(reviews), new=entries(new))


class Learner:
    """Answers right or wrong, takes half a minute to nine minutes (so learning cards fall due mid-session)
    and now and then suspends, buries, undoes or edits instead, all drawn from a seeded random source;
    notes every question as shown."""

    def __init__(self, clock, seed, questions):
        from quizzer.controls import COMMANDS

        self.clock, self.rng, self.left, self.shown = clock, random.Random(seed), questions, []
        self.commands = {c.action: c for c in COMMANDS}

    def ask(self, question):
        from quizzer.controls import Action, Control

        self.shown.append((question.deck.id, question.card.id, question.phase, question.number, question.total,
                           question.card.question))
        self.left -= 1
        if self.left < 0:
            raise Quit
        self.clock.advance(seconds=self.rng.choice([30, 120, 240, 540]))
        draw = self.rng.random()
        for action, below in ((Action.SUSPEND, 0.03), (Action.BURY, 0.06), (Action.UNDO, 0.1), (Action.EDIT, 0.16)):
            if draw < below:
                raise Control(self.commands[action])
        return question.card.answer if self.rng.random() < 0.6 else "nope"

    def confirm(self, question, response, verdict, proposed, intervals):
        return Decision(proposed)

    def saved(self, question, verdict, rating, due_in):
        pass

    def notice(self, message):
        self.shown.append(message)

    def waiting(self, message):
        pass


def edit_card(deck, card):
    """An edit that rewords the card on screen and removes every card of the deck whose number ends in 3."""
    from dataclasses import replace

    return replace(deck, cards=tuple(replace(c, question=f"{c.question} (edited)") if c.id == card.id else c
                                     for c in deck.cards if not c.id.endswith("3")))


def test_whole_sessions_ask_what_the_queue_that_read_every_learning_card_at_the_start_asked(store, clock, tmp_path):
    # The queue reads a learning card's state only when it comes up (issue 14, fifth round). Over a mixed
    # library with cards in learning falling due mid-session, cards suspended, buried, undone and edited
    # away mid-session, tags and the daily limits, every session asks the same questions in the same order,
    # counted the same, as a session whose queue made every entry at the start, and saves the same answers.
    from dataclasses import replace

    from conftest import FakeClock
    from quizzer.controls import CardEvents

    rng = random.Random(11)
    tags = lambda i: ("odd",) if i % 2 else ()  # noqa: E731
    decks = [deck_of(f"d{n}", *(typed(f"c{i}", f"a{n}x{i}", tags=tags(i)) for i in range(40))) for n in range(3)]
    events = CardEvents(store, Scheduler(fuzz=False))
    for day in range(6):  # right and wrong answers over six days, each session quit with cards in learning
        answers = [lambda q: q.card.answer if rng.random() < 0.6 else "nope"] * rng.randint(20, 40)
        session(store, clock, decks, limits=Limits(new_per_day=12)).run(
            Script(clock, answers, think=timedelta(minutes=rng.choice([1, 3, 6]))))
        if day == 3:
            events.suspend([("d0", "c5"), ("d1", "c7")], clock())
            events.bury([("d2", "c1"), ("d2", "c2")], clock())
        clock.advance(hours=rng.choice([1, 5, 20]))
    burst = [lambda q: q.card.answer if rng.random() < 0.6 else "nope"] * 40  # new cards, each a step in
    session(store, clock, decks, limits=Limits(new_per_day=12)).run(Script(clock, burst, think=timedelta(seconds=5)))
    # Cards in learning due at the same whole minutes as one another, and as cards the session answers may
    # be (its answers take whole half minutes), whose ids sort against their decks' ids; some an edit removes.
    stepped = Scheduler(fuzz=False).review(new_state(clock()), Rating.GOOD, clock())
    tied = [[typed(f"t{2 - n}{i}", "t") for i in range(8)] for n in range(3)]
    for n, cards in enumerate(tied):
        for i, card in enumerate(cards):
            store.record(Review(f"tie-{n}-{i}", f"d{n}", card.id, clock(), Rating.GOOD, Outcome.CORRECT, "t", 1, "s"),
                         Phase.NEW, replace(stepped, due=clock() + timedelta(minutes=2 * i + 1)))
    shrunk = [deck_of("d2", *decks[2].cards, *tied[2]), deck_of("d1", *decks[1].cards, *tied[1]),
              deck_of("d0", *decks[0].cards[2:], *tied[0])]  # two cards gone from d0's file
    learning = sum(s.phase in (Phase.LEARNING, Phase.RELEARNING) for s in store.states(d.id for d in decks).values())
    compared = 0
    for run, (hours, tag, limits) in enumerate([
            (0, None, Limits()), (0.2, "odd", Limits(new_per_day=3, reviews_per_day=4)),
            (2, None, Limits(reviews_per_day=5, new_order="deck")), (30, None, Limits(new_per_day=2))]):
        asked = {}
        for kind in (EagerSession, StudySession):
            path = tmp_path / f"{run}-{kind.__name__}.db"
            store.backup(path)
            moved = FakeClock(clock() + timedelta(hours=hours))
            learner = Learner(moved, seed=run, questions=80)
            with Store(path) as copy:
                kind(copy, Scheduler(fuzz=False), shrunk, limits=limits, tag=tag, clock=moved, rng=random.Random(1),
                     edit_card=edit_card).run(learner)
                saved = [(r["deck"], r["card"], r["rating"], r["phase"], r["reviewed_at"], r["voided"])
                         for r in copy.reviews(voided=True)]
                asked[kind] = (learner.shown, saved, copy.states(d.id for d in decks), copy.flags())
        assert asked[StudySession] == asked[EagerSession]
        compared += len(asked[StudySession][0])
    assert learning > 20 and compared > 200  # cards in learning at the start, and long sessions to compare


def test_of_two_learning_cards_due_at_once_the_one_in_learning_when_the_session_began_comes_first(clock):
    # As in the queue that made every entry at the start: its dict held those cards before any put back.
    from quizzer.study_queue import Entry, Learning, Stored

    deck = deck_of("d", typed("a", "x"), typed("b", "y"), typed("c", "z"))
    due = clock() + timedelta(minutes=10)
    made = lambda d, card: Entry(d, card, CardState(Phase.LEARNING, due, 1), asks=1)  # noqa: E731
    answered = Entry(deck, "a", CardState(Phase.LEARNING, due, 1), asks=1)
    learning = Learning({answered.key: answered}, Stored([(due, "d", "c", 1), (due, "d", "b", 1)], {"d": deck}, made))
    assert learning.soonest() == due and learning.asks(due) == 3
    assert [learning.take().card_id for _ in range(3)] == ["b", "c", "a"]
    assert len(learning) == 0 and learning.soonest() is None


def test_the_review_limit_keeps_the_first_in_file_order_of_reviews_due_at_the_same_time(store, clock):
    # The store gives equal due times in its own order (here a, then b); the limit is applied after the
    # file order (b, then a) is known, so every row due with the last one kept is read.
    deck = deck_of("d", typed("b", "y"), typed("a", "x"))
    after = Scheduler(fuzz=False).review(new_state(clock()), Rating.EASY, clock())
    for card in ("a", "b"):
        store.record(Review(f"r-{card}", "d", card, clock(), Rating.EASY, Outcome.CORRECT, "x", 1, "s"),
                     Phase.NEW, after)
    queue = session(store, clock, [deck], limits=Limits(reviews_per_day=1)).build_queue(after.due + timedelta(hours=1))
    assert [e.card_id for e in queue.reviews] == ["b"]


def test_a_learning_card_whose_progress_was_deleted_before_it_came_up_is_asked_as_new(store, clock):
    # Its state is read only when it comes up (issue 14, fifth round): none then, so a new card as of the
    # session's start, which takes two Good answers (steps 1m and 10m).
    deck = deck_of("d", typed("a", "x"))
    session(store, clock, [deck]).run(Script(clock, ["nope"]))
    start = clock()
    queue = session(store, clock, [deck]).build_queue(start)
    store.delete_deck_progress("d")
    entry = queue.pop(start + timedelta(hours=1))
    assert (entry.card_id, entry.state, entry.asks) == ("a", new_state(start), 2)


def test_a_learning_card_answered_elsewhere_before_it_came_up_is_asked_in_its_new_step(store, clock):
    # Answered Good in another terminal after the session began: step 1 of learning, whose questions the
    # session had not counted for any card yet; one Good answer from there takes it to review.
    deck = deck_of("d", typed("a", "x"))
    session(store, clock, [deck]).run(Script(clock, ["nope"]))
    start = clock()
    queue = session(store, clock, [deck]).build_queue(start)
    elsewhere = Scheduler(fuzz=False).review(store.state(("d", "a")), Rating.GOOD, start)
    store.record(Review("elsewhere", "d", "a", start, Rating.GOOD, Outcome.CORRECT, "x", 1, "s"),
                 Phase.LEARNING, elsewhere)
    entry = queue.pop(start + timedelta(hours=1))
    assert (entry.card_id, entry.state, entry.asks) == ("a", elsewhere, 1)
    assert (elsewhere.phase, elsewhere.step) == (Phase.LEARNING, 1)


@pytest.mark.parametrize("ids", [
    ("a", "b"),  # in SQLite's order: found to be exactly the answered ids without a set (EVERY_CARD)
    ("b", "a"),  # in another order: the same, from the ids the parse cache or the deck sorts
])
def test_a_deck_whose_cards_are_all_answered_leaves_the_next_decks_their_new_cards(store, clock, ids):
    decks = [deck_of("d0", *(typed(card, "x") for card in ids)), deck_of("d1", typed("c", "y"))]
    session(store, clock, decks[:1]).run(Script(clock, ["x", "x"]))
    queue = session(store, clock, decks).build_queue(clock())
    assert [e.key for e in queue.new] == [("d1", "c")] and len(queue.learning) == 2


def test_the_stored_learning_cards_count_only_those_still_to_come_even_when_the_clock_goes_back(clock):
    # A card taken early (within the early window) is no longer to come; a clock set back since must not
    # count it again, nor count less than nothing. Asks of 1, 10 and 100 show which cards were counted.
    from quizzer.study_queue import Entry, Stored

    deck = deck_of("d", typed("a", "x"), typed("b", "y"), typed("c", "z"))
    due = lambda minutes: clock() + timedelta(minutes=minutes)  # noqa: E731
    made = lambda d, card: Entry(d, card, CardState(Phase.LEARNING, due(0), 1), asks=1)  # noqa: E731
    stored = Stored([(due(30), "d", "c", 100), (due(10), "d", "a", 1), (due(20), "d", "b", 10)], {"d": deck}, made)
    assert [stored.asks(due(m)) for m in (0, 10, 20, 30)] == [0, 1, 11, 111]
    assert stored.take().card_id == "a"
    assert [stored.asks(due(m)) for m in (0, 10, 20, 30)] == [0, 0, 10, 110]


def test_a_judged_answer_schedules_only_the_rating_its_screen_shows(store, clock):
    # The verdict screen shows the proposed rating's interval: FSRS runs for it and for the answer saved,
    # not for all four ratings (issue 14). A flash card's rating list still shows all four.
    deck = deck_of("d", typed("a", "x"), typed("b", "y"), Card(id="f", kind=Kind.FLASH, question="F?", answer="f"))
    s = session(store, clock, [deck])
    calls = []
    review = s.scheduler.review
    s.scheduler.review = lambda *args, **kwargs: calls.append(1) or review(*args, **kwargs)
    per_answer, shown = [], []

    class Counting(Script):
        def ask(self, question):
            calls.clear()
            return super().ask(question)

        def rate(self, question, intervals):
            shown.append(dict(intervals))
            return super().rate(question, intervals)

        def confirm(self, question, response, verdict, proposed, intervals):
            shown.append({proposed: intervals[proposed]})
            return super().confirm(question, response, verdict, proposed, intervals)

        def saved(self, question, verdict, rating, due_in):
            per_answer.append((question.card.id, len(calls)))
            super().saved(question, verdict, rating, due_in)

    s.run(Counting(clock, ["x", "wrong", "", "3"]))
    assert per_answer == [("a", 2), ("b", 2), ("f", 5)]
    assert [len(intervals) for intervals in shown] == [1, 1, 4]


def test_the_queue_reads_and_makes_states_only_for_cards_it_queues_and_asks_sqlite_the_same_few_times(store, clock,
                                                                                             monkeypatch):
    # A large library has thousands of reviews due and a session takes a few hundred (issue 14): a state is
    # made for each review queued, for one learning card of each phase and step (the questions it takes)
    # and for each other learning card only as it comes up, and the number of SQL statements does not
    # grow with the decks (main made every due card's state and asked SQLite once per deck for new cards).
    from quizzer.store import log

    decks = [deck_of(f"d{n}", *(typed(f"c{i}", "x") for i in range(8))) for n in range(6)]
    answered = clock()
    for n, deck in enumerate(decks):
        for i, card in enumerate(deck.cards[:6]):  # three learning cards and three in review per deck
            state = CardState(Phase.LEARNING if i < 3 else Phase.REVIEW, answered - timedelta(hours=i + 10 * n), 0,
                              2.0, 5.0, answered - timedelta(days=3))
            store.record(Review(f"r{n}-{i}", deck.id, card.id, answered - timedelta(days=3), Rating.GOOD,
                                Outcome.CORRECT, "x", 1, "s"), Phase.NEW, state)
    made, read = [], []
    card_state = log.card_state
    monkeypatch.setattr(log, "card_state", lambda *row: made.append(row) or card_state(*row))
    rows = Store.state_rows
    monkeypatch.setattr(Store, "state_rows", lambda *a, **k: (read.append(row) or row for row in rows(*a, **k)))
    queue = session(store, clock, decks, limits=Limits(new_per_day=1, reviews_per_day=4)).build_queue(clock())
    assert len(queue.learning) == 18 and len(queue.reviews) == 4 and len(queue.new) == 6
    assert len(made) == 4 + 1  # the fifth round made all 18 learning cards' states here
    assert len(read) <= 5  # the reviews read most overdue first, up to the first past the limit
    assert queue.pop(clock()).state.phase is Phase.LEARNING and len(made) == 4 + 1 + 1
    monkeypatch.undo()
    statements = {}
    for some in (decks[:1], decks):
        s = session(store, clock, some, limits=Limits(new_per_day=1, reviews_per_day=4))
        store.db.set_trace_callback(statements.setdefault(len(some), []).append)
        s.build_queue(clock())
        store.db.set_trace_callback(None)
    assert len(statements[1]) == len(statements[6])


def python_steps(function) -> int:
    """Lines quizzer's own code runs (a loop's line counts once a turn) while `function` runs."""
    import sys

    steps = [0]

    def trace(frame, event, arg):
        if "/quizzer/" not in frame.f_code.co_filename:
            return None
        if event == "line":
            steps[0] += 1
        return trace

    sys.settrace(trace)
    try:
        function()
    finally:
        sys.settrace(None)
    return steps[0]


def test_the_queue_takes_no_python_step_per_card_of_a_deck_whose_cards_are_all_answered(store, clock):
    # 100 decks of 1,000 cards, every card answered (run.py's library): finding where a learning card
    # sits, and looking for new cards, went through every id of every deck one Python step at a time.
    answered = clock()
    steps = {}
    for size in (40, 400):
        deck = deck_of(f"d{size}", *(typed(f"c{i}", "x") for i in range(size)), typed("c0", "x"))
        for i in range(size):
            phase, due = (Phase.LEARNING, answered) if i == size - 1 else (Phase.REVIEW, answered + timedelta(days=9))
            store.record(Review(f"r{size}-{i}", deck.id, f"c{i}", answered - timedelta(days=3), Rating.GOOD,
                                Outcome.CORRECT, "x", 1, "s"), Phase.NEW,
                         CardState(phase, due, 0, 2.0, 5.0, answered - timedelta(days=3)))
        s = session(store, clock, [deck])
        deck.card_ids  # as a deck from the parse cache has them, without a step per card
        queue = []
        steps[size] = python_steps(lambda: queue.append(s.build_queue(clock())))
        assert [e.card_id for e in queue[0].learning.values()] == [f"c{size - 1}"]
        assert not queue[0].reviews and not queue[0].new
        assert deck.position("c0") == 0 and deck.position(f"c{size - 1}") == size - 1  # the first c0 of two
    assert steps[400] == steps[40]


# A response as the terminal passed it on → as saved: bytes that were not UTF-8 (escaped as U+DC80 to
# U+DCFF) and any other lone surrogate become U+FFFD, one per byte of their UTF-8 form.
SAVEABLE = [
    ("Bamakó", "Bamakó"),
    ("Bam\udcc3ako", "Bam\ufffdako"),
    ("ok \ud800", "ok \ufffd\ufffd\ufffd"),
    ("\udfff\udc80", "\ufffd" * 6),  # one lone surrogate the escape cannot take: both go the other way
    (("\ud83d", "Gao"), ("\ufffd\ufffd\ufffd", "Gao")),
]


# Ids by number: pytest's cache cannot write an id holding a lone surrogate.
@pytest.mark.parametrize("response, saved", SAVEABLE, ids=[str(n) for n in range(len(SAVEABLE))])
def test_a_response_is_saved_as_text(response, saved):
    assert saveable(response) == saved


class CountedId(str):
    """A card id that counts how often it is hashed (put in or looked up in a set or dict)."""

    hashed = 0

    def __hash__(self):
        CountedId.hashed += 1
        return super().__hash__()


def test_a_deck_whose_cards_are_all_answered_has_no_id_hashed_whatever_its_order(store, clock):
    # run.py's library: 100 decks of 1,000 cards, every one answered. The queue found that none is new
    # and that every card in learning is still in its deck by putting every id in sets (about 15 ms at
    # 100,000 cards); the deck's ids sorted as SQLite keeps them are compared as one text instead. Listed
    # here against that order, as a deck written by hand would be.
    answered = clock()
    size = 300
    deck = deck_of("d", *(typed(CountedId(f"c{i:04d}"), "x") for i in reversed(range(size))))
    for i in range(size):
        phase = Phase.LEARNING if i % 3 == 0 else Phase.REVIEW
        store.record(Review(f"r{i}", "d", f"c{i:04d}", answered - timedelta(days=3), Rating.GOOD, Outcome.CORRECT,
                            "x", 1, "s"), Phase.NEW, CardState(phase, answered + timedelta(days=i % 3), 0, 2.0, 5.0,
                                                               answered - timedelta(days=3)))
    s = session(store, clock, [deck])
    CountedId.hashed = 0
    queue = s.build_queue(clock())
    assert CountedId.hashed == 0
    assert len(queue.learning) == size // 3 and not queue.new and not queue.reviews


@pytest.mark.parametrize("ids, answered, same", [
    (("a", "b", "c"), ["a", "b", "c"], True),
    (("a", "b"), ["a", "b", "c"], False),  # c is no longer in the deck
    (("a", "b", "c"), ["a", "c"], False),  # b is new
    (("b", "a", "c"), ["a", "b", "c"], True),  # the same, listed in another order than SQLite's
    (("a", "a", "b"), ["a", "b"], False),  # an id twice
    (("A", "a", "é", "ž", "日"), ["A", "a", "é", "ž", "日"], True),  # by code point, as SQLite's bytes
    (('say "hi"', "back\\slash", "tab\t", "/"), ["/", "back\\slash", 'say "hi"', "tab\t"], True),  # any order
    (("/", "back\\slash", 'say "hi"', "tab\t"), ["/", "back\\slash", 'say "hi"', "tab\t"], True),  # escaped alike
    ((), [], True),
])
def test_a_decks_ids_are_the_answered_ones_only_when_they_are_exactly(store, clock, ids, answered, same):
    deck = deck_of("d", *(typed(card, "x") for card in ids))
    for n, card in enumerate(answered):
        store.record(Review(f"r{n}", "d", card, clock(), Rating.GOOD, Outcome.CORRECT, "x", 1, "s"), Phase.NEW,
                     CardState(Phase.REVIEW, clock() + timedelta(days=3), 0, 2.0, 5.0, clock()))
    count, text, _ = store.answered_and_learning(["d"], clock()).get("d", (0, "[]", []))
    assert json.loads(text) == answered
    assert deck.has_exactly(count, text) is same
    assert deck.has_exactly(count + 1, text[:-1] + ',"more"]') is False  # text that is not the deck's
    assert deck.has_exactly(count - 1, text) is False


def test_the_queue_parses_no_answered_id_of_a_deck_whose_cards_are_all_answered(store, clock, monkeypatch):
    # run.py's 100 decks of 1,000 cards, every one answered: parsing the 100,000 ids SQLite hands over,
    # and comparing them with the deck's, was a fifth of the queue's time (issue 14, sixth round).
    parsed = []
    real = json.loads
    monkeypatch.setattr(json, "loads", lambda text, **kw: parsed.append(real(text)) or parsed[-1])
    answered = clock()
    decoded = []
    for size in (40, 400):
        cards = tuple(typed(f"c{i:03}", "x") for i in range(size))
        # as the parse cache hands a deck over: its ids as text, decoded only if read
        index = Cards.of(cards)
        deck = Deck(f"d{size}", "D", Cards(size, lambda index=index: decoded.append(1) or index.ids,
                                           lambda index=index: (index.tags, index.kinds), cards.__getitem__,
                                           ids_json(c.id for c in cards)))
        for i in range(size):
            phase, due = (Phase.LEARNING, answered) if i == 0 else (Phase.REVIEW, answered + timedelta(days=9))
            store.record(Review(f"r{size}-{i}", deck.id, f"c{i:03}", answered - timedelta(days=3), Rating.GOOD,
                                Outcome.CORRECT, "x", 1, "s"), Phase.NEW,
                         CardState(phase, due, 0, 2.0, 5.0, answered - timedelta(days=3)))
        parsed.clear()
        queue = session(store, clock, [deck]).build_queue(clock())
        assert [e.card_id for e in queue.learning.values()] == ["c000"] and not queue.new
        assert sum(len(value) for value in parsed) == 1  # the one learning card's row
    assert decoded == []  # nor the deck's own ids
