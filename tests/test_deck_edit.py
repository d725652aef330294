"""`quizzer decks edit` and the editor round trip (quizzer.editing), with a fake editor: a small Python
script that rewrites the deck file as a test tells it to, and logs how it was called."""

import json
import os
import shlex
import sys

import pexpect
import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.decks import load_deck
from quizzer.editing import EDIT, RESTORE, Editor, at_line, editor_command

from test_deck_commands import DECK, answer, progress

FAKE_EDITOR = """\
import json, os, sys
plan_file, log_file = os.environ["FAKE_PLAN"], os.environ["FAKE_LOG"]
with open(plan_file) as f:
    plan = json.load(f)
step = plan.pop(0)
with open(plan_file, "w") as f:
    json.dump(plan, f)
with open(log_file, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
path = sys.argv[-1]
if step.get("text") is not None:
    before = os.stat(path)
    with open(path, "w") as f:
        f.write(step["text"])
    if step.get("keep_time"):
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
sys.exit(step.get("status", 0))
"""

BROKEN = DECK.replace("    answer: Bamako\n", "    answr: Bamako\n")  # capital (line 4) has no answer
EDITED = DECK.replace("answer: March 2012", "answer: 22 March 2012").replace(
    "  - id: bloody\n    type: truefalse\n    question: The coup was bloody.\n    answer: false\n",
    "  - id: leader\n    question: Who led it?\n    answer: Sanogo\n")


class FakeEditor:
    def __init__(self, folder, name="fake-editor"):
        self.script = folder / name
        self.script.write_text(f"#!{sys.executable}\n{FAKE_EDITOR}")
        self.script.chmod(0o755)
        self.plan, self.log = folder / "plan.json", folder / "editor.log"
        self.command = str(self.script)

    def will(self, *steps):
        """What each run of the editor does: write `text` (None: leave the file), exit with `status`."""
        self.plan.write_text(json.dumps(list(steps)))

    def env(self, **more):
        return {"EDITOR": self.command, "VISUAL": "", "FAKE_PLAN": str(self.plan), "FAKE_LOG": str(self.log), **more}

    @property
    def calls(self):
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []


@pytest.fixture
def editor(tmp_path):
    folder = tmp_path / "editor"
    folder.mkdir()
    return FakeEditor(folder)


@pytest.fixture
def installed(tmp_path, quizzer_home):
    source = tmp_path / "mine.yaml"
    source.write_text(DECK)
    assert CliRunner().invoke(app, ["decks", "add", str(source)]).exit_code == 0
    return quizzer_home / "decks" / "mine.yaml"


@pytest.fixture
def edit(monkeypatch, editor):
    """Run `quizzer decks edit ARGS` under CliRunner as if in a terminal, typing `typed` at its questions."""
    monkeypatch.setattr("quizzer.cli.decks.stdin_is_terminal", lambda: True)

    def run(*args, typed="", **env):
        for key, value in editor.env(**env).items():
            monkeypatch.setenv(key, value)
        return CliRunner().invoke(app, ["decks", "edit", *args], input=typed)

    return run


def cards(runner_output_deck="mine"):
    result = CliRunner().invoke(app, ["decks", "show", runner_output_deck, "--json"])
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.stdout)}


# -- decks edit through the CLI --------------------------------------------------------------

def test_a_valid_edit_is_kept_reported_and_keeps_progress(edit, editor, installed, quizzer_home):
    answer(quizzer_home, "mine", "capital", "r1")
    editor.will({"text": EDITED})
    result = edit("mine")
    assert result.exit_code == 0, result.output
    assert "Updated deck 'mine': 1 added, 1 changed, 1 unchanged, 1 removed; progress kept for 2 cards." \
        in result.output
    assert installed.read_text() == EDITED and editor.calls == [[str(installed)]]
    rows = cards()
    assert rows["coup"]["answer"] == "22 March 2012" and "bloody" not in rows
    assert rows["capital"]["state"] != "new" and rows["leader"]["state"] == "new"
    assert progress(quizzer_home, "mine")[1] == ["capital"]
    assert not list((quizzer_home / "backups").iterdir())  # the copy taken before editing is gone


