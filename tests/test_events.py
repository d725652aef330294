"""Undo, suspend, bury and leeches: events in the one log, replayed into card states (docs/events.md)."""

import json
import random
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from quizzer import controls
from quizzer.cli import app
from quizzer.controls import LEECH_LAPSES, Action, CardEvents, Control
from quizzer.model import Card, Deck, Event, EventKind, Kind, Outcome, Phase, Rating, Review, study_day_start
from quizzer.scheduler import Scheduler, new_state
from quizzer.session import Limits, Quit, StudySession
from quizzer.store import Store, StoreBusy, log
from quizzer.store.log import Flags, replay_card
from quizzer.store.migrations import MIGRATIONS
from quizzer.store.sync import check

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
COMMAND = {c.action: c for c in controls.COMMANDS}


def event(kind, at=T0, target=None, card="c", **data):
    return Event(str(uuid.uuid4()), kind, "d", card, at, target, data)


# -- the replay -----------------------------------------------------------------------------------


def ids(entries):
    """A stand-in replay whose result is the answers it was given, so the test can read them back."""
    return tuple(review_id for review_id, _, _ in entries)


def test_replay_skips_voided_answers_and_sets_flags_in_order():
    entries = [("r1", Rating.GOOD, T0, True), ("r2", Rating.AGAIN, T0 + timedelta(1), True),
               ("r3", Rating.GOOD, T0 + timedelta(2), True)]
    until = T0 + timedelta(days=1)
    events = [event(EventKind.VOID, target="r2"), event(EventKind.SUSPEND), event(EventKind.UNSUSPEND),
              event(EventKind.BURY, until=until.isoformat()), event(EventKind.SUSPEND)]
    state, flags = replay_card(entries, events, ids)
    assert state == ("r1", "r3")
    assert flags == Flags(suspended=True, buried_until=until, leech=False)
    # Every answer voided: no state at all, the card is new again.
    assert replay_card(entries[:1], [event(EventKind.VOID, target="r1")], ids) == (None, Flags())
    assert replay_card([], [event(EventKind.SUSPEND), event(EventKind.UNSUSPEND)], ids) == (None, Flags())
    # No events (most cards): a quiz answer without --reschedule counts for nothing, the others replay.
    assert replay_card([("q1", Rating.GOOD, T0, False)], [], ids) == (None, Flags())
    assert replay_card([*entries[:2], ("q1", Rating.GOOD, T0, False)], [], ids) == (("r1", "r2"), Flags())


def review(review_id, at, rating=Rating.GOOD, card="c", session="s"):
    return Review(review_id, "d", card, at, rating, Outcome.CORRECT if rating > 1 else Outcome.WRONG, "x", 1000,
                  session)


def answer(store, scheduler, review_id, at, rating=Rating.GOOD, card="c"):
    before = store.states(["d"]).get(("d", card)) or new_state(at)
    after = scheduler.review(before, rating, at, review_id)
    return store.record(review(review_id, at, rating, card), before.phase, after)


def test_a_void_rebuilds_the_card_as_if_the_answer_had_never_been_given(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        first = answer(store, scheduler, "r1", T0)
        answer(store, scheduler, "r2", T0 + timedelta(days=3), Rating.AGAIN)
        events = CardEvents(store, scheduler)
        undone = events.undo(T0 + timedelta(days=3, minutes=1))
        assert undone["review_id"] == "r2"
        assert store.states(["d"])[("d", "c")] == first
        assert [r["review_id"] for r in store.reviews()] == ["r1"]
        assert [(r["review_id"], r["voided"]) for r in store.reviews(voided=True)] == [("r2", True), ("r1", False)]
        assert store.session_counts("s")["answers"] == 1
        # Undoing again walks back the first answer too: the card is new again.
        assert events.undo(T0 + timedelta(days=4))["review_id"] == "r1"
        assert store.states(["d"]) == {} and store.reviewed(["d"]) == set()
        assert events.undo(T0 + timedelta(days=4)) is None
        assert check(store, {("d", "c")}, lambda entries: scheduler.replay(entries, entries[0][2])).healthy


def test_suspend_and_bury_hide_a_card_and_doctor_agrees(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        events = CardEvents(store, scheduler, day_starts_at=4)
        events.suspend([("d", "a")], T0)
        until = events.bury([("d", "b")], T0)
        assert until == study_day_start(T0, 4) + timedelta(days=1)
        assert store.hidden(T0) == {("d", "a"), ("d", "b")}
        assert store.hidden(until) == {("d", "a")}  # a bury ends when the next study day starts
        events.unsuspend([("d", "a")], T0 + timedelta(minutes=1))
        assert store.hidden(T0 + timedelta(minutes=1)) == {("d", "b")}
        # The cache equals the replay of the log: rebuilt from nothing, it is the same.
        cached = store.flags()
        store.db.execute("DELETE FROM card_flags")
        store.rebuild_states(lambda entries: scheduler.replay(entries, entries[0][2]))
        assert store.flags() == cached and cached[("d", "b")].buried_until == until


def lapse(store, review_id, at):
    """An Again on a card in review, written straight into the log (a leech takes weeks to make)."""
    store.db.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after) "
        "VALUES (?, 'd', 'c', ?, 1, 'wrong', 'x', 1, 's', 'review', ?)",
                     (review_id, log.iso(at), log.iso(at + timedelta(minutes=10))))


