"""`quizzer quiz` and `quizzer scores` (issue 12): choosing the cards, scoring, what is saved, and that a
quiz without --reschedule leaves every card's schedule exactly as it was."""

import json
import random
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.decks import load_deck
from quizzer.model import Kind, Outcome, Phase, QuizRecord, Rating, Review
from quizzer.quiz import Plan, QuizRun, choose
from quizzer.scheduler import Scheduler, new_state
from quizzer.session import Quit
from quizzer.store import Store
from quizzer.store.log import iso, rebuild

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
NOW = T0.isoformat()

DECK = """\
id: demo
title: Demo
cards:
  - id: capital
    type: typed
    question: Capital of Mali?
    answer: Bamako
    explain: On the Niger.
  - id: year
    type: typed
    question: Year of independence?
    answer: "1960"
  - id: river
    type: typed
    question: The river through Bamako?
    answer: Niger
  - id: landlocked
    type: truefalse
    question: Mali is landlocked.
    answer: true
  - id: hello
    type: flash
    question: Greet in Bambara
    answer: i ni ce
"""
ANSWERS = {"capital": "Bamako", "year": "1960", "river": "Niger", "landlocked": "true"}
WRONG = {"capital": "Paris", "year": "1914", "river": "Thames", "landlocked": "false"}


@pytest.fixture(autouse=True)
def deck_file(tmp_path):
    (tmp_path / "demo.yaml").write_text(DECK, encoding="utf-8")
    global DECK_PATH
    DECK_PATH = tmp_path / "demo.yaml"


def deck():
    return load_deck(DECK_PATH)


class Scripted:
    """A prompter that answers each card from `answers` (by card id); raises Quit after `stop` questions."""

    def __init__(self, answers, *, stop=None, rating=Rating.GOOD):
        self.answers, self.stop, self.rating = answers, stop, rating
        self.asked, self.feedbacks, self.notices, self.numbers, self.intervals = [], [], [], [], []

    def ask(self, question):
        if self.stop is not None and len(self.asked) == self.stop:
            raise Quit
        assert question.quiz  # the prompters show it as a quiz, with no study commands
        self.asked.append(question.card.id)
        self.numbers.append((question.number, question.total))
        return self.answers.get(question.card.id, "")

    def rate(self, question, intervals):
        self.intervals.append(intervals)
        return self.rating

    def feedback(self, question, verdict):
        self.feedbacks.append((question.card.id, verdict.outcome))

    def notice(self, message):
        self.notices.append(message)

    def waiting(self, message):
        self.notices.append(f"waiting: {message}")


def run_quiz(store, prompter, plan=Plan(), clock=lambda: T0, seed=1, decks=None):
    scheduler = Scheduler(fuzz=False)
    quiz = choose(store, scheduler, decks or [deck()], plan, clock(), random.Random(seed))
    return QuizRun(store, scheduler, quiz, clock=clock, rng=random.Random(seed)).run(prompter)


def study_answer(store, card, rating, at, review_id):
    """An ordinary study answer, saved as the session saves it."""
    scheduler = Scheduler(fuzz=False)
    state = store.state(("demo", card)) or new_state(at)
    outcome = Outcome.WRONG if rating is Rating.AGAIN else Outcome.CORRECT
    review = Review(review_id, "demo", card, at, rating, outcome, "x", 1000, "s")
    store.record(review, state.phase, scheduler.review(state, rating, at, review_id))


# -- scoring and the record -----------------------------------------------------------------------


def test_all_right_answers_score_100_percent_and_the_record_is_a_quiz_event(tmp_path):
    with Store(tmp_path / "q.db") as store:
        quiz = run_quiz(store, Scripted(ANSWERS))
        (data,) = [json.loads(d) for (d,) in store.db.execute("SELECT data FROM events WHERE kind = 'quiz'")]
    record = QuizRecord.from_dict(data)
    assert (record.total.asked, record.total.right, record.total.wrong, record.score) == (4, 4, 0, 1.0)
    assert record.finished and record.mode == "practice" and record.selection == "random"
    assert record.quiz_id == quiz.quiz_id and record.by_deck["demo"].asked == 4


