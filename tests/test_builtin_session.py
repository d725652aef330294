"""Answer every built-in card with its own answer in a real plain-mode session: every verdict is right;
and `--tag` picks the cards it should (background cards are not the article's)."""

import re
import sqlite3
import sys

import pexpect
import pytest
from terminal_screens import pty_env

from quizzer.decks import builtin_deck_dir, deck_files, load_deck
from quizzer.model import Kind
from quizzer.ui.text import BACKGROUND_MARK, literal

HEADER = re.compile(rf"\[\d+ of \d+\] (\S+) · (\w+)\r\n({re.escape(BACKGROUND_MARK)}\r\n)?")
PROMPT = re.compile(r"(answer|number or answer|numbers in order|true or false|answers, separated by \|)> "
                    r"|\(press Enter to show the answer\) ")


def own_answer(card, shown: str) -> str:
    """What a learner who knows the card types, given the question text as shown."""
    if card.kind is Kind.CHOICE or card.kind is Kind.ORDER:
        options = dict(
            (text.strip(), number) for number, text in re.findall(r"^  (\d+)\. (.*)$", shown, flags=re.M)
        )
        wanted = [card.answer] if card.kind is Kind.CHOICE else card.answer
        return " ".join(options[literal(item)] for item in wanted)
    if card.kind is Kind.TRUEFALSE:
        return "true" if card.answer else "false"
    if card.kind is Kind.CLOZE:
        return " | ".join(blank.answer for blank in card.blanks)
    if card.kind is Kind.FLASH:
        return ""
    return ", ".join(card.answer) if isinstance(card.answer, tuple) else card.answer


def study(quizzer_home, *args):
    """Study the built-in decks in plain mode, answering each card with its own answer until nothing is
    left: the decks, the cards answered, and those whose header said they are background."""
    decks = {deck.id: deck for deck in (load_deck(p, builtin=True) for p in deck_files(builtin_deck_dir()))}
    by_prompt = {(d.id, literal(c.prompt)): c for d in decks.values() for c in d.cards}
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "study", "--plain", "--new", "1000", "--seed", "5", *args],
                          env=pty_env(quizzer_home), encoding="utf-8", timeout=30, dimensions=(50, 200))
    answered, marked = set(), set()
    while child.expect([HEADER, pexpect.EOF]) == 0:
        deck_id = child.match.group(1)
        background = child.match.group(3) is not None
        child.expect(PROMPT)
        shown = child.before.replace("\r\n", "\n")
        question = shown.split("\n  1. ")[0].strip("\n")
        card = by_prompt[(deck_id, question)]
        child.sendline(own_answer(card, shown))
        if card.kind is Kind.FLASH:
            child.expect(r"rating \(1-4\)> ")
            child.sendline("3")
        answered.add((deck_id, card.id))
        if background:
            marked.add((deck_id, card.id))
    return decks, answered, marked


def test_every_builtin_card_accepts_its_own_answer(quizzer_home):
    decks, answered, marked = study(quizzer_home)
    assert answered == {(d.id, c.id) for d in decks.values() for c in d.cards}
    assert marked == {(d.id, c.id) for d in decks.values() for c in d.cards if "background" in c.tags}
    db = sqlite3.connect(quizzer_home / "quizzer.db")
    verdicts = dict(db.execute("SELECT verdict, COUNT(*) FROM reviews GROUP BY verdict").fetchall())
    assert set(verdicts) <= {"correct", "self"}, verdicts
    assert sum(verdicts.values()) >= len(answered)


@pytest.mark.parametrize("tag, background", [("mali-2012", False), ("background", True)])
def test_the_article_tag_leaves_out_the_background_cards_and_background_takes_only_them(quizzer_home, tag,
                                                                                        background):
    # Every built-in deck is tagged mali-2012; its three background cards do not take that tag.
    decks, answered, marked = study(quizzer_home, "--tag", tag)
    chosen = {(d.id, c.id) for d in decks.values() for c in d.cards if ("background" in c.tags) is background}
    assert len(chosen) >= 3 and answered == chosen
    assert marked == (chosen if background else set())