@pytest.mark.parametrize("action, hidden", [("suspend", True), ("tag", False)])
def test_a_leech_is_suspended_or_flagged_once_at_eight_lapses(tmp_path, action, hidden):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        events = CardEvents(store, scheduler, leech_action=action)
        for n in range(LEECH_LAPSES - 1):
            lapse(store, f"r{n}", T0 + timedelta(days=n))
        assert events.after_lapse(("d", "c"), T0 + timedelta(days=9)) is None
        lapse(store, "last", T0 + timedelta(days=10))
        message = events.after_lapse(("d", "c"), T0 + timedelta(days=10))
        assert message.startswith(f"d/c is a leech ({LEECH_LAPSES} lapses)")
        assert ("suspended" in message) is hidden
        assert (("d", "c") in store.hidden(T0 + timedelta(days=10))) is hidden
        assert store.flags()[("d", "c")].leech
        lapse(store, "again", T0 + timedelta(days=11))
        assert events.after_lapse(("d", "c"), T0 + timedelta(days=11)) is None  # said once


def test_an_older_database_is_upgraded_with_its_answers_counting(tmp_path):
    path = tmp_path / "q.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:3]:  # the schema before events
        old.executescript(sql)
        old.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    old.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, duration_ms, session, phase, due_after) "
        "VALUES ('r1', 'd', 'c', ?, 3, 'correct', 'x', 5, 's', 'new', ?)",
                (log.iso(T0), log.iso(T0 + timedelta(days=1))))
    old.commit()
    old.close()
    with Store(path) as store:
        assert [r["review_id"] for r in store.reviews()] == ["r1"]
        assert store.flags() == {} and store.hidden(T0) == set()
        CardEvents(store, Scheduler(fuzz=False)).suspend([("d", "c")], T0)
        assert store.hidden(T0) == {("d", "c")}


# -- in a session ---------------------------------------------------------------------------------


def typed(card_id):
    return Card(id=card_id, kind=Kind.TYPED, question=f"Q {card_id}?", answer=card_id.upper())


class Script:
    """A prompter that answers from a list; an Action in the list is given as that command."""

    def __init__(self, clock, answers):
        self.clock, self.answers = clock, list(answers)
        self.asked, self.notices, self.numbers, self.totals, self.phases = [], [], [], [], []
        self.waits = []

    def ask(self, question):
        self.asked.append(question.card.id)
        self.numbers.append(question.number)
        self.totals.append(question.total)
        self.phases.append(question.phase)
        if not self.answers:
            raise Quit
        self.clock.advance(seconds=5)
        said = self.answers.pop(0)
        if isinstance(said, Action):
            raise Control(COMMAND[said])
        return said

    def confirm(self, question, response, verdict, proposed, intervals):
        from quizzer.session import Decision

        return Decision(proposed)

    def saved(self, *args):
        pass

    def notice(self, message):
        self.notices.append(message)

    def waiting(self, message):
        self.waits.append(message)


def busy_once(method):
    """A `prepare` for `run`: the session's `CardEvents.<method>` finds the database busy once, then works."""
    def prepare(session):
        carry_out, busy = getattr(session.events, method), [StoreBusy("locked")]

        def when_free(*args, **kwargs):
            if busy:
                raise busy.pop()
            return carry_out(*args, **kwargs)

        setattr(session.events, method, when_free)
    return prepare


