"""The parse cache behind load_library: reused only while a deck file is unchanged."""

import json
import os
import time
from pathlib import Path

import pytest

from quizzer import decks
from quizzer.decks import load_library
from quizzer.model import Blank, Kind

DECK = """\
id: cached
title: Cached
source: {title: An article, url: "https://example.org"}
cards:
  - id: one
    type: typed
    question: Capital?
    answer: Bamako
  - id: two
    type: cloze
    text: "In {{1960|sixty}} Mali became independent from {{France}}."
"""
LONG_AGO = time.time() - 3600


@pytest.fixture
def parsed(monkeypatch):
    """The paths the real parser was called on, in order."""
    calls = []
    real = decks.check_deck

    def counting(path, **kwargs):
        calls.append(path.name)
        return real(path, **kwargs)

    monkeypatch.setattr(decks, "check_deck", counting)
    return calls


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    cache = tmp_path / "cache"

    def write(name, text, mtime=LONG_AGO):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, (mtime, mtime))
        return path

    def load():
        found, problems = load_library(folder, cache_dir=cache)
        return {d.id: d for d in found if not d.builtin}, problems

    return write, load, cache


def test_an_unchanged_library_is_read_from_the_cache_and_is_the_same(library, parsed):
    write, load, cache = library
    write("cached.yaml", DECK)
    first, _ = load()
    assert "cached.yaml" in parsed and (cache / "decks.cache").is_file()
    parsed.clear()
    again, _ = load()
    assert again == first  # every built-in deck came from the cache too
    assert parsed == []  # and no card was read from its file again
    cards = again["cached"].cards
    assert cards[0].kind is Kind.TYPED and cards[1].blanks == (Blank("1960", ("sixty",)), Blank("France"))
    everything, _ = load_library(cache.parent / "decks", cache_dir=cache)
    assert everything == load_library(cache.parent / "decks")[0]


def test_an_edited_deck_is_read_again(library, parsed):
    write, load, _ = library
    path = write("cached.yaml", DECK)
    load()
    write("cached.yaml", DECK.replace("Bamako", "Bamako, on the Niger"))
    assert load()[0]["cached"].card("one").answer == "Bamako, on the Niger"
    # The same size with another time: still read again.
    same_size = DECK.replace("Bamako", "Timbuk")
    assert len(same_size) == len(DECK)
    write("cached.yaml", same_size, mtime=LONG_AGO - 60)
    parsed.clear()
    assert load()[0]["cached"].card("one").answer == "Timbuk" and parsed == [path.name]


def test_a_file_changed_moments_ago_is_never_trusted_to_the_cache(library, parsed):
    write, load, _ = library
    write("cached.yaml", DECK, mtime=time.time())
    load()
    parsed.clear()
    load()
    assert parsed == ["cached.yaml"]  # a second edit within the timestamp resolution would look the same


def test_problems_are_cached_too_and_a_removed_deck_is_forgotten(library, parsed):
    write, load, cache = library
    write("broken.yaml", "id: broken\ntitle: B\ncards:\n  - question: Q\n")
    _, problems = load()
    parsed.clear()
    decks_again, problems_again = load()
    assert parsed == [] and problems_again == problems and "broken" not in decks_again
    assert any("broken.yaml:4" in str(p) for p in problems)
    (cache.parent / "decks" / "broken.yaml").unlink()
    assert load()[1] == []


def test_a_damaged_cache_file_is_ignored_and_rewritten(library, parsed):
    write, load, cache = library
    write("cached.yaml", DECK)
    expected, _ = load()
    (cache / "decks.cache").write_bytes(b"\x00garbage")
    parsed.clear()
    assert load()[0] == expected and "cached.yaml" in parsed
    parsed.clear()
    load()
    assert parsed == []


def test_an_unwritable_cache_folder_only_costs_speed(library, tmp_path):
    write, _, _ = library
    write("cached.yaml", DECK)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    found, problems = load_library(tmp_path / "decks", cache_dir=blocker / "cache")
    assert "cached" in {d.id for d in found} and problems == []


def test_quizzer_decks_sees_an_edited_deck_through_the_cache(quizzer_home):
    from typer.testing import CliRunner

    from quizzer.cli import app

    (quizzer_home / "decks").mkdir(parents=True)
    path = quizzer_home / "decks" / "cached.yaml"
    for title in ("Cached", "Renamed"):
        path.write_text(DECK.replace("title: Cached", f"title: {title}"), encoding="utf-8")
        os.utime(path, (LONG_AGO, LONG_AGO + len(title)))
        rows = json.loads(CliRunner().invoke(app, ["decks", "--json"]).stdout)
        assert [r["title"] for r in rows if r["id"] == "cached"] == [title]
        assert (quizzer_home / "cache" / "decks.cache").is_file()


