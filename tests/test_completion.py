"""Shell completion: installable, and Tab completes deck ids and DECK/CARD from the library, quietly and
without ever failing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizzer.cli.resolve import complete_card, complete_deck

BUILTIN = ["mali-2012-actors", "mali-2012-dates", "mali-2012-legal", "mali-2012-places", "mali-2012-rebellions",
           "mali-2012-takeaways"]
# The installed command, as a shell runs it: completion is keyed on the program's name.
QUIZZER = str(Path(sys.executable).with_name("quizzer"))
MINE = "id: my-deck\ntitle: Mine\ncards:\n  - id: capital\n    question: Capital of Mali?\n    answer: Bamako\n"


@pytest.fixture
def library(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "my-deck.yaml").write_text(MINE, encoding="utf-8")
    (quizzer_home / "decks" / "broken.yaml").write_text("id: broken\ncards: [", encoding="utf-8")
    return quizzer_home


@pytest.mark.parametrize("typed, ids", [
    ("", sorted(BUILTIN + ["my-deck"])),  # the broken deck is left out, without a word
    ("mali-2012-d", ["mali-2012-dates"]),
    ("mali-2012-", BUILTIN),
    ("my", ["my-deck"]),
    ("nothing", []),
])
def test_deck_ids(library, typed, ids):
    assert complete_deck(typed) == ids


@pytest.mark.parametrize("typed, keys", [
    ("my", ["my-deck/"]),
    ("mali-2012-l", ["mali-2012-legal/"]),
    ("my-deck/", ["my-deck/capital"]),
    ("my-deck/cap", ["my-deck/capital"]),
    ("mali-2012-dates/coup-", ["mali-2012-dates/coup-date", "mali-2012-dates/coup-to-election-gap",
                               "mali-2012-dates/coup-before-vote"]),  # in deck-file order
    ("no-such-deck/", []),
    ("my-deck/zz", []),
])
def test_deck_and_card_keys(library, typed, keys):
    assert complete_card(typed) == keys


def test_a_damaged_library_completes_nothing_and_prints_nothing(library, capsys):
    (library / "linked.json").write_text("{not json")
    assert complete_deck("") == [] and complete_card("my-deck/") == []
    assert capsys.readouterr() == ("", "")


def tab(home, words: str) -> list[str]:
    """What bash's Tab offers after `words` (the shell calls quizzer with these variables)."""
    env = {**os.environ, "QUIZZER_HOME": str(home), "_QUIZZER_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - 1)}
    done = subprocess.run([QUIZZER], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    return done.stdout.split()


@pytest.mark.parametrize("words, offered", [
    ("quizzer study mali-2012-p", ["mali-2012-places"]),
    ("quizzer card my-deck/c", ["my-deck/capital"]),
    ("quizzer decks show m", ["mali-2012-actors", "mali-2012-dates", "mali-2012-legal", "mali-2012-places",
                             "mali-2012-rebellions", "mali-2012-takeaways", "my-deck"]),
    ("quizzer history --deck my", ["my-deck"]),
    ("quizzer accepted --remove my-deck/", ["my-deck/capital"]),
])
def test_tab_in_bash_completes_from_the_library(library, words, offered):
    assert sorted(tab(library, words)) == sorted(offered)


def test_install_completion_writes_the_script_for_the_shell(tmp_path):
    # --install-completion writes into the home folder: a fresh one here, never the real one. Typer
    # finds the shell among the parent processes, which a run started outside a shell lacks; its test
    # switch makes the option take the shell named instead.
    env = {**os.environ, "HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    done = subprocess.run([QUIZZER, "--install-completion", "bash"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    script = (tmp_path / ".bash_completions" / "quizzer.sh").read_text()
    assert "_QUIZZER_COMPLETE=complete_bash" in script
    assert "quizzer.sh" in (tmp_path / ".bashrc").read_text()
