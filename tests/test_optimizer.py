"""`quizzer optimize` and `quizzer retention` (issue 15): fitting FSRS to the learner's answers.

Tests that fit need fsrs-rs-python (the `optimize` extra, in the `test` extra where it has a wheel);
elsewhere they skip, saying why. The test without the extra runs everywhere.
"""

import importlib.util
import json
import math
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from optimizer_history import KNOWN, START, history, write_progress
from quizzer import optimizer
from quizzer.cli import app
from quizzer.config import load_settings
from quizzer.model import AnswerKind, Event, EventKind, Outcome, Phase, Rating, Review
from quizzer.scheduler import DEFAULT_PARAMETERS, Scheduler, new_state, parameter_problem, within_bounds
from quizzer.store import Store
from terminal_screens import run_screens

needs_extra = pytest.mark.skipif(importlib.util.find_spec("fsrs_rs_python") is None,
                                 reason="fsrs-rs-python (extra 'optimize') is not installed: no wheel here")
NOW = (START + timedelta(days=200)).isoformat()


@pytest.fixture
def runner():
    return CliRunner()


def quizzer(runner, *args, **settings):
    return runner.invoke(app, list(args), env={"QUIZZER_NOW": NOW}, **settings)


@pytest.fixture
def studied(runner, quizzer_home, tmp_path):
    """A home holding 300 cards' history drawn from KNOWN parameters."""
    quizzer_home.mkdir(parents=True, exist_ok=True)
    answers = history(KNOWN, cards=300, days=200)
    result = quizzer(runner, "progress", "import", str(write_progress(answers, tmp_path / "log.jsonl")))
    assert result.exit_code == 0, result.output
    return quizzer_home


def table(home, query):
    db = sqlite3.connect(home / "quizzer.db")
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def files(home) -> dict[str, bytes]:
    """Every file of the home, byte for byte (the WAL checkpointed first, so the database is whole)."""
    table(home, "PRAGMA wal_checkpoint(TRUNCATE)")
    return {str(path.relative_to(home)): path.read_bytes() for path in sorted(home.rglob("*")) if path.is_file()}


# -- the conversion to FSRS items -----------------------------------------------------------------------------


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_days_between_answers_count_study_days_turning_at_the_configured_hour():
    answers = [("d", "c", at("2026-03-02T12:00"), 3),  # day 1
               ("d", "c", at("2026-03-02T23:00"), 1),  # the same study day: 0
               ("d", "c", at("2026-03-03T03:59"), 3),  # still the same study day (it turns at 04:00): 0
               ("d", "c", at("2026-03-03T04:01"), 3),  # the next one: 1
               ("d", "c", at("2026-03-07T05:00"), 3),  # four days later: 4
               ("d", "e", at("2026-03-07T05:00"), 4)]  # another card starts at 0
    cards = optimizer.cards_of(answers, day_starts_at=4)
    assert [card.delta_t for card in cards] == [(0, 0, 0, 1, 4), (0,)]
    assert [card.ratings for card in cards] == [(3, 1, 3, 3, 3), (4,)]
    assert [card.delta_t for card in optimizer.cards_of(answers, day_starts_at=0)] == [(0, 0, 1, 0, 4), (0,)]


def test_study_days_are_local_days(monkeypatch):
    # 20:00 and 21:00 UTC on one date are either side of 04:00 the next morning in Tokyo (UTC+9).
    answers = [("d", "c", at("2026-03-02T18:00"), 3), ("d", "c", at("2026-03-02T19:30"), 3)]
    assert optimizer.cards_of(answers, 4)[0].delta_t == (0, 0)
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert optimizer.cards_of(answers, 4)[0].delta_t == (0, 1)
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_the_last_fifth_of_the_answers_by_time_is_held_out():
    answers = [("d", f"c{n % 3}", START + timedelta(days=n), 3) for n in range(10)]
    cards = optimizer.cards_of(sorted(answers, key=lambda a: (a[1], a[2])), 4)
    assert optimizer.split_time(cards) == START + timedelta(days=8)  # answers 9 and 10 of 10