def big_deck(deck_id: str, count: int, tag_every: int = 0) -> str:
    lines = [f"id: {deck_id}", f"title: {deck_id.title()}", "cards:"]
    for n in range(count):
        tags = "\n    tags: [odd]" if tag_every and n % tag_every else ""
        lines.append(f"  - id: c{n}\n    type: typed\n    question: Card {n} of {deck_id}?\n    answer: a{n}{tags}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def built(monkeypatch):
    """The cards built from the cache's bodies, as (question) in order."""
    from quizzer import deck_cache

    made = []
    real = deck_cache._card

    def counting(plain):
        card = real(plain)
        made.append(card.question)
        return card

    monkeypatch.setattr(deck_cache, "_card", counting)
    return made


def test_a_library_read_from_the_cache_builds_a_card_only_when_it_is_read(library, built):
    write, load, _ = library
    write("one.yaml", big_deck("one", 200))
    write("two.yaml", big_deck("two", 300, tag_every=3))
    load()
    found, _ = load()
    assert built == []
    two = found["two"]
    # What listing and filtering need is at hand without a card body.
    assert len(two.cards) == 300 and two.card_ids[:2] == ("c0", "c1") and two.card_ids[-1] == "c299"
    assert two.tagged_positions("odd")[:3] == [1, 2, 4] and len(two.tagged_positions("odd")) == 200
    assert built == []
    assert two.cards[-1].question == "Card 299 of two?" and two.card("c7").answer == "a7"
    assert built == ["Card 299 of two?", "Card 7 of two?"]
    assert two.cards[-1] is two.cards[299]  # built once
    assert len(built) == 2


def test_a_study_session_builds_only_the_cards_it_asks(library, built, tmp_path, clock):
    import random

    from quizzer.scheduler import Scheduler
    from quizzer.session import Limits, StudySession
    from quizzer.store import Store

    write, load, _ = library
    write("one.yaml", big_deck("one", 400))
    write("two.yaml", big_deck("two", 400, tag_every=3))
    load()
    found, _ = load()
    with Store(tmp_path / "q.db") as store:
        session = StudySession(store, Scheduler(fuzz=False), [found["one"], found["two"]], clock=clock,
                               rng=random.Random(1), limits=Limits(new_per_day=5), tag="odd")
        queue = session.build_queue(clock())
        assert len(session.cards_in_scope()) == 266
    assert built == []  # queued, not yet asked
    assert [(e.deck.id, e.card.id) for e in queue.new] == [
        ("two", "c1"), ("two", "c2"), ("two", "c4"), ("two", "c5"), ("two", "c7")]
    assert sorted(built) == sorted(f"Card {n} of two?" for n in (1, 2, 4, 5, 7))


def test_quizzer_decks_builds_no_card(quizzer_home, built):
    from typer.testing import CliRunner

    from quizzer.cli import app

    (quizzer_home / "decks").mkdir(parents=True)
    path = quizzer_home / "decks" / "big.yaml"
    path.write_text(big_deck("big", 500), encoding="utf-8")
    os.utime(path, (LONG_AGO, LONG_AGO))
    CliRunner().invoke(app, ["decks"])  # parses and writes the cache
    listed = CliRunner().invoke(app, ["decks", "--json"])
    assert listed.exit_code == 0 and built == []
    assert {r["id"]: (r["cards"], r["new"]) for r in json.loads(listed.stdout)}["big"] == (500, 500)


@pytest.mark.parametrize("args", [[], ["big"], ["--tag", "odd"], ["big", "--tag", "odd"]])
def test_quizzer_stats_builds_only_the_cards_whose_question_it_shows(quizzer_home, built, args):
    from datetime import datetime, timezone

    from typer.testing import CliRunner

    from quizzer.cli import app
    from quizzer.model import CardState, Outcome, Phase, Rating, Review
    from quizzer.store import Store

    (quizzer_home / "decks").mkdir(parents=True)
    path = quizzer_home / "decks" / "big.yaml"
    path.write_text(big_deck("big", 500, tag_every=3), encoding="utf-8")
    os.utime(path, (LONG_AGO, LONG_AGO))
    when = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    state = CardState(Phase.REVIEW, due=when, stability=5.0, difficulty=5.0, last_review=when)
    with Store(quizzer_home / "quizzer.db") as store:  # c1..c4 answered; c2 lapsed, so among the hardest
        for n, rating in ((1, Rating.GOOD), (2, Rating.AGAIN), (3, Rating.GOOD), (4, Rating.GOOD)):
            phase = Phase.REVIEW if n == 2 else Phase.NEW
            store.record(Review(f"r{n}", "big", f"c{n}", when, rating, Outcome.CORRECT, "x", 1000, None), phase, state)
    CliRunner().invoke(app, ["decks"])  # parses and writes the cache
    shown = CliRunner().invoke(app, ["stats", *args, "--json"], env={"QUIZZER_NOW": "2026-03-11T12:00:00"})
    assert shown.exit_code == 0, shown.output
    result = json.loads(shown.stdout)
    assert [(c["card"], c["question"]) for c in result["hardest"]] == [("c2", "Card 2 of big?")]
    built_in = 0 if "big" in args or "odd" in args else 119
    assert result["total"]["cards"] == (333 if "odd" in args else 500) + built_in
    assert built == ["Card 2 of big?"]


def test_editing_one_deck_keeps_the_cached_cards_of_the_others(library, parsed):
    # Saving moves each kept deck's bodies to their place in the new file.
    write, load, cache = library
    library_dir = cache.parent / "decks"
    write("a.yaml", big_deck("a", 30))
    write("b.yaml", big_deck("b", 40))
    write("c.yaml", big_deck("c", 50))
    write("d.yaml", "id: d\ntitle: D\ncards:\n  - question: Q\n")  # no card loads: no bodies at all
    expected, problems = load()
    write("a.yaml", big_deck("a", 35))  # longer: every body after it moves
    parsed.clear()
    load()
    assert parsed == ["a.yaml"]
    parsed.clear()
    again, problems_again = load()
    assert problems_again == problems and "d" not in again
    for deck_id in ("b", "c"):
        assert again[deck_id] == expected[deck_id] and list(again[deck_id].cards) == list(expected[deck_id].cards)
    assert parsed == []  # every card came from the cache, none from parsing its file again
    assert list(again["a"].cards) == list(decks.check_deck(Path(again["a"].path))[0].cards)
    (library_dir / "a.yaml").unlink()  # the first entry goes; the others stay
    load()
    parsed.clear()
    assert sorted(load()[0]) == ["b", "c"] and parsed == []


def test_cards_built_on_demand_read_like_a_tuple():
    from quizzer.model import Card, Cards, Kind

    cards = tuple(Card(id=f"c{n}", kind=Kind.FLASH, question=f"Q{n}", answer="A", tags=("t",) * n) for n in range(4))
    builds = []
    lazy = Cards(4, lambda: tuple(c.id for c in cards), lambda: (tuple(c.tags for c in cards),
                                                              tuple(c.kind for c in cards)),
                 lambda n: builds.append(n) or cards[n])
    assert lazy[-1] is cards[3] and lazy[1:3] == cards[1:3] and lazy[::-2] == cards[::-2]
    assert lazy == cards and cards == lazy and list(lazy) == list(cards) and lazy != cards[:3]
    assert lazy != Cards.of(()) and Cards.of(()) == () and Cards.of(cards) == lazy
    with pytest.raises(IndexError):
        lazy[4]
    assert sorted(set(builds)) == [0, 1, 2, 3] and len(builds) == 4  # each card built once


def test_a_card_is_found_by_id_without_a_pass_over_the_deck_each_time():
    from quizzer.model import Card, Cards, Deck

    class Ids(tuple):
        passes = 0

        def __iter__(self):
            Ids.passes += 1
            return super().__iter__()

        def __getitem__(self, index):
            Ids.passes += isinstance(index, slice)
            return super().__getitem__(index)

        def index(self, *args):
            Ids.passes += 1
            return super().index(*args)

    ids = Ids([*(f"c{n}" for n in range(1000)), "c5"])  # a repeated id: the first card is found, as before
    deck = Deck("d", "D", Cards(len(ids), lambda: ids, lambda: (((),) * len(ids), (Kind.FLASH,) * len(ids)),
                                lambda n: Card(id=ids[n], kind=Kind.FLASH, question=f"Q{n}", answer="A")))
    found = [deck.card(f"c{n}") for n in range(0, 1000, 7)]
    assert [card.question for card in found] == [f"Q{n}" for n in range(0, 1000, 7)]
    assert deck.card("c5").question == "Q5" and deck.card("nope") is None
    assert Ids.passes == 1  # the ids are read once, then each card is found at once


def test_a_quiz_builds_only_the_cards_it_chose(library, built, tmp_path, clock):
    import random

    from quizzer.quiz import Plan, choose
    from quizzer.scheduler import Scheduler
    from quizzer.store import Store

    write, load, _ = library
    write("one.yaml", big_deck("one", 300, tag_every=3).replace("type: typed\n    question: Card 1 ",
                                                                  "question: Card 1 "))  # c1: a flash card
    load()
    found, _ = load()
    parsed_deck = decks.check_deck(Path(found["one"].path))[0]
    plan = Plan(count=4, tag="odd")
    with Store(tmp_path / "q.db") as store:
        quiz = choose(store, Scheduler(fuzz=False), [found["one"]], plan, clock(), random.Random(7))
        same = choose(store, Scheduler(fuzz=False), [parsed_deck], plan, clock(), random.Random(7))
    assert quiz.available == 199  # 200 tagged, less the flash card
    assert [(d.id, c) for d, c in quiz.chosen] == [(d.id, c) for d, c in same.chosen]
    assert sorted(built) == sorted(c.question for _, c in quiz.chosen) and len(built) == 4


def test_a_cached_decks_card_offsets_are_checked_without_a_python_step_per_card(library):
    # Each cached deck's offsets are checked in order before its cards are used: at 100,000 cards a
    # generator's step a card cost study about 5 ms before its first question (issue 14, fifth round).
    from test_session import python_steps

    write, load, _ = library
    steps = {}
    for size in (40, 400):
        write("big.yaml", big_deck("big", size))
        load()  # parsed, and cached
        found = []
        steps[size] = python_steps(lambda: found.append(load()[0]["big"]))
        assert len(found[0].card_ids) == size and found[0].cards[size - 1].id == f"c{size - 1}"
    assert steps[400] == steps[40]


def test_reading_a_cached_deck_unmarshals_no_card_id_or_tag_until_one_is_read(library, monkeypatch):
    # At 100,000 cards, unmarshalling every id and tag was most of reading the index, and a session
    # reads neither of a deck whose cards are all answered (issue 14, sixth round).
    import marshal

    from quizzer import deck_cache

    strings = []

    def count(value):
        if isinstance(value, str):
            return 1
        if isinstance(value, (tuple, list, dict)):
            return sum(map(count, value.values() if isinstance(value, dict) else value))
        return 0

    class Counting:
        dumps = staticmethod(marshal.dumps)

        @staticmethod
        def loads(data):
            loaded = marshal.loads(data)
            strings.append(count(loaded))
            return loaded

    write, load, _ = library
    found = {}
    for size in (40, 400):
        write("big.yaml", big_deck("big", size, tag_every=2))
        load()  # parsed, and cached
        monkeypatch.setattr(deck_cache, "marshal", Counting)
        strings.clear()
        found[size] = (load()[0]["big"], sum(strings))
        monkeypatch.undo()
    assert found[400][1] == found[40][1]


def test_a_cached_decks_ids_tags_and_kinds_are_read_from_the_cache_and_its_ids_compared_as_text(library, parsed,
                                                                                                 monkeypatch):
    from quizzer.model import ids_json

    write, load, _ = library
    write("big.yaml", big_deck("big", 400, tag_every=2))
    load()  # parsed, and cached
    parsed.clear()
    deck = load()[0]["big"]
    decoded = []
    real = json.loads
    monkeypatch.setattr(json, "loads", lambda text, **kw: decoded.append(text) or real(text, **kw))
    ids = [f"c{n}" for n in range(400)]
    # c0, c1, c10, c100…: SQLite's order (by code point) is not the file's, and the cache holds both texts
    assert deck.has_exactly(400, ids_json(sorted(ids))) and not deck.has_exactly(400, ids_json(ids))
    assert decoded == []  # the ids compared as the cache holds them
    assert deck.card_ids == tuple(ids) and len(decoded) == 1
    assert deck.card_own_tags[:3] == ((), ("odd",), ()) and set(deck.card_kinds) == {Kind.TYPED}
    assert parsed == []  # none of it from parsing the file again