def test_closing_the_editor_without_a_change_says_so(edit, editor, installed):
    editor.will({"text": None})
    result = edit("mine")
    assert result.exit_code == 0 and "No changes to deck 'mine'." in result.output


def test_an_invalid_edit_lists_each_error_and_can_be_restored(edit, editor, installed):
    installed.chmod(0o640)
    editor.will({"text": BROKEN})
    result = edit("mine", typed="r\n")
    assert result.exit_code == 1, result.output
    assert f"{installed}:7: card 'capital': unknown key 'answr'; did you mean 'answer'?" in result.output
    assert f"{installed}:4: card 'capital': a typed card needs 'answer'" in result.output
    assert "Edit again or restore" in result.output and "Restored deck 'mine' as it was." in result.output
    assert installed.read_text() == DECK and len(editor.calls) == 1
    assert installed.stat().st_mode & 0o777 == 0o640  # as it was, not the private mode of a temporary file


def test_an_invalid_edit_can_be_edited_again_at_the_first_error(tmp_path, edit, installed):
    vi = FakeEditor(tmp_path / "editor", name="vi")  # an editor that takes +LINE
    vi.will({"text": BROKEN}, {"text": EDITED})
    result = edit("mine", typed="e\n", EDITOR=vi.command)
    assert result.exit_code == 0, result.output
    assert "Updated deck 'mine': 1 added, 1 changed" in result.output
    assert vi.calls == [[str(installed)], ["+4", str(installed)]]
    assert installed.read_text() == EDITED


def test_changing_the_deck_id_is_an_error(edit, editor, installed):
    editor.will({"text": DECK.replace("id: mine", "id: other")})
    result = edit("mine", typed="r\n")
    assert result.exit_code == 1
    assert f"{installed}:1: the deck id must stay 'mine' (progress and the file follow it), not 'other'" \
        in result.output
    assert installed.read_text() == DECK


def test_card_opens_the_file_at_the_cards_line(tmp_path, edit, installed):
    vi = FakeEditor(tmp_path / "editor", name="vi")
    vi.will({"text": None})
    assert edit("mine", "--card", "coup", EDITOR=vi.command).exit_code == 0
    assert vi.calls == [["+8", str(installed)]]
    result = edit("mine", "--card", "nope", EDITOR=vi.command)
    assert result.exit_code == 2 and "no card 'nope'; known cards: " in result.output


def test_editor_with_arguments_is_split_like_a_shell_would(edit, editor, installed):
    editor.will({"text": EDITED})
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(editor.script))} --wait"
    result = edit("mine", EDITOR=command, VISUAL="")
    assert result.exit_code == 0, result.output
    assert editor.calls == [["--wait", str(installed)]]


def test_visual_comes_before_editor(edit, editor, installed):
    editor.will({"text": None})
    assert edit("mine", EDITOR="/no/such/editor", VISUAL=editor.command).exit_code == 0
    assert len(editor.calls) == 1


def test_an_editor_that_fails_leaves_the_deck_as_it_was(edit, editor, installed):
    editor.will({"text": "half: [written", "status": 3})
    result = edit("mine")
    assert result.exit_code == 2
    assert f"{installed}: the editor ({editor.command}) exited with status 3; the deck is as it was" in result.output
    assert installed.read_text() == DECK


# $EDITOR values that cannot run: (value, the one line printed). Add a case as one line.
BAD_EDITORS = [
    ("/no/such/editor", "/no/such/editor: cannot start the editor (No such file or directory); set VISUAL or EDITOR "
                        "to one you have"),
    ("/", "/: cannot start the editor (Permission denied); set VISUAL or EDITOR to one you have"),
    ("'unclosed", "$EDITOR: cannot split ''unclosed' into words (No closing quotation)"),
    ('"\x1b]52;c;aGk=\x07"', "\x1b]52;c;aGk=\x07: cannot start the editor (No such file or directory); set VISUAL or "
                             "EDITOR to one you have"),
]


