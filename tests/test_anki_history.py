"""Review history from Anki packages (issue 18): packages made and studied with the real `anki` library,
imported with `quizzer decks import`, and hand-made collections where the expected numbers are worked out."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anki_builder import BASIC, Note, write_collection
from quizzer.cli import app

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
# Eleven answers over 40 days on five new cards, as the issue describes: (rating, time).
ANSWERS = [(rating, START + timedelta(days=4 * k, seconds=k)) for k, rating in enumerate([3, 3, 3, 3, 3, 1, 3, 4,
                                                                                          3, 3, 2])]
FRONTS = ["uno", "dos", "tres", "cuatro", "cinco"]


@pytest.fixture
def lib():
    return pytest.importorskip("anki_library", reason="the `anki` library (extra `quizzer[anki]`) is not installed")


def quizzer(*args: str, now: datetime = NOW):
    return CliRunner().invoke(app, list(args), env={"QUIZZER_NOW": now.isoformat()})


def as_json(*args: str):
    result = quizzer(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def history() -> list[tuple[str, int, datetime]]:
    """(question, rating, time) of every answer, oldest first."""
    questions = {(deck["id"], row["id"]): row["question"] for deck in as_json("decks")
                 for row in as_json("decks", "show", deck["id"])}
    return [(questions[(r["deck"], r["card"])], r["rating"], datetime.fromisoformat(r["reviewed_at"]))
            for r in reversed(as_json("history", "--reviews"))]


def studied(lib, tmp_path):
    col = lib.new_collection(tmp_path / "anki")
    lib.add_basic(col, "Spanish", FRONTS)
    cards = lib.study(col, "Spanish", ANSWERS)
    fronts = {card: col.get_card(card).note()["Front"] for card in set(cards)}
    return col, [(fronts[card], rating, at) for card, (rating, at) in zip(cards, ANSWERS)]


@pytest.mark.parametrize("form", ["apkg", "apkg legacy", "colpkg", "colpkg legacy"])
def test_reviews_from_anki_arrive_with_their_ratings_and_times_and_importing_twice_adds_nothing(
        lib, tmp_path, quizzer_home, form):
    col, expected = studied(lib, tmp_path)
    legacy = form.endswith("legacy")
    if form.startswith("colpkg"):
        path = lib.export_colpkg(col, tmp_path / "spanish.colpkg", legacy=legacy)
    else:
        path = lib.export_apkg(col, tmp_path / "spanish.apkg", legacy=legacy)
        col.close()
    with zipfile.ZipFile(path) as archive:  # both of Anki's forms are really read
        assert ("collection.anki21b" in archive.namelist()) is not legacy
    first = quizzer("decks", "import", str(path))
    assert first.exit_code == 0, first.output
    assert "Imported 11 reviews of 5 cards from Anki;" in first.stdout
    assert history() == expected
    again = quizzer("decks", "import", str(path))
    assert "Imported 0 reviews of 5 cards from Anki (11 already here)" in again.stdout
    assert history() == expected


def test_each_answer_keeps_the_phase_anki_logged_and_a_cards_first_is_new(lib, tmp_path, quizzer_home):
    col, _ = studied(lib, tmp_path)
    kinds = {0: "learning", 1: "review", 2: "relearning"}
    seen, expected = set(), []
    for _, card, _, kind in lib.revlog(col):
        if kind in kinds:
            expected.append("new" if card not in seen else kinds[kind])
            seen.add(card)
    assert quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "s.apkg"))).exit_code == 0
    col.close()
    assert [r["phase"] for r in reversed(as_json("history", "--reviews"))] == expected
    assert expected.count("new") == 5 and len(expected) == 11


def test_a_later_export_adds_only_the_new_reviews(lib, tmp_path, quizzer_home):
    col, expected = studied(lib, tmp_path)
    assert quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "first.apkg"))).exit_code == 0
    later = [(4, NOW - timedelta(days=10, minutes=k)) for k in (3, 2, 1)]
    cards = lib.study(col, "Spanish", later)
    expected += [(col.get_card(card).note()["Front"], rating, at) for card, (rating, at) in zip(cards, later)]
    result = quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "second.apkg")))
    assert "Imported 3 reviews of 5 cards from Anki (11 already here)" in result.stdout
    assert history() == expected
    col.close()


def test_without_history_imports_the_notes_only(lib, tmp_path, quizzer_home):
    col, _ = studied(lib, tmp_path)
    col.sched.suspend_cards(col.find_cards("")[:1])
    result = quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "s.apkg")), "--without-history")
    assert result.exit_code == 0 and "Anki" not in result.stdout, result.output
    assert as_json("history", "--reviews") == [] and not any(c["suspended"] for c in as_json("cards"))
    col.close()


def test_a_package_exported_without_scheduling_says_how_to_bring_the_history(lib, tmp_path, quizzer_home):
    col, _ = studied(lib, tmp_path)
    result = quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "s.apkg", scheduling=False)))
    assert 'The package holds no review history; to bring it, export from Anki with "Include scheduling ' \
           'information" ticked.' in result.stdout
    col.close()


def test_suspended_and_buried_cards_arrive_suspended_and_buried(lib, tmp_path, quizzer_home):
    col, _ = studied(lib, tmp_path)
    first, second = col.find_cards("", order="c.id")[:2]
    col.sched.suspend_cards([first])
    col.sched.bury_cards([second])
    fronts = {col.get_card(c).note()["Front"]: c for c in (first, second)}
    result = quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "s.apkg")))
    assert "Cards as in Anki: 1 suspended and 1 buried (2 new events)." in result.stdout
    cards = {c["question"]: c for c in as_json("cards")}
    assert [q for q, c in cards.items() if c["suspended"]] == [next(f for f, c in fronts.items() if c == first)]
    buried = [(q, datetime.fromisoformat(c["buried_until"])) for q, c in cards.items() if c["buried_until"]]
    assert [q for q, _ in buried] == [next(f for f, c in fronts.items() if c == second)]
    assert NOW < buried[0][1] <= NOW + timedelta(days=1)  # until the next study day starts
    col.close()


PARAMETERS = [0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835,
              0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542]


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "legacy"])
def test_fsrs_parameters_in_the_deck_options_are_shown_with_how_to_adopt_them(lib, tmp_path, quizzer_home, legacy):
    col, _ = studied(lib, tmp_path)
    config = col.decks.config_dict_for_deck_id(col.decks.id("Spanish"))
    config["fsrsParams6"] = PARAMETERS
    col.decks.update_config(config)
    result = quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "s.apkg", legacy=legacy)))
    shown = ", ".join(f"{p:.4f}" for p in PARAMETERS)
    assert (f"Anki's deck options 'Default' hold FSRS parameters (21): [{shown}]. quizzer keeps its own; to adopt "
            "these, put `parameters = [...]` with them in config.toml, or fit yours with `quizzer optimize`."
            ) in result.stdout
    col.close()


def test_manual_rows_and_filtered_deck_reviews_that_did_not_reschedule_are_left_out(lib, tmp_path, quizzer_home):
    col, expected = studied(lib, tmp_path)
    card = col.find_cards("", order="c.id")[0]
    front = col.get_card(card).note()["Front"]
    col.sched.set_due_date([card], "0")  # Anki's own "Set due date": a manual row
    col.sched.schedule_cards_as_new([card], restore_position=True, reset_counts=False)  # "Forget": another
    cram, rescheduled = START + timedelta(days=50), START + timedelta(days=51)
    for at, factor in ((cram, 0), (rescheduled, 2500)):  # revlog type 3: a filtered deck's review
        col.db.execute("INSERT INTO revlog VALUES (?, ?, -1, 3, 1, 1, ?, 3000, 3)", int(at.timestamp() * 1000), card,
                       factor)
    manual = sum(kind in (4, 5) for *_, kind in lib.revlog(col))  # study() may have set due dates too
    assert manual >= 2
    result = quizzer("decks", "import", str(lib.export_apkg(col, tmp_path / "s.apkg")))
    assert (f"Imported 12 reviews of 5 cards from Anki; left out {manual} manual or rescheduling rows, 1 "
            "filtered-deck review that did not reschedule.") in result.stdout
    assert history() == expected + [(front, 3, rescheduled)]
    col.close()


def test_answers_are_saved_with_the_deck_files_or_not_at_all(lib, tmp_path, quizzer_home, monkeypatch):
    from quizzer.decks import DeckError, Problem
    from quizzer.library import UserDecks

    col, _ = studied(lib, tmp_path)
    path = lib.export_apkg(col, tmp_path / "s.apkg")
    col.close()

    def broken(*args, **kwargs):
        raise DeckError([Problem("decks/spanish.yaml", 0, "cannot write")])

    with monkeypatch.context() as patch:  # monkeypatch.undo() would also drop QUIZZER_HOME (conftest)
        patch.setattr(UserDecks, "install_copy", broken)
        result = quizzer("decks", "import", str(path))
    assert result.exit_code == 2 and result.stderr.splitlines()[-1] == "decks/spanish.yaml: cannot write"
    assert as_json("history", "--reviews") == [] and all(c["state"] == "new" for c in as_json("cards"))


# Hand-made collections (tests/anki_builder.py): the numbers below are worked out by hand.
GOOD_AT = datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)


def hand_package(tmp_path, *statements: tuple[str, tuple]) -> Path:
    """An .apkg of two Basic notes (cards 1 "near" and 2 "far", in a collection created at 00:00 on 1 May
    2026), changed by `statements`."""
    collection = tmp_path / "collection.anki2"
    write_collection(collection, [Note("near", BASIC, ("Near?", "yes")), Note("far", BASIC, ("Far?", "no"))],
                     {1: "Default"})
    with sqlite3.connect(collection) as db:
        db.execute("UPDATE col SET crt = ?", (int(datetime(2026, 5, 1, tzinfo=timezone.utc).timestamp()),))
        for sql, values in statements:
            db.execute(sql, values)
    db.close()
    path = tmp_path / "two.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
    return path


ANSWER = "INSERT INTO revlog VALUES (?, ?, 0, ?, ?, 0, 0, 2000, 0)"  # (id, card, ease, ivl)


def test_due_dates_further_than_a_day_from_ankis_are_counted(tmp_path, quizzer_home):
    """Two new cards, each answered Good once at 10:00 on 1 May. quizzer's first learning step is 10 minutes,
    so both are due at 10:10. Anki has card 1 ("near") in review due on day 0 of a collection created at
    00:00 on 1 May: within a day. It has card 2 ("far") in learning, due (a time in epoch seconds) two days
    later. Anki's answers say when each was due after: card 1 in 600 s (ivl -600), card 2 in 3 days."""
    at = int(GOOD_AT.timestamp() * 1000)
    path = hand_package(
        tmp_path, ("UPDATE cards SET type = 2, queue = 2, due = 0 WHERE id = 1", ()),
        ("UPDATE cards SET type = 1, queue = 1, due = ? WHERE id = 2", (int((GOOD_AT + timedelta(days=2)).timestamp()),)),
        (ANSWER, (at + 1, 1, 3, -600)), (ANSWER, (at + 2, 2, 3, 3)))
    result = quizzer("decks", "import", str(path))
    assert "Imported 2 reviews of 2 cards from Anki; nothing left out." in result.stdout
    assert "1 of 2 cards are due more than a day away from Anki's date" in result.stdout
    assert {c["card"]: c["due"][:16] for c in as_json("cards") if c["deck"] == "default"} == {
        "near": "2026-05-01T10:10", "far": "2026-05-01T10:10"}
    assert {r["card"]: r["next_due"][:16] for r in as_json("history", "--reviews")} == {
        "near": "2026-05-01T10:10", "far": "2026-05-04T10:00"}