def test_a_known_number_of_wrong_answers_gives_the_expected_score_and_each_mistake(tmp_path):
    answers = {**ANSWERS, "year": "1914", "river": "Thames"}
    with Store(tmp_path / "q.db") as store:
        quiz = run_quiz(store, Scripted(answers))
    assert (quiz.total.asked, quiz.total.right + quiz.total.close, quiz.total.wrong) == (4, 2, 2)
    assert quiz.total.score == 0.5
    assert sorted(r.card.id for r in quiz.mistakes) == ["river", "year"]


def test_a_slip_counts_as_right_and_is_listed_as_a_slip(tmp_path):
    with Store(tmp_path / "q.db") as store:
        quiz = run_quiz(store, Scripted({**ANSWERS, "capital": "Bamaco"}))
    assert (quiz.total.right, quiz.total.close, quiz.total.score) == (3, 1, 1.0)
    assert [(r.card.id, r.mark) for r in quiz.mistakes] == [("capital", "close")]


def test_practice_gives_feedback_after_each_answer_and_exam_none(tmp_path):
    with Store(tmp_path / "q.db") as store:
        practice, exam = Scripted(ANSWERS), Scripted(ANSWERS)
        run_quiz(store, practice)
        run_quiz(store, exam, Plan(exam=True))
    assert sorted(card for card, _ in practice.feedbacks) == sorted(ANSWERS)
    assert exam.feedbacks == []
    with Store(tmp_path / "q.db") as store:
        modes = [json.loads(d)["mode"] for (d,) in store.db.execute("SELECT data FROM events ORDER BY rowid")]
    assert modes == ["practice", "exam"]


def test_ending_early_scores_the_answers_given_and_saves_the_quiz_as_unfinished(tmp_path):
    with Store(tmp_path / "q.db") as store:
        run_quiz(store, Scripted(ANSWERS, stop=2))
        (data,) = store.db.execute("SELECT data FROM events WHERE kind = 'quiz'").fetchone()
        answers = store.db.execute("SELECT COUNT(*) FROM reviews WHERE kind = 'quiz'").fetchone()[0]
    record = QuizRecord.from_dict(json.loads(data))
    assert not record.finished and record.total.asked == 2 and record.score == 1.0 and answers == 2


@pytest.mark.parametrize("rating, mark", [(Rating.AGAIN, "wrong"), (Rating.HARD, "right"), (Rating.EASY, "right")])
def test_flash_cards_only_when_named_and_again_counts_as_wrong(tmp_path, rating, mark):
    with Store(tmp_path / "q.db") as store:
        default = run_quiz(store, Scripted(ANSWERS))
        flash = run_quiz(store, Scripted({}, rating=rating), Plan(kinds=frozenset({Kind.FLASH})))
    assert "hello" not in [card.id for _, card in default.chosen]
    assert [(r.card.id, r.mark) for r in flash.results] == [("hello", mark)]
    with Store(tmp_path / "q.db") as store:  # a flash card's answer is its rating: no response, as in study
        assert store.reviews(card="hello")[0]["response"] == ""


# -- the schedule ---------------------------------------------------------------------------------


def states_and_flags(store):
    return (store.db.execute("SELECT * FROM cards ORDER BY deck, card").fetchall(),
            store.db.execute("SELECT * FROM card_flags").fetchall())


def test_a_quiz_without_reschedule_changes_no_state_and_a_replay_agrees(tmp_path):
    with Store(tmp_path / "q.db") as store:
        for n, card in enumerate(["capital", "year"]):  # capital in review: a wrong answer would be a lapse
            study_answer(store, card, Rating.EASY if card == "capital" else Rating.GOOD, T0 - timedelta(days=3), f"s{n}")
        before = states_and_flags(store)
        run_quiz(store, Scripted(WRONG), clock=lambda: T0)
        assert states_and_flags(store) == before
        # The replay of the whole log (quiz answers in it) gives the same states.
        store.transaction(lambda: rebuild(store.db, lambda log: Scheduler(fuzz=False).replay(log, log[0][2])))
        assert states_and_flags(store) == before
        # A quiz answer to a new card does not take its daily new-card slot, nor count as a lapse.
        assert store.new_cards_since(T0 - timedelta(hours=1)) == {}
        assert store.lapses("demo", "capital") == 0