@pytest.mark.parametrize(("value", "message"), BAD_EDITORS, ids=lambda v: repr(v)[:20])
def test_an_editor_that_cannot_run_is_one_line_and_the_deck_stays(edit, installed, value, message):
    from quizzer.ui.text import literal

    result = edit("mine", EDITOR=value)
    assert result.exit_code == 2 and result.output.splitlines() == [literal(message)]
    assert installed.read_text() == DECK and "\x1b" not in result.output


def test_a_linked_deck_is_edited_where_it_is(edit, editor, tmp_path, quizzer_home):
    source = tmp_path / "repo" / "mine.yaml"
    source.parent.mkdir()
    source.write_text(DECK)
    assert CliRunner().invoke(app, ["decks", "add", "--link", str(source)]).exit_code == 0
    editor.will({"text": EDITED})
    assert edit("mine").exit_code == 0
    assert source.read_text() == EDITED and editor.calls == [[str(source)]]
    assert not (quizzer_home / "decks" / "mine.yaml").exists()


def test_a_broken_deck_can_be_opened_and_fixed(edit, editor, installed):
    installed.write_text(BROKEN)
    editor.will({"text": DECK})
    result = edit("mine")
    assert result.exit_code == 0, result.output
    assert "Deck 'mine' loads again: 3 cards." in result.output
    assert set(cards()) == {"capital", "coup", "bloody"}


@pytest.mark.parametrize(("deck_id", "message"), [
    ("mali-2012-dates", "'mali-2012-dates' is a built-in deck and cannot be edited; copy it with "
                        "`quizzer decks export mali-2012-dates -o my-deck.yaml`"),
    ("nope", "no deck 'nope'; known decks: mali-2012-actors, mali-2012-dates"),
    ("mali-2012-date", "no deck 'mali-2012-date'; did you mean 'mali-2012-dates'?"),
])
def test_refusals_exit_2_with_one_line(edit, editor, deck_id, message):
    editor.will({"text": "x"})
    result = edit(deck_id)
    assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) == 1
    assert editor.calls == []


def test_no_terminal_is_refused(editor, installed, monkeypatch):
    for key, value in editor.env().items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["decks", "edit", "mine"])
    assert result.exit_code == 2 and "needs a terminal" in result.output and editor.calls == []


def test_the_parse_cache_sees_an_edit_that_kept_size_and_time(edit, editor, installed):
    os.utime(installed, (1e9, 1e9))  # old enough for the cache to keep it
    assert cards()["capital"]["question"] == "Capital of Mali?"  # now cached
    editor.will({"text": DECK.replace("Capital of Mali?", "Capital of Chad?"), "keep_time": True})
    assert edit("mine").exit_code == 0
    assert cards()["capital"]["question"] == "Capital of Chad?"


# -- the round trip as a library, for the study session ------------------------------------

def test_edit_card_returns_the_new_deck_and_whether_it_changed(editor, installed, tmp_path):
    vi = FakeEditor(tmp_path / "editor", name="vi")
    deck = load_deck(installed)
    asked = []
    session_editor = Editor(lambda problems: asked.append(problems) or EDIT, tmp_path / "backups", env=vi.env(
        EDITOR=vi.command, PATH=os.environ["PATH"]))
    vi.will({"text": BROKEN}, {"text": EDITED})
    result = session_editor.edit_card(deck, deck.cards[1])
    assert vi.calls == [["+8", str(installed)], ["+4", str(installed)]]
    assert [p.line for p in asked[0]] == [7, 4]
    assert result.changed and [c.id for c in result.deck.cards] == ["capital", "coup", "leader"]
    assert (result.changes.added, result.changes.changed, result.changes.removed) == (1, 1, 1)
    vi.will({"text": BROKEN})
    restored = Editor(lambda problems: RESTORE, tmp_path / "backups", env=vi.env(EDITOR=vi.command)).edit_card(
        result.deck, result.deck.cards[0])
    assert (restored.changed, restored.restored, restored.deck) == (False, True, result.deck)
    assert installed.read_text() == EDITED


