"""`quizzer stats`, `history`, `cards` and `card` over a history built by hand at fixed times.

Tests run with TZ=UTC (conftest), so a study day runs from 04:00 UTC to 04:00 UTC the next day.
Today is Tuesday 2026-03-10 and it is 12:00. Every answer below is listed with its day, deck and
phase before the answer, so the expected numbers can be checked by reading this file:

    s1  Fri 02-20 10:00  a1 Easy ✓ (new)   a2 Again ✗ (new)   a5 Easy ✓ (new, saved mature)
    s2  Sun 03-08 09:00  a1 Good ✓ (review)   b1 Easy ✓ (new)   b3 Easy ✓ (new)   b3 Again ✗ (review)
    s3  Mon 03-09 20:00  b3 Good ✓ (relearning), then 7 × [b3 Again ✗ (review), b3 Good ✓ (relearning)],
                         a2 Good ✓ (learning)   b2 Easy ✓ (new)
    s5  Tue 03-10 03:30  b2 Good ✓ (review) — before 04:00, so still study day Mon 03-09; never ended
    s4  Tue 03-10 08:00  a1 Again ✗ (review)   a1 Good ✓ (relearning)   b1 Hard, close ✓ (review)
                         b3 Good ✓ (review)   a3 Good, overridden ✓ (new)

b3 is a flash card (verdict `self`) with 8 lapses: a leech. a4 and b4 are never answered. Each
answer takes 2 s.
"""

import csv
import functools
import io
import json
import re
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.model import CardState, Outcome, Phase, Rating, Review, study_day_start
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
# FSRS-6's forgetting curve with py-fsrs 6's default parameters, written out so the expected values do not
# come from the code under test: R(t, S) = (1 + FACTOR · t / S) ^ -DECAY, t in whole days since the last
# review, DECAY = w[20] = 0.1542 and FACTOR = 0.9 ^ (-1 / DECAY) - 1 = 0.98035, so that R(S, S) = 0.9.
DECAY = 0.1542
FACTOR = 0.9 ** (-1 / DECAY) - 1


def recall_of(state, now=NOW):
    return (1 + FACTOR * (now - state.last_review).days / state.stability) ** -DECAY
ALPHA = """\
id: alpha
title: Alpha
tags: [alpha-tag]
cards:
  - id: a1
    type: typed
    question: "Which year? [bold]not bold[/]"
    answer: "1968"
    tags: [years]
  - {id: a2, type: typed, question: Second?, answer: two}
  - {id: a3, type: typed, question: Third?, answer: three}
  - {id: a4, type: typed, question: Fourth?, answer: four}
  - {id: a5, type: typed, question: Fifth?, answer: five, tags: [years]}
"""
BETA = """\
id: beta
title: Beta
cards:
  - {id: b1, type: typed, question: B one?, answer: one, tags: [years]}
  - {id: b2, type: typed, question: B two?, answer: two}
  - {id: b3, question: The leech?, answer: always forgotten, tags: [stubborn]}
  - {id: b4, type: typed, question: B four?, answer: four}
"""
RIGHT, WRONG, CLOSE, SELF, OVERRIDDEN = (Outcome.CORRECT, Outcome.WRONG, Outcome.CLOSE, Outcome.SELF,
                                         Outcome.OVERRIDDEN)
MATURE_A5 = CardState(Phase.REVIEW, due=datetime(2026, 3, 25, 10, 1, tzinfo=timezone.utc), stability=30.0,
                      difficulty=4.0, last_review=datetime(2026, 2, 20, 10, 1, tzinfo=timezone.utc))


def at(day, hour, minute=0):
    return datetime(2026, 2 if day > 15 else 3, day, hour, minute, tzinfo=timezone.utc)


class History:
    """Records answers through Store.record with FSRS states, the way a study session saves them."""

    def __init__(self, store):
        self.store = store
        self.scheduler = Scheduler(fuzz=False)
        self.states = {}
        self.lapses = {}

    def session(self, session_id, decks, start, end=None):
        self.store.start_session(session_id, decks, start)
        self.session_id, self.end = session_id, end

    def answer(self, deck, card, rating, verdict, when, saved_state=None):
        before = self.states.get((deck, card), new_state(when))
        review_id = str(uuid.uuid4())
        after = saved_state or self.scheduler.review(before, rating, when, review_id)
        self.store.record(
            Review(review_id, deck, card, when, rating, verdict, "" if verdict is SELF else f"resp-{card}", 2000,
                   self.session_id),
            before.phase, after,
        )
        self.states[(deck, card)] = after
        return before.phase

    def close(self):
        if self.end is not None:
            self.store.end_session(self.session_id, self.end)