def test_answers_from_anki_count_as_right_above_again(tmp_path, quizzer_home):
    at = int((NOW - timedelta(days=2)).timestamp() * 1000)
    quizzer("decks", "import", str(hand_package(tmp_path, (ANSWER, (at, 1, 3, 1)), (ANSWER, (at + 1, 2, 1, -600)))))
    stats = next(d for d in as_json("stats")["decks"] if d["deck"] == "default")
    assert stats["accuracy"]["7d"] == {"right": 1, "total": 2, "rate": 0.5}


# -- export: quizzer → Anki → quizzer ----------------------------------------------------------------

ROUND_TRIP_DECK = """\
id: trip
title: Round trip
cards:
  - {id: capital, type: typed, question: Capital of Mali?, answer: Bamako}
  - {id: river, type: flash, question: Which river runs through Bamako?, answer: the Niger}
  - {id: coup, type: cloze, text: "The coup was in {{2012}}."}
  - {id: leader, type: choice, question: Who led the coup?, answer: Sanogo, distractors: [Touré, Traoré]}
  - {id: fresh, type: flash, question: Never answered?, answer: "yes"}
"""
# (card, rating, time) of the answers given in quizzer.
QUIZZER_ANSWERS = [("capital", 3, START), ("river", 1, START + timedelta(minutes=1)),
                   ("coup", 3, START + timedelta(minutes=2)), ("capital", 3, START + timedelta(minutes=12)),
                   ("river", 3, START + timedelta(minutes=13)), ("leader", 4, START + timedelta(minutes=14)),
                   ("capital", 3, START + timedelta(days=3)), ("coup", 2, START + timedelta(days=1))]