def test_with_reschedule_quiz_answers_are_reviews_as_a_replay_predicts(tmp_path):
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "q.db") as store:
        study_answer(store, "capital", Rating.GOOD, T0 - timedelta(days=3), "s0")
        run_quiz(store, Scripted(WRONG), Plan(reschedule=True), clock=lambda: T0)
        log = store.db.execute(
            "SELECT review_id, rating, reviewed_at FROM reviews WHERE card = 'capital' ORDER BY reviewed_at").fetchall()
        assert [rating for _, rating, _ in log] == [3, 1]  # Good in study, Again for the wrong quiz answer
        expected = scheduler.replay([(i, Rating(r), datetime.fromisoformat(at)) for i, r, at in log],
                                    T0 - timedelta(days=3))
        assert store.state(("demo", "capital")) == expected
        assert store.state(("demo", "river")).phase is Phase.LEARNING  # a new card answered wrong


def test_a_rescheduling_quiz_answer_at_the_time_of_the_study_answer_is_saved_after_it(tmp_path):
    # A clock held still ($QUIZZER_NOW): the quiz answer comes a microsecond after the study answer it follows.
    with Store(tmp_path / "q.db") as store:
        study_answer(store, "capital", Rating.GOOD, T0, "s0")
        run_quiz(store, Scripted(WRONG), Plan(reschedule=True), clock=lambda: T0)
        times = store.db.execute("SELECT review_id, reviewed_at FROM reviews WHERE card = 'capital'").fetchall()
        assert sorted(at for review_id, at in times if review_id != "s0") == [
            (T0 + timedelta(microseconds=1)).isoformat(timespec="microseconds")]


# -- choosing -------------------------------------------------------------------------------------


def test_random_choice_and_order_are_the_same_for_the_same_seed(tmp_path):
    with Store(tmp_path / "q.db") as store:
        picks = [[c.id for _, c in choose(store, Scheduler(), [deck()], Plan(count=3), T0, random.Random(seed)).chosen]
                 for seed in (7, 7, 8, 9, 10)]
    assert picks[0] == picks[1]
    assert len({tuple(p) for p in picks}) > 1  # other seeds pick or order otherwise


def test_weakest_takes_the_lowest_recall_then_the_most_lapses(tmp_path):
    last = (T0 - timedelta(days=10)).isoformat()
    with Store(tmp_path / "q.db") as store:
        # capital: the lowest recall now; year and river: the same state, but river has lapsed twice, year once.
        store.db.executemany("INSERT INTO cards VALUES ('demo', ?, 'review', ?, NULL, ?, 5.0, ?)",
                             [("capital", NOW, 1.0, last), ("year", NOW, 20.0, last), ("river", NOW, 20.0, last)])
        for n, card in enumerate(["river", "river", "year"]):
            store.db.execute("INSERT INTO reviews (review_id, deck, card, reviewed_at, rating, verdict, response, "
                             "duration_ms, session, phase, due_after) VALUES (?, 'demo', ?, ?, 1, 'wrong', 'x', 1, "
                             "'s', 'review', ?)", (f"r{n}", card, last, NOW))
        for seed in range(6):  # whatever the random tie-break, the lapses decide
            quiz = choose(store, Scheduler(fuzz=False), [deck()], Plan(count=2, selection="weakest"), T0,
                          random.Random(seed))
            assert sorted(c.id for _, c in quiz.chosen) == ["capital", "river"]
        # Cards never reviewed come after every reviewed one.
        quiz = choose(store, Scheduler(), [deck()], Plan(count=4, selection="weakest"), T0, random.Random(1))
        assert "landlocked" in [c.id for _, c in quiz.chosen] and quiz.available == 4


def test_unseen_takes_cards_never_answered_even_in_a_quiz(tmp_path):
    with Store(tmp_path / "q.db") as store:
        study_answer(store, "capital", Rating.GOOD, T0 - timedelta(days=1), "s0")
        run_quiz(store, Scripted(ANSWERS, stop=4), Plan(count=4, selection="unseen"))  # year, river, landlocked
        quiz = choose(store, Scheduler(), [deck()], Plan(selection="unseen", kinds=frozenset(Kind)), T0,
                      random.Random(1))
    assert [c.id for _, c in quiz.chosen] == ["hello"]