def test_the_bins_are_srs_benchmarks():
    # Worked by hand from srs-benchmark's rmse_matrix: delta_t 2.48 * 3.62 ** floor(log_3.62 t) (x100,
    # rounded), length 1.99 * 1.89 ** floor(log_1.89 (n + 1)), lapses 1.65 * 1.73 ** floor(log_1.73 l).
    assert optimizer._bin(1, 1, 0) == (248, 4, 0)
    assert optimizer._bin(4, 3, 2) == (898, 7, 3)
    assert optimizer._bin(20, 1, 1) == (3250, 4, 2)  # 2.48 * 3.62**2 = 32.499…; lapse 1: 1.65 → 2


@needs_extra
def test_log_loss_and_rmse_agree_with_fsrs_rs_evaluating_each_item_alone():
    import fsrs_rs_python as rs

    cards = optimizer.cards_of(history(KNOWN, cards=60, days=120), 4)
    found = optimizer.evaluate(DEFAULT_PARAMETERS, cards)
    model = rs.FSRS(list(DEFAULT_PARAMETERS))
    losses = [model.evaluate([item]).log_loss for item in optimizer.items(cards)[0]]
    assert found.reviews == len(losses) > 100
    assert found.log_loss == pytest.approx(sum(losses) / len(losses), abs=1e-5)


@needs_extra
def test_rmse_bins_weighs_each_bins_gap_by_its_answers(monkeypatch):
    predicted = [optimizer.Prediction(0.9, True, (1, 1, 0), START), optimizer.Prediction(0.7, False, (1, 1, 0), START),
                 optimizer.Prediction(0.6, True, (2, 1, 0), START)]
    monkeypatch.setattr(optimizer, "predictions", lambda *args: iter(predicted))
    found = optimizer.evaluate(DEFAULT_PARAMETERS, [])
    # Bin 1: mean 0.8 predicted, 0.5 recalled, 2 answers; bin 2: 0.6 vs 1, 1 answer.
    assert found.rmse_bins == pytest.approx(((2 * 0.3 ** 2 + 1 * 0.4 ** 2) / 3) ** 0.5)
    assert found.log_loss == pytest.approx(-(math.log(0.9) + math.log(0.3) + math.log(0.6)) / 3)


@needs_extra
@pytest.mark.parametrize("cards, days", [(30, 60), (300, 200), (2000, 365), (50, 400)])
def test_the_training_count_is_what_fsrs_rs_outlier_filter_keeps_of_every_item(cards, days):
    import fsrs_rs_python as rs

    cards = optimizer.cards_of(history(KNOWN, cards=cards, days=days, seed=days), 4)
    every, _ = optimizer.items(cards)
    first = [item for item in every if item.long_term_review_cnt() == 1]
    longer = [item for item in every if item.long_term_review_cnt() > 1]
    kept_first, kept = rs.filter_outlier(first, longer)
    assert optimizer.training_count(cards) == len(kept_first) + len(kept)


# -- fitting ------------------------------------------------------------------------------------------------


@needs_extra
def test_a_history_drawn_from_known_parameters_is_fitted_back_close_to_them():
    answers = history(KNOWN, cards=2000, days=365)
    found = optimizer.fit(answers, 4)
    cards = optimizer.cards_of(answers, 4)
    truth = [p.recall for p in optimizer.predictions(KNOWN, cards)]
    fitted = [p.recall for p in optimizer.predictions(found.parameters, cards)]
    default = [p.recall for p in optimizer.predictions(DEFAULT_PARAMETERS, cards)]
    gap = sum(abs(a - b) for a, b in zip(truth, fitted)) / len(truth)
    default_gap = sum(abs(a - b) for a, b in zip(truth, default)) / len(truth)
    assert gap < 0.015 and gap < default_gap / 2, (gap, default_gap)
    assert found.parameters[2] == pytest.approx(KNOWN[2], rel=0.1)  # Good's first stability, the most answered
    assert abs(found.parameters[20] - KNOWN[20]) < abs(DEFAULT_PARAMETERS[20] - KNOWN[20])  # the curve's decay
    assert found.whole["fitted"].log_loss < found.whole["default"].log_loss
    assert found.better


