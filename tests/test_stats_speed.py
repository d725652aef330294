"""Operation counts behind `quizzer stats` on a large history (issue 14): work that must not grow with
what the screen does not need. Timings live in benchmarks/, never here."""

from datetime import datetime, timezone

from quizzer import stats
from quizzer.stats import StudyDays

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