def test_due_takes_the_cards_due_soonest_first_and_new_cards_last(tmp_path):
    with Store(tmp_path / "q.db") as store:
        study_answer(store, "year", Rating.EASY, T0 - timedelta(days=1), "y")  # in review: due in days
        study_answer(store, "capital", Rating.GOOD, T0 - timedelta(days=1), "c")  # learning: overdue by now
        for seed in range(4):
            quiz = choose(store, Scheduler(), [deck()], Plan(count=2, selection="due"), T0, random.Random(seed))
            assert sorted(c.id for _, c in quiz.chosen) == ["capital", "year"]
            quiz = choose(store, Scheduler(), [deck()], Plan(count=1, selection="due"), T0, random.Random(seed))
            assert [c.id for _, c in quiz.chosen] == ["capital"]


def test_suspended_cards_are_left_out(tmp_path):
    from quizzer.controls import CardEvents

    with Store(tmp_path / "q.db") as store:
        CardEvents(store, Scheduler()).suspend([("demo", "capital")], T0)
        quiz = choose(store, Scheduler(), [deck()], Plan(), T0, random.Random(1))
    assert "capital" not in [c.id for _, c in quiz.chosen] and quiz.available == 3


# -- the command ----------------------------------------------------------------------------------


@pytest.fixture
def home(quizzer_home, monkeypatch):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("QUIZZER_NOW", NOW)
    return quizzer_home


def quizzer(*args, input=None):
    return CliRunner().invoke(app, list(args), input=input)


def test_plain_quiz_all_right_prints_score_100_percent(home):
    result = quizzer("quiz", "demo", "--seed", "3", "--plain",
                     input="".join(f"{v}\n" for v in _answers_in_order(home, "3", ANSWERS)))
    assert result.exit_code == 0, result.output
    assert "Only 4 cards match: asking all 4." in result.output
    assert result.output.splitlines()[-1] == "Score: 4/4 (100%)"


def _answers_in_order(home, seed, answers):
    """`answers` in the order the command asks the cards with --seed `seed`: the same seeded choice."""
    with Store(home / "quizzer.db") as store:
        order = choose(store, Scheduler(), [deck()], Plan(), T0, random.Random(int(seed))).chosen
    return [answers[card.id] for _, card in order]


def test_plain_quiz_with_two_wrong_answers_scores_half_and_lists_each_mistake(home):
    answers = {**ANSWERS, "year": "1914", "landlocked": "false"}
    result = quizzer("quiz", "demo", "--seed", "5", "--plain", "--exam",
                     input="".join(f"{v}\n" for v in _answers_in_order(home, "5", answers)))
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    score = out.index("Score: 2/4 (50%)")
    assert sorted(out[score + 1:]) == [
        "wrong: demo/landlocked · Mali is landlocked. → false · answer: true",
        "wrong: demo/year · Year of independence? → 1914 · answer: 1960",
    ]
    assert "wrong (" not in result.output  # exam: no verdict before the end


def test_cards_json_is_byte_identical_after_a_quiz_without_reschedule_and_differs_with_it(home):
    quizzer("study", "demo", "--plain", input="Bamako\n")
    before = quizzer("cards", "--json", "--now", NOW).stdout
    result = quizzer("quiz", "demo", "--plain", "--seed", "1", input="x\nx\nx\nx\n")
    assert result.exit_code == 0 and "Score: 0/4 (0%)" in result.output
    assert quizzer("cards", "--json", "--now", NOW).stdout == before
    quizzer("quiz", "demo", "--plain", "--seed", "1", "--reschedule", input="x\nx\nx\nx\n")
    after = {(c["deck"], c["card"]): c for c in json.loads(quizzer("cards", "--json", "--now", NOW).stdout)}
    # Each card now has its wrong answer as a review: what a replay of its log gives.
    with Store(home / "quizzer.db") as store:
        for (deck_id, card), row in after.items():
            if deck_id != "demo" or card == "hello":
                continue
            log = store.db.execute("SELECT review_id, rating, reviewed_at FROM scheduled WHERE deck = ? AND card = ? "
                                   "ORDER BY reviewed_at, rowid", (deck_id, card)).fetchall()
            replayed = Scheduler().replay([(i, Rating(r), datetime.fromisoformat(t)) for i, r, t in log], T0)
            assert row["reviews"] == len(log) and row["due"] == iso(replayed.due), card
            assert log[-1][1] == Rating.AGAIN