@pytest.fixture
def history(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (quizzer_home / "decks" / "beta.yaml").write_text(BETA, encoding="utf-8")
    G, E, A, H = Rating.GOOD, Rating.EASY, Rating.AGAIN, Rating.HARD
    with Store(quizzer_home / "quizzer.db") as store:
        h = History(store)
        h.session("s1", ["alpha"], at(20, 10), at(20, 10, 5))
        assert h.answer("alpha", "a1", E, RIGHT, at(20, 10)) is Phase.NEW
        assert h.answer("alpha", "a2", A, WRONG, at(20, 10, 1)) is Phase.NEW
        assert h.answer("alpha", "a5", E, RIGHT, at(20, 10, 2), saved_state=MATURE_A5) is Phase.NEW
        h.close()
        h.session("s2", ["alpha", "beta"], at(8, 9), at(8, 9, 10))
        assert h.answer("alpha", "a1", G, RIGHT, at(8, 9)) is Phase.REVIEW
        assert h.answer("beta", "b1", E, RIGHT, at(8, 9, 1)) is Phase.NEW
        assert h.answer("beta", "b3", E, SELF, at(8, 9, 2)) is Phase.NEW
        assert h.answer("beta", "b3", A, SELF, at(8, 9, 3)) is Phase.REVIEW
        h.close()
        h.session("s3", ["alpha", "beta"], at(9, 20), at(9, 21))
        assert h.answer("beta", "b3", G, SELF, at(9, 20)) is Phase.RELEARNING
        for lapse in range(7):
            assert h.answer("beta", "b3", A, SELF, at(9, 20, 1 + 2 * lapse)) is Phase.REVIEW
            assert h.answer("beta", "b3", G, SELF, at(9, 20, 2 + 2 * lapse)) is Phase.RELEARNING
        assert h.answer("alpha", "a2", G, RIGHT, at(9, 20, 30)) is Phase.LEARNING
        assert h.answer("beta", "b2", E, RIGHT, at(9, 20, 31)) is Phase.NEW
        h.close()
        h.session("s5", ["beta"], at(10, 3, 30))  # killed: never ended
        assert h.answer("beta", "b2", G, RIGHT, at(10, 3, 30)) is Phase.REVIEW
        h.session("s4", ["alpha", "beta"], at(10, 8), at(10, 8, 20))
        assert h.answer("alpha", "a1", A, WRONG, at(10, 8)) is Phase.REVIEW
        assert h.answer("alpha", "a1", G, RIGHT, at(10, 8, 11)) is Phase.RELEARNING
        assert h.answer("beta", "b1", H, CLOSE, at(10, 8, 12)) is Phase.REVIEW
        assert h.answer("beta", "b3", G, SELF, at(10, 8, 13)) is Phase.REVIEW
        assert h.answer("alpha", "a3", G, OVERRIDDEN, at(10, 8, 14)) is Phase.NEW
        h.close()
    return h


@pytest.fixture
def runner():
    return CliRunner()


def run_json(runner, *args):
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def stats_json(runner, *args):
    return run_json(runner, "stats", *args, "--now", NOW.isoformat())


def rate(right, total):
    return {"right": right, "total": total, "rate": round(right / total, 4) if total else None}


# -- stats ----------------------------------------------------------------------------------------


def ours(data):
    """The rows of the test's decks, leaving out the built-in decks (installed, never studied here)."""
    return {d["deck"]: d for d in data["decks"] if not d["deck"].startswith("mali-2012-")}


def test_cards_by_state_per_deck_and_in_total(runner, history):
    data = stats_json(runner)
    decks = ours(data)
    assert list(decks) == ["alpha", "beta"]
    builtin = [d for d in data["decks"] if d["deck"] not in decks]
    assert all(d["cards"] == d["new"] and d["installed"] for d in builtin)
    # a1 lapsed today and is back in review with a short interval; a5 was saved with a 33-day one.
    assert {k: decks["alpha"][k] for k in ("cards", "new", "learning", "young", "mature")} == {
        "cards": 5, "new": 1, "learning": 2, "young": 1, "mature": 1}
    young_beta = sum(history.states[("beta", c)].due - history.states[("beta", c)].last_review < timedelta(days=21)
                     for c in ("b1", "b2", "b3"))
    assert decks["beta"]["new"] == 1 and decks["beta"]["learning"] == 0
    assert decks["beta"]["young"] == young_beta and decks["beta"]["mature"] == 3 - young_beta
    total, builtin_cards = data["total"], sum(d["cards"] for d in builtin)
    assert (total["cards"], total["new"], total["learning"]) == (9 + builtin_cards, 2 + builtin_cards, 2)
    assert total["young"] + total["mature"] == 5
    assert (total["deck"], total["title"], total["installed"]) == ("total", "", True)
    assert (decks["alpha"]["title"], decks["beta"]["title"]) == ("Alpha", "Beta")
    assert all(d["due_today"] == 0 for d in builtin)  # no progress: nothing due
    # Due before today ends (04:00 tomorrow): a2 since 03-09 20:40 and a3 since 08:24; a1, relearnt at
    # 08:11 today, waits a day, a5 until 03-25.
    assert decks["alpha"]["due_today"] == 2


def test_accuracy_today_7_and_30_days_per_deck(runner, history):
    data = stats_json(runner)
    decks = {deck: d["accuracy"] for deck, d in ours(data).items()}
    # alpha today: a1 ✗, a1 ✓, a3 ✓; +7d: a1 ✓ (03-08), a2 ✓ (03-09); +30d: s1's a1 ✓, a2 ✗, a5 ✓.
    assert decks["alpha"] == {"today": rate(2, 3), "7d": rate(4, 5), "30d": rate(6, 8)}
    # beta today: b1 ✓, b3 ✓; 03-08: b1 ✓ b3 ✓ b3 ✗; 03-09: b3 8 ✓ 7 ✗, b2 ✓ twice (03:30 counts for 03-09).
    assert decks["beta"] == {"today": rate(2, 2), "7d": rate(14, 22), "30d": rate(14, 22)}
    assert data["total"]["accuracy"] == {"today": rate(4, 5), "7d": rate(18, 27), "30d": rate(20, 30)}


def test_true_retention_counts_the_first_review_of_each_card_each_day(runner, history):
    # Worked out by hand. Only answers to cards in review count, and of those only each card's
    # first on a study day; Again fails, anything else passes.
    #   03-08: a1 Good ✓, b3 Again ✗ (its 09:02 answer was to a new card)
    #   03-09: b3 Again ✗ at 20:01 (20:00 was relearning; its six later Agains that day do not count),
    #          b2 Good ✓ at 03:30 on 03-10, which belongs to study day 03-09
    #   03-10: a1 Again ✗ (its Good at 08:11 was relearning), b1 Hard ✓, b3 Good ✓
    #   02-20: only new cards
    data = stats_json(runner)
    decks = {deck: d["true_retention"] for deck, d in ours(data).items()}
    assert decks["alpha"] == {"today": rate(0, 1), "7d": rate(1, 2), "30d": rate(1, 2)}
    assert decks["beta"] == {"today": rate(2, 2), "7d": rate(3, 5), "30d": rate(3, 5)}
    assert data["total"]["true_retention"] == {"today": rate(2, 3), "7d": rate(4, 7), "30d": rate(4, 7)}


def test_a_later_day_start_moves_an_early_answer_into_today(runner, history, quizzer_home):
    (quizzer_home / "config.toml").write_text("day_starts_at = 3\n")
    data = stats_json(runner)
    # With days starting at 03:00, b2's answer at 03:30 on 03-10 belongs to today.
    assert data["total"]["accuracy"]["today"] == rate(5, 6)
    assert data["total"]["true_retention"]["today"] == rate(3, 4)
    assert data["day_starts_at"] == 3


def test_forecast_matches_the_cards_due_dates(runner, history):
    data = stats_json(runner)
    today = study_day_start(NOW).date()
    expected = [0] * 14
    for state in history.states.values():
        ahead = max(0, (study_day_start(state.due).date() - today).days)  # overdue cards are due today
        if ahead < 14:
            expected[ahead] += 1
    assert [d["date"] for d in data["forecast"]] == [str(today + timedelta(days=k)) for k in range(14)]
    assert [d["count"] for d in data["forecast"]] == expected
    # By hand: a2 has been due since 03-09 20:40 and a3 (10-minute step) since 08:24, so both are due today;
    # a5 is due on 03-25, beyond the 14 days.
    assert expected[0] >= 2 and sum(expected) == 6


def test_calendar_streaks_and_time(runner, history):
    data = stats_json(runner)
    calendar = {d["date"]: d["count"] for d in data["calendar"]}
    # 16 weeks of Monday-first columns, ending today (a Tuesday): 15 full weeks and 2 days.
    assert len(calendar) == 15 * 7 + 2
    assert data["calendar"][0]["date"] == "2025-11-24" and data["calendar"][-1]["date"] == "2026-03-10"
    assert {day: n for day, n in calendar.items() if n} == {
        "2026-02-20": 3, "2026-03-08": 4, "2026-03-09": 18, "2026-03-10": 5}
    assert data["streak"] == {"current": 3, "longest": 3, "study_days": 4}
    assert data["answers"] == 30 and data["time_ms"] == 60_000
    assert data["first_answer"] == "2026-02-20T10:00:00.000000+00:00"
    assert data["now"] == "2026-03-10T12:00:00.000000+00:00"


def test_mastery_per_tag(runner, history):
    data = stats_json(runner)
    tags = {t["tag"]: t for t in data["tags"]}
    def recall(*keys):
        return round(sum(recall_of(history.states[k]) for k in keys) / len(keys), 4)

    assert tags["years"] == {"tag": "years", "cards": 3, "studied": 3, "mature": 1,
                             "retrievability": recall(("alpha", "a1"), ("alpha", "a5"), ("beta", "b1"))}
    assert tags["alpha-tag"]["cards"] == 5 and tags["alpha-tag"]["studied"] == 4 and tags["alpha-tag"]["mature"] == 1
    assert tags["stubborn"] == {"tag": "stubborn", "cards": 1, "studied": 1, "mature": 0,
                             "retrievability": recall(("beta", "b3"))}
    assert {"alpha-tag", "years", "stubborn"} <= set(tags)


def test_hardest_cards_and_leeches(runner, history):
    data = stats_json(runner)
    assert [(c["deck"], c["card"], c["lapses"]) for c in data["hardest"]] == [("beta", "b3", 8), ("alpha", "a1", 1)]
    assert [(c["card"], c["lapses"], c["question"]) for c in data["leeches"]] == [("b3", 8, "The leech?")]
    assert data["leeches"][0]["due"] == history.states[("beta", "b3")].due.isoformat(timespec="microseconds")
    # Both were last answered today, 0 whole days ago: recall 1.
    assert [c["retrievability"] for c in data["hardest"]] == [1.0, 1.0]


def test_one_deck_and_one_tag(runner, history):
    beta = stats_json(runner, "beta")
    assert [d["deck"] for d in beta["decks"]] == ["beta"]
    assert beta["answers"] == 22 and beta["total"]["accuracy"]["7d"] == rate(14, 22)
    assert [c["card"] for c in beta["hardest"]] == ["b3"]
    years = stats_json(runner, "--tag", "years")
    assert [(d["deck"], d["cards"], d["new"]) for d in years["decks"]] == [("alpha", 2, 0), ("beta", 1, 0)]
    # a1, a5 and b1: today a1 ✗ ✓ and b1 ✓; all time a1 4 answers, a5 1, b1 2.
    assert years["total"]["accuracy"]["today"] == rate(2, 3)
    assert years["answers"] == 7 and years["tag"] == "years"


def test_a_deck_tag_of_two_decks_and_a_card_tag_elsewhere_add_up(runner, history, quizzer_home):
    (quizzer_home / "decks" / "gamma.yaml").write_text(
        "id: gamma\ntitle: Gamma\ntags: [alpha-tag]\ncards:\n"
        "  - {id: g1, type: typed, question: G one?, answer: one}\n"
        "  - {id: g2, type: typed, question: G two?, answer: two}\n", encoding="utf-8")
    (quizzer_home / "decks" / "beta.yaml").write_text(BETA.replace("tags: [stubborn]", "tags: [stubborn, alpha-tag]"),
                                                      encoding="utf-8")
    tags = {t["tag"]: t for t in stats_json(runner)["tags"]}
    # alpha's 5 cards (4 studied, a5 mature), gamma's 2, never studied, and beta's b3 (studied, young).
    studied = [("alpha", card) for card in ("a1", "a2", "a3", "a5")] + [("beta", "b3")]
    assert tags["alpha-tag"] == {"tag": "alpha-tag", "cards": 8, "studied": 5, "mature": 1, "retrievability": round(
        sum(recall_of(history.states[key]) for key in studied) / 5, 4)}


def test_a_background_card_is_not_counted_under_its_decks_tags(runner, history, quizzer_home):
    # a2 (answered twice: s1 ✗, s3 ✓) becomes background: it leaves alpha-tag, as it leaves `study --tag`.
    deck = quizzer_home / "decks" / "alpha.yaml"
    deck.write_text(ALPHA.replace("answer: two}", "answer: two, tags: [background]}"), encoding="utf-8")
    tagged = stats_json(runner, "--tag", "alpha-tag")
    assert [(d["deck"], d["cards"]) for d in tagged["decks"]] == [("alpha", 4)] and tagged["answers"] == 6
    assert [c["card"] for c in run_json(runner, "cards", "--tag", "alpha-tag", "--now", NOW.isoformat())] == [
        "a1", "a3", "a4", "a5"]
    background = stats_json(runner, "alpha", "--tag", "background")  # the built-in decks have theirs
    assert [(d["deck"], d["cards"]) for d in background["decks"]] == [("alpha", 1)] and background["answers"] == 2
    tags = {t["tag"]: (t["cards"], t["studied"], t["mature"]) for t in stats_json(runner, "alpha")["tags"]}
    assert tags == {"alpha-tag": (4, 3, 1), "background": (1, 1, 0), "years": (2, 2, 1)}


def test_unknown_deck_or_tag_exits_2(runner, history):
    result = runner.invoke(app, ["stats", "nope"])
    assert result.exit_code == 2 and "no deck 'nope'" in result.output
    result = runner.invoke(app, ["stats", "--tag", "nothing"])
    assert result.exit_code == 2 and "no cards tagged 'nothing'" in result.output


def test_stats_errors_name_the_unknown_deck_or_tag_and_where_it_was_looked_for(history, quizzer_home):
    from quizzer.decks import load_library
    from quizzer.stats import StatsError, compute_stats

    library = [d for d in load_library(quizzer_home / "decks")[0] if d.id == "alpha"]
    with Store(history.store.path) as store:
        def error(**options):
            with pytest.raises(StatsError) as raised:
                compute_stats(store, Scheduler(), library, now=NOW, **options)
            return str(raised.value)

        # beta is known from its progress alone; the first unknown deck asked for is named.
        assert error(decks=["alpha", "nope", "zz"]) == "unknown deck 'nope'; known decks: alpha, beta"
        assert error(decks=["alpha", "beta"], tag="nothing") == "no cards tagged 'nothing' in alpha, beta"
        assert error(tag="nothing") == "no cards tagged 'nothing' in any deck"
    with Store(quizzer_home / "empty.db") as empty:
        with pytest.raises(StatsError, match=r"^unknown deck 'nope'; known decks: none$"):
            compute_stats(empty, Scheduler(), [], decks=["nope"], now=NOW)


def screen(runner, *args, width=100):
    result = runner.invoke(app, [*args], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    return result.output


def row(output, first):
    """The cells of the table line that starts with `first`."""
    line = next(line for line in output.splitlines() if line.startswith(first + " "))
    return re.split(r"\s{2,}", line.strip())


def test_stats_screen_shows_the_same_numbers(runner, history):
    data = stats_json(runner)
    out = screen(runner, "stats", "--now", NOW.isoformat())
    alpha = next(d for d in data["decks"] if d["deck"] == "alpha")
    counts, accuracy, retention = (out.split("Cards by state")[1], out.split("Accuracy")[1],
                                   out.split("True retention")[1])
    assert row(counts, "alpha") == ["alpha", "5", "1", "2", "1", "1", str(alpha["due_today"]), str(alpha["suspended"])]
    assert row(accuracy, "alpha") == ["alpha", "67% of 3", "80% of 5", "75% of 8"]
    assert row(accuracy, "total") == ["total", "80% of 5", "67% of 27", "67% of 30"]
    assert row(retention, "beta") == ["beta", "100% of 2", "60% of 5", "60% of 5"]
    assert row(retention, "total") == ["total", "67% of 3", "57% of 7", "57% of 7"]
    years = next(t for t in data["tags"] if t["tag"] == "years")
    assert row(out.split("Mastery by tag")[1], "years") == [
        "years", "3", "3", "1", "33%", f"{years['retrievability']:.0%}"]
    assert "Streak: 3 days (longest 3) · studied on 4 days · 30 answers · 1m 00s answering" in out
    forecast = out.split("Due in the next 14 days")[1].splitlines()[1:15]
    assert [int(line.split()[-1]) for line in forecast] == [d["count"] for d in data["forecast"]]
    assert forecast[0].startswith("today ") and "█" in forecast[0]
    assert "beta/b3" in out.split("Leeches (1: 8 or more lapses)")[1]


def test_calendar_heatmap_shades_days_by_answers(runner, history):
    out = screen(runner, "stats", "--now", NOW.isoformat())
    calendar = out.split("Review calendar, last 16 weeks")[1].splitlines()
    week_rows = {line[:3]: line[4:] for line in calendar[2:9]}
    # Columns are weeks; the last is this week (Mon 03-09, Tue 03-10). The busiest day (18) is full.
    assert week_rows["Mon"].split()[-1] == "█"  # 03-09: 18 answers
    assert week_rows["Tue"].split()[-1] == "▒"  # 03-10: 5 of 18 → second quarter
    assert week_rows["Sun"].split()[-1] == "░"  # 03-08: 4 of 18
    assert week_rows["Wed"].split()[-1] == "·"  # last week's Wednesday; this week's is still to come
    assert week_rows["Fri"].split()[-3] == "░"  # 02-20, three weeks before this one
    assert sum(line.count("·") for line in week_rows.values()) == 107 - 4
    assert "busiest day: 18 answers" in out


def test_stats_of_an_empty_history(runner, quizzer_home):
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0 and result.output.strip() == "No answers yet. Run `quizzer study` to start."
    data = stats_json(runner)
    assert (data["answers"], data["time_ms"], data["first_answer"], data["hardest"]) == (0, 0, None, [])
    assert data["streak"] == {"current": 0, "longest": 0, "study_days": 0}
    assert data["total"]["new"] == data["total"]["cards"] > 0  # the built-in decks, all new


def test_the_screens_fit_narrow_terminals(runner, history):
    now = ["--now", NOW.isoformat()]
    for command in (["stats", *now], ["history"], ["history", "--reviews"], ["cards", "beta", *now],
                    ["card", "beta/b3", *now]):
        out = screen(runner, *command, width=60)
        assert max(len(line) for line in out.splitlines()) <= 60, command


def test_colour_only_adds_to_the_shades_and_no_color_turns_it_off(history, monkeypatch):
    from rich.console import Console

    from quizzer.stats import compute_stats
    from quizzer.ui.stats import calendar_heatmap

    with Store(history.store.path) as store:
        stats = compute_stats(store, Scheduler(), [], now=NOW)

    def render(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        out = io.StringIO()
        Console(file=out, width=80, force_terminal=True, color_system="256").print(calendar_heatmap(stats.calendar))
        return out.getvalue()

    monkeypatch.delenv("NO_COLOR")
    coloured = render()
    assert "\x1b[38;5;" in coloured and "█" in coloured
    plain = render(NO_COLOR="1")
    assert "\x1b[38;5;" not in plain and "█" in plain


# -- history --------------------------------------------------------------------------------------


def test_history_has_one_row_per_session_newest_first_with_a_total(runner, history):
    data = run_json(runner, "history")
    rows = data["sessions"]
    assert [r["session"] for r in rows] == ["s4", "s5", "s3", "s2", "s1"]
    counts = {r["session"]: (r["answers"], r["cards"], r["new"], r["reviews"], r["right"], r["wrong"])
              for r in rows}
    assert counts == {
        "s1": (3, 3, 3, 0, 2, 1), "s2": (4, 3, 2, 2, 3, 1), "s3": (17, 3, 1, 7, 10, 7),
        "s5": (1, 1, 0, 1, 1, 0), "s4": (5, 4, 1, 3, 4, 1),
    }
    s3 = rows[2]
    assert s3["decks"] == ["alpha", "beta"] and s3["accuracy"] == round(10 / 17, 4)
    assert s3["answering_ms"] == 34_000
    assert (s3["started_at"], s3["ended_at"]) == ("2026-03-09T20:00:00.000000+00:00", "2026-03-09T21:00:00.000000+00:00")
    assert rows[1]["ended_at"] == "2026-03-10T03:30:00.000000+00:00"  # never ended: its last answer
    assert data["total"] == {"sessions": 5, "answers": 30, "cards": 7, "new": 7, "reviews": 13, "right": 20,
                             "wrong": 10, "accuracy": round(20 / 30, 4), "answering_ms": 60_000}


def test_history_filters_by_deck_and_day(runner, history):
    beta = run_json(runner, "history", "--deck", "beta")
    assert [(r["session"], r["answers"], r["right"]) for r in beta["sessions"]] == [
        ("s4", 2, 2), ("s5", 1, 1), ("s3", 16, 9), ("s2", 3, 2)]
    assert beta["total"]["answers"] == 22 and beta["total"]["cards"] == 3
    # From study day 03-09 (04:00) on: s3, s5 and s4.
    since = run_json(runner, "history", "--since", "2026-03-09")
    assert [r["session"] for r in since["sessions"]] == ["s4", "s5", "s3"]
    assert since["total"]["answers"] == 23
    # beta from 03-09 on: b3's 15 and b2's 20:31 answer in s3, b2's in s5, b1 and b3 in s4.
    both = run_json(runner, "history", "--deck", "beta", "--since", "2026-03-09")["total"]
    assert (both["answers"], both["cards"], both["sessions"]) == (19, 3, 3)
    limited = run_json(runner, "history", "--limit", "2")
    assert [r["session"] for r in limited["sessions"]] == ["s4", "s5"] and limited["total"]["sessions"] == 5
    # s5 answered beta only: alpha's newest two are s4 and s3.
    alpha = run_json(runner, "history", "--deck", "alpha", "--limit", "2")
    assert [r["session"] for r in alpha["sessions"]] == ["s4", "s3"] and alpha["total"]["sessions"] == 4


def test_history_screen_and_csv(runner, history):
    out = screen(runner, "history")
    assert row(out, "2026-03-09 20:00") == ["2026-03-09 20:00", "34s", "alpha beta", "3", "1", "7", "10", "7", "59%"]
    assert row(out, "total") == ["total", "1m 00s", "5 sessions", "7", "7", "13", "20", "10", "67%"]
    two = screen(runner, "history", "--limit", "2")
    assert "2 of 5 sessions shown" in two and "2026-03-08" not in two
    table = list(csv.DictReader(io.StringIO(runner.invoke(app, ["history", "--csv"]).stdout)))
    assert [r["session"] for r in table] == ["s4", "s5", "s3", "s2", "s1"]
    assert table[2]["decks"] == "alpha beta" and table[2]["answers"] == "17"


def test_history_reviews_keep_the_promised_keys(runner, history):
    answers = run_json(runner, "history", "--reviews")
    assert len(answers) == 30
    newest = answers[0]
    # `voided` is a key only with --voided: nothing was undone here, so every answer has it False.
    assert list(newest) == ["review_id", "deck", "card", "reviewed_at", "rating", "verdict", "response",
                            "duration_ms", "session", "phase", "next_due", "kind", "reschedules", "question"]
    assert [a["voided"] for a in run_json(runner, "history", "--reviews", "--voided")] == [False] * 30
    assert (newest["card"], newest["verdict"], newest["rating"], newest["phase"], newest["session"]) == (
        "a3", "overridden", 3, "new", "s4")
    assert newest["question"] == "Third?"
    assert newest["next_due"] == history.states[("alpha", "a3")].due.isoformat(timespec="microseconds")
    assert [a["card"] for a in run_json(runner, "history", "--reviews", "--since", "2026-03-10")] == [
        "a3", "b3", "b1", "a1", "a1"]
    assert len(run_json(runner, "history", "--reviews", "--deck", "alpha", "--limit", "3")) == 3


def test_review_history_counts_undone_answers_only_when_asked(history):
    from quizzer.controls import CardEvents
    from quizzer.stats import review_history

    with Store(history.store.path) as store:
        CardEvents(store, Scheduler()).undo(at(10, 9))  # the newest answer: a3's at 08:14
        plain, voided = review_history(store, []), review_history(store, [], voided=True)
        assert (plain.total, [r.card for r in plain.rows][:2], voided.total) == (29, ["b3", "b1"], 30)
        assert [(r.card, r.voided) for r in voided.rows][:2] == [("a3", True), ("b3", False)]
        beta = review_history(store, [], deck="beta")
        assert (beta.total, {r.deck for r in beta.rows}) == (22, {"beta"})


def test_history_reviews_screen(runner, history):
    out = screen(runner, "history", "--reviews", "--limit", "5", width=120)
    assert "alpha/a3" in out and "Third?" in out and "→ resp-a3" in out and "overridden" in out
    assert "5 of 30 answers shown" in out
    # The total counts what the filters let through: beta's 22 answers, the 23 from study day 03-09 on.
    for filters, total in [(["--deck", "beta"], 22), (["--since", "2026-03-09"], 23)]:
        assert f"1 of {total} answers shown" in screen(runner, "history", "--reviews", *filters, "--limit", "1",
                                                       width=120)
    assert "Which year? [bold]not bold[/]" in screen(runner, "history", "--reviews", width=120)


def test_history_bad_input_exits_2(runner, history):
    for args, message in (
        (["--since", "last tuesday"], "--since: 'last tuesday' is not a date like 2026-03-02"),
        (["--json", "--csv"], "choose one of --json and --csv"),
        (["--deck", "nope"], "no deck 'nope'"),
    ):
        result = runner.invoke(app, ["history", *args])
        assert result.exit_code == 2 and message in result.output, args
        assert "Traceback" not in result.output


def test_history_of_a_study_session_matches_its_summary(runner, quizzer_home, clock):
    from quizzer.decks import load_library
    from quizzer.session import Limits, StudySession
    from test_session import Script

    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    decks = [d for d in load_library(quizzer_home / "decks")[0] if d.id == "alpha"]
    with Store(quizzer_home / "quizzer.db") as store:
        session = StudySession(store, Scheduler(fuzz=False), decks, limits=Limits(new_per_day=3), clock=clock)
        summary = session.run(Script(clock, ["1968", "wrong", "three", "1968"]))
    data = run_json(runner, "history")
    (row_,) = data["sessions"]
    assert row_["session"] == summary.session_id
    assert (row_["answers"], row_["cards"], row_["new"], row_["reviews"], row_["right"], row_["wrong"]) == (
        summary.answers, summary.cards, summary.new, summary.reviews, summary.right, summary.wrong)
    assert row_["answering_ms"] == 3000 * summary.answers  # the script thinks 3 s before each answer


# -- cards and card -------------------------------------------------------------------------------


def test_cards_lists_state_due_recall_reviews_lapses_and_last_verdict(runner, history):
    rows = {(r["deck"], r["card"]): r for r in run_json(runner, "cards", "--now", NOW.isoformat())
            if r["deck"] in ("alpha", "beta")}
    assert len(rows) == 9
    b3 = rows[("beta", "b3")]
    state = history.states[("beta", "b3")]
    assert (b3["reviews"], b3["lapses"], b3["last_verdict"], b3["last_rating"]) == (18, 8, "self", 3)
    assert b3["due"] == state.due.isoformat(timespec="microseconds")
    assert (b3["stability"], b3["difficulty"]) == (round(state.stability, 4), round(state.difficulty, 4))
    assert b3["retrievability"] == round(recall_of(state), 4)
    assert rows[("alpha", "a4")] == {
        "deck": "alpha", "card": "a4", "question": "Fourth?", "state": "new", "due": None, "stability": None,
        "difficulty": None, "retrievability": None, "reviews": 0, "lapses": 0, "last_verdict": None,
        "last_rating": None, "suspended": False, "buried_until": None, "leech": False}
    assert [rows[("alpha", c)]["state"] for c in ("a1", "a2", "a3", "a5")] == [
        "young", "learning", "learning", "mature"]


def test_cards_filters(runner, history):
    now = ["--now", NOW.isoformat()]
    due = run_json(runner, "cards", "--due", *now)
    day_end = study_day_start(NOW) + timedelta(days=1)
    expected = sorted((s.due, k) for k, s in history.states.items() if s.due < day_end)
    assert [(r["deck"], r["card"]) for r in due] == [k for _, k in expected]
    assert [r["card"] for r in run_json(runner, "cards", "--leeches", *now)] == ["b3"]
    assert [r["card"] for r in run_json(runner, "cards", "alpha", "--tag", "years", *now)] == ["a1", "a5"]
    assert [r["card"] for r in run_json(runner, "cards", "beta", *now)] == ["b1", "b2", "b3", "b4"]


def test_cards_screen_prints_deck_text_literally(runner, history):
    out = screen(runner, "cards", "alpha", "--now", NOW.isoformat(), width=120)
    assert "Which year? [bold]not bold[/]" in out
    assert row(out, "alpha/a5")[:2] == ["alpha/a5", "mature"]


# Deck "soon": `today` is due now (tag u), `early` at 04:30 tomorrow (tag t), `late` at 03:00 the day after,
# `edge` at 04:00 tomorrow, when today ends.
SOON = """\
id: soon
title: Soon
cards:
  - {id: today, type: typed, question: Today?, answer: one, tags: [u]}
  - {id: early, type: typed, question: Early?, answer: two, tags: [t]}
  - {id: late, type: typed, question: Late?, answer: three}
  - {id: edge, type: typed, question: Edge?, answer: four}
"""
TOMORROW_4AM = datetime(2026, 3, 11, 4, 0, tzinfo=timezone.utc)
SOON_DUE = {"today": NOW, "early": datetime(2026, 3, 11, 4, 30, tzinfo=timezone.utc),
            "late": datetime(2026, 3, 12, 3, 0, tzinfo=timezone.utc), "edge": TOMORROW_4AM}


def test_due_soon_and_cards_due_by_the_study_day_they_fall_in(quizzer_home):
    from quizzer.controls import CardEvents
    from quizzer.decks import load_library
    from quizzer.stats import due_soon, list_cards

    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "soon.yaml").write_text(SOON, encoding="utf-8")
    library = [d for d in load_library(quizzer_home / "decks")[0] if d.id == "soon"]
    with Store(quizzer_home / "quizzer.db") as store:
        h = History(store)
        h.session("s", ["soon"], NOW - timedelta(days=5))
        for card, due in SOON_DUE.items():
            state = CardState(Phase.REVIEW, due=due, stability=5.0, difficulty=5.0, last_review=NOW - timedelta(days=5))
            h.answer("soon", card, Rating.GOOD, RIGHT, NOW - timedelta(days=5), saved_state=state)

        def soon(**options):
            return due_soon(store, library, decks=["soon"], now=NOW, **options)

        def cards(now=NOW, **options):
            return [row.card for row in list_cards(store, Scheduler(), library, now=now, **options)]

        # Days from 04:00: today ends at 04:00 tomorrow, tomorrow at 04:00 on 03-12.
        assert (soon(), soon(tag="t"), soon(tag="u")) == ((1, 3), (0, 1), (1, 0))
        # Days from 06:00: 04:00 and 04:30 tomorrow are still today, 03:00 on 03-12 tomorrow.
        assert soon(day_starts_at=6) == (3, 1)
        # Every card in file order unless asked otherwise; due ones, soonest first, by the same day end.
        assert cards() == ["today", "early", "late", "edge"]
        assert (cards(due_only=True), cards(due_only=True, day_starts_at=6)) == (
            ["today"], ["today", "edge", "early"])
        # Buried now until 04:00 tomorrow: hidden until then, due again from that instant (burying replays
        # the card's log, so its state is no longer the one saved above: only whether it is listed counts).
        CardEvents(store, Scheduler()).bury([("soon", "late")], NOW)
        assert "late" in cards(now=TOMORROW_4AM, due_only=True)
        assert "late" not in cards(now=TOMORROW_4AM - timedelta(seconds=1), due_only=True)


def test_card_shows_its_history_and_the_interval_of_each_rating(runner, history):
    data = run_json(runner, "card", "beta/b3", "--now", NOW.isoformat())
    assert data["lapses"] == 8 and data["answer"] == "always forgotten" and len(data["history"]) == 18
    assert [h["rating"] for h in data["history"][:4]] == [4, 1, 3, 1]  # oldest first
    # b3 was last answered 4 h ago with a stability of 0.03 days: a passing rating now multiplies it by
    # e^(w17·(G−3+w18))·S^(−w19) ≤ e^(0.5425·1.0912)·0.0295^(−0.0658) = 2.28, still under half a day, so
    # FSRS gives its minimum interval, one day; Again starts the 10-minute relearning step.
    assert history.states[("beta", "b3")].stability < 0.2
    assert data["intervals"] == {"again": 600, "hard": 86400, "good": 86400, "easy": 86400}
    out = screen(runner, "card", "beta/b3", "--now", NOW.isoformat(), width=120)
    assert "History: 18 answers, oldest first" in out and "The leech?" in out
    assert "Answered now: again 10m" in out


def test_card_never_studied_and_unknown_cards(runner, history):
    fresh = run_json(runner, "card", "alpha/a4", "--now", NOW.isoformat())
    assert fresh["state"] == "new" and fresh["history"] == []
    # Learning steps 1 and 10 min; Hard on the first step waits halfway between them; Easy graduates at
    # once with the initial stability w[3] = 8.2956 days, which at 90 % retention is the interval: 8 days.
    assert fresh["intervals"] == {"again": 60, "hard": 330, "good": 600, "easy": 8 * 86400}
    for key, message in (("alpha/zz", "no card 'zz'"), ("alpha", "'alpha' is not DECK/CARD")):
        result = runner.invoke(app, ["card", key])
        assert result.exit_code == 2 and message in result.output


def test_card_detail_of_a_card_whose_deck_file_is_gone_or_that_never_was(history, quizzer_home):
    from quizzer.decks import load_library
    from quizzer.stats import StatsError, card_detail

    (quizzer_home / "decks" / "beta.yaml").unlink()
    library = load_library(quizzer_home / "decks")[0]
    with Store(history.store.path) as store:
        # Another deck's card with the same id: not part of beta/b3's history.
        other = History(store)
        other.session_id = None
        other.answer("alpha", "b3", Rating.GOOD, RIGHT, at(10, 9))
        gone = card_detail(store, Scheduler(), library, "beta", "b3", now=NOW)
        in_file = card_detail(store, Scheduler(), library, "alpha", "a2", now=NOW)
        with pytest.raises(StatsError, match=r"^unknown card 'alpha/zz'; `quizzer cards alpha` lists the cards"):
            card_detail(store, Scheduler(), library, "alpha", "zz", now=NOW)
    assert (gone.row.question, gone.answer, len(gone.reviews), gone.row.lapses) == ("", "", 18, 8)
    assert (in_file.answer, [r.question for r in in_file.reviews]) == ("two", ["Second?", "Second?"])


def test_suspended_counts_only_suspended_cards_of_the_chosen_ones(runner, history, quizzer_home):
    from quizzer.controls import CardEvents

    with Store(history.store.path) as store:
        events = CardEvents(store, Scheduler())
        events.suspend([("alpha", "a2"), ("alpha", "a4")], NOW)  # untagged; a4 never answered
        events.bury([("alpha", "a1")], NOW)  # tagged years; buried, not suspended
    assert ours(stats_json(runner))["alpha"]["suspended"] == 2
    assert ours(stats_json(runner, "--tag", "years"))["alpha"]["suspended"] == 0
    # Buried at noon: hidden until the next study day starts, 04:00 tomorrow.
    cards = {r["card"]: r for r in run_json(runner, "cards", "alpha", "--now", NOW.isoformat())}
    assert (cards["a1"]["buried_until"], cards["a1"]["suspended"]) == ("2026-03-11T04:00:00.000000+00:00", False)
    assert (cards["a2"]["buried_until"], cards["a2"]["suspended"]) == (None, True)
    assert [r["card"] for r in run_json(runner, "cards", "--suspended", "--now", NOW.isoformat())] == ["a2", "a4"]
    with Store(history.store.path) as store:
        CardEvents(store, Scheduler()).suspend([("beta", "b1")], NOW)
    (quizzer_home / "decks" / "beta.yaml").unlink()  # a deck whose file is gone: any suspended card of it counts
    assert ours(stats_json(runner))["beta"]["suspended"] == 1


def test_a_review_card_is_mature_from_an_interval_of_exactly_21_days(quizzer_home):
    from quizzer.stats import card_detail
    from quizzer.store.stats import Scope

    with Store(quizzer_home / "quizzer.db") as store:
        h = History(store)
        h.session("s", ["d"], NOW)
        for card, interval in (("under", timedelta(days=21) - timedelta(seconds=1)), ("exact", timedelta(days=21))):
            state = CardState(Phase.REVIEW, due=NOW + interval, stability=20.0, difficulty=5.0, last_review=NOW)
            h.answer("d", card, Rating.GOOD, RIGHT, NOW, saved_state=state)
        states = {card: card_detail(store, Scheduler(), [], "d", card, now=NOW).row.state for card in ("under", "exact")}
        counts = counts_of(store, Scope(everything=True))["d"]
    assert states == {"under": "young", "exact": "mature"}
    assert (counts["young"], counts["mature"]) == (1, 1)


def test_a_study_days_date_follows_the_hour_it_starts_at():
    from quizzer.stats import StudyDays

    five_am = datetime(2026, 3, 10, 5, 0, tzinfo=timezone.utc)  # TZ=UTC in the tests
    assert StudyDays(NOW, 4).date_of(five_am) == datetime(2026, 3, 10).date()
    assert StudyDays(NOW, 6).date_of(five_am) == datetime(2026, 3, 9).date()


# -- the store's side -----------------------------------------------------------------------------


def test_period_queries_read_the_covering_index(history):
    from quizzer.stats import StudyDays
    from quizzer.store import stats as queries

    with Store(history.store.path) as store:
        cte, params = queries._days_cte(StudyDays(NOW).past(3))
        plan = " ".join(row[3] for row in store.db.execute(
            f"EXPLAIN QUERY PLAN WITH {cte} SELECT day, r.deck, COUNT(*), SUM(r.rating > 1) FROM days "
            "JOIN reviews AS r ON r.reviewed_at >= start AND r.reviewed_at < stop GROUP BY day, r.deck", params))
    assert "COVERING INDEX reviews_by_time_covering" in plan


def test_recent_sessions_are_the_newest_n_that_match_the_filters(history):
    from quizzer.store import stats as queries

    # By their newest answer: s4 (03-10 08:14), s5 (03-10 03:30, beta only), s3 (03-09), s2 (03-08), s1 (02-20).
    with Store(history.store.path) as store:
        def recent(limit, deck=None, since=None):
            return queries.recent_sessions(store, deck=deck, since=since, limit=limit)

        assert recent(None) == ["s4", "s5", "s3", "s2", "s1"]
        assert (recent(1), recent(2)) == (["s4"], ["s4", "s5"])
        assert recent(2, deck="alpha") == ["s4", "s3"]
        assert recent(3, since=at(10, 4)) == ["s4"]  # study day 03-10 on: s5's 03:30 answer is the day before
        assert recent(5, deck="alpha", since=at(8, 4)) == ["s4", "s3", "s2"]


def test_a_limit_names_the_same_sessions_whether_read_from_the_logs_end_or_summed_whole(history, monkeypatch):
    from quizzer import stats

    with Store(history.store.path) as store:
        history.store = store
        # A second terminal: started before s4 (03-10 08:00), answered after s4's last answer (08:14).
        history.session("s6", ["beta"], at(10, 7))
        history.answer("beta", "b2", Rating.GOOD, RIGHT, at(10, 8, 30))

        def shown(limit, few):
            monkeypatch.setattr(stats, "FEW_SESSIONS", 500 if few else 0)
            return [row.session for row in stats.session_history(store, limit=limit).rows]

        # The most recently answered first, then shown by their start: s6 leads by its answer, not its start.
        assert shown(1, few=True) == shown(1, few=False) == ["s6"]
        assert shown(2, few=True) == shown(2, few=False) == ["s4", "s6"]
        for limit in range(1, 8):
            assert shown(limit, few=True) == shown(limit, few=False), limit


def test_session_rows_take_answers_without_a_session_only_when_asked(history):
    from quizzer.store import stats as queries

    with Store(history.store.path) as store:
        loose = History(store)
        loose.session_id = None  # answers recorded outside a session (as `progress import` may bring)
        loose.answer("alpha", "a4", Rating.GOOD, RIGHT, at(10, 9))
        loose.answer("beta", "b4", Rating.AGAIN, WRONG, at(10, 9, 1))

        def sessions(ids, deck=None):
            return {row["session"]: (row["answers"], row["right"], row["decks"])
                    for row in queries.session_rows(store, ids, deck=deck, since=None)}

        assert sessions([None]) == {None: (2, 1, ["alpha", "beta"])}
        assert sessions([None, "s1"]) == {None: (2, 1, ["alpha", "beta"]), "s1": (3, 2, ["alpha"])}
        assert sessions(["s1", "s5"]) == {"s1": (3, 2, ["alpha"]), "s5": (1, 1, ["beta"])}
        assert sessions([None, "s5"], deck="beta") == {None: (1, 0, ["beta"]), "s5": (1, 1, ["beta"])}
        assert set(sessions(None)) == {None, "s1", "s2", "s3", "s4", "s5"}
        assert sessions([]) == {}


def test_session_totals_from_a_time_the_cells_cannot_start_at_read_the_log(history):
    from quizzer.store import stats as queries

    # Half a minute past 08:12 (no cell starts there): b3's Good in review at 08:13 and a3's first answer.
    with Store(history.store.path) as store:
        totals = queries.session_totals(store, deck=None, since=datetime(2026, 3, 10, 8, 12, 30, tzinfo=timezone.utc))
    assert totals == {"sessions": 1, "cards": 2, "answers": 2, "new": 1, "reviews": 1, "right": 2,
                      "answering_ms": 4000}


def test_review_count_leaves_out_undone_answers_unless_asked(history):
    from quizzer.controls import CardEvents
    from quizzer.store import stats as queries

    with Store(history.store.path) as store:
        undone = CardEvents(store, Scheduler()).undo(at(10, 9))
        assert (undone["deck"], undone["card"]) == ("alpha", "a3")  # the newest answer
        count = functools.partial(queries.review_count, store, since=None)
        assert (count(deck=None), count(deck=None, voided=True)) == (29, 30)
        assert (count(deck="alpha"), count(deck="alpha", voided=True)) == (7, 8)


@pytest.mark.parametrize("leech_lapses, hardest, expected", [
    (8, 1, [("beta", "b3", 8)]),  # the hardest card's 8 lapses make the bar
    (8, 2, [("beta", "b3", 8), ("alpha", "a1", 1)]),  # the second hardest's 1 lapse
    (8, 3, [("beta", "b3", 8), ("alpha", "a1", 1)]),  # no third card with lapses: 1 at least
    (9, 1, [("beta", "b3", 8)]),  # no leech: the hardest one
    (1, 1, [("beta", "b3", 8), ("alpha", "a1", 1)]),  # every card with a lapse is a leech
])
def test_lapsed_cards_are_the_leeches_and_the_hardest_n(history, leech_lapses, hardest, expected):
    from quizzer.store import stats as queries

    with Store(history.store.path) as store:
        rows = queries.lapsed_cards(store, queries.Filter(store, queries.Scope(everything=True)), NOW,
                                    leech_lapses=leech_lapses, hardest=hardest)
    assert [tuple(row[:3]) for row in rows] == expected


def test_lapses_and_answered_cards_of_several_decks(history):
    from quizzer.store import stats as queries

    with Store(history.store.path) as store:
        assert queries.lapse_counts(store, ["alpha", "beta"]) == {("alpha", "a1"): 1, ("beta", "b3"): 8}
        assert queries.answered_cards(store, ["beta", "alpha", "gone"]) == {
            ("alpha", "a1"), ("alpha", "a2"), ("alpha", "a3"), ("alpha", "a5"), ("beta", "b1"), ("beta", "b2"),
            ("beta", "b3")}


# Three cards of deck d with states saved by hand: d/young (10-day interval, last seen 10 days ago:
# recall 0.9), d/mature (100-day interval, stability 40, last seen 90 days ago: 0.835574) and d/learning
# (stability 3.2, last seen a day ago: 0.959629); e/one is young; "e/two words" an id with a space.
HAND_STATES = {
    ("d", "young"): CardState(Phase.REVIEW, due=NOW, stability=10.0, difficulty=5.0,
                              last_review=NOW - timedelta(days=10)),
    ("d", "mature"): CardState(Phase.REVIEW, due=NOW + timedelta(days=10), stability=40.0, difficulty=5.0,
                               last_review=NOW - timedelta(days=90)),
    ("d", "learning"): CardState(Phase.LEARNING, due=NOW + timedelta(minutes=10), step=1, stability=3.2,
                                 difficulty=5.0, last_review=NOW - timedelta(days=1)),
    ("e", "one"): CardState(Phase.REVIEW, due=NOW + timedelta(days=1), stability=10.0, difficulty=5.0,
                            last_review=NOW - timedelta(days=10)),
    ("e", "two words"): CardState(Phase.RELEARNING, due=NOW + timedelta(days=1), step=0, stability=10.0,
                                  difficulty=5.0, last_review=NOW - timedelta(days=10)),
}
CURVE = (FACTOR, -DECAY)


@pytest.fixture
def hand_states(quizzer_home):
    with Store(quizzer_home / "quizzer.db") as store:
        h = History(store)
        h.session("s", ["d", "e"], NOW - timedelta(days=90))
        for (deck, card), state in HAND_STATES.items():
            h.answer(deck, card, Rating.GOOD, RIGHT, state.last_review, saved_state=state)
    return quizzer_home / "quizzer.db"


def counts_of(store, scope):
    from quizzer.store import stats as queries

    where = queries.Filter(store, scope)
    return queries.state_counts(store, where, NOW + timedelta(days=1), CURVE, NOW)


def test_state_counts_by_hand(hand_states):
    from quizzer.stats import compute_stats
    from quizzer.store.stats import Scope

    with Store(hand_states) as store:
        counts = counts_of(store, Scope(everything=True))
        assert counts == {
            "d": {"studied": 3, "learning": 1, "young": 1, "mature": 1, "due": 2,
                  "recall": pytest.approx(0.9 + 0.835574 + 0.959629, abs=1e-5)},
            "e": {"studied": 2, "learning": 1, "young": 1, "mature": 0, "due": 0,
                  "recall": pytest.approx(1.8, abs=1e-5)},
        }
        assert counts_of(store, Scope()) == {}  # no deck and no card: nothing
        # Due before today ends at 04:00 tomorrow: d/young and d/learning; e's cards are due at noon tomorrow.
        stats = compute_stats(store, Scheduler(), [], now=NOW)
        assert {row.deck: row.due_today for row in stats.decks} == {"d": 2, "e": 0}
        assert {deck: c["studied"] for deck, c in counts_of(store, Scope(decks=("d",), cards=(("e", "one"),)),
                                                              ).items()} == {"d": 3, "e": 1}
        assert {deck: c["studied"] for deck, c in counts_of(store, Scope(decks=("d", "e"), excluded=(
            ("d", "mature"), ("e", "two words")))).items()} == {"d": 2, "e": 1}


def test_state_counts_and_ids_name_the_ids_with_progress_of_the_decks_asked_whole(hand_states):
    from quizzer.store import stats as queries

    with Store(hand_states) as store:
        where = queries.Filter(store, queries.Scope(everything=True))
        counts, ids = queries.state_counts_and_ids(store, where, NOW + timedelta(days=1), CURVE, NOW, ("e", "x"))
        assert counts == counts_of(store, queries.Scope(everything=True))
        # Only e asked for among the decks with states (x has none); "two words" stays one id: the store takes
        # any id (a log from another device), and str.split() alone would cut it in two.
        assert {deck: sorted(cards) for deck, cards in ids.items()} == {"e": ["one", "two words"]}


def test_retrievability_without_sqlites_pow_registers_pythons(hand_states):
    from quizzer.store.stats import Scope

    def missing(*args):
        raise sqlite3.OperationalError("no such function: pow")

    with Store(hand_states) as store:
        # As if SQLite had no math functions: any call of pow fails until a 2-argument pow replaces it.
        store.db.create_function("pow", -1, missing)
        recall = {deck: c["recall"] for deck, c in counts_of(store, Scope(everything=True)).items()}
    assert recall == {"d": pytest.approx(0.9 + 0.835574 + 0.959629, abs=1e-5), "e": pytest.approx(1.8, abs=1e-5)}


def test_retrievability_keeps_a_pow_that_works(hand_states):
    from quizzer.store.stats import Scope

    with Store(hand_states) as store:
        store.db.create_function("pow", 2, lambda base, exponent: 0.5)  # stands in for SQLite's own
        recall = {deck: c["recall"] for deck, c in counts_of(store, Scope(everything=True)).items()}
    assert recall == {"d": 1.5, "e": 1.0}  # 3 and 2 cards at 0.5: the probe found pow and left it


def test_tag_sums_by_hand_within_the_scope(hand_states):
    from quizzer.store import stats as queries

    tagged = [("d", "young", "x"), ("d", "mature", "x"), ("d", "learning", "y"), ("e", "one", "x"),
              ("d", "never", "x")]
    with Store(hand_states) as store:
        where = queries.Filter(store, queries.Scope(decks=("d",)))
        sums = queries.tag_sums(store, where, tagged, CURVE, NOW)
    # Of tag x in deck d: young and mature (e/one is out of scope, d/never has no progress).
    assert sums == {"x": (2, 1, pytest.approx(0.9 + 0.835574, abs=1e-5)), "y": (1, 0, pytest.approx(0.959629, abs=1e-5))}


def test_card_ids_with_progress_and_queries_over_no_days(hand_states):
    from quizzer.store import stats as queries

    with Store(hand_states) as store:
        ids = queries.card_ids_with_progress(store, ["e", "d", "gone"])
        assert {deck: sorted(cards) for deck, cards in ids.items()} == {
            "d": ["learning", "mature", "young"], "e": ["one", "two words"]}
        everything = queries.Filter(store, queries.Scope(everything=True))
        assert queries.forecast(store, everything, []) == {}
        assert queries.days_with_answers(store, everything, []) == []


def utc(text):
    return f"2026-{text}:00.000000+00:00"


# Study days whose bounds are off the cells' 04:00 anchor (as around a daylight-saving change), each worked
# out from the history at the top of this file: such a day is its nearest cells give or take the answers
# between its own bounds and theirs.
# The first day's start sets the anchor, as today's does in `stats`; its end need not be on it.
OFF_ANCHOR_DAYS = [
    (1, utc("03-09T04:00"), utc("03-10T03:00")),  # 1 h short: the cell of 03-09 - b2's 03:30 answer
    (5, utc("03-08T04:00"), utc("03-09T04:00")),  # on the anchor: the cells of 03-08
    (0, utc("03-10T03:00"), utc("03-11T04:00")),  # 1 h early: + b2's 03:30 answer to the cell of 03-10
    (2, utc("02-19T04:00"), utc("02-20T10:01")),  # runs past 04:00: an empty cell + a1's 10:00 answer
    (3, utc("02-20T10:01"), utc("02-21T04:00")),  # starts at 10:01: the cell of 02-20 - a1's 10:00 answer
    (6, utc("03-09T04:00"), utc("03-09T20:00")),  # nearest 04:00 on 03-10: the cell of 03-09 - all of it
    (4, utc("02-20T04:00"), utc("02-21T04:00")),  # on the anchor: the cell of 02-20, new cards only
]


def test_days_off_the_cells_anchor_take_the_cells_give_or_take_the_log(history):
    from quizzer.store import stats as queries

    with Store(history.store.path) as store:
        where = queries.Filter(store, queries.Scope(everything=True))
        answers = queries.daily_answers(store, where, OFF_ANCHOR_DAYS)
        reviews = queries.first_reviews(store, where, OFF_ANCHOR_DAYS)
    # (day, deck, answers, right, ms): 2 s an answer; day 6 adds up to nothing and has no row.
    assert sorted(answers) == [
        (0, "alpha", 3, 2, 6000), (0, "beta", 3, 3, 6000),  # a1 ✗ ✓, a3 ✓; b2 (03:30), b1, b3 ✓
        (1, "alpha", 1, 1, 2000), (1, "beta", 16, 9, 32000),  # a2 ✓; b3's 15 (8 ✓) and b2 at 20:31 ✓
        (2, "alpha", 1, 1, 2000), (3, "alpha", 2, 1, 4000),  # a1 ✓; a2 ✗ and a5 ✓
        (4, "alpha", 3, 2, 6000),  # a1 ✓, a2 ✗, a5 ✓
        (5, "alpha", 1, 1, 2000), (5, "beta", 3, 2, 6000),  # a1 ✓; b1 ✓, b3 ✓ ✗
    ]
    # (day, deck, first reviews, passed): day 0 reads the log (a1 Again first; b2, b1 and b3 pass), day 5
    # the cells (a1 Good, b3 Again), day 1 the log (b3 Again at 20:01); the other days have none in review,
    # and no row, from the cells (day 4) or the log.
    assert sorted(reviews) == [(0, "alpha", 1, 0), (0, "beta", 3, 3), (1, "beta", 1, 0), (5, "alpha", 1, 1),
                               (5, "beta", 1, 0)]


def test_days_on_the_cells_anchor_are_read_from_the_cells(history):
    from quizzer.store import stats as queries

    with Store(history.store.path) as store:
        # A mark only the cells carry (100 answers more to alpha on 03-08) shows which path read a day.
        store.db.execute("UPDATE answer_days SET answers = answers + 100 WHERE day = '2026-03-08' AND deck = 'alpha'")
        days = [
            (2, utc("03-10T04:00"), utc("03-11T03:00")),  # its start sets the anchor; its end is off it
            (1, utc("03-09T03:00"), utc("03-10T03:00")),  # 1 h early at both ends: the cell of 03-09 - b2's 03:30
            (0, utc("03-08T04:00"), utc("03-09T04:00")),  # on the anchor: the cells, marked
        ]
        everything = queries.Filter(store, queries.Scope(everything=True))
        answers = queries.daily_answers(store, everything, days)
        beta = queries.daily_answers(store, queries.Filter(store, queries.Scope(decks=("beta",))), days)
        assert queries.totals(store, everything)[:2] == (130, 60000)  # the 30 answers of 2 s, and the mark
    assert sorted(answers) == [(0, "alpha", 101, 1, 2000), (0, "beta", 3, 2, 6000),  # a1 ✓; b1 ✓, b3 ✓ ✗
                               (1, "alpha", 1, 1, 2000), (1, "beta", 16, 9, 32000),  # a2 ✓; b3's 15 (8 ✓), b2 ✓
                               (2, "alpha", 3, 2, 6000), (2, "beta", 2, 2, 4000)]  # a1 ✗ ✓, a3 ✓; b1 ✓, b3 ✓
    assert sorted(beta) == [row for row in sorted(answers) if row[1] == "beta"]


@pytest.mark.parametrize("moment, anchor, nearest", [
    ("03-29T02:00", "T03:00", "03-29T03:00"),  # the same day's
    ("03-29T23:00", "T03:00", "03-30T03:00"),  # the next day's
    ("03-29T01:00", "T22:00", "03-28T22:00"),  # the day before's
])
def test_the_cell_boundary_nearest_a_time(moment, anchor, nearest):
    from quizzer.store import stats as queries

    assert queries._nearest(utc(moment), f"{anchor}:00.000000+00:00") == utc(nearest)


def test_study_days_follow_daylight_saving_time(monkeypatch):
    import time as time_module

    from quizzer.stats import StudyDays

    monkeypatch.setenv("TZ", "Europe/Paris")
    time_module.tzset()
    try:
        days = StudyDays(datetime(2026, 3, 30, 12, 0, tzinfo=timezone.utc))  # the day after clocks went forward
        assert days.start(0).isoformat() == "2026-03-30T04:00:00+02:00"
        assert days.start(1).isoformat() == "2026-03-29T04:00:00+02:00"
        assert days.start(2).isoformat() == "2026-03-28T04:00:00+01:00"
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time_module.tzset()


def test_json_is_laid_out_like_json_dumps_and_csv_always_has_a_header(runner, history, quizzer_home):
    for args in (["history", "--json"], ["history", "--reviews", "--json"], ["cards", "beta", "--json"],
                 ["history", "--since", "2030-01-01", "--json"], ["history", "--reviews", "--since", "2030-01-01", "--json"]):
        out = runner.invoke(app, args).stdout
        assert out == json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n", args
    nothing = run_json(runner, "history", "--since", "2030-01-01")
    assert nothing["sessions"] == [] and nothing["total"]["sessions"] == nothing["total"]["answers"] == 0
    empty = runner.invoke(app, ["history", "--reviews", "--csv", "--since", "2030-01-01"]).stdout
    assert empty.splitlines() == ["review_id,deck,card,reviewed_at,rating,verdict,response,duration_ms,session,"
                                  "phase,next_due,kind,reschedules,question"]


def test_progress_of_removed_cards_and_decks(runner, history, quizzer_home):
    before = stats_json(runner)
    alpha = quizzer_home / "decks" / "alpha.yaml"
    alpha.write_text(ALPHA.replace("  - {id: a2, type: typed, question: Second?, answer: two}\n", ""), encoding="utf-8")
    (quizzer_home / "decks" / "beta.yaml").unlink()
    after = stats_json(runner)
    decks = ours(after)
    # a2 left its deck file: its state no longer counts (it was learning and overdue), its answers still do.
    assert (decks["alpha"]["cards"], decks["alpha"]["learning"]) == (4, 1)
    assert decks["alpha"]["accuracy"] == ours(before)["alpha"]["accuracy"]
    # Every card left in alpha carries its deck's tag, so the tag takes the whole deck: a2's 2 answers too.
    assert stats_json(runner, "--tag", "alpha-tag")["answers"] == stats_json(runner, "alpha")["answers"] == 8
    assert after["forecast"][0]["count"] == before["forecast"][0]["count"] - 1
    # beta's file is gone: it shows the cards it has progress for, and its history.
    assert decks["beta"]["installed"] is False and decks["beta"]["title"] == ""
    assert (decks["beta"]["cards"], decks["beta"]["new"]) == (3, 0)
    assert decks["beta"]["accuracy"] == ours(before)["beta"]["accuracy"]
    assert [c["card"] for c in after["leeches"]] == ["b3"] and after["leeches"][0]["question"] == ""
    out = screen(runner, "stats", "--now", NOW.isoformat())
    assert "beta (deck file gone)" in out


@pytest.mark.parametrize("stability, days, recall", [
    (0.5, 0, 1.0), (10.0, 10, 0.9), (3.2, 1, 0.959629), (12.0, 5, 0.948556), (40.0, 90, 0.835574),
])
def test_the_forgetting_curve_is_fsrs_own(stability, days, recall):
    # Worked by hand from R(t, S) = (1 + 0.98035 t / S) ^ -0.1542; t counts whole days: 3 hours more change nothing.
    scheduler = Scheduler()
    state = CardState(Phase.REVIEW, due=NOW, stability=stability, difficulty=5.0,
                      last_review=NOW - timedelta(days=days, hours=3))
    assert scheduler.retrievability(state, NOW) == pytest.approx(recall, abs=1e-6)
    factor, decay = scheduler.forgetting_curve()  # what statistics compute many cards with, in SQL
    assert (factor, decay) == (pytest.approx(0.980346, abs=1e-6), -0.1542)


def test_streaks_over_a_history_longer_than_one_query(quizzer_home, monkeypatch):
    from quizzer.stats import DAYS_PER_QUERY, compute_stats
    from quizzer.store import stats as queries

    queried = []
    days_with_answers = queries.days_with_answers
    monkeypatch.setattr(queries, "days_with_answers", lambda *args: queried.append(args[2]) or days_with_answers(*args))
    with Store(quizzer_home / "quizzer.db") as store:
        h = History(store)
        h.session("old", ["d"], NOW - timedelta(days=DAYS_PER_QUERY + 500))
        for days_ago in (DAYS_PER_QUERY + 500, DAYS_PER_QUERY + 499, DAYS_PER_QUERY + 498, 1, 0):
            h.answer("d", f"c{days_ago}", Rating.GOOD, RIGHT, NOW - timedelta(days=days_ago))
        stats = compute_stats(store, Scheduler(), [], now=NOW)
    assert (stats.streak, stats.longest_streak, stats.study_days) == (2, 3, 5)
    # DAYS_PER_QUERY + 501 days: one full query and one of the 501 days left.
    assert [len(days) for days in queried] == [DAYS_PER_QUERY, 501]


@pytest.mark.parametrize("days_ago, streak, longest", [
    ((2, 1), 2, 2),  # today is still open: the streak runs to yesterday
    ((3, 2), 0, 2),  # nothing yesterday: the streak is broken
    ((5, 3, 2, 1, 0), 4, 4),
])
def test_the_current_streak_counts_back_from_today_or_yesterday(quizzer_home, days_ago, streak, longest):
    from quizzer.stats import compute_stats

    with Store(quizzer_home / "quizzer.db") as store:
        h = History(store)
        h.session("s", ["d"], NOW - timedelta(days=days_ago[0]))
        for ago in days_ago:
            h.answer("d", f"c{ago}", Rating.GOOD, RIGHT, NOW - timedelta(days=ago))
        stats = compute_stats(store, Scheduler(), [], now=NOW)
    assert (stats.streak, stats.longest_streak, stats.study_days) == (streak, longest, len(days_ago))