def fit_result(held_out_fitted: float, held_out_default: float):
    metrics = {name: optimizer.Metrics(loss, 0.05, 100)
               for name, loss in (("default", held_out_default), ("fitted", held_out_fitted))}
    return optimizer.Fit(parameters=KNOWN, held_out_parameters=KNOWN, answers=1000, cards=100, items=500,
                         seconds=0.1, held_out=metrics, whole=metrics)


def test_fitted_parameters_are_rounded_for_config_and_kept_within_fsrs_bounds():
    raw = (0.00004, 1.23456, 2.5, 8.0, 0.99996, *DEFAULT_PARAMETERS[5:20], 0.80004)
    assert within_bounds(raw) == (0.001, 1.2346, 2.5, 8.0, 1.0, *DEFAULT_PARAMETERS[5:20], 0.8)
    assert parameter_problem(within_bounds(raw)) is None


def test_fitted_parameters_are_better_only_with_a_lower_held_out_log_loss():
    assert fit_result(0.30, 0.31).better
    assert not fit_result(0.31, 0.31).better
    assert not fit_result(0.32, 0.31).better


# -- the command -------------------------------------------------------------------------------------------


def replayed(home, parameters) -> list[tuple]:
    """Every card's state as an independent replay of its answers with `parameters` gives it."""
    scheduler = Scheduler(parameters=parameters)
    rows = table(home, "SELECT deck, card, review_id, rating, reviewed_at FROM reviews ORDER BY deck, card, reviewed_at")
    by_card = {}
    for deck, card, review_id, rating, moment in rows:
        by_card.setdefault((deck, card), []).append((review_id, Rating(rating), datetime.fromisoformat(moment)))
    return sorted((*key, scheduler.replay(log, log[0][2]).due.isoformat(timespec="microseconds"))
                  for key, log in by_card.items())


def dues(home) -> list[tuple]:
    return sorted((deck, card, datetime.fromisoformat(due).isoformat(timespec="microseconds"))
                  for deck, card, due in table(home, "SELECT deck, card, due FROM cards"))


def saved_parameters(home) -> tuple[float, ...]:
    return load_settings(home / "config.toml").parameters


@needs_extra
def test_saving_rebuilds_every_card_as_a_replay_with_the_new_parameters(runner, studied):
    before = dues(studied)
    assert before == replayed(studied, DEFAULT_PARAMETERS)
    result = quizzer(runner, "optimize", "--yes", "--force")
    assert result.exit_code == 0, result.output
    parameters = saved_parameters(studied)
    assert parameters != DEFAULT_PARAMETERS and len(parameters) == 21
    after = dues(studied)
    assert after == replayed(studied, parameters)
    earlier = sum(1 for old, new in zip(before, after) if new[2] < old[2])
    later = sum(1 for old, new in zip(before, after) if new[2] > old[2])
    assert earlier + later > 0
    assert f"{earlier:,} due earlier, {later:,} due later" in result.output
    assert all(len(line) <= 60 for line in result.output.splitlines() if "/" not in line)  # but paths
    assert len(list((studied / "backups").glob("quizzer-*-before-optimize.db"))) == 1
    doctor = quizzer(runner, "doctor")
    assert doctor.exit_code == 0 and "agree with a replay" in doctor.output and "fitted" in doctor.output