def answers_file(tmp_path):
    lines = [json.dumps({"review_id": f"q-{n}", "deck": "trip", "card": card, "reviewed_at": at.isoformat(),
                         "rating": rating, "verdict": "self", "response": "", "duration_ms": 3000, "session": None,
                         "phase": "new", "next_due": at.isoformat()})
             for n, (card, rating, at) in enumerate(QUIZZER_ANSWERS)]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_round_trip_through_a_real_anki_collection(lib, tmp_path, quizzer_home, write_deck, monkeypatch):
    assert quizzer("decks", "add", str(write_deck(ROUND_TRIP_DECK))).exit_code == 0
    assert quizzer("progress", "import", str(answers_file(tmp_path))).exit_code == 0
    exported = quizzer("decks", "export", "trip", "--format", "apkg", "--with-history", "-o", str(tmp_path / "t.apkg"))
    assert exported.exit_code == 0, exported.output

    col = lib.new_collection(tmp_path / "anki")
    lib.import_apkg(col, tmp_path / "t.apkg")
    assert len(lib.revlog(col)) == len(QUIZZER_ANSWERS)  # Anki took the history
    studied_in_anki = [(3, START + timedelta(days=20, minutes=k)) for k in range(3)]
    cards = lib.study(col, "Round trip", studied_in_anki)
    anki_answers = [(col.get_card(c).note().guid.rsplit(":", 1)[1], rating, at)
                    for c, (rating, at) in zip(cards, studied_in_anki)]
    back = lib.export_apkg(col, tmp_path / "back.apkg")
    col.close()

    monkeypatch.setenv("QUIZZER_HOME", str(tmp_path / "fresh-home"))
    result = quizzer("decks", "import", str(back))
    assert result.exit_code == 0, result.output
    assert f"Imported {len(QUIZZER_ANSWERS) + 3} reviews of" in result.stdout
    got = [(r["card"], r["rating"], datetime.fromisoformat(r["reviewed_at"]))
           for r in reversed(as_json("history", "--reviews"))]
    assert sorted(got, key=lambda a: a[2]) == sorted(QUIZZER_ANSWERS + anki_answers, key=lambda a: a[2])
    doctor = quizzer("doctor")
    assert "card states: all 4 agree with a replay of their answers" in doctor.stdout, doctor.output