def run(store, clock, answers, deck=None, prepare=lambda session: None, **limits):
    deck = deck or Deck(id="d", title="D", cards=(typed("a"), typed("b"), typed("c")))
    script = Script(clock, answers)
    session = StudySession(store, Scheduler(fuzz=False), [deck], clock=clock, rng=random.Random(1),
                           limits=Limits(**limits))
    prepare(session)
    return script, session.run(script)


def test_undo_walks_back_answers_and_asks_each_card_again(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        script, summary = run(store, clock, ["A", "B", Action.UNDO, Action.UNDO, "A", "B", "C"])
        assert script.asked[:7] == ["a", "b", "c", "b", "a", "b", "c"]
        # The counter's n counts answers kept: a command answers nothing, and each undo takes one back.
        assert script.numbers[:7] == [1, 2, 3, 2, 1, 2, 3]
        assert script.notices == ["undone d/b: asking it again", "undone d/a: asking it again"]
        assert (summary.answers, summary.cards, summary.new) == (3, 3, 3)
        assert len(store.reviews(voided=True)) == 5 and len(store.reviews()) == 3
        # The daily new-card limit counts the answers that count: three new cards, not five.
        assert store.new_cards_since(study_day_start(clock(), 4)) == {"d": 3}


def test_undo_with_nothing_saved_says_so_and_asks_the_same_card(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        script, _ = run(store, clock, [Action.UNDO, "A"])
        assert script.asked[:2] == ["a", "a"]
        assert script.numbers[:2] == [1, 1]  # no answer was taken back
        assert script.notices == ["nothing to undo in this session"]


def test_undo_never_reaches_an_answer_of_an_earlier_session(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        run(store, clock, ["A"])
        script, _ = run(store, clock, [Action.UNDO, "B"])
        assert script.asked[:2] == ["b", "b"] and script.notices == ["nothing to undo in this session"]
        assert [r["card"] for r in store.reviews()] == ["b", "a"] and len(store.reviews(voided=True)) == 2


def test_after_an_undo_the_counter_counts_the_card_once_as_new_again(tmp_path, clock):
    # Three new cards take two Good answers each: 6 questions. After a's first answer it needs one more
    # (its learning entry); the undo makes it new again, needing two, and leaves no learning entry.
    with Store(tmp_path / "q.db") as store:
        script, _ = run(store, clock, ["A", Action.UNDO, "A"])
        assert script.asked[:3] == ["a", "b", "a"]
        assert list(zip(script.numbers, script.totals))[:3] == [(1, 6), (2, 6), (1, 6)]


def test_undoing_the_answer_to_the_card_on_screen_asks_it_again(tmp_path, clock):
    # a's second question comes early out of learning, so a is in no queue when its answer is undone.
    with Store(tmp_path / "q.db") as store:
        deck = Deck(id="d", title="D", cards=(typed("a"),))
        script, summary = run(store, clock, ["A", Action.UNDO, "A", "A"], deck=deck)
        assert script.asked == ["a", "a", "a", "a"] and script.numbers == [1, 2, 1, 2]
        assert script.notices == ["undone d/a: asking it again"] and summary.answers == 2


def test_an_undone_card_comes_back_in_the_state_before_the_answer(tmp_path, clock):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        # a, a review card due now, is answered and undone; then b's second answer (its last step) is undone.
        learned = scheduler.review(new_state(clock()), Rating.EASY, clock() - timedelta(days=10), "r0")
        store.record(review("r0", clock() - timedelta(days=10), Rating.EASY, card="a"), Phase.NEW, learned)
        clock.now = learned.due
        deck = Deck(id="d", title="D", cards=(typed("a"), typed("b"), typed("c")))
        script, _ = run(store, clock, ["A", Action.UNDO, "A", "B", "C", "B", Action.UNDO, "B"], deck=deck)
        assert script.asked[:8] == ["a", "b", "a", "b", "c", "b", "c", "b"]
        assert script.phases[:3] == [Phase.REVIEW, Phase.NEW, Phase.REVIEW]
        assert script.phases[5:8] == [Phase.LEARNING, Phase.LEARNING, Phase.LEARNING]
        # A review card takes one answer, a card at its last learning step one: the totals stay as they were.
        assert list(zip(script.numbers, script.totals))[:8] == [
            (1, 5), (2, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5), (4, 5)]


def test_suspend_and_bury_in_a_session(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        script, summary = run(store, clock, [Action.SUSPEND, Action.BURY, "C"])
        assert script.asked[:3] == ["a", "b", "c"] and set(script.asked[3:]) == {"c"}  # c again: learning
        assert script.notices[0] == "suspended d/a; `quizzer unsuspend d/a` brings it back"
        assert script.notices[1].startswith("buried d/b until ")
        assert summary.answers == 1
        clock.advance(days=1)  # the next study day: b is back, a stays suspended
        script, _ = run(store, clock, ["x", "x", "x"])
        assert "b" in script.asked and "a" not in script.asked


@pytest.mark.parametrize("action, method", [(Action.SUSPEND, "suspend"), (Action.BURY, "bury"),
                                            (Action.UNDO, "undo")])
def test_a_command_waits_for_a_busy_database_with_a_message_and_is_saved(tmp_path, clock, action, method):
    with Store(tmp_path / "q.db") as store:
        script, _ = run(store, clock, ["A", action, "B"], prepare=busy_once(method))
        assert len(script.waits) == 1 and "nothing is lost" in script.waits[0]
        assert len(script.notices) == 1 and not script.notices[0].startswith("nothing")


def test_a_command_other_than_undo_takes_no_answer_back(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        script, _ = run(store, clock, ["A", Action.SUSPEND, Action.BURY, "A"])
        assert script.asked[:4] == ["a", "b", "c", "a"] and script.numbers[:4] == [1, 2, 2, 2]


def test_a_card_buried_in_a_session_comes_back_when_the_next_study_day_starts(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:  # the clock says 12:00 UTC on 2 March; TZ is UTC in the tests
        script, _ = run(store, clock, [Action.BURY], day_starts_at=6)
        assert script.notices == ["buried d/a until 2026-03-03 06:00"]


def test_quit_command_ends_the_session(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        script, summary = run(store, clock, ["A", Action.QUIT, "C"])
        assert script.asked == ["a", "b"] and summary.answers == 1


# -- plain mode and the command line -------------------------------------------------------------

DECK = """\
id: demo
title: Demo
cards:
  - id: leader
    type: typed
    question: Who led the coup?
    answer: Amadou Haya Sanogo
    accept: [Sanogo]
  - id: colon
    type: typed
    question: What punctuation opens a command?
    answer: ":x"
  - id: deposed
    type: typed
    question: Who was deposed?
    answer: Amadou Toumani Touré
"""


@pytest.fixture
def demo(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True, exist_ok=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


@pytest.fixture
def runner():
    return CliRunner()


def quizzer(runner, *args, input=""):
    return runner.invoke(app, list(args), input=input)


def as_json(runner, *args):
    result = quizzer(runner, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_plain_commands_through_a_pipe(runner, demo):
    result = quizzer(runner, "study", "demo", input="sanogo\n:undo\nsanogo\n::x\n:bogus\n:bury\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == controls.USAGE
    undone = lines.index("undone demo/leader: asking it again")
    assert "Who led the coup?" in lines[undone + 1:undone + 4]  # asked again at once
    assert "unknown command :bogus; " + controls.USAGE in lines
    assert any(line.startswith("buried demo/deposed until ") for line in lines)
    answers = {r["card"]: r for r in as_json(runner, "history", "--reviews")}
    assert answers["colon"]["response"] == ":x" and answers["colon"]["verdict"] == "correct"
    assert sorted(answers) == ["colon", "leader"]
    voided = as_json(runner, "history", "--reviews", "--voided")
    assert [(r["card"], r["voided"]) for r in voided if r["voided"]] == [("leader", True)]


def test_undo_command_asks_or_needs_yes(runner, demo):
    assert "no answer to undo" in quizzer(runner, "undo", "--yes").output
    quizzer(runner, "study", "demo", input="sanogo\nwrong\n")
    refused = quizzer(runner, "undo")
    assert refused.exit_code == 2
    assert "undo demo/colon (answered " in refused.output and "add --yes" in refused.output
    assert len(as_json(runner, "history", "--reviews")) == 2  # nothing undone
    done = quizzer(runner, "undo", "--yes")
    assert done.exit_code == 0 and done.output == "undone demo/colon\n"
    assert [r["card"] for r in as_json(runner, "history", "--reviews")] == ["leader"]
    stats = as_json(runner, "stats")
    assert stats["answers"] == 1
    demo_row = next(d for d in stats["decks"] if d["deck"] == "demo")
    assert demo_row["accuracy"]["today"] == {"right": 1, "total": 1, "rate": 1.0}
    assert demo_row["new"] == 2  # the undone card is new again
    assert as_json(runner, "history")["total"]["answers"] == 1


def test_cards_due_leaves_out_suspended_and_buried_cards(runner, demo):
    studied = quizzer(runner, "study", "demo", "--plain", input="nope\nnope\nnope\nq\n")
    assert studied.exit_code == 0, studied.output
    due = [r["card"] for r in as_json(runner, "cards", "--due")]  # wrong answers: due again in a minute
    assert sorted(due) == ["colon", "deposed", "leader"]
    quizzer(runner, "suspend", f"demo/{due[0]}")
    assert [r["card"] for r in as_json(runner, "cards", "--due")] == due[1:]
    quizzer(runner, "study", "demo", "--plain", input=":bury\nq\n")  # buries the first card it asks
    left = [r["card"] for r in as_json(runner, "cards", "--due")]
    assert len(left) == 1 and left[0] in due[1:]


def test_suspend_unsuspend_and_cards_suspended(runner, demo):
    done = quizzer(runner, "suspend", "demo/leader", "demo/deposed")
    assert done.exit_code == 0 and done.output == "suspended demo/leader\nsuspended demo/deposed\n"
    assert [r["card"] for r in as_json(runner, "cards", "--suspended")] == ["leader", "deposed"]
    assert next(d for d in as_json(runner, "stats")["decks"] if d["deck"] == "demo")["suspended"] == 2
    studied = quizzer(runner, "study", "demo", input=":x\n")
    assert "Who led the coup?" not in studied.output and "What punctuation" in studied.output
    quizzer(runner, "unsuspend", "demo/leader")
    assert [r["card"] for r in as_json(runner, "cards", "--suspended")] == ["deposed"]
    typo = quizzer(runner, "suspend", "demo/leadr")
    assert typo.exit_code == 2 and "did you mean 'leader'" in typo.output
    assert [r["card"] for r in as_json(runner, "cards", "--suspended")] == ["deposed"]  # nothing half done


def test_undo_suspend_and_bury_survive_export_and_import_into_a_fresh_home(runner, demo, tmp_path, monkeypatch):
    quizzer(runner, "study", "demo", input="sanogo\n:undo\nsanogo\nwrong\n:bury\n")
    quizzer(runner, "suspend", "demo/colon")
    exported = tmp_path / "progress.jsonl"
    assert quizzer(runner, "progress", "export", str(exported)).exit_code == 0
    kinds = [json.loads(line).get("event") for line in exported.read_text().splitlines()]
    assert sorted(k for k in kinds if k) == ["bury", "suspend", "void"]
    before = (as_json(runner, "cards"), as_json(runner, "history", "--reviews", "--voided"))

    monkeypatch.setenv("QUIZZER_HOME", str(tmp_path / "fresh"))
    (tmp_path / "fresh" / "decks").mkdir(parents=True)
    (tmp_path / "fresh" / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    first = quizzer(runner, "progress", "import", str(exported))
    assert first.exit_code == 0, first.output
    assert "and 3 new events" in first.output
    assert quizzer(runner, "progress", "import", str(exported)).output.count("and 0 new events") == 1
    after = (as_json(runner, "cards"), as_json(runner, "history", "--reviews", "--voided"))
    assert after == before
    assert [r["card"] for r in after[0] if r["suspended"]] == ["colon"]
    assert [r["card"] for r in after[0] if r["buried_until"]] == ["deposed"]


def test_interactive_keys_in_a_real_terminal_at_60_columns(demo):
    import sys

    import pexpect

    from terminal_screens import pty_env

    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "study", "demo", "--seed", "1"], env=pty_env(demo),
                          dimensions=(30, 60), encoding="utf-8", timeout=20)
    child.expect("Who led the coup")
    child.expect("Answer:")
    child.send("sanogo\r")
    child.expect("q quit · u undo")  # the command keys on the verdict screen
    child.send("\r")
    child.expect("What punctuation")
    child.expect("Answer:")
    child.send("nope\r")
    child.expect("u undo")
    child.send("u")  # undo the saved answer to the first card; this one is not saved
    child.expect("undone demo/leader: asking it again")
    child.expect("Who led the coup")
    child.expect("Answer:")
    child.send(":suspend\r")  # a typed answer may be a command too
    child.expect("suspended demo/leader")
    child.expect("What punctuation")
    child.expect("Answer:")
    child.send("\x04")
    child.expect(pexpect.EOF)
    child.close()
    db = sqlite3.connect(demo / "quizzer.db")
    assert db.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
    assert db.execute("SELECT kind FROM events ORDER BY rowid").fetchall() == [("void",), ("suspend",)]
    assert db.execute("SELECT card, suspended FROM card_flags").fetchall() == [("leader", 1)]


def lapsed(store, clock, lapses):
    """Card d/c in review after `lapses` lapses, each answered when due (no leech check: saved directly);
    the clock then stands at its due time."""
    scheduler, at = Scheduler(fuzz=False), clock()
    for n, rating in enumerate([Rating.GOOD, Rating.GOOD] + [Rating.AGAIN, Rating.GOOD] * lapses):
        answer(store, scheduler, f"r{n}", at, rating)
        at = store.states(["d"])[("d", "c")].due
    assert store.lapses("d", "c") == lapses
    assert store.states(["d"])[("d", "c")].phase is Phase.REVIEW
    clock.now = at
    return Deck(id="d", title="D", cards=(typed("c"),))


def test_the_eighth_lapse_in_a_session_suspends_the_card_and_says_so(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        deck = lapsed(store, clock, LEECH_LAPSES - 1)
        script, summary = run(store, clock, ["wrong", "wrong"], deck=deck)
        assert script.notices == [f"d/c is a leech ({LEECH_LAPSES} lapses) and is suspended; "
                                  "`quizzer unsuspend d/c` brings it back"]
        assert script.asked == ["c"] and summary.answers == 1  # not asked again in relearning
        assert store.hidden(clock()) == {("d", "c")}


def test_only_a_lapse_makes_a_leech(tmp_path, clock):
    # Lapses enough before the leech check existed (or imported): a right answer marks nothing.
    with Store(tmp_path / "q.db") as store:
        script, summary = run(store, clock, ["C"], deck=lapsed(store, clock, LEECH_LAPSES))
        assert script.notices == [] and summary.answers == 1 and store.hidden(clock()) == set()


def test_the_leech_check_waits_for_a_busy_database(tmp_path, clock):
    with Store(tmp_path / "q.db") as store:
        deck = lapsed(store, clock, LEECH_LAPSES - 1)
        script, _ = run(store, clock, ["wrong"], deck=deck, prepare=busy_once("after_lapse"))
        assert len(script.waits) == 1 and script.notices[0].startswith("d/c is a leech")


@pytest.mark.parametrize("value, problem", [
    ('"delete"', "'leech_action' must be 'suspend' or 'tag', not 'delete'"),
    ("1", "'leech_action' must be 'suspend' or 'tag', not 1"),
])
def test_leech_action_is_checked_like_the_other_settings(runner, demo, value, problem):
    (demo / "config.toml").write_text(f"leech_action = {value}\n", encoding="utf-8")
    result = quizzer(runner, "study", "demo")
    assert result.exit_code == 2
    assert result.output == f"quizzer: {demo / 'config.toml'}: {problem}\n"


def test_leech_action_reaches_the_session(monkeypatch, runner, demo):
    seen = []
    monkeypatch.setattr(StudySession, "run", lambda self, prompter: seen.append(self.events.leech_action)
                        or self.summary)
    (demo / "config.toml").write_text('leech_action = "tag"\n', encoding="utf-8")
    quizzer(runner, "study", "demo")
    assert seen == ["tag"]


def test_voided_answers_leave_every_number_of_stats_and_history_as_before(runner, demo, tmp_path):
    now = datetime.now(timezone.utc)
    later = (now + timedelta(hours=1)).isoformat()

    def line(review_id, card, ago, rating, phase, session="s1"):
        at = now - ago
        return json.dumps({
            "review_id": review_id, "deck": "demo", "card": card, "reviewed_at": at.isoformat(), "rating": rating,
            "verdict": "correct" if rating > 1 else "wrong", "response": "x", "duration_ms": 4000,
            "session": session, "phase": phase, "next_due": (at + timedelta(days=2)).isoformat()})

    def void(target, card):
        return json.dumps({"event": "void", "event_id": f"v-{target}-{card}", "deck": "demo", "card": card,
                           "at": now.isoformat(), "target": target})

    def load(*lines):
        (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert quizzer(runner, "progress", "import", str(tmp_path / "in.jsonl")).exit_code == 0

    def numbers():
        return {"stats": as_json(runner, "stats", "--now", later), "sessions": as_json(runner, "history"),
                "answers": as_json(runner, "history", "--reviews"), "cards": as_json(runner, "cards", "--now", later)}

    days = lambda n: timedelta(days=n)  # noqa: E731
    load(line("a1", "leader", days(10), 3, "new"), line("a2", "leader", days(9), 3, "learning"),
         line("a3", "leader", days(5), 1, "review"), line("a4", "leader", days(5) - timedelta(minutes=10), 3,
                                                           "relearning"))
    before = numbers()
    # A lapse today in a session of its own, and a first answer older than every other.
    load(line("late", "leader", timedelta(hours=1), 1, "review", session="s2"), line("early", "colon", days(20), 3, "new"))
    during = numbers()
    changed = {k for k in before["stats"] if before["stats"][k] != during["stats"][k]}
    assert changed >= {"decks", "total", "calendar", "answers", "time_ms", "forecast", "streak", "first_answer",
                       "hardest"}
    assert during["sessions"] != before["sessions"] and during["cards"] != before["cards"]
    load(void("late", "colon"))  # a void names its answer's card; on another card it voids nothing
    assert numbers() == during
    load(void("late", "leader"), void("early", "colon"))
    assert numbers() == before


def test_an_answer_given_after_a_deck_is_purged_counts_though_it_reuses_a_voided_rowid(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        answer(store, scheduler, "r1", T0)
        CardEvents(store, scheduler).undo(T0)
        store.delete_deck_progress("d")
        answer(store, scheduler, "r2", T0 + timedelta(days=1))  # SQLite gives it the freed rowid
        assert [r["review_id"] for r in store.reviews()] == ["r2"]
        assert store.session_counts("s")["answers"] == 1


def test_doctor_finds_and_fixes_a_voided_cache_that_disagrees_with_the_events(runner, demo):
    quizzer(runner, "study", "demo", input="sanogo\n")
    quizzer(runner, "undo", "--yes")
    db = sqlite3.connect(demo / "quizzer.db")
    with db:
        db.execute("DELETE FROM voided")  # as if written by other means: the undone answer counts again
    assert len(as_json(runner, "history", "--reviews")) == 1
    found = quizzer(runner, "doctor")
    assert found.exit_code == 1 and "card states: 1 of 1 disagree" in found.output and "demo/leader" in found.output
    assert quizzer(runner, "doctor", "--fix").exit_code == 0
    assert as_json(runner, "history", "--reviews") == []


def test_events_read_back_from_the_log_are_the_events_appended(tmp_path):
    # Both ways: all cards, and only the cards asked for. The data is stored with sorted keys, so the
    # same event written on two machines has the same text (an event id seen with other text is a conflict).
    with Store(tmp_path / "q.db") as store:
        buried = Event("e1", EventKind.BURY, "d", "c", T0, None, {"until": "2026-03-03T04:00:00+00:00", "by": "me"})
        other = Event("e2", EventKind.SUSPEND, "d", "other", T0 + timedelta(hours=1), None, {})
        quiz = Event("e3", EventKind.QUIZ, "", "", T0, None, {})  # a quiz's record: no card's, nothing to rebuild
        assert log.append_events(store.db, [buried, quiz, other]) == [("d", "c"), ("d", "other")]
        assert [(key, events) for key, _, events in log.logs(store.db)] == [(("d", "c"), [buried]),
                                                                           (("d", "other"), [other])]
        assert [(key, events) for key, _, events in log.logs(store.db, [("d", "c")])] == [(("d", "c"), [buried])]
        (data,) = store.db.execute("SELECT data FROM events WHERE event_id = 'e1'").fetchone()
        assert data == '{"by": "me", "until": "2026-03-03T04:00:00+00:00"}'
