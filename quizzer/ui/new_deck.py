"""`quizzer decks new`: a guided prompt that builds a deck card by card.

Each answer is checked as it is typed (questionary re-asks until it is valid), and the result is
plain keys and values in the deck format; the caller validates them with the deck reader's rules
before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import questionary
from rich.console import Console
from rich.table import Table
from rich.text import Text

from quizzer.cardtypes import CARD_TYPES
from quizzer.model import DECK_ID_PATTERN, Kind, cloze_blanks, replace_blanks, slug
from quizzer.ui.interactive import _unsafe
from quizzer.ui.text import literal

KIND_CHOICES = {kind: f"{kind.value:<10} {t.summary}" for kind, t in CARD_TYPES.items()}
SEPARATOR = "|"


@dataclass(frozen=True)
class NewDeck:
    id: str
    title: str
    tags: tuple[str, ...]
    cards: tuple[dict, ...]  # each card's keys and values, as in a YAML deck


def _split(text: str, separator: str = SEPARATOR) -> list[str]:
    return [item.strip() for item in text.split(separator) if item.strip()]


def _required(text: str) -> bool | str:
    return bool(text.strip()) or "please type something"


class NewDeckPrompt:
    def __init__(self, taken_ids: set[str], console: Console | None = None, *, input=None, output=None):
        self.taken_ids = taken_ids
        self.console = console or Console(highlight=False)
        # prompt_toolkit input/output; tests pass a pipe input and DummyOutput.
        self.io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    def run(self) -> NewDeck | None:
        """Ask for the deck and its cards; None if the learner declines to write it. Ctrl-C raises Quit."""
        deck_id = self._text("Deck id (lowercase letters, digits and '-'):", self._valid_id)
        title = self._text("Title:", _required)
        tags = tuple(_split(self._text("Tags, separated by commas (optional):"), ","))
        cards: list[dict] = []
        while True:
            card = self._card({c["id"] for c in cards})
            cards.append(card)
            self._show_card(len(cards), card)
            if not self._confirm("Add another card?"):
                break
        deck = NewDeck(deck_id, title.strip(), tags, tuple(cards))
        self._show_deck(deck)
        return deck if self._confirm(f"Write this deck ({len(cards)} card{'s' * (len(cards) != 1)})?") else None

    # -- prompts ----------------------------------------------------------------------------

    def _text(self, message: str, validate=None) -> str:
        return _unsafe(questionary.text(message, validate=validate, **self.io)).strip()

    def _confirm(self, message: str) -> bool:
        return _unsafe(questionary.confirm(message, default=True, **self.io))

    def _valid_id(self, text: str) -> bool | str:
        text = text.strip()
        if not DECK_ID_PATTERN.match(text):
            return "lowercase letters, digits and '-' only, like 'spanish-verbs'"
        if len(text) > 64:
            return "at most 64 characters"
        if text in self.taken_ids:
            return f"'{text}' is taken; choose another id"
        return True

    def _card(self, taken: set[str]) -> dict:
        kind = _unsafe(questionary.select(
            "Card type:", choices=[questionary.Choice(label, value=k) for k, label in KIND_CHOICES.items()], **self.io,
        ))
        fields = {
            Kind.FLASH: self._flash, Kind.TYPED: self._typed, Kind.CHOICE: self._choice,
            Kind.TRUEFALSE: self._truefalse, Kind.CLOZE: self._cloze, Kind.ORDER: self._order,
        }
        card: dict = {"type": kind.value, **fields[kind]()}
        if CARD_TYPES[kind].answers_in_text:
            basis = replace_blanks(card["text"], lambda blank: blank.split(SEPARATOR)[0])
        else:
            basis = card["question"]
        explain = self._text("Explanation shown after answering (optional):")
        if explain:
            card["explain"] = explain
        card_id = base = slug(basis, 40) or "card"
        number = 1
        while card_id in taken:
            number += 1
            card_id = f"{base}-{number}"
        return {"id": card_id, **card}

    # -- each type's own keys, in the order they are asked ---------------------------------

    def _question(self) -> str:
        return self._text("Question:", _required)

    def _flash(self) -> dict:
        question = self._question()
        return {"question": question, "answer": self._text("Answer:", _required)}

    def _typed(self) -> dict:
        card = self._flash()
        accept = _split(self._text("Other answers that count as right, separated by | (optional):"))
        if accept:
            card["accept"] = accept
        return card

    def _choice(self) -> dict:
        card = self._flash()
        card["distractors"] = _split(self._text(
            "Wrong options, separated by |:", lambda text: _valid_distractors(text, card["answer"])))
        return card

    def _truefalse(self) -> dict:
        question = self._question()
        truth = _unsafe(questionary.select("The statement is:", choices=["true", "false"], **self.io))
        return {"question": question, "answer": truth == "true"}

    def _cloze(self) -> dict:
        return {"text": self._text("Text, with each gap in {{double braces}} ({{answer|alternative}}):", _valid_cloze)}

    def _order(self) -> dict:
        question = self._question()
        return {"question": question, "items": _split(self._text("Items in the right order, separated by |:",
                                                                 _valid_items))}

    # -- showing ----------------------------------------------------------------------------

    def _show_card(self, number: int, card: dict) -> None:
        answer = card.get("answer", card.get("items"))
        if isinstance(answer, bool):
            answer = "true" if answer else "false"
        elif isinstance(answer, list):
            answer = " → ".join(answer)
        shown = Text(f"Card {number} ({card['type']}, id {card['id']}): ", style="bold")
        shown.append(literal(card.get("question", card.get("text", ""))))
        if answer is not None:
            shown.append(f"\n  answer: {literal(str(answer))}")
        for key in ("accept", "distractors"):
            if key in card:
                shown.append(f"\n  {key}: {literal(' | '.join(card[key]))}")
        if "explain" in card:
            shown.append(f"\n  explain: {literal(card['explain'])}")
        self.console.print(shown)

    def _show_deck(self, deck: NewDeck) -> None:
        table = Table(title=Text(f"{literal(deck.title)} ({deck.id})"), title_justify="left")
        for column in ("#", "id", "type", "question"):
            table.add_column(column, overflow="fold")
        for number, card in enumerate(deck.cards, 1):
            table.add_row(*(Text(literal(str(v))) for v in (
                number, card["id"], card["type"], card.get("question", card.get("text", "")))))
        self.console.print(table)


def _valid_cloze(text: str) -> bool | str:
    blanks = cloze_blanks(text)
    if not blanks:
        return "put at least one gap in {{double braces}}"
    if any(not blank.split(SEPARATOR)[0].strip() for blank in blanks):
        return "a gap is empty"
    return True


def _valid_distractors(text: str, answer: str) -> bool | str:
    options = _split(text)
    if not options:
        return "give at least one wrong option"
    if answer in options:
        return "the answer cannot also be a wrong option"
    if len(set(options)) < len(options):
        return "an option is repeated"
    return True


def _valid_items(text: str) -> bool | str:
    items = _split(text)
    if len(items) < 2:
        return "give at least two items, separated by |"
    if len(set(items)) < len(items):
        return "the items must all differ"
    return True
