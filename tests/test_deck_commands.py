"""`quizzer decks add / new / show / remove / import / export` through the CLI, with progress in the store."""

import json
from datetime import datetime, timezone

import pytest
from anki_builder import BASIC, SAMPLE_NOTES, Note, write_package
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.model import Outcome, Rating, Review
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)

DECK = """\
id: mine
title: My deck
cards:
  - id: capital
    type: typed
    question: Capital of Mali?
    answer: Bamako
  - id: coup
    question: When was the coup?
    answer: March 2012
  - id: bloody
    type: truefalse
    question: The coup was bloody.
    answer: false
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def deck_file(tmp_path):
    path = tmp_path / "src" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(DECK)
    return path


def answer(home, deck, card, review_id, rating=Rating.GOOD):
    """Record one answer in the store, as a study session would."""
    with Store(home / "quizzer.db") as store:
        state = store.states([deck]).get((deck, card)) or new_state(T0)
        after = Scheduler(fuzz=False).review(state, rating, T0, review_id)
        store.record(Review(review_id, deck, card, T0, rating, Outcome.CORRECT, "x", 1000, "s"), state.phase, after)


def progress(home, deck):
    with Store(home / "quizzer.db") as store:
        return store.states([deck]), [r["card"] for r in store.reviews(deck=deck)]


def invoke(runner, *args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def shown(runner, deck_id):
    result = invoke(runner, "decks", "show", deck_id, "--json")
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.stdout)}


# -- add ------------------------------------------------------------------------------------

def test_add_installs_a_copy_named_after_the_deck_id(runner, deck_file, quizzer_home):
    result = invoke(runner, "decks", "add", deck_file)
    assert result.exit_code == 0, result.output
    installed = quizzer_home / "decks" / "mine.yaml"
    assert installed.read_text() == DECK
    assert f"Installed deck 'mine' (3 cards): {installed}" in result.output
    assert "mine" in [row["id"] for row in json.loads(invoke(runner, "decks", "--json").stdout)]


def test_updating_a_deck_keeps_the_progress_of_cards_whose_id_stays(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", deck_file)
    answer(quizzer_home, "mine", "capital", "r1")
    answer(quizzer_home, "mine", "bloody", "r2")
    edited = DECK.replace("answer: March 2012", "answer: 22 March 2012").replace(
        "  - id: bloody\n    type: truefalse\n    question: The coup was bloody.\n    answer: false\n",
        "  - id: leader\n    question: Who led it?\n    answer: Sanogo\n")
    deck_file.write_text(edited)
    result = invoke(runner, "decks", "add", deck_file)
    assert result.exit_code == 0, result.output
    assert "Updated deck 'mine': 1 added, 1 changed, 1 unchanged, 1 removed" in result.output
    rows = shown(runner, "mine")
    assert rows["capital"]["state"] != "new" and rows["leader"]["state"] == "new"
    assert "bloody" not in rows
    # The removed card's history stays in the log.
    assert sorted(progress(quizzer_home, "mine")[1]) == ["bloody", "capital"]


def test_a_builtin_deck_id_cannot_be_taken(runner, tmp_path, quizzer_home):
    path = tmp_path / "clash.yaml"
    path.write_text(DECK.replace("id: mine", "id: mali-2012-dates"))
    result = invoke(runner, "decks", "add", path)
    assert result.exit_code == 2
    assert f"{path}: deck id 'mali-2012-dates' belongs to a built-in deck; give your deck another id" in result.output
    assert not (quizzer_home / "decks").exists()


def test_add_refuses_everything_when_one_file_is_bad(runner, deck_file, tmp_path, quizzer_home):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: other\ntitle: T\ncards:\n  - question: Q\n")
    result = invoke(runner, "decks", "add", deck_file, bad)
    assert result.exit_code == 2 and f"{bad}:4: card \"Q\": a flash card needs 'answer'" in result.output
    assert not (quizzer_home / "decks").exists()


def test_add_points_spreadsheets_to_import(runner, tmp_path):
    path = tmp_path / "cards.csv"
    path.write_text("question,answer\nQ,A\n")
    result = invoke(runner, "decks", "add", path)
    assert result.exit_code == 2 and "convert this file with `quizzer decks import" in result.output


def test_a_deck_installed_under_another_file_name_is_replaced_not_duplicated(runner, deck_file, quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "dropped-in.yaml").write_text(DECK)
    result = invoke(runner, "decks", "add", deck_file)
    assert result.exit_code == 0 and "Updated deck 'mine'" in result.output
    assert sorted(p.name for p in (quizzer_home / "decks").iterdir()) == ["mine.yaml"]


# -- link -----------------------------------------------------------------------------------

def test_a_linked_deck_is_used_in_place_and_edits_show_at_once(runner, deck_file, quizzer_home):
    result = invoke(runner, "decks", "add", "--link", deck_file)
    assert result.exit_code == 0 and "Linked deck 'mine' (3 cards)" in result.output
    assert not (quizzer_home / "decks" / "mine.yaml").exists()
    assert json.loads((quizzer_home / "linked.json").read_text())["decks"] == {"mine": str(deck_file.resolve())}
    deck_file.write_text(DECK.replace("title: My deck", "title: Renamed in my repository"))
    rows = json.loads(invoke(runner, "decks", "--json").stdout)
    assert next(r for r in rows if r["id"] == "mine")["title"] == "Renamed in my repository"
    # Studying it records progress under its id.
    study = invoke(runner, "study", "mine", "--new", "1", input="bamako\n")
    assert study.exit_code == 0 and "correct" in study.output
    assert progress(quizzer_home, "mine")[1] == ["capital"]


def test_a_broken_linked_file_is_skipped_with_a_warning_and_can_be_unlinked(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", "--link", deck_file)
    deck_file.unlink()
    listing = invoke(runner, "decks", "--json")
    assert listing.exit_code == 0 and f"{deck_file.resolve()}: no such file (deck skipped)" in listing.stderr
    result = invoke(runner, "decks", "remove", "mine")
    assert result.exit_code == 0 and "Unlinked deck 'mine'" in result.output
    assert json.loads((quizzer_home / "linked.json").read_text())["decks"] == {}


def test_a_damaged_link_list_and_a_link_inside_the_decks_folder_exit_2(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", deck_file)
    inside = invoke(runner, "decks", "add", "--link", quizzer_home / "decks" / "mine.yaml")
    assert inside.exit_code == 2 and "is in the decks folder already" in inside.output
    assert not (quizzer_home / "linked.json").exists()
    (quizzer_home / "linked.json").write_text("{not json")
    result = invoke(runner, "decks")
    assert result.exit_code == 2
    assert f"{quizzer_home / 'linked.json'}: the list of linked decks cannot be read" in result.output


def test_linking_replaces_an_installed_copy_and_copying_replaces_a_link(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", deck_file)
    answer(quizzer_home, "mine", "coup", "r1")
    result = invoke(runner, "decks", "add", "--link", deck_file)
    assert "Updated deck 'mine': 0 added, 0 changed, 3 unchanged, 0 removed" in result.output
    assert not (quizzer_home / "decks" / "mine.yaml").exists()
    invoke(runner, "decks", "add", deck_file)
    assert (quizzer_home / "decks" / "mine.yaml").exists()
    assert json.loads((quizzer_home / "linked.json").read_text())["decks"] == {}
    assert shown(runner, "mine")["coup"]["state"] == "learning"


# -- show -----------------------------------------------------------------------------------

def test_show_lists_cards_with_their_state(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", deck_file)
    answer(quizzer_home, "mine", "coup", "r1")
    rows = shown(runner, "mine")
    assert [r["id"] for r in rows.values()] == ["capital", "coup", "bloody"]
    assert rows["coup"]["state"] == "learning" and rows["coup"]["due"].startswith("2026-03-02T12:10")
    assert rows["capital"] == {"id": "capital", "type": "typed", "question": "Capital of Mali?", "answer": "Bamako",
                               "state": "new", "due": None, "tags": []}
    table = runner.invoke(app, ["decks", "show", "mine"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "learning" in table.output and "2026-03-02 12:10" in table.output


def test_show_an_unknown_deck_exits_2(runner):
    result = invoke(runner, "decks", "show", "nope")
    assert result.exit_code == 2 and "no deck 'nope'; known decks: mali-2012-" in result.output


# -- remove ---------------------------------------------------------------------------------

def test_remove_keeps_history_and_a_copy_in_backups(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", deck_file)
    answer(quizzer_home, "mine", "coup", "r1")
    result = invoke(runner, "decks", "remove", "mine", "--yes")
    assert result.exit_code == 0, result.output
    [copy] = (quizzer_home / "backups").iterdir()
    assert copy.name.startswith("deck-mine-") and copy.suffix == ".yaml" and copy.read_text() == DECK
    assert f"Removed deck 'mine'; a copy is in {copy} (`quizzer decks add {copy}` restores it)." in result.output
    assert "Its history stays: 1 answer (" in result.output
    assert not (quizzer_home / "decks" / "mine.yaml").exists()
    history = json.loads(invoke(runner, "history", "--reviews", "--json").stdout)
    assert [(r["deck"], r["card"]) for r in history] == [("mine", "coup")]
    # Installing it again brings the progress back.
    invoke(runner, "decks", "add", deck_file)
    assert shown(runner, "mine")["coup"]["state"] == "learning"


def test_remove_without_a_terminal_or_yes_refuses_and_keeps_everything(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", deck_file)
    result = invoke(runner, "decks", "remove", "mine")
    assert result.exit_code == 2
    assert result.output == ("quizzer: `decks remove` asks before deleting deck 'mine' (a copy is kept in "
                             "backups/); run it in a terminal, or add --yes\n")
    assert (quizzer_home / "decks" / "mine.yaml").read_text() == DECK and not (quizzer_home / "backups").exists()


def test_remove_purge_asks_then_deletes_progress_in_one_go(runner, deck_file, quizzer_home, monkeypatch):
    monkeypatch.setattr("quizzer.cli.decks.stdin_is_terminal", lambda: True)
    invoke(runner, "decks", "add", deck_file)
    answer(quizzer_home, "mine", "coup", "r1")
    answer(quizzer_home, "other", "x", "r2")
    declined = invoke(runner, "decks", "remove", "mine", "--purge", input="n\n")
    assert declined.exit_code == 1
    assert ("Delete deck 'mine' (a copy is kept in backups/) and all its progress (1 answer; this cannot be "
            "undone)?") in declined.output
    assert (quizzer_home / "decks" / "mine.yaml").exists() and progress(quizzer_home, "mine")[1] == ["coup"]
    assert not (quizzer_home / "backups").exists()
    result = invoke(runner, "decks", "remove", "mine", "--purge", input="y\n")
    assert result.exit_code == 0 and "Deleted its progress: 1 answer." in result.output
    assert progress(quizzer_home, "mine") == ({}, [])
    assert progress(quizzer_home, "other")[1] == ["x"]
    assert not (quizzer_home / "decks" / "mine.yaml").exists()


def test_purge_of_leftover_progress_and_of_a_linked_deck(runner, deck_file, quizzer_home):
    answer(quizzer_home, "gone", "c", "r1")
    result = invoke(runner, "decks", "remove", "gone", "--purge", "--yes")
    assert result.exit_code == 0 and progress(quizzer_home, "gone") == ({}, [])
    invoke(runner, "decks", "add", "--link", deck_file)
    answer(quizzer_home, "mine", "coup", "r2")
    result = invoke(runner, "decks", "remove", "mine", "--purge", "--yes")
    assert result.exit_code == 0 and "the file stays where it is" in result.output
    assert deck_file.read_text() == DECK and progress(quizzer_home, "mine") == ({}, [])


def test_a_failed_purge_puts_the_deck_file_back(runner, deck_file, quizzer_home, monkeypatch):
    from quizzer.store import StoreError

    invoke(runner, "decks", "add", deck_file)
    answer(quizzer_home, "mine", "coup", "r1")

    def locked(self, deck):
        raise StoreError("could not save: database is locked")

    monkeypatch.setattr(Store, "delete_deck_progress", locked)
    result = invoke(runner, "decks", "remove", "mine", "--purge", "--yes")
    assert result.exit_code == 2 and "database is locked" in result.output
    assert (quizzer_home / "decks" / "mine.yaml").read_text() == DECK
    assert sorted(p.name for p in (quizzer_home / "decks").iterdir()) == ["mine.yaml"]


@pytest.mark.parametrize("key, removed", [("n", False), ("y", True)])
def test_remove_asks_in_a_real_terminal(deck_file, quizzer_home, key, removed):
    import os
    import sys

    import pexpect

    invoke(CliRunner(), "decks", "add", deck_file)
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "decks", "remove", "mine"], encoding="utf-8", timeout=20,
                          env={**os.environ, "QUIZZER_HOME": str(quizzer_home), "TERM": "xterm"}, dimensions=(30, 60))
    child.expect_exact("Delete deck 'mine' (a copy is kept in backups/)? [y/N]")
    child.sendline(key)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == (0 if removed else 1)
    assert (quizzer_home / "decks" / "mine.yaml").exists() is not removed
    assert [p.read_text() for p in (quizzer_home / "backups").glob("deck-mine-*.yaml")] == ([DECK] if removed else [])


def test_remove_removes_nothing_when_no_copy_can_be_kept(runner, deck_file, quizzer_home):
    invoke(runner, "decks", "add", deck_file)
    (quizzer_home / "backups").write_text("a file where the folder should be")
    result = invoke(runner, "decks", "remove", "mine", "--yes")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith(f"quizzer: cannot keep a copy of {quizzer_home / 'decks' / 'mine.yaml'} in ")
    assert result.output.endswith("; nothing removed\n")
    assert (quizzer_home / "decks" / "mine.yaml").read_text() == DECK


@pytest.mark.parametrize("deck_id, message", [
    ("mali-2012-dates", "'mali-2012-dates' is a built-in deck; it cannot be removed"),
    ("nope", "no deck 'nope'; known decks: none"),
    ("../decks", "'../decks' is not a valid deck id"),
])
def test_remove_refusals(runner, deck_id, message):
    result = invoke(runner, "decks", "remove", deck_id)
    assert result.exit_code == 2 and message in result.output


# -- import and export round trips -----------------------------------------------------------

@pytest.mark.parametrize("form, suffix", [("yaml", ".yaml"), ("csv", ".csv"), ("anki-txt", ".txt")])
def test_export_then_import_gives_the_same_cards_and_keeps_progress(runner, deck_file, quizzer_home, tmp_path,
                                                                    form, suffix):
    invoke(runner, "decks", "add", deck_file)
    answer(quizzer_home, "mine", "capital", "r1")
    before = shown(runner, "mine")
    out = tmp_path / f"exported{suffix}"
    result = invoke(runner, "decks", "export", "mine", "--format", form, "-o", out)
    assert result.exit_code == 0, result.output
    invoke(runner, "decks", "remove", "mine", "--yes")
    command = ("decks", "add", out) if form == "yaml" else ("decks", "import", out, "--id", "mine")
    result = invoke(runner, *command)
    assert result.exit_code == 0, result.output
    after = shown(runner, "mine")
    expected = before
    if form == "anki-txt":  # Anki has no true/false note: it comes back as a flash card
        expected = {**before, "bloody": {**before["bloody"], "type": "flash"}}
    assert after == expected
    assert after["capital"]["state"] == "learning"


def test_importing_an_updated_file_again_keeps_progress_and_the_title(runner, tmp_path, quizzer_home):
    path = tmp_path / "vocab.csv"
    path.write_text("id,question,answer\nq1,Capital of Mali?,Bamako\nq2,River?,Niger\n")
    first = invoke(runner, "decks", "import", path, "--title", "Mali vocabulary")
    assert first.exit_code == 0 and "Installed deck 'vocab' (2 cards)" in first.output
    answer(quizzer_home, "vocab", "q1", "r1")
    path.write_text("id,question,answer\nq1,Capital of Mali?,Bamako\nq2,Main river?,Niger\nq3,North?,Gao\n")
    again = invoke(runner, "decks", "import", path)
    assert "Updated deck 'vocab': 1 added, 1 changed, 1 unchanged, 0 removed" in again.output
    rows = json.loads(invoke(runner, "decks", "--json").stdout)
    assert next(r for r in rows if r["id"] == "vocab")["title"] == "Mali vocabulary"
    assert shown(runner, "vocab")["q1"]["state"] == "learning"


def test_importing_an_anki_package_reports_media_and_reimporting_keeps_progress(runner, tmp_path, quizzer_home):
    legacy = write_package(tmp_path / "mali.apkg", SAMPLE_NOTES, {1: "Mali::Basics"})
    result = invoke(runner, "decks", "import", legacy)
    assert result.exit_code == 0, result.output
    assert "Installed deck 'mali-basics' (8 cards)" in result.output
    assert "1 media reference dropped" in result.output
    answer(quizzer_home, "mali-basics", "rev123:2", "r1")
    current = write_package(tmp_path / "mali-new.colpkg", SAMPLE_NOTES, {1: "Mali::Basics"}, form="current")
    again = invoke(runner, "decks", "import", current)
    assert "Updated deck 'mali-basics': 0 added, 0 changed, 8 unchanged, 0 removed" in again.output
    assert shown(runner, "mali-basics")["rev123:2"]["state"] == "learning"


ESCAPES = "\x1b]52;c;U0VDUkVU\x07\x1b[2J\x9b31m\u202e"  # clipboard write, screen clear, one-byte CSI, RLO


def test_anki_markup_script_text_and_escapes_are_shown_literally(runner, tmp_path):
    notes = [Note("esc222", BASIC, (f"Capital{ESCAPES}?", f"Bamako{ESCAPES}")), *SAMPLE_NOTES]
    package = write_package(tmp_path / "m.apkg", notes, {1: f"Mali{ESCAPES} deck"})
    assert invoke(runner, "decks", "import", package, "--id", "mali").exit_code == 0
    # color=True: click would strip some escapes itself when not writing to a terminal; a terminal gets all.
    table = runner.invoke(app, ["decks", "show", "mali"], env={"COLUMNS": "300"}, color=True)
    listing = runner.invoke(app, ["decks"], env={"COLUMNS": "300"}, color=True)
    study = runner.invoke(app, ["study", "mali", "--new", "20"], input="\n" * 4 + "q\n", color=True)
    for result in (table, listing, study):
        leaked = [piece for piece in ("\x1b", "\x9b", "\u202e", "U0VDUkVU") if piece in result.output]
        assert not leaked and "<U+202E>" in result.output
    assert "<script>alert(1)</script> [red]warning[/red]?" in table.output and "Capital<U+202E>?" in table.output, table.output
    assert study.exit_code == 0 and "Capital<U+202E>?" in study.output


def test_export_prints_yaml_by_default_and_refuses_unknown_formats(runner):
    result = invoke(runner, "decks", "export", "mali-2012-dates")
    assert result.exit_code == 0 and result.stdout.startswith("id: mali-2012-dates\n")
    bad = invoke(runner, "decks", "export", "mali-2012-dates", "--format", "xlsx")
    assert bad.exit_code == 2 and "unknown format 'xlsx' (one of yaml, csv, anki-txt, apkg)" in bad.output


def test_validate_reads_every_import_format(runner, tmp_path):
    csv_file = tmp_path / "good.csv"
    csv_file.write_text("id,question,answer\na,Q,A\n")
    package = write_package(tmp_path / "p.apkg", SAMPLE_NOTES)
    result = invoke(runner, "decks", "validate", csv_file, package)
    assert result.exit_code == 0, result.output
    assert "good: 1 card (1 flash)" in result.output
    assert "default: 8 cards (2 cloze, 5 flash, 1 typed)" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("question,answer\nQ\n")
    result = invoke(runner, "decks", "validate", bad)
    assert result.exit_code == 2 and f"{bad}:2: 1 field, but the header row has 2" in result.output


# -- new ------------------------------------------------------------------------------------

def test_new_needs_a_terminal(runner, quizzer_home):
    result = invoke(runner, "decks", "new")
    assert result.exit_code == 2 and "asks its questions in a terminal" in result.output


def test_new_installs_or_writes_what_the_prompt_built(runner, quizzer_home, tmp_path, monkeypatch):
    from quizzer.ui import new_deck

    drafted = new_deck.NewDeck("made", "Made [b]here[/b]", ("t",), (
        {"id": "q1", "type": "typed", "question": "Capital?", "answer": "Bamako", "accept": ["bko"]},
        {"id": "q2", "type": "cloze", "text": "{{Gao}} is north"},
    ))
    monkeypatch.setattr("quizzer.cli.decks.stdin_is_terminal", lambda: True)
    monkeypatch.setattr(new_deck.NewDeckPrompt, "run", lambda self: drafted)
    result = invoke(runner, "decks", "new")
    assert result.exit_code == 0 and "Installed deck 'made' (2 cards)" in result.output
    assert shown(runner, "made")["q1"]["answer"] == "Bamako"
    out = tmp_path / "made.yaml"
    result = invoke(runner, "decks", "new", "-o", out)
    assert result.exit_code == 0 and f"Wrote deck 'made' (2 cards) to {out}" in result.output
    from quizzer.decks import load_deck

    written = load_deck(out)
    assert written.title == "Made [b]here[/b]" and written.tags == ("t",) and written.cards[0].accept == ("bko",)


def test_new_never_writes_an_invalid_deck(runner, quizzer_home, tmp_path, monkeypatch):
    from quizzer.ui import new_deck

    drafted = new_deck.NewDeck("made", "Made", (), ({"id": "q1", "type": "choice", "question": "Q", "answer": "A"},))
    monkeypatch.setattr("quizzer.cli.decks.stdin_is_terminal", lambda: True)
    monkeypatch.setattr(new_deck.NewDeckPrompt, "run", lambda self: drafted)
    out = tmp_path / "made.yaml"
    result = invoke(runner, "decks", "new", "-o", out)
    assert result.exit_code == 2 and "a choice card needs 'distractors'" in result.output
    assert not out.exists() and not list(tmp_path.glob(".made.yaml*"))
    assert not (quizzer_home / "decks").exists()