def test_scores_history_and_json_keys(home):
    quizzer("quiz", "demo", "--plain", "--seed", "1", "-n", "2", input="x\nx\n")
    quizzer("quiz", "demo", "--plain", "--seed", "1", input="\n".join(_answers_in_order(home, "1", ANSWERS)) + "\n")
    data = json.loads(quizzer("scores", "--json").stdout)
    assert [q["score"] for q in data["quizzes"]] == [1.0, 0.0]  # newest first
    assert set(data["quizzes"][0]) == {
        "quiz", "started", "ended", "decks", "tag", "selection", "mode", "reschedule", "requested", "asked", "right",
        "close", "wrong", "score", "finished", "by_deck", "time_ms"}
    assert data["decks"] == [{"deck": "demo", "quizzes": 2, "last": 1.0, "best": 1.0, "average": 0.5,
                              "trend": [0.0, 1.0]}]
    screen = quizzer("scores").stdout
    assert "▁█" in screen and "practice" in screen
    sessions = json.loads(quizzer("history", "--json").stdout)["sessions"]
    assert [s["quiz"] for s in sessions] == [True, True]
    reviews = json.loads(quizzer("history", "--reviews", "--json").stdout)
    assert {(r["kind"], r["reschedules"]) for r in reviews} == {("quiz", False)}
    stats = json.loads(quizzer("stats", "demo", "--json", "--now", NOW).stdout)
    assert stats["decks"][0]["last_quiz"]["score"] == 1.0
    csv = quizzer("scores", "--csv").stdout.splitlines()
    assert csv[0].startswith("quiz,started,ended,decks,tag,selection,mode") and len(csv) == 3