@needs_extra
def test_reset_goes_back_to_the_defaults_the_same_way(runner, studied):
    (studied / "config.toml").write_text("# mine\nnew_per_day = 5\n", encoding="utf-8")
    assert quizzer(runner, "optimize", "--yes", "--force").exit_code == 0
    result = quizzer(runner, "optimize", "--reset", "--yes")
    assert result.exit_code == 0, result.output
    assert (studied / "config.toml").read_text() == "# mine\nnew_per_day = 5\n"
    assert dues(studied) == replayed(studied, DEFAULT_PARAMETERS)
    assert len(list((studied / "backups").glob("config-*-before-optimize.toml"))) == 2


@needs_extra
def test_doctor_replays_with_the_parameters_in_config(runner, studied):
    assert quizzer(runner, "optimize", "--yes", "--force").exit_code == 0
    parameters = (studied / "config.toml").read_text()
    (studied / "config.toml").write_text("")  # the defaults again, but the schedule was made with others
    sick = quizzer(runner, "doctor")
    assert sick.exit_code == 1 and "disagree with a replay" in sick.output and "default parameters" in sick.output
    (studied / "config.toml").write_text(parameters)
    assert quizzer(runner, "doctor").exit_code == 0


@needs_extra
@pytest.mark.parametrize("args", [["--dry-run"], ["--dry-run", "--json"], ["--dry-run", "--force", "--yes"]])
def test_a_dry_run_changes_nothing(runner, studied, args):
    (studied / "config.toml").write_text("new_per_day = 7\n", encoding="utf-8")
    before = files(studied)
    result = quizzer(runner, "optimize", *args)
    assert result.exit_code == 0, result.output
    assert files(studied) == before