def test_ctrl_c_at_the_question_restores_the_file(editor, installed, tmp_path):
    def interrupted(problems):
        raise KeyboardInterrupt

    editor.will({"text": BROKEN})
    with pytest.raises(KeyboardInterrupt):
        deck = load_deck(installed)
        Editor(interrupted, tmp_path / "backups", env=editor.env()).edit_card(deck, deck.cards[0])
    assert installed.read_text() == DECK


@pytest.mark.parametrize(("env", "command"), [
    ({"VISUAL": "code -w", "EDITOR": "vi"}, ["code", "-w"]),
    ({"EDITOR": "'/opt/my editor/ed' --flag"}, ["/opt/my editor/ed", "--flag"]),
    ({"VISUAL": " ", "EDITOR": "nano"}, ["nano"]),
])
def test_editor_command(env, command):
    assert editor_command(env) == command


@pytest.mark.parametrize(("command", "line", "argv"), [
    (["vim"], 7, ["vim", "+7", "f.yaml"]),
    (["/usr/bin/nano"], 7, ["/usr/bin/nano", "+7", "f.yaml"]),
    (["code", "-w"], 7, ["code", "-w", "-g", "f.yaml:7"]),
    (["gedit"], 7, ["gedit", "f.yaml"]),  # an editor we do not know gets the file alone
    (["vim"], 1, ["vim", "f.yaml"]),
])
def test_at_line(command, line, argv):
    from pathlib import Path

    assert at_line(command, Path("f.yaml"), line) == argv


def test_the_fallback_editors_and_none_at_all(tmp_path):
    from quizzer.decks import DeckError

    (tmp_path / "vi").write_text("")
    (tmp_path / "vi").chmod(0o755)
    assert editor_command({"PATH": str(tmp_path)}) == ["vi"]
    with pytest.raises(DeckError, match="no editor: set VISUAL or EDITOR"):
        editor_command({"PATH": str(tmp_path / "empty")})


# -- in a real pseudo-terminal ---------------------------------------------------------------

def spawn_edit(editor, quizzer_home, *args, columns=60):
    env = {**os.environ, "QUIZZER_HOME": str(quizzer_home), "TERM": "xterm", **editor.env()}
    return pexpect.spawn(sys.executable, ["-m", "quizzer", "decks", "edit", *args], env=env,
                         dimensions=(24, columns), encoding="utf-8", timeout=20)


@pytest.mark.parametrize("columns", [60, 100])
def test_in_a_terminal_an_invalid_edit_then_edit_again_then_valid(editor, installed, quizzer_home, columns):
    editor.will({"text": BROKEN}, {"text": EDITED})
    child = spawn_edit(editor, quizzer_home, "mine", columns=columns)
    child.expect("unknown key 'answr'")
    child.expect(r"Edit again or restore the file as it was\? \[e/r\]")
    child.send("e\r")
    child.expect(r"Updated deck 'mine': 1 added, 1 changed, 1 unchanged, 1\s+removed")  # wrapped at 60 columns
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and installed.read_text() == EDITED


def test_in_a_terminal_an_invalid_edit_restored(editor, installed, quizzer_home):
    editor.will({"text": BROKEN})
    child = spawn_edit(editor, quizzer_home, "mine")
    child.expect(r"\[e/r\]")
    child.send("r\r")
    child.expect("Restored deck 'mine' as it was.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and installed.read_text() == DECK


def test_restoring_a_symlinked_deck_keeps_the_link(edit, editor, installed, tmp_path):
    target = tmp_path / "elsewhere.yaml"
    target.write_text(DECK)
    installed.unlink()
    installed.symlink_to(target)
    editor.will({"text": BROKEN})
    assert edit("mine", typed="r\n").exit_code == 1
    assert installed.is_symlink() and target.read_text() == DECK