def test_a_quiz_and_its_answers_travel_through_progress_export_and_import(home, tmp_path, monkeypatch):
    quizzer("study", "demo", "--plain", input="Bamako\n")
    quizzer("quiz", "demo", "--plain", "--seed", "2", "--exam", input="x\nNiger\n")
    exported = tmp_path / "progress.jsonl"
    assert quizzer("progress", "export", str(exported)).exit_code == 0
    shown = [quizzer(*args).stdout for args in (["scores", "--json"], ["history", "--reviews", "--json"],
                                                 ["cards", "--json", "--now", NOW])]
    other = tmp_path / "other-home"
    (other / "decks").mkdir(parents=True)
    (other / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("QUIZZER_HOME", str(other))
    result = quizzer("progress", "import", str(exported))
    assert result.exit_code == 0, result.output
    assert [quizzer(*args).stdout for args in (["scores", "--json"], ["history", "--reviews", "--json"],
                                                ["cards", "--json", "--now", NOW])] == shown


def test_an_older_database_is_upgraded_with_every_answer_a_study_answer(tmp_path):
    from quizzer.store.migrations import MIGRATIONS

    path = tmp_path / "q.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:4]:
        old.executescript(sql)
        old.execute("INSERT INTO migrations VALUES (?, ?)", (name, NOW))
    old.execute("INSERT INTO reviews VALUES ('r1', 'd', 'c', ?, 1, 'wrong', 'x', 5, 's', 'review', ?)", (NOW, NOW))
    old.commit()
    old.close()
    with Store(path) as store:
        assert store.reviews()[0]["kind"] == "study" and store.reviews()[0]["reschedules"] is True
        assert store.lapses("d", "c") == 1


def test_undo_skips_quiz_answers_which_their_record_counts(home):
    quizzer("study", "demo", "--plain", input="Bamako\n")
    quizzer("quiz", "demo", "--plain", "--seed", "1", input="x\nx\nx\nx\n")
    undone = quizzer("undo", "--yes")
    assert undone.exit_code == 0 and undone.output.strip() == "undone demo/capital"
    again = quizzer("undo", "--yes")
    assert again.exit_code == 2 and "no answer to undo" in again.output
    assert json.loads(quizzer("scores", "--json").stdout)["quizzes"][0]["asked"] == 4
    assert len(json.loads(quizzer("history", "--reviews", "--json").stdout)) == 4  # every quiz answer counts


def test_doctor_finds_no_card_in_a_quiz_record(home, tmp_path, monkeypatch):
    quizzer("quiz", "demo", "--plain", "--seed", "1", input="x\nx\nx\nx\n")
    doctor = quizzer("doctor")
    assert doctor.exit_code == 0 and "orphaned progress: none" in doctor.output, doctor.output
    exported = tmp_path / "progress.jsonl"
    quizzer("progress", "export", str(exported))
    (tmp_path / "other" / "decks").mkdir(parents=True)
    (tmp_path / "other" / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("QUIZZER_HOME", str(tmp_path / "other"))
    assert quizzer("progress", "import", str(exported)).exit_code == 0
    assert "orphaned progress: none" in quizzer("doctor").output


def test_scores_keeps_the_quizzes_of_the_decks_named_and_from_the_day_given(home):
    (home / "decks" / "other.yaml").write_text(DECK.replace("id: demo", "id: other", 1), encoding="utf-8")
    quizzer("quiz", "demo", "--plain", "--seed", "1", "-n", "1", input="x\n")
    quizzer("quiz", "other", "demo", "--plain", "--seed", "1", "-n", "2", input="x\nx\n")
    both = json.loads(quizzer("scores", "--json").stdout)
    assert len(both["quizzes"]) == 2
    only_other = json.loads(quizzer("scores", "other", "--json").stdout)
    assert [q["decks"] for q in only_other["quizzes"]] == [["other", "demo"]]
    assert {d["deck"] for d in only_other["decks"]} <= {"other"}
    assert json.loads(quizzer("scores", "--since", "2026-03-03", "--json").stdout)["quizzes"] == []
    assert len(json.loads(quizzer("scores", "--since", "2026-03-02", "--json").stdout)["quizzes"]) == 2
    assert quizzer("scores", "--since", "2026-03-03").stdout.strip() == "No quizzes match."


def test_history_and_card_mark_quiz_answers_on_screen(home):
    quizzer("study", "demo", "--plain", input="Bamako\n")
    quizzer("quiz", "demo", "--plain", "--seed", "1", input="x\nx\nx\nx\n")
    assert "quiz: demo" in quizzer("history").stdout
    reviews = quizzer("history", "--reviews").stdout
    assert reviews.count("quiz: wrong") == 4 and reviews.count("correct") == 1
    card = quizzer("card", "demo/capital", "--now", NOW).stdout
    assert "quiz: wrong" in card and "correct" in card


def test_study_commands_typed_in_a_quiz_are_refused_and_the_question_asked_again(home):
    result = quizzer("quiz", "demo", "--plain", "--types", "truefalse", input=":suspend\n:undo\ntrue\n")
    assert result.exit_code == 0, result.output
    assert ":suspend is for study sessions; in a quiz, q or :quit ends it" in result.output
    assert "Only 1 card matches (of type truefalse): asking 1." in result.output
    assert result.output.count("Mali is landlocked.") == 3  # asked again after each command
    assert result.output.splitlines()[-1] == "Score: 1/1 (100%)"
    assert json.loads(quizzer("cards", "demo", "--json", "--now", NOW).stdout)[3]["suspended"] is False


# -- what each answer saves -----------------------------------------------------------------------


class Ticking:
    """A clock that moves on 1.5 s each time it is read."""

    def __init__(self):
        self.now = T0

    def __call__(self):
        self.now += timedelta(seconds=1.5)
        return self.now


def test_each_answer_saves_its_time_phase_and_the_quiz_as_its_session(tmp_path):
    with Store(tmp_path / "q.db") as store:
        study_answer(store, "capital", Rating.EASY, T0 - timedelta(days=3), "s0")  # in review
        prompter = Scripted(ANSWERS)
        quiz = run_quiz(store, prompter, Plan(tag=None), clock=Ticking())
        rows = store.db.execute("SELECT card, phase, duration_ms, session, kind, reschedules FROM reviews "
                                "WHERE kind = 'quiz' ORDER BY rowid").fetchall()
        started = store.db.execute("SELECT started_at FROM sessions WHERE session_id = ?", (quiz.quiz_id,)).fetchone()
    assert prompter.numbers == [(1, 4), (2, 4), (3, 4), (4, 4)]
    # Asked at one tick, answered at the next: 1.5 s each.
    assert {(card, phase) for card, phase, *_ in rows} == {("capital", "review"), ("year", "new"), ("river", "new"),
                                                           ("landlocked", "new")}
    assert {row[2:] for row in rows} == {(1500, quiz.quiz_id, "quiz", 0)}
    assert started == (iso(quiz.started),)


def test_a_study_command_or_quit_typed_in_a_quiz(tmp_path):
    from quizzer.controls import COMMANDS, Control

    class Commanding(Scripted):
        def ask(self, question):
            if len(self.asked) < len(self.commands):
                self.asked.append(None)
                raise Control(self.commands[len(self.asked) - 1])
            return super().ask(question)

    with Store(tmp_path / "q.db") as store:
        refused = Commanding(ANSWERS)
        refused.commands = [c for c in COMMANDS if c.action.value == "undo"]
        assert run_quiz(store, refused).total.asked == 4 and len(refused.notices) == 1
        quitting = Commanding(ANSWERS)
        quitting.commands = [c for c in COMMANDS if c.action.value == "quit"]
        quiz = run_quiz(store, quitting)
    assert not quiz.finished and quiz.total.asked == 0 and quitting.notices == []


def test_flash_intervals_are_shown_only_when_the_quiz_reschedules(tmp_path):
    with Store(tmp_path / "q.db") as store:
        alone, rescheduling = Scripted({}), Scripted({})
        run_quiz(store, alone, Plan(kinds=frozenset({Kind.FLASH})))
        run_quiz(store, rescheduling, Plan(kinds=frozenset({Kind.FLASH}), reschedule=True))
    assert alone.intervals == [{}]
    assert set(rescheduling.intervals[0]) == set(Rating) and rescheduling.intervals[0][Rating.AGAIN] > timedelta(0)


ORDER_DECK = """\
id: judged
title: Judged
cards:
  - id: mali
    type: typed
    question: Which country?
    answer: Mali
  - id: bali
    type: typed
    question: Which island?
    answer: Bali
  - id: river
    type: order
    question: Upstream to downstream?
    items: [Bamako, Mopti, Timbuktu]
"""


def test_a_quiz_judges_as_study_does_neighbours_accepted_answers_and_orderings(tmp_path):
    (tmp_path / "judged.yaml").write_text(ORDER_DECK, encoding="utf-8")
    judged = load_deck(tmp_path / "judged.yaml")
    with Store(tmp_path / "q.db") as store:
        store.db.execute("INSERT INTO accepted VALUES ('judged', 'bali', 'Balli island', ?)", (NOW,))
        # "Bali" for mali would be a slip of "Mali" but is another card's answer: wrong, as in study.
        answers = {"mali": "Bali", "bali": "Balli island", "river": ("Bamako", "Mopti", "Timbuktu")}
        quiz = run_quiz(store, Scripted(answers), decks=[judged])
        saved = dict(store.db.execute("SELECT card, response FROM reviews"))
    marks = {r.card.id: r.mark for r in quiz.results}
    assert marks == {"mali": "wrong", "bali": "right", "river": "right"}
    assert saved["river"] == "Bamako\nMopti\nTimbuktu"


def test_with_reschedule_a_lapse_in_a_quiz_can_make_a_leech(tmp_path):
    with Store(tmp_path / "q.db") as store:
        study_answer(store, "capital", Rating.EASY, T0 - timedelta(days=100), "s0")
        for n in range(7):  # seven lapses, each followed by a relearning step back to review
            study_answer(store, "capital", Rating.AGAIN, T0 - timedelta(days=90 - 10 * n), f"a{n}")
            study_answer(store, "capital", Rating.EASY, T0 - timedelta(days=89 - 10 * n), f"e{n}")
        assert store.lapses("demo", "capital") == 7 and store.state(("demo", "capital")).phase is Phase.REVIEW
        prompter = Scripted(WRONG)
        run_quiz(store, prompter, Plan(reschedule=True, kinds=frozenset({Kind.TYPED})))
        assert ("demo", "capital") in store.hidden(T0)
    assert prompter.notices == ["demo/capital is a leech (8 lapses) and is suspended; "
                                "`quizzer unsuspend demo/capital` brings it back"]


def test_the_record_keeps_the_tag_and_the_decks_named(home):
    quizzer("quiz", "demo", "--plain", "--tag", "nosuch", input="")
    (home / "decks" / "demo.yaml").write_text(DECK.replace("  - id: year\n", "  - id: year\n    tags: [dates]\n"),
                                              encoding="utf-8")
    quizzer("quiz", "demo", "--plain", "--tag", "dates", input="1960\n")
    (record,) = json.loads(quizzer("scores", "--json").stdout)["quizzes"]
    assert (record["tag"], record["decks"], record["asked"], record["score"]) == ("dates", ["demo"], 1, 1.0)
    session = json.loads(quizzer("history", "--json").stdout)["sessions"][0]
    assert session["session"] == record["quiz"] and session["quiz"] is True


def test_another_terminal_answering_the_card_meanwhile_gives_the_state_a_replay_gives(tmp_path):
    scheduler = Scheduler(fuzz=False)

    class Racing(Scripted):
        def ask(self, question):
            if question.card.id == "capital":  # another terminal answers it while the question is on screen
                study_answer(self.store, "capital", Rating.AGAIN, T0 - timedelta(minutes=1), "raced")
            return super().ask(question)

    with Store(tmp_path / "q.db") as store:
        study_answer(store, "capital", Rating.EASY, T0 - timedelta(days=5), "s0")
        prompter = Racing(ANSWERS)
        prompter.store = store
        run_quiz(store, prompter, Plan(reschedule=True))
        log = store.db.execute("SELECT review_id, rating, reviewed_at FROM reviews WHERE card = 'capital' "
                               "ORDER BY reviewed_at").fetchall()
        assert [review_id for review_id, *_ in log][:2] == ["s0", "raced"] and len(log) == 3
        expected = scheduler.replay([(i, Rating(r), datetime.fromisoformat(t)) for i, r, t in log],
                                    T0 - timedelta(days=5))
        assert store.state(("demo", "capital")) == expected


def test_an_answer_that_cannot_be_saved_ends_the_quiz_with_the_reason_and_keeps_the_record(tmp_path, monkeypatch):
    from quizzer.store import StoreBusy, StoreError

    with Store(tmp_path / "q.db") as store:
        record, calls = store.record, []

        def failing(*args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise StoreBusy("locked")  # waited for, then saved
            if len(calls) == 3:
                raise StoreError("the disk is full")
            return record(*args, **kwargs)

        monkeypatch.setattr(store, "record", failing)
        prompter = Scripted(ANSWERS)
        quiz = run_quiz(store, prompter)
        (data,) = store.db.execute("SELECT data FROM events WHERE kind = 'quiz'").fetchone()
    assert quiz.error == "the disk is full" and not quiz.finished and quiz.total.asked == 1
    assert prompter.notices[0].startswith("waiting: another quizzer is writing")
    assert json.loads(data)["asked"] == 1


def test_a_quizs_time_and_each_decks_last_quiz(tmp_path):
    from quizzer.stats import compute_stats, quiz_dict, quizzes

    with Store(tmp_path / "q.db") as store:
        quiz = run_quiz(store, Scripted(ANSWERS), Plan(tag=None), clock=Ticking())
        (record,) = quizzes(store)
        stats = compute_stats(store, Scheduler(), [deck()], now=T0 + timedelta(hours=1))
    # The clock moves on 1.5 s at each reading: the quiz started at 12:00:03 and ended at 12:00:22.5.
    assert (quiz.started, quiz.ended) == (T0 + timedelta(seconds=3), T0 + timedelta(seconds=22.5))
    assert quiz_dict(record)["time_ms"] == 19_500
    assert stats.to_dict()["decks"][0]["last_quiz"] == {
        "quiz": quiz.quiz_id, "ended": "2026-03-02T12:00:22.500000+00:00", "score": 1.0, "asked": 4, "right": 4,
        "close": 0, "wrong": 0}
