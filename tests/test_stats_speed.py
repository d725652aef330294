"""Operation counts behind `quizzer stats` on a large history (issue 14): work that must not grow with
what the screen does not need. Timings live in benchmarks/, never here."""

from datetime import datetime, timezone

import pytest

from test_screen_drawing import printed, table_of  # the hostile cells' tables, drawn both ways
from test_stats import history  # noqa: F401 - the fixture: two decks' answers, a leech, a mature card

from quizzer import stats
from quizzer.stats import StudyDays
from quizzer.ui.screens import Fitted

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)  # tests run with TZ=UTC: days start at 04:00 UTC


def test_the_bounds_of_n_past_days_localise_each_day_start_once(monkeypatch):
    calls = {"today": 0, "starts": 0}
    real_today, real_start = stats.study_day_start, StudyDays.start_of

    def today(*args):
        calls["today"] += 1
        return real_today(*args)

    def start_of(self, day):
        calls["starts"] += 1
        return real_start(self, day)

    monkeypatch.setattr(stats, "study_day_start", today)
    monkeypatch.setattr(StudyDays, "start_of", start_of)
    bounds = StudyDays(NOW).past(1000)
    assert calls == {"today": 1, "starts": 1001}
    assert bounds[0] == (0, "2026-03-10T04:00:00.000000+00:00", "2026-03-11T04:00:00.000000+00:00")
    assert bounds[1] == (1, "2026-03-09T04:00:00.000000+00:00", "2026-03-10T04:00:00.000000+00:00")
    assert bounds[-1] == (999, "2023-06-15T04:00:00.000000+00:00", "2023-06-16T04:00:00.000000+00:00")


def _library_and_store(tmp_path):
    from quizzer.decks import load_library
    from quizzer.store import Store

    decks, problems = load_library(tmp_path / "decks")
    assert decks and not problems
    return decks, Store(tmp_path / "quizzer.db")


def test_all_of_a_decks_cards_are_its_own_ids_not_a_copy(tmp_path):
    decks, store = _library_and_store(tmp_path)
    store.close()
    deck = decks[0]
    assert stats._card_ids(deck, deck.tagged_positions(None)) is deck.card_ids
    assert stats._card_ids(deck, [1, 0]) == [deck.card_ids[1], deck.card_ids[0]]


def test_counting_suspended_cards_gathers_the_ids_only_of_decks_with_one(tmp_path, monkeypatch):
    from quizzer.controls import CardEvents
    from quizzer.scheduler import Scheduler

    decks, store = _library_and_store(tmp_path)
    gathered = []
    real = stats._card_ids
    monkeypatch.setattr(stats, "_card_ids", lambda deck, positions: gathered.append(deck.id) or real(deck, positions))
    with store:
        chosen = stats._select(store, decks, [], None)
        assert stats._suspended(store, chosen) == {} and gathered == []
        CardEvents(store, Scheduler()).suspend([(decks[1].id, decks[1].card_ids[0])], NOW)
        assert stats._suspended(store, chosen) == {decks[1].id: 1} and gathered == [decks[1].id]


# -- the card states: one pass (fifth round) -------------------------------------------------------


def _passes_over_card_states(store, run) -> int:
    """Statements `run` makes SQLite answer by reading every card state of some decks (or of all)."""
    statements = []
    store.db.set_trace_callback(statements.append)  # with the bound values written in
    try:
        run()
    finally:
        store.db.set_trace_callback(None)
    passes = 0
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            plan = [row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}")]
            passes += any(step in ("SCAN cards", "SEARCH cards USING PRIMARY KEY (deck=?)") for step in plan)
    return passes


def _stats(store, quizzer_home):
    from quizzer.decks import load_library
    from quizzer.scheduler import Scheduler

    library, _ = load_library(quizzer_home / "decks")
    return stats.compute_stats(store, Scheduler(), library, now=NOW)


def _store(quizzer_home):
    from quizzer.store import Store

    return Store(quizzer_home / "quizzer.db")


def test_stats_read_the_card_states_once_when_every_card_with_progress_is_in_its_file(history, quizzer_home):
    # Counting the states and finding those of cards gone from their files were two passes.
    found = []
    with _store(quizzer_home) as store:
        assert _passes_over_card_states(store, lambda: found.append(_stats(store, quizzer_home))) == 1
    alpha = next(row for row in found[0].decks if row.deck == "alpha")
    assert (alpha.cards, alpha.new, alpha.learning, alpha.young + alpha.mature) == (5, 1, 2, 2)


def test_a_card_gone_from_its_file_costs_a_second_pass_and_counts_nowhere(history, quizzer_home):
    deck_file = quizzer_home / "decks" / "alpha.yaml"
    deck_file.write_text(deck_file.read_text(encoding="utf-8").replace(
        "  - {id: a2, type: typed, question: Second?, answer: two}\n", ""), encoding="utf-8")
    found = []
    with _store(quizzer_home) as store:
        assert _passes_over_card_states(store, lambda: found.append(_stats(store, quizzer_home))) == 2
    alpha = next(row for row in found[0].decks if row.deck == "alpha")
    # a2, in learning, left the file: its state counts neither there nor among the cards due.
    assert (alpha.cards, alpha.new, alpha.learning, alpha.young + alpha.mature) == (4, 1, 1, 2)


def test_the_forecast_takes_today_from_the_state_counts_not_from_the_whole_backlog(history, quizzer_home,
                                                                                    monkeypatch):
    from quizzer.decks import load_library

    asked = []
    real = stats.queries.forecast
    monkeypatch.setattr(stats.queries, "forecast", lambda store, where, days: asked.append(days) or real(
        store, where, days))
    with _store(quizzer_home) as store:
        found = _stats(store, quizzer_home)
        assert [day for day, _, _ in asked[0]] == list(range(1, stats.FORECAST_DAYS))  # today's start was ''
        library, _ = load_library(quizzer_home / "decks")
        today, tomorrow = stats.due_soon(store, library, now=NOW)  # still counts today from the due index
    assert [day.count for day in found.forecast[:2]] == [today, tomorrow] and today > 0
    assert today == found.total.due_today


# -- drawing: each string cell's markup read once (fifth round) --------------------------------------


def test_drawing_a_fitted_table_reads_each_strings_markup_once(monkeypatch):
    # Measuring the columns turned each string into Text, and drawing the lines did it again.
    from rich.console import Console

    calls = []
    real = Console.render_str
    monkeypatch.setattr(Console, "render_str", lambda self, text, **kwargs: calls.append(text) or real(
        self, text, **kwargs))
    for rows in (10, 200):
        calls.clear()
        printed(Fitted(table_of("bench-001", "1000", rows)), 100, "truecolor")
        assert sorted(calls) == sorted(["deck", "cards", "kind", *["bench-001", "1000"] * rows,
                                        *(f"kind-{n}" for n in range(rows))])


@pytest.mark.parametrize("colour", [None, "truecolor"])
def test_a_fitted_table_with_a_highlighted_column_draws_as_rich_draws_it(colour):
    # A highlighted column's strings are measured without highlighting but drawn with it: not shared.
    def table():
        made = table_of("bench-001", "1000")
        made.add_column("path", no_wrap=True, highlight=True)
        for column in made.columns[:-1]:
            column.highlight = True
        made.columns[-1]._cells = ["/tmp/a 'b' 12", "None", "[1, 2]"]
        return made

    for width in (60, 100):
        assert printed(Fitted(table()), width, colour) == printed(table(), width, colour)