def test_answers_that_went_to_anki_and_came_back_are_not_added_twice(lib, tmp_path, quizzer_home, write_deck):
    assert quizzer("decks", "add", str(write_deck(ROUND_TRIP_DECK))).exit_code == 0
    assert quizzer("progress", "import", str(answers_file(tmp_path))).exit_code == 0
    quizzer("decks", "export", "trip", "--format", "apkg", "--with-history", "-o", str(tmp_path / "t.apkg"))
    col = lib.new_collection(tmp_path / "anki")
    lib.import_apkg(col, tmp_path / "t.apkg")
    lib.study(col, "Round trip", [(3, START + timedelta(days=20, minutes=k)) for k in range(2)])
    back = lib.export_apkg(col, tmp_path / "back.apkg")
    col.close()
    result = quizzer("decks", "import", str(back))  # into the home the answers came from
    assert f"Imported 2 reviews of 4 cards from Anki ({len(QUIZZER_ANSWERS)} already here)" in result.stdout
    assert len(as_json("history", "--reviews")) == len(QUIZZER_ANSWERS) + 2


def test_export_with_history_keeps_states_within_a_day_in_anki(lib, tmp_path, quizzer_home, write_deck):
    assert quizzer("decks", "add", str(write_deck(ROUND_TRIP_DECK))).exit_code == 0
    assert quizzer("progress", "import", str(answers_file(tmp_path))).exit_code == 0
    assert quizzer("suspend", "trip/fresh").exit_code == 0
    ours = {c["card"]: c for c in as_json("cards") if c["deck"] == "trip"}
    quizzer("decks", "export", "trip", "--format", "apkg", "--with-history", "-o", str(tmp_path / "t.apkg"))
    col = lib.new_collection(tmp_path / "anki")
    lib.import_apkg(col, tmp_path / "t.apkg")
    # Anki renames a package's note type that shares a name, not an id, with one of its own: "Basic+".
    notetypes = {col.get_card(c).note().guid: col.get_card(c).note().note_type()["name"].rstrip("+")
                 for c in col.find_cards("")}
    assert notetypes == {"quizzer:trip:capital": "Basic (type in the answer)", "quizzer:trip:river": "Basic",
                         "quizzer:trip:coup": "Cloze", "quizzer:trip:leader": "Basic", "quizzer:trip:fresh": "Basic"}
    notes = {note.guid: note for note in map(col.get_note, col.find_notes(""))}
    leader = notes["quizzer:trip:leader"]
    assert sorted(leader["Front"].split("<br>• ")[1:]) == ["Sanogo", "Touré", "Traoré"] and leader["Back"] == "Sanogo"
    assert notes["quizzer:trip:coup"]["Text"] == "The coup was in {{c1::2012}}."
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        mine = ours[card.note().guid.rsplit(":", 1)[1]]
        assert (card.queue == -1) is mine["suspended"]
        assert card.type == {"new": 0, "learning": 1, "young": 2, "mature": 2}[mine["state"]]
        if card.type == 0:
            continue
        # Anki keeps a review card's due date as a day number from the collection's creation, a learning
        # card's as a time.
        due = datetime.fromtimestamp(col.crt + card.due * 86_400 if card.type == 2 else card.due, timezone.utc)
        assert abs(due - datetime.fromisoformat(mine["due"])) <= timedelta(days=1)
        assert card.memory_state.stability == pytest.approx(mine["stability"], rel=1e-3)
        assert card.memory_state.difficulty == pytest.approx(mine["difficulty"], rel=1e-3)
    col.close()