@needs_extra
def test_json_gives_parameters_and_both_metrics_for_default_and_fitted(runner, studied):
    result = quizzer(runner, "optimize", "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert len(data["parameters"]) == 21 and data["saved"] is False
    for name in ("default", "fitted"):
        for part in ("held_out", "whole"):
            assert set(data[name][part]) == {"log_loss", "rmse_bins", "reviews"}
    assert data["answers"] == table(studied, "SELECT COUNT(*) FROM reviews")[0][0]
    assert data["cards"] == 300


@needs_extra
def test_parameters_that_predict_no_better_are_kept_unless_forced(runner, studied, monkeypatch):
    monkeypatch.setattr(optimizer, "fit", lambda *args: fit_result(0.33, 0.31))
    before = files(studied)
    kept = quizzer(runner, "optimize", "--yes")
    assert kept.exit_code == 0 and "the fitted ones do not\npredict your last 20 % better" in kept.output
    assert all(len(line) <= 60 for line in kept.output.splitlines())
    assert files(studied) == before
    forced = quizzer(runner, "optimize", "--yes", "--force")
    assert forced.exit_code == 0 and saved_parameters(studied) == KNOWN


@needs_extra
def test_voided_answers_do_not_train_the_optimizer(quizzer_home):
    quizzer_home.mkdir(parents=True)
    with Store(quizzer_home / "quizzer.db") as store:
        scheduler = Scheduler()
        state = None
        for n, (rating, day) in enumerate([(3, 0), (3, 2), (1, 7)]):
            moment = START + timedelta(days=day)
            review = Review(f"r{n}", "d", "c", moment, Rating(rating), Outcome.CORRECT, "", 0, "s")
            new = scheduler.review(state or new_state(moment), Rating(rating), moment, f"r{n}")
            state = store.record(review, Phase.NEW if state is None else state.phase, new)
        store.add_events([Event("e1", EventKind.VOID, "d", "c", START + timedelta(days=7), "r2", {})],
                         lambda log: scheduler.replay(log, log[0][2]))
        assert [rating for *_, rating in store.training_answers()] == [3, 3]


def test_quiz_answers_that_did_not_reschedule_do_not_train_the_optimizer(quizzer_home):
    quizzer_home.mkdir(parents=True)
    with Store(quizzer_home / "quizzer.db") as store:
        scheduler = Scheduler()
        state = None
        for n, (rating, day, reschedules) in enumerate([(3, 0, True), (1, 2, False), (4, 7, True)]):
            moment = START + timedelta(days=day)
            review = Review(f"r{n}", "d", "c", moment, Rating(rating), Outcome.CORRECT, "", 0, "s",
                            kind=AnswerKind.STUDY if reschedules else AnswerKind.QUIZ, reschedules=reschedules)
            new = scheduler.review(state or new_state(moment), Rating(rating), moment, f"r{n}")
            state = store.record(review, Phase.NEW if state is None else state.phase, new)
        assert [rating for *_, rating in store.training_answers()] == [3, 4]


@needs_extra
def test_below_the_minimum_it_says_how_many_more_and_changes_nothing(runner, quizzer_home, tmp_path):
    quizzer_home.mkdir(parents=True)
    answers = [("d", f"c{n}", START + timedelta(days=day), 3) for n in range(5) for day in (0, 3)]  # 5 items
    assert quizzer(runner, "progress", "import", str(write_progress(answers, tmp_path / "few.jsonl"))).exit_code == 0
    before = files(quizzer_home)
    result = quizzer(runner, "optimize", "--yes")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    # Five cards with the same gap: too few for fsrs-rs's outlier filter, which keeps groups of 20 or more.
    assert "0 usable of the 5 given on a later day" in result.output and "8 needed (8 more)" in result.output
    assert files(quizzer_home) == before


@needs_extra
@pytest.mark.parametrize("outcome", [ValueError("InvalidInput"), [math.nan] * 21], ids=["refused", "NaN"])
def test_a_fit_fsrs_rs_cannot_make_is_one_line_and_changes_nothing(runner, studied, monkeypatch, outcome):
    import fsrs_rs_python as rs

    def compute_parameters(self, *args, **kwargs):
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(rs.FSRS, "compute_parameters", compute_parameters, raising=False)
    before = files(studied)
    result = quizzer(runner, "optimize", "--yes", "--force")
    assert result.exit_code == 2 and result.output.startswith("quizzer: fsrs-rs could not fit your answers (")
    assert len(result.output.strip().splitlines()) == 1 and files(studied) == before


# Runs quizzer with fsrs_rs_python unimportable, as if the extra were not installed.
WITHOUT_EXTRA = """
import sys
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "fsrs_rs_python":
            raise ModuleNotFoundError("No module named 'fsrs_rs_python'")
sys.meta_path.insert(0, Hide())
from quizzer.cli import app
app(sys.argv[1:], prog_name="quizzer")
"""


@pytest.mark.parametrize("command", [["optimize"], ["optimize", "--dry-run", "--json"], ["retention"]], ids=" ".join)
def test_without_the_extra_it_says_how_to_install_it_and_exits_2(quizzer_home, command):
    quizzer_home.mkdir(parents=True)
    result = subprocess.run([sys.executable, "-c", WITHOUT_EXTRA, *command], capture_output=True, text=True,
                            env={**os.environ, "QUIZZER_HOME": str(quizzer_home)})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "quizzer: fitting FSRS needs fsrs-rs-python: pip install 'quizzer[optimize]'"]


def test_reset_needs_no_extra(quizzer_home):
    quizzer_home.mkdir(parents=True)
    (quizzer_home / "config.toml").write_text("parameters = " + repr(list(KNOWN)) + "\n")
    result = subprocess.run([sys.executable, "-c", WITHOUT_EXTRA, "optimize", "--reset", "--yes"],
                            capture_output=True, text=True, env={**os.environ, "QUIZZER_HOME": str(quizzer_home)})
    assert result.returncode == 0, result.stderr
    assert (quizzer_home / "config.toml").read_text() == ""


