"""`quizzer decks new`: a guided prompt that builds a deck card by card.

Each answer is checked as it is typed (questionary re-asks until it is valid), and the result is
plain keys and values in the deck format; the caller validates them with the deck reader's rules
before anything is written. Before that, the learner reviews every card (edit one, drop one, add
more), and Ctrl-C asks before throwing away the cards written so far.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import questionary
from rich.console import Console
from rich.table import Table
from rich.text import Text

from quizzer.cardtypes import CARD_TYPES
from quizzer.model import DECK_ID_PATTERN, Kind, cloze_blanks, replace_blanks, slug
from quizzer.session import Quit
from quizzer.ui.interactive import _unsafe
from quizzer.ui.text import literal

KIND_CHOICES = {kind: f"{kind.value:<10} {t.summary}" for kind, t in CARD_TYPES.items()}
SEPARATOR = "|"
MAX_CARD_ID = 40
WRITE, EDIT, DROP, ADD, DISCARD = "write", "edit", "drop", "add", "discard"


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
        """Ask for the deck and its cards; None if the learner throws it away. Ctrl-C raises Quit (once
        there are cards, only after the learner confirms throwing them away)."""
        deck_id = self._text("Deck id (lowercase letters, digits and '-'):", self._valid_id)
        title = self._text("Title:", _required)
        tags = tuple(_split(self._text("Tags, separated by commas (optional):"), ","))
        cards: list[dict] = []
        adding = True
        while True:
            try:
                if adding:
                    self._add_cards(cards)
                deck = NewDeck(deck_id, title.strip(), tags, tuple(cards))
                action = self._review(deck)
                if action == WRITE:
                    return deck
                if action == DISCARD and (not cards or self._confirm(f"Throw away the {_count(cards)}?", False)):
                    return None
                if action in (EDIT, DROP):
                    number = self._pick_card(deck, "Edit which card?" if action == EDIT else "Drop which card?")
                    if action == DROP:
                        del cards[number]
                    else:
                        others = {c["id"] for i, c in enumerate(cards) if i != number}
                        cards[number] = self._card(others, cards[number])
                        self._show_card(number + 1, cards[number])
                adding = action == ADD
            except Quit:
                if not cards or self._confirm(f"Throw away the {_count(cards)} written so far?", default=False):
                    raise
                adding = False

    def _add_cards(self, cards: list[dict]) -> None:
        """Card after card until the learner stops; each new card starts with the type of the one before."""
        while True:
            previous = cards[-1]["type"] if cards else Kind.FLASH.value
            card = self._card({c["id"] for c in cards}, {"type": previous})
            cards.append(card)
            self._show_card(len(cards), card)
            if not self._confirm("Add another card?"):
                return

    def _review(self, deck: NewDeck) -> str:
        """Every card in a table, then what to do: write, edit or drop a card, add more, or throw it away."""
        self._show_deck(deck)
        labels = {WRITE: f"Write the deck ({_count(deck.cards)})", EDIT: "Edit a card", DROP: "Drop a card",
                  ADD: "Add cards", DISCARD: "Throw the deck away"}
        offered = labels if deck.cards else {ADD: labels[ADD], DISCARD: labels[DISCARD]}  # a deck needs a card
        choices = [questionary.Choice(label, value=action) for action, label in offered.items()]
        return _unsafe(questionary.select("What now?", choices=choices, **self.io))

    def _pick_card(self, deck: NewDeck, message: str) -> int:
        choices = [questionary.Choice(literal(f"{number}. {card['id']}"), value=number - 1)
                   for number, card in enumerate(deck.cards, 1)]
        return _unsafe(questionary.select(message, choices=choices, **self.io))

    # -- prompts ----------------------------------------------------------------------------

    def _text(self, message: str, validate=None, default: str = "") -> str:
        return _unsafe(questionary.text(message, validate=validate, default=default, **self.io)).strip()

    def _confirm(self, message: str, default: bool = True) -> bool:
        return _unsafe(questionary.confirm(message, default=default, **self.io))

    def _valid_id(self, text: str) -> bool | str:
        text = text.strip()
        if not DECK_ID_PATTERN.match(text):
            return "lowercase letters, digits and '-' only, like 'spanish-verbs'"
        if len(text) > 64:
            return "at most 64 characters"
        if text in self.taken_ids:
            return f"'{text}' is taken; choose another id"
        return True

    def _card(self, taken: set[str], old: dict) -> dict:
        """One card, asked key by key; `old` gives each answer's starting value (its type at least)."""
        kind = _unsafe(questionary.select(
            "Card type:", choices=[questionary.Choice(label, value=k) for k, label in KIND_CHOICES.items()],
            default=Kind(old["type"]), **self.io,
        ))
        fields = {
            Kind.FLASH: self._flash, Kind.TYPED: self._typed, Kind.CHOICE: self._choice,
            Kind.TRUEFALSE: self._truefalse, Kind.CLOZE: self._cloze, Kind.ORDER: self._order,
        }
        card: dict = {"type": kind.value, **fields[kind](old)}
        if CARD_TYPES[kind].answers_in_text:
            basis = replace_blanks(card["text"], lambda blank: blank.split(SEPARATOR)[0])
        else:
            basis = card["question"]
        explain = self._text("Explanation shown after answering (optional):", default=old.get("explain", ""))
        if explain:
            card["explain"] = explain
        card_id = base = card_id_from(basis)
        number = 1
        while card_id in taken:
            number += 1
            card_id = f"{base}-{number}"
        return {"id": card_id, **card}

    # -- each type's own keys, in the order they are asked ---------------------------------

    def _question(self, old: dict) -> str:
        return self._text("Question:", _required, old.get("question", ""))

    def _flash(self, old: dict) -> dict:
        question = self._question(old)
        answer = old.get("answer")
        return {"question": question,
                "answer": self._text("Answer:", _required, answer if isinstance(answer, str) else "")}

    def _typed(self, old: dict) -> dict:
        card = self._flash(old)
        accept = _split(self._text("Other answers that count as right, separated by | (optional):",
                                   default=_joined(old, "accept")))
        if accept:
            card["accept"] = accept
        return card

    def _choice(self, old: dict) -> dict:
        card = self._flash(old)
        card["distractors"] = _split(self._text(
            "Wrong options, separated by |:", lambda text: _valid_distractors(text, card["answer"]),
            _joined(old, "distractors")))
        return card

    def _truefalse(self, old: dict) -> dict:
        question = self._question(old)
        truth = _unsafe(questionary.select("The statement is:", choices=["true", "false"],
                                           default="false" if old.get("answer") is False else "true", **self.io))
        return {"question": question, "answer": truth == "true"}

    def _cloze(self, old: dict) -> dict:
        return {"text": self._text("Text, with each gap in {{double braces}} ({{answer|alternative}}):", _valid_cloze,
                                   old.get("text", ""))}

    def _order(self, old: dict) -> dict:
        question = self._question(old)
        return {"question": question, "items": _split(self._text("Items in the right order, separated by |:",
                                                                 _valid_items, _joined(old, "items")))}

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


def card_id_from(text: str) -> str:
    """A card id from the words of a question: whole words only, at most MAX_CARD_ID characters."""
    words = slug(text, sys.maxsize)
    if len(words) > MAX_CARD_ID:
        # Up to the last '-' that fits; a single word longer than that is cut, having no better place.
        words = words[:MAX_CARD_ID + 1].rsplit("-", 1)[0] if "-" in words[:MAX_CARD_ID + 1] else words[:MAX_CARD_ID]
    return words or "card"


def _joined(card: dict, key: str) -> str:
    return f" {SEPARATOR} ".join(card.get(key, ()))


def _count(cards) -> str:
    return f"{len(cards)} card{'s' * (len(cards) != 1)}"


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