def test_apkg_export_without_the_anki_library_says_how_to_install_it(tmp_path, quizzer_home, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "anki.collection", None)  # as if not installed
    result = quizzer("decks", "export", "dates", "--format", "apkg", "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 2 and not isinstance(result.exception, Exception), result.output
    assert result.stderr == ("quizzer: writing an Anki package needs Anki's own library: "
                             "pip install 'quizzer[anki]'\n")
    assert not (tmp_path / "d.apkg").exists()


@pytest.mark.parametrize("guid, ord, entry", [("Fq.h2:A~O1", 0, 1767225600000), ("quizzer:trip:coup", 2, "suspend"),
                                              ("ü☃\x1f", 1, "bury 2026-06-02T04:00:00+02:00")])
def test_ids_from_anki_are_uuid5s_of_the_guid_ordinal_and_entry(guid, ord, entry):
    import uuid

    from quizzer.formats.anki_package import FROM_ANKI, _stable_id

    assert _stable_id(guid, ord, entry) == str(uuid.uuid5(FROM_ANKI, f"{guid}\x1f{ord}\x1f{entry}"))


def test_quiz_answers_that_left_the_schedule_alone_stay_behind_on_export(lib, tmp_path, quizzer_home, write_deck):
    # Anki replays its review log into memory states, so an answer that never shaped quizzer's schedule
    # must not reach it; one that rescheduled is an ordinary review there too.
    assert quizzer("decks", "add", str(write_deck(ROUND_TRIP_DECK))).exit_code == 0
    path = answers_file(tmp_path)
    last = QUIZZER_ANSWERS[-1][2]
    quiz = [json.dumps({"review_id": f"quiz-{n}", "deck": "trip", "card": "river", "reviewed_at":
                        (last + timedelta(hours=n + 1)).isoformat(), "rating": 1, "verdict": "wrong", "response": "",
                        "duration_ms": 3000, "session": "quiz-1", "phase": "review",
                        "next_due": (last + timedelta(days=1)).isoformat(), "kind": "quiz", "reschedules": reschedules})
            for n, reschedules in enumerate([False, True])]
    path.write_text(path.read_text() + "\n".join(quiz) + "\n")
    imported = quizzer("progress", "import", str(path))
    assert imported.exit_code == 0, imported.output
    exported = quizzer("decks", "export", "trip", "--format", "apkg", "--with-history", "-o", str(tmp_path / "t.apkg"))
    assert exported.exit_code == 0, exported.output
    col = lib.new_collection(tmp_path / "anki")
    lib.import_apkg(col, tmp_path / "t.apkg")
    assert len(lib.revlog(col)) == len(QUIZZER_ANSWERS) + 1
    col.close()