@pytest.mark.parametrize("args, message", [
    (["--json"], "--json cannot ask before saving: add --yes to save, or --dry-run"),
    (["--reset", "--dry-run", "--yes"], "--reset changes the parameters and --dry-run changes nothing"),
])
def test_options_that_contradict_each_other_are_refused_before_anything(runner, quizzer_home, args, message):
    quizzer_home.mkdir(parents=True)
    (quizzer_home / "config.toml").write_text("parameters = " + repr(list(KNOWN)) + "\n")
    result = quizzer(runner, "optimize", *args)
    assert result.exit_code == 2 and message in result.output
    assert sorted(p.name for p in quizzer_home.iterdir()) == ["config.toml"]
    assert load_settings(quizzer_home / "config.toml").parameters == KNOWN


# -- retention ---------------------------------------------------------------------------------------------


@needs_extra
def test_retention_marks_the_current_setting_and_the_most_known_per_answer(runner, quizzer_home):
    quizzer_home.mkdir(parents=True)
    (quizzer_home / "config.toml").write_text("desired_retention = 0.88\n")
    data = json.loads(quizzer(runner, "retention", "--json").stdout)
    rows = data["retentions"]
    assert [row["retention"] for row in rows] == [0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.95, 0.97]
    assert data["current"] == 0.88
    assert data["best_per_answer"] == max(rows, key=lambda row: row["known_per_answer"])["retention"]
    # Higher retention costs more reviews and leaves more cards known, as FSRS's model implies.
    assert [row["reviews_per_day"] for row in rows] == sorted(row["reviews_per_day"] for row in rows)
    assert rows[-1]["known"] > rows[0]["known"]
    text = quizzer(runner, "retention").output
    assert "0.88" in next(line for line in text.splitlines() if "current" in line)


# -- screens at 60 and 100 columns ---------------------------------------------------------------------------


@needs_extra
@pytest.mark.parametrize("columns", [60, 100])
def test_the_screens_fit_the_terminal(studied, columns):
    env = {**os.environ, "QUIZZER_HOME": str(studied), "TERM": "xterm", "QUIZZER_NOW": NOW}
    outputs = run_screens([("optimize", ["optimize", "--dry-run"]), ("retention", ["retention"])], env, columns, 40)
    for name, output in outputs.items():
        lines = output.replace("\r\n", "\n").strip("\n").split("\n")
        assert all(len(line) <= 60 for line in lines), f"{name}:\n{output}"
        assert "…" not in output and "\x1b]" not in output
    assert "Dry run: nothing changed." in outputs["optimize"]
    assert "last 20 %" in outputs["optimize"] and "whole history" in outputs["optimize"]
    assert "current" in outputs["retention"] and "best" in outputs["retention"]


@needs_extra
def test_without_a_terminal_saving_needs_yes(runner, studied):
    before = files(studied)
    result = quizzer(runner, "optimize", "--force")
    assert result.exit_code == 2 and "not a terminal to ask in: add --yes" in result.output
    assert files(studied) == before


@needs_extra
@pytest.mark.parametrize("answer, saved", [("n", False), ("y", True)])
def test_in_a_terminal_it_asks_before_saving(studied, answer, saved):
    import pexpect

    before = files(studied)
    env = {**os.environ, "QUIZZER_HOME": str(studied), "TERM": "xterm", "QUIZZER_NOW": NOW}
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "optimize", "--force"], env=env, dimensions=(30, 60),
                          encoding="utf-8", timeout=60)
    child.expect_exact("Save the fitted parameters and reschedule every card?")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == (0 if saved else 2)
    assert (files(studied) != before) is saved
    assert (load_settings(studied / "config.toml").parameters is not None) is saved


@needs_extra
def test_retention_fits_60_columns_with_the_largest_limits(runner, quizzer_home):
    quizzer_home.mkdir(parents=True)
    (quizzer_home / "config.toml").write_text(
        "desired_retention = 0.7\nnew_per_day = 100000\nreviews_per_day = 1000000\n")
    output = quizzer(runner, "retention").output
    assert all(len(line) <= 60 for line in output.splitlines()), output
    assert "0.70" in next(line for line in output.splitlines() if "◀ current, best" in line)
